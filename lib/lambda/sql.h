/*
 * sql.h: the query routes' SQL, compiled from a request's query string and
 * the model (GET /datasets/NAME/rows and /aggregate).
 *
 * Identifiers come only from the model (a field name, or dt for a
 * partitioned dataset), double-quoted; every value the caller sent is
 * parsed as its column's type and passed as an Athena execution parameter
 * (an SQL literal in params, one per '?' of the text), never written into
 * the text.  LIMIT is written from the integer owlet parsed and bounded.
 * The SQL is what Athena (Trino) and DuckDB share; the table is named
 * unqualified (the query runs with the Glue database as its context).
 *
 * rows:       field=V (equal), field_gt=V, field_lt=V (strict), field_from=V
 *             (>=), field_to=V (<=); order_by=a,-b (- for descending);
 *             columns=a,b; limit=N (1..1000, default 100)
 * aggregate:  the same filters; group_by=a,b; count=* or count=a;
 *             sum=, avg= (int and float fields), min=, max= (any ordered
 *             field), each a comma list; limit=N groups (1..1000, default
 *             1000); rows ordered by the group columns.  Output columns:
 *             the group columns, count, sum_F, avg_F, min_F, max_F.
 * Ordering filters (_gt _lt _from _to) and min/max are refused on bool
 * fields.  At most 64 filters; a value of at most 4096 bytes.
 */
#ifndef OWLET_LAMBDA_SQL_H
#define OWLET_LAMBDA_SQL_H

#include <stdbool.h>

#include <jansson.h>

#include "model/model.h"

#define OWLET_SQL_MAX_LIMIT 1000

struct owlet_sql {
	char *text;       /* owned */
	json_t *params;   /* owned: array of SQL literal strings */
	int limit;
};

/* query: the event's queryStringParameters (object of strings, may be NULL).
 * view: NULL to read the table "NAME", else the body of the dataset's one
 * view over raw and curated (owlet_compact_view, lambda/compact.h), read
 * as FROM (view) AS "NAME".
 * 0, or OWLET_EINVALID with a message for a 400 ("unknown column 'x'"). */
int owlet_sql_rows(struct owlet_sql *out, const struct owlet_dataset *ds, const char *view, const json_t *query);
int owlet_sql_aggregate(struct owlet_sql *out, const struct owlet_dataset *ds, const char *view, const json_t *query);
void owlet_sql_clear(struct owlet_sql *q);

/* An SQL string literal of s: quotes, with each ' doubled (new string). */
char *owlet_sql_string_literal(const char *s);

/* The dataset a query of owlet_sql_* reads: the name after its first
 * ` FROM "` (copied into name; with a view, its first table, NAME), or false. */
bool owlet_sql_dataset(char *name, size_t size, const char *text);

/* Whether text names `name` as a word, in any case (a table it may read). */
bool owlet_sql_names(const char *text, const char *name);

/* Free SQL (owlet query) over the datasets' views: *out (new string) is
 * sql with "WITH "NAME" AS (body), ..." before it for each names[k] that
 * sql names as a word and whose bodies[k] is not NULL (owlet_compact_view
 * with the database given: its tables fully qualified, so that they are
 * the Glue tables, not the CTE); a sql that starts with WITH gets them
 * first in its list.  A statement that is not a query (it does not start
 * with SELECT, WITH or '(': UNLOAD, SHOW...) is left as it is. */
bool owlet_sql_is_query(const char *sql);
int owlet_sql_with_views(char **out, const char *sql, const char *const *names, const char *const *bodies, size_t n);

#endif
