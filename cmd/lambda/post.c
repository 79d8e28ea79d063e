/*
 * post.c: POST /datasets/NAME/records (see post.h): the body counted before
 * it is parsed, the records validated against the model, key markers,
 * Idempotency-Key, and the objects stored in the data bucket's layout
 * (docs/contracts.md, "The data bucket", "Keys").
 */
#include "base/random.h"
#include "base/base64.h"
#include "base/clock.h"
#include "base/hash.h"
#include "post.h"

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
	lambda_respond_message(res, status, msg);
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

/* The rows of `rows` whose verdict is 0, in order, with their indexes in
 * rows (*idx, the caller's), grouped by layout_build into *b. */
static int build_kept(struct layout_batch *b, const struct owlet_dataset *ds, const json_t *rows,
		      const signed char *verdict, size_t **idx)
{
	size_t n = json_array_size(rows), k = 0;
	json_t *kept = json_array();
	*idx = calloc(n ? n : 1, sizeof **idx);
	if (!kept || !*idx) {
		json_decref(kept);
		memset(b, 0, sizeof *b);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		if (!verdict[i] && json_array_append(kept, json_array_get(rows, i)) == 0)
			(*idx)[k++] = i;
	long da, db;
	int rc = layout_build(b, ds, kept, (int)k, &da, &db);
	json_decref(kept);
	return rc;
}

struct hash_order {
	char (*hash)[65];
	size_t *idx;
};

static int cmp_kept(const void *x, const void *y, void *arg)
{
	const struct hash_order *o = arg;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int c = strcmp(o->hash[a], o->hash[b]);
	return c ? c : (o->idx[a] < o->idx[b] ? -1 : o->idx[a] > o->idx[b]);
}

/* The key markers of batch b (objects named with stem), written with
 * If-None-Match: * many at once: per record 0 (written), 1 (it exists) or
 * a negative code; NULL (and *rc) when out of memory or S3 failed. */
static int *put_markers(struct lambda_ctx *ctx, const struct owlet_dataset *ds, const struct layout_batch *b,
			const char *stem, long long now, int *rc)
{
	size_t n = b->n_records;
	int *res = calloc(n ? n : 1, sizeof *res);
	char **keys = calloc(n ? n : 1, sizeof *keys), **bodies = calloc(n ? n : 1, sizeof *bodies);
	size_t *lens = calloc(n ? n : 1, sizeof *lens);
	*rc = res && keys && bodies && lens ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (size_t i = 0; *rc == 0 && i < n; i++) {
		char ours[256];
		keys[i] = malloc(256);
		if (!keys[i] || (*rc = layout_marker_key(keys[i], 256, ds, b->key_hash[i])) < 0 ||
		    (*rc = layout_object_key(ours, sizeof ours, ds, &b->parts[b->part_of[i]], stem)) < 0)
			break;
		json_t *kv = json_loads(b->key_text[i], JSON_DECODE_ANY, NULL);
		json_t *m = kv ? json_pack("{s:i, s:o, s:s, s:I}", "v", 1, "key", kv, "data_key", ours, "created",
					   (json_int_t)now)
			       : NULL;
		bodies[i] = m ? json_dumps(m, JSON_COMPACT) : NULL;
		json_decref(m);
		if (!bodies[i])
			*rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		else
			lens[i] = strlen(bodies[i]);
	}
	if (*rc == 0)
		*rc = owlet_s3_put_new_many(ctx->s3, ctx->bucket, n, (const char *const *)keys,
					    (const char *const *)bodies, lens, res);
	for (size_t i = 0; keys && bodies && i < n; i++) {
		free(keys[i]);
		free(bodies[i]);
	}
	free(keys);
	free(bodies);
	free(lens);
	if (*rc < 0) {
		free(res);
		return NULL;
	}
	return res;
}

int lambda_store_rows(struct lambda_ctx *ctx, const struct owlet_dataset *ds, const json_t *rows, const char *stem,
		      long long now, signed char *verdict, size_t *first_of)
{
	size_t n = json_array_size(rows);
	memset(verdict, 0, n);
	struct layout_batch b;
	size_t *idx = NULL;
	bool *mine = calloc(n ? n : 1, sizeof *mine);
	char(*marked)[256] = ds->key ? calloc(n ? n : 1, sizeof *marked) : NULL; /* the data_key each marker names */
	int rc = mine && (!ds->key || marked) ? build_kept(&b, ds, rows, verdict, &idx)
					     : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0 && ds->key && b.n_records > 1) { /* a key given twice in the batch: the first one stays */
		size_t *order = malloc(b.n_records * sizeof *order);
		struct hash_order o = { b.key_hash, idx };
		if (!order)
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		for (size_t i = 0; order && i < b.n_records; i++)
			order[i] = i;
		if (order)
			qsort_r(order, b.n_records, sizeof *order, cmp_kept, &o);
		bool dups = false;
		for (size_t i = 1, first = 0; order && i < b.n_records; i++) {
			if (strcmp(b.key_hash[order[i]], b.key_hash[order[first]]) != 0) {
				first = i;
				continue;
			}
			verdict[idx[order[i]]] = 1;
			first_of[idx[order[i]]] = idx[order[first]];
			dups = true;
		}
		free(order);
		if (rc == 0 && dups) {
			layout_clear(&b);
			free(idx);
			rc = build_kept(&b, ds, rows, verdict, &idx);
		}
	}
	for (int pass = 0; rc == 0 && ds->key && pass < 2; pass++) {
		/* pass 0: a marker per row, naming its object, written many at once;
		 * a taken key drops the row.  pass 1 (only when rows were dropped,
		 * which changes the objects' names): the markers renamed to the
		 * objects now written */
		bool dropped = false;
		int *first_try = pass == 0 ? put_markers(ctx, ds, &b, stem, now, &rc) : NULL;
		for (size_t i = 0; first_try && i < b.n_records; i++)
			if (first_try[i] == 0) /* so that a failure deletes it again */
				mine[idx[i]] = true;
		for (size_t i = 0; rc == 0 && i < b.n_records; i++) {
			char mkey[256], ours[256];
			size_t r = idx[i];
			if ((rc = layout_object_key(ours, sizeof ours, ds, &b.parts[b.part_of[i]], stem)) < 0 ||
			    (rc = layout_marker_key(mkey, sizeof mkey, ds, b.key_hash[i])) < 0)
				break;
			if (pass == 1 && strcmp(marked[r], ours) == 0)
				continue;
			json_t *kv = json_loads(b.key_text[i], JSON_DECODE_ANY, NULL);
			json_t *m = kv ? json_pack("{s:i, s:o, s:s, s:I}", "v", 1, "key", kv, "data_key", ours, "created",
						   (json_int_t)now)
				       : NULL;
			char *body = m ? json_dumps(m, JSON_COMPACT) : NULL;
			json_decref(m);
			if (!body) {
				rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
				break;
			}
			if (pass == 1) {
				rc = owlet_s3_put(ctx->s3, ctx->bucket, mkey, body, strlen(body), "application/json");
			} else {
				rc = first_try[i];
				if (rc == 1)
					rc = marker_taken(ctx, mkey, ours, body, strlen(body), now);
				if (rc == 0)
					mine[r] = true;
				else if (rc == 1) {
					verdict[r] = 2;
					dropped = true;
					rc = 0;
				}
			}
			if (rc == 0)
				snprintf(marked[r], sizeof marked[r], "%s", ours);
			free(body);
		}
		free(first_try);
		if (rc < 0 || !dropped)
			break;
		layout_clear(&b);
		free(idx);
		rc = build_kept(&b, ds, rows, verdict, &idx);
	}
	for (size_t p = 0; rc == 0 && p < b.n_parts; p++) {
		char key[256];
		if ((rc = layout_object_key(key, sizeof key, ds, &b.parts[p], stem)) < 0)
			break;
		rc = owlet_s3_put_if(ctx->s3, ctx->bucket, key, b.parts[p].lines, b.parts[p].size, "application/x-ndjson",
				     NULL);
		if (rc == 1) /* stored by a previous attempt of this batch */
			rc = 0;
	}
	if (rc < 0 && mine && ds->key) { /* best effort: free the keys this batch took */
		char mkey[256];
		for (size_t i = 0; i < b.n_records; i++)
			if (mine[idx[i]] && layout_marker_key(mkey, sizeof mkey, ds, b.key_hash[i]) == 0 &&
			    owlet_s3_delete(ctx->s3, ctx->bucket, mkey) < 0)
				fprintf(stderr, "owlet-lambda: %s\n", owlet_error_last());
	}
	layout_clear(&b);
	free(idx);
	free(mine);
	free(marked);
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
	lambda_respond(res, 409, kv ? json_pack("{s:s, s:o}", "message", msg, "key", kv) : NULL);
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
		return lambda_respond(res, 500, NULL);
	json_t *fj = owlet_idem_record_json(fresh, idem_key, subject);
	char *ftext = fj ? json_dumps(fj, JSON_COMPACT) : NULL;
	json_decref(fj);
	if (!ftext)
		return lambda_respond(res, 500, NULL);
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
			lambda_respond_message(res, 409,
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
			lambda_respond_message(res, 500, "the record of this Idempotency-Key is unreadable");
			goto out;
		}
		long long age = fresh->created - prev.created;
		if (age >= 0 && age < OWLET_IDEM_TTL_S) {
			if (strcmp(prev.fingerprint, fresh->fingerprint) != 0) {
				char msg[400];
				snprintf(msg, sizeof msg,
					 "Idempotency-Key '%s' was used with another body in the last 24 hours; "
					 "use a new key for a new request", idem_key);
				lambda_respond_message(res, 422, msg);
				goto out;
			}
			use = &prev;
			rc = 0;
			break;
		}
		owlet_idem_record_clear(&prev); /* expired (or from the future): take it over */
	}
	if (rc < 0) {
		lambda_respond_s3_error(res, rc);
		goto out;
	}
	char stem[128];
	snprintf(stem, sizeof stem, "%s", fresh_stem);
	if (use != fresh && layout_stem_of(stem, sizeof stem, use->data_key) < 0) {
		lambda_respond_message(res, 500, "the record of this Idempotency-Key is unreadable");
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
		lambda_respond_s3_error(res, rc);
		goto out;
	}
	lambda_respond_replay(res, use->status, json_incref(use->body), use != fresh);
