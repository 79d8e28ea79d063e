/*
 * layout.c: canonical JSON Lines, dt= days and keys (see layout.h and
 * docs/contracts.md, "The data bucket").
 */
#include "layout.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg/agg.h"
#include "base/error.h"
#include "base/hash.h"

#define MAX_PROBLEMS 100

/* A double in the shortest form that reads back to the same value, with a
 * '.' or an exponent (jansson would write 3.4 as 3.3999999999999999). */
static void put_real(FILE *f, double d)
{
	char buf[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	fputs(buf, f);
	if (!strpbrk(buf, ".e"))
		fputs(".0", f);
}

/* microseconds since the epoch -> "YYYY-MM-DD HH:MM:SS[.fff|.ffffff]" (UTC):
 * owlet_format_timestamp's ISO form without its 'T' and 'Z'; day gets its
 * day */
static void put_timestamp(FILE *f, int64_t us, char day[11])
{
	char iso[48];
	owlet_format_timestamp(iso, sizeof iso, us);
	size_t n = strlen(iso);
	if (n < 20 || iso[10] != 'T' || iso[n - 1] != 'Z')
		return; /* not reached: validated timestamps are within 0000-9999 */
	iso[10] = ' ';
	iso[n - 1] = '\0';
	if (day) {
		memcpy(day, iso, 10);
		day[10] = '\0';
	}
	if (f)
		fprintf(f, "\"%s\"", iso);
}

/* One validated value in its canonical form (f NULL: only the day); day
 * (when not NULL) gets the UTC day of a date or timestamp. */
static void put_value(FILE *f, const struct owlet_field *fd, const json_t *v, char day[11])
{
	const char *s = json_string_value(v);
	int64_t x;
	switch (fd->type) {
	case OWLET_TYPE_FLOAT:
		if (f)
			put_real(f, json_number_value(v));
		return;
	case OWLET_TYPE_DATE:
		if (day && s && strlen(s) == 10) {
			memcpy(day, s, 10);
			day[10] = '\0';
		}
		break;
	case OWLET_TYPE_TIMESTAMP:
		if (s && owlet_parse_timestamp(s, strlen(s), &x))
			return put_timestamp(f, x, day);
		break;
	default:
		break;
	}
	if (f)
		json_dumpf(v, f, JSON_ENCODE_ANY | JSON_COMPACT);
}

static int problem(struct layout_batch *b, long record, const char *field, const char *msg)
{
	b->n_problems++;
	if (json_array_size(b->problems) >= MAX_PROBLEMS)
		return 0;
	json_t *o = json_pack("{s:I, s:s, s:s}", "record", (json_int_t)record, "field", field, "message", msg);
	if (!o || json_array_append_new(b->problems, o) < 0)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	return 0;
}

static int part_for(struct layout_batch *b, const char *day, size_t *idx)
{
	for (size_t i = 0; i < b->n_parts; i++)
		if (strcmp(b->parts[i].day, day) == 0) {
			*idx = i;
			return 0;
		}
	if (b->n_parts >= LAYOUT_MAX_DAYS)
		return owlet_error_setc(OWLET_EINVALID,
					"the records fall on more than %d days (dt= partitions); send at most %d days per request",
					LAYOUT_MAX_DAYS, LAYOUT_MAX_DAYS);
	struct layout_part *p = realloc(b->parts, (b->n_parts + 1) * sizeof *p);
	if (!p)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	b->parts = p;
	memset(&p[b->n_parts], 0, sizeof *p);
	snprintf(p[b->n_parts].day, sizeof p[b->n_parts].day, "%s", day);
	*idx = b->n_parts++;
	return 0;
}

static int cmp_hash(const void *a, const void *b, void *arg)
{
	char(*h)[65] = arg;
	return strcmp(h[*(const size_t *)a], h[*(const size_t *)b]);
}

int layout_build(struct layout_batch *b, const struct owlet_dataset *ds, const json_t *payload, int n,
		 long *dup_a, long *dup_b)
{
	memset(b, 0, sizeof *b);
	*dup_a = *dup_b = -1;
	size_t nr = (size_t)n;
	b->n_records = nr;
	b->problems = json_array();
	b->part_of = calloc(nr ? nr : 1, sizeof *b->part_of);
	if (ds->key) {
		b->key_text = calloc(nr ? nr : 1, sizeof *b->key_text);
		b->key_hash = calloc(nr ? nr : 1, sizeof *b->key_hash);
	}
	if (!b->problems || !b->part_of || (ds->key && (!b->key_text || !b->key_hash)))
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	const struct owlet_field *pf = ds->partition_by ? owlet_dataset_field(ds, ds->partition_by) : NULL;
	const struct owlet_field *kf = ds->key ? owlet_dataset_field(ds, ds->key) : NULL;
	if ((ds->partition_by && !pf) || (ds->key && !kf))
		return owlet_error_setc(OWLET_EINVALID, "the model names a key or partition field it does not declare");
	/* the day of each record first: a request with problems writes nothing */
	char(*days)[11] = calloc(nr ? nr : 1, sizeof *days);
	if (!days)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < nr; i++) {
		const json_t *rec = json_is_array(payload) ? json_array_get(payload, i) : payload;
		char msg[200];
		if (pf) {
			const json_t *v = json_object_get(rec, pf->name);
			if (!v || json_is_null(v)) {
				snprintf(msg, sizeof msg, "record %zu has no value for partition field '%s'", i, pf->name);
				rc = problem(b, (long)i, pf->name, msg);
			} else {
				put_value(NULL, pf, v, days[i]);
			}
		}
		if (kf && rc == 0) {
			const json_t *v = json_object_get(rec, kf->name);
			if (!v || json_is_null(v)) {
				snprintf(msg, sizeof msg, "record %zu has no value for key field '%s'", i, kf->name);
				rc = problem(b, (long)i, kf->name, msg);
				continue;
			}
			size_t len = 0;
			FILE *f = open_memstream(&b->key_text[i], &len);
			if (!f)
				rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
			else {
				put_value(f, kf, v, NULL);
				if (fclose(f) != 0)
					rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
				else
					owlet_sha256_hex(b->key_hash[i], b->key_text[i], len);
			}
		}
	}
	if (rc == 0 && b->n_problems)
		rc = owlet_error_setc(OWLET_EINVALID, "records without a partition or key value");
	/* a key given twice in the request */
	if (rc == 0 && kf && nr > 1) {
		size_t *order = malloc(nr * sizeof *order);
		if (!order)
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		for (size_t i = 0; order && i < nr; i++)
			order[i] = i;
		if (order)
			qsort_r(order, nr, sizeof *order, cmp_hash, b->key_hash);
		for (size_t i = 1; order && i < nr; i++)
			if (strcmp(b->key_hash[order[i - 1]], b->key_hash[order[i]]) == 0) {
				*dup_a = (long)(order[i - 1] < order[i] ? order[i - 1] : order[i]);
				*dup_b = (long)(order[i - 1] < order[i] ? order[i] : order[i - 1]);
				break;
			}
		free(order);
	}
	/* the parts, then each record's canonical line in its part */
	FILE **fs = NULL;
	for (size_t i = 0; rc == 0 && i < nr; i++)
		rc = part_for(b, days[i], &b->part_of[i]);
	if (rc == 0 && !(fs = calloc(b->n_parts ? b->n_parts : 1, sizeof *fs)))
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < b->n_parts; i++)
		if (!(fs[i] = open_memstream(&b->parts[i].lines, &b->parts[i].size)))
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < nr; i++) {
		const json_t *rec = json_is_array(payload) ? json_array_get(payload, i) : payload;
		FILE *f = fs[b->part_of[i]];
		b->parts[b->part_of[i]].records++;
		fputc('{', f);
		int first = 1;
		for (size_t k = 0; k < ds->n_fields; k++) {
			const json_t *v = json_object_get(rec, ds->fields[k].name);
			if (!v || json_is_null(v))
				continue;
			if (!first)
				fputc(',', f);
			first = 0;
			json_t *name = json_string(ds->fields[k].name);
			json_dumpf(name, f, JSON_ENCODE_ANY);
			json_decref(name);
			fputc(':', f);
			put_value(f, &ds->fields[k], v, NULL);
		}
		fputs("}\n", f);
	}
	for (size_t i = 0; fs && i < b->n_parts; i++)
		if (fs[i] && fclose(fs[i]) != 0 && rc == 0)
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	free(fs);
	free(days);
	return rc;
}

