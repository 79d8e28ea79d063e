/*
 * stats.h: the aggregation core in the Lambda (stats.c): GET
 * /datasets/{name}/stats and the S3 trigger that caches the partial stats
 * of every new object under stats/<name>/, keyed by its ETag.
 */
#ifndef OWLET_LAMBDA_STATS_H
#define OWLET_LAMBDA_STATS_H

#include <stddef.h>

#include <jansson.h>

#include "handlers.h"

struct owlet_dataset;

/* The merged stats of every object under raw/<name>/ (the report of `owlet
 * stats` plus "objects" and "cached"): 0 and *report (new reference), or a
 * negative code of the failing S3 call or OWLET_ENOMEM.  ctx->s3 must be
 * set. */
int lambda_stats(struct lambda_ctx *ctx, json_t **report, const struct owlet_dataset *ds);

/* The S3 event's Records: each new object under raw/<dataset>/ of the data
 * bucket gets its partial computed and cached; *aggregated counts them.
 * Returns 0, or the first failure's code (after trying every record; the
 * failures are recorded under failures/stats/). */
int lambda_stats_s3_event(struct lambda_ctx *ctx, size_t *aggregated, const json_t *records);

#endif
