/* cost.c: the monthly estimate of a planned stack (see cost.h). */
#include "cost/cost.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fsutil.h"
#include "base/paths.h"

/* Bounds on hostile input: module nesting and resources walked. */
#define MAX_DEPTH 16
#define MAX_RESOURCES 100000

/* Athena bills at least 10 MB per query. */
#define ATHENA_MIN_GB_PER_QUERY (10.0 / 1024.0)

double owlet_cost_round(double usd)
{
	return round(usd * 100.0) / 100.0;
}

int owlet_cost_prices_load(json_t **out, const char *path)
{
	*out = NULL;
	char *found = NULL;
	if (!path) {
		int rc = owlet_paths_share(&found, "templates/prices/aws.json");
		if (rc < 0)
			return rc;
		path = found;
	}
	json_error_t jerr;
	json_t *t = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	int rc = 0;
	if (!t)
		rc = owlet_error_setc(OWLET_EINVALID, "price table '%s': %s (line %d)", path, jerr.text, jerr.line);
	else if (!json_is_object(json_object_get(t, "prices")) || !json_is_array(json_object_get(t, "nearest")) ||
		 !json_is_number(json_object_get(t, "hours_per_month")))
		rc = owlet_error_setc(OWLET_EINVALID, "price table '%s': needs 'prices', 'nearest' and 'hours_per_month'",
				      path);
	if (rc < 0)
		json_decref(t);
	else
		*out = t;
	free(found);
	return rc;
}

/* ---- the walk over the plan ------------------------------------------------ */

struct walk {
	struct owlet_cost_estimate *est;
	const struct owlet_environment *env;
	const json_t *prices;
	double hours;
	int rc;
	size_t seen;
	/* what the usage lines need to know of the plan */
	bool api, lambda, bucket, athena;
	double lambda_memory_mb;
	bool lambda_arm;
	int log_retention_days;
	size_t subnets;
};

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* The price `id` in the estimate's price region, with its unit and source. */
static int price_of(struct walk *w, const char *id, const json_t **entry, double *usd)
{
	const json_t *e = json_object_get(json_object_get(w->prices, "prices"), id);
	const json_t *v = json_object_get(json_object_get(e, "usd"), w->est->price_region);
	if (!json_is_object(e) || !json_is_number(v) || !json_is_number(json_object_get(e, "per")) ||
	    json_number_value(json_object_get(e, "per")) <= 0)
		return owlet_error_setc(OWLET_EINVALID, "the price table has no price '%s' for %s", id,
					w->est->price_region);
	*entry = e;
	*usd = json_number_value(v);
	return 0;
}

/* Adds quantity to the line of (price id, setting), made when new. */
static void add_line(struct walk *w, const char *id, const char *resource, const char *setting, double quantity,
		     bool usage)
{
	if (w->rc < 0)
		return;
	struct owlet_cost_estimate *est = w->est;
	for (size_t i = 0; i < est->n_lines; i++) {
		struct owlet_cost_line *l = &est->lines[i];
		if (strcmp(l->price_id, id) == 0 && strcmp(l->setting, setting) == 0) {
			l->quantity += quantity;
			if (strcmp(l->resource, resource) != 0)
				snprintf(l->resource, sizeof l->resource, "%s", "several resources");
			return;
		}
	}
	if (est->n_lines == OWLET_COST_MAX_LINES) {
		w->rc = owlet_error_setc(OWLET_EINVALID, "more than %d cost lines", OWLET_COST_MAX_LINES);
		return;
	}
	const json_t *e = NULL;
	double usd = 0;
	if ((w->rc = price_of(w, id, &e, &usd)) < 0)
		return;
	struct owlet_cost_line *l = &est->lines[est->n_lines++];
	memset(l, 0, sizeof *l);
	copy(l->price_id, sizeof l->price_id, id);
	copy(l->name, sizeof l->name, json_string_value(json_object_get(e, "name")));
	copy(l->resource, sizeof l->resource, resource);
	copy(l->setting, sizeof l->setting, setting);
	copy(l->unit, sizeof l->unit, json_string_value(json_object_get(e, "unit")));
	copy(l->source, sizeof l->source, json_string_value(json_object_get(e, "source")));
	l->usd = usd;
	l->per = json_number_value(json_object_get(e, "per"));
	l->quantity = quantity;
	l->usage = usage;
}

