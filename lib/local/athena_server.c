/* athena_server.c: the local Athena over DuckDB (see athena_server.h). */
#include "local/athena_server.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "base/hash.h"
#include "local/athena_sql.h"
#include "local/http.h"
#include "model/model.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_QUERIES 512      /* kept; the oldest finished one is dropped */
#define RESULT_AGE_S 3600    /* a finished query's result is kept this long (default) */
#define MAX_KEPT_ROWS 2000000 /* rows of all the results kept (default) */
#define CACHE_AGE_S 600      /* a cached copy of no listed object goes after this long unused */
#define MAX_RUNNING 4
#define MAX_RESULT_ROWS 1000000
#define MAX_BODY (1u << 20)  /* Athena's own limit on a query string is 256 KB */
#define MAX_PARAMS 1000
#define MAX_OBJECTS 100000   /* per table */

enum state { QUEUED, RUNNING, SUCCEEDED, FAILED };
static const char *const state_names[] = { "QUEUED", "RUNNING", "SUCCEEDED", "FAILED" };

struct query {
	char id[40];
	enum state state;
	char *sql, *database, *workgroup, *reason;
	json_t *params;   /* the ExecutionParameters as given, or NULL */
	json_t *result;   /* owlet_duckdb_run's, once SUCCEEDED */
	int64_t submitted_ms, started_ms, completed_ms;
	long long scanned;
	long long update_count; /* rows an UNLOAD wrote */
	long long rows;         /* of the result kept */
	struct owlet_athena_server *server;
};

struct owlet_athena_server {
	struct MHD_Daemon *daemon;
	uint16_t port;
	const struct owlet_model *model;
	char *bucket, *cache_dir, *glue_database;
	struct owlet_s3_config s3;
	char *s3_strings[5];
	struct owlet_duckdb *db;
	char *unavailable;
	void (*log)(void *, const char *);
	void *log_cls;
	pthread_mutex_t lock;
	pthread_cond_t idle;
	struct query *queries[MAX_QUERIES];
	size_t n_queries;
	long long kept_rows, max_kept_rows;
	int64_t result_age_ms;
	double cache_age_s;
	int running;
	bool stopping;
};

struct request {
	struct owlet_http_body body;
};

/* ---- ExecutionParameters */

int owlet_athena_param_parse(struct owlet_duckdb_param *out, char **owned, const char *lit)
{
	*owned = NULL;
	memset(out, 0, sizeof *out);
	while (*lit == ' ')
		lit++;
	size_t n = strlen(lit);
	while (n && lit[n - 1] == ' ')
		n--;
	const char *s = lit;
	bool typed = false;
	if (n > 5 && strncasecmp(s, "DATE ", 5) == 0) {
		s += 5, n -= 5, typed = true;
	} else if (n > 10 && strncasecmp(s, "TIMESTAMP ", 10) == 0) {
		s += 10, n -= 10, typed = true;
	}
	while (typed && n && *s == ' ')
		s++, n--;
	if (n >= 2 && s[0] == '\'' && s[n - 1] == '\'') {
		char *o = malloc(n), *p = o;
		if (!o)
			return owlet_error_setc(OWLET_ENOMEM, "out of memory");
		for (size_t i = 1; i + 1 < n; i++) {
			if (s[i] == '\'') {
				if (i + 2 >= n || s[i + 1] != '\'') {
					free(o);
					return owlet_error_setc(OWLET_EINVALID, "a quote inside a string literal must be doubled ('')");
				}
				i++;
			}
			*p++ = s[i];
		}
		*p = '\0';
		*owned = o;
		out->kind = OWLET_DUCKDB_STRING;
		out->s = o;
		return 0;
	}
	if (typed)
		return owlet_error_setc(OWLET_EINVALID, "DATE and TIMESTAMP take a quoted string");
	if (n == 4 && strncasecmp(s, "true", 4) == 0) {
		out->kind = OWLET_DUCKDB_BOOL, out->b = true;
		return 0;
	}
	if (n == 5 && strncasecmp(s, "false", 5) == 0) {
		out->kind = OWLET_DUCKDB_BOOL;
		return 0;
	}
	if (n == 4 && strncasecmp(s, "null", 4) == 0) {
		out->kind = OWLET_DUCKDB_NULL;
		return 0;
	}
	char buf[64];
	if (n == 0 || n >= sizeof buf)
		return owlet_error_setc(OWLET_EINVALID, "not an SQL literal");
	memcpy(buf, s, n);
	buf[n] = '\0';
	char *end = NULL;
	errno = 0;
	long long i = strtoll(buf, &end, 10);
	if (*end == '\0' && errno == 0 && (isdigit((unsigned char)buf[0]) || buf[0] == '-')) {
		out->kind = OWLET_DUCKDB_INT, out->i = i;
		return 0;
	}
	errno = 0;
	double d = strtod(buf, &end);
	if (*end == '\0' && errno == 0 && strspn(buf, "+-0123456789.eE") == n && strpbrk(buf, "0123456789")) {
		out->kind = OWLET_DUCKDB_DOUBLE, out->d = d;
		return 0;
	}
	return owlet_error_setc(OWLET_EINVALID, "not an SQL literal (a quoted string, a number, true, false, "
						"NULL, DATE '...' or TIMESTAMP '...')");
}

/* ---- the tables */

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum layout { RAW, CURATED };

/* Whether the SQL names `name` as a word (case-insensitively). */
static bool names_word(const char *sql, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = sql; (p = strcasestr(p, name)); p++) {
		bool before = p == sql || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool after = !(isalnum((unsigned char)p[n]) || p[n] == '_');
		if (before && after)
			return true;
	}
	return false;
}

/* Whether a '*' of the SQL may stand for every column (SELECT *, t.*, or a
 * product a * b, which is counted as every column to be safe), as opposed
 * to count(*). */
