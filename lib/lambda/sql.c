/* sql.c: SQL for the query routes, from the model (see sql.h). */
#include "lambda/sql.h"
#include "agg/agg.h"
#include "base/buf.h"
#include "base/error.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FILTERS 64
#define MAX_VALUE 4096
#define MAX_LIST 64

struct column {
	const char *name;
	enum owlet_type type;
};

static int bad(const char *fmt, const char *a, const char *b)
{
	return owlet_error_setc(OWLET_EINVALID, fmt, a, b);
}

/* The column `name` of the dataset (a field, or dt when partitioned). */
static bool column(struct column *c, const struct owlet_dataset *ds, const char *name, size_t n)
{
	for (size_t i = 0; i < ds->n_fields; i++)
		if (strlen(ds->fields[i].name) == n && memcmp(ds->fields[i].name, name, n) == 0) {
			*c = (struct column){ ds->fields[i].name, ds->fields[i].type };
			return true;
		}
	if (ds->partition_by && n == 2 && memcmp(name, "dt", 2) == 0) {
		*c = (struct column){ "dt", OWLET_TYPE_DATE };
		return true;
	}
	return false;
}

char *owlet_sql_string_literal(const char *s)
{
	struct owlet_buf b = { 0 };
	owlet_buf_append(&b, "'", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			owlet_buf_append(&b, "'", 1);
		owlet_buf_append(&b, p, 1);
	}
	if (owlet_buf_append(&b, "'", 1) < 0) {
		owlet_buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* The literal of a value of the column's type, or OWLET_EINVALID. */
static int literal(char **out, const struct column *c, const char *key, const char *v)
{
	*out = NULL;
	size_t n = strlen(v);
	char buf[96];
	int64_t i;
	double d;
	bool b;
	switch (c->type) {
	case OWLET_TYPE_INT:
		if (!owlet_parse_int(v, n, &i))
			return bad("'%s': '%s' is not an integer", key, v);
		snprintf(buf, sizeof buf, "%lld", (long long)i);
		break;
	case OWLET_TYPE_FLOAT:
		if (!owlet_parse_float(v, n, &d) || !isfinite(d))
			return bad("'%s': '%s' is not a finite number", key, v);
		snprintf(buf, sizeof buf, "%.17g", d);
		if (!strpbrk(buf, ".e")) /* a double, not an integer, for Trino */
			strcat(buf, "e0");
		break;
	case OWLET_TYPE_BOOL:
		if (!owlet_parse_bool(v, n, &b))
			return bad("'%s': '%s' is not true or false", key, v);
		snprintf(buf, sizeof buf, "%s", b ? "true" : "false");
		break;
	case OWLET_TYPE_DATE:
		if (!owlet_parse_date(v, n, &i))
			return bad("'%s': '%s' is not a date (YYYY-MM-DD)", key, v);
		strcpy(buf, "DATE '");
		owlet_format_date(buf + 6, sizeof buf - 8, i);
		strcat(buf, "'");
		break;
	case OWLET_TYPE_TIMESTAMP: {
		if (!owlet_parse_timestamp(v, n, &i))
			return bad("'%s': '%s' is not a timestamp (ISO 8601)", key, v);
		char iso[64];
		owlet_format_timestamp(iso, sizeof iso, i);
		char *t = strchr(iso, 'T'), *z = strchr(iso, 'Z');
		if (t)
			*t = ' ';
		if (z)
			*z = '\0';
		snprintf(buf, sizeof buf, "TIMESTAMP '%s'", iso);
		break;
	}
	default:
		*out = owlet_sql_string_literal(v);
		return *out ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	*out = strdup(buf);
	return *out ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
}

static const char *const suffixes[] = { "_gt", "_lt", "_from", "_to" };
static const char *const operators[] = { ">", "<", ">=", "<=" };

static bool reserved(const char *key, bool aggregate)
{
	static const char *const rows_keys[] = { "columns", "order_by", "limit" };
	static const char *const agg_keys[] = { "group_by", "count", "sum", "avg", "min", "max", "limit" };
	const char *const *k = aggregate ? agg_keys : rows_keys;
	size_t n = aggregate ? sizeof agg_keys / sizeof agg_keys[0] : sizeof rows_keys / sizeof rows_keys[0];
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, k[i]) == 0)
			return true;
	return false;
}

/* WHERE ... for every parameter that is not reserved. */
static int filters(struct owlet_buf *sql, json_t *params, const struct owlet_dataset *ds, const json_t *query,
		   bool aggregate)
{
	const char *key;
	json_t *v;
	size_t n = 0;
	json_object_foreach((json_t *)query, key, v) {
		if (reserved(key, aggregate))
			continue;
		const char *value = json_string_value(v);
		if (!value)
			return bad("'%s'%s: not a string", key, "");
		if (++n > MAX_FILTERS)
			return bad("more than 64 filters%s%s", "", "");
		if (strlen(value) > MAX_VALUE)
			return bad("'%s': the value is over 4096 bytes%s", key, "");
		struct column c;
		const char *op = "=";
		size_t kl = strlen(key);
		if (!column(&c, ds, key, kl)) {
			bool found = false;
			for (size_t s = 0; s < 4 && !found; s++) {
				size_t sl = strlen(suffixes[s]);
				if (kl > sl && strcmp(key + kl - sl, suffixes[s]) == 0 && column(&c, ds, key, kl - sl)) {
					found = true;
					op = operators[s];
				}
			}
			if (!found) {
				/* name the column the parameter would filter */
				char base[128];
				snprintf(base, sizeof base, "%s", key);
				for (size_t s = 0; s < 4; s++) {
					size_t sl = strlen(suffixes[s]), bl = strlen(base);
					if (bl > sl && strcmp(base + bl - sl, suffixes[s]) == 0) {
						base[bl - sl] = '\0';
						break;
					}
				}
				return bad("unknown column '%s' (dataset '%s')", base, ds->name);
			}
			if (c.type == OWLET_TYPE_BOOL)
				return bad("'%s': '%s' is a bool field; filter it with field=true|false", key, c.name);
		}
		char *lit = NULL;
		int rc = literal(&lit, &c, key, value);
		if (rc < 0)
			return rc;
		if (json_array_append_new(params, json_string(lit)) < 0) {
			free(lit);
			return owlet_error_setc(OWLET_ENOMEM, "out of memory");
		}
		free(lit);
		char piece[160];
		snprintf(piece, sizeof piece, "%s\"%s\" %s ?", n == 1 ? " WHERE " : " AND ", c.name, op);
		owlet_buf_append(sql, piece, strlen(piece));
	}
	return 0;
}

/* Splits a comma list into columns of the dataset (at most MAX_LIST);
 * desc (may be NULL) takes a leading '-' of each. */
static int column_list(struct column *cols, bool *desc, size_t *n, const struct owlet_dataset *ds, const char *list,
		       const char *what)
{
	*n = 0;
	for (const char *p = list;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		bool minus = desc && len > 0 && *p == '-';
		char name[128];
		snprintf(name, sizeof name, "%.*s", (int)(len - minus < 127 ? len - minus : 127), p + minus);
		if (*n == MAX_LIST)
			return bad("%s: more than 64 columns%s", what, "");
		if (!column(&cols[*n], ds, p + minus, len - minus))
			return bad((len - minus) ? "unknown column '%s' (in %s)" : "an empty column name%s (in %s)",
				   (len - minus) ? name : "", what);
		if (desc)
			desc[*n] = minus;
		(*n)++;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int parse_limit(int *out, const json_t *query, int dflt)
{
	const char *v = json_string_value(json_object_get(query, "limit"));
	*out = dflt;
	if (!v)
		return 0;
	int64_t i;
	if (!owlet_parse_int(v, strlen(v), &i) || i < 1 || i > OWLET_SQL_MAX_LIMIT)
		return bad("'limit': '%s' is not an integer from 1 to 1000%s", v, "");
	*out = (int)i;
	return 0;
}

/* FROM the dataset's table and the WHERE of the filters. */
static int from_where(struct owlet_buf *sql, json_t *params, const struct owlet_dataset *ds, const char *view,
		      const json_t *query, bool aggregate)
{
	char from[96];
	if (view) {
		owlet_buf_append(sql, " FROM (", 7);
		owlet_buf_append(sql, view, strlen(view));
		snprintf(from, sizeof from, ") AS \"%s\"", ds->name);
	} else {
		snprintf(from, sizeof from, " FROM \"%s\"", ds->name);
	}
	owlet_buf_append(sql, from, strlen(from));
	return filters(sql, params, ds, query, aggregate);
}

/* Ends the text with LIMIT (an integer owlet parsed, never the caller's
 * text) and hands it over, or frees everything on failure. */
static int finish(struct owlet_sql *out, struct owlet_buf *sql, json_t *params, int rc)
{
	if (rc == 0) {
		char lim[32];
		snprintf(lim, sizeof lim, " LIMIT %d", out->limit);
		owlet_buf_append(sql, lim, strlen(lim));
	}
	if (rc == 0 && !sql->data)
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc < 0) {
		owlet_buf_free(sql);
		json_decref(params);
		return rc;
	}
	out->text = sql->data;
	out->params = params;
	return 0;
}

static void quoted_list(struct owlet_buf *sql, const struct column *cols, const bool *desc, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char piece[160];
		snprintf(piece, sizeof piece, "%s\"%s\"%s", i ? ", " : "", cols[i].name, desc && desc[i] ? " DESC" : "");
		owlet_buf_append(sql, piece, strlen(piece));
	}
}

int owlet_sql_rows(struct owlet_sql *out, const struct owlet_dataset *ds, const char *view, const json_t *query)
{
	memset(out, 0, sizeof *out);
	struct owlet_buf sql = { 0 };
	json_t *params = json_array();
	struct column cols[MAX_LIST], order[MAX_LIST];
	bool desc[MAX_LIST];
	size_t nc = 0, no = 0;
	int rc = params ? parse_limit(&out->limit, query, 100) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	const char *cl = json_string_value(json_object_get(query, "columns"));
	const char *ob = json_string_value(json_object_get(query, "order_by"));
	if (rc == 0 && cl)
		rc = column_list(cols, NULL, &nc, ds, cl, "columns");
	if (rc == 0 && ob)
		rc = column_list(order, desc, &no, ds, ob, "order_by");
	if (rc == 0 && !cl) {
		for (size_t i = 0; i < ds->n_fields && nc < MAX_LIST; i++)
			cols[nc++] = (struct column){ ds->fields[i].name, ds->fields[i].type };
		if (ds->partition_by && nc < MAX_LIST)
			cols[nc++] = (struct column){ "dt", OWLET_TYPE_DATE };
	}
	if (rc == 0) {
		owlet_buf_append(&sql, "SELECT ", 7);
		quoted_list(&sql, cols, NULL, nc);
		rc = from_where(&sql, params, ds, view, query, false);
	}
	if (rc == 0 && no) {
		owlet_buf_append(&sql, " ORDER BY ", 10);
		quoted_list(&sql, order, desc, no);
	}
	return finish(out, &sql, params, rc);
}

int owlet_sql_aggregate(struct owlet_sql *out, const struct owlet_dataset *ds, const char *view, const json_t *query)
{
	memset(out, 0, sizeof *out);
	struct owlet_buf sql = { 0 };
	json_t *params = json_array();
	struct column group[MAX_LIST], cols[MAX_LIST];
	size_t ng = 0, nc = 0, n_aggs = 0;
	int rc = params ? parse_limit(&out->limit, query, OWLET_SQL_MAX_LIMIT)
			: owlet_error_setc(OWLET_ENOMEM, "out of memory");
	const char *gb = json_string_value(json_object_get(query, "group_by"));
	if (rc == 0 && gb)
		rc = column_list(group, NULL, &ng, ds, gb, "group_by");
	if (rc == 0) {
		owlet_buf_append(&sql, "SELECT ", 7);
		quoted_list(&sql, group, NULL, ng);
	}
	const char *count = json_string_value(json_object_get(query, "count"));
	if (rc == 0 && count) {
		struct column c;
		char piece[160];
		if (strcmp(count, "*") == 0)
			snprintf(piece, sizeof piece, "%scount(*) AS \"count\"", ng ? ", " : "");
		else if (column(&c, ds, count, strlen(count)))
			snprintf(piece, sizeof piece, "%scount(\"%s\") AS \"count\"", ng ? ", " : "", c.name);
		else
			rc = bad("unknown column '%s' (in count)%s", count, "");
		if (rc == 0)
			owlet_buf_append(&sql, piece, strlen(piece));
		n_aggs++;
	}
	static const char *const fns[] = { "sum", "avg", "min", "max" };
	for (size_t f = 0; rc == 0 && f < 4; f++) {
		const char *list = json_string_value(json_object_get(query, fns[f]));
		if (!list)
			continue;
		rc = column_list(cols, NULL, &nc, ds, list, fns[f]);
		for (size_t i = 0; rc == 0 && i < nc; i++) {
			bool numeric = cols[i].type == OWLET_TYPE_INT || cols[i].type == OWLET_TYPE_FLOAT;
			if (f < 2 && !numeric)
				rc = bad("%s: '%s' is not a number field", fns[f], cols[i].name);
			else if (cols[i].type == OWLET_TYPE_BOOL)
				rc = bad("%s: '%s' is a bool field", fns[f], cols[i].name);
			if (rc < 0)
				break;
			char piece[200];
			snprintf(piece, sizeof piece, "%s%s(\"%s\") AS \"%s_%s\"", ng + n_aggs ? ", " : "", fns[f],
				 cols[i].name, fns[f], cols[i].name);
			owlet_buf_append(&sql, piece, strlen(piece));
			n_aggs++;
		}
	}
	if (rc == 0 && n_aggs == 0)
		rc = bad("give at least one of count=*, sum=, avg=, min=, max=%s%s", "", "");
	if (rc == 0)
		rc = from_where(&sql, params, ds, view, query, true);
	if (rc == 0 && ng) {
		owlet_buf_append(&sql, " GROUP BY ", 10);
		quoted_list(&sql, group, NULL, ng);
		owlet_buf_append(&sql, " ORDER BY ", 10);
		quoted_list(&sql, group, NULL, ng);
	}
	return finish(out, &sql, params, rc);
}

void owlet_sql_clear(struct owlet_sql *q)
{
	free(q->text);
	json_decref(q->params);
	memset(q, 0, sizeof *q);
}

bool owlet_sql_dataset(char *name, size_t size, const char *text)
{
	const char *p = text ? strstr(text, " FROM \"") : NULL;
	if (!p)
		return false;
	p += 7;
	const char *e = strchr(p, '"');
	if (!e || (size_t)(e - p) >= size || e == p)
		return false;
	memcpy(name, p, (size_t)(e - p));
	name[e - p] = '\0';
	return true;
}

bool owlet_sql_names(const char *text, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = text; n && (p = strcasestr(p, name)); p++) {
		bool before = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool after = !(isalnum((unsigned char)p[n]) || p[n] == '_');
		if (before && after)
			return true;
	}
	return false;
}

