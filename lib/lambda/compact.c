/* compact.c: raw JSON Lines to Parquet through Athena's UNLOAD (see compact.h). */
#include "lambda/compact.h"
#include "agg/agg.h"
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

static bool is_marker(const char *key)
{
	const char *base = strrchr(key, '/');
	return !strncmp(base ? base + 1 : key, OWLET_COMPACT_MARKER, strlen(OWLET_COMPACT_MARKER));
}

/* Deletes every object of curated under prefix, the markers first. */
static int clear_prefix(struct owlet_s3 *s3, const char *bucket, const struct owlet_s3_list *curated, const char *prefix)
{
	int rc = 0;
	for (int markers = 1; markers >= 0; markers--)
		for (size_t i = 0; rc == 0 && i < curated->count; i++)
			if (!strncmp(curated->items[i].key, prefix, strlen(prefix)) &&
			    is_marker(curated->items[i].key) == (markers == 1))
				rc = owlet_s3_delete(s3, bucket, curated->items[i].key);
	return rc;
}

/* Whether the listing (in key order, as S3 lists) holds key. */
static bool listed(const struct owlet_s3_list *l, const char *key)
{
	size_t lo = 0, hi = l->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(l->items[mid].key, key);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The fingerprint of raw->items[from, to): the hex SHA-256 of their
 * "key\tETag\n" lines. */
static int fingerprint(char out[65], const struct owlet_s3_list *raw, size_t from, size_t to)
{
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
	}
	owlet_sha256_hex(out, fp.data ? fp.data : "", fp.len);
	owlet_buf_free(&fp);
	return 0;
}