static bool names_star(const char *sql)
{
	for (const char *p = strchr(sql, '*'); p; p = strchr(p + 1, '*')) {
		const char *q = p;
		while (q > sql && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n'))
			q--;
		if (q > sql && q[-1] != '(' && q[-1] != '/')
			return true;
	}
	return false;
}

/* "dt=YYYY-MM-DD" when the key has that segment, else "". */
static void dt_segment(char out[16], const char *key)
{
	out[0] = '\0';
	const char *p = strstr(key, "/dt=");
	if (p && strlen(p + 1) > 13 && p[14] == '/' && strspn(p + 4, "0123456789-") == 10)
		snprintf(out, 16, "%.13s", p + 1);
}

static const char *duck_type(enum owlet_type t)
{
	switch (t) {
	case OWLET_TYPE_INT: return "BIGINT";
	case OWLET_TYPE_FLOAT: return "DOUBLE";
	case OWLET_TYPE_BOOL: return "BOOLEAN";
	case OWLET_TYPE_DATE: return "DATE";
	case OWLET_TYPE_TIMESTAMP: return "TIMESTAMP";
	default: return "VARCHAR";
	}
}

/* Whether an object of the listing is part of the table: under raw/ the
 * layout's *.jsonl (docs/contracts.md); under curated/ every name but the
 * hidden ones (_x, .x), as Athena reads a Parquet table's location. */
static bool table_object(const char *key, enum layout layout)
{
	if (layout == RAW)
		return ends_with(key, ".jsonl");
	const char *base = strrchr(key, '/');
	base = base ? base + 1 : key;
	return *base && *base != '_' && *base != '.';
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Deletes the files under dir (and its dt= directories) that are not in
 * used[] (a copy of an object deleted, or of an older version) and were
 * not used for age_s seconds, so the cache holds about what S3 holds. */
static void prune_cache(const char *dir, char **used, size_t n_used, double age_s, int depth)
{
	char **names = NULL;
	if (depth > 1 || owlet_fs_list(&names, dir) < 0)
		return;
	if (depth == 0 && n_used)
		qsort(used, n_used, sizeof *used, cmp_str);
	time_t now = time(NULL);
	for (size_t i = 0; names[i]; i++) {
		char *path = owlet_fs_join(dir, names[i]);
		struct stat st;
		if (path && lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				prune_cache(path, used, n_used, age_s, depth + 1);
			else if (S_ISREG(st.st_mode) && difftime(now, st.st_mtime) >= age_s &&
				 (n_used == 0 || !bsearch(&path, used, n_used, sizeof *used, cmp_str)))
				unlink(path);
		}
		free(path);
	}
	owlet_fs_names_free(names);
}

/* The bytes a Parquet scan reads: the compressed column chunks of the
 * columns the query names (all of them for a '*'), as Athena counts them. */
static bool in_array(const json_t *names, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(names, i, v) {
		if (json_is_string(v) && !strcmp(json_string_value(v), name))
			return true;
	}
	return false;
}

/* columns: the columns the plan's scans read (NULL: not known; then those
 * the query names, or all for a '*'). */
static int parquet_scanned(struct owlet_athena_server *a, const struct owlet_dataset *ds, const char *files,
			   const char *query, const json_t *columns, long long *scanned)
{
	struct owlet_buf cols = { 0 };
	bool all = !columns && names_star(query);
	for (size_t i = 0; !all && i < ds->n_fields; i++) {
		if (columns ? !in_array(columns, ds->fields[i].name) : !names_word(query, ds->fields[i].name))
			continue;
		const char *sep = cols.len ? ", '" : "'";
		owlet_buf_append(&cols, sep, strlen(sep));
		owlet_buf_append(&cols, ds->fields[i].name, strlen(ds->fields[i].name));
		owlet_buf_append(&cols, "'", 1);
	}
	char *sql = NULL;
	json_t *res = NULL;
	int rc = 0;
	if (asprintf(&sql, "SELECT CAST(coalesce(sum(total_compressed_size), 0) AS BIGINT) FROM parquet_metadata([%s])%s%s%s",
		     files, all ? "" : " WHERE path_in_schema IN (", all ? "" : cols.data ? cols.data : "''",
		     all ? "" : ")") < 0) {
		sql = NULL;
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	if (rc == 0)
		rc = owlet_duckdb_run(a->db, NULL, sql, NULL, 0, 1, &res);
	const char *v = json_string_value(json_array_get(json_array_get(json_object_get(res, "rows"), 0), 0));
	if (v)
		*scanned += strtoll(v, NULL, 10);
	json_decref(res);
	free(sql);
	owlet_buf_free(&cols);
	return rc;
}

/* The read_json columns of a dataset ('f': 'VARCHAR', ...) in cols, and
 * their SELECT list, each cast to its type (NULL when it does not parse, as
 * Athena's SerDes give it) in sel. */
static void typed_columns(const struct owlet_dataset *ds, struct owlet_buf *cols, struct owlet_buf *sel)
{
	char piece[256];
	for (size_t i = 0; i < ds->n_fields; i++) {
		const struct owlet_field *f = &ds->fields[i];
		snprintf(piece, sizeof piece, "%s'%s': 'VARCHAR'", i ? ", " : "", f->name);
		owlet_buf_append(cols, piece, strlen(piece));
		snprintf(piece, sizeof piece, "%sTRY_CAST(\"%s\" AS %s) AS \"%s\"", i ? ", " : "", f->name,
			 duck_type(f->type), f->name);
		owlet_buf_append(sel, piece, strlen(piece));
	}
}

/* ---- partition pruning: which dt= partitions a query reads
 *
 * As Athena prunes partitions (projection) on the query's predicates on
 * dt, the local Athena asks DuckDB: each table the query names is made a
 * view over one empty file per partition (dt=D/p.jsonl, hive partitioning)
 * and EXPLAIN of the query shows the filters DuckDB pushes into that
 * table's scans ("File Filters"), which are then evaluated over the
 * partitions' days.  The other tables are read_ndjson views, so that the
 * table's own scans are the READ_JSON ones.  A scan without file filters
 * reads every partition; a table whose scan the plan dropped (WHERE false)
 * none; anything unexpected (an EXPLAIN that fails, a filter that does not
 * evaluate) reads every partition.  A table without dt= partitions is
 * read whole when its scan is in the plan, else not at all. */

struct days {
	bool all;
	char **day; /* "dt=YYYY-MM-DD", sorted */
	size_t n, cap;
};

static void days_clear(struct days *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->day[i]);
	free(d->day);
	memset(d, 0, sizeof *d);
}

static bool days_has(const struct days *d, const char *dt)
{
	return d->n > 0 && bsearch(&dt, d->day, d->n, sizeof *d->day, cmp_str) != NULL; /* no bsearch of NULL */
}

static int days_add(struct days *d, const char *dt)
{
	if (days_has(d, dt))
		return 0;
	if (owlet_grow((void **)&d->day, &d->cap, d->n, sizeof *d->day, 16) < 0 || !(d->day[d->n] = strdup(dt)))
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	d->n++;
	qsort(d->day, d->n, sizeof *d->day, cmp_str);
	return 0;
}

/* Whether an object of partition dt ("" outside dt=) is read. */
static bool day_allowed(const struct days *allowed, const char *dt)
{
	return !allowed || allowed->all || (*dt && days_has(allowed, dt));
}

struct table_ref {
	const struct owlet_dataset *ds;
	enum layout layout;
	struct days present; /* the partitions listed */
	bool undated;        /* objects outside dt= (a dataset without partition_by) */
	struct days allowed;
	json_t *columns;     /* the columns its scans read ("Projections"), or NULL: not known */
};

static void collect_scans(json_t *node, const char *fn, json_t *out)
{
	const char *name = json_string_value(json_object_get(node, "name"));
	if (!json_is_object(node))
		return;
	if (name && !strcmp(name, fn))
		json_array_append(out, node);
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(node, "children"), i, c) {
		collect_scans(c, fn, out);
	}
}

/* "(f1)(f2)" (DuckDB prints the filters one after the other) as
 * "(f1) AND (f2)"; NULL when it is not that. */
static char *filters_conjunction(const char *f)
{
	struct owlet_buf b = { 0 };
	int depth = 0;
	bool quoted = false;
	for (const char *p = f; *p; p++) {
		if (quoted) {
			quoted = *p != '\'';
		} else if (*p == '\'') {
			quoted = true;
		} else if (*p == '(') {
			if (depth++ == 0 && b.len)
				owlet_buf_append(&b, " AND ", 5);
		} else if (*p == ')') {
			if (--depth < 0)
				break;
		} else if (depth == 0 && *p != ' ') {
			depth = -1;
			break;
		}
		owlet_buf_append(&b, p, 1);
	}
	if (depth != 0 || quoted || !b.data || strpbrk(b.data, "?$;")) {
		owlet_buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* The days of present that the filters keep, added to allowed; false when
 * they cannot be evaluated. */
static bool filter_days(struct owlet_athena_server *a, const struct days *present, const char *filters,
			struct days *allowed)
{
	char *cond = filters_conjunction(filters);
	struct owlet_buf sql = { 0 };
	const char *head = "SELECT 'dt=' || CAST(dt AS VARCHAR) FROM (VALUES ";
	owlet_buf_append(&sql, head, strlen(head));
	for (size_t i = 0; i < present->n; i++) {
		char piece[40];
		snprintf(piece, sizeof piece, "%s(DATE '%.10s')", i ? ", " : "", present->day[i] + 3);
		owlet_buf_append(&sql, piece, strlen(piece));
	}
	owlet_buf_append(&sql, ") AS p(dt) WHERE ", 17);
	json_t *res = NULL;
	bool ok = cond && owlet_buf_append(&sql, cond, strlen(cond)) == 0 && sql.data &&
		  owlet_duckdb_run(a->db, NULL, sql.data, NULL, 0, present->n + 1, &res) == 0;
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(res, "rows"), i, row) {
		const char *d = json_string_value(json_array_get(row, 0));
		if (ok && d && days_add(allowed, d) < 0)
			ok = false;
	}
	json_decref(res);
	owlet_buf_free(&sql);
	free(cond);
	return ok;
}

/* The probe view of t: its columns over the empty files of its partitions. */
static int probe_view(struct owlet_buf *setup, const char *dir, size_t index, const struct table_ref *t, bool under_test)
{
	struct owlet_buf files = { 0 }, cols = { 0 }, sel = { 0 };
	char piece[300];
	for (size_t i = 0; i < t->present.n; i++) {
		snprintf(piece, sizeof piece, "%s'%s/%zu/%s/p.jsonl'", i ? ", " : "", dir, index, t->present.day[i]);
		owlet_buf_append(&files, piece, strlen(piece));
	}
	if (!t->present.n) {
		snprintf(piece, sizeof piece, "'%s/%zu/p.jsonl'", dir, index);
		owlet_buf_append(&files, piece, strlen(piece));
	}
	typed_columns(t->ds, &cols, &sel);
	bool hive = t->present.n > 0;
	if (hive && t->ds->partition_by)
		owlet_buf_append(&sel, ", dt", 4);
	else if (t->ds->partition_by)
		owlet_buf_append(&sel, ", CAST(NULL AS DATE) AS dt", 26);
	char *view = NULL;
	int rc = 0;
	if (!files.data || !cols.data || !sel.data ||
	    asprintf(&view, "CREATE TEMP VIEW \"%s%s\" AS SELECT %s FROM %s([%s], format='newline_delimited', "
			    "columns={%s}%s);\n", t->ds->name, t->layout == RAW ? "" : "_curated", sel.data,
		     under_test ? "read_json" : "read_ndjson", files.data, cols.data,
		     hive ? ", hive_partitioning=true, hive_types={'dt': 'DATE'}" : "") < 0) {
		view = NULL;
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	if (view && owlet_buf_append(setup, view, strlen(view)) < 0)
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	free(view);
	owlet_buf_free(&files);
	owlet_buf_free(&cols);
	owlet_buf_free(&sel);
	return rc;
}

/* Sets t[i].allowed for every table (see above).  Never fails the query:
 * what cannot be decided reads every partition. */
static void prune_partitions(struct owlet_athena_server *a, struct owlet_s3 *s3, const struct query *q,
			     const char *query, const struct owlet_duckdb_param *params, size_t np,
			     struct table_ref *t, size_t n)
{
	char *dir = NULL, *explain = NULL;
	bool ok = asprintf(&dir, "%s/probe/%s", a->cache_dir, q->id) >= 0 &&
		  asprintf(&explain, "EXPLAIN (FORMAT JSON) %s", query) >= 0;
	for (size_t i = 0; ok && i < n; i++) { /* the partitions listed, and their empty files */
		char prefix[96];
		snprintf(prefix, sizeof prefix, "%s/%s/", t[i].layout == RAW ? "raw" : "curated", t[i].ds->name);
		struct owlet_s3_list list = { 0 };
		ok = owlet_s3_list(s3, &list, a->bucket, prefix, MAX_OBJECTS) == 0;
		for (size_t k = 0; ok && k < list.count; k++) {
			const char *key = list.items[k].key;
			char dt[16];
			if (!table_object(key, t[i].layout) || owlet_s3_key_check(key, prefix) < 0)
				continue;
			dt_segment(dt, key);
			if (!*dt || !t[i].ds->partition_by)
				t[i].undated = true;
			else
				ok = days_add(&t[i].present, dt) == 0;
		}
		owlet_s3_list_clear(&list);
		if (t[i].undated && t[i].present.n)
			ok = false; /* both: not the layout; read it all */
		for (size_t k = 0; ok && k <= t[i].present.n; k++) {
			if (k == t[i].present.n && t[i].present.n)
				break;
			char *path = NULL;
			if (asprintf(&path, "%s/%zu/%s%s", dir, i, t[i].present.n ? t[i].present.day[k] : "",
				     t[i].present.n ? "/" : "") < 0)
				path = NULL;
			ok = path && owlet_fs_mkdirs(path) == 0;
			char *file = ok ? owlet_fs_join(path, "p.jsonl") : NULL;
			ok = file && owlet_fs_write_atomic(file, "", 0) == 0;
			free(file);
			free(path);
		}
	}
	for (size_t i = 0; ok && i < n; i++) { /* one EXPLAIN per table */
		struct owlet_buf setup = { 0 };
		for (size_t k = 0; k < n && ok; k++)
			ok = probe_view(&setup, dir, k, &t[k], k == i) == 0;
		json_t *res = NULL, *plan = NULL, *scans = json_array();
		ok = ok && setup.data && owlet_duckdb_run(a->db, setup.data, explain, params, np, 10, &res) == 0;
		const char *text = json_string_value(json_array_get(json_array_get(json_object_get(res, "rows"), 0), 1));
		ok = ok && text && scans && (plan = json_loads(text, 0, NULL));
		size_t k;
		json_t *node;
		json_array_foreach(plan, k, node) {
			collect_scans(node, "READ_JSON", scans);
		}
		if (ok && !(t[i].columns = json_array()))
			ok = false;
		json_array_foreach(scans, k, node) {
			json_t *proj = json_object_get(json_object_get(node, "extra_info"), "Projections");
			if (json_is_string(proj))
				json_array_append(t[i].columns, proj);
			size_t m;
			json_t *c;
			json_array_foreach(proj, m, c) {
				json_array_append(t[i].columns, c);
			}
		}
		json_array_foreach(scans, k, node) {
			const char *f = json_string_value(json_object_get(json_object_get(node, "extra_info"), "File Filters"));
			if (!ok || t[i].allowed.all)
				break;
			if (!f || !t[i].present.n)
				t[i].allowed.all = true;
			else if (!filter_days(a, &t[i].present, f, &t[i].allowed))
				ok = false;
		}
		if (!ok) {
			t[i].allowed.all = true;
			json_decref(t[i].columns);
			t[i].columns = NULL;
		}
		json_decref(scans);
		json_decref(plan);
		json_decref(res);
		owlet_buf_free(&setup);
	}
	for (size_t i = 0; i < n && !ok; i++) {
		t[i].allowed.all = true;
		json_decref(t[i].columns);
		t[i].columns = NULL;
	}
	if (dir)
		owlet_fs_rmtree(dir);
	free(dir);
	free(explain);
}

/* Copies the objects of the table (raw/NAME/ as JSON Lines, or
 * curated/NAME/ as Parquet: the view NAME_curated) into the cache when they
 * are not there yet, appends "CREATE TEMP VIEW ... AS ..." over them to
 * *sql and adds the bytes the query reads to *scanned. */
static int table_view(struct owlet_athena_server *a, struct owlet_s3 *s3, struct owlet_buf *sql, long long *scanned,
		      const struct owlet_dataset *ds, enum layout layout, const char *query, const struct days *allowed,
		      const json_t *columns)
{
	const char *area = layout == RAW ? "raw" : "curated";
	char prefix[96];
	snprintf(prefix, sizeof prefix, "%s/%s/", area, ds->name);
	struct owlet_s3_list list = { 0 };
	int rc = owlet_s3_list(s3, &list, a->bucket, prefix, MAX_OBJECTS);
	struct owlet_buf files = { 0 };
	size_t n_used = 0;
	char **used = calloc(list.count + 1, sizeof *used); /* the cache files of this listing, in key order */
	if (rc == 0 && !used)
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < list.count; i++) {
		const struct owlet_s3_object *o = &list.items[i];
		if (!table_object(o->key, layout))
			continue;
		if (owlet_s3_key_check(o->key, prefix) < 0)
			continue; /* never read, as the Lambda never reads it */
		char h[65], dt[16], vh[65];
		owlet_sha256_hex(h, o->key, strlen(o->key));
		owlet_sha256_hex(vh, o->etag ? o->etag : "", o->etag ? strlen(o->etag) : 0);
		dt_segment(dt, o->key);
		char *path = NULL;
		if (asprintf(&path, "%s/%s/%s/%s%s%.24s-%.16s", a->cache_dir, area, ds->name, dt, dt[0] ? "/" : "", h,
			     vh) < 0) {
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
			break;
		}
		if (!day_allowed(allowed, dt)) { /* pruned: not read, but kept in the cache */
			if (n_used < list.count)
				used[n_used++] = path;
			else
				free(path);
			continue;
		}
		if (!o->etag || !owlet_fs_exists(path)) {
			char *body = NULL, *dir = strdup(path);
			size_t len = 0;
			if (dir)
				*strrchr(dir, '/') = '\0';
			rc = dir ? owlet_fs_mkdirs(dir) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
			if (rc == 0)
				rc = owlet_s3_get(s3, &body, &len, a->bucket, o->key);
			if (rc == 0)
				rc = owlet_fs_write_atomic(path, body, len);
			free(body);
			free(dir);
		} else {
			utimensat(AT_FDCWD, path, NULL, 0); /* used now: not pruned */
		}
		if (layout == RAW)
			*scanned += o->size; /* a JSON Lines object is read whole */
		const char *sep = files.len ? ", '" : "'";
		if (rc == 0 && (owlet_buf_append(&files, sep, strlen(sep)) < 0 ||
				owlet_buf_append(&files, path, strlen(path)) < 0 || owlet_buf_append(&files, "'", 1) < 0))
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		if (rc == 0 && n_used < list.count)
			used[n_used++] = path;
		else
			free(path);
	}
	owlet_s3_list_clear(&list);
	if (rc == 0) {
		char *dir = NULL;
		if (asprintf(&dir, "%s/%s/%s", a->cache_dir, area, ds->name) >= 0)
			prune_cache(dir, used, n_used, a->cache_age_s, 0);
		free(dir);
	}
	for (size_t i = 0; i < n_used; i++)
		free(used[i]);
	free(used);
	if (rc == 0 && layout == CURATED && files.len)
		rc = parquet_scanned(a, ds, files.data, query, columns, scanned);
	/* the paths hold only the cache dir (owlet's), hex, '-', '/' and dt=:
	 * no quote; the names and types come from the model */
	struct owlet_buf cols = { 0 }, sel = { 0 };
	char piece[256];
	if (rc == 0)
		typed_columns(ds, &cols, &sel);
	if (rc == 0 && ds->partition_by) {
		const char *dt = ", TRY_CAST(regexp_extract(filename, '/(dt=[0-9-]+)/', 1)[4:] AS DATE) AS dt";
		owlet_buf_append(&sel, dt, strlen(dt));
	}
	if (rc == 0 && (!cols.data || !sel.data))
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	char *view = NULL;
	if (rc == 0) {
		struct owlet_buf body = { 0 };
		char *part = NULL;
		int bad = 0;
		if (files.len && layout == RAW)
			bad = asprintf(&part, "SELECT %s FROM read_json([%s], format='newline_delimited', "
					      "columns={%s}, filename=true, ignore_errors=true)",
				       sel.data, files.data, cols.data) < 0;
		else if (files.len)
			bad = asprintf(&part, "SELECT %s FROM read_parquet([%s], filename=true, union_by_name=true)",
				       sel.data, files.data) < 0;
		if (bad)
			part = NULL;
		if (part) {
			owlet_buf_append(&body, part, strlen(part));
			free(part);
		} else { /* no object: the columns, no rows */
			for (size_t i = 0; i < ds->n_fields; i++) {
				snprintf(piece, sizeof piece, "%sCAST(NULL AS %s) AS \"%s\"", i ? ", " : "SELECT ",
					 duck_type(ds->fields[i].type), ds->fields[i].name);
				owlet_buf_append(&body, piece, strlen(piece));
			}
			if (ds->partition_by)
				owlet_buf_append(&body, ", CAST(NULL AS DATE) AS dt", 26);
			owlet_buf_append(&body, " WHERE false", 12);
		}
		if (bad || !body.data || asprintf(&view, "CREATE TEMP VIEW \"%s%s\" AS %s;\n", ds->name,
						  layout == RAW ? "" : "_curated", body.data) < 0) {
			view = NULL;
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		}
		owlet_buf_free(&body);
	}
	if (view && owlet_buf_append(sql, view, strlen(view)) < 0)
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	free(view);
	owlet_buf_free(&cols);
	owlet_buf_free(&sel);
	owlet_buf_free(&files);
	return rc;
}

/* The server's tables: each dataset NAME, and NAME_curated. */
static const struct owlet_dataset *table_dataset(const struct owlet_model *m, const char *name, enum layout *layout)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < m->n_datasets; i++) {
		const char *ds = m->datasets[i].name;
		size_t k = strlen(ds);
		if (n == k && !memcmp(name, ds, k)) {
			*layout = RAW;
			return &m->datasets[i];
		}
		if (n == k + 8 && !memcmp(name, ds, k) && !strcmp(name + k, "_curated")) {
			*layout = CURATED;
			return &m->datasets[i];
		}
	}
	return NULL;
}