/* The index after spaces and comments from i. */
static size_t skip_blank(const char *s, size_t i)
{
	for (;;) {
		while (isspace((unsigned char)s[i]))
			i++;
		if (s[i] == '-' && s[i + 1] == '-') {
			while (s[i] && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && s[i + 1] == '*') {
			const char *e = strstr(s + i + 2, "*/");
			if (!e)
				return i;
			i = (size_t)(e - s) + 2;
		} else {
			return i;
		}
	}
}

static bool keyword_at(const char *s, size_t i, const char *w)
{
	size_t n = strlen(w);
	return strncasecmp(s + i, w, n) == 0 && !(isalnum((unsigned char)s[i + n]) || s[i + n] == '_');
}

bool owlet_sql_is_query(const char *sql)
{
	size_t i = skip_blank(sql, 0);
	return keyword_at(sql, i, "WITH") || keyword_at(sql, i, "SELECT") || sql[i] == '(';
}

int owlet_sql_with_views(char **out, const char *sql, const char *const *names, const char *const *bodies, size_t n)
{
	*out = NULL;
	size_t i = skip_blank(sql, 0), with_end = 0;
	bool with = keyword_at(sql, i, "WITH");
	if (with) {
		with_end = skip_blank(sql, i + 4);
		if (keyword_at(sql, with_end, "RECURSIVE"))
			with_end += 9;
	}
	if (!owlet_sql_is_query(sql))
		n = 0; /* not a query (UNLOAD, SHOW, DESCRIBE...): as it is */
	struct owlet_buf b = { 0 };
	size_t used = 0;
	for (size_t k = 0; k < n; k++) {
		if (!bodies[k] || !owlet_sql_names(sql, names[k]))
			continue;
		char head[160];
		snprintf(head, sizeof head, "%s\"%s\" AS (", used++ ? ", " : "WITH ", names[k]);
		owlet_buf_append(&b, head, strlen(head));
		owlet_buf_append(&b, bodies[k], strlen(bodies[k]));
		owlet_buf_append(&b, ")", 1);
	}
	if (used && with) {
		owlet_buf_append(&b, ",", 1);
		owlet_buf_append(&b, sql + with_end, strlen(sql + with_end));
	} else {
		if (used)
			owlet_buf_append(&b, " ", 1);
		owlet_buf_append(&b, sql, strlen(sql));
	}
	if (!b.data || owlet_buf_append(&b, "", 0) < 0) {
		owlet_buf_free(&b);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	*out = b.data;
	return 0;
}
