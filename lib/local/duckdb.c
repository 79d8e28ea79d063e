/* duckdb.c: DuckDB's C API through dlopen (see duckdb.h). */
#include "local/duckdb.h"
#include "base/error.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The part of duckdb.h (DuckDB's C API, stable since v1.0) that owlet
 * calls, declared here so that building owlet needs no DuckDB header. */
typedef uint64_t idx_t;
typedef int duckdb_state; /* DuckDBSuccess = 0 */
typedef struct { void *internal_ptr; } * duckdb_database;
typedef struct { void *internal_ptr; } * duckdb_connection;
typedef struct { void *internal_ptr; } * duckdb_prepared_statement;
typedef struct {
	idx_t deprecated_column_count, deprecated_row_count, deprecated_rows_changed;
	void *deprecated_columns;
	char *deprecated_error_message;
	void *internal_data;
} duckdb_result;

struct api {
	duckdb_state (*open)(const char *, duckdb_database *);
	void (*close)(duckdb_database *);
	duckdb_state (*connect)(duckdb_database, duckdb_connection *);
	void (*disconnect)(duckdb_connection *);
	duckdb_state (*query)(duckdb_connection, const char *, duckdb_result *);
	void (*destroy_result)(duckdb_result *);
	const char *(*result_error)(duckdb_result *);
	idx_t (*column_count)(duckdb_result *);
	idx_t (*row_count)(duckdb_result *);
	const char *(*column_name)(duckdb_result *, idx_t);
	int (*column_type)(duckdb_result *, idx_t);
	bool (*value_is_null)(duckdb_result *, idx_t, idx_t);
	char *(*value_varchar)(duckdb_result *, idx_t, idx_t);
	duckdb_state (*prepare)(duckdb_connection, const char *, duckdb_prepared_statement *);
	const char *(*prepare_error)(duckdb_prepared_statement);
	idx_t (*nparams)(duckdb_prepared_statement);
	duckdb_state (*bind_varchar)(duckdb_prepared_statement, idx_t, const char *);
	duckdb_state (*bind_int64)(duckdb_prepared_statement, idx_t, int64_t);
	duckdb_state (*bind_double)(duckdb_prepared_statement, idx_t, double);
	duckdb_state (*bind_boolean)(duckdb_prepared_statement, idx_t, bool);
	duckdb_state (*bind_null)(duckdb_prepared_statement, idx_t);
	duckdb_state (*execute_prepared)(duckdb_prepared_statement, duckdb_result *);
	void (*destroy_prepare)(duckdb_prepared_statement *);
	void (*free)(void *);
	const char *(*library_version)(void);
};

struct owlet_duckdb {
	void *handle;
	struct api f;
	duckdb_database db;
};

char *owlet_duckdb_path(void)
{
	const char *env = getenv("OWLET_DUCKDB");
	if (env && *env)
		return strdup(env);
	const char *home = getenv("HOME");
	char *p = NULL;
	if (asprintf(&p, "%s/.cache/owlet/duckdb/libduckdb.so", home && *home ? home : "/nonexistent") < 0)
		return NULL;
	return p;
}

static int load(struct owlet_duckdb *d, const char *path)
{
	d->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!d->handle)
		return owlet_error_setc(OWLET_ENOTFOUND, "cannot load '%s' (%s). " OWLET_DUCKDB_HOWTO, path, dlerror());
	static const struct {
		const char *name;
		size_t off;
	} syms[] = {
#define S(f) { "duckdb_" #f, offsetof(struct api, f) }
		S(open), S(close), S(connect), S(disconnect), S(query), S(destroy_result), S(result_error),
		S(column_count), S(row_count), S(column_name), S(column_type), S(value_is_null), S(value_varchar),
		S(prepare), S(prepare_error), S(nparams), S(bind_varchar), S(bind_int64), S(bind_double),
		S(bind_boolean), S(bind_null), S(execute_prepared), S(destroy_prepare), S(free), S(library_version),
#undef S
	};
	for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
		void *p = dlsym(d->handle, syms[i].name);
		if (!p)
			return owlet_error_setc(OWLET_ENOTFOUND, "'%s' lacks %s: it is no libduckdb with the C API. "
								 OWLET_DUCKDB_HOWTO, path, syms[i].name);
		memcpy((char *)&d->f + syms[i].off, &p, sizeof p);
	}
	return 0;
}