static bool is_table(void *cls, const char *name)
{
	enum layout layout;
	return table_dataset(cls, name, &layout) != NULL;
}

/* ---- running a query */

static void finish(struct query *q, json_t *result, const char *reason)
{
	struct owlet_athena_server *a = q->server;
	pthread_mutex_lock(&a->lock);
	q->result = result;
	q->reason = reason ? strdup(reason) : NULL;
	q->state = result ? SUCCEEDED : FAILED;
	q->completed_ms = owlet_clock_wall_ms();
	q->rows = (long long)json_array_size(json_object_get(result, "rows"));
	a->kept_rows += q->rows;
	a->running--;
	pthread_cond_broadcast(&a->idle);
	pthread_mutex_unlock(&a->lock);
}

/* UNLOAD: the rows of the COPY, written by DuckDB into the cache, then put
 * as one object under the location (which must be empty, as Athena wants). */
static int unload(struct owlet_athena_server *a, struct owlet_s3 *s3, struct query *q, const char *setup,
		  const struct owlet_athena_unload *u, const struct owlet_duckdb_param *params, size_t np)
{
	if (strcmp(u->bucket, a->bucket) != 0)
		return owlet_error_setc(OWLET_EINVALID, "UNLOAD: the local Athena writes only to the data bucket s3://%s/",
					a->bucket);
	char probe[1100];
	snprintf(probe, sizeof probe, "%sx", u->prefix);
	if (!*u->prefix || owlet_s3_key_check(probe, "") < 0)
		return owlet_error_setc(OWLET_EINVALID, "UNLOAD: the location needs a key prefix of the layout (no '.', "
							"'..' or empty segment, no control character)");
	struct owlet_s3_list list = { 0 };
	int rc = owlet_s3_list(s3, &list, a->bucket, u->prefix, 1);
	if (rc == 0 && list.count)
		rc = owlet_error_setc(OWLET_EINVALID, "HIVE_PATH_ALREADY_EXISTS: Target directory for UNLOAD already "
						      "exists: s3://%s/%s (UNLOAD writes only to an empty location)",
				      a->bucket, u->prefix);
	owlet_s3_list_clear(&list);
	char *dir = NULL, *path = NULL, *copy = NULL, *key = NULL, *body = NULL;
	json_t *res = NULL;
	size_t len = 0;
	if (rc == 0 && (asprintf(&dir, "%s/unload", a->cache_dir) < 0 || asprintf(&path, "%s/%s.parquet", dir, q->id) < 0 ||
			asprintf(&copy, "COPY (%s) TO '%s' (FORMAT PARQUET, COMPRESSION '%s')", u->query, path,
				 u->compression) < 0 ||
			asprintf(&key, "%s%s-0.parquet", u->prefix, q->id) < 0))
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0)
		rc = owlet_fs_mkdirs(dir);
	if (rc == 0)
		rc = owlet_duckdb_run(a->db, setup, copy, params, np, 1, &res);
	const char *count = json_string_value(json_array_get(json_array_get(json_object_get(res, "rows"), 0), 0));
	q->update_count = count ? strtoll(count, NULL, 10) : 0;
	if (rc == 0 && q->update_count > 0)
		rc = owlet_fs_read(&body, &len, path);
	if (rc == 0 && q->update_count > 0)
		rc = owlet_s3_put(s3, a->bucket, key, body, len, "application/vnd.apache.parquet");
	if (path)
		unlink(path);
	json_decref(res);
	free(body);
	free(dir);
	free(path);
	free(copy);
	free(key);
	return rc;
}

