/*
 * spine.h: what render, plan, up, down and status share in the CLI: loading
 * the model and the environment, owlet's lock, the emulator, the artifact,
 * step lines, and terraform's output streamed with a prefix.
 */
#ifndef OWLET_CMD_SPINE_H
#define OWLET_CMD_SPINE_H

#include <stdbool.h>

#include <jansson.h>

#include "deploy/emulator.h"
#include "model/environment.h"
#include "model/model.h"
#include "deploy/terraform.h"

struct spine {
	const char *env_name;
	char *state_dir;        /* state/<env> */
	struct owlet_model *model;
	struct owlet_environment *env;
	bool local;
	struct owlet_emulator emu;
	bool have_emu;
	struct owlet_tf *tf;
	int lock_fd;
	int step, n_steps;
	bool quiet;             /* no step lines, no terraform output (status --json) */
	bool no_check;          /* --no-check: the security checks are skipped (refused when protected) */
	double started;         /* monotonic seconds */
	bool budget_gate;       /* up: refuse an estimate over the budget ... */
	bool over_budget;       /* ... unless --over-budget */
	json_t *estimate;       /* after the plan: {"total","idle","usage","price_region"} (cost_gate.h) */
	json_t *plan;           /* the last spine_plan's `show -json` (owned) */
	/* up on the local target: terraform's refresh may be skipped when nothing
	 * but owlet changed the emulator since the last up (deploy/recording.h) */
	bool refresh_check;     /* set by up: decide before the plan */
	bool force_refresh;     /* up --refresh */
	long long refresh_mark; /* after the decision: what refresh.json records on success, -1 none */
	const char *sandbox;    /* --sandbox: the sandbox's name (borrowed); NULL: none */
};

/* Loads data_model.yml and environments/<env>.yml of the current directory
 * (diagnostics printed), and takes the environment's lock when `lock_command`
 * is not NULL. */
int spine_open(struct spine *s, const char *env_name, const char *lock_command);
void spine_close(struct spine *s);

/* "[k/n] what" on stdout. */
void spine_step(struct spine *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* local: starts or reuses the emulator and creates the state bucket. */
int spine_emulator(struct spine *s);
/* The Lambda artifact in state/<env>/artifacts/: from `artifact` (or
 * $OWLET_LAMBDA_ZIP), else `owlet build`, else the one already there. */
int spine_artifact(struct spine *s, const char *artifact);
int spine_render(struct spine *s);
/* The plan JSON that cost and graph read: plan_json_path's file when given,
 * else the environment rendered and planned offline against a local
 * moto_server (`who` names the command in the line that says so). */
int spine_plan_json_offline(struct spine *s, json_t **plan, const char *plan_json_path, const char *who);
/* Applies state/<env>/plan.tfplan, or says there is nothing to apply. */
int spine_apply_saved(struct spine *s, bool changes);
/* terraform for the rendered root (after spine_emulator for local). */
int spine_terraform(struct spine *s);
/* init, with -reconfigure for local (the emulator's port may change). */
int spine_init(struct spine *s);
/* The steps before a plan: (local) emulator, (with_artifact) artifact,
 * render, terraform init; each with its step line. */
int spine_prepare(struct spine *s, const char *artifact, bool with_artifact);
/* plan into state/<env>/plan.tfplan and print the summary by module. */
int spine_plan(struct spine *s, bool *changes, struct owlet_plan_summary *summary, bool destroy);
/* What plan and up share after spine_open: --no-check refused for a protected
 * environment, spine_prepare, the plan (saved, summary printed), its cost
 * estimate and budget (cost_gate.h), then the security checks on it with the environment's skips, unless s->no_check. */
int spine_plan_checked(struct spine *s, const char *artifact, bool *changes,
		       struct owlet_plan_summary *summary);
void spine_print_summary(const struct owlet_plan_summary *summary);

double spine_now(void);
/* "<what> 'env' in T s (terraform T s: init .., plan ..; owlet T s)" */
void spine_print_times(const struct spine *s, const char *what);
/* {"total","terraform","owlet","phases":{name:seconds}} (new reference) */
json_t *spine_times_json(const struct spine *s);
/* --json of plan, up and down: without `json`, run(NULL).  With it, stdout
 * keeps one JSON document and every other line goes to stderr while
 * run(&doc) runs; then doc (stolen) is printed with "ok": true when run
 * returned >= 0, else {"ok": false, "error": the error's message,
 * "environment": env}.  Returns what run returned. */
int spine_json_run(int (*run)(json_t **result), bool json, const char *env);

/* The path state/<env>/NAME (caller frees). */
char *spine_path(const struct spine *s, const char *name);

#endif
