/*
 * compact.h: the raw JSON Lines of a dataset as Parquet under curated/,
 * partition by partition, through Athena's UNLOAD (docs/sql.md,
 * "Compaction").  On AWS that is Athena itself; on the local default the
 * local Athena of `owlet serve`, which runs the same SQL with DuckDB.
 *
 * For each partition P (dt=YYYY-MM-DD/, or the whole dataset without
 * partition_by) of raw/NAME/ (its *.jsonl objects, docs/contracts.md):
 *   1. the fingerprint of P is the SHA-256 of its objects' "key\tETag\n"
 *      lines in key order; when curated/NAME/P/_owlet_compacted-<fingerprint>.json
 *      is listed, P is unchanged and left alone;
 *   2. else every object under curated/NAME/P/ is deleted (the markers
 *      first), then
 *        UNLOAD (SELECT "f1", ... FROM "NAME" WHERE "dt" = DATE 'YYYY-MM-DD')
 *        TO 's3://BUCKET/curated/NAME/P' WITH (format = 'PARQUET', compression = 'SNAPPY')
 *      runs in the Glue database and workgroup given, and
 *   3. the marker {"v":1,"fingerprint","rows","raw_objects","raw_bytes",
 *      "parquet_bytes","query_id","time"} is written last.
 * A partition of curated/NAME/ with no raw objects left is deleted.  So
 * compaction can stop anywhere and run again: a partition is either
 * compacted whole from the raw objects its marker names, or has no marker
 * and is done again (never a row twice: its objects are deleted first).
 * While one partition is rewritten, curated queries miss it.
 */
#ifndef OWLET_LAMBDA_COMPACT_H
#define OWLET_LAMBDA_COMPACT_H

#include <stdbool.h>

#include "aws/athena.h"
#include "aws/s3.h"

struct owlet_model;
struct owlet_dataset;

/* The marker of a compacted partition is MARKER-<fingerprint>.json, so
 * that a listing of curated/NAME/ tells which partitions are whole and
 * still match their raw objects. */
#define OWLET_COMPACT_MARKER "_owlet_compacted"

struct owlet_compact_partition {
	const char *dataset;
	const char *partition;   /* "dt=YYYY-MM-DD", or "" without partition_by */
	const char *action;      /* "compacted", "unchanged", "removed" */
	long long rows;          /* Parquet rows (UNLOAD's UpdateCount), or the marker's */
	long long raw_objects, raw_bytes, parquet_bytes;
	long long scanned;       /* DataScannedInBytes of the UNLOAD (0 when not run) */
};

struct owlet_compact_config {
	const struct owlet_model *model;
	const char *bucket;       /* the data bucket */
	const char *database;     /* the Glue database */
	const char *workgroup;    /* may be NULL */
	const char *dataset;      /* only this one; NULL: every dataset */
	/* called for each partition, may be NULL */
	void (*progress)(void *cls, const struct owlet_compact_partition *p);
	void *cls;
};

/* Compacts as above; stops at the first failure (OWLET_ENOTFOUND for an
 * unknown dataset, Athena's or S3's error otherwise). */
int owlet_compact(struct owlet_s3 *s3, struct owlet_athena_client *athena, const struct owlet_compact_config *cfg);

/*
 * One view over raw and curated (docs/sql.md, "One view"): what a query of
 * the dataset NAME reads, so that it gains from the Parquet of the
 * compacted partitions and counts no row twice.  A partition is read from
 * NAME_curated when its marker for the fingerprint of its raw objects *now*
 * is listed under curated/NAME/ (written last, after the whole Parquet of
 * exactly those objects), else from NAME: a partition being compacted, or
 * changed since, is read raw.  Two listings, no object read.
 *
 * body (owned) is NULL when no partition is compacted (read "NAME"), else
 * the SELECT of NAME's columns (and dt):
 *   SELECT ... FROM "NAME" WHERE NOT (R) UNION ALL SELECT ... FROM "NAME_curated" WHERE R
 * R the compacted days as runs ("dt" BETWEEN DATE 'a' AND DATE 'b' OR
 * "dt" = DATE 'c' ...); without partition_by, SELECT ... FROM "NAME" WHERE false
 * UNION ALL SELECT ... FROM "NAME_curated" (NAME always first: the dataset
 * that owlet_sql_dataset finds).
 * database non-NULL: the tables as "awsdatacatalog"."database"."NAME" (a
 * CTE named NAME may then wrap it).  More than MAX_RANGES runs: body NULL.
 */
#define OWLET_COMPACT_VIEW_MAX_RANGES 1000

struct owlet_compact_view {
	char *body;
	size_t partitions;  /* of raw/NAME/ */
	size_t compacted;   /* of them, read from curated */
};

int owlet_compact_view(struct owlet_s3 *s3, const char *bucket, const struct owlet_dataset *ds, const char *database,
		       struct owlet_compact_view *out);
void owlet_compact_view_clear(struct owlet_compact_view *v);

#endif
