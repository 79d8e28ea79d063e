/* localapi_athena_sql_test.c: the local Athena's reading of table names
 * (db.table, awsdatacatalog.db.table) and of UNLOAD (lib/local/athena_sql.h). */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "local/athena_sql.h"
#include "tap.h"

static bool table(void *cls, const char *name)
{
	(void)cls;
	return !strcmp(name, "trips") || !strcmp(name, "trips_curated");
}

static void unq(const char *sql, const char *want, const char *what)
{
	const char *dbs[] = { "owlet_demo_local", NULL };
	char *out = NULL;
	int rc = owlet_athena_sql_unqualify(&out, sql, dbs, 2, table, NULL);
	is_int(rc, 0, "%s: no error", what);
	is_str(out, want, "%s", what);
	free(out);
}

static void unload_bad(const char *sql, const char *needle)
{
	struct owlet_athena_unload u;
	int rc = owlet_athena_sql_unload(&u, sql);
	is_int(rc, OWLET_EINVALID, "refused: %s", sql);
	like(owlet_error_last(), needle, "saying %s", needle);
}

int main(void)
{
	unq("SELECT * FROM owlet_demo_local.trips", "SELECT * FROM trips", "db.table");
	unq("SELECT * FROM OWLET_DEMO_LOCAL . \"trips_curated\"", "SELECT * FROM \"trips_curated\"",
	    "bare names in any case, spaces around the dot, a quoted table");
	unq("SELECT x FROM awsdatacatalog.\"owlet_demo_local\".trips t", "SELECT x FROM trips t", "awsdatacatalog.db.table");
	unq("SELECT owlet_demo_local.trips.fare FROM owlet_demo_local.trips", "SELECT trips.fare FROM trips",
	    "db.table.column");
	unq("SELECT 'owlet_demo_local.trips' -- owlet_demo_local.trips\nFROM trips /* owlet_demo_local.trips */",
	    "SELECT 'owlet_demo_local.trips' -- owlet_demo_local.trips\nFROM trips /* owlet_demo_local.trips */",
	    "strings and comments are left alone");
	unq("SELECT 'it''s owlet_demo_local.trips' FROM owlet_demo_local.trips",
	    "SELECT 'it''s owlet_demo_local.trips' FROM trips", "a doubled quote inside a string");
	unq("SELECT * FROM other.trips, owlet_demo_local.other, \"OWLET_DEMO_LOCAL\".trips",
	    "SELECT * FROM other.trips, owlet_demo_local.other, \"OWLET_DEMO_LOCAL\".trips",
	    "other databases, other tables, a quoted name in another case: left alone");
	unq("SELECT x.owlet_demo_local.trips FROM t", "SELECT x.owlet_demo_local.trips FROM t",
	    "a name in the middle of a chain is not a database");
	unq("SELECT \"unterminated FROM owlet_demo_local.trips", "SELECT \"unterminated FROM owlet_demo_local.trips",
	    "an unterminated quote: the rest as it is");
	unq("", "", "empty");

	struct owlet_athena_unload u;
	is_int(owlet_athena_sql_unload(&u, "SELECT 1"), 1, "a SELECT is no UNLOAD");
	is_int(owlet_athena_sql_unload(&u, "unloaded_table"), 1, "a word that starts with UNLOAD is not it");
	int rc = owlet_athena_sql_unload(&u, "/* c */ unload (SELECT \"a)\", ')' FROM t WHERE (x > 1)) TO "
					     "'s3://bkt/curated/trips/dt=2024-05-01' WITH (format = 'parquet', "
					     "Compression='ZSTD');");
	is_int(rc, 0, "an UNLOAD");
	is_str(u.query, "SELECT \"a)\", ')' FROM t WHERE (x > 1)", "its query, parentheses in names and strings kept");
	is_str(u.bucket, "bkt", "the bucket");
	is_str(u.prefix, "curated/trips/dt=2024-05-01/", "the prefix, with its '/'");
	is_str(u.compression, "zstd", "the compression");
	owlet_athena_unload_clear(&u);
	rc = owlet_athena_sql_unload(&u, "UNLOAD (SELECT 1) TO 's3://b/p/' WITH (format='PARQUET')");
	is_str(rc == 0 ? u.compression : "", "snappy", "SNAPPY by default");
	owlet_athena_unload_clear(&u);
	unload_bad("UNLOAD SELECT 1 TO 's3://b/p/'", "expected (");
	unload_bad("UNLOAD (SELECT 1 TO 's3://b/p/'", "not closed");
	unload_bad("UNLOAD (SELECT 1) TO '/tmp/x' WITH (format='PARQUET')", "s3://");
	unload_bad("UNLOAD (SELECT 1) TO 's3://b/p/'", "WITH");
	unload_bad("UNLOAD (SELECT 1) TO 's3://b/p/' WITH (format='JSON')", "PARQUET");
	unload_bad("UNLOAD (SELECT 1) TO 's3://b/p/' WITH (compression='SNAPPY')", "must give format");
	unload_bad("UNLOAD (SELECT 1) TO 's3://b/p/' WITH (format='PARQUET', partitioned_by=ARRAY['dt'])",
		   "quoted values");
	unload_bad("UNLOAD (SELECT 1) TO 's3://b/p/' WITH (format='PARQUET', field_delimiter=',')", "properties");
	unload_bad("UNLOAD (SELECT 1) TO 's3://b/p/' WITH (format='PARQUET'); DROP TABLE x", "text after");
	return exit_status();
}
