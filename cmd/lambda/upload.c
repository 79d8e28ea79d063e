/*
 * upload.c: bulk uploads' routes: the presigned POST and the upload records
 * (see upload.h); the S3 trigger that reads the files is upload_trigger.c.
 */
#include "upload.h"
#include "upload_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/s3.h"
#include "aws/s3_post.h"
#include "base/clock.h"
#include "base/error.h"
#include "base/random.h"
#include "lambda/records.h"
#include "post.h"
#include "meta.h"

/* The limits (docs/uploads.md). */
#define UPLOAD_MAX_BYTES (100LL * 1024 * 1024) /* the POST policy's content-length-range */
#define UPLOAD_EXPIRES_S 300                    /* the POST policy's expiration */
#define LIST_MAX 20                             /* GET .../uploads */

/* ---- ids, keys and records ----------------------------------------------------------- */

/* "yyyymmddTHHMMSSmmmZ-<16 hex>": sorts by time */
bool upload_id_valid(const char *id)
{
	size_t n = strlen(id);
	if (n != 36 || id[8] != 'T' || id[18] != 'Z' || id[19] != '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (i == 8 || i == 18 || i == 19)
			continue;
		if (i < 18 ? !isdigit((unsigned char)id[i]) : !(isdigit((unsigned char)id[i]) || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	}
	return true;
}

void upload_iso_now(char out[32])
{
	owlet_clock_format(out, 32, owlet_clock_wall_ms(), OWLET_CLOCK_ISO);
}

void upload_record_key(char *out, size_t size, const struct owlet_dataset *ds, const char *id)
{
	snprintf(out, size, "_uploads/%s/%s.json", ds->name, id);
}

/* Reads an upload's record: 0 and *rec (new), OWLET_ENOTFOUND, or an S3
 * failure; *etag (when not NULL, 128 bytes) its ETag. */
int upload_read_record(struct lambda_ctx *ctx, json_t **rec, const char *key, char *etag)
{
	char *text = NULL;
	size_t len = 0;
	*rec = NULL;
	int rc = owlet_s3_get(ctx->s3, &text, &len, ctx->bucket, key);
	if (rc < 0)
		return rc;
	if (etag)
		snprintf(etag, 128, "%s", owlet_s3_last_etag(ctx->s3));
	*rec = json_loadb(text, len, 0, NULL);
	free(text);
	if (!json_is_object(*rec)) {
		json_decref(*rec);
		*rec = NULL;
		return owlet_error_setc(OWLET_EINVALID, "s3://%s/%s is not an upload record", ctx->bucket, key);
	}
	return 0;
}

/* Writes a record; with if_match, only over that version (1 when it
 * changed meanwhile). */
int upload_write_record(struct lambda_ctx *ctx, const char *key, const json_t *rec, const char *if_match)
{
	char *text = json_dumps(rec, JSON_COMPACT);
	if (!text)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = if_match ? owlet_s3_put_if(ctx->s3, ctx->bucket, key, text, strlen(text), "application/json", if_match)
			  : owlet_s3_put(ctx->s3, ctx->bucket, key, text, strlen(text), "application/json");
	free(text);
	return rc;
}

/* The upload's item in the metadata table's history (meta.h); the S3
 * record stays the one the trigger claims, so a failure is only logged. */
void upload_meta_history(struct lambda_ctx *ctx, const struct owlet_dataset *ds, const char *id, const json_t *rec)
{
	if (lambda_meta_upload(ctx, ds, id, rec) < 0)
		fprintf(stderr, "owlet-lambda: the metadata table: upload %s of %s: %s\n", id, ds->name,
			owlet_error_last());
}

/* ---- the routes ------------------------------------------------------------------------ */

/* The format a file name says: csv, jsonl, or NULL. */
static const char *format_of(const char *filename)
{
	const char *dot = strrchr(filename, '.');
	if (!dot)
		return NULL;
	if (strcasecmp(dot, ".csv") == 0)
		return "csv";
	if (strcasecmp(dot, ".jsonl") == 0 || strcasecmp(dot, ".ndjson") == 0)
		return "jsonl";
	return NULL;
}

/* The URL presigned POSTs go to: OWLET_S3_POST_URL (the local front for
 * S3), else the S3 endpoint of the environment, else S3 itself. */
static char *post_url(const char *bucket, const char *region)
{
	const char *base = getenv("OWLET_S3_POST_URL");
	if (!base || !*base)
		base = getenv("AWS_ENDPOINT_URL_S3");
	if (!base || !*base)
		base = getenv("AWS_ENDPOINT_URL");
	char *url = NULL;
	int n = base && *base ? asprintf(&url, "%s%s%s", base, base[strlen(base) - 1] == '/' ? "" : "/", bucket)
			      : asprintf(&url, "https://%s.s3.%s.amazonaws.com/", bucket, region);
	return n < 0 ? NULL : url;
}

/* Who the caller is, for the record: the token's username, else its sub. */
static const char *caller_name(const json_t *event)
{
	const json_t *claims = json_object_get(
		json_object_get(json_object_get(json_object_get(event, "requestContext"), "authorizer"), "jwt"),
		"claims");
	const char *who = json_string_value(json_object_get(claims, "username"));
	if (!who || !*who)
		who = json_string_value(json_object_get(claims, "sub"));
	return who ? who : "";
}

void lambda_upload_start(struct lambda_ctx *ctx, struct lambda_result *res, const json_t *event,
			 const struct owlet_dataset *ds)
{
	if (!ctx->s3)
		return lambda_respond_message(res, 500, "the function has no data bucket (OWLET_DATA_BUCKET)");
	const json_t *b = json_object_get(event, "body");
	json_t *req = json_is_string(b) && !json_is_true(json_object_get(event, "isBase64Encoded"))
			      ? json_loadb(json_string_value(b), json_string_length(b), JSON_REJECT_DUPLICATES, NULL)
			      : NULL;
	const char *dsformat = owlet_format_name(ds->format);
	const char *filename = json_string_value(json_object_get(req, "filename"));
	const json_t *size = json_object_get(req, "size");
	char msg[400];
	if (!json_is_object(req)) {
		json_decref(req);
		return lambda_respond_message(res, 400, "send a JSON object {\"filename\": \"NAME.csv\", \"size\": BYTES}");
	}
	if (!filename || !*filename || json_string_length(json_object_get(req, "filename")) > 255 ||
	    strpbrk(filename, "/\\") || strlen(filename) != json_string_length(json_object_get(req, "filename"))) {
		json_decref(req);
		return lambda_respond_message(res, 400, "'filename' must be a file name (1 to 255 bytes, no '/')");
	}
	for (const char *p = filename; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			json_decref(req);
			return lambda_respond_message(res, 400, "'filename' has a control character");
		}
	const char *fmt = format_of(filename);
	if (!fmt || strcmp(fmt, dsformat) != 0) {
		snprintf(msg, sizeof msg, "dataset '%s' takes %s files (its format); '%.200s' is %s", ds->name, dsformat,
			 filename, fmt ? fmt : "neither .csv nor .jsonl");
		json_decref(req);
		return lambda_respond_message(res, 400, msg);
	}
	if (size && (!json_is_integer(size) || json_integer_value(size) < 1)) {
		json_decref(req);
		return lambda_respond_message(res, 400, "'size' must be the file's size in bytes (at least 1)");
	}
	if (size && json_integer_value(size) > UPLOAD_MAX_BYTES) {
		snprintf(msg, sizeof msg, "the file has %lld bytes; an upload takes at most %lld",
			 (long long)json_integer_value(size), UPLOAD_MAX_BYTES);
		json_decref(req);
		return lambda_respond_message(res, 413, msg);
	}
	char id[40], key[256], rkey[256], created[32];
	if (owlet_random_stamped_id(id, owlet_clock_wall_ms()) < 0) {
		json_decref(req);
		return lambda_respond_message(res, 500, "no random numbers");
	}
	snprintf(key, sizeof key, "incoming/%s/%s.%s", ds->name, id, fmt);
	upload_record_key(rkey, sizeof rkey, ds, id);
	upload_iso_now(created);
	const char *region = getenv("AWS_REGION");
	if (!region || !*region)
		region = getenv("AWS_DEFAULT_REGION");
	struct owlet_s3_post_request pr = {
		.access_key = getenv("AWS_ACCESS_KEY_ID"), .secret_key = getenv("AWS_SECRET_ACCESS_KEY"),
		.session_token = getenv("AWS_SESSION_TOKEN"), .region = region, .bucket = ctx->bucket, .key = key,
		.min_size = 1, .max_size = UPLOAD_MAX_BYTES, .now = time(NULL), .expires_s = UPLOAD_EXPIRES_S,
	};
	json_t *fields = NULL;
	char *url = post_url(ctx->bucket, region && *region ? region : "us-east-1");
	int rc = url ? owlet_s3_post_sign(&fields, &pr) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc < 0) {
		fprintf(stderr, "owlet-lambda: %s\n", owlet_error_last());
		free(url);
		json_decref(req);
		return lambda_respond_message(res, 500, "cannot sign the upload");
	}
	char expires[32];
	owlet_clock_format(expires, sizeof expires, ((int64_t)pr.now + UPLOAD_EXPIRES_S) * 1000, OWLET_CLOCK_ISO);
	json_t *rec = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "v", 1, "id", id, "dataset", ds->name,
				"status", "pending", "filename", filename, "format", fmt, "user", caller_name(event),
				"created", created, "key", key);
	rc = rec ? upload_write_record(ctx, rkey, rec, NULL) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0)
		upload_meta_history(ctx, ds, id, rec);
	json_decref(rec);
	json_decref(req);
	if (rc < 0) {
		free(url);
		json_decref(fields);
		return lambda_respond_s3_error(res, rc);
	}
	char status_path[160];
	snprintf(status_path, sizeof status_path, "/datasets/%s/uploads/%s", ds->name, id);
	lambda_respond(res, 201,
		       json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:I, s:s, s:s}", "id", id, "key", key, "url", url,
				 "method", "POST", "fields", fields, "expires", expires, "max_bytes",
				 (json_int_t)UPLOAD_MAX_BYTES, "format", fmt, "status_url", status_path));
	free(url);
}

