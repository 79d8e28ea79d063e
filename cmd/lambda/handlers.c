/*
 * handlers.c: the dataset API on API Gateway HTTP API payload 2.0 events,
 * and the entry point of S3 events (see handlers.h).
 *
 * Row counts (GET /datasets): every object the API writes carries its number
 * of records in its key, raw/<name>/dt=YYYY-MM-DD/<time>-<random>-r<N>.jsonl,
 * so counting is one ListObjectsV2 walk of raw/<name>/ and no object is read.
 * Objects that arrived another way (bulk uploads) have no count in their key:
 * they are read and their lines counted (minus the header line of a .csv).
 */
#include "base/random.h"
#include "base/base64.h"
#include "base/clock.h"
#include "base/hash.h"
#include "handlers.h"

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
#include "aws/s3.h"
#include "stats.h"
#include "query.h"
#include "aws/athena.h"

/* Below this much time left, an invocation is answered 504 at once. */
#define MIN_TIME_MS 100
/* The most a POST /datasets/NAME/records may hold (docs/contracts.md),
 * checked by a scan of the body before it is parsed: jansson's tree costs
 * up to ~250 bytes a value, so 200,000 values stay far below the smallest
 * memory_mb (128). */
#define MAX_RECORDS 10000
#define MAX_VALUES 200000
#define MAX_DEPTH 32
/* A dataset with a key: each record costs one conditional PUT of its key
 * marker (docs/contracts.md, "Keys"). */
#define MAX_KEYED_RECORDS 500
/* A key marker whose data object is missing is taken over after this long:
 * its writer has died (Lambda's longest timeout). */
#define MARKER_STALE_S 900

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
	char *model_text = NULL;
	const char *source;
	int rc = model_text_of(ctx, &model_text, &source);
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
static void respond_replay(struct lambda_result *res, int status, json_t *body, bool replayed)
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

static void respond(struct lambda_result *res, int status, json_t *body)
{
	respond_replay(res, status, body, false);
}

static void respond_message(struct lambda_result *res, int status, const char *msg)
{
	respond(res, status, json_pack("{s:s}", "message", msg));
}

/* Maps a failed S3 call to 504 (deadline) or 502. */
static void respond_s3_error(struct lambda_result *res, int rc)
{
	fprintf(stderr, "owlet-lambda: %s\n", owlet_error_last());
	if (rc == OWLET_EINTR)
		respond_message(res, 504, "the request ran out of time");
	else
		respond_message(res, 502, "the data store failed; try again");
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

static long long count_lines(const char *body, size_t len, bool csv)
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
	return csv && n > 0 ? n - 1 : n;
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
			const char *ext = strrchr(list.items[i].key, '.');
			n = count_lines(body, len, ext && strcmp(ext, ".csv") == 0);
			free(body);
		}
		*out += n > 0 ? n : 0;
	}
	owlet_s3_list_clear(&list);
	return rc;
}

static void list_datasets(struct lambda_ctx *ctx, struct lambda_result *res, const struct caller *c)
{
	json_t *arr = json_array();
	if (!arr)
		return respond(res, 500, NULL);
	for (size_t i = 0; i < ctx->model->n_datasets; i++) {
		const struct owlet_dataset *ds = &ctx->model->datasets[i];
		if (!owlet_dataset_can_read(ds, c->groups, c->n_groups))
			continue;
		json_t *o = schema_json(ds);
		if (!o || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return respond(res, 500, NULL);
		}
		json_t *count = json_null();
		if (ctx->s3) {
			long long n;
			int rc = row_count(ctx, &n, ds);
			if (rc < 0) {
				json_decref(arr);
				return respond_s3_error(res, rc);
			}
			count = json_integer(n);
		}
		json_object_set_new(o, "row_count", count);
	}
	respond(res, 200, json_pack("{s:o}", "datasets", arr));
}

/* The body of the request, decoded from base64 when the event says so;
 * NULL when absent or undecodable. */
static char *request_body(const json_t *event, size_t *len)
{
	const json_t *b = json_object_get(event, "body");
	if (!json_is_string(b))
		return NULL;
	const char *s = json_string_value(b);
	size_t n = json_string_length(b);
	if (!json_is_true(json_object_get(event, "isBase64Encoded"))) {
		/* "\u0000" in the event puts a NUL in the body: copy every byte */
		char *copy = malloc(n + 1);
		if (!copy)
			return NULL;
		memcpy(copy, s, n);
		copy[n] = '\0';
		*len = n;
		return copy;
	}
	unsigned char *out = NULL;
	if (n % 4 != 0 || owlet_base64_decode(&out, len, s, n) < 0) {
		owlet_error_clear();
		return NULL;
	}
	return (char *)out;
}