static void *run_query(void *arg)
{
	struct query *q = arg;
	struct owlet_athena_server *a = q->server;
	pthread_mutex_lock(&a->lock);
	q->state = RUNNING;
	q->started_ms = owlet_clock_wall_ms();
	pthread_mutex_unlock(&a->lock);

	size_t np = json_array_size(q->params);
	struct owlet_duckdb_param *params = calloc(np + 1, sizeof *params);
	char **owned = calloc(np + 1, sizeof *owned);
	struct owlet_buf setup = { 0 };
	struct owlet_s3 *s3 = NULL;
	struct owlet_athena_unload u = { 0 };
	json_t *result = NULL;
	char *sql = NULL;
	long long scanned = 0;
	int is_unload = 1;
	int rc = params && owned ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < np; i++) {
		rc = owlet_athena_param_parse(&params[i], &owned[i], json_string_value(json_array_get(q->params, i)));
		if (rc < 0)
			rc = owlet_error_setc(rc, "ExecutionParameters[%zu]: %s", i, owlet_error_last());
	}
	/* db.table and awsdatacatalog.db.table, as Athena resolves them */
	const char *dbs[2] = { a->glue_database, q->database };
	if (rc == 0)
		rc = owlet_athena_sql_unqualify(&sql, q->sql, dbs, 2, is_table, (void *)a->model);
	if (rc == 0 && (is_unload = owlet_athena_sql_unload(&u, sql)) < 0)
		rc = is_unload;
	const char *query = is_unload == 0 ? u.query : sql;
	if (rc == 0)
		rc = owlet_s3_open(&s3, &a->s3);
	/* the tables the query names, the partitions it reads of each */
	size_t nt = 0;
	struct table_ref *tables = rc == 0 ? calloc(2 * a->model->n_datasets + 1, sizeof *tables) : NULL;
	if (rc == 0 && !tables)
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < a->model->n_datasets; i++) {
		const struct owlet_dataset *ds = &a->model->datasets[i];
		char curated[96];
		snprintf(curated, sizeof curated, "%s_curated", ds->name);
		if (names_word(query, ds->name))
			tables[nt++] = (struct table_ref){ .ds = ds, .layout = RAW };
		if (names_word(query, curated))
			tables[nt++] = (struct table_ref){ .ds = ds, .layout = CURATED };
	}
	if (rc == 0 && nt)
		prune_partitions(a, s3, q, query, params, np, tables, nt);
	for (size_t i = 0; rc == 0 && i < nt; i++)
		rc = table_view(a, s3, &setup, &scanned, tables[i].ds, tables[i].layout, query, &tables[i].allowed,
				tables[i].columns);
	for (size_t i = 0; i < nt; i++) {
		days_clear(&tables[i].present);
		days_clear(&tables[i].allowed);
		json_decref(tables[i].columns);
	}
	free(tables);
	if (rc == 0 && is_unload == 0) {
		rc = unload(a, s3, q, setup.data, &u, params, np);
		if (rc == 0 && !(result = json_pack("{s:[], s:[]}", "columns", "rows")))
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	} else if (rc == 0) {
		rc = owlet_duckdb_run(a->db, setup.data, sql, params, np, MAX_RESULT_ROWS, &result);
	}
	q->scanned = scanned;
	finish(q, rc == 0 ? result : NULL, rc == 0 ? NULL : owlet_error_last());
	for (size_t i = 0; owned && i < np; i++)
		free(owned[i]);
	free(owned);
	free(params);
	free(sql);
	owlet_athena_unload_clear(&u);
	owlet_buf_free(&setup);
	owlet_s3_free(s3);
	return NULL;
}

