/*
 * internal.h: what the rule files share with the engine.
 *
 * A rule's eval() gets the context (every resource of the plan) and one
 * resource of a type it names, and returns CHECK_PASS, CHECK_FAIL or
 * CHECK_UNKNOWN (not reported: a value unknown until apply, as checkov's
 * UNKNOWN).  Attribute paths are dotted: "tracing_config.mode" walks into
 * the first block of a list of blocks, "rule.0.status" indexes it.
 */
#ifndef OWLET_CHECK_INTERNAL_H
#define OWLET_CHECK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "check/check.h"
#include "base/proc.h"

enum { CHECK_PASS = 0, CHECK_FAIL = 1, CHECK_UNKNOWN = 2 };

struct check_inline_skip {
	char *id;
	char *reason; /* NULL when the comment gives none */
	int line;
};

struct check_res {
	char *address;      /* module.storage.aws_s3_bucket.this["data"] */
	const char *type;   /* borrowed from the plan */
	const char *name;
	bool data;          /* a data source */
	const json_t *values;       /* planned values (borrowed) */
	const json_t *unknown;      /* resource_changes' after_unknown: what apply will know (borrowed; may be NULL) */
	const json_t *conf;         /* configuration block (borrowed; may be NULL) */
	const json_t *expressions;  /* its expressions (borrowed; may be NULL) */
	const json_t *module_conf;  /* configuration of its module (borrowed) */
	char *module;       /* "" for root, "module.storage", "module.a.module.b" (no instance keys) */
	char *config_addr;  /* aws_s3_bucket.this or data.aws_iam_policy_document.x */
	char *index;        /* "[\"data\"]", "[0]" or "" */
	char *module_dir;   /* the module's directory, relative to the root ("" root); NULL unknown */
	char *file;         /* where the block is, relative to the root; NULL unknown */
	int line_start, line_end;
	struct check_inline_skip *skips;
	size_t n_skips;
};

struct check_ctx {
	struct check_res *res;
	size_t n;
	const json_t *plan;
	/* edges[i] lists the resources linked to res[i] by a reference in
	 * either direction (checkov's graph connections) */
	size_t **edges;
	size_t *n_edges;
};

/* Appends a copy of *item (strings duplicated; NULL strings become "").
 * Returns 0 or OWLET_ENOMEM. */
int check_report_add(struct owlet_check_report *report, const struct owlet_check_result *item);

/* The rules, per service (rules_*.c). */
extern const struct owlet_check_rule owlet_check_rules_s3[];
extern const size_t owlet_check_rules_s3_count;
extern const struct owlet_check_rule owlet_check_rules_lambda[];
extern const size_t owlet_check_rules_lambda_count;
extern const struct owlet_check_rule owlet_check_rules_apigw[];
extern const size_t owlet_check_rules_apigw_count;
extern const struct owlet_check_rule owlet_check_rules_kms[];
extern const size_t owlet_check_rules_kms_count;
extern const struct owlet_check_rule owlet_check_rules_logs[];
extern const size_t owlet_check_rules_logs_count;
extern const struct owlet_check_rule owlet_check_rules_glue[];
extern const size_t owlet_check_rules_glue_count;
extern const struct owlet_check_rule owlet_check_rules_athena[];
extern const size_t owlet_check_rules_athena_count;
extern const struct owlet_check_rule owlet_check_rules_vpc[];
extern const size_t owlet_check_rules_vpc_count;
extern const struct owlet_check_rule owlet_check_rules_iam[];
extern const size_t owlet_check_rules_iam_count;
extern const struct owlet_check_rule owlet_check_rules_msg[];
extern const size_t owlet_check_rules_msg_count;
extern const struct owlet_check_rule owlet_check_rules_data[];
extern const size_t owlet_check_rules_data_count;
extern const struct owlet_check_rule owlet_check_rules_edge[];
extern const size_t owlet_check_rules_edge_count;
extern const struct owlet_check_rule owlet_check_rules_sns[];
extern const size_t owlet_check_rules_sns_count;

#define CHECK_GUIDE(id) "https://www.checkov.io/5.Policy%20Index/terraform.html#" id

/* Attribute access on a resource's planned values.  NULL when absent or
 * null (unknown values are absent from planned values). */
const json_t *check_attr(const struct check_res *r, const char *path);
/* Non-null, and not an empty string/list/object. */
bool check_attr_present(const struct check_res *r, const char *path);
bool check_json_nonempty(const json_t *v);
/* The value as a string, NULL when not a string. */
const char *check_attr_str(const struct check_res *r, const char *path);
/* True when the value is JSON true or the string "true" (any case). */
bool check_attr_true(const struct check_res *r, const char *path);
/* True when the value is JSON false or the string "false". */
bool check_attr_false(const struct check_res *r, const char *path);
/* Whether the configuration gives the attribute (at the top level) through
 * references: its value is then unknown until apply. */
