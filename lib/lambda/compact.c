/* compact.c: raw JSON Lines to Parquet through Athena's UNLOAD (see compact.h). */
#include "lambda/compact.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/error.h"
#include "base/hash.h"
#include "model/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OBJECTS 100000 /* per dataset and area; more fails, never truncates */

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The partition of a key under base ("raw/NAME/"): "dt=YYYY-MM-DD" when it
 * is base + dt=.../, "" when partitioned is false; NULL when it belongs to
 * no partition of the layout (a partitioned dataset's key outside dt=). */
static const char *partition_of(char out[16], const char *key, const char *base, bool partitioned)
{
	out[0] = '\0';
	if (!partitioned)
		return out;
	const char *p = key + strlen(base);
	if (strncmp(p, "dt=", 3) != 0 || strlen(p) < 14 || p[13] != '/' || strspn(p + 3, "0123456789-") != 10)
		return NULL;
	snprintf(out, 16, "%.13s", p);
	return out;
}

static int list_all(struct owlet_s3 *s3, struct owlet_s3_list *l, const char *bucket, const char *prefix)
{
	int rc = owlet_s3_list(s3, l, bucket, prefix, MAX_OBJECTS + 1);
	if (rc == 0 && l->count > MAX_OBJECTS)
		rc = owlet_error_setc(OWLET_ERROR, "more than %d objects under s3://%s/%s: compaction takes at most that "
						    "many", MAX_OBJECTS, bucket, prefix);
	return rc;
}

/* Deletes every object of curated under prefix, the marker first. */
static int clear_prefix(struct owlet_s3 *s3, const char *bucket, const struct owlet_s3_list *curated, const char *prefix)
{
	char marker[256];
	snprintf(marker, sizeof marker, "%s" OWLET_COMPACT_MARKER, prefix);
	int rc = owlet_s3_delete(s3, bucket, marker);
	for (size_t i = 0; rc == 0 && i < curated->count; i++)
		if (!strncmp(curated->items[i].key, prefix, strlen(prefix)) && strcmp(curated->items[i].key, marker))
			rc = owlet_s3_delete(s3, bucket, curated->items[i].key);
	return rc;
}

static int run_unload(struct owlet_athena_client *athena, const struct owlet_compact_config *cfg,
		      const struct owlet_dataset *ds, const char *part, const char *prefix,
		      struct owlet_compact_partition *p, char **qid)
{
	struct owlet_buf sql = { 0 };
	char piece[256];
	snprintf(piece, sizeof piece, "UNLOAD (SELECT ");
	owlet_buf_append(&sql, piece, strlen(piece));
	for (size_t i = 0; i < ds->n_fields; i++) {
		snprintf(piece, sizeof piece, "%s\"%s\"", i ? ", " : "", ds->fields[i].name);
		owlet_buf_append(&sql, piece, strlen(piece));
	}
	/* names from the model; the day was checked to be digits and '-' */
	snprintf(piece, sizeof piece, " FROM \"%s\"", ds->name);
	owlet_buf_append(&sql, piece, strlen(piece));
	if (*part) {
		snprintf(piece, sizeof piece, " WHERE \"dt\" = DATE '%s'", part + 3);
		owlet_buf_append(&sql, piece, strlen(piece));
	}
	snprintf(piece, sizeof piece, ") TO 's3://%s/", cfg->bucket);
	owlet_buf_append(&sql, piece, strlen(piece));
	owlet_buf_append(&sql, prefix, strlen(prefix));
	const char *with = "' WITH (format = 'PARQUET', compression = 'SNAPPY')";
	int rc = owlet_buf_append(&sql, with, strlen(with));
	if (rc < 0 || !sql.data) {
		owlet_buf_free(&sql);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	struct owlet_athena_status st = { 0 };
	json_t *req = NULL, *resp = NULL;
	rc = owlet_athena_start_query(athena, qid, sql.data, NULL, cfg->workgroup, cfg->database);
	if (rc == 0)
		rc = owlet_athena_wait(athena, &st, *qid, 0);
	if (rc == 0 && strcmp(st.state, "SUCCEEDED") != 0)
		rc = owlet_error_setc(OWLET_ERROR, "compacting %s %s: the UNLOAD %s: %s", ds->name,
				      *part ? part : "(no partition)", strcmp(st.state, "FAILED") ? st.state : "failed",
				      st.reason ? st.reason : "no reason given");
	if (rc == 0) {
		p->scanned = st.scanned;
		req = json_pack("{s:s, s:i}", "QueryExecutionId", *qid, "MaxResults", 1);
		rc = req ? owlet_athena_call(athena, "GetQueryResults", req, &resp)
			 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	if (rc == 0)
		p->rows = json_integer_value(json_object_get(resp, "UpdateCount"));
	json_decref(req);
	json_decref(resp);
	owlet_athena_status_clear(&st);
	owlet_buf_free(&sql);
	return rc;
}

/* One partition: its raw objects are raw->items[from, to). */
static int compact_partition(struct owlet_s3 *s3, struct owlet_athena_client *athena,
			     const struct owlet_compact_config *cfg, const struct owlet_dataset *ds, const char *part,
			     const struct owlet_s3_list *raw, size_t from, size_t to, const struct owlet_s3_list *curated)
{
	struct owlet_compact_partition p = { .dataset = ds->name, .partition = part, .action = "unchanged" };
	struct owlet_buf fp = { 0 };
	for (size_t i = from; i < to; i++) {
		const struct owlet_s3_object *o = &raw->items[i];
		owlet_buf_append(&fp, o->key, strlen(o->key));
		owlet_buf_append(&fp, "\t", 1);
		owlet_buf_append(&fp, o->etag ? o->etag : "", o->etag ? strlen(o->etag) : 0);
		if (owlet_buf_append(&fp, "\n", 1) < 0) {
			owlet_buf_free(&fp);
			return owlet_error_setc(OWLET_ENOMEM, "out of memory");
		}
		p.raw_objects++;
		p.raw_bytes += o->size;
	}
	char fingerprint[65], prefix[128], marker[256];
	owlet_sha256_hex(fingerprint, fp.data ? fp.data : "", fp.len);
	owlet_buf_free(&fp);
	snprintf(prefix, sizeof prefix, "curated/%s/%s%s", ds->name, part, *part ? "/" : "");
	snprintf(marker, sizeof marker, "%s" OWLET_COMPACT_MARKER, prefix);

	char *body = NULL, *qid = NULL;
	size_t len = 0;
	int rc = owlet_s3_get(s3, &body, &len, cfg->bucket, marker);
	json_t *old = rc == 0 ? json_loadb(body, len, 0, NULL) : NULL;
	free(body);
	if (rc == OWLET_ENOTFOUND)
		rc = 0;
	const char *had = json_string_value(json_object_get(old, "fingerprint"));
	if (rc == 0 && had && !strcmp(had, fingerprint)) {
		p.rows = json_integer_value(json_object_get(old, "rows"));
		p.parquet_bytes = json_integer_value(json_object_get(old, "parquet_bytes"));
		json_decref(old);
		if (cfg->progress)
			cfg->progress(cfg->cls, &p);
		return 0;
	}
	json_decref(old);
	p.action = "compacted";
	if (rc == 0)
		rc = clear_prefix(s3, cfg->bucket, curated, prefix);
	if (rc == 0)
		rc = run_unload(athena, cfg, ds, part, prefix, &p, &qid);
	struct owlet_s3_list written = { 0 };
	if (rc == 0)
		rc = list_all(s3, &written, cfg->bucket, prefix);
	for (size_t i = 0; rc == 0 && i < written.count; i++)
		p.parquet_bytes += written.items[i].size;
	owlet_s3_list_clear(&written);
	json_t *doc = NULL;
	if (rc == 0)
		doc = json_pack("{s:i, s:s, s:I, s:I, s:I, s:I, s:s, s:I}", "v", 1, "fingerprint", fingerprint, "rows",
				(json_int_t)p.rows, "raw_objects", (json_int_t)p.raw_objects, "raw_bytes",
				(json_int_t)p.raw_bytes, "parquet_bytes", (json_int_t)p.parquet_bytes, "query_id", qid,
				"time", (json_int_t)(owlet_clock_wall_ms() / 1000));
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	if (rc == 0)
		rc = text ? owlet_s3_put(s3, cfg->bucket, marker, text, strlen(text), "application/json")
			  : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0 && cfg->progress)
		cfg->progress(cfg->cls, &p);
	free(text);
	json_decref(doc);
	free(qid);
	return rc;
}

static int compact_dataset(struct owlet_s3 *s3, struct owlet_athena_client *athena,
			   const struct owlet_compact_config *cfg, const struct owlet_dataset *ds)
{
	char raw_base[96], cur_base[96];
	snprintf(raw_base, sizeof raw_base, "raw/%s/", ds->name);
	snprintf(cur_base, sizeof cur_base, "curated/%s/", ds->name);
	bool partitioned = ds->partition_by != NULL;
	struct owlet_s3_list all = { 0 }, raw = { 0 }, curated = { 0 };
	int rc = list_all(s3, &all, cfg->bucket, raw_base);
	if (rc == 0)
		rc = list_all(s3, &curated, cfg->bucket, cur_base);
	/* the layout's objects only: *.jsonl, keys the Lambda would read */
	for (size_t i = 0; rc == 0 && i < all.count; i++) {
		struct owlet_s3_object *o = &all.items[i];
		char part[16];
		if (!ends_with(o->key, ".jsonl") || owlet_s3_key_check(o->key, raw_base) < 0 ||
		    !partition_of(part, o->key, raw_base, partitioned))
			continue;
		if (raw.count == raw.cap) {
			size_t cap = raw.cap ? raw.cap * 2 : 64;
			struct owlet_s3_object *items = realloc(raw.items, cap * sizeof *items);
			if (!items) {
				rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
				break;
			}
			raw.items = items, raw.cap = cap;
		}
		raw.items[raw.count++] = *o;
		*o = (struct owlet_s3_object){ 0 };
	}
	owlet_s3_list_clear(&all);
	/* S3 lists keys in order, so each partition is one run */
	for (size_t i = 0; rc == 0 && i < raw.count;) {
		char part[16], next[16];
		partition_of(part, raw.items[i].key, raw_base, partitioned);
		size_t j = i + 1;
		while (j < raw.count && !strcmp(partition_of(next, raw.items[j].key, raw_base, partitioned), part))
			j++;
		rc = compact_partition(s3, athena, cfg, ds, part, &raw, i, j, &curated);
		i = j;
	}
	/* curated partitions whose raw objects are gone (both lists are in key order) */
	size_t r = 0;
	for (size_t i = 0; rc == 0 && i < curated.count; i++) {
		char part[16], rp[16], prefix[128];
		if (!partition_of(part, curated.items[i].key, cur_base, partitioned))
			continue; /* not in the layout: left alone */
		while (r < raw.count && strcmp(partition_of(rp, raw.items[r].key, raw_base, partitioned), part) < 0)
			r++;
		if (r < raw.count && !strcmp(partition_of(rp, raw.items[r].key, raw_base, partitioned), part))
			continue;
		snprintf(prefix, sizeof prefix, "%s%s%s", cur_base, part, *part ? "/" : "");
		struct owlet_compact_partition p = { .dataset = ds->name, .partition = part, .action = "removed" };
		rc = clear_prefix(s3, cfg->bucket, &curated, prefix);
		if (rc == 0 && cfg->progress)
			cfg->progress(cfg->cls, &p);
		while (i + 1 < curated.count && !strncmp(curated.items[i + 1].key, prefix, strlen(prefix)))
			i++; /* the rest of this partition went with it */
	}
	owlet_s3_list_clear(&raw);
	owlet_s3_list_clear(&curated);
	return rc;
}

int owlet_compact(struct owlet_s3 *s3, struct owlet_athena_client *athena, const struct owlet_compact_config *cfg)
{
	const struct owlet_model *m = cfg->model;
	bool found = cfg->dataset == NULL;
	for (size_t i = 0; i < m->n_datasets; i++)
		found = found || !strcmp(m->datasets[i].name, cfg->dataset);
	if (!found)
		return owlet_error_setc(OWLET_ENOTFOUND, "no dataset '%s' in the model", cfg->dataset);
	for (size_t i = 0; i < m->n_datasets; i++) {
		if (cfg->dataset && strcmp(m->datasets[i].name, cfg->dataset) != 0)
			continue;
		int rc = compact_dataset(s3, athena, cfg, &m->datasets[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}
