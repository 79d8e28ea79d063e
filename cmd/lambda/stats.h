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
 * stats` plus "objects" and "cached", and "refused": the listed keys that
 * are not safe under raw/<name>/, never read; see lambda_refuse_key): 0 and *report (new reference), or a
 * negative code of the failing S3 call or OWLET_ENOMEM.  ctx->s3 must be
 * set. */
int lambda_stats(struct lambda_ctx *ctx, json_t **report, const struct owlet_dataset *ds);

/* The S3 event's Records: each new object under raw/<dataset>/ of the data
 * bucket gets its partial computed and cached; *aggregated counts them.
 * A key that is not safe under its prefix (owlet_s3_key_check) is refused
 * (lambda_refuse_key; counted in *refused) and never read: a refusal is
 * final, so it does not fail the invocation.  Returns 0, or the first
 * failure's code (after trying every record; the failures are recorded
 * under failures/stats/). */
int lambda_stats_s3_event(struct lambda_ctx *ctx, size_t *aggregated, size_t *refused, const json_t *records);

/* A key that owlet_s3_key_check refused (why: its message): logged on
 * stderr (control bytes escaped) and recorded at
 * failures/stats/refused/<sha256 of the key>.json as {"source", "error",
 * "time"}.  0, or the code of the failed PUT (already logged). */
int lambda_refuse_key(struct lambda_ctx *ctx, const char *key, const char *why);

#endif
