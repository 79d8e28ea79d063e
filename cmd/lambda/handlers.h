/*
 * handlers.h: what the owlet Lambda does with one event.
 *
 * HTTP events are API Gateway HTTP API payload format 2.0
 * (requestContext.http.method, rawPath, pathParameters, the JWT claims under
 * requestContext.authorizer.jwt.claims).  The answer is always a payload 2.0
 * response {statusCode, headers, body, isBase64Encoded:false} with a JSON
 * body, also for bad requests (4xx) and failures (5xx):
 *
 *   GET  /datasets                    200 the datasets the caller may read, with row_count, bytes
 *                                     and last_update from the metadata table (meta.h)
 *   GET  /datasets/{name}             200 the schema | 403 | 404
 *   GET  /datasets/{name}/stats       200 the merged stats of raw/<name>/ (stats.c) | 503 no bucket
 *   POST /datasets/{name}/records     201 {"bucket","key","records"} | 400 {"errors","more_errors"}
 *                                     | 403 | 404 | 413 (over the limits) | 409/422 (Idempotency-Key);
 *                                     limits and Idempotency-Key: docs/contracts.md
 *   GET  /datasets/{name}/rows        rows by typed filters (query.h, lib/lambda/sql.h)
 *   GET  /datasets/{name}/aggregate   count, sum, avg, min, max by groups (likewise)
 *   GET  /queries/{id}                the answer of a query that outlived its request (202 before)
 *   anything else                     404 (405 for a known path, wrong method)
 *
 * S3 events (Records[].s3) are routed to the aggregation trigger (stats.c):
 * the partial stats of each new object are cached under stats/<name>/.  An event that is neither, or not JSON, gets an error post
 * (errorType "Owlet.InvalidEvent"): there is no HTTP answer to give.
 */
#ifndef OWLET_LAMBDA_HANDLERS_H
#define OWLET_LAMBDA_HANDLERS_H

#include <stdint.h>

#include "lambda/runtime_client.h"

struct owlet_model;
struct owlet_s3;
struct owlet_athena_client;
struct owlet_aws_jsonapi;

struct lambda_ctx {
	struct owlet_model *model;
	struct owlet_s3 *s3;       /* NULL when OWLET_DATA_BUCKET is unset */
	const char *bucket;        /* OWLET_DATA_BUCKET, borrowed from the environment */
	struct owlet_athena_client *athena; /* opened at the first query (query.c) */
	struct owlet_aws_jsonapi *meta; /* the metadata table's client (meta.h), NULL without one */
	const char *meta_table;    /* OWLET_META_TABLE, borrowed from the environment */
	int64_t deadline_ms;       /* the invocation's */
};

/* The outcome of one invocation: a response body, or an error to post. */
struct lambda_result {
	char *body;                /* owned; the response JSON when error_type is NULL */
	int status;                /* its statusCode (for the log), 0 when not HTTP */
	const char *error_type;    /* static string, or NULL */
	char *error_message;       /* owned */
};

/* Reads the environment (OWLET_DATA_BUCKET, AWS_*, and the model: OWLET_MODEL,
 * else the object OWLET_MODEL_KEY checked against OWLET_MODEL_SHA256).  Returns 0,
 * or a negative code with owlet_error_last() saying why. */
int lambda_init(struct lambda_ctx *ctx);
void lambda_fini(struct lambda_ctx *ctx);

/* Handles one invocation; never fails: errors become 4xx/5xx responses or
 * an error result. */
void lambda_handle(struct lambda_ctx *ctx, const struct owlet_invocation *inv,
		   struct lambda_result *res);
void lambda_result_clear(struct lambda_result *res);

#endif
