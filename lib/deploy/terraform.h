/*
 * terraform.h: running terraform for one rendered root (state/<env>/).
 *
 * Every run goes through lib/proc: an argv, no shell, output appended to
 * <dir>/terraform.log and handed line by line to on_line, SIGINT passed on.
 * The child's environment: TF_IN_AUTOMATION=1, TF_INPUT=0,
 * CHECKPOINT_DISABLE=1, AWS_EC2_METADATA_DISABLED=true, GOGC=400 unless
 * the user's environment sets GOGC (then theirs is inherited); with a provider
 * mirror (OWLET_TF_PLUGIN_DIR, default /opt/tf-plugins when it exists; set it
 * to "" for terraform's normal installation) a generated CLI config
 * <dir>/.terraformrc with a filesystem_mirror, passed as TF_CLI_CONFIG_FILE,
 * so init is offline.  For the local target: dummy credentials, the region,
 * and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3 on the emulator, and the
 * AWS_PROFILE / session variables removed, so nothing leaves 127.0.0.1.
 *
 * The pid of a running plan/apply/destroy is kept in <dir>/terraform.json.
 * Before a run, a terraform left over from a killed owlet is waited for; a
 * state lock whose holder (this user on this host, pid recorded there) is no
 * longer running is released with `terraform force-unlock` and the run
 * retried once; on_note says so.
 */
#ifndef OWLET_TERRAFORM_H
#define OWLET_TERRAFORM_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/proc.h"

struct owlet_tf {
	char *dir;                /* the root module: state/<env> */
	char **env;               /* NAME=VALUE for the child, NULL-ended */
	bool local;
	owlet_proc_line_fn on_line; /* terraform's output, line by line */
	owlet_proc_line_fn on_note; /* owlet's own remarks about a run */
	owlet_proc_line_fn on_command; /* each run: "terraform ARGS..." before it, and
					* "terraform SUB: exit N after T s" after; may be NULL */
	void *ctx;
	/* the last run */
	bool lock_error;          /* "Error acquiring the state lock" */
	char lock_id[128];
	char lock_who[256];
	int last_status;
	char errors[4][300];      /* its first "Error: ..." lines, repeated after owlet's message */
	int n_errors;
	bool init_skipped;        /* init found .terraform up to date */
	bool no_refresh;          /* plans with -refresh=false (set by the caller, local only) */
	/* time spent in terraform, in total and by subcommand (init, plan, ...) */
	double seconds;
	struct {
		char name[16];
		double seconds;
	} phases[12];
	int n_phases;
};

/* emulator_endpoint: NULL for AWS targets. */
int owlet_tf_new(struct owlet_tf **out, const char *dir, const char *region, const char *emulator_endpoint);
void owlet_tf_free(struct owlet_tf *tf);

/* The plugin mirror in use ("" for none): borrowed. */
const char *owlet_tf_plugin_dir(void);

/* terraform init; backend_config: a -backend-config file, or NULL with
 * backend false for `-backend=false`.  reconfigure: -reconfigure.
 * Skipped (init_skipped) when .terraform/owlet-init.sha256 says the backend
 * config, the CLI config, the root's .tf files and the modules' versions.tf
 * are those of the last successful init. */
int owlet_tf_init(struct owlet_tf *tf, const char *backend_config, bool backend, bool reconfigure);
/* terraform plan -out=plan_file; *changes is true when there is something
 * to do (terraform's -detailed-exitcode 2).  destroy: a destroy plan.
 * With tf->no_refresh, -refresh=false. */
int owlet_tf_plan(struct owlet_tf *tf, bool *changes, const char *plan_file, bool destroy);
/* terraform show -json plan_file, parsed (new reference). */
int owlet_tf_show_plan(json_t **out, struct owlet_tf *tf, const char *plan_file);
/* terraform show -json (the state), parsed (new reference). */
int owlet_tf_show_state(json_t **out, struct owlet_tf *tf);
int owlet_tf_apply(struct owlet_tf *tf, const char *plan_file);
/* terraform output -json flattened to {name: value} (new reference). */
int owlet_tf_outputs(json_t **out, struct owlet_tf *tf);
int owlet_tf_destroy(struct owlet_tf *tf);
/* The outputs a plan (show -json) already knows, flattened as
 * owlet_tf_outputs flattens them ({name: value}, null outputs left out, as
 * `terraform output` leaves them out): *out is a new reference when every
 * output's value is known at plan time (always for a plan without changes;
 * applying such a plan gives these values), NULL when one is known only
 * after apply (then ask terraform after apply). */
int owlet_plan_outputs(json_t **out, const json_t *plan);
/* Any terraform subcommand (validate, fmt, state list) with the same
 * environment; *status is its exit status. */
int owlet_tf_run(struct owlet_tf *tf, int *status, const char *const *args, const char *stdout_path);

/* What a plan does, by module ("(root)" for the root module's own). */
struct owlet_plan_module {
	char *name;
	int add, change, destroy;
};
struct owlet_plan_summary {
	int add, change, destroy;
	struct owlet_plan_module *modules; /* sorted by name */
	size_t n_modules;
};
int owlet_plan_summarize(struct owlet_plan_summary *out, const json_t *plan);
/* {"add","change","destroy","modules":{name:{add,change,destroy}}} */
json_t *owlet_plan_summary_to_json(const struct owlet_plan_summary *s);
void owlet_plan_summary_clear(struct owlet_plan_summary *s);

/* The addresses of the managed resources in a `show -json` state document,
 * in the order terraform lists them: a new array (caller decrefs). */
json_t *owlet_tf_state_addresses(const json_t *state);
/* The same from the state file's own JSON (version 4: "resources" with
 * "module", "type", "name", "instances"[].index_key), read without terraform. */
json_t *owlet_tf_raw_state_addresses(const json_t *state);

#endif
