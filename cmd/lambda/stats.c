/*
 * stats.c: the aggregation core in the Lambda (see stats.h).
 *
 * Objects of a dataset live under raw/<name>/; the partial stats of each
 * (lib/agg's mergeable JSON) are cached at stats/<name>/<the rest of the
 * key>.json as {"source": KEY, "size": N, "etag": ETAG, "partial": {...}},
 * keyed by the object's ETag: an entry is used only when its source and
 * its etag both equal the key and ETag that ListObjectsV2 gives for the
 * object, so an object overwritten in place (even with as many bytes) is
 * read again.  An entry whose etag is null (written before ETags were kept)
 * or another object's is recomputed and overwritten; "size" is only for
 * people.  ETags are compared without their quotes (lib/aws/s3.h).
 * The etag and size written are those of the GET that read the bytes (its
 * ETag header, the version actually aggregated), so an object replaced
 * between the listing or the event and the read is never cached under the
 * old version's ETag; only when that answer has no ETag does the listing's
 * (or the event's s3.object.eTag) stand in, and then a mismatch only costs
 * a recomputation.  Only the layout's objects are read: the *.jsonl
 * under raw/<name>/, canonical JSON Lines (docs/contracts.md); any other
 * name there (a stray .csv, .json) is not part of the dataset, as no
 * table reads it either, and its event does nothing.
 *
 * GET /datasets/{name}/stats lists raw/<name>/, takes each object's partial
 * from the cache or computes (and caches) it, merges them in key order and
 * answers the report of `owlet stats` plus "objects" and "cached".
 * The S3 trigger (ObjectCreated under raw/) computes and caches the partial
 * of each new object, so that GET finds them ready; an object it cannot
 * aggregate is recorded under failures/stats/<key>.json and the invocation
 * fails, so that Lambda retries it (asynchronous invocations are retried
 * twice, then go to the dead-letter queue).
 */
#include "base/hash.h"
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agg/agg.h"
#include "base/error.h"
#include "model/model.h"
#include "aws/s3.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Whether the key is an object of the layout (docs/contracts.md): the
 * *.jsonl objects under raw/NAME/, canonical JSON Lines whatever the
 * dataset's format; no other name is read, as no table reads it. */
static bool layout_object(const char *key)
{
	return ends_with(key, ".jsonl");
}

static int put_json(struct lambda_ctx *ctx, const char *key, json_t *j);

/* raw/<name>/ in buf. */
static const char *raw_prefix(char *buf, size_t size, const struct owlet_dataset *ds)
{
	snprintf(buf, size, "raw/%s/", ds->name);
	return buf;
}

/* *out = stats/<name>/<rest>.json for raw/<name>/<rest>: 0, OWLET_ENOMEM,
 * or OWLET_EINVALID when the key or the cache key is not a safe key under
 * its prefix (owlet_s3_key_check: no '..', '.' or empty segment, no control
 * character), with the message saying why. */
