/*
 * cmd_cost.c: `owlet cost [--env E] [--json] [--plan-json FILE]`: the
 * monthly estimate of an environment's stack, line by line (lib/cost).
 * Without --plan-json the stack is rendered and planned offline against a
 * moto_server of its own, as `owlet check --env` does: no cloud account.
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "commands.h"
#include "cost/cost.h"
#include "cost_gate.h"
#include "spine.h"

static const char *opt_env, *opt_plan_json, *opt_prices;
static bool opt_json;

const struct owlet_option cmd_cost_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "the environment (default: local)" },
	{ "json", 0, OPT_FLAG, &opt_json, NULL, "print the estimate as JSON" },
	{ "plan-json", 0, OPT_STRING, &opt_plan_json, "FILE",
	  "price this plan (terraform show -json PLAN) instead of planning the environment offline" },
	{ "prices", 0, OPT_STRING, &opt_prices, "FILE", "another price table (default: templates/prices/aws.json)" },
	{ 0 },
};

int cmd_cost(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet cost' takes no arguments");
	struct spine s = { .lock_fd = -1 };
	json_t *plan = NULL, *prices = NULL;
	struct owlet_cost_estimate *est = calloc(1, sizeof *est);
	int rc = est ? spine_open(&s, opt_env, opt_plan_json ? NULL : "cost")
		     : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc < 0)
		goto out;
	rc = owlet_cost_prices_load(&prices, opt_prices);
	if (rc < 0)
		goto out;
	rc = spine_plan_json_offline(&s, &plan, opt_plan_json, "cost");
	if (rc == 0)
		rc = owlet_cost_estimate(est, plan, s.env, prices);
	if (rc < 0)
		goto out;
	if (opt_json) {
		json_t *j = owlet_cost_to_json(est);
		if (j)
			json_object_set_new(j, "environment", json_string(s.env_name));
		char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) : NULL;
		json_decref(j);
		if (!text) {
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
			goto out;
		}
		printf("%s\n", text);
		free(text);
	} else {
		cost_print(stdout, est, s.env_name, s.local);
		if (s.env->budget.enabled)
			printf("budget: $%.2f / month (%s)%s\n", s.env->budget.monthly_usd,
			       owlet_cost_round(est->total) > s.env->budget.monthly_usd ? "the estimate is OVER it"
											   : "the estimate is within it",
			       s.local ? "; not rendered for local: the emulator never finishes creating aws_budgets_budget" : "");
	}
out:
	free(est);
	json_decref(plan);
	json_decref(prices);
	spine_close(&s);
	return rc;
}