void layout_clear(struct layout_batch *b)
{
	for (size_t i = 0; i < b->n_parts; i++)
		free(b->parts[i].lines);
	free(b->parts);
	for (size_t i = 0; b->key_text && i < b->n_records; i++)
		free(b->key_text[i]);
	free(b->key_text);
	free(b->key_hash);
	free(b->part_of);
	json_decref(b->problems);
	memset(b, 0, sizeof *b);
}

int layout_object_key(char *out, size_t size, const struct owlet_dataset *ds, const struct layout_part *p,
		      const char *stem)
{
	int n = p->day[0] ? snprintf(out, size, "raw/%s/dt=%s/%s-r%d.jsonl", ds->name, p->day, stem, p->records)
			  : snprintf(out, size, "raw/%s/%s-r%d.jsonl", ds->name, stem, p->records);
	if (n < 0 || (size_t)n >= size)
		return owlet_error_setc(OWLET_EINVALID, "the object key is too long");
	return 0;
}

int layout_marker_key(char *out, size_t size, const struct owlet_dataset *ds, const char *hash)
{
	int n = snprintf(out, size, "_keys/%s/%s.json", ds->name, hash);
	if (n < 0 || (size_t)n >= size)
		return owlet_error_setc(OWLET_EINVALID, "the key marker's name is too long");
	return 0;
}

int layout_stem_of(char *out, size_t size, const char *key)
{
	const char *base = strrchr(key, '/'), *dot = strrchr(key, '.');
	base = base ? base + 1 : key;
	const char *r = dot;
	while (r > base && r[-1] >= '0' && r[-1] <= '9')
		r--;
	if (!dot || strcmp(dot, ".jsonl") != 0 || r == dot || r - base < 3 || r[-1] != 'r' || r[-2] != '-' ||
	    (size_t)(r - 2 - base) >= size)
		return owlet_error_setc(OWLET_EINVALID, "'%s' is not an object key of the API", key);
	memcpy(out, base, (size_t)(r - 2 - base));
	out[r - 2 - base] = '\0';
	return 0;
}
