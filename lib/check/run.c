/*
 * run.c: what `owlet check` does from end to end: get the plan's JSON (read
 * it, or plan a directory against the emulator, or render and plan an
 * environment), run the rules, run checkov when it is there and merge.
 */
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/internal.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "base/proc.h"

int owlet_check_with_checkov(struct owlet_check_report *report, const char *const *args)
{
	char *path = owlet_proc_which("checkov");
	if (!path)
		return owlet_check_report_note(report, "checkov is not on PATH: owlet's built-in rules only");
	const char *argv[16] = { path };
	size_t n = 1;
	for (size_t i = 0; args[i] && n < 14; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	int status = 0;
	char *out = NULL;
	struct owlet_proc_opts opts = { .argv = argv, .timeout_s = 600, .parent_death_signal = SIGTERM };
	int rc = owlet_proc_capture(&out, NULL, 256u << 20, &status, &opts);
	free(path);
	if (rc < 0) {
		free(out);
		return owlet_check_report_note(report, "checkov did not run: %s", owlet_error_last());
	}
	/* checkov exits 1 when a check fails: its output counts either way */
	json_error_t jerr;
	json_t *doc = json_loads(out, 0, &jerr);
	free(out);
	if (!doc)
		return owlet_check_report_note(report, "checkov exited with %d and printed no JSON report (%s)", status,
					       jerr.text);
	rc = owlet_check_merge_checkov(report, doc);
	json_decref(doc);
	if (rc < 0)
		return owlet_check_report_note(report, "checkov's report was not understood: %s", owlet_error_last());
	return owlet_check_report_note(report, "checkov ran: %d finding%s of its own merged", rc, rc == 1 ? "" : "s");
}

/* Each of these rules is failed by owlet's own rendering around moto's
 * quirks (modules/{function,storage,network}: emulator_compat), never by a
 * user's choice, so a user's environments/local.yml need not know them. */
static const struct owlet_check_skip emulator_skips[] = {
	{ .id = "CKV_AWS_116",
	  .reason = "the emulator does not keep a Lambda's dead-letter config, so local renders none (AWS targets have one)" },
	{ .id = "CKV_AWS_173",
	  .reason = "the emulator does not return a Lambda's KMS key, so local renders none (AWS targets with storage.kms have one)" },
	{ .id = "CKV2_AWS_62",
	  .reason = "the emulator does not keep the logs bucket's event notification, so local renders none (AWS targets have one)" },
	{ .id = "CKV_AWS_23",
	  .reason = "the emulator drops security group rule descriptions, so a refreshed local plan shows none "
		    "(they are rendered, and AWS keeps them)" },
};

const struct owlet_check_skip *owlet_check_emulator_skips(size_t *n)
{
	*n = sizeof emulator_skips / sizeof emulator_skips[0];
	return emulator_skips;
}

static void env_options(struct owlet_check_options *opts, const struct owlet_environment *env)
{
	if (!env)
		return;
	opts->skips = env->skips;
	opts->n_skips = env->n_skips;
	opts->skips_file = env->path;
	if (env->target == OWLET_TARGET_LOCAL) {
		opts->owlet_skips = owlet_check_emulator_skips(&opts->n_owlet_skips);
		opts->owlet_skips_origin = "owlet: emulator";
	}
}

static int check_plan_file(struct owlet_check_report **out, const struct owlet_check_run *run)
{
	json_error_t jerr;
	json_t *plan = json_load_file(run->plan_json, 0, &jerr);
	if (!plan)
		return owlet_error_setc(OWLET_EINVALID, "%s:%d:%d: cannot read the plan's JSON: %s", run->plan_json,
					jerr.line, jerr.column, jerr.text);
	char *copy = strdup(run->plan_json);
	if (!copy) {
		json_decref(plan);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	struct owlet_check_options opts = { .root_dir = run->root ? run->root : dirname(copy) };
	env_options(&opts, run->env);
	int rc = owlet_check_plan(out, plan, &opts);
	json_decref(plan);
	if (rc == 0 && run->checkov) {
		const char *args[] = { "-f", run->plan_json, "--framework", "terraform_plan", "-o", "json", "--quiet", NULL };
		rc = owlet_check_with_checkov(*out, args);
	}
	free(copy);
	return rc;
}

static int check_dir(struct owlet_check_report **out, const struct owlet_check_run *run)
{
	json_t *plan = NULL;
	int rc = check_plan_dir_offline(&plan, run->dir, run->env ? run->env->region : NULL, run->on_line, run->ctx);
	if (rc < 0)
		return rc;
	struct owlet_check_options opts = { .root_dir = run->dir };
	env_options(&opts, run->env);
	rc = owlet_check_plan(out, plan, &opts);
	json_decref(plan);
	if (rc == 0 && run->checkov) {
		const char *args[] = { "-d", run->dir, "--framework", "terraform", "-o", "json", "--quiet", NULL };
		rc = owlet_check_with_checkov(*out, args);
	}
	return rc;
}

int owlet_check_run(struct owlet_check_report **out, const struct owlet_check_run *run)
{
	*out = NULL;
	int rc;
	if (run->plan_json)
		rc = check_plan_file(out, run);
	else if (run->dir)
		rc = check_dir(out, run);
	else
		rc = owlet_error_setc(OWLET_EUSAGE, "nothing to check: give a directory or a plan's JSON");
	if (rc < 0 && *out) {
		owlet_check_report_free(*out);
		*out = NULL;
	}
	return rc;
}