static int cache_key(char **out, const struct owlet_dataset *ds, const char *key)
{
	char raw[128], stats[128];
	*out = NULL;
	int rc = owlet_s3_key_check(key, raw_prefix(raw, sizeof raw, ds));
	if (rc < 0)
		return rc;
	snprintf(stats, sizeof stats, "stats/%s/", ds->name);
	if (asprintf(out, "%s%s.json", stats, key + strlen(raw)) < 0) {
		*out = NULL;
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	rc = owlet_s3_key_check(*out, stats);
	if (rc < 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

int lambda_refuse_key(struct lambda_ctx *ctx, const char *key, const char *why)
{
	char shown[512], sha[65], fkey[128];
	owlet_s3_key_printable(shown, sizeof shown, key);
	fprintf(stderr, "owlet-lambda: refused the key '%s' of s3://%s: %s\n", shown, ctx->bucket, why);
	owlet_sha256_hex(sha, key, strlen(key));
	snprintf(fkey, sizeof fkey, "failures/stats/refused/%s.json", sha);
	json_t *source = json_string(key); /* NULL when not UTF-8: then as shown */
	json_t *j = json_pack("{s:o, s:s, s:I}", "source", source ? source : json_string(shown), "error", why,
			      "time", (json_int_t)time(NULL));
	int rc = j ? put_json(ctx, fkey, j) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc < 0)
		fprintf(stderr, "owlet-lambda: cannot record the refusal: %s\n", owlet_error_last());
	json_decref(j);
	return rc;
}

/* The partial of one object from the cache, if the entry is that of the
 * object's version etag (NULL: unknown, never cached); 0 and *out NULL on a
 * miss. */
static int cached_partial(struct lambda_ctx *ctx, struct owlet_agg **out, const struct owlet_dataset *ds,
			  const char *key, const char *etag, const char *ckey)
{
	*out = NULL;
	char *body = NULL;
	size_t len = 0;
	int rc = owlet_s3_get(ctx->s3, &body, &len, ctx->bucket, ckey);
	if (rc == OWLET_ENOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	json_t *j = json_loadb(body, len, 0, NULL);
	free(body);
	const char *source = json_string_value(json_object_get(j, "source"));
	const char *cetag = json_string_value(json_object_get(j, "etag"));
	if (source && strcmp(source, key) == 0 && etag && cetag && strcmp(cetag, etag) == 0 &&
	    owlet_agg_from_partial(out, ds, json_object_get(j, "partial")) < 0) {
		fprintf(stderr, "owlet-lambda: ignoring the cached stats '%s': %s\n", ckey, owlet_error_last());
		*out = NULL;
	}
	json_decref(j);
	return 0;
}

/* Reads one object and computes its partial; *size and *etag (the caller
 * frees; NULL when the answer had none) are those of the version read. */
static int object_partial(struct lambda_ctx *ctx, struct owlet_agg **out, long long *size, char **etag,
			  const struct owlet_dataset *ds, const char *key)
{
	*out = NULL;
	*etag = NULL;
	char *body = NULL;
	size_t len = 0;
	int rc = owlet_s3_get(ctx->s3, &body, &len, ctx->bucket, key);
	if (rc < 0)
		return rc;
	*size = (long long)len;
	if (*owlet_s3_last_etag(ctx->s3) && !(*etag = strdup(owlet_s3_last_etag(ctx->s3)))) {
		free(body);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	struct owlet_agg *a = NULL;
	rc = owlet_agg_new(&a, ds);
	if (rc == 0)
		rc = owlet_agg_jsonl_buffer(a, key, body, len);
	free(body);
	if (rc < 0) {
		owlet_agg_free(a);
		free(*etag);
		*etag = NULL;
		return rc;
	}
	*out = a;
	return 0;
}

static int put_json(struct lambda_ctx *ctx, const char *key, json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (!text)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = owlet_s3_put(ctx->s3, ctx->bucket, key, text, strlen(text), "application/json");
	free(text);
	return rc;
}

/* Reads one object, computes its partial and caches it at ckey under the
 * version read: the GET's ETag, else known_etag (the listing's or the
 * event's; NULL: none, and the entry will never be used).  *out is set
 * whenever the object was aggregated, even if caching it then failed. */
static int compute_and_cache(struct lambda_ctx *ctx, struct owlet_agg **out, const struct owlet_dataset *ds,
			     const char *key, const char *known_etag, const char *ckey)
{
	long long size = 0;
	char *etag = NULL;
	int rc = object_partial(ctx, out, &size, &etag, ds, key);
	if (rc < 0)
		return rc;
	json_t *j = json_pack("{s:s, s:I, s:s?, s:o}", "source", key, "size", (json_int_t)size, "etag",
			      etag ? etag : known_etag, "partial", owlet_agg_to_partial(*out));
	free(etag);
	rc = put_json(ctx, ckey, j);
	json_decref(j);
	return rc;
}

int lambda_stats(struct lambda_ctx *ctx, json_t **report, const struct owlet_dataset *ds)
{
	*report = NULL;
	struct owlet_agg *total = NULL;
	struct owlet_s3_list list = { 0 };
	char prefix[128];
	size_t cached = 0, refused = 0, others = 0;
	int rc = owlet_agg_new(&total, ds);
	if (rc < 0)
		return rc;
	rc = owlet_s3_list(ctx->s3, &list, ctx->bucket, raw_prefix(prefix, sizeof prefix, ds), 0);
	for (size_t i = 0; rc >= 0 && i < list.count; i++) {
		const char *key = list.items[i].key;
		char *ckey = NULL;
		struct owlet_agg *part = NULL;
		rc = cache_key(&ckey, ds, key);
		if (rc == OWLET_EINVALID) { /* never read: it may name another dataset's object */
			char why[256];
			snprintf(why, sizeof why, "%s", owlet_error_last());
			lambda_refuse_key(ctx, key, why);
			refused++;
			rc = 0;
			continue;
		}
		if (rc == 0 && !layout_object(key)) { /* not part of the layout: not read */
			free(ckey);
			others++;
			continue;
		}
		if (rc < 0)
			break;
		rc = cached_partial(ctx, &part, ds, key, list.items[i].etag, ckey);
		if (rc == 0 && part)
			cached++;
		else if (rc == 0) {
			rc = compute_and_cache(ctx, &part, ds, key, list.items[i].etag, ckey);
			if (rc == OWLET_ENOTFOUND && !part) /* deleted meanwhile */
				rc = 0;
			else if (rc < 0 && part) {
				fprintf(stderr, "owlet-lambda: cannot cache '%s': %s\n", ckey, owlet_error_last());
				rc = 0;
			}
		}
		free(ckey);
		if (rc == 0 && part)
			rc = owlet_agg_merge(total, part, 0);
		owlet_agg_free(part);
	}
	if (rc >= 0) {
		*report = owlet_agg_to_json(total);
		if (!*report)
			rc = OWLET_ENOMEM;
		else {
			json_object_set_new(*report, "objects", json_integer((json_int_t)(list.count - refused - others)));
			json_object_set_new(*report, "cached", json_integer((json_int_t)cached));
			json_object_set_new(*report, "refused", json_integer((json_int_t)refused));
		}
	}
	owlet_s3_list_clear(&list);
	owlet_agg_free(total);
	return rc < 0 ? rc : 0;
}

/* One new object: its partial, cached (etag: the event's eTag, or NULL);
 * failures recorded under failures/. */
static int aggregate_object(struct lambda_ctx *ctx, const char *key, const char *etag)
{
	const struct owlet_dataset *ds = NULL;
	char *ckey = NULL, prefix[128];
	for (size_t i = 0; i < ctx->model->n_datasets && !ds; i++) {
		raw_prefix(prefix, sizeof prefix, &ctx->model->datasets[i]);
		if (strncmp(key, prefix, strlen(prefix)) == 0)
			ds = &ctx->model->datasets[i];
	}
	int rc = ds ? cache_key(&ckey, ds, key) : owlet_s3_key_check(key, "");
	if (rc == OWLET_EINVALID) {
		char why[256];
		snprintf(why, sizeof why, "%s", owlet_error_last());
		lambda_refuse_key(ctx, key, why);
		return 2;
	}
	if (rc < 0)
		return rc;
	if (!ds || !layout_object(key)) {
		free(ckey);
		return 0; /* not an object of a dataset's layout: nothing to do */
	}
	struct owlet_agg *part = NULL;
	rc = compute_and_cache(ctx, &part, ds, key, etag, ckey);
	owlet_agg_free(part);
	free(ckey);
	if (rc < 0) {
		char msg[512], *fkey = NULL;
		snprintf(msg, sizeof msg, "%s", owlet_error_last());
		fprintf(stderr, "owlet-lambda: cannot aggregate s3://%s/%s: %s\n", ctx->bucket, key, msg);
		if (asprintf(&fkey, "failures/stats/%s.json", key) >= 0) {
			json_t *j = json_pack("{s:s, s:s, s:I}", "source", key, "error", msg, "time", (json_int_t)time(NULL));
			if (put_json(ctx, fkey, j) < 0)
				fprintf(stderr, "owlet-lambda: cannot record the failure: %s\n", owlet_error_last());
			json_decref(j);
			free(fkey);
		}
		owlet_error_setc(rc, "cannot aggregate '%s': %s", key, msg);
		return rc;
	}
	return 1;
}

int lambda_stats_s3_event(struct lambda_ctx *ctx, size_t *aggregated, size_t *refused, const json_t *records)
{
	*aggregated = 0;
	*refused = 0;
	size_t i;
	const json_t *r;
	int failed = 0;
	json_array_foreach((json_t *)records, i, r) {
		const json_t *s3 = json_object_get(r, "s3");
		const char *bucket = json_string_value(json_object_get(json_object_get(s3, "bucket"), "name"));
		const char *raw_key = json_string_value(json_object_get(json_object_get(s3, "object"), "key"));
		const char *etag = json_string_value(json_object_get(json_object_get(s3, "object"), "eTag"));
		if (!bucket || !raw_key || !ctx->s3 || strcmp(bucket, ctx->bucket) != 0) {
			fprintf(stderr, "owlet-lambda: s3 event for s3://%s/%s ignored (not the data bucket)\n",
				bucket ? bucket : "?", raw_key ? raw_key : "?");
			continue;
		}
		char *key = NULL;
		int rc = owlet_s3_event_key_decode(&key, raw_key);
		if (rc == OWLET_EINVALID) {
			char why[256];
			snprintf(why, sizeof why, "%s", owlet_error_last());
			rc = lambda_refuse_key(ctx, raw_key, why) == OWLET_ENOMEM ? OWLET_ENOMEM : 2;
		} else if (rc == 0) {
			rc = aggregate_object(ctx, key, etag && *etag ? etag : NULL);
		}
		free(key);
		if (rc == OWLET_ENOMEM)
			return rc;
		if (rc == 2)
			(*refused)++;
		else if (rc > 0)
			(*aggregated)++;
		else if (rc < 0 && !failed)
			failed = rc; /* keep going: the others may succeed; the message is the first failure's */
	}
	return failed;
}