static const char *str(const json_t *values, const char *key)
{
	const char *s = json_string_value(json_object_get(values, key));
	return s ? s : "";
}

static void resource(struct walk *w, const json_t *r)
{
	const char *type = str(r, "type"), *addr = str(r, "address");
	const json_t *v = json_object_get(r, "values");
	const struct owlet_environment *env = w->env;
	char setting[160];
	if (strcmp(str(r, "mode"), "managed") != 0)
		return;
	if (strcmp(type, "aws_kms_key") == 0) {
		add_line(w, "kms_key", addr, "storage.kms: true", 1, false);
	} else if (strcmp(type, "aws_vpc_endpoint") == 0 && strcmp(str(v, "vpc_endpoint_type"), "Interface") == 0) {
		/* one ENI per subnet, i.e. per AZ; the subnets' ids are unknown at plan time */
		size_t azs = json_array_size(json_object_get(v, "subnet_ids"));
		if (azs == 0)
			azs = w->subnets ? w->subnets : (size_t)env->network.az_count;
		snprintf(setting, sizeof setting, "network.interface_endpoints: true (network.az_count: %zu)", azs);
		add_line(w, "interface_endpoint", addr, setting, (double)azs * w->hours, false);
	} else if (strcmp(type, "aws_nat_gateway") == 0) {
		add_line(w, "nat_gateway", addr, "a NAT gateway in the network module", w->hours, false);
	} else if (strcmp(type, "aws_cloudwatch_metric_alarm") == 0) {
		add_line(w, "alarm", addr, "alerts.enabled: true", 1, false);
	} else if (strcmp(type, "aws_secretsmanager_secret") == 0) {
		add_line(w, "secret", addr, "a Secrets Manager secret", 1, false);
	} else if (strcmp(type, "aws_dynamodb_table") == 0) {
		const json_t *pitr = json_array_get(json_object_get(v, "point_in_time_recovery"), 0);
		if (json_is_true(json_object_get(pitr, "enabled")))
			add_line(w, "dynamodb_pitr", addr,
				 "point_in_time_recovery (per GB of table: 10 MB assumed, the metadata's counts and upload history)",
				 0.01, false);
	} else if (strcmp(type, "aws_budgets_budget") == 0) {
		snprintf(setting, sizeof setting, "budget.monthly_usd: %g", env->budget.monthly_usd);
		add_line(w, "budget", addr, setting, 1, false);
	} else if (strcmp(type, "aws_apigatewayv2_api") == 0) {
		w->api = true;
	} else if (strcmp(type, "aws_lambda_function") == 0) {
		w->lambda = true;
		const json_t *mem = json_object_get(v, "memory_size");
		w->lambda_memory_mb = json_is_number(mem) ? json_number_value(mem) : env->function.memory_mb;
		const char *arch = json_string_value(json_array_get(json_object_get(v, "architectures"), 0));
		w->lambda_arm = arch ? strcmp(arch, "arm64") == 0 : strcmp(env->function.architecture, "arm64") == 0;
	} else if (strcmp(type, "aws_s3_bucket") == 0) {
		w->bucket = true;
	} else if (strcmp(type, "aws_athena_workgroup") == 0) {
		w->athena = true;
	} else if (strcmp(type, "aws_cloudwatch_log_group") == 0) {
		const json_t *days = json_object_get(v, "retention_in_days");
		int d = json_is_integer(days) ? (int)json_integer_value(days) : 0;
		if (d == 0)
			d = 3653; /* never expires: ten years */
		if (d > w->log_retention_days)
			w->log_retention_days = d;
	}
}

/* Every resource of a module and its children, depth-first. */
static void walk_module(struct walk *w, const json_t *m, int depth, bool count_only)
{
	if (!json_is_object(m) || w->rc < 0)
		return;
	if (depth > MAX_DEPTH) {
		w->rc = owlet_error_setc(OWLET_EINVALID, "the plan nests modules deeper than %d", MAX_DEPTH);
		return;
	}
	size_t i;
	const json_t *r;
	const json_t *resources = json_object_get(m, "resources"), *children = json_object_get(m, "child_modules");
	json_array_foreach(resources, i, r) {
		if (++w->seen > MAX_RESOURCES) {
			w->rc = owlet_error_setc(OWLET_EINVALID, "the plan holds more than %d resources", MAX_RESOURCES);
			return;
		}
		if (count_only) {
			if (strcmp(str(r, "type"), "aws_subnet") == 0 && strcmp(str(r, "mode"), "managed") == 0)
				w->subnets++;
		} else {
			resource(w, r);
		}
	}
	const json_t *c;
	json_array_foreach(children, i, c) {
		walk_module(w, c, depth + 1, count_only);
	}
}

