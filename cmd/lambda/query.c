/* query.c: the query routes over Athena (see query.h). */
#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/athena.h"
#include "base/clock.h"
#include "base/error.h"
#include "lambda/compact.h"
#include "lambda/sql.h"
#include "model/model.h"

/* Time kept back from the deadline: the results' fetch and the answer. */
#define RESULT_MARGIN_MS 1000

static json_t *message(const char *fmt, const char *a)
{
	char buf[1024];
	snprintf(buf, sizeof buf, fmt, a);
	return json_pack("{s:s}", "message", buf);
}

static int open_client(struct lambda_ctx *ctx, int *status, json_t **body)
{
	if (ctx->athena)
		return 0;
	if (owlet_athena_client_open_env(&ctx->athena) < 0) {
		fprintf(stderr, "owlet-lambda: athena: %s\n", owlet_error_last());
		*status = 503;
		*body = message("no query engine: %s", owlet_error_last());
		return -1;
	}
	return 0;
}

/* Athena's failure as an answer. */
static void athena_error(int rc, int *status, json_t **body)
{
	fprintf(stderr, "owlet-lambda: athena: %s\n", owlet_error_last());
	if (rc == OWLET_ENOTFOUND) {
		*status = 503;
		*body = message("SQL is not available here: %s", owlet_error_last());
	} else if (rc == OWLET_EINTR) {
		*status = 504;
		*body = message("the request ran out of time%s", "");
	} else {
		*status = 502;
		*body = message("the query engine failed: %s", owlet_error_last());
	}
}

/* "2024-05-01 08:00:00.000" -> "2024-05-01T08:00:00.000Z" */
static json_t *timestamp_json(const char *v)
{
	char buf[64];
	size_t n = strlen(v);
	if (n < 19 || n > 40 || v[10] != ' ')
		return json_string(v);
	snprintf(buf, sizeof buf, "%.10sT%sZ", v, v + 11);
	return json_string(buf);
}

static json_t *typed(const char *type, const char *v)
{
	if (!v)
		return json_null();
	char *end = NULL;
	if (!strcmp(type, "bigint") || !strcmp(type, "integer") || !strcmp(type, "smallint") || !strcmp(type, "tinyint")) {
		long long i = strtoll(v, &end, 10);
		if (!*end)
			return json_integer(i);
	} else if (!strcmp(type, "double") || !strcmp(type, "real") || !strncmp(type, "decimal", 7)) {
		double d = strtod(v, &end);
		if (!*end)
			return json_real(d);
	} else if (!strcmp(type, "boolean")) {
		return json_boolean(!strcmp(v, "true"));
	} else if (!strncmp(type, "timestamp", 9)) {
		return timestamp_json(v);
	}
	return json_string(v);
}

/* The answer of a finished query (or 202 while it runs). */
static void answer(struct lambda_ctx *ctx, int *status, json_t **body, const char *id, const char *dataset,
		   int64_t deadline_ms)
{
	struct owlet_athena_status st = { 0 };
	int rc = owlet_athena_wait(ctx->athena, &st, id, deadline_ms ? deadline_ms - RESULT_MARGIN_MS : 0);
	if (rc < 0) {
		athena_error(rc, status, body);
	} else if (rc == 1) {
		char loc[96];
		snprintf(loc, sizeof loc, "/queries/%s", id);
		*status = 202;
		*body = json_pack("{s:s, s:s, s:s}", "query_id", id, "state", st.state, "location", loc);
	} else if (strcmp(st.state, "SUCCEEDED") != 0) {
		fprintf(stderr, "owlet-lambda: query %s %s: %s\n", id, st.state, st.reason ? st.reason : "");
		*status = 502;
		*body = json_pack("{s:s, s:s, s:s?}", "message", "the query did not succeed", "state", st.state,
				  "reason", st.reason);
	} else {
		json_t *cols = NULL, *rows = NULL;
		rc = owlet_athena_results(ctx->athena, &cols, &rows, id, OWLET_SQL_MAX_LIMIT);
		if (rc < 0) {
			athena_error(rc, status, body);
		} else {
			json_t *out = json_array();
			size_t i, c;
			json_t *row;
			json_array_foreach(rows, i, row) {
				json_t *o = json_object();
				for (c = 0; c < json_array_size(cols); c++) {
					const json_t *col = json_array_get(cols, c);
					const char *type = json_string_value(json_object_get(col, "type"));
					json_object_set_new(o, json_string_value(json_object_get(col, "name")),
							    typed(type ? type : "varchar",
								  json_string_value(json_array_get(row, c))));
				}
				json_array_append_new(out, o);
			}
			*status = 200;
			*body = json_pack("{s:s, s:s, s:O, s:I, s:o, s:I}", "dataset", dataset, "query_id", id, "columns",
					  cols, "count", (json_int_t)json_array_size(out), "rows", out, "bytes_scanned",
					  (json_int_t)st.scanned);
		}
		json_decref(cols);
		json_decref(rows);
	}
	owlet_athena_status_clear(&st);
}