out:
	owlet_idem_record_clear(&prev);
	free(ftext);
}

void lambda_post_records(struct lambda_ctx *ctx, struct lambda_result *res, const json_t *event,
			 const struct owlet_dataset *ds)
{
	const json_t *hk = json_object_get(json_object_get(event, "headers"), "idempotency-key");
	if (hk && (!json_is_string(hk) || owlet_idem_key_check(json_string_value(hk), json_string_length(hk)) < 0))
		return lambda_respond_message(res, 400, json_is_string(hk) ? owlet_error_last()
								     : "the Idempotency-Key header is not a string");
	size_t len = 0;
	char *body = request_body(event, &len);
	if (!body)
		return lambda_respond_message(res, 400, "the request has no body: send a JSON record or an array of records");
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
		return lambda_respond_message(res, 400, msg);
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
		lambda_respond(res, 400,
			errs ? json_pack("{s:s, s:o, s:I}", "message", msg, "errors", errs, "more_errors", (json_int_t)more)
			     : NULL);
		goto out;
	}
	if (n < 0) {
		lambda_respond(res, 500, NULL);
		goto out;
	}
	if (!ctx->s3) {
		lambda_respond_message(res, 500, "the function has no data bucket (OWLET_DATA_BUCKET)");
		goto out;
	}
	if (ds->key && n > MAX_KEYED_RECORDS) {
		char msg[200];
		snprintf(msg, sizeof msg, "too many records: %d; a dataset with a key takes at most %d records per request",
			 n, MAX_KEYED_RECORDS);
		lambda_respond_message(res, 413, msg);
		goto out;
	}
	struct layout_batch b;
	long dup_a, dup_b;
	int rc = layout_build(&b, ds, payload, n, &dup_a, &dup_b);
	if (rc == OWLET_EINVALID && b.n_problems) {
		size_t more = b.n_problems - json_array_size(b.problems);
		lambda_respond(res, 400, json_pack("{s:s, s:O, s:I}", "message",
					    ds->partition_by ? "records without a partition or key value"
							     : "records without a key value",
					    "errors", b.problems, "more_errors", (json_int_t)more));
		goto out_batch;
	}
	if (rc == OWLET_EINVALID) {
		lambda_respond_message(res, 413, owlet_error_last());
		goto out_batch;
	}
	if (rc < 0) {
		lambda_respond(res, 500, NULL);
		goto out_batch;
	}
	if (dup_a >= 0) {
		char msg[400];
		snprintf(msg, sizeof msg, "records %ld and %ld have the same key %s = %.200s; a key is stored once",
			 dup_a, dup_b, ds->key, b.key_text[dup_a]);
		json_t *kv = json_loads(b.key_text[dup_a], JSON_DECODE_ANY, NULL);
		lambda_respond(res, 409, kv ? json_pack("{s:s, s:o}", "message", msg, "key", kv) : NULL);
		goto out_batch;
	}
	char stem[40];
	int64_t now_ms = owlet_clock_wall_ms();
	if (owlet_random_stamped_id(stem, now_ms) < 0) {
		lambda_respond_message(res, 500, "no random numbers");
		goto out_batch;
	}
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
		lambda_respond(res, 500, NULL);
		goto out_batch;
	}
	if (hk) {
		fresh.created = (time_t)(now_ms / 1000);
		fresh.data_key = (char *)json_string_value(json_object_get(answer, "key"));
		fresh.body = answer;
		post_idempotent(ctx, res, ds, caller_subject(event), json_string_value(hk), &fresh, &b, stem);
		json_decref(answer);
		goto out_batch;
	}
	long conflict;
	rc = store_batch(ctx, ds, &b, stem, (time_t)(now_ms / 1000), &conflict);
	if (rc == 1)
		respond_key_taken(res, ds, &b, conflict);
	else if (rc < 0)
		lambda_respond_s3_error(res, rc);
	else
		lambda_respond(res, 201, json_incref(answer));
	json_decref(answer);
out_batch:
	layout_clear(&b);
out:
	owlet_record_problems_clear(&problems);
	json_decref(payload);
}