/* The record as the API shows it (every field but the internal "v"). */
static json_t *shown(json_t *rec)
{
	json_object_del(rec, "v");
	return rec;
}

void lambda_upload_get(struct lambda_ctx *ctx, struct lambda_result *res, const struct owlet_dataset *ds,
		       const char *id)
{
	char msg[200], rkey[256];
	if (!upload_id_valid(id)) {
		snprintf(msg, sizeof msg, "no upload '%.60s' of dataset '%s'", id, ds->name);
		return lambda_respond_message(res, 404, msg);
	}
	if (!ctx->s3)
		return lambda_respond_message(res, 503, "no data bucket is configured (OWLET_DATA_BUCKET)");
	upload_record_key(rkey, sizeof rkey, ds, id);
	json_t *rec = NULL;
	int rc = upload_read_record(ctx, &rec, rkey, NULL);
	if (rc == OWLET_ENOTFOUND) {
		snprintf(msg, sizeof msg, "no upload '%s' of dataset '%s'", id, ds->name);
		return lambda_respond_message(res, 404, msg);
	}
	if (rc < 0)
		return lambda_respond_s3_error(res, rc);
	lambda_respond(res, 200, shown(rec));
}

void lambda_upload_list(struct lambda_ctx *ctx, struct lambda_result *res, const struct owlet_dataset *ds)
{
	if (!ctx->s3)
		return lambda_respond_message(res, 503, "no data bucket is configured (OWLET_DATA_BUCKET)");
	char prefix[128];
	snprintf(prefix, sizeof prefix, "_uploads/%s/", ds->name);
	struct owlet_s3_list list = { 0 };
	/* ids sort by time: the last ones are the newest (a dataset keeps its
	 * records; the listing is bounded at 100,000) */
	int rc = owlet_s3_list(ctx->s3, &list, ctx->bucket, prefix, 100000);
	json_t *arr = json_array();
	for (size_t i = list.count; rc >= 0 && arr && i > 0 && json_array_size(arr) < LIST_MAX; i--) {
		json_t *rec = NULL;
		rc = upload_read_record(ctx, &rec, list.items[i - 1].key, NULL);
		if (rc == OWLET_ENOTFOUND || rc == OWLET_EINVALID) {
			rc = 0;
			continue;
		}
		if (rc == 0)
			json_array_append_new(arr, shown(rec));
	}
	owlet_s3_list_clear(&list);
	if (rc < 0) {
		json_decref(arr);
		return lambda_respond_s3_error(res, rc);
	}
	lambda_respond(res, 200, arr ? json_pack("{s:o}", "uploads", arr) : NULL);
}