static void query_free(struct query *q)
{
	if (!q)
		return;
	free(q->sql);
	free(q->database);
	free(q->workgroup);
	free(q->reason);
	json_decref(q->params);
	json_decref(q->result);
	free(q);
}

/* ---- the operations; each returns the status and sets *out */

static json_t *error_doc(const char *type, const char *msg)
{
	return json_pack("{s:s, s:s}", "__type", type, "Message", msg);
}

static struct query *find(struct owlet_athena_server *a, const json_t *req)
{
	const char *id = json_string_value(json_object_get(req, "QueryExecutionId"));
	for (size_t i = 0; id && i < a->n_queries; i++)
		if (strcmp(a->queries[i]->id, id) == 0)
			return a->queries[i];
	return NULL;
}

static void drop(struct owlet_athena_server *a, size_t i)
{
	a->kept_rows -= a->queries[i]->rows;
	query_free(a->queries[i]);
	memmove(&a->queries[i], &a->queries[i + 1], (a->n_queries - i - 1) * sizeof a->queries[0]);
	a->n_queries--;
}

/* The results kept (under a->lock): finished queries older than the
 * results' age are dropped, then the oldest finished ones while there are
 * MAX_QUERIES or more, or more rows than max_kept_rows. */
static void prune(struct owlet_athena_server *a, int64_t now_ms)
{
	for (size_t i = 0; i < a->n_queries;) {
		const struct query *q = a->queries[i];
		if (q->state >= SUCCEEDED && now_ms - q->completed_ms > a->result_age_ms)
			drop(a, i);
		else
			i++;
	}
	for (size_t i = 0; i < a->n_queries && (a->n_queries >= MAX_QUERIES || a->kept_rows > a->max_kept_rows);) {
		if (a->queries[i]->state >= SUCCEEDED)
			drop(a, i);
		else
			i++;
	}
}

