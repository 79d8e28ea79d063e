/* check_gate.c: the security checks as a gate before apply (see check_gate.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "check_gate.h"
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

int check_gate(const char *plan_json_path, const char *root_dir, const struct owlet_environment *env)
{
	char heading[128];
	snprintf(heading, sizeof heading, "owlet checks: %s", env->name);
	struct owlet_check_run run = { .plan_json = plan_json_path, .root = root_dir, .env = env, .checkov = true };
	struct owlet_check_report *report = NULL;
	int rc = owlet_check_run(&report, &run);
	if (rc < 0)
		return rc;
	char *text = owlet_check_report_format(report, OWLET_CHECK_TEXT);
	if (text)
		fputs(text, stdout);
	free(text);
	size_t failed = owlet_check_report_count(report, OWLET_CHECK_FAILED);
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
