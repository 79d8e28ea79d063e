/*
 * handlers.c: the dataset API on API Gateway HTTP API payload 2.0 events,
 * and the entry point of S3 events (see handlers.h).  Storing POSTed
 * records is post.c.
 *
 * Row counts (GET /datasets): every object the API writes carries its number
 * of records in its key, raw/<name>/dt=YYYY-MM-DD/<time>-<random>-r<N>.jsonl,
 * so counting is one ListObjectsV2 walk of raw/<name>/ and no object is read.
 * Objects that arrived another way (copied by hand in the layout) have no
 * count in their key: they are read and their lines counted.  Only *.jsonl
 * objects are part of the layout (docs/contracts.md); others are not counted.
 */
#include "base/random.h"
#include "base/base64.h"
#include "base/clock.h"
#include "base/hash.h"
#include "handlers.h"
#include "post.h"
#include "upload.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/error.h"
#include "lambda/idempotency.h"
#include "model/model.h"
#include "model/openapi.h"
#include "lambda/records.h"
#include "layout.h"
#include "meta.h"
#include "aws/jsonapi.h"
#include "aws/s3.h"
#include "stats.h"
#include "query.h"
#include "aws/athena.h"

/* Below this much time left, an invocation is answered 504 at once. */
#define MIN_TIME_MS 100

struct caller {
	bool signed_in;
	const char **groups; /* owned array of the model's (borrowed) names */
	size_t n_groups;
};

/* The model's text: OWLET_MODEL itself (tests, the local API), else the
 * object OWLET_MODEL_KEY of the data bucket (AWS: the model is any size,
 * while Lambda allows 4 KB of environment), checked against
 * OWLET_MODEL_SHA256 when set.  *text is the caller's. */
static int model_text_of(struct lambda_ctx *ctx, char **text, const char **source)
{
	const char *env = getenv("OWLET_MODEL"), *key = getenv("OWLET_MODEL_KEY");
	*source = "OWLET_MODEL";
	if (env && *env) {
		*text = strdup(env);
		return *text ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	if (!key || !*key)
		return owlet_error_setc(OWLET_EUSAGE, "neither OWLET_MODEL nor OWLET_MODEL_KEY is set");
	if (!ctx->s3)
		return owlet_error_setc(OWLET_EUSAGE, "OWLET_MODEL_KEY is set, but OWLET_DATA_BUCKET is not");
	*source = key;
	size_t len = 0;
	int rc = owlet_s3_get(ctx->s3, text, &len, ctx->bucket, key);
	if (rc < 0)
		return owlet_error_setc(rc, "the model: %s", owlet_error_last());
	const char *want = getenv("OWLET_MODEL_SHA256");
	char got[65];
	owlet_sha256_hex(got, *text, len);
	if (want && *want && strcmp(got, want) != 0) {
		free(*text);
		*text = NULL;
		return owlet_error_setc(OWLET_EINVALID,
					"s3://%s/%s has SHA-256 %s, not OWLET_MODEL_SHA256 %s: the model and the function's configuration differ",
					ctx->bucket, key, got, want);
	}
	return 0;
}

int lambda_init(struct lambda_ctx *ctx)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->bucket = getenv("OWLET_DATA_BUCKET");
	if (ctx->bucket && *ctx->bucket) {
		int rc = owlet_s3_open_env(&ctx->s3);
		if (rc < 0) {
			lambda_fini(ctx);
			return rc;
		}
	} else {
		ctx->bucket = NULL;
	}
	int rc = lambda_meta_open(ctx);
	if (rc < 0) {
		lambda_fini(ctx);
		return rc;
	}
	char *model_text = NULL;
	const char *source;
	rc = model_text_of(ctx, &model_text, &source);
	if (rc < 0) {
		lambda_fini(ctx);
		return rc;
	}
	json_error_t jerr;
	json_t *j = json_loads(model_text, 0, &jerr);
	free(model_text);
	if (!j) {
		lambda_fini(ctx);
		return owlet_error_setc(OWLET_EINVALID, "%s:%d:%d: %s", source, jerr.line, jerr.column, jerr.text);
	}
	rc = owlet_model_from_json(&ctx->model, j);
	json_decref(j);
	if (rc < 0) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s", owlet_error_last());
		lambda_fini(ctx);
		return owlet_error_setc(rc, "%s: %s", source, msg);
	}
	return 0;
}

