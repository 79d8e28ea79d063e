/* check_gate.c: the security checks as a gate before apply (see check_gate.h). */
#include <stdio.h>
#include <stdlib.h>

#include "check/check.h"
#include "check_gate.h"
#include "base/error.h"

int check_gate(const char *plan_json_path, const char *root_dir, const struct owlet_environment *env)
{
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
	owlet_check_report_free(report);
	if (failed)
		return owlet_error_setc(OWLET_EINVALID, "%zu security check%s failed: fix them, or skip each with a reason",
					failed, failed == 1 ? "" : "s");
	return 0;
}
