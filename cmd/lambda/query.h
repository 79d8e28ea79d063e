/*
 * query.h: the query routes (GET /datasets/NAME/rows, /aggregate and
 * GET /queries/ID) over Athena (lib/aws/athena.h): the SQL of
 * lib/lambda/sql.h run in the workgroup OWLET_ATHENA_WORKGROUP with the
 * Glue database OWLET_GLUE_DATABASE as its context; the endpoint is
 * AWS_ENDPOINT_URL_ATHENA (the local Athena of `owlet serve`) or AWS's.
 *
 *   200 {"dataset","query_id","columns":[{"name","type"}],"rows":[{...}],
 *        "count","limit","bytes_scanned"}, values typed by the columns
 *        (bigint -> integer, double -> number, boolean, date and varchar
 *        strings, timestamp ISO 8601 UTC "YYYY-MM-DDTHH:MM:SS[.fff]Z")
 *   202 {"query_id","state","location":"/queries/ID"} when the query still
 *        runs ~1 s before the Lambda's deadline; GET /queries/ID later
 *   400 a parameter the model does not allow (the message names it)
 *   404 GET /queries/ID of no query of this API, or of a dataset the caller
 *        may not read (the same answer: no id is confirmed to exist)
 *   502 the query failed in Athena; 503 no query engine (the local Athena
 *        without DuckDB: its message says how to get it)
 */
#ifndef OWLET_LAMBDA_QUERY_H
#define OWLET_LAMBDA_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "handlers.h"

struct owlet_dataset;

/* *body (new reference) and the status to answer with. */
void lambda_query_dataset(struct lambda_ctx *ctx, int *status, json_t **body, const json_t *event,
			  const struct owlet_dataset *ds, bool aggregate, int64_t deadline_ms);
void lambda_query_get(struct lambda_ctx *ctx, int *status, json_t **body, const char *id,
		      const char *const *groups, size_t n_groups, int64_t deadline_ms);

/* The daily compaction's event {"owlet":"compact"} (modules/function
 * schedule.tf): owlet_compact (lambda/compact.h) over every dataset, in
 * the Glue database OWLET_GLUE_DATABASE and workgroup
 * OWLET_ATHENA_WORKGROUP, within the deadline.  *summary: {"ok":true,
 * "compacted","unchanged","removed","rows","raw_bytes","parquet_bytes",
 * "bytes_scanned"}.  A run stopped by the deadline or a failure is an error
 * (Lambda retries an asynchronous invocation; each run goes on from where
 * the last stopped, since compacted partitions are left alone). */
int lambda_compact_event(struct lambda_ctx *ctx, json_t **summary, int64_t deadline_ms);

#endif
