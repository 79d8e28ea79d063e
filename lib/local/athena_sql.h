/*
 * athena_sql.h: the two pieces of Athena's SQL that the local Athena
 * (local/athena_server.h) handles before DuckDB sees a query.
 *
 * Names.  Athena resolves `db.table` and `awsdatacatalog.db.table` in the
 * Glue catalog; the local Athena's tables are DuckDB views with the table's
 * plain name, so owlet_athena_sql_unqualify drops those qualifiers when the
 * database is one of the given ones (the environment's Glue database, the
 * query's QueryExecutionContext.Database) and the table is one of the
 * server's.  It reads the SQL as Trino does: nothing inside a string
 * literal ('...'), a comment (-- to the end of the line, / * ... * /) is
 * touched; identifiers compare case-insensitively, "quoted" ones as written
 * (Athena's Glue names are lower case); spaces around the dots are allowed.
 * Any other qualified name is left alone, and DuckDB says it does not exist.
 *
 * UNLOAD.  Athena's `UNLOAD (SELECT ...) TO 's3://bucket/prefix/' WITH
 * (format = 'PARQUET'[, compression = 'SNAPPY'|'GZIP'|'ZSTD'|'NONE'])`
 * writes a query's rows as files under the prefix; owlet compact uses it.
 * owlet_athena_sql_unload parses it (property names and values
 * case-insensitive, a trailing ';' allowed); other formats and properties
 * (partitioned_by, field_delimiter...) are refused by name.
 */
#ifndef OWLET_LOCAL_ATHENA_SQL_H
#define OWLET_LOCAL_ATHENA_SQL_H

#include <stdbool.h>
#include <stddef.h>

/* *out (the caller frees): sql with the qualifiers dropped. */
int owlet_athena_sql_unqualify(char **out, const char *sql, const char *const *dbs, size_t n_dbs,
			       bool (*is_table)(void *cls, const char *name), void *cls);

struct owlet_athena_unload {
	char *query;       /* the SELECT inside UNLOAD ( ... ) */
	char *bucket;      /* of the TO location */
	char *prefix;      /* the key prefix, "" or ending in '/' */
	char compression[8]; /* "snappy" (the default), "gzip", "zstd", "none" */
};

/* 0 and *u when sql is an UNLOAD statement; 1 when it is not one (it does
 * not start with the word UNLOAD); OWLET_EINVALID, saying what is wrong,
 * for an UNLOAD that owlet's local Athena does not take. */
int owlet_athena_sql_unload(struct owlet_athena_unload *u, const char *sql);
void owlet_athena_unload_clear(struct owlet_athena_unload *u);

#endif