static unsigned start_query(struct owlet_athena_server *a, const json_t *req, json_t **out)
{
	const char *sql = json_string_value(json_object_get(req, "QueryString"));
	const json_t *params = json_object_get(req, "ExecutionParameters");
	if (!sql || !*sql)
		return *out = error_doc("InvalidRequestException", "QueryString is required"), 400;
	if (params && (!json_is_array(params) || json_array_size(params) > MAX_PARAMS))
		return *out = error_doc("InvalidRequestException", "ExecutionParameters must be a list of at most 1000 strings"), 400;
	for (size_t i = 0; i < json_array_size(params); i++)
		if (!json_is_string(json_array_get(params, i)))
			return *out = error_doc("InvalidRequestException", "ExecutionParameters must be strings"), 400;
	const char *db = json_string_value(json_object_get(json_object_get(req, "QueryExecutionContext"), "Database"));
	const char *wg = json_string_value(json_object_get(req, "WorkGroup"));
	struct query *q = calloc(1, sizeof *q);
	unsigned char rnd[16];
	if (!q || getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		free(q);
		return *out = error_doc("InternalServerException", "out of memory"), 500;
	}
	snprintf(q->id, sizeof q->id, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", rnd[0],
		 rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], rnd[8], rnd[9], rnd[10], rnd[11], rnd[12],
		 rnd[13], rnd[14], rnd[15]);
	q->sql = strdup(sql);
	q->database = strdup(db ? db : "default");
	q->workgroup = strdup(wg ? wg : "primary");
	q->params = params ? json_deep_copy(params) : NULL;
	q->submitted_ms = owlet_clock_wall_ms();
	q->server = a;
	if (!q->sql || !q->database || !q->workgroup || (params && !q->params)) {
		query_free(q);
		return *out = error_doc("InternalServerException", "out of memory"), 500;
	}
	pthread_mutex_lock(&a->lock);
	unsigned status = 200;
	if (a->running >= MAX_RUNNING || a->stopping) {
		*out = error_doc("TooManyRequestsException", "the local Athena runs at most 4 queries at once");
		status = 400;
	} else {
		prune(a, q->submitted_ms);
		if (a->n_queries == MAX_QUERIES) {
			*out = error_doc("TooManyRequestsException", "too many queries in flight");
			status = 400;
		}
	}
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (status == 200) {
		a->queries[a->n_queries++] = q;
		a->running++;
		if (pthread_create(&t, &attr, run_query, q) != 0) {
			a->running--;
			q->state = FAILED;
			q->reason = strdup("cannot start a thread");
		}
		*out = json_pack("{s:s}", "QueryExecutionId", q->id);
	}
	pthread_attr_destroy(&attr);
	pthread_mutex_unlock(&a->lock);
	if (status != 200)
		query_free(q);
	return status;
}