/* Who the caller is, for scoping Idempotency-Keys: the token's sub (else
 * its username, else ""); borrowed from the event. */
static const char *caller_subject(const json_t *event)
{
	const json_t *claims = json_object_get(
		json_object_get(json_object_get(json_object_get(event, "requestContext"), "authorizer"), "jwt"),
		"claims");
	const char *sub = json_string_value(json_object_get(claims, "sub"));
	if (!sub || !*sub)
		sub = json_string_value(json_object_get(claims, "username"));
	return sub ? sub : "";
}

/* The 413/400 for a body over the limits (see MAX_RECORDS). */
static void respond_too_large(struct lambda_result *res, const struct owlet_records_size *sz)
{
	char msg[200];
	int status = 413;
	if (sz->records > MAX_RECORDS)
		snprintf(msg, sizeof msg, "too many records: %zu; send at most %d records per request", sz->records,
			 MAX_RECORDS);
	else if (sz->values > MAX_VALUES)
		snprintf(msg, sizeof msg,
			 "too many JSON values: %zu; send at most %d per request (each record and each value in it counts)",
			 sz->values, MAX_VALUES);
	else {
		status = 400;
		snprintf(msg, sizeof msg, "the body is nested %zu levels deep; records are flat objects (at most %d)",
			 sz->depth, MAX_DEPTH);
	}
	respond_message(res, status, msg);
}

/* Deletes the key markers this request wrote (after a conflict or a
 * failure), best effort. */
static void drop_markers(struct lambda_ctx *ctx, const struct owlet_dataset *ds, const struct layout_batch *b,
			 const bool *mine)
{
	char mkey[256];
	for (size_t i = 0; i < b->n_records; i++)
		if (mine[i] && layout_marker_key(mkey, sizeof mkey, ds, b->key_hash[i]) == 0 &&
		    owlet_s3_delete(ctx->s3, ctx->bucket, mkey) < 0)
			fprintf(stderr, "owlet-lambda: %s\n", owlet_error_last());
}

/* Whether the existing marker mkey lets record i go on: 0 when it names one
 * of this request's objects (a retry) or was taken over (stale: its object
 * is missing and it is older than MARKER_STALE_S), 1 when the key is taken,
 * negative on S3 failure. */
static int marker_taken(struct lambda_ctx *ctx, const char *mkey, const char *ours, const char *body,
			size_t blen, long long now)
{
	char *text = NULL;
	size_t tlen = 0;
	int rc = owlet_s3_get(ctx->s3, &text, &tlen, ctx->bucket, mkey);
	if (rc == OWLET_ENOTFOUND) /* deleted meanwhile: its writer gave up */
		return owlet_s3_put_if(ctx->s3, ctx->bucket, mkey, body, blen, "application/json", NULL);
	if (rc < 0)
		return rc;
	char etag[128];
	snprintf(etag, sizeof etag, "%s", owlet_s3_last_etag(ctx->s3));
	json_t *m = json_loadb(text, tlen, 0, NULL);
	free(text);
	const char *data_key = json_string_value(json_object_get(m, "data_key"));
	json_int_t created = json_integer_value(json_object_get(m, "created"));
	rc = 1;
	if (data_key && strcmp(data_key, ours) == 0) {
		rc = 0;
	} else if (data_key && now - created > MARKER_STALE_S) {
		long long size;
		int h = owlet_s3_head(ctx->s3, &size, ctx->bucket, data_key);
			if (h == OWLET_ENOTFOUND)
			rc = owlet_s3_put_if(ctx->s3, ctx->bucket, mkey, body, blen, "application/json", etag);
		else if (h < 0)
			rc = h;
	}
	json_decref(m);
	return rc;
}

/* Stores a batch: first a key marker per record (keyed datasets), then one
 * object per dt= day, every write with If-None-Match: * (an object a
 * previous attempt stored is left as it is).  Returns 0; 1 when a key is
 * taken (*conflict: the record), after deleting the markers this call
 * wrote; negative when S3 fails. */