/* ---- usage --------------------------------------------------------------------- */

static void usage_lines(struct walk *w)
{
	const struct owlet_environment *env = w->env;
	char setting[160];
	double req = env->usage.requests_per_month;
	if (w->api) {
		snprintf(setting, sizeof setting, "usage.requests_per_month: %g", req);
		add_line(w, "api_request", "module.api", setting, req, true);
	}
	if (w->lambda) {
		snprintf(setting, sizeof setting, "usage.requests_per_month: %g", req);
		add_line(w, "lambda_request", "module.function", setting, req, true);
		double gbs = req * env->usage.lambda_ms / 1000.0 * w->lambda_memory_mb / 1024.0;
		snprintf(setting, sizeof setting, "function.memory_mb: %g, usage.lambda_ms: %g", w->lambda_memory_mb,
			 env->usage.lambda_ms);
		add_line(w, w->lambda_arm ? "lambda_gbs_arm64" : "lambda_gbs_x86_64", "module.function", setting, gbs,
			 true);
	}
	if (w->bucket) {
		snprintf(setting, sizeof setting, "usage.stored_gb: %g", env->usage.stored_gb);
		add_line(w, "s3_standard", "module.storage", setting, env->usage.stored_gb, true);
		snprintf(setting, sizeof setting, "usage.uploaded_gb: %g", env->usage.uploaded_gb);
		add_line(w, "transfer_in", "module.storage", setting, env->usage.uploaded_gb, true);
	}
	if (w->athena) {
		double gb = env->usage.athena_scanned_gb, floor_gb = env->usage.athena_queries * ATHENA_MIN_GB_PER_QUERY;
		snprintf(setting, sizeof setting, "usage.athena_queries: %g, usage.athena_scanned_gb: %g%s",
			 env->usage.athena_queries, gb, floor_gb > gb ? " (10 MB a query at least)" : "");
		add_line(w, "athena_scan", "module.query", setting, (floor_gb > gb ? floor_gb : gb) / 1024.0, true);
	}
	if (w->log_retention_days > 0) {
		snprintf(setting, sizeof setting, "usage.log_gb: %g", env->usage.log_gb);
		add_line(w, "logs_ingest", "log groups", setting, env->usage.log_gb, true);
		/* steady state: a month's logs times the months they are kept */
		double months = w->log_retention_days / 30.0;
		snprintf(setting, sizeof setting, "usage.log_gb: %g, the longest log retention: %d days", env->usage.log_gb,
			 w->log_retention_days);
		add_line(w, "logs_storage", "log groups", setting, env->usage.log_gb * months, true);
	}
}

/* Free tiers: each line whose price has one, on its own line. */
static void free_lines(struct walk *w)
{
	struct owlet_cost_estimate *est = w->est;
	for (size_t i = 0; i < est->n_lines && est->n_free < OWLET_COST_MAX_LINES; i++) {
		const struct owlet_cost_line *l = &est->lines[i];
		const json_t *f = json_object_get(json_object_get(json_object_get(w->prices, "prices"), l->price_id), "free");
		if (!json_is_number(json_object_get(f, "quantity")) || l->monthly <= 0)
			continue;
		double q = json_number_value(json_object_get(f, "quantity"));
		/* one free allowance per price, however many lines use it */
		for (size_t j = 0; j < est->n_free; j++)
			if (strcmp(est->free[j].price_id, l->price_id) == 0)
				q -= est->free[j].quantity;
		if (q <= 0)
			continue;
		if (q > l->quantity)
			q = l->quantity;
		struct owlet_cost_free *fr = &est->free[est->n_free++];
		copy(fr->price_id, sizeof fr->price_id, l->price_id);
		copy(fr->name, sizeof fr->name, l->name);
		copy(fr->note, sizeof fr->note, json_string_value(json_object_get(f, "note")));
		copy(fr->unit, sizeof fr->unit, l->unit);
		fr->quantity = q;
		fr->monthly = q / l->per * l->usd;
		est->free_total += fr->monthly;
	}
}

