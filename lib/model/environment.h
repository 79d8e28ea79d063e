/*
 * environment.h: environments/<name>.yml, parsed and validated.
 *
 * An environment holds values only: where the stack goes and how big and how
 * costly it is.  Every key is optional; the defaults are the cheap, safe ones
 * below.  Unknown keys, duplicate keys and bad values are located errors, as
 * in the model.  Format (all keys shown with their defaults):
 *
 *   target: aws              # aws | local (local: moto on 127.0.0.1, owlet serves the API)
 *   region: us-east-1        # [a-z]{2}(-gov)?-[a-z]+-[0-9]
 *   protect: false           # true: `down` needs --force, `--no-check` refused, no force_destroy
 *   stack_suffix: ""         # appended to every cloud name; "developer" = the git identity (sandboxes)
 *   backend:                 # terraform state (S3 backend, use_lockfile = true)
 *     bucket: ""             # required for target aws; local creates "<project>-tfstate" in the emulator
 *     key: ""                # default "<project>/<env>/terraform.tfstate" ("<env>/..." without a project)
 *     region: ""             # default: region
 *   network:
 *     enabled: true          # VPC with private subnets in two AZs for the Lambda
 *     az_count: 2            # 2..3
 *     flow_logs: true
 *     interface_endpoints: false   # ~$7.30/month per endpoint per AZ
 *   storage:
 *     kms: false             # customer-managed KMS key (~$1/month) instead of SSE-S3
 *     noncurrent_days: 30    # 1..3650, lifecycle of old object versions
 *     log_retention_days: 30 # 1..3650, access-log bucket expiry
 *     incoming_days: 7       # 1..3650, bulk uploads' original files (incoming/) expire
 *     point_in_time_recovery: true   # continuous backups of the metadata table
 *   function:
 *     architecture: x86_64   # x86_64 | arm64
 *     memory_mb: 256         # 128..10240
 *     timeout_s: 10          # 1..900
 *     reserved_concurrency: 5   # -1 (unreserved) or 0..1000
 *     log_retention_days: 14    # one of CloudWatch's allowed values
 *   api:
 *     throttle_rate: 10      # requests/s, 1..10000
 *     throttle_burst: 20     # 1..5000
 *     local_port: 0          # 1024..65535, local: the local API's port (unset: chosen once, kept in state/<env>/)
 *   usage:                   # owlet cost's assumptions for a month (numbers, decimals allowed)
 *     requests_per_month: 100000   # API calls, each one Lambda invocation
 *     lambda_ms: 100         # average Lambda duration, ms
 *     stored_gb: 1           # data kept in S3
 *     uploaded_gb: 1         # data uploaded a month
 *     athena_queries: 100
 *     athena_scanned_gb: 1   # data scanned by all queries of a month
 *     log_gb: 0.5            # CloudWatch Logs ingested a month
 *   budget:                  # absent: none; AWS Budgets alerts at 80 % forecast and 100 % actual
 *     monthly_usd: 5         # also the limit `owlet up` checks the estimate against
 *     email: ops@example.com
 *   alerts:                  # CloudWatch alarms to an SNS topic with an e-mail subscription
 *     enabled: false
 *     email: ""              # required when enabled
 *   checks:
 *     skip:                  # each skip needs a reason (owlet check)
 *       - { id: CKV_AWS_117, reason: "no VPC in a $1/month sandbox" }
 */
#ifndef OWLET_ENVIRONMENT_H
#define OWLET_ENVIRONMENT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/diag.h"

enum owlet_target {
	OWLET_TARGET_AWS,
	OWLET_TARGET_LOCAL,
};

struct owlet_check_skip {
	char *id;     /* CKV_AWS_117 / CKV2_AWS_6 */
	char *reason; /* never empty */
	int line, col;
};

struct owlet_environment {
	char *name;          /* from the file name: environments/<name>.yml */
	char *path;
	enum owlet_target target;
	char *region;
	bool protect;
	char *stack_suffix;  /* "" when none; "developer" is resolved by the caller */
	struct {
		char *bucket;  /* "" when unset */
		char *key;     /* filled with the default when unset (needs the project) */
		char *region;
	} backend;
	struct {
		bool enabled;
		int az_count;
		bool flow_logs;
		bool interface_endpoints;
	} network;
	struct {
		bool kms;
		int noncurrent_days;
		int log_retention_days;
		int incoming_days;
		bool point_in_time_recovery;
	} storage;
	struct {
		char *architecture; /* "x86_64" | "arm64" */
		int memory_mb;
		int timeout_s;
		int reserved_concurrency;
		int log_retention_days;
	} function;
	struct {
		int throttle_rate;
		int throttle_burst;
		int local_port;     /* 0: unset (the local API keeps the port it chose first) */
	} api;
	struct {
		double requests_per_month, lambda_ms, stored_gb, uploaded_gb;
		double athena_queries, athena_scanned_gb, log_gb;
	} usage;
	struct {
		bool enabled;
		double monthly_usd;
		char *email;  /* "" when none */
	} budget;
	struct {
		bool enabled;
		char *email;  /* "" when none */
	} alerts;
	struct owlet_check_skip *skips;
	size_t n_skips;
};

/* Environment names: 1 to 16 of [a-z0-9-], starting with a letter, not
 * ending with '-' (they become part of cloud names). */
bool owlet_environment_valid_name(const char *name);
/* "environments/<name>.yml" under project_dir (no "./" prefix for "." or
 * NULL), in a new string; OWLET_EUSAGE for a bad name. */
int owlet_environment_path(char **out, const char *project_dir, const char *name);

/* Loads environments/<name>.yml under `project_dir` ("." for the current
 * directory).  Problems are appended to diags and OWLET_EINVALID returned.
 * `project` (may be NULL) fills the default backend key.  A missing file is
 * OWLET_ENOTFOUND ("no environment 'x': 'environments/x.yml' does not exist"). */
int owlet_environment_load(struct owlet_environment **out, struct owlet_diags *diags,
			   const char *project_dir, const char *name, const char *project);
/* The same from memory; `path` names it in diagnostics. */
int owlet_environment_parse(struct owlet_environment **out, struct owlet_diags *diags,
			    const char *path, const char *name, const char *buf, size_t len,
			    const char *project);
void owlet_environment_free(struct owlet_environment *env);
/* Every key with its value (new reference). */
json_t *owlet_environment_to_json(const struct owlet_environment *env);

#endif