void lambda_query_dataset(struct lambda_ctx *ctx, int *status, json_t **body, const json_t *event,
			  const struct owlet_dataset *ds, bool aggregate, int64_t deadline_ms)
{
	*body = NULL;
	struct owlet_sql q;
	const json_t *qs = json_object_get(event, "queryStringParameters");
	json_t *empty = json_object();
	/* the compacted days from curated, the rest raw (lambda/compact.h);
	 * without a bucket, or when the listing fails, raw alone: the same rows */
	struct owlet_compact_view view = { 0 };
	if (ctx->s3 && owlet_compact_view(ctx->s3, ctx->bucket, ds, NULL, &view) < 0)
		fprintf(stderr, "owlet-lambda: %s: reading raw only: %s\n", ds->name, owlet_error_last());
	int rc = aggregate ? owlet_sql_aggregate(&q, ds, view.body, json_is_object(qs) ? qs : empty)
			   : owlet_sql_rows(&q, ds, view.body, json_is_object(qs) ? qs : empty);
	owlet_compact_view_clear(&view);
	json_decref(empty);
	if (rc < 0) {
		*status = rc == OWLET_EINVALID ? 400 : 500;
		*body = message("%s", owlet_error_last());
		return;
	}
	if (open_client(ctx, status, body) < 0) {
		owlet_sql_clear(&q);
		return;
	}
	owlet_athena_client_set_deadline(ctx->athena, deadline_ms);
	char *id = NULL;
	rc = owlet_athena_start_query(ctx->athena, &id, q.text, q.params, getenv("OWLET_ATHENA_WORKGROUP"),
				      getenv("OWLET_GLUE_DATABASE"));
	if (rc < 0)
		athena_error(rc, status, body);
	else
		answer(ctx, status, body, id, ds->name, deadline_ms);
	if (*status == 200)
		json_object_set_new(*body, "limit", json_integer(q.limit));
	free(id);
	owlet_sql_clear(&q);
}

void lambda_query_get(struct lambda_ctx *ctx, int *status, json_t **body, const char *id,
		      const char *const *groups, size_t n_groups, int64_t deadline_ms)
{
	*body = NULL;
	size_t n = strlen(id);
	bool ok_id = n > 0 && n <= 64 && strspn(id, "0123456789abcdefABCDEF-") == n;
	if (!ok_id) {
		*status = 404;
		*body = message("no query '%s'", ok_id ? id : "?");
		return;
	}
	if (open_client(ctx, status, body) < 0)
		return;
	owlet_athena_client_set_deadline(ctx->athena, deadline_ms);
	struct owlet_athena_status st = { 0 };
	int rc = owlet_athena_status(ctx->athena, &st, id);
	char name[96];
	const struct owlet_dataset *ds = NULL;
	/* a query of the query routes reads one dataset; the caller must be
	 * able to read it and every other dataset the text names (a query run
	 * by other means may join several), else the id is as good as unknown */
	bool may = rc == 0 && owlet_sql_dataset(name, sizeof name, st.query) &&
		   (ds = owlet_model_dataset(ctx->model, name));
	for (size_t i = 0; may && i < ctx->model->n_datasets; i++)
		if (owlet_sql_names(st.query, ctx->model->datasets[i].name))
			may = owlet_dataset_can_read(&ctx->model->datasets[i], groups, n_groups);
	if (may)
		answer(ctx, status, body, id, ds->name, deadline_ms);
	else if (rc < 0 && rc != OWLET_EINVALID)
		athena_error(rc, status, body);
	else
		*status = 404, *body = message("no query '%s'", id);
	owlet_athena_status_clear(&st);
}

struct compact_totals {
	long long compacted, unchanged, removed, rows, raw_bytes, parquet_bytes, scanned;
};

static void compact_progress(void *cls, const struct owlet_compact_partition *p)
{
	struct compact_totals *t = cls;
	t->compacted += !strcmp(p->action, "compacted");
	t->unchanged += !strcmp(p->action, "unchanged");
	t->removed += !strcmp(p->action, "removed");
	t->rows += p->rows;
	t->raw_bytes += p->raw_bytes;
	t->parquet_bytes += p->parquet_bytes;
	t->scanned += p->scanned;
	fprintf(stderr, "owlet-lambda: compact %s %s: %s, %lld rows\n", p->dataset, *p->partition ? p->partition : "-",
		p->action, p->rows);
}

int lambda_compact_event(struct lambda_ctx *ctx, json_t **summary, int64_t deadline_ms)
{
	*summary = NULL;
	const char *database = getenv("OWLET_GLUE_DATABASE");
	if (!ctx->s3 || !database || !*database)
		return owlet_error_setc(OWLET_EUSAGE, "compaction needs OWLET_DATA_BUCKET and OWLET_GLUE_DATABASE");
	if (!ctx->athena && owlet_athena_client_open_env(&ctx->athena) < 0)
		return owlet_error_setc(OWLET_ENOTFOUND, "no query engine: %s", owlet_error_last());
	owlet_athena_client_set_deadline(ctx->athena, deadline_ms);
	struct compact_totals t = { 0 };
	struct owlet_compact_config cfg = {
		.model = ctx->model, .bucket = ctx->bucket, .database = database,
		.workgroup = getenv("OWLET_ATHENA_WORKGROUP"), .progress = compact_progress, .cls = &t,
	};
	int rc = owlet_compact(ctx->s3, ctx->athena, &cfg);
	if (rc < 0)
		return owlet_error_setc(rc, "compaction stopped after %lld partitions compacted (a run again goes on from "
					    "there): %s", t.compacted, owlet_error_last());
	*summary = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "ok", 1, "compacted", (json_int_t)t.compacted,
			     "unchanged", (json_int_t)t.unchanged, "removed", (json_int_t)t.removed, "rows",
			     (json_int_t)t.rows, "raw_bytes", (json_int_t)t.raw_bytes, "parquet_bytes",
			     (json_int_t)t.parquet_bytes, "bytes_scanned", (json_int_t)t.scanned);
	return *summary ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
}