void lambda_fini(struct lambda_ctx *ctx)
{
	owlet_model_free(ctx->model);
	owlet_s3_free(ctx->s3);
	owlet_athena_client_free(ctx->athena);
	owlet_aws_jsonapi_free(ctx->meta);
	memset(ctx, 0, sizeof *ctx);
}

void lambda_result_clear(struct lambda_result *res)
{
	free(res->body);
	free(res->error_message);
	memset(res, 0, sizeof *res);
}

static void set_error(struct lambda_result *res, const char *type, const char *msg)
{
	res->error_type = type;
	res->error_message = strdup(msg);
}

/* The payload 2.0 response around a JSON body (stolen); `replayed` adds
 * Idempotent-Replayed: true (an answer given again for an Idempotency-Key). */
void lambda_respond_replay(struct lambda_result *res, int status, json_t *body, bool replayed)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	json_t *r = text ? json_pack("{s:i, s:{s:s}, s:s, s:b}", "statusCode", status, "headers",
				     "content-type", "application/json", "body", text,
				     "isBase64Encoded", 0)
			 : NULL;
	if (r && replayed &&
	    json_object_set_new(json_object_get(r, "headers"), "idempotent-replayed", json_string("true")) < 0) {
		json_decref(r);
		r = NULL;
	}
	free(text);
	res->body = r ? json_dumps(r, JSON_COMPACT) : NULL;
	res->status = status;
	json_decref(r);
	if (!res->body)
		set_error(res, "Runtime.OutOfMemory", "out of memory");
}

void lambda_respond(struct lambda_result *res, int status, json_t *body)
{
	lambda_respond_replay(res, status, body, false);
}

void lambda_respond_message(struct lambda_result *res, int status, const char *msg)
{
	lambda_respond(res, status, json_pack("{s:s}", "message", msg));
}

/* Maps a failed S3 call to 504 (deadline) or 502. */
void lambda_respond_s3_error(struct lambda_result *res, int rc)
{
	fprintf(stderr, "owlet-lambda: %s\n", owlet_error_last());
	if (rc == OWLET_EINTR)
		lambda_respond_message(res, 504, "the request ran out of time");
	else
		lambda_respond_message(res, 502, "the data store failed; try again");
}

/* The caller of an HTTP event: signed in when API Gateway's JWT authorizer
 * passed claims; groups are the model's groups that cognito:groups names
 * (owlet_model_claim_groups reads both the JSON array and API Gateway's
 * "[a b]" string form), every one of them, borrowed from the model. */
static int caller_from_event(struct caller *c, const struct owlet_model *model, const json_t *event)
{
	memset(c, 0, sizeof *c);
	const json_t *claims = json_object_get(
		json_object_get(json_object_get(json_object_get(event, "requestContext"), "authorizer"), "jwt"),
		"claims");
	if (!json_is_object(claims))
		return 0;
	c->signed_in = true;
	return owlet_model_claim_groups(model, json_object_get(claims, "cognito:groups"), &c->groups,
					&c->n_groups);
}

