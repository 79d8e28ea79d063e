/*
 * athena_server.h: the local Athena: the data plane of Amazon Athena that owlet
 * serves on 127.0.0.1 for the local environment (the emulator's Athena
 * answers every query with no rows), answered by DuckDB (local/duckdb.h).
 *
 * Protocol: Athena's JSON 1.1 API, POST / with
 * X-Amz-Target: AmazonAthena.<Operation> and a JSON body; three operations:
 *   StartQueryExecution  {QueryString, ExecutionParameters?, QueryExecutionContext?{Database},
 *                         WorkGroup?, ClientRequestToken?}  -> {QueryExecutionId}
 *   GetQueryExecution    {QueryExecutionId} -> {QueryExecution: {QueryExecutionId, Query, Status:
 *                         {State: QUEUED|RUNNING|SUCCEEDED|FAILED, StateChangeReason?, SubmissionDateTime,
 *                         CompletionDateTime?}, Statistics: {DataScannedInBytes, EngineExecutionTimeInMillis,
 *                         TotalExecutionTimeInMillis}, WorkGroup, ExecutionParameters?}}
 *   GetQueryResults      {QueryExecutionId, MaxResults? (1..1000), NextToken?} -> {ResultSet: {Rows:
 *                         [{Data: [{VarCharValue}|{}]}], ResultSetMetadata: {ColumnInfo: [{Name, Label,
 *                         Type, ...}]}}, NextToken?, UpdateCount: 0}; the first page starts with the
 *                         header row of column names, as Athena's does for a SELECT
 * Errors: 400 {"__type":"InvalidRequestException","Message"}; without DuckDB
 * every operation answers 501 {"__type":"NotImplemented","Message":
 * OWLET_DUCKDB_HOWTO}.  SigV4 is not checked (the emulator's dummy keys).
 *
 * Tables: those of modules/catalog, two per dataset of the model: NAME
 * over the *.jsonl objects of s3://BUCKET/raw/NAME/ (the stored layout of
 * docs/contracts.md, read as JSON Lines by name; no other object is read)
 * and NAME_curated over the objects of curated/NAME/ but hidden ones (_x,
 * .x), read as Parquet; the model's columns with Glue's types, and for a
 * partitioned dataset the column dt (date) from the key's dt=YYYY-MM-DD
 * segment; a value that does not parse as its column's type is NULL, as
 * Athena's SerDes give it.  db.NAME and awsdatacatalog.db.NAME name them
 * too when db is glue_database or the query's QueryExecutionContext.Database
 * (local/athena_sql.h).  DuckDB here has no httpfs: each query first copies
 * the objects of the tables it names from the emulator's S3 into cache_dir
 * (one file per key and ETag, so an unchanged object is fetched once), and
 * DuckDB reads only there; a copy of an object that the table's listing no
 * longer has (deleted, or an older version) is deleted once it has not been
 * used for cache_age_s.
 *
 * UNLOAD (SELECT ...) TO 's3://BUCKET/PREFIX/' WITH (format = 'PARQUET')
 * runs as COPY ... (FORMAT PARQUET) into cache_dir/unload/ and puts one
 * object PREFIX<id>-0.parquet (none for no rows); the location must be
 * empty, as Athena's (HIVE_PATH_ALREADY_EXISTS); UpdateCount is the rows.
 *
 * ExecutionParameters are Athena's: one SQL literal per '?' ('text' with ''
 * for a quote, integers, decimals, true/false, DATE '...', TIMESTAMP '...',
 * NULL).  Each is parsed and bound to the prepared statement, never pasted.
 * Queries run on their own thread, at most 4 at once (more:
 * TooManyRequestsException).  The results kept are bounded: a finished
 * query is forgotten (QueryExecution was not found) result_age_s after it
 * ended, and the oldest finished ones go first while 512 queries or more
 * than max_kept_rows rows are kept; a result of more than 1,000,000 rows
 * fails (add a LIMIT).  DataScannedInBytes is what the query
 * read: the size of each JSON Lines object of the tables it names, and the
 * compressed column chunks of the Parquet columns it names (all for a '*').
 */
#ifndef OWLET_LOCAL_ATHENA_SERVER_H
#define OWLET_LOCAL_ATHENA_SERVER_H

#include <stdint.h>

#include "aws/s3.h"
#include "local/duckdb.h"

struct owlet_model;
struct owlet_athena_server;

struct owlet_athena_server_config {
	uint16_t port;                    /* 0: any free port */
	const struct owlet_model *model;  /* borrowed for the server's lifetime */
	const char *bucket;               /* the data bucket */
	const char *glue_database;        /* the environment's Glue database (db.table); may be NULL */
	struct owlet_s3_config s3;        /* the emulator's S3; strings copied */
	const char *cache_dir;            /* created when missing */
	const char *duckdb_lib;           /* NULL: owlet_duckdb_path() */
	double result_age_s;              /* results kept this long after the query ends; 0: 3600 */
	long long max_kept_rows;          /* rows of all results kept; 0: 2,000,000 */
	double cache_age_s;               /* a cached copy of no listed object is deleted after this
					     long unused; 0: 600, negative: at once */
	void (*log)(void *cls, const char *line); /* may be NULL */
	void *log_cls;
};

int owlet_athena_server_start(struct owlet_athena_server **out, const struct owlet_athena_server_config *cfg);
uint16_t owlet_athena_server_port(const struct owlet_athena_server *a);
/* NULL when DuckDB was loaded, else why not (what 501 answers say). */
const char *owlet_athena_server_unavailable(const struct owlet_athena_server *a);
void owlet_athena_server_stop(struct owlet_athena_server *a);

/* One Athena execution parameter (an SQL literal) as a value to bind:
 * strings are decoded into *owned (the caller frees; out->s points into it).
 * OWLET_EINVALID for anything that is not one literal. */
int owlet_athena_param_parse(struct owlet_duckdb_param *out, char **owned, const char *literal);

#endif
