/*
 * agg_json.c: an owlet_agg as JSON (jansson), the edge of the core.
 *
 * The report (owlet_agg_to_json) is what `owlet stats` prints; docs/stats.md
 * documents it.  Numbers that JSON cannot hold (infinities, NaN) are the
 * strings "Infinity", "-Infinity", "NaN".  Dates and timestamps are ISO
 * strings; their stddev is in days and seconds.
 *
 * The partial (owlet_agg_to_partial) holds the whole state, exactly:
 * counters, Welford's mean and M2, min/max, the 128-bit integer sum as a
 * decimal string, the compensated float sum, the HyperLogLog registers
 * (base64, 16 KiB -> 22 KB), the KLL levels and the space-saving counters
 * (values in base64, hashes in hex), so that from_partial(to_partial(A))
 * merges exactly as A does.
 */
#include "agg_internal.h"
#include "base/base64.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const type_names[] = {
	[OWLET_TYPE_INT] = "int",   [OWLET_TYPE_FLOAT] = "float", [OWLET_TYPE_STRING] = "string",
	[OWLET_TYPE_BOOL] = "bool", [OWLET_TYPE_DATE] = "date",   [OWLET_TYPE_TIMESTAMP] = "timestamp",
};

/* ---- small helpers ---- */

static int set_new(json_t *obj, const char *key, json_t *v)
{
	return v ? json_object_set_new(obj, key, v) : -1;
}

static json_t *jreal(double d)
{
	if (isnan(d))
		return json_string("NaN");
	if (isinf(d))
		return json_string(d > 0 ? "Infinity" : "-Infinity");
	return json_real(d);
}

static bool jreal_get(const json_t *j, double *out)
{
	if (json_is_number(j)) {
		*out = json_number_value(j);
		return true;
	}
	const char *s = json_string_value(j);
	if (!s)
		return false;
	if (strcmp(s, "NaN") == 0)
		*out = NAN;
	else if (strcmp(s, "Infinity") == 0)
		*out = INFINITY;
	else if (strcmp(s, "-Infinity") == 0)
		*out = -INFINITY;
	else
		return false;
	return true;
}

/* Valid UTF-8 (invalid bytes become U+FFFD) as a JSON string. */
static json_t *jstring_utf8(const char *p, size_t n)
{
	char *o = malloc(3 * n + 1);
	if (!o)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)p[i];
		size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		bool good = len && i + len <= n;
		for (size_t j = 1; good && j < len; j++)
			good = ((unsigned char)p[i + j] & 0xC0) == 0x80;
		if (good && len > 1) {
			/* no overlong forms, surrogates or code points past U+10FFFF */
			unsigned cp = c & (0xFF >> (len + 1));
			for (size_t j = 1; j < len; j++)
				cp = (cp << 6) | ((unsigned char)p[i + j] & 0x3F);
			good = cp >= (len == 2 ? 0x80u : len == 3 ? 0x800u : 0x10000u) && cp <= 0x10FFFF &&
			       !(cp >= 0xD800 && cp < 0xE000);
		}
		if (good) {
			memcpy(o + k, p + i, len);
			k += len;
			i += len;
		} else {
			memcpy(o + k, "\xEF\xBF\xBD", 3);
			k += 3;
			i++;
		}
	}
	json_t *j = json_stringn(o, k);
	free(o);
	return j;
}

AGG_NO_COVERAGE static json_t *jbase64(const void *data, size_t n)
{
	char *o = owlet_base64_encode(data, n);
	json_t *j = o ? json_string(o) : NULL;
	free(o);
	return j;
}

/* Decodes base64 into out (cap bytes); returns the length or -1. */
AGG_NO_COVERAGE static long unbase64(const json_t *j, unsigned char *out, size_t cap)
{
	const char *s = json_string_value(j);
	unsigned char *d = NULL;
	size_t n = 0;
	if (!s || owlet_base64_decode(&d, &n, s, json_string_length(j)) < 0) {
		owlet_error_clear();
		return -1;
	}
	long rc = n <= cap ? (long)n : -1;
	if (rc >= 0)
		memcpy(out, d, n);
	free(d);
	return rc;
}

static json_t *jint128(__int128 v)
{
	if (v >= INT64_MIN && v <= INT64_MAX)
		return json_integer((json_int_t)v);
	return jreal((double)v);
}