static int store_batch(struct lambda_ctx *ctx, const struct owlet_dataset *ds, const struct layout_batch *b,
		       const char *stem, long long now, long *conflict)
{
	*conflict = -1;
	char(*keys)[256] = calloc(b->n_parts ? b->n_parts : 1, sizeof *keys);
	bool *mine = calloc(b->n_records ? b->n_records : 1, sizeof *mine);
	int rc = keys && mine ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (size_t p = 0; rc == 0 && p < b->n_parts; p++)
		rc = layout_object_key(keys[p], sizeof keys[p], ds, &b->parts[p], stem);
	for (size_t i = 0; rc == 0 && b->key_hash && i < b->n_records; i++) {
		char mkey[256];
		const char *ours = keys[b->part_of[i]];
		json_t *kv = json_loads(b->key_text[i], JSON_DECODE_ANY, NULL);
		json_t *m = kv ? json_pack("{s:i, s:o, s:s, s:I}", "v", 1, "key", kv, "data_key", ours, "created",
					   (json_int_t)now)
			       : NULL;
		char *body = m ? json_dumps(m, JSON_COMPACT) : NULL;
		json_decref(m);
		if (!body)
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		else if ((rc = layout_marker_key(mkey, sizeof mkey, ds, b->key_hash[i])) == 0)
			rc = owlet_s3_put_if(ctx->s3, ctx->bucket, mkey, body, strlen(body), "application/json", NULL);
		if (rc == 0)
			mine[i] = true;
		else if (rc == 1)
			rc = marker_taken(ctx, mkey, ours, body, strlen(body), now);
		if (rc == 1)
			*conflict = (long)i;
		free(body);
	}
	for (size_t p = 0; rc == 0 && p < b->n_parts; p++) {
		rc = owlet_s3_put_if(ctx->s3, ctx->bucket, keys[p], b->parts[p].lines, b->parts[p].size,
				     "application/x-ndjson", NULL);
		if (rc == 1) /* stored by a previous attempt of this request */
			rc = 0;
	}
	if (rc != 0 && mine)
		drop_markers(ctx, ds, b, mine);
	free(mine);
	free(keys);
	return rc;
}

/* 409 for record i of b, whose key is taken. */
static void respond_key_taken(struct lambda_result *res, const struct owlet_dataset *ds,
			      const struct layout_batch *b, long i)
{
	char msg[400];
	snprintf(msg, sizeof msg, "dataset '%s' already has a record with key %s = %.200s", ds->name, ds->key,
		 b->key_text[i]);
	json_t *kv = json_loads(b->key_text[i], JSON_DECODE_ANY, NULL);
	respond(res, 409, kv ? json_pack("{s:s, s:o}", "message", msg, "key", kv) : NULL);
}

/* POST with an Idempotency-Key: the key's record is written before the
 * data, with If-None-Match: *, so one request owns the key.  A later one
 * with the same body gets the recorded answer; with another body, 422; an
 * expired record (24 h) is taken over with If-Match on its ETag.  The data
 * goes to the recorded key with If-None-Match: *, so it is stored once
 * however often, and however concurrently, the request is retried: also
 * after a crash between the two writes. */
