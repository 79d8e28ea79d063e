/* check_gate.c: the security checks as a gate before apply (see check_gate.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "check/recall.h"
#include "check_gate.h"
#include "base/diag.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "base/gha.h"

void check_project_paths(struct owlet_check_report *report, const char *state_dir)
{
	for (size_t i = 0; i < report->count; i++) {
		struct owlet_check_result *r = &report->results[i];
		if (!r->file_path[0])
			continue;
		char *rendered = owlet_fs_join(state_dir, r->file_path);
		char *a = NULL, *b = NULL;
		size_t la = 0, lb = 0;
		bool same = rendered && strncmp(r->file_path, "modules/", 8) == 0 &&
			    owlet_fs_read(&a, &la, rendered) == 0 && owlet_fs_read(&b, &lb, r->file_path) == 0 &&
			    la == lb && memcmp(a, b, la) == 0;
		free(a);
		free(b);
		owlet_error_clear();
		if (!same && rendered) {
			free(r->file_path);
			r->file_path = rendered;
			rendered = NULL;
		}
		free(rendered);
	}
}

int check_ci_report(const struct owlet_check_report *report, const char *heading)
{
	if (!owlet_gha_enabled())
		return 0;
	char *lines = owlet_check_report_annotations(report);
	char *md = owlet_check_report_markdown(report, heading);
	int rc = lines && md ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0) {
		fflush(stdout);
		fputs(lines, stderr);
		fflush(stderr);
		rc = owlet_gha_summary_append(md);
	}
	free(lines);
	free(md);
	return rc;
}

static int gate_run(const char *plan_json_path, const char *root_dir, const struct owlet_environment *env,
		    char **text_out)
{
	char heading[128];
	snprintf(heading, sizeof heading, "owlet checks: %s", env->name);
	struct owlet_check_run run = { .plan_json = plan_json_path, .root = root_dir, .env = env, .checkov = true };
	struct owlet_check_report *report = NULL;
	int rc = owlet_check_run(&report, &run);
	if (rc < 0)
		return rc;
	char *text = owlet_check_report_format(report, OWLET_CHECK_TEXT);
	size_t failed = owlet_check_report_count(report, OWLET_CHECK_FAILED);
	if (text && (failed || owlet_verbosity() != OWLET_QUIET)) /* -q: the report when it fails */
		fputs(text, stdout);
	if (text_out)
		*text_out = text;
	else
		free(text);
	check_project_paths(report, root_dir);
	rc = check_ci_report(report, heading);
	owlet_check_report_free(report);
	if (rc < 0)
		return rc;
	if (failed)
		return owlet_error_setc(OWLET_EINVALID, "%zu security check%s failed: fix them, or skip each with a reason",
					failed, failed == 1 ? "" : "s");
	return 0;
}

int check_gate(const char *plan_json_path, const char *root_dir, const struct owlet_environment *env)
{
	return gate_run(plan_json_path, root_dir, env, NULL);
}

int check_gate_reuse(const char *plan_json_path, const char *root_dir, const struct owlet_environment *env)
{
	/* in CI every run annotates and summarises: no reuse there */
	if (owlet_gha_enabled())
		return check_gate(plan_json_path, root_dir, env);
	char key[65] = "", when[32] = "", *text = NULL;
	if (owlet_check_key(key, plan_json_path, root_dir, env) < 0 ||
	    owlet_check_recall(&text, when, sizeof when, root_dir, key) < 0) {
		owlet_error_clear(); /* no key: the rules run */
		key[0] = '\0';
	}
	if (text && owlet_verbosity() == OWLET_QUIET) {
		free(text);
		return 0;
	}
	if (text) {
		printf("  checks: reused: the plan, the rendered modules and the skips are those the checks passed "
		       "at %s (sha256 %.12s)\n", when, key);
		fputs(text, stdout);
		free(text);
		return 0;
	}
	int rc = owlet_check_forget(root_dir);
	if (rc == 0)
		rc = gate_run(plan_json_path, root_dir, env, &text);
	if (rc == 0 && key[0] && text)
		rc = owlet_check_remember(root_dir, key, text);
	free(text);
	return rc;
}
