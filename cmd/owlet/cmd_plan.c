/* cmd_plan.c: `owlet plan --env E [--detailed-exitcode]`: render, terraform
 * init and plan into a saved plan file; print what would change by module. */
#include <stdio.h>

#include "commands.h"
#include "base/error.h"
#include "spine.h"

static const char *opt_env, *opt_artifact;
static bool opt_detailed, opt_no_check, opt_json;

const struct owlet_option cmd_plan_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "the environment (default: local)" },
	{ "detailed-exitcode", 0, OPT_FLAG, &opt_detailed, NULL,
	  "exit 0 when there is nothing to change, 2 when there is, 1 on error (as terraform)" },
	{ "artifact", 0, OPT_STRING, &opt_artifact, "FILE",
	  "a prebuilt Lambda zip instead of 'owlet build' (or $OWLET_LAMBDA_ZIP)" },
	{ "no-check", 0, OPT_FLAG, &opt_no_check, NULL,
	  "skip the security checks on the plan (refused for protected environments)" },
	{ "json", 0, OPT_FLAG, &opt_json, NULL,
	  "print one JSON object on stdout (what would change, the cost, the checks); the rest goes to stderr" },
	{ 0 },
};

static int plan_run(json_t **result)
{
	struct spine s;
	bool changes = false;
	struct owlet_plan_summary summary = { 0 };
	int rc = spine_open(&s, opt_env, "plan");
	if (rc < 0)
		goto out;
	s.no_check = opt_no_check;
	s.n_steps = s.local ? 6 : 5;
	rc = spine_plan_checked(&s, opt_artifact, &changes, &summary);
	if (rc == 0 && result)
		*result = json_pack("{s:s, s:b, s:o, s:O?, s:s, s:s+}", "environment", s.env_name, "changes", changes,
				    "plan", owlet_plan_summary_to_json(&summary), "cost", s.estimate, "checks",
				    opt_no_check ? "skipped" : "passed", "plan_file", s.state_dir, "/plan.tfplan");
out:
	owlet_plan_summary_clear(&summary);
	spine_close(&s);
	if (rc < 0)
		return rc;
	return opt_detailed && changes ? 2 : 0;
}

int cmd_plan(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet plan' takes no arguments");
	int rc = spine_json_run(plan_run, opt_json, opt_env);
	if (rc < 0 && opt_detailed) {
		fprintf(stderr, "error: %s\n", owlet_error_last());
		return 1;
	}
	return rc;
}