/* One statement of owlet's own on a connection; error with DuckDB's message. */
static int exec(struct owlet_duckdb *d, duckdb_connection c, const char *sql)
{
	duckdb_result r;
	memset(&r, 0, sizeof r);
	duckdb_state st = d->f.query(c, sql, &r);
	int rc = 0;
	if (st != 0) {
		const char *msg = d->f.result_error(&r);
		rc = owlet_error_setc(OWLET_EINVALID, "%s", msg ? msg : "the query failed");
	}
	d->f.destroy_result(&r);
	return rc;
}

/* A SQL string literal of s ('' for each '), appended to *out. */
static char *quoted(const char *s)
{
	size_t n = strlen(s), q = 0;
	for (size_t i = 0; i < n; i++)
		q += s[i] == '\'';
	char *o = malloc(n + q + 3), *p = o;
	if (!o)
		return NULL;
	*p++ = '\'';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'')
			*p++ = '\'';
		*p++ = s[i];
	}
	*p++ = '\'';
	*p = '\0';
	return o;
}

int owlet_duckdb_open(struct owlet_duckdb **out, const char *lib_path, const char *allowed_dir)
{
	*out = NULL;
	char *path = lib_path ? strdup(lib_path) : owlet_duckdb_path();
	struct owlet_duckdb *d = calloc(1, sizeof *d);
	if (!path || !d) {
		free(path);
		free(d);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	int rc = load(d, path);
	free(path);
	if (rc == 0 && d->f.open(NULL, &d->db) != 0)
		rc = owlet_error_set("DuckDB cannot open an in-memory database");
	duckdb_connection c = NULL;
	if (rc == 0 && d->f.connect(d->db, &c) != 0)
		rc = owlet_error_set("DuckDB cannot connect to its database");
	char *dir = allowed_dir ? quoted(allowed_dir) : NULL, *set = NULL;
	if (rc == 0 && allowed_dir && (!dir || asprintf(&set, "SET allowed_directories=[%s]", dir) < 0)) {
		set = NULL;
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	/* the library has no httpfs: never let a query try to fetch one */
	if (rc == 0)
		rc = exec(d, c, "SET autoinstall_known_extensions=false");
	if (rc == 0)
		rc = exec(d, c, "SET autoload_known_extensions=false");
	if (rc == 0 && set)
		rc = exec(d, c, set);
	if (rc == 0)
		rc = exec(d, c, "SET enable_external_access=false");
	if (rc == 0)
		rc = exec(d, c, "SET lock_configuration=true");
	free(dir);
	free(set);
	if (c)
		d->f.disconnect(&c);
	if (rc < 0) {
		owlet_duckdb_close(d);
		return rc;
	}
	*out = d;
	return 0;
}

void owlet_duckdb_close(struct owlet_duckdb *d)
{
	if (!d)
		return;
	if (d->db)
		d->f.close(&d->db);
	if (d->handle)
		dlclose(d->handle);
	free(d);
}

const char *owlet_duckdb_version(const struct owlet_duckdb *d)
{
	return d->f.library_version();
}

/* Athena's name of a DuckDB type (enum DUCKDB_TYPE). */
static const char *athena_type(int t)
{
	switch (t) {
	case 1: return "boolean";
	case 2: return "tinyint";
	case 3: return "smallint";
	case 4: return "integer";
	case 5: return "bigint";
	case 16: return "bigint"; /* HUGEINT: DuckDB's sum of a BIGINT column, which is a bigint in Athena */
	case 10: return "real";
	case 11: return "double";
	case 12: case 20: case 21: case 22: return "timestamp";
	case 13: return "date";
	case 14: return "time";
	case 19: return "decimal";
	case 31: return "timestamp with time zone";
	default: return "varchar";
	}
}

static int bind(struct owlet_duckdb *d, duckdb_prepared_statement st, const struct owlet_duckdb_param *p, idx_t i)
{
	duckdb_state s;
	switch (p->kind) {
	case OWLET_DUCKDB_STRING: s = d->f.bind_varchar(st, i, p->s ? p->s : ""); break;
	case OWLET_DUCKDB_INT: s = d->f.bind_int64(st, i, p->i); break;
	case OWLET_DUCKDB_DOUBLE: s = d->f.bind_double(st, i, p->d); break;
	case OWLET_DUCKDB_BOOL: s = d->f.bind_boolean(st, i, p->b); break;
	default: s = d->f.bind_null(st, i); break;
	}
	return s == 0 ? 0 : owlet_error_setc(OWLET_EINVALID, "cannot bind parameter %llu", (unsigned long long)i);
}

static json_t *result_json(struct owlet_duckdb *d, duckdb_result *r, size_t max_rows)
{
	idx_t nc = d->f.column_count(r), nr = d->f.row_count(r);
	if (nr > max_rows) {
		owlet_error_setc(OWLET_EINVALID, "the result has %llu rows, more than the %zu the local Athena keeps; "
						 "add a LIMIT", (unsigned long long)nr, max_rows);
		return NULL;
	}
	json_t *cols = json_array(), *rows = json_array();
	json_t *res = json_pack("{s:o, s:o}", "columns", cols, "rows", rows);
	if (!res)
		goto nomem;
	for (idx_t c = 0; c < nc; c++) {
		const char *name = d->f.column_name(r, c);
		if (json_array_append_new(cols, json_pack("{s:s, s:s}", "name", name ? name : "",
							  "type", athena_type(d->f.column_type(r, c)))) < 0)
			goto nomem;
	}
	for (idx_t i = 0; i < nr; i++) {
		json_t *row = json_array();
		if (!row || json_array_append_new(rows, row) < 0)
			goto nomem;
		for (idx_t c = 0; c < nc; c++) {
			json_t *v;
			if (d->f.value_is_null(r, c, i)) {
				v = json_null();
			} else {
				char *s = d->f.value_varchar(r, c, i);
				v = s ? json_string(s) : NULL;
				if (!v && s) /* not UTF-8: DuckDB's VARCHAR always is, but a BLOB may not be */
					v = json_string("?");
				d->f.free(s);
			}
			if (!v || json_array_append_new(row, v) < 0)
				goto nomem;
		}
	}
	return res;
nomem:
	json_decref(res);
	owlet_error_setc(OWLET_ENOMEM, "out of memory");
	return NULL;
}

int owlet_duckdb_run(struct owlet_duckdb *d, const char *setup, const char *sql,
		     const struct owlet_duckdb_param *params, size_t n_params, size_t max_rows, json_t **result)
{
	*result = NULL;
	duckdb_connection c = NULL;
	duckdb_prepared_statement st = NULL;
	duckdb_result r;
	memset(&r, 0, sizeof r);
	bool have_result = false;
	if (d->f.connect(d->db, &c) != 0)
		return owlet_error_set("DuckDB cannot connect to its database");
	int rc = setup ? exec(d, c, setup) : 0;
	if (rc < 0)
		goto out;
	if (d->f.prepare(c, sql, &st) != 0) {
		const char *msg = d->f.prepare_error(st);
		rc = owlet_error_setc(OWLET_EINVALID, "%s", msg ? msg : "the query cannot be prepared");
		goto out;
	}
	idx_t np = d->f.nparams(st);
	if (np != n_params) {
		rc = owlet_error_setc(OWLET_EINVALID, "the query has %llu parameters ('?') but %zu values were given",
				      (unsigned long long)np, n_params);
		goto out;
	}
	for (size_t i = 0; i < n_params && rc == 0; i++)
		rc = bind(d, st, &params[i], i + 1);
	if (rc < 0)
		goto out;
	have_result = true;
	if (d->f.execute_prepared(st, &r) != 0) {
		const char *msg = d->f.result_error(&r);
		rc = owlet_error_setc(OWLET_EINVALID, "%s", msg ? msg : "the query failed");
		goto out;
	}
	*result = result_json(d, &r, max_rows);
	if (!*result)
		rc = OWLET_EINVALID;
out:
	if (have_result)
		d->f.destroy_result(&r);
	if (st)
		d->f.destroy_prepare(&st);
	d->f.disconnect(&c);
	return rc;
}
