/*
 * meta.h: the dataset metadata table (DynamoDB, OWLET_META_TABLE; the
 * storage module renders it; docs/contracts.md, "Dataset metadata").
 *
 * Items, by partition key `dataset` and sort key `item`:
 *   item "summary"        row_count, bytes (numbers, grown with ADD, so
 *                         concurrent writers lose nothing) and updated
 *                         (ISO 8601 UTC) of what the API stored
 *   item "upload#<id>"    one bulk upload: who, filename, status, created,
 *                         started, finished, accepted, rejected, bytes,
 *                         message (written when it is asked for and when
 *                         it ends)
 * Internal to the Lambda program.
 */
#ifndef OWLET_LAMBDA_META_H
#define OWLET_LAMBDA_META_H

#include <stdbool.h>

#include <jansson.h>

#include "handlers.h"
#include "model/model.h"

/* Opens the table's client when OWLET_META_TABLE is set (no request is
 * made).  0, or a negative code. */
int lambda_meta_open(struct lambda_ctx *ctx);

/* Adds rows and bytes newly stored in dataset ds to its summary, and sets
 * its last update.  0 when there is no table. */
int lambda_meta_add(struct lambda_ctx *ctx, const struct owlet_dataset *ds, long long rows, long long bytes);

/* Writes (or overwrites) the history item of upload id from its record
 * (the upload's JSON record, upload.c).  0 when there is no table. */
int lambda_meta_upload(struct lambda_ctx *ctx, const struct owlet_dataset *ds, const char *id, const json_t *rec);

/* The summaries of the datasets named in names: *out {NAME: {"row_count",
 * "bytes", "last_update"}} (new); a dataset without a summary item is
 * absent.  Only with a table. */
int lambda_meta_summaries(struct lambda_ctx *ctx, json_t **out, const char *const *names, size_t n);

#endif
