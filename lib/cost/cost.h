/*
 * cost.h: a monthly estimate of a planned stack, for `owlet cost`, `owlet
 * plan` and `owlet up`.
 *
 * Input: the JSON of a saved plan (`terraform show -json PLAN`), the
 * environment (its region, its settings, `usage:`) and the price table
 * templates/prices/aws.json (public list prices, each with its unit, source
 * page and date).  Output: lines, each a price times a quantity, with the
 * resource and the setting that causes it:
 *   fixed lines  come from the planned resources (KMS keys, interface
 *                endpoints per AZ, NAT gateways, alarms, secrets, DynamoDB
 *                PITR, budgets): what the stack costs when idle;
 *   usage lines  come from `usage:` (requests, Lambda duration and memory,
 *                GB stored and uploaded, Athena, log GB), for the resources
 *                the plan holds.
 * Free tiers are separate lines and never part of the total.  A region
 * without prices of its own is priced as the nearest one in the table, and
 * the estimate says so.
 */
#ifndef OWLET_COST_H
#define OWLET_COST_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "model/environment.h"

#define OWLET_COST_MAX_LINES 64

struct owlet_cost_line {
	char price_id[32];   /* key in the price table: "kms_key" */
	char name[64];       /* "KMS customer-managed key" */
	char resource[160];  /* the plan's address, or "N resources" when several */
	char setting[160];   /* what causes it: "storage.kms: true" */
	char unit[32];       /* "key-month" */
	char source[128];    /* the price's page */
	double usd;          /* the price per `per` units */
	double per;
	double quantity;     /* in units */
	double monthly;      /* quantity / per * usd */
	bool usage;          /* from usage: rather than from a resource */
};

struct owlet_cost_free {
	char price_id[32];
	char name[64];
	char note[96];       /* "always free, per account" */
	char unit[32];
	double quantity;     /* the free units that apply */
	double monthly;      /* what they would take off */
};

struct owlet_cost_estimate {
	char region[32];         /* the environment's */
	char price_region[32];   /* the one priced: the same or the nearest */
	char as_of[32], recorded[32];
	bool nearest;            /* price_region differs from region */
	struct owlet_cost_line lines[OWLET_COST_MAX_LINES]; /* the biggest first */
	size_t n_lines;
	struct owlet_cost_free free[OWLET_COST_MAX_LINES];
	size_t n_free;
	double fixed, usage, total; /* total = fixed + usage; free tiers not taken off */
	double free_total;
};

/* Loads the price table (a file in the format of templates/prices/aws.json;
 * NULL: the shipped one, found through owlet_paths_share). */
int owlet_cost_prices_load(json_t **out, const char *path);

/* The estimate of `plan` (terraform show -json) for `env`.  OWLET_EINVALID
 * when the plan or the price table is malformed. */
int owlet_cost_estimate(struct owlet_cost_estimate *out, const json_t *plan, const struct owlet_environment *env,
			const json_t *prices);

/* The estimate as JSON (new reference):
 * {"region","price_region","nearest","as_of","recorded","fixed","usage","total","free_total",
 *  "lines":[{"price","name","resource","setting","unit","unit_usd","per","quantity","monthly","kind","source"}],
 *  "free_tier":[{"price","name","note","quantity","monthly"}]} */
json_t *owlet_cost_to_json(const struct owlet_cost_estimate *est);

/* Money rounded to the cent, as records keep it. */
double owlet_cost_round(double usd);

#endif