static void post_idempotent(struct lambda_ctx *ctx, struct lambda_result *res, const struct owlet_dataset *ds,
			    const char *subject, const char *idem_key, const struct owlet_idem_record *fresh,
			    const struct layout_batch *b, const char *fresh_stem)
{
	char rkey[256], etag[128] = "", data_prefix[80];
	struct owlet_idem_record prev = { 0 };
	const struct owlet_idem_record *use = fresh;
	if (owlet_idem_record_key(rkey, sizeof rkey, ds->name, subject, idem_key) < 0)
		return respond(res, 500, NULL);
	json_t *fj = owlet_idem_record_json(fresh, idem_key, subject);
	char *ftext = fj ? json_dumps(fj, JSON_COMPACT) : NULL;
	json_decref(fj);
	if (!ftext)
		return respond(res, 500, NULL);
	int rc;
	for (int attempt = 0;; attempt++) { /* claim; at most once more, to take over an expired record */
		rc = owlet_s3_put_if(ctx->s3, ctx->bucket, rkey, ftext, strlen(ftext), "application/json",
				     attempt ? etag : NULL);
		if (rc <= 0)
			break;
		char *text = NULL;
		size_t tlen = 0;
		rc = attempt ? 1 : owlet_s3_get(ctx->s3, &text, &tlen, ctx->bucket, rkey);
		if (rc == 1 || rc == OWLET_ENOTFOUND) {
			respond_message(res, 409,
					"a request with this Idempotency-Key is being handled; retry it in a moment");
			goto out;
		}
		if (rc < 0)
			break;
		snprintf(etag, sizeof etag, "%s", owlet_s3_last_etag(ctx->s3));
		rc = owlet_idem_record_parse(&prev, text, tlen);
		free(text);
		snprintf(data_prefix, sizeof data_prefix, "raw/%s/", ds->name);
		if (rc < 0 || owlet_s3_key_check(prev.data_key, data_prefix) < 0) {
			fprintf(stderr, "owlet-lambda: s3://%s/%s: not an idempotency record of %s\n", ctx->bucket,
				rkey, ds->name);
			respond_message(res, 500, "the record of this Idempotency-Key is unreadable");
			goto out;
		}
		long long age = fresh->created - prev.created;
		if (age >= 0 && age < OWLET_IDEM_TTL_S) {
			if (strcmp(prev.fingerprint, fresh->fingerprint) != 0) {
				char msg[400];
				snprintf(msg, sizeof msg,
					 "Idempotency-Key '%s' was used with another body in the last 24 hours; "
					 "use a new key for a new request", idem_key);
				respond_message(res, 422, msg);
				goto out;
			}
			use = &prev;
			rc = 0;
			break;
		}
		owlet_idem_record_clear(&prev); /* expired (or from the future): take it over */
	}
	if (rc < 0) {
		respond_s3_error(res, rc);
		goto out;
	}
	char stem[128];
	snprintf(stem, sizeof stem, "%s", fresh_stem);
	if (use != fresh && layout_stem_of(stem, sizeof stem, use->data_key) < 0) {
		respond_message(res, 500, "the record of this Idempotency-Key is unreadable");
		goto out;
	}
	long conflict;
	rc = store_batch(ctx, ds, b, stem, fresh->created, &conflict);
	if (rc == 1) { /* the request can never succeed: free its Idempotency-Key */
		if (owlet_s3_delete(ctx->s3, ctx->bucket, rkey) < 0)
			fprintf(stderr, "owlet-lambda: %s\n", owlet_error_last());
		respond_key_taken(res, ds, b, conflict);
		goto out;
	}
	if (rc < 0) {
		respond_s3_error(res, rc);
		goto out;
	}
	respond_replay(res, use->status, json_incref(use->body), use != fresh);
out:
	owlet_idem_record_clear(&prev);
	free(ftext);
}