static void price_region(struct owlet_cost_estimate *est, const json_t *prices, const char *region)
{
	copy(est->region, sizeof est->region, region);
	/* a region the table prices, else the first "nearest" rule whose prefix matches */
	const json_t *kms = json_object_get(json_object_get(json_object_get(prices, "prices"), "kms_key"), "usd");
	if (json_object_get(kms, region)) {
		copy(est->price_region, sizeof est->price_region, region);
		return;
	}
	size_t i;
	const json_t *rule;
	const json_t *rules = json_object_get(prices, "nearest");
	json_array_foreach(rules, i, rule) {
		const char *prefix = json_string_value(json_object_get(rule, "prefix"));
		const char *to = json_string_value(json_object_get(rule, "region"));
		if (prefix && to && strncmp(region, prefix, strlen(prefix)) == 0) {
			copy(est->price_region, sizeof est->price_region, to);
			est->nearest = true;
			return;
		}
	}
	copy(est->price_region, sizeof est->price_region, "us-east-1");
	est->nearest = true;
}

/* The biggest line first; ties in the order of price and setting. */
static int by_monthly(const void *a, const void *b)
{
	const struct owlet_cost_line *x = a, *y = b;
	if (x->monthly != y->monthly)
		return x->monthly < y->monthly ? 1 : -1;
	int c = strcmp(x->price_id, y->price_id);
	return c ? c : strcmp(x->setting, y->setting);
}

int owlet_cost_estimate(struct owlet_cost_estimate *out, const json_t *plan, const struct owlet_environment *env,
			const json_t *prices)
{
	memset(out, 0, sizeof *out);
	const json_t *root = json_object_get(json_object_get(plan, "planned_values"), "root_module");
	if (!json_is_object(plan) || (json_object_get(plan, "planned_values") && !json_is_object(root)))
		return owlet_error_setc(OWLET_EINVALID, "not a plan's JSON (terraform show -json PLAN)");
	price_region(out, prices, env->region);
	copy(out->as_of, sizeof out->as_of, json_string_value(json_object_get(prices, "as_of")));
	copy(out->recorded, sizeof out->recorded, json_string_value(json_object_get(prices, "recorded")));
	struct walk w = { .est = out, .env = env, .prices = prices,
			  .hours = json_number_value(json_object_get(prices, "hours_per_month")) };
	walk_module(&w, root, 0, true);
	w.seen = 0;
	walk_module(&w, root, 0, false);
	if (w.rc == 0)
		usage_lines(&w);
	if (w.rc < 0)
		return w.rc;
	for (size_t i = 0; i < out->n_lines; i++) {
		struct owlet_cost_line *l = &out->lines[i];
		l->monthly = l->quantity / l->per * l->usd;
		if (l->usage)
			out->usage += l->monthly;
		else
			out->fixed += l->monthly;
	}
	out->total = out->fixed + out->usage;
	qsort(out->lines, out->n_lines, sizeof out->lines[0], by_monthly);
	free_lines(&w);
	return 0;
}

json_t *owlet_cost_to_json(const struct owlet_cost_estimate *est)
{
	json_t *lines = json_array(), *free_tier = json_array();
	for (size_t i = 0; lines && i < est->n_lines; i++) {
		const struct owlet_cost_line *l = &est->lines[i];
		json_array_append_new(lines, json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:s, s:s}", "price",
						       l->price_id, "name", l->name, "resource", l->resource, "setting",
						       l->setting, "unit", l->unit, "unit_usd", l->usd, "per", l->per,
						       "quantity", l->quantity, "monthly", l->monthly, "kind",
						       l->usage ? "usage" : "fixed", "source", l->source));
	}
	for (size_t i = 0; free_tier && i < est->n_free; i++) {
		const struct owlet_cost_free *f = &est->free[i];
		json_array_append_new(free_tier, json_pack("{s:s, s:s, s:s, s:f, s:f}", "price", f->price_id, "name",
							   f->name, "note", f->note, "quantity", f->quantity, "monthly",
							   f->monthly));
	}
	return json_pack("{s:s, s:s, s:b, s:s, s:s, s:f, s:f, s:f, s:f, s:o*, s:o*}", "region", est->region,
			 "price_region", est->price_region, "nearest", est->nearest, "as_of", est->as_of, "recorded",
			 est->recorded, "fixed", owlet_cost_round(est->fixed), "usage", owlet_cost_round(est->usage),
			 "total", owlet_cost_round(est->total), "free_total", owlet_cost_round(est->free_total), "lines",
			 lines, "free_tier", free_tier);
}
