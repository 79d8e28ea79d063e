/*
 * duckdb.h: DuckDB through its C API, loaded at run time with dlopen, so
 * that owlet builds and runs without it (the local Athena then answers 501).
 *
 * The library is $OWLET_DUCKDB (a path to libduckdb.so), else
 * ~/.cache/owlet/duckdb/libduckdb.so, where `make duckdb` puts the one of
 * the npm package @duckdb/node-bindings-linux-x64 (it has the C API, and
 * parquet, json and icu built in, but no httpfs).  Only the functions
 * declared in duckdb.c are used.
 *
 * The database is in memory.  Extensions are never installed or loaded
 * automatically (autoinstall_known_extensions=false), external access is
 * off but for the directories given, and the configuration is then locked,
 * so that SQL run here reads nothing but the files owlet put there.
 * Thread-safe: every owlet_duckdb_run has its own connection.
 */
#ifndef OWLET_LOCAL_DUCKDB_H
#define OWLET_LOCAL_DUCKDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct owlet_duckdb;

/* What to say when the library is missing. */
#define OWLET_DUCKDB_HOWTO                                                                                      \
	"DuckDB is not available: run 'make duckdb' (it fetches libduckdb.so from the npm package "            \
	"@duckdb/node-bindings-linux-x64 into ~/.cache/owlet/duckdb/), or point OWLET_DUCKDB at a libduckdb.so " \
	"of DuckDB's own release"

/* The library's path: $OWLET_DUCKDB, else the cache path; the caller frees. */
char *owlet_duckdb_path(void);

/* Loads the library (lib_path NULL: owlet_duckdb_path()) and opens an
 * in-memory database that may read only under allowed_dir (NULL: nothing).
 * OWLET_ENOTFOUND (with OWLET_DUCKDB_HOWTO) when the library is missing. */
int owlet_duckdb_open(struct owlet_duckdb **out, const char *lib_path, const char *allowed_dir);
void owlet_duckdb_close(struct owlet_duckdb *db);
/* "v1.5.6", borrowed. */
const char *owlet_duckdb_version(const struct owlet_duckdb *db);

enum owlet_duckdb_kind { OWLET_DUCKDB_NULL, OWLET_DUCKDB_STRING, OWLET_DUCKDB_INT, OWLET_DUCKDB_DOUBLE, OWLET_DUCKDB_BOOL };

/* A value bound to one '?' of a statement; never pasted into its text. */
struct owlet_duckdb_param {
	enum owlet_duckdb_kind kind;
	const char *s;
	int64_t i;
	double d;
	bool b;
};

/* Runs `setup` (statements, may be NULL; owlet's own text) then `sql` as one
 * prepared statement with params bound in order.  *result (new reference):
 * {"columns":[{"name","type"}...], "rows":[[string|null,...]...]}, types
 * in Athena's names (bigint, double, varchar, date, timestamp, boolean...),
 * values as DuckDB casts them to VARCHAR.  More than max_rows rows fail.
 * Errors: OWLET_EINVALID with DuckDB's message (a bad query), OWLET_ENOMEM. */
int owlet_duckdb_run(struct owlet_duckdb *db, const char *setup, const char *sql,
		     const struct owlet_duckdb_param *params, size_t n_params, size_t max_rows, json_t **result);

#endif