static json_t *str_array(char **items, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(items[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* A bound of a field: an integer for int fields. */
static json_t *number_json(const struct owlet_field *f, double v)
{
	return f->type == OWLET_TYPE_INT ? json_integer((json_int_t)v) : json_real(v);
}

/* The schema of a dataset, as GET /datasets/{name} returns it. */
static json_t *schema_json(const struct owlet_dataset *ds)
{
	json_t *fields = json_array();
	for (size_t i = 0; fields && i < ds->n_fields; i++) {
		const struct owlet_field *f = &ds->fields[i];
		json_t *o = json_pack("{s:s, s:s, s:b}", "name", f->name, "type", owlet_type_name(f->type),
				      "required", f->required);
		if (!o || json_array_append_new(fields, o) < 0 ||
		    (f->enum_values && json_object_set_new(o, "enum", str_array(f->enum_values, f->n_enum)) < 0) ||
		    (f->has_min && json_object_set_new(o, "min", number_json(f, f->min)) < 0) ||
		    (f->has_max && json_object_set_new(o, "max", number_json(f, f->max)) < 0) ||
		    (f->max_length >= 0 && json_object_set_new(o, "max_length", json_integer(f->max_length)) < 0)) {
			json_decref(fields);
			return NULL;
		}
	}
	if (!fields)
		return NULL;
	return json_pack("{s:s, s:s?, s:s, s:s?, s:s?, s:o, s:{s:o, s:o}}", "name", ds->name, "description",
			 ds->description, "format", owlet_format_name(ds->format), "key", ds->key,
			 "partition_by", ds->partition_by, "fields", fields, "access", "read",
			 str_array(ds->read, ds->n_read), "write", str_array(ds->write, ds->n_write));
}

/* The record count in a key written by this API: "...-r<N>.jsonl"; -1 when
 * the key has none. */
static long long count_in_key(const char *key)
{
	const char *dot = strrchr(key, '.');
	if (!dot || strcmp(dot, ".jsonl") != 0)
		return -1;
	const char *p = dot;
	while (p > key && p[-1] >= '0' && p[-1] <= '9')
		p--;
	if (p == dot || p - key < 2 || p[-1] != 'r' || p[-2] != '-')
		return -1;
	return strtoll(p, NULL, 10);
}

static long long count_lines(const char *body, size_t len)
{
	long long n = 0;
	bool content = false;
	for (size_t i = 0; i < len; i++) {
		if (body[i] == '\n') {
			n += content;
			content = false;
		} else if (body[i] != '\r' && body[i] != ' ') {
			content = true;
		}
	}
	n += content;
	return n;
}

static int row_count(struct lambda_ctx *ctx, long long *out, const struct owlet_dataset *ds)
{
	*out = 0;
	char prefix[128];
	snprintf(prefix, sizeof prefix, "raw/%s/", ds->name);
	struct owlet_s3_list list = { 0 };
	int rc = owlet_s3_list(ctx->s3, &list, ctx->bucket, prefix, 0);
	for (size_t i = 0; rc >= 0 && i < list.count; i++) {
		if (owlet_s3_key_check(list.items[i].key, prefix) < 0) { /* never read (stats.h) */
			char why[256];
			snprintf(why, sizeof why, "%s", owlet_error_last());
			lambda_refuse_key(ctx, list.items[i].key, why);
			continue;
		}
		const char *ext = strrchr(list.items[i].key, '.');
		if (!ext || strcmp(ext, ".jsonl") != 0)
			continue; /* not part of the layout (docs/contracts.md): no table reads it */
		long long n = count_in_key(list.items[i].key);
		if (n < 0 && list.items[i].size > 0) {
			char *body;
			size_t len;
			rc = owlet_s3_get(ctx->s3, &body, &len, ctx->bucket, list.items[i].key);
			if (rc == OWLET_ENOTFOUND) { /* deleted meanwhile */
				rc = 0;
				continue;
			}
			if (rc < 0)
				break;
			n = count_lines(body, len);
			free(body);
		}
		*out += n > 0 ? n : 0;
	}
	owlet_s3_list_clear(&list);
	return rc;
}

static void list_datasets(struct lambda_ctx *ctx, struct lambda_result *res, const struct caller *c)
{
	json_t *arr = json_array(), *summaries = NULL;
	const char **names = calloc(ctx->model->n_datasets + 1, sizeof *names);
	size_t n_names = 0;
	for (size_t i = 0; names && i < ctx->model->n_datasets; i++)
		if (owlet_dataset_can_read(&ctx->model->datasets[i], c->groups, c->n_groups))
			names[n_names++] = ctx->model->datasets[i].name;
	if (!arr || !names) {
		json_decref(arr);
		free(names);
		return lambda_respond(res, 500, NULL);
	}
	if (ctx->meta) {
		int rc = lambda_meta_summaries(ctx, &summaries, names, n_names);
		if (rc < 0) {
			fprintf(stderr, "owlet-lambda: the metadata table: %s\n", owlet_error_last());
			json_decref(arr);
			free(names);
			return lambda_respond_message(res, rc == OWLET_EINTR ? 504 : 502,
						      "the dataset metadata table cannot be read");
		}
	}
	free(names);
	for (size_t i = 0; i < ctx->model->n_datasets; i++) {
		const struct owlet_dataset *ds = &ctx->model->datasets[i];
		if (!owlet_dataset_can_read(ds, c->groups, c->n_groups))
			continue;
		json_t *o = schema_json(ds);
		if (!o || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			json_decref(summaries);
			return lambda_respond(res, 500, NULL);
		}
		json_t *count = json_null();
		if (summaries) { /* no item yet: nothing stored through the API */
			const json_t *s = json_object_get(summaries, ds->name);
			count = json_integer(s ? json_integer_value(json_object_get(s, "row_count")) : 0);
			json_object_set_new(o, "bytes", json_integer(s ? json_integer_value(json_object_get(s, "bytes")) : 0));
			json_object_set(o, "last_update", s && json_object_get(s, "last_update")
								  ? json_object_get(s, "last_update") : json_null());
		} else if (ctx->s3) {
			long long n;
			int rc = row_count(ctx, &n, ds);
			if (rc < 0) {
				json_decref(arr);
				return lambda_respond_s3_error(res, rc);
			}
			count = json_integer(n);
		}
		json_object_set_new(o, "row_count", count);
	}
	json_decref(summaries);
	lambda_respond(res, 200, json_pack("{s:o}", "datasets", arr));
}

/* HANDLER SLOT: GET /datasets/{name}/stats, for the aggregation issue to
 * fill.  Routing, authentication and the read check are done: `ds` exists
 * and the caller may read it.  Answer with lambda_respond() (200 + the statistics
 * JSON); S3 is ctx->s3 / ctx->bucket, with the invocation's deadline set. */
static void handle_stats(struct lambda_ctx *ctx, struct lambda_result *res, const json_t *event,
			 const struct owlet_dataset *ds)
{
	(void)event;
	if (!ctx->s3) {
		lambda_respond_message(res, 503, "no data bucket is configured (OWLET_DATA_BUCKET)");
		return;
	}
	json_t *report = NULL;
	int rc = lambda_stats(ctx, &report, ds); /* stats.c */
	if (rc < 0)
		lambda_respond_s3_error(res, rc);
	else
		lambda_respond(res, 200, report);
}

/* The path of the request without the stage prefix ("/v1/datasets" on a
 * stage named v1; "$default" has none). */
static const char *route_path(const json_t *event)
{
	const char *path = json_string_value(json_object_get(event, "rawPath"));
	const json_t *rc = json_object_get(event, "requestContext");
	if (!path)
		path = json_string_value(json_object_get(json_object_get(rc, "http"), "path"));
	if (!path)
		return NULL;
	const char *stage = json_string_value(json_object_get(rc, "stage"));
	if (stage && *stage && strcmp(stage, "$default") != 0) {
		size_t n = strlen(stage);
		if (path[0] == '/' && strncmp(path + 1, stage, n) == 0 && (path[n + 1] == '/' || !path[n + 1]))
			path += n + 1;
	}
	return path;
}

static void handle_http(struct lambda_ctx *ctx, struct lambda_result *res, const json_t *event,
			const char *method)
{
	const char *path = route_path(event);
	if (!path)
		return lambda_respond_message(res, 400, "the event has no rawPath");
	struct caller c;
	if (caller_from_event(&c, ctx->model, event) < 0)
		return lambda_respond(res, 500, NULL);
	if (!c.signed_in) {
		lambda_respond_message(res, 401, "Unauthorized");
		goto out;
	}
	if (strncmp(path, "/queries/", 9) == 0 && !strchr(path + 9, '/')) {
		if (strcmp(method, "GET") != 0) {
			lambda_respond_message(res, 405, "method not allowed");
		} else {
			int status = 500;
			json_t *body = NULL;
			lambda_query_get(ctx, &status, &body, path + 9, c.groups, c.n_groups, ctx->deadline_ms);
			lambda_respond(res, status, body);
		}
		goto out;
	}
	if (strcmp(path, "/openapi.json") == 0) { /* the API's own description, made from the model */
		if (strcmp(method, "GET") != 0) {
			lambda_respond_message(res, 405, "method not allowed");
			goto out;
		}
		const char *iss = json_string_value(json_object_get(
			json_object_get(json_object_get(json_object_get(json_object_get(event, "requestContext"), "authorizer"),
							"jwt"),
					"claims"),
			"iss"));
		lambda_respond(res, 200, owlet_openapi(ctx->model, iss, NULL));
		goto out;
	}
	/* /datasets/NAME/uploads[/ID] (upload.h): writers only */
	const char *up = strncmp(path, "/datasets/", 10) == 0 ? strstr(path + 10, "/uploads") : NULL;
	if (up && (up[8] == '\0' || (up[8] == '/' && up[9] && !strchr(up + 9, '/'))) && up > path + 10 &&
	    !memchr(path + 10, '/', (size_t)(up - path - 10)) && (size_t)(up - path - 10) < 64) {
		char dsname[64];
		snprintf(dsname, sizeof dsname, "%.*s", (int)(up - path - 10), path + 10);
		bool one = up[8] == '/';
		const struct owlet_dataset *uds = owlet_model_dataset(ctx->model, dsname);
		char msg[200];
		if (strcmp(method, one ? "GET" : method) != 0 || (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)) {
			lambda_respond_message(res, 405, "method not allowed");
		} else if (!uds) {
			snprintf(msg, sizeof msg, "no dataset '%s'", dsname);
			lambda_respond_message(res, 404, msg);
		} else if (!owlet_dataset_can_write(uds, c.groups, c.n_groups)) {
			snprintf(msg, sizeof msg, "your groups may not upload to dataset '%s'", dsname);
			lambda_respond_message(res, 403, msg);
		} else if (one) {
			lambda_upload_get(ctx, res, uds, up + 9);
		} else if (strcmp(method, "POST") == 0) {
			lambda_upload_start(ctx, res, event, uds);
		} else {
			lambda_upload_list(ctx, res, uds);
		}
		goto out;
	}
	/* /datasets[/NAME[/stats|/records|/rows|/aggregate]] */
	char name[64] = "", tail[16] = "";
	int n = 0;
	if (strcmp(path, "/datasets") == 0 || strcmp(path, "/datasets/") == 0) {
		n = 1;
	} else if (strncmp(path, "/datasets/", 10) == 0) {
		const char *p = path + 10, *slash = strchr(p, '/');
		size_t nl = slash ? (size_t)(slash - p) : strlen(p);
		if (nl > 0 && nl < sizeof name) {
			memcpy(name, p, nl);
			n = 2;
			if (slash && strlen(slash + 1) < sizeof tail && !strchr(slash + 1, '/')) {
				snprintf(tail, sizeof tail, "%s", slash + 1);
				n = 3;
			} else if (slash) {
				n = 0;
			}
		}
	}
	const char *want = n == 3 && strcmp(tail, "records") == 0 ? "POST" : "GET";
	if (n == 0 || (n == 3 && strcmp(tail, "records") != 0 && strcmp(tail, "stats") != 0 &&
		       strcmp(tail, "rows") != 0 && strcmp(tail, "aggregate") != 0)) {
		lambda_respond_message(res, 404, "no such route");
		goto out;
	}
	if (strcmp(method, want) != 0) {
		lambda_respond_message(res, 405, "method not allowed");
		goto out;
	}
	if (n == 1) {
		list_datasets(ctx, res, &c);
		goto out;
	}
	const struct owlet_dataset *ds = owlet_model_dataset(ctx->model, name);
	if (!ds) {
		char msg[128];
		snprintf(msg, sizeof msg, "no dataset '%s'", name);
		lambda_respond_message(res, 404, msg);
		goto out;
	}
	bool post = strcmp(want, "POST") == 0;
	if (post ? !owlet_dataset_can_write(ds, c.groups, c.n_groups)
		 : !owlet_dataset_can_read(ds, c.groups, c.n_groups)) {
		char msg[160];
		snprintf(msg, sizeof msg, "your groups may not %s dataset '%s'", post ? "write to" : "read", name);
		lambda_respond_message(res, 403, msg);
		goto out;
	}
	if (n == 2)
		lambda_respond(res, 200, schema_json(ds));
	else if (post)
		lambda_post_records(ctx, res, event, ds);
	else if (strcmp(tail, "stats") == 0)
		handle_stats(ctx, res, event, ds);
	else {
		int status = 500;
		json_t *body = NULL;
		lambda_query_dataset(ctx, &status, &body, event, ds, strcmp(tail, "aggregate") == 0, ctx->deadline_ms);
		lambda_respond(res, status, body);
	}
out:
	free(c.groups);
}

/* The aggregation trigger (S3 ObjectCreated events): stats.c computes and
 * caches the partial stats of each new object.  A failure fails the
 * invocation, so that Lambda retries the event. */
static void handle_s3_event(struct lambda_ctx *ctx, struct lambda_result *res, const json_t *records)
{
	size_t aggregated = 0, refused = 0, uploads = 0, skipped = 0;
	/* incoming/ is the bulk uploads' (upload.c); the rest is the aggregation's */
	json_t *rest = json_array();
	size_t i;
	const json_t *r;
	json_array_foreach(records, i, r)
		if (rest && !lambda_upload_is_incoming(r))
			json_array_append(rest, (json_t *)r);
	if (!rest)
		return set_error(res, "Runtime.OutOfMemory", "out of memory");
	int rc = json_array_size(rest) < json_array_size(records) ? lambda_upload_s3_event(ctx, &uploads, &skipped, records) : 0;
	if (rc < 0) {
		json_decref(rest);
		set_error(res, "Owlet.UploadFailed", owlet_error_last());
		return;
	}
	rc = json_array_size(rest) ? lambda_stats_s3_event(ctx, &aggregated, &refused, rest) : 0;
	json_decref(rest);
	if (rc < 0) {
		set_error(res, "Owlet.AggregationFailed", owlet_error_last());
		return;
	}
	if (asprintf(&res->body, "{\"ok\":true,\"aggregated\":%zu,\"refused\":%zu,\"uploads\":%zu,\"skipped\":%zu}",
		     aggregated, refused, uploads, skipped) < 0) {
		res->body = NULL;
		set_error(res, "Runtime.OutOfMemory", "out of memory");
	}
}

/* The compaction schedule's event (query.h). */
static void handle_compact(struct lambda_ctx *ctx, struct lambda_result *res, int64_t deadline_ms)
{
	json_t *summary = NULL;
	if (lambda_compact_event(ctx, &summary, deadline_ms) < 0)
		return set_error(res, "Owlet.CompactionFailed", owlet_error_last());
	res->body = json_dumps(summary, JSON_COMPACT);
	json_decref(summary);
	if (!res->body)
		set_error(res, "Runtime.OutOfMemory", "out of memory");
}

void lambda_handle(struct lambda_ctx *ctx, const struct owlet_invocation *inv,
		   struct lambda_result *res)
{
	memset(res, 0, sizeof *res);
	int64_t start = owlet_clock_wall_ms();
	const char *method = NULL, *path = NULL;
	json_error_t jerr;
	json_t *event = json_loadb(inv->event, inv->event_len, 0, &jerr);
	if (!json_is_object(event)) {
		char msg[256];
		snprintf(msg, sizeof msg, "the event is not a JSON object: %d:%d: %s", jerr.line, jerr.column,
			 event ? "not an object" : jerr.text);
		set_error(res, "Owlet.InvalidEvent", msg);
		goto out;
	}
	const json_t *http = json_object_get(json_object_get(event, "requestContext"), "http");
	method = json_string_value(json_object_get(http, "method"));
	path = route_path(event);
	const json_t *records = json_object_get(event, "Records");
	bool is_s3 = json_is_array(records) && json_array_size(records) > 0 &&
		     json_is_object(json_object_get(json_array_get(records, 0), "s3"));
	const char *task = json_string_value(json_object_get(event, "owlet"));
	bool is_compact = !method && !is_s3 && task && !strcmp(task, "compact");
	if (!method && !is_s3 && !is_compact) {
		set_error(res, "Owlet.InvalidEvent", "the event is neither an API Gateway HTTP API (payload 2.0) event, "
						     "an S3 event nor the compaction schedule's {\"owlet\":\"compact\"}");
		goto out;
	}
	bool late = inv->deadline_ms && inv->deadline_ms - start < MIN_TIME_MS;
	if (ctx->s3)
		owlet_s3_set_deadline(ctx->s3, inv->deadline_ms);
	ctx->deadline_ms = inv->deadline_ms;
	if (late && method)
		lambda_respond_message(res, 504, "the request ran out of time");
	else if (late)
		set_error(res, "Owlet.DeadlineExceeded", "no time left to handle the event");
	else if (method)
		handle_http(ctx, res, event, method);
	else if (is_compact)
		handle_compact(ctx, res, inv->deadline_ms);
	else
		handle_s3_event(ctx, res, records);
out:;
	const char *trace = getenv("_X_AMZN_TRACE_ID");
	fprintf(stderr, "owlet-lambda: %s %s %s %d%s%s %lld ms trace=%s\n", inv->request_id,
		method ? method : "-", path ? path : "-", res->status, res->error_type ? " " : "",
		res->error_type ? res->error_type : "", (long long)(owlet_clock_wall_ms() - start),
		trace ? trace : "-");
	json_decref(event);
}