/* curated/NAME/[P/] and its marker for the fingerprint. */
static void curated_names(char prefix[128], char marker[256], const struct owlet_dataset *ds, const char *part,
			  const char *fp)
{
	snprintf(prefix, 128, "curated/%s/%s%s", ds->name, part, *part ? "/" : "");
	snprintf(marker, 256, "%s" OWLET_COMPACT_MARKER "-%s.json", prefix, fp);
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
	for (size_t i = from; i < to; i++) {
		p.raw_objects++;
		p.raw_bytes += raw->items[i].size;
	}
	char fp[65], prefix[128], marker[256];
	if (fingerprint(fp, raw, from, to) < 0)
		return OWLET_ENOMEM;
	curated_names(prefix, marker, ds, part, fp);

	char *body = NULL, *qid = NULL;
	size_t len = 0;
	int rc = listed(curated, marker) ? owlet_s3_get(s3, &body, &len, cfg->bucket, marker) : OWLET_ENOTFOUND;
	json_t *old = rc == 0 ? json_loadb(body, len, 0, NULL) : NULL;
	free(body);
	if (rc == OWLET_ENOTFOUND)
		rc = 0;
	const char *had = json_string_value(json_object_get(old, "fingerprint"));
	if (rc == 0 && had && !strcmp(had, fp)) {
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
		doc = json_pack("{s:i, s:s, s:I, s:I, s:I, s:I, s:s, s:I}", "v", 1, "fingerprint", fp, "rows",
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

/* The dataset's raw objects of the layout (*.jsonl, keys the Lambda would
 * read, in a partition) and everything under curated/NAME/, in key order. */
static int list_dataset(struct owlet_s3 *s3, const char *bucket, const struct owlet_dataset *ds,
			struct owlet_s3_list *raw, struct owlet_s3_list *curated)
{
	char raw_base[96], cur_base[96];
	snprintf(raw_base, sizeof raw_base, "raw/%s/", ds->name);
	snprintf(cur_base, sizeof cur_base, "curated/%s/", ds->name);
	bool partitioned = ds->partition_by != NULL;
	struct owlet_s3_list all = { 0 };
	*raw = (struct owlet_s3_list){ 0 };
	*curated = (struct owlet_s3_list){ 0 };
	int rc = list_all(s3, &all, bucket, raw_base);
	if (rc == 0)
		rc = list_all(s3, curated, bucket, cur_base);
	for (size_t i = 0; rc == 0 && i < all.count; i++) {
		struct owlet_s3_object *o = &all.items[i];
		char part[16];
		if (!ends_with(o->key, ".jsonl") || owlet_s3_key_check(o->key, raw_base) < 0 ||
		    !partition_of(part, o->key, raw_base, partitioned))
			continue;
		if (owlet_grow((void **)&raw->items, &raw->cap, raw->count, sizeof *raw->items, 64) < 0) {
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
			break;
		}
		raw->items[raw->count++] = *o;
		*o = (struct owlet_s3_object){ 0 };
	}
	owlet_s3_list_clear(&all);
	if (rc < 0) {
		owlet_s3_list_clear(raw);
		owlet_s3_list_clear(curated);
	}
	return rc;
}

/* The end of the run of raw->items from i that is one partition (S3 lists
 * keys in order, so each partition is one run); its name in part. */
static size_t partition_run(char part[16], const struct owlet_s3_list *raw, size_t i, const char *raw_base,
			    bool partitioned)
{
	char next[16];
	partition_of(part, raw->items[i].key, raw_base, partitioned);
	size_t j = i + 1;
	while (j < raw->count && !strcmp(partition_of(next, raw->items[j].key, raw_base, partitioned), part))
		j++;
	return j;
}

static int compact_dataset(struct owlet_s3 *s3, struct owlet_athena_client *athena,
			   const struct owlet_compact_config *cfg, const struct owlet_dataset *ds)
{
	char raw_base[96], cur_base[96];
	snprintf(raw_base, sizeof raw_base, "raw/%s/", ds->name);
	snprintf(cur_base, sizeof cur_base, "curated/%s/", ds->name);
	bool partitioned = ds->partition_by != NULL;
	struct owlet_s3_list raw = { 0 }, curated = { 0 };
	int rc = list_dataset(s3, cfg->bucket, ds, &raw, &curated);
	for (size_t i = 0; rc == 0 && i < raw.count;) {
		char part[16];
		size_t j = partition_run(part, &raw, i, raw_base, partitioned);
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

/* "name" or "awsdatacatalog"."db"."name" (names from the model and the
 * environment). */
static void table_name(struct owlet_buf *b, const char *database, const char *name, const char *suffix)
{
	char piece[256];
	if (database)
		snprintf(piece, sizeof piece, "\"awsdatacatalog\".\"%s\".\"%s%s\"", database, name, suffix);
	else
		snprintf(piece, sizeof piece, "\"%s%s\"", name, suffix);
	owlet_buf_append(b, piece, strlen(piece));
}

static void select_columns(struct owlet_buf *b, const struct owlet_dataset *ds)
{
	owlet_buf_append(b, "SELECT ", 7);
	for (size_t i = 0; i < ds->n_fields; i++) {
		char piece[160];
		snprintf(piece, sizeof piece, "%s\"%s\"", i ? ", " : "", ds->fields[i].name);
		owlet_buf_append(b, piece, strlen(piece));
	}
	if (ds->partition_by)
		owlet_buf_append(b, ", \"dt\"", 6);
	owlet_buf_append(b, " FROM ", 6);
}

/* Appends "dt" BETWEEN DATE 'a' AND DATE 'b' OR ... for the runs of
 * consecutive days of days[0, n) (in order); false past max_ranges. */
static bool day_ranges(struct owlet_buf *b, const int64_t *days, size_t n, size_t max_ranges)
{
	size_t ranges = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && days[j] == days[j - 1] + 1)
			j++;
		if (++ranges > max_ranges)
			return false;
		char from[16], to[16], piece[96];
		owlet_format_date(from, sizeof from, days[i]);
		owlet_format_date(to, sizeof to, days[j - 1]);
		if (j - i == 1)
			snprintf(piece, sizeof piece, "%s\"dt\" = DATE '%s'", i ? " OR " : "", from);
		else
			snprintf(piece, sizeof piece, "%s\"dt\" BETWEEN DATE '%s' AND DATE '%s'", i ? " OR " : "", from, to);
		owlet_buf_append(b, piece, strlen(piece));
		i = j;
	}
	return true;
}

int owlet_compact_view(struct owlet_s3 *s3, const char *bucket, const struct owlet_dataset *ds, const char *database,
		       struct owlet_compact_view *out)
{
	memset(out, 0, sizeof *out);
	char raw_base[96];
	snprintf(raw_base, sizeof raw_base, "raw/%s/", ds->name);
	bool partitioned = ds->partition_by != NULL;
	struct owlet_s3_list raw = { 0 }, curated = { 0 };
	int64_t *days = NULL;
	int rc = list_dataset(s3, bucket, ds, &raw, &curated);
	if (rc == 0 && !(days = calloc(raw.count + 1, sizeof *days)))
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < raw.count;) {
		char part[16], fp[65], prefix[128], marker[256];
		size_t j = partition_run(part, &raw, i, raw_base, partitioned);
		rc = fingerprint(fp, &raw, i, j);
		out->partitions++;
		curated_names(prefix, marker, ds, part, fp);
		if (rc == 0 && listed(&curated, marker) &&
		    (!partitioned || owlet_parse_date(part + 3, 10, &days[out->compacted])))
			out->compacted++;
		i = j;
	}
	owlet_s3_list_clear(&raw);
	owlet_s3_list_clear(&curated);
	struct owlet_buf r = { 0 }, b = { 0 };
	if (rc == 0 && out->compacted && partitioned &&
	    !day_ranges(&r, days, out->compacted, OWLET_COMPACT_VIEW_MAX_RANGES))
		out->compacted = 0; /* too scattered: raw alone answers (slower, the same rows) */
	free(days);
	if (rc == 0 && out->compacted && partitioned) {
		select_columns(&b, ds);
		table_name(&b, database, ds->name, "");
		owlet_buf_append(&b, " WHERE NOT (", 12);
		owlet_buf_append(&b, r.data, r.len);
		owlet_buf_append(&b, ") UNION ALL ", 12);
		select_columns(&b, ds);
		table_name(&b, database, ds->name, "_curated");
		owlet_buf_append(&b, " WHERE ", 7);
		owlet_buf_append(&b, r.data, r.len);
	} else if (rc == 0 && out->compacted) { /* NAME first, as in the other form: the table a reader names */
		select_columns(&b, ds);
		table_name(&b, database, ds->name, "");
		owlet_buf_append(&b, " WHERE false UNION ALL ", 23);
		select_columns(&b, ds);
		table_name(&b, database, ds->name, "_curated");
	}
	owlet_buf_free(&r);
	if (rc == 0 && out->compacted && !b.data)
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0)
		out->body = b.data;
	else
		owlet_buf_free(&b);
	return rc;
}

void owlet_compact_view_clear(struct owlet_compact_view *v)
{
	free(v->body);
	memset(v, 0, sizeof *v);
}