static unsigned get_execution(struct owlet_athena_server *a, const json_t *req, json_t **out)
{
	pthread_mutex_lock(&a->lock);
	struct query *q = find(a, req);
	if (!q) {
		pthread_mutex_unlock(&a->lock);
		return *out = error_doc("InvalidRequestException", "QueryExecution was not found"), 400;
	}
	int64_t end = q->completed_ms ? q->completed_ms : owlet_clock_wall_ms();
	json_t *status = json_pack("{s:s, s:f}", "State", state_names[q->state], "SubmissionDateTime",
				   q->submitted_ms / 1000.0);
	if (status && q->completed_ms)
		json_object_set_new(status, "CompletionDateTime", json_real(q->completed_ms / 1000.0));
	if (status && q->reason) {
		json_object_set_new(status, "StateChangeReason", json_string(q->reason));
		json_object_set_new(status, "AthenaError", json_pack("{s:i, s:i, s:b, s:s}", "ErrorCategory", 2,
								     "ErrorType", 1006, "Retryable", 0, "ErrorMessage",
								     q->reason));
	}
	json_t *qe = json_pack("{s:s, s:s, s:s, s:o, s:{s:I, s:I, s:I, s:I}, s:{s:s}, s:s, s:{s:s}}",
			       "QueryExecutionId", q->id, "Query", q->sql, "StatementType", "DML", "Status", status,
			       "Statistics", "DataScannedInBytes", (json_int_t)q->scanned,
			       "EngineExecutionTimeInMillis", (json_int_t)(q->started_ms ? end - q->started_ms : 0),
			       "TotalExecutionTimeInMillis", (json_int_t)(end - q->submitted_ms),
			       "QueryQueueTimeInMillis", (json_int_t)((q->started_ms ? q->started_ms : end) - q->submitted_ms),
			       "QueryExecutionContext", "Database", q->database, "WorkGroup", q->workgroup,
			       "EngineVersion", "SelectedEngineVersion", "DuckDB");
	if (qe && q->params)
		json_object_set(qe, "ExecutionParameters", q->params);
	pthread_mutex_unlock(&a->lock);
	*out = json_pack("{s:o}", "QueryExecution", qe);
	return 200;
}

static json_t *cell(const json_t *v)
{
	return json_is_string(v) ? json_pack("{s:O}", "VarCharValue", v) : json_object();
}

static unsigned get_results(struct owlet_athena_server *a, const json_t *req, json_t **out)
{
	json_int_t max = 1000, from = 0;
	const json_t *jm = json_object_get(req, "MaxResults");
	if (jm && (!json_is_integer(jm) || json_integer_value(jm) < 1 || json_integer_value(jm) > 1000))
		return *out = error_doc("InvalidRequestException", "MaxResults must be 1 to 1000"), 400;
	if (jm)
		max = json_integer_value(jm);
	const char *token = json_string_value(json_object_get(req, "NextToken"));
	if (token) {
		char *end = NULL;
		from = strtoll(token, &end, 10);
		if (!*token || *end || from < 1)
			return *out = error_doc("InvalidRequestException", "NextToken is not one this server gave"), 400;
	}
	pthread_mutex_lock(&a->lock);
	struct query *q = find(a, req);
	unsigned status = 200;
	if (!q) {
		*out = error_doc("InvalidRequestException", "QueryExecution was not found");
		status = 400;
	} else if (q->state != SUCCEEDED) {
		char msg[512];
		snprintf(msg, sizeof msg, q->state == FAILED ? "Query did not finish successfully. Final query state: FAILED (%s)"
							      : "Query has not yet finished. Current state: %s",
			 q->state == FAILED ? (q->reason ? q->reason : "") : state_names[q->state]);
		*out = error_doc("InvalidRequestException", msg);
		status = 400;
	} else {
		/* row 0 is the header row of names, then the result's rows */
		const json_t *cols = json_object_get(q->result, "columns"), *rows = json_object_get(q->result, "rows");
		json_int_t total = (json_int_t)json_array_size(rows) + 1;
		json_t *info = json_array(), *out_rows = json_array();
		size_t i;
		json_t *c;
		json_t *header = json_array();
		json_array_foreach(cols, i, c) {
			json_t *name = json_object_get(c, "name");
			json_array_append_new(info, json_pack("{s:s, s:O, s:O, s:O, s:s, s:s, s:s, s:i, s:i, s:b}",
							       "CatalogName", "hive", "Name", name, "Label", name, "Type",
							       json_object_get(c, "type"), "SchemaName", "", "TableName", "",
							       "Nullable", "UNKNOWN", "Precision", 0, "Scale", 0,
							       "CaseSensitive", 0));
			json_array_append_new(header, cell(name));
		}
		for (json_int_t r = from; r < total && r < from + max; r++) {
			json_t *data = r == 0 ? json_incref(header) : json_array();
			const json_t *row = r == 0 ? NULL : json_array_get(rows, (size_t)(r - 1));
			json_t *v;
			json_array_foreach(row, i, v) {
				json_array_append_new(data, cell(v));
			}
			json_array_append_new(out_rows, json_pack("{s:o}", "Data", data));
		}
		json_decref(header);
		*out = json_pack("{s:{s:o, s:{s:o}}, s:I}", "ResultSet", "Rows", out_rows, "ResultSetMetadata",
				 "ColumnInfo", info, "UpdateCount", (json_int_t)q->update_count);
		if (*out && from + max < total) {
			char next[32];
			snprintf(next, sizeof next, "%lld", (long long)(from + max));
			json_object_set_new(*out, "NextToken", json_string(next));
		}
	}
	pthread_mutex_unlock(&a->lock);
	return status;
}