bool check_attr_referenced(const struct check_res *r, const char *name);
/* Given a value: present in the planned values, or known only after apply
 * (after_unknown, e.g. the ARN of a queue not yet created), or set in the
 * configuration by an expression.  What checkov sees in the Terraform
 * source, where the expression is there.  A reference that the plan
 * already knows to be null (a null variable, an absent resource) is not
 * given: checkov's plan mode reads the planned null. */
bool check_attr_given(const struct check_res *r, const char *path);
/* Written in the configuration, whatever the value, even "" (checkov's
 * `name in conf`); a dotted path walks into the first of a list of
 * blocks; check_attr_given when the configuration does not say (no
 * configuration, or a block it does not hold, e.g. a dynamic one). */
bool check_attr_written(const struct check_res *r, const char *name);
/* Whether s matches the POSIX extended regular expression pattern (false
 * when the pattern does not compile). */
bool check_regex(const char *pattern, const char *s);
/* Whether v is the string s. */
bool check_json_str_is(const json_t *v, const char *s);
/* The same walk on any JSON value. */
const json_t *check_json_path(const json_t *v, const char *path);

/* The i-th resource linked to r whose type is `type` (checkov's
 * "connection exists"); NULL past the end. */
const struct check_res *check_linked(const struct check_ctx *ctx, const struct check_res *r,
				     const char *type, size_t i);

/* IAM policy documents (policy.c). */
/* Parses a policy value (a JSON string or an object); NULL when not a policy. */
json_t *check_policy_parse(const json_t *value);
/* The statements as an array (new reference; a lone object is wrapped). */
json_t *check_policy_statements(const json_t *policy);
/* Runs test() on each statement of the policy in value: CHECK_FAIL when
 * one matches, CHECK_PASS when none does, `missing` when value is no policy. */
int check_policy_each(const json_t *value, bool (*test)(const json_t *stmt), int missing);
/* The strings at key in a statement (a string or a list of them): up to max
 * into out; returns how many. */
size_t check_stmt_strings(const json_t *stmt, const char *key, const char **out, size_t max);

/* cloudsplaining's analyses (what CKV_AWS_286..290 and 355 ask), on a
 * parsed policy: true when the policy allows what the name says. */
bool check_policy_privilege_escalation(const json_t *policy);
bool check_policy_credentials_exposure(const json_t *policy);
bool check_policy_data_exfiltration(const json_t *policy);
bool check_policy_permissions_management(const json_t *policy);
bool check_policy_write_access(const json_t *policy);
bool check_policy_star_resource(const json_t *policy);
/* cloudsplaining's ResourcePolicyDocument: an allowing statement with
 * actions that anyone can use (principal "*" or an ARN of any account, and
 * no condition that narrows it; or a condition that itself lets anyone in). */
bool check_policy_public_statement(const json_t *stmt);

/* Source files (source.c): finds `resource "TYPE" "NAME"` in the .tf files
 * of dir (absolute or relative to the working directory); file is set to
 * the file's name (caller frees), lines to the block's first and last lines
 * and skips to its checkov:skip comments.  Returns 0 when found, 1 when not,
 * negative on error. */
int check_source_find(const char *dir, const char *block_kind, const char *type, const char *name,
		      char **file, int *line_start, int *line_end,
		      struct check_inline_skip **skips, size_t *n_skips);

/* Calls fn with each reference (var.x, module.m.out, data.t.n, TYPE.NAME)
 * written inside the `dynamic` blocks of the block at path's lines
 * line_start..line_end (the plan's configuration leaves dynamic blocks
 * out).  Bounded: at most 256 references.  Returns 0 or fn's error. */
int check_source_dynamic_refs(const char *path, int line_start, int line_end,
			      int (*fn)(void *arg, const char *ref), void *arg);

/* Plans the Terraform root in dir offline against a moto_server of its
 * own (dir.c); *out is `terraform show -json` of the plan.  on_line gets
 * terraform's output. */
int check_plan_dir_offline(json_t **out, const char *dir, const char *region,
			   owlet_proc_line_fn on_line, void *ctx);

/* The configuration of a module path ("" root, "module.a.module.b"). */
const json_t *check_module_conf(const json_t *root_conf, const char *module);
/* Joins a directory and a relative path, collapsing "." and "..". */
char *check_path_join(const char *dir, const char *rel);

/* The edges between resources (links.c): by the references in resource
 * from's expressions, through its dynamic blocks (read from the .tf source
 * under root_dir), and by bucket name where no reference links a bucket. */
int check_link_expressions(struct check_ctx *ctx, const json_t *root_conf, size_t from, const json_t *e);
int check_link_dynamic(struct check_ctx *ctx, const json_t *root_conf, size_t from, const char *root_dir);
int check_link_bucket_names(struct check_ctx *ctx);

#endif