static void post_records(struct lambda_ctx *ctx, struct lambda_result *res, const json_t *event,
			 const struct owlet_dataset *ds)
{
	const json_t *hk = json_object_get(json_object_get(event, "headers"), "idempotency-key");
	if (hk && (!json_is_string(hk) || owlet_idem_key_check(json_string_value(hk), json_string_length(hk)) < 0))
		return respond_message(res, 400, json_is_string(hk) ? owlet_error_last()
								     : "the Idempotency-Key header is not a string");
	size_t len = 0;
	char *body = request_body(event, &len);
	if (!body)
		return respond_message(res, 400, "the request has no body: send a JSON record or an array of records");
	struct owlet_records_size sz;
	if (owlet_records_scan(&sz, body, len, MAX_RECORDS, MAX_VALUES, MAX_DEPTH)) {
		free(body);
		return respond_too_large(res, &sz);
	}
	struct owlet_idem_record fresh = { .status = 201 };
	owlet_sha256_hex(fresh.fingerprint, body, len);
	json_error_t jerr;
	/* a record that gives a field twice is refused, as `owlet stats` does:
	 * no reader picks one of the values */
	json_t *payload = json_loadb(body, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	free(body);
	if (!payload) {
		char msg[256];
		snprintf(msg, sizeof msg, "the body is not JSON: %d:%d: %s", jerr.line, jerr.column, jerr.text);
		return respond_message(res, 400, msg);
	}
	struct owlet_record_problems problems = { 0 };
	int n = owlet_records_validate(&problems, ds, payload);
	if (n == OWLET_EINVALID) {
		json_t *errs = owlet_record_problems_to_json(&problems);
		size_t more = problems.total - problems.count;
		char msg[160] = "invalid records";
		if (more)
			snprintf(msg, sizeof msg, "invalid records: %zu problems; the first %zu are listed, and %zu more",
				 problems.total, problems.count, more);
		respond(res, 400,
			errs ? json_pack("{s:s, s:o, s:I}", "message", msg, "errors", errs, "more_errors", (json_int_t)more)
			     : NULL);
		goto out;
	}
	if (n < 0) {
		respond(res, 500, NULL);
		goto out;
	}
	if (!ctx->s3) {
		respond_message(res, 500, "the function has no data bucket (OWLET_DATA_BUCKET)");
		goto out;
	}
	if (ds->key && n > MAX_KEYED_RECORDS) {
		char msg[200];
		snprintf(msg, sizeof msg, "too many records: %d; a dataset with a key takes at most %d records per request",
			 n, MAX_KEYED_RECORDS);
		respond_message(res, 413, msg);
		goto out;
	}
	struct layout_batch b;
	long dup_a, dup_b;
	int rc = layout_build(&b, ds, payload, n, &dup_a, &dup_b);
	if (rc == OWLET_EINVALID && b.n_problems) {
		size_t more = b.n_problems - json_array_size(b.problems);
		respond(res, 400, json_pack("{s:s, s:O, s:I}", "message",
					    ds->partition_by ? "records without a partition or key value"
							     : "records without a key value",
					    "errors", b.problems, "more_errors", (json_int_t)more));
		goto out_batch;
	}
	if (rc == OWLET_EINVALID) {
		respond_message(res, 413, owlet_error_last());
		goto out_batch;
	}
	if (rc < 0) {
		respond(res, 500, NULL);
		goto out_batch;
	}
	if (dup_a >= 0) {
		char msg[400];
		snprintf(msg, sizeof msg, "records %ld and %ld have the same key %s = %.200s; a key is stored once",
			 dup_a, dup_b, ds->key, b.key_text[dup_a]);
		json_t *kv = json_loads(b.key_text[dup_a], JSON_DECODE_ANY, NULL);
		respond(res, 409, kv ? json_pack("{s:s, s:o}", "message", msg, "key", kv) : NULL);
		goto out_batch;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char stamp[32], rnd[17], stem[64];
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
	if (owlet_random_hex(rnd, 8) < 0) {
		respond_message(res, 500, "no random numbers");
		goto out_batch;
	}
	snprintf(stem, sizeof stem, "%s%03ldZ-%s", stamp, ts.tv_nsec / 1000000, rnd);
	json_t *keys = json_array();
	for (size_t p = 0; keys && p < b.n_parts; p++) {
		char key[256];
		if (layout_object_key(key, sizeof key, ds, &b.parts[p], stem) < 0 ||
		    json_array_append_new(keys, json_string(key)) < 0) {
			json_decref(keys);
			keys = NULL;
		}
	}
	json_t *answer = keys ? json_pack("{s:s, s:O, s:o, s:i}", "bucket", ctx->bucket, "key", json_array_get(keys, 0),
					  "keys", keys, "records", n)
			      : NULL;
	if (!answer) {
		respond(res, 500, NULL);
		goto out_batch;
	}
	if (hk) {
		fresh.created = ts.tv_sec;
		fresh.data_key = (char *)json_string_value(json_object_get(answer, "key"));
		fresh.body = answer;
		post_idempotent(ctx, res, ds, caller_subject(event), json_string_value(hk), &fresh, &b, stem);
		json_decref(answer);
		goto out_batch;
	}
	long conflict;
	rc = store_batch(ctx, ds, &b, stem, ts.tv_sec, &conflict);
	if (rc == 1)
		respond_key_taken(res, ds, &b, conflict);
	else if (rc < 0)
		respond_s3_error(res, rc);
	else
		respond(res, 201, json_incref(answer));
	json_decref(answer);
out_batch:
	layout_clear(&b);
out:
	owlet_record_problems_clear(&problems);
	json_decref(payload);
}

/* HANDLER SLOT: GET /datasets/{name}/stats, for the aggregation issue to
 * fill.  Routing, authentication and the read check are done: `ds` exists
 * and the caller may read it.  Answer with respond() (200 + the statistics
 * JSON); S3 is ctx->s3 / ctx->bucket, with the invocation's deadline set. */
static void handle_stats(struct lambda_ctx *ctx, struct lambda_result *res, const json_t *event,
			 const struct owlet_dataset *ds)
{
	(void)event;
	if (!ctx->s3) {
		respond_message(res, 503, "no data bucket is configured (OWLET_DATA_BUCKET)");
		return;
	}
	json_t *report = NULL;
	int rc = lambda_stats(ctx, &report, ds); /* stats.c */
	if (rc < 0)
		respond_s3_error(res, rc);
	else
		respond(res, 200, report);
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
		return respond_message(res, 400, "the event has no rawPath");
	struct caller c;
	if (caller_from_event(&c, ctx->model, event) < 0)
		return respond(res, 500, NULL);
	if (!c.signed_in) {
		respond_message(res, 401, "Unauthorized");
		goto out;
	}
	if (strncmp(path, "/queries/", 9) == 0 && !strchr(path + 9, '/')) {
		if (strcmp(method, "GET") != 0) {
			respond_message(res, 405, "method not allowed");
		} else {
			int status = 500;
			json_t *body = NULL;
			lambda_query_get(ctx, &status, &body, path + 9, c.groups, c.n_groups, ctx->deadline_ms);
			respond(res, status, body);
		}
		goto out;
	}
	if (strcmp(path, "/openapi.json") == 0) { /* the API's own description, made from the model */
		if (strcmp(method, "GET") != 0) {
			respond_message(res, 405, "method not allowed");
			goto out;
		}
		const char *iss = json_string_value(json_object_get(
			json_object_get(json_object_get(json_object_get(json_object_get(event, "requestContext"), "authorizer"),
							"jwt"),
					"claims"),
			"iss"));
		respond(res, 200, owlet_openapi(ctx->model, iss, NULL));
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
		respond_message(res, 404, "no such route");
		goto out;
	}
	if (strcmp(method, want) != 0) {
		respond_message(res, 405, "method not allowed");
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
		respond_message(res, 404, msg);
		goto out;
	}
	bool post = strcmp(want, "POST") == 0;
	if (post ? !owlet_dataset_can_write(ds, c.groups, c.n_groups)
		 : !owlet_dataset_can_read(ds, c.groups, c.n_groups)) {
		char msg[160];
		snprintf(msg, sizeof msg, "your groups may not %s dataset '%s'", post ? "write to" : "read", name);
		respond_message(res, 403, msg);
		goto out;
	}
	if (n == 2)
		respond(res, 200, schema_json(ds));
	else if (post)
		post_records(ctx, res, event, ds);
	else if (strcmp(tail, "stats") == 0)
		handle_stats(ctx, res, event, ds);
	else {
		int status = 500;
		json_t *body = NULL;
		lambda_query_dataset(ctx, &status, &body, event, ds, strcmp(tail, "aggregate") == 0, ctx->deadline_ms);
		respond(res, status, body);
	}
out:
	free(c.groups);
}

/* The aggregation trigger (S3 ObjectCreated events): stats.c computes and
 * caches the partial stats of each new object.  A failure fails the
 * invocation, so that Lambda retries the event. */
static void handle_s3_event(struct lambda_ctx *ctx, struct lambda_result *res, const json_t *records)
{
	size_t aggregated = 0, refused = 0;
	int rc = lambda_stats_s3_event(ctx, &aggregated, &refused, records);
	if (rc < 0) {
		set_error(res, "Owlet.AggregationFailed", owlet_error_last());
		return;
	}
	if (asprintf(&res->body, "{\"ok\":true,\"aggregated\":%zu,\"refused\":%zu}", aggregated, refused) < 0) {
		res->body = NULL;
		set_error(res, "Runtime.OutOfMemory", "out of memory");
	}
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
	if (!method && !is_s3) {
		set_error(res, "Owlet.InvalidEvent",
			  "the event is neither an API Gateway HTTP API (payload 2.0) event nor an S3 event");
		goto out;
	}
	bool late = inv->deadline_ms && inv->deadline_ms - start < MIN_TIME_MS;
	if (ctx->s3)
		owlet_s3_set_deadline(ctx->s3, inv->deadline_ms);
	ctx->deadline_ms = inv->deadline_ms;
	if (late && method)
		respond_message(res, 504, "the request ran out of time");
	else if (late)
		set_error(res, "Owlet.DeadlineExceeded", "no time left to handle the event");
	else if (method)
		handle_http(ctx, res, event, method);
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