/* ---- HTTP */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, json_t *doc)
{
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	const char *type = doc ? json_string_value(json_object_get(doc, "__type")) : NULL;
	const char *hdrs[] = { "x-amzn-RequestId", "local", type ? "x-amzn-ErrorType" : NULL, type, NULL };
	enum MHD_Result r = owlet_http_respond(c, text ? status : 500, "application/x-amz-json-1.1",
					       text ? text : "{\"__type\":\"InternalServerException\"}",
					       text ? strlen(text) : 36, hdrs);
	free(text);
	return r;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	(void)url;
	(void)version;
	struct owlet_athena_server *a = cls;
	struct request *req = *con_cls;
	if (!req) {
		req = calloc(1, sizeof *req);
		if (!req)
			return MHD_NO;
		req->body.limit = MAX_BODY;
		*con_cls = req;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!owlet_http_body_add(&req->body, upload_data, *upload_data_size))
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	const char *target = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Target");
	if (strcmp(method, "POST") != 0 || !target || strncmp(target, "AmazonAthena.", 13) != 0)
		return reply(c, 400, error_doc("UnknownOperationException", "POST / with X-Amz-Target: AmazonAthena.*"));
	if (req->body.too_big)
		return reply(c, 413, error_doc("InvalidRequestException", "the request body is over 1 MB"));
	const char *op = target + 13;
	json_error_t jerr;
	json_t *in = json_loadb(req->body.data ? req->body.data : "{}", req->body.len ? req->body.len : 2, 0, &jerr);
	json_t *out = NULL;
	unsigned status;
	if (!json_is_object(in))
		status = 400, out = error_doc("SerializationException", "the body is not a JSON object");
	else if (a->unavailable && (!strcmp(op, "StartQueryExecution") || !strcmp(op, "GetQueryExecution") ||
				    !strcmp(op, "GetQueryResults")))
		status = 501, out = error_doc("NotImplemented", a->unavailable);
	else if (!strcmp(op, "StartQueryExecution"))
		status = start_query(a, in, &out);
	else if (!strcmp(op, "GetQueryExecution"))
		status = get_execution(a, in, &out);
	else if (!strcmp(op, "GetQueryResults"))
		status = get_results(a, in, &out);
	else
		status = 400, out = error_doc("UnknownOperationException", "the local Athena serves StartQueryExecution, "
									   "GetQueryExecution and GetQueryResults");
	json_decref(in);
	if (a->log) {
		char line[160];
		snprintf(line, sizeof line, "athena %.60s %u", op, status);
		a->log(a->log_cls, line);
	}
	return reply(c, status, out);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct request *req = *con_cls;
	if (req)
		owlet_http_body_free(&req->body);
	free(req);
	*con_cls = NULL;
}

int owlet_athena_server_start(struct owlet_athena_server **out, const struct owlet_athena_server_config *cfg)
{
	*out = NULL;
	struct owlet_athena_server *a = calloc(1, sizeof *a);
	if (!a)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->idle, NULL);
	a->model = cfg->model;
	a->log = cfg->log;
	a->log_cls = cfg->log_cls;
	a->bucket = strdup(cfg->bucket ? cfg->bucket : "");
	a->cache_dir = strdup(cfg->cache_dir);
	a->glue_database = cfg->glue_database ? strdup(cfg->glue_database) : NULL;
	a->result_age_ms = (cfg->result_age_s > 0 ? cfg->result_age_s : RESULT_AGE_S) * 1000LL;
	a->max_kept_rows = cfg->max_kept_rows > 0 ? cfg->max_kept_rows : MAX_KEPT_ROWS;
	a->cache_age_s = cfg->cache_age_s > 0 ? cfg->cache_age_s : cfg->cache_age_s < 0 ? 0 : CACHE_AGE_S;
	const char *src[5] = { cfg->s3.access_key, cfg->s3.secret_key, cfg->s3.session_token, cfg->s3.region,
			       cfg->s3.endpoint };
	for (int i = 0; i < 5; i++)
		a->s3_strings[i] = src[i] ? strdup(src[i]) : NULL;
	a->s3 = (struct owlet_s3_config){ a->s3_strings[0], a->s3_strings[1], a->s3_strings[2], a->s3_strings[3],
					  a->s3_strings[4] };
	int rc = a->bucket && a->cache_dir ? owlet_fs_mkdirs(a->cache_dir) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0 && owlet_duckdb_open(&a->db, cfg->duckdb_lib, a->cache_dir) < 0 &&
	    !(a->unavailable = strdup(owlet_error_last())))
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	struct owlet_http_config hc = { .port = cfg->port, .handler = handle, .handler_cls = a,
					.completed = completed, .connection_limit = 64, .timeout_s = 60 };
	if (rc == 0)
		rc = owlet_http_start(&a->daemon, &a->port, &hc);
	if (rc < 0) {
		owlet_athena_server_stop(a);
		return rc;
	}
	*out = a;
	return 0;
}

uint16_t owlet_athena_server_port(const struct owlet_athena_server *a)
{
	return a->port;
}

const char *owlet_athena_server_unavailable(const struct owlet_athena_server *a)
{
	return a->unavailable;
}

void owlet_athena_server_stop(struct owlet_athena_server *a)
{
	if (!a)
		return;
	if (a->daemon)
		MHD_stop_daemon(a->daemon);
	pthread_mutex_lock(&a->lock);
	a->stopping = true;
	while (a->running > 0)
		pthread_cond_wait(&a->idle, &a->lock);
	pthread_mutex_unlock(&a->lock);
	for (size_t i = 0; i < a->n_queries; i++)
		query_free(a->queries[i]);
	owlet_duckdb_close(a->db);
	for (int i = 0; i < 5; i++)
		free(a->s3_strings[i]);
	free(a->bucket);
	free(a->cache_dir);
	free(a->glue_database);
	free(a->unavailable);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->idle);
	free(a);
}
