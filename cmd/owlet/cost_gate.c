/* cost_gate.c: the estimate after a plan, and the budget (see cost_gate.h). */
#include "cost_gate.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/gha.h"
#include "deploy/deploy.h"
#include "spine.h"

/* A unit price with the digits it has, at least the cents: 1.00, 0.011, 0.0000166667. */
static void fmt_usd(char *buf, size_t size, double usd)
{
	snprintf(buf, size, "%.10f", usd);
	char *dot = strchr(buf, '.');
	char *end = buf + strlen(buf);
	while (dot && end > dot + 3 && end[-1] == '0')
		*--end = '\0';
}

/* "1M" for a million, else the number. */
static void fmt_per(char *buf, size_t size, double per)
{
	if (per >= 1e6 && (long long)per % 1000000 == 0)
		snprintf(buf, size, "%lldM", (long long)per / 1000000);
	else
		snprintf(buf, size, "%g", per);
}

void cost_print(FILE *f, const struct owlet_cost_estimate *est, const char *env_name, bool local)
{
	fprintf(f, "estimate for '%s' in %s: AWS list prices of %s (as of %s, recorded %s; see each source)\n", env_name,
		est->region, est->price_region, est->as_of, est->recorded);
	if (est->nearest)
		fprintf(f, "note: the table has no prices for %s; priced as the nearest region it has, %s\n", est->region,
			est->price_region);
	if (local)
		fprintf(f, "note: 'local' runs on the emulator and costs nothing; this is what the same stack would cost on AWS\n");
	for (int kind = 0; kind < 2; kind++) {
		fprintf(f, "%s\n", kind == 0 ? "fixed (the stack idle):" : "usage (environment 'usage:', or the defaults):");
		bool any = false;
		for (size_t i = 0; i < est->n_lines; i++) {
			const struct owlet_cost_line *l = &est->lines[i];
			if (l->usage != (kind == 1))
				continue;
			any = true;
			char usd[48], per[32];
			fmt_usd(usd, sizeof usd, l->usd);
			fmt_per(per, sizeof per, l->per);
			char monthly[32];
			snprintf(monthly, sizeof monthly, "$%.2f", l->monthly);
			fprintf(f, "  %-36s %9s = $%s per %s%s%s x %.10g\n", l->name, monthly, usd,
				l->per == 1 ? "" : per, l->per == 1 ? "" : " ", l->unit, l->quantity);
			fprintf(f, "  %-36s %9s   because %s (%s)\n", "", "", l->setting, l->resource);
		}
		if (!any)
			fprintf(f, "  (none)\n");
	}
	fprintf(f, "idle:  $%.2f / month\n", owlet_cost_round(est->fixed));
	fprintf(f, "usage: $%.2f / month\n", owlet_cost_round(est->usage));
	fprintf(f, "total: $%.2f / month\n", owlet_cost_round(est->total));
	if (est->n_free) {
		fprintf(f, "free tier (not taken off the total; only if your account has it):\n");
		for (size_t i = 0; i < est->n_free; i++) {
			char monthly[32];
			snprintf(monthly, sizeof monthly, "-$%.2f", est->free[i].monthly);
			fprintf(f, "  %-36s %9s   %.10g %s, %s\n", est->free[i].name, monthly, est->free[i].quantity,
				est->free[i].unit, est->free[i].note);
		}
		fprintf(f, "total with the free tier: $%.2f / month\n", owlet_cost_round(est->total - est->free_total));
	}
	fprintf(f, "sources:");
	for (size_t i = 0; i < est->n_lines; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(est->lines[j].source, est->lines[i].source) == 0;
		if (!seen)
			fprintf(f, " %s", est->lines[i].source);
	}
	fprintf(f, "\n");
}

int cost_gate(struct spine *s)
{
	char *path = spine_path(s, "plan.json");
	if (!path)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_error_t jerr;
	json_t *plan = json_load_file(path, 0, &jerr), *prices = NULL, *last = NULL;
	int rc = plan ? 0 : owlet_error_setc(OWLET_EINVALID, "'%s': %s", path, jerr.text);
	free(path);
	struct owlet_cost_estimate *est = calloc(1, sizeof *est);
	if (rc == 0 && !est)
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0) {
		rc = owlet_cost_prices_load(&prices, NULL);
		/* a share directory without a price table (a custom OWLET_HOME)
		 * gets no estimate; only a budget to enforce needs one */
		if (rc == OWLET_ENOTFOUND && !(s->budget_gate && s->env->budget.enabled)) {
			printf("cost: no estimate: %s\n", owlet_error_last());
			owlet_error_clear();
			rc = 0;
			goto out;
		}
	}
	if (rc == 0)
		rc = owlet_cost_estimate(est, plan, s->env, prices);
	if (rc < 0)
		goto out;
	double total = owlet_cost_round(est->total);
	json_decref(s->estimate);
	s->estimate = json_pack("{s:f, s:f, s:f, s:s}", "total", total, "idle", owlet_cost_round(est->fixed), "usage",
				owlet_cost_round(est->usage), "price_region", est->price_region);
	char change[128] = "no earlier deploy with an estimate";
	if (owlet_deploy_last(&last, s->state_dir) == 0) {
		const json_t *was = json_object_get(json_object_get(last, "cost"), "total");
		if (json_is_number(was))
			snprintf(change, sizeof change, "%+.2f against the last deploy (%s, $%.2f)",
				 total - json_number_value(was), json_string_value(json_object_get(last, "time")),
				 json_number_value(was));
	}
	owlet_error_clear();
	printf("cost: $%.2f / month estimated (idle $%.2f, usage $%.2f; 'owlet cost --env %s' itemises it); %s\n",
	       total, owlet_cost_round(est->fixed), owlet_cost_round(est->usage), s->env_name, change);
	if (owlet_gha_enabled()) {
		/* the pull request's step summary carries the estimate too */
		char md[512];
		snprintf(md, sizeof md, "**Estimated cost:** $%.2f / month (idle $%.2f, usage $%.2f); %s\n\n", total,
			 owlet_cost_round(est->fixed), owlet_cost_round(est->usage), change);
		if (owlet_gha_summary_append(md) < 0)
			owlet_error_clear();
	}
	const struct owlet_environment *env = s->env;
	if (env->budget.enabled && total > env->budget.monthly_usd) {
		if (!s->budget_gate)
			printf("  over the budget of $%.2f / month ('owlet up' will refuse it without --over-budget)\n",
			       env->budget.monthly_usd);
		else if (s->over_budget)
			printf("  over the budget of $%.2f / month: going on (--over-budget)\n", env->budget.monthly_usd);
		else
			rc = owlet_error_setc(OWLET_ERROR,
					      "the estimate $%.2f / month is over the budget of $%.2f / month in %s; "
					      "raise budget.monthly_usd or give --over-budget",
					      total, env->budget.monthly_usd, env->path);
	} else if (env->budget.enabled) {
		printf("  within the budget of $%.2f / month\n", env->budget.monthly_usd);
	}
	fflush(stdout);
out:
	free(est);
	json_decref(plan);
	json_decref(prices);
	json_decref(last);
	return rc;
}
