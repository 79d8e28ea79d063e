/* meta.c: the dataset metadata table (see meta.h). */
#include "meta.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/dynamodb.h"
#include "base/clock.h"
#include "base/error.h"

#define BATCH_KEYS 100  /* BatchGetItem's limit */
#define UNPROCESSED_TRIES 5

int lambda_meta_open(struct lambda_ctx *ctx)
{
	const char *table = getenv("OWLET_META_TABLE");
	if (!table || !*table)
		return 0;
	ctx->meta_table = table;
	return owlet_dynamodb_open_env(&ctx->meta);
}

static json_t *key_of(const char *dataset, const char *item)
{
	return json_pack("{s:{s:s}, s:{s:s}}", "dataset", "S", dataset, "item", "S", item);
}

static int call(struct lambda_ctx *ctx, const char *op, json_t *req)
{
	if (!req)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_t *resp = NULL;
	owlet_aws_jsonapi_set_deadline(ctx->meta, ctx->deadline_ms);
	int rc = owlet_aws_jsonapi_call(ctx->meta, op, req, &resp);
	json_decref(req);
	json_decref(resp);
	return rc;
}

int lambda_meta_add(struct lambda_ctx *ctx, const struct owlet_dataset *ds, long long rows, long long bytes)
{
	if (!ctx->meta)
		return 0;
	char now[32], n[24], b[24];
	owlet_clock_format(now, sizeof now, owlet_clock_wall_ms(), OWLET_CLOCK_ISO);
	snprintf(n, sizeof n, "%lld", rows);
	snprintf(b, sizeof b, "%lld", bytes);
	/* ADD is atomic on the item: two writers at once both count */
	return call(ctx, "UpdateItem",
		    json_pack("{s:s, s:o, s:s, s:{s:s, s:s, s:s}, s:{s:{s:s}, s:{s:s}, s:{s:s}}}", "TableName",
			      ctx->meta_table, "Key", key_of(ds->name, "summary"), "UpdateExpression",
			      "ADD #r :n, #b :b SET #u = :t", "ExpressionAttributeNames", "#r", "row_count", "#b", "bytes",
			      "#u", "updated", "ExpressionAttributeValues", ":n", "N", n, ":b", "N", b, ":t", "S", now));
}

int lambda_meta_upload(struct lambda_ctx *ctx, const struct owlet_dataset *ds, const char *id, const json_t *rec)
{
	if (!ctx->meta)
		return 0;
	char item[96];
	snprintf(item, sizeof item, "upload#%s", id);
	json_t *it = key_of(ds->name, item);
	/* attribute, then the record's field */
	static const char *const strings[][2] = { { "who", "user" },	      { "filename", "filename" },
						  { "status", "status" },     { "created", "created" },
						  { "started", "started" },   { "finished", "finished" },
						  { "message", "message" } };
	static const char *const numbers[] = { "accepted", "rejected", "bytes" };
	for (size_t i = 0; it && i < sizeof strings / sizeof *strings; i++) {
		const char *v = json_string_value(json_object_get(rec, strings[i][1]));
		if (v && *v)
			json_object_set_new(it, strings[i][0], json_pack("{s:s}", "S", v));
	}
	for (size_t i = 0; it && i < sizeof numbers / sizeof *numbers; i++) {
		const json_t *v = json_object_get(rec, numbers[i]);
		char t[24];
		if (json_is_integer(v)) {
			snprintf(t, sizeof t, "%lld", (long long)json_integer_value(v));
			json_object_set_new(it, numbers[i], json_pack("{s:s}", "N", t));
		}
	}
	return call(ctx, "PutItem", it ? json_pack("{s:s, s:o}", "TableName", ctx->meta_table, "Item", it) : NULL);
}

/* One BatchGetItem of keys (taken), its unprocessed keys asked again. */
static int batch_get(struct lambda_ctx *ctx, json_t *out, json_t *keys)
{
	json_t *req = json_pack("{s:{s:{s:o, s:s, s:{s:s}}}}", "RequestItems", ctx->meta_table, "Keys", keys,
				"ProjectionExpression", "dataset, row_count, #b, updated", "ExpressionAttributeNames",
				"#b", "bytes");
	int rc = req ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (int t = 0; rc == 0 && req && t < UNPROCESSED_TRIES; t++) {
		json_t *resp = NULL;
		owlet_aws_jsonapi_set_deadline(ctx->meta, ctx->deadline_ms);
		rc = owlet_aws_jsonapi_call(ctx->meta, "BatchGetItem", req, &resp);
		if (rc < 0)
			break;
		size_t i;
		const json_t *it;
		json_array_foreach(json_object_get(json_object_get(resp, "Responses"), ctx->meta_table), i, it) {
			const char *name = json_string_value(json_object_get(json_object_get(it, "dataset"), "S"));
			const char *upd = json_string_value(json_object_get(json_object_get(it, "updated"), "S"));
			if (name)
				json_object_set_new(out, name,
						    json_pack("{s:I, s:I, s:s?}", "row_count",
							      (json_int_t)owlet_dynamodb_number(json_object_get(it, "row_count")),
							      "bytes", (json_int_t)owlet_dynamodb_number(json_object_get(it, "bytes")),
							      "last_update", upd));
		}
		json_t *left = json_object_get(json_object_get(resp, "UnprocessedKeys"), ctx->meta_table);
		if (!json_array_size(json_object_get(left, "Keys"))) {
			json_decref(resp);
			break;
		}
		json_object_set(json_object_get(req, "RequestItems"), ctx->meta_table, left);
		json_decref(resp);
		if (t + 1 == UNPROCESSED_TRIES)
			rc = owlet_error_setc(OWLET_EIO, "dynamodb BatchGetItem: keys still unprocessed after %d tries",
					      UNPROCESSED_TRIES);
		else
			nanosleep(&(struct timespec){ 0, 50000000L << t }, NULL);
	}
	json_decref(req);
	return rc;
}

int lambda_meta_summaries(struct lambda_ctx *ctx, json_t **out, const char *const *names, size_t n)
{
	*out = json_object();
	int rc = *out ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < n; i += BATCH_KEYS) {
		json_t *keys = json_array();
		for (size_t k = i; keys && k < n && k < i + BATCH_KEYS; k++)
			json_array_append_new(keys, key_of(names[k], "summary"));
		rc = keys ? batch_get(ctx, *out, keys) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}