static json_t *jint128_string(__int128 v)
{
	char buf[48], *p = buf + sizeof buf;
	*--p = '\0';
	unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
	do {
		*--p = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return json_string(p);
}

static bool jint128_get(const json_t *j, __int128 *out)
{
	const char *s = json_string_value(j);
	if (!s || !*s)
		return false;
	bool neg = *s == '-';
	s += neg;
	unsigned __int128 u = 0;
	int digits = 0;
	for (; *s; s++, digits++) {
		if (*s < '0' || *s > '9' || digits >= 39)
			return false;
		u = u * 10 + (unsigned)(*s - '0');
	}
	if (!digits || u > ((unsigned __int128)1 << 126))
		return false;
	*out = neg ? -(__int128)u : (__int128)u;
	return true;
}

static json_t *examples_json(const struct agg_example *ex, unsigned n, bool value)
{
	json_t *arr = json_array();
	for (unsigned i = 0; arr && i < n; i++) {
		json_t *o = json_object();
		if (!o || json_array_append_new(arr, o) < 0 || set_new(o, "file", json_string(ex[i].file)) < 0 ||
		    set_new(o, "line", json_integer((json_int_t)ex[i].line)) < 0 ||
		    (value ? set_new(o, "value", jstring_utf8(ex[i].value ? ex[i].value : "",
							      ex[i].value ? strlen(ex[i].value) : 0))
			   : set_new(o, "fields", json_integer((json_int_t)ex[i].fields))) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *problems_json(uint64_t count, const struct agg_example *ex, unsigned n, bool value)
{
	json_t *o = json_object();
	if (o && set_new(o, "count", json_integer((json_int_t)count)) == 0 &&
	    set_new(o, "examples", examples_json(ex, n, value)) == 0)
		return o;
	json_decref(o);
	return NULL;
}

/* ---- the report ---- */

/* A value of the column's own kind: a number, or an ISO string. */
static json_t *typed(const struct agg_col *c, double v)
{
	char buf[64];
	if (isnan(v))
		return json_null();
	switch (c->type) {
	case OWLET_TYPE_INT:
		return json_integer((json_int_t)llround(v));
	case OWLET_TYPE_DATE:
		owlet_format_date(buf, sizeof buf, (int64_t)llround(v));
		return json_string(buf);
	case OWLET_TYPE_TIMESTAMP:
		owlet_format_timestamp(buf, sizeof buf, (int64_t)llround(v));
		return json_string(buf);
	default:
		return jreal(v);
	}
}

static json_t *typed_int(const struct agg_col *c, int64_t v)
{
	char buf[64];
	if (c->type == OWLET_TYPE_DATE) {
		owlet_format_date(buf, sizeof buf, v);
		return json_string(buf);
	}
	if (c->type == OWLET_TYPE_TIMESTAMP) {
		owlet_format_timestamp(buf, sizeof buf, v);
		return json_string(buf);
	}
	return json_integer((json_int_t)v);
}

static double col_stddev(const struct agg_col *c)
{
	uint64_t n = c->count - c->pinf - c->ninf;
	if (n < 2 || c->pinf || c->ninf)
		return NAN;
	double sd = sqrt(c->m2 / (double)(n - 1));
	if (c->type == OWLET_TYPE_TIMESTAMP)
		sd /= 1e6;
	return sd;
}

static int column_report(json_t *o, const struct agg_col *c)
{
	bool has = c->count > 0;
	bool ints = c->type == OWLET_TYPE_INT || c->type == OWLET_TYPE_DATE || c->type == OWLET_TYPE_TIMESTAMP;
	json_t *min = json_null(), *max = json_null(), *sum = json_null(), *mean = json_null();
	json_t *sd = json_null(), *quant = json_null(), *top = json_null();
	json_t *minlen = json_null(), *maxlen = json_null();
	if (has && ints) {
		min = typed_int(c, c->imin);
		max = typed_int(c, c->imax);
		double m = (double)c->isum / (double)c->count;
		if (c->type == OWLET_TYPE_INT) {
			sum = jint128(c->isum);
			mean = jreal(m);
		} else
			mean = typed(c, m);
	} else if (has && c->type == OWLET_TYPE_FLOAT) {
		min = jreal(c->fmin);
		max = jreal(c->fmax);
		double s = c->pinf && c->ninf ? NAN : c->pinf ? INFINITY : c->ninf ? -INFINITY : c->fsum + c->fcomp;
		sum = jreal(s);
		mean = jreal(s / (double)c->count);
	} else if (has && c->type == OWLET_TYPE_BOOL) {
		sum = json_integer((json_int_t)c->trues);
		mean = jreal((double)c->trues / (double)c->count);
	}
	if (has && c->type != OWLET_TYPE_STRING && c->type != OWLET_TYPE_BOOL) {
		double s = col_stddev(c);
		if (!isnan(s))
			sd = jreal(s);
	}
	if (has && c->kll) {
		static const double qs[3] = { 0.5, 0.9, 0.99 };
		double v[3];
		if (kll_quantiles(c->kll, qs, 3, v) < 0)
			return -1;
		quant = json_object();
		if (!quant || set_new(quant, "p50", typed(c, v[0])) < 0 || set_new(quant, "p90", typed(c, v[1])) < 0 ||
		    set_new(quant, "p99", typed(c, v[2])) < 0)
			return -1;
	}
	if (c->top) {
		const struct topk_entry **sorted = malloc((c->top->n + 1) * sizeof *sorted);
		if (!sorted)
			return -1;
		size_t n = topk_sorted(c->top, sorted);
		top = json_array();
		bool bad = !top;
		for (size_t i = 0; !bad && i < n && i < OWLET_AGG_TOP; i++) {
			json_t *e = json_object();
			size_t len = sorted[i]->len < TOPK_VAL ? sorted[i]->len : TOPK_VAL;
			bad = !e || json_array_append_new(top, e) < 0 ||
			      set_new(e, "value", jstring_utf8(sorted[i]->val, len)) < 0 ||
			      set_new(e, "count", json_integer((json_int_t)(sorted[i]->count + c->top->offset))) < 0 ||
			      (c->top->offset && set_new(e, "error", json_integer((json_int_t)c->top->offset)) < 0) ||
			      (sorted[i]->len > TOPK_VAL && set_new(e, "truncated", json_true()) < 0);
		}
		free(sorted);
		if (bad)
			return -1;
	}
	if (has && c->type == OWLET_TYPE_STRING) {
		minlen = json_integer((json_int_t)c->minlen);
		maxlen = json_integer((json_int_t)c->maxlen);
	}
	double d = has ? round(hll_estimate(c->hll)) : 0;
	if (d > (double)c->count)
		d = (double)c->count;
	if (has && d < 1)
		d = 1;
	if (set_new(o, "type", json_string(type_names[c->type])) < 0 ||
	    set_new(o, "count", json_integer((json_int_t)c->count)) < 0 ||
	    set_new(o, "nulls", json_integer((json_int_t)c->nulls)) < 0 ||
	    set_new(o, "invalid", problems_json(c->invalid, c->inv, c->n_inv, true)) < 0 ||
	    set_new(o, "min", min) < 0 || set_new(o, "max", max) < 0 || set_new(o, "sum", sum) < 0 ||
	    set_new(o, "mean", mean) < 0 || set_new(o, "stddev", sd) < 0 ||
	    set_new(o, "distinct", json_integer((json_int_t)d)) < 0 || set_new(o, "quantiles", quant) < 0 ||
	    set_new(o, "top", top) < 0 || set_new(o, "min_length", minlen) < 0 ||
	    set_new(o, "max_length", maxlen) < 0)
		return -1;
	return 0;
}

/* {"owlet_stats_partial"?, "dataset", "rows", "lines"?, "bad_rows",
 * "columns": {NAME: column(...)}}: the frame of the report and the partial. */
static json_t *agg_json(const struct owlet_agg *a, bool partial, int (*column)(json_t *, const struct agg_col *))
{
	json_t *root = json_object(), *cols = json_object();
	if (!root || !cols || (partial && set_new(root, "owlet_stats_partial", json_integer(1)) < 0) ||
	    set_new(root, "dataset", json_string(a->ds->name)) < 0 ||
	    set_new(root, "rows", json_integer((json_int_t)a->rows)) < 0 ||
	    (partial && set_new(root, "lines", json_integer((json_int_t)a->lines)) < 0) ||
	    set_new(root, "bad_rows", problems_json(a->bad_rows, a->bad, a->n_bad, false)) < 0 ||
	    json_object_set(root, "columns", cols) < 0)
		goto fail;
	for (size_t i = 0; i < a->ncols; i++) {
		json_t *o = json_object();
		if (!o || json_object_set_new(cols, a->cols[i].field->name, o) < 0 || column(o, &a->cols[i]) < 0)
			goto fail;
	}
	json_decref(cols);
	return root;
fail:
	json_decref(cols);
	json_decref(root);
	owlet_error_setc(OWLET_ENOMEM, "out of memory");
	return NULL;
}

json_t *owlet_agg_to_json(const struct owlet_agg *a)
{
	return agg_json(a, false, column_report);
}

/* ---- the partial ---- */

static json_t *hex64(uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%016llx", (unsigned long long)v);
	return json_string(buf);
}

static bool hex64_get(const json_t *j, uint64_t *out)
{
	const char *s = json_string_value(j);
	char *end;
	if (!s || json_string_length(j) != 16)
		return false;
	*out = strtoull(s, &end, 16);
	return *end == '\0';
}

static json_t *kll_json(const struct kll *s)
{
	json_t *o = json_object(), *levels = json_array();
	if (!o || !levels || set_new(o, "n", json_integer((json_int_t)s->n)) < 0 ||
	    set_new(o, "rng", hex64(s->rng)) < 0 || set_new(o, "sampler", json_integer(s->sampler)) < 0 ||
	    set_new(o, "block", json_pack("[IIo]", (json_int_t)s->blk_count, (json_int_t)s->blk_pick,
					  jreal(s->blk_item))) < 0 ||
	    json_object_set(o, "levels", levels) < 0)
		goto fail;
	for (uint32_t h = 0; h < s->levels; h++) {
		json_t *l = json_array();
		if (!l || json_array_append_new(levels, l) < 0)
			goto fail;
		for (uint32_t i = 0; i < s->lv[h].len; i++)
			if (json_array_append_new(l, jreal(s->lv[h].v[i])) < 0)
				goto fail;
	}
	json_decref(levels);
	return o;
fail:
	json_decref(levels);
	json_decref(o);
	return NULL;
}

static json_t *topk_json(const struct topk *t)
{
	json_t *o = json_object(), *arr = json_array();
	if (!o || !arr || set_new(o, "offset", json_integer((json_int_t)t->offset)) < 0 ||
	    json_object_set(o, "values", arr) < 0)
		goto fail;
	for (uint32_t i = 0; i < t->n; i++) {
		const struct topk_entry *e = &t->e[i];
		json_t *v = json_object();
		if (!v || json_array_append_new(arr, v) < 0 ||
		    set_new(v, "value", jbase64(e->val, e->len < TOPK_VAL ? e->len : TOPK_VAL)) < 0 ||
		    set_new(v, "len", json_integer(e->len)) < 0 || set_new(v, "hash", hex64(e->hash)) < 0 ||
		    set_new(v, "count", json_integer((json_int_t)e->count)) < 0)
			goto fail;
	}
	json_decref(arr);
	return o;
fail:
	json_decref(arr);
	json_decref(o);
	return NULL;
}

static int column_partial(json_t *o, const struct agg_col *c)
{
	if (set_new(o, "type", json_string(type_names[c->type])) < 0 ||
	    set_new(o, "count", json_integer((json_int_t)c->count)) < 0 ||
	    set_new(o, "nulls", json_integer((json_int_t)c->nulls)) < 0 ||
	    set_new(o, "invalid", problems_json(c->invalid, c->inv, c->n_inv, true)) < 0 ||
	    set_new(o, "mean", jreal(c->mean)) < 0 || set_new(o, "m2", jreal(c->m2)) < 0 ||
	    set_new(o, "imin", json_integer(c->imin)) < 0 || set_new(o, "imax", json_integer(c->imax)) < 0 ||
	    set_new(o, "isum", jint128_string(c->isum)) < 0 || set_new(o, "fmin", jreal(c->fmin)) < 0 ||
	    set_new(o, "fmax", jreal(c->fmax)) < 0 || set_new(o, "fsum", jreal(c->fsum)) < 0 ||
	    set_new(o, "fcomp", jreal(c->fcomp)) < 0 || set_new(o, "pinf", json_integer((json_int_t)c->pinf)) < 0 ||
	    set_new(o, "ninf", json_integer((json_int_t)c->ninf)) < 0 ||
	    set_new(o, "minlen", json_integer((json_int_t)(c->minlen == UINT64_MAX ? -1 : (int64_t)c->minlen))) < 0 ||
	    set_new(o, "maxlen", json_integer((json_int_t)c->maxlen)) < 0 ||
	    set_new(o, "trues", json_integer((json_int_t)c->trues)) < 0 ||
	    set_new(o, "hll", jbase64(c->hll->reg, HLL_M)) < 0)
		return -1;
	if (c->kll && set_new(o, "kll", kll_json(c->kll)) < 0)
		return -1;
	if (c->top && set_new(o, "top", topk_json(c->top)) < 0)
		return -1;
	return 0;
}

json_t *owlet_agg_to_partial(const struct owlet_agg *a)
{
	return agg_json(a, true, column_partial);
}

/* ---- reading a partial back ---- */

static bool get_u64(const json_t *o, const char *key, uint64_t *out)
{
	const json_t *j = json_object_get(o, key);
	if (!json_is_integer(j) || json_integer_value(j) < 0)
		return false;
	*out = (uint64_t)json_integer_value(j);
	return true;
}

static bool get_i64(const json_t *o, const char *key, int64_t *out)
{
	const json_t *j = json_object_get(o, key);
	if (!json_is_integer(j))
		return false;
	*out = json_integer_value(j);
	return true;
}

static bool get_real(const json_t *o, const char *key, double *out)
{
	return jreal_get(json_object_get(o, key), out);
}

static bool examples_get(const json_t *o, uint64_t *count, struct agg_example *ex, unsigned *n, bool value)
{
	if (!json_is_object(o) || !get_u64(o, "count", count))
		return false;
	const json_t *arr = json_object_get(o, "examples"), *e;
	size_t i;
	if (!json_is_array(arr))
		return false;
	json_array_foreach(arr, i, e) {
		uint64_t line = 0, fields = 0;
		const char *file = json_string_value(json_object_get(e, "file"));
		const json_t *v = json_object_get(e, "value");
		if (!file || !get_u64(e, "line", &line) || (value ? !json_is_string(v) : !get_u64(e, "fields", &fields)))
			return false;
		if (*n < OWLET_AGG_EXAMPLES &&
		    agg_example_set(&ex[*n], file, line, value ? json_string_value(v) : NULL,
				    value ? json_string_length(v) : 0, fields) == 0)
			(*n)++;
	}
	return true;
}

static bool kll_get(struct kll *s, const json_t *o)
{
	const json_t *levels = json_object_get(o, "levels"), *block = json_object_get(o, "block"), *l, *x;
	size_t h, i;
	uint64_t n = 0, sampler = 0;
	json_int_t count = 0, pick = 0;
	json_t *item = NULL;
	if (!json_is_array(levels) || json_array_size(levels) > KLL_MAX_LEVELS || !get_u64(o, "n", &n) ||
	    !hex64_get(json_object_get(o, "rng"), &s->rng) || s->rng == 0 || !get_u64(o, "sampler", &sampler) ||
	    sampler >= KLL_MAX_LEVELS - 1 || kll_set_sampler(s, (uint32_t)sampler) < 0 ||
	    json_unpack((json_t *)block, "[IIo]", &count, &pick, &item) < 0 || count < 0 || pick < 0 ||
	    (uint64_t)count >= (1ULL << sampler) || (uint64_t)pick >= (1ULL << sampler) ||
	    !jreal_get(item, &s->blk_item))
		return false;
	s->blk_count = (uint64_t)count;
	s->blk_pick = (uint64_t)pick;
	json_array_foreach(levels, h, l) {
		if (!json_is_array(l))
			return false;
		json_array_foreach(l, i, x) {
			double d;
			if (!jreal_get(x, &d) || isnan(d) || kll_push(s, (uint32_t)h, d) < 0)
				return false;
		}
	}
	s->n = n;
	return kll_compress(s) == 0;
}

static bool topk_get(struct topk *t, const json_t *o)
{
	const json_t *arr = json_object_get(o, "values"), *e;
	size_t i;
	uint64_t offset = 0;
	if (!json_is_array(arr) || json_array_size(arr) > TOPK_EXACT || !get_u64(o, "offset", &offset))
		return false;
	json_array_foreach(arr, i, e) {
		unsigned char val[TOPK_VAL];
		uint64_t len = 0, count = 0, hash = 0;
		long vl = unbase64(json_object_get(e, "value"), val, sizeof val);
		if (vl < 0 || !get_u64(e, "len", &len) || !get_u64(e, "count", &count) ||
		    !hex64_get(json_object_get(e, "hash"), &hash) || len > UINT32_MAX ||
		    (uint64_t)vl != (len < TOPK_VAL ? len : TOPK_VAL))
			return false;
		/* reads min(len, TOPK_VAL) bytes: exactly vl */
		topk_add_count(t, hash, (const char *)val, (size_t)len, count);
	}
	topk_add_offset(t, offset);
	return true;
}

static bool column_get(struct agg_col *c, const json_t *o)
{
	int64_t minlen = 0;
	uint64_t maxlen = 0;
	const char *type = json_string_value(json_object_get(o, "type"));
	if (!type || strcmp(type, type_names[c->type]) != 0 || !get_u64(o, "count", &c->count) ||
	    !get_u64(o, "nulls", &c->nulls) ||
	    !examples_get(json_object_get(o, "invalid"), &c->invalid, c->inv, &c->n_inv, true) ||
	    !get_real(o, "mean", &c->mean) || !get_real(o, "m2", &c->m2) || !get_i64(o, "imin", &c->imin) ||
	    !get_i64(o, "imax", &c->imax) || !jint128_get(json_object_get(o, "isum"), &c->isum) ||
	    !get_real(o, "fmin", &c->fmin) || !get_real(o, "fmax", &c->fmax) || !get_real(o, "fsum", &c->fsum) ||
	    !get_real(o, "fcomp", &c->fcomp) || !get_u64(o, "pinf", &c->pinf) || !get_u64(o, "ninf", &c->ninf) ||
	    !get_i64(o, "minlen", &minlen) || !get_u64(o, "maxlen", &maxlen) || !get_u64(o, "trues", &c->trues) ||
	    c->pinf + c->ninf > c->count)
		return false;
	c->minlen = minlen < 0 ? UINT64_MAX : (uint64_t)minlen;
	c->maxlen = maxlen;
	if (unbase64(json_object_get(o, "hll"), c->hll->reg, HLL_M) != HLL_M)
		return false;
	for (uint32_t i = 0; i < HLL_M; i++)
		if (c->hll->reg[i] > HLL_Q + 1)
			return false;
	if (c->kll && !kll_get(c->kll, json_object_get(o, "kll")))
		return false;
	if (c->top && !topk_get(c->top, json_object_get(o, "top")))
		return false;
	return true;
}

int owlet_agg_from_partial(struct owlet_agg **out, const struct owlet_dataset *ds, const json_t *json)
{
	*out = NULL;
	struct owlet_agg *a;
	int rc = owlet_agg_new(&a, ds);
	if (rc < 0)
		return rc;
	const json_t *cols = json_object_get(json, "columns");
	const char *name = json_string_value(json_object_get(json, "dataset"));
	const json_t *version = json_object_get(json, "owlet_stats_partial");
	if (!json_is_integer(version) || json_integer_value(version) != 1 || !name || strcmp(name, ds->name) != 0 ||
	    !json_is_object(cols) || !get_u64(json, "rows", &a->rows) || !get_u64(json, "lines", &a->lines) ||
	    !examples_get(json_object_get(json, "bad_rows"), &a->bad_rows, a->bad, &a->n_bad, false)) {
		rc = owlet_error_setc(OWLET_EINVALID, "not a partial of the stats of dataset '%s'", ds->name);
		goto fail;
	}
	for (size_t i = 0; i < a->ncols; i++) {
		const json_t *o = json_object_get(cols, a->cols[i].field->name);
		if (!json_is_object(o) || !column_get(&a->cols[i], o)) {
			rc = owlet_error_setc(OWLET_EINVALID, "bad partial stats of column '%s'", a->cols[i].field->name);
			goto fail;
		}
	}
	*out = a;
	return 0;
fail:
	owlet_agg_free(a);
	return rc;
}
