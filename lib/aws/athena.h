/*
 * athena.h: an Athena client over libcurl, signed with CURLOPT_AWS_SIGV4
 * (service "athena"): Athena's JSON 1.1 protocol, POST / with
 * X-Amz-Target: AmazonAthena.<Operation>.  The Lambda links it.
 *
 * The endpoint: AWS_ENDPOINT_URL_ATHENA, else AWS_ENDPOINT_URL, else
 * https://athena.REGION.amazonaws.com; credentials and region as s3.h.
 * Throttling (ThrottlingException, TooManyRequestsException), 5xx and
 * transport failures are retried with backoff (4 attempts), never past the
 * deadline.  Not thread-safe.
 */
#ifndef OWLET_AWS_ATHENA_H
#define OWLET_AWS_ATHENA_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "aws/s3.h"

struct owlet_athena_client;

int owlet_athena_client_open_env(struct owlet_athena_client **out);
/* cfg->endpoint: the Athena endpoint (NULL or "": AWS's). */
int owlet_athena_client_open(struct owlet_athena_client **out, const struct owlet_s3_config *cfg);
void owlet_athena_client_free(struct owlet_athena_client *c);
void owlet_athena_client_set_deadline(struct owlet_athena_client *c, int64_t deadline_ms);

/* One operation ("StartQueryExecution"): 0 and *resp (new reference), or a
 * negative code: OWLET_EINVALID for Athena's 4xx, with the message
 * "TYPE: Message"; OWLET_ENOTFOUND for 501 (the local Athena without
 * DuckDB); OWLET_EINTR at the deadline; OWLET_EIO otherwise.
 * owlet_athena_client_last_type() is the error's __type ("" when none). */
int owlet_athena_call(struct owlet_athena_client *c, const char *operation, const json_t *req, json_t **resp);
const char *owlet_athena_client_last_type(const struct owlet_athena_client *c);

/* StartQueryExecution: params are Athena execution parameters (SQL
 * literals, one per '?'), may be NULL; workgroup and database may be NULL.
 * *id: the caller frees. */
int owlet_athena_start_query(struct owlet_athena_client *c, char **id, const char *sql, const json_t *params,
		       const char *workgroup, const char *database);

struct owlet_athena_status {
	char state[16];        /* QUEUED RUNNING SUCCEEDED FAILED CANCELLED */
	char *reason;          /* StateChangeReason, or NULL; the caller frees */
	char *query;           /* the query text; the caller frees */
	long long scanned;     /* Statistics.DataScannedInBytes */
	long long engine_ms;   /* Statistics.EngineExecutionTimeInMillis */
};
int owlet_athena_status(struct owlet_athena_client *c, struct owlet_athena_status *st, const char *id);
void owlet_athena_status_clear(struct owlet_athena_status *st);

/* Waits for a query to end (polls with backoff from 50 ms to 1 s), but no
 * later than until_ms (Unix ms; 0: no limit): 0 when it ended (st->state
 * says how), 1 when it still runs at until_ms. */
int owlet_athena_wait(struct owlet_athena_client *c, struct owlet_athena_status *st, const char *id,
		      int64_t until_ms);

/* Every row of a finished query, GetQueryResults page by page: *columns
 * [{"name","type"}], *rows [[string|null...]] (the header row dropped);
 * more than max_rows rows fail with OWLET_EINVALID. */
int owlet_athena_results(struct owlet_athena_client *c, json_t **columns, json_t **rows, const char *id,
			 size_t max_rows);

#endif
