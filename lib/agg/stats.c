/*
 * stats.c: the per-column accumulators of an owlet_agg, and their merge.
 *
 * Layout
 *   One struct agg_col per model field (agg_internal.h).  Exact state:
 *   count, nulls, invalid (+ the first OWLET_AGG_EXAMPLES examples), min and
 *   max, the sum (ints, dates and timestamps: a 128-bit integer, never
 *   overflows for fewer than 2^64 values; floats: Neumaier's compensated
 *   sum, with +inf and -inf counted apart), string lengths (code points),
 *   and Welford's running mean and M2 over the values as doubles (finite
 *   floats only).  Sketches: HyperLogLog (every type), KLL (int, float,
 *   date, timestamp), space-saving (string, bool).
 *
 * Merge
 *   Counts, sums, min/max and lengths add or compare: exact, so merge(A, B)
 *   equals the stats of A then B.  Welford states merge with Chan, Golub
 *   and LeVeque's formula:
 *     n = na + nb, d = mean_b - mean_a,
 *     mean = mean_a + d nb / n,  M2 = M2a + M2b + d^2 na nb / n
 *   which is exact in real arithmetic; in floating point, merged and whole
 *   agree to rounding (relative 1e-12 in the tests), as float sums do.
 *   Sample stddev = sqrt(M2 / (n - 1)), null below 2 values.
 */
#include "agg_internal.h"
#include "parse.h"

#include <math.h>
#include <stdlib.h>

#define EXAMPLE_VALUE_MAX 64

int agg_example_set(struct agg_example *ex, const char *file, uint64_t line, const char *value,
		    size_t vlen, uint64_t fields)
{
	ex->file = strdup(file ? file : "");
	ex->line = line;
	ex->fields = fields;
	ex->value = NULL;
	if (value) {
		ex->value = strndup(value, vlen);
		if (!ex->value) {
			/* strndup stops at a NUL byte, which is fine; only failure matters */
			free(ex->file);
			ex->file = NULL;
			return OWLET_ENOMEM;
		}
	}
	return ex->file ? 0 : OWLET_ENOMEM;
}

static void example_clear(struct agg_example *ex)
{
	free(ex->file);
	free(ex->value);
	memset(ex, 0, sizeof *ex);
}

void agg_bad_row(struct owlet_agg *a, uint64_t line, uint64_t fields)
{
	a->bad_rows++;
	if (a->n_bad < OWLET_AGG_EXAMPLES &&
	    agg_example_set(&a->bad[a->n_bad], a->source, line, NULL, 0, fields) == 0)
		a->n_bad++;
}

void agg_add_invalid(struct owlet_agg *a, size_t col, const char *p, size_t len, uint64_t line)
{
	struct agg_col *c = &a->cols[col];
	c->invalid++;
	if (len > EXAMPLE_VALUE_MAX)
		len = EXAMPLE_VALUE_MAX; /* examples are short; the partial keeps them as they are */
	if (c->n_inv < OWLET_AGG_EXAMPLES && agg_example_set(&c->inv[c->n_inv], a->source, line, p, len, 0) == 0)
		c->n_inv++;
}

void agg_add_null(struct owlet_agg *a, size_t col)
{
	a->cols[col].nulls++;
}

/*
 * The cells of one column, a batch at a time (csv.c hands over AGG_BATCH
 * rows, column by column): the loop keeps the column's running state in
 * registers, dispatches on the type once per batch, and touches one
 * column's sketches while they are in the L1 cache.  Every value goes
 * through Welford's update, in order, so the result does not depend on
 * where batches begin (that is, on how the input was read); the quantile
 * sketch takes the batch's values at once (kll_add_many, the same sketch
 * as value by value).
 */
#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE bool parse_i64(enum owlet_type type, const char *p, size_t len, int64_t *x)
{
	return type == OWLET_TYPE_INT    ? agg_parse_int(p, len, x)
	       : type == OWLET_TYPE_DATE ? agg_parse_date(p, len, x)
				       : agg_parse_timestamp(p, len, x);
}

/* Welford's update of a running mean and M2 with the n-th value x. */
static ALWAYS_INLINE void welford(double *mean, double *m2, double x, uint64_t n)
{
	double d = x - *mean;
	*mean += d / (double)n;
	*m2 += d * (x - *mean);
}

/* int, date (days) and timestamp (microseconds): `type` is a constant at
 * each call, so each type gets its own loop. */
static ALWAYS_INLINE void add_i64_cells(struct owlet_agg *a, size_t col, const struct agg_cell *v,
					const uint64_t *lines, size_t n, enum owlet_type type)
{
	struct agg_col *c = &a->cols[col];
	uint64_t count = c->count, nulls = c->nulls;
	int64_t lo = c->imin, hi = c->imax;
	__int128 sum = c->isum;
	double mean = c->mean, m2 = c->m2;
	struct hll *h = c->hll;
	double vals[AGG_BATCH]; /* the values, for the quantile sketch */
	size_t nv = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t x;
		if (v[i].len == 0) {
			nulls++;
			continue;
		}
		if (!parse_i64(type, v[i].p, v[i].len, &x)) {
			agg_add_invalid(a, col, v[i].p, v[i].len, lines[i]);
			continue;
		}
		count++;
		lo = x < lo ? x : lo;
		hi = x > hi ? x : hi;
		sum += x;
		vals[nv] = (double)x;
		welford(&mean, &m2, vals[nv++], count);
		hll_add(h, agg_mix64((uint64_t)x));
	}
	(void)kll_add_many(c->kll, vals, nv); /* out of memory: the sketch misses values */
	c->count = count;
	c->nulls = nulls;
	c->imin = lo;
	c->imax = hi;
	c->isum = sum;
	c->mean = mean;
	c->m2 = m2;
}

static void add_f64_cells(struct owlet_agg *a, size_t col, const struct agg_cell *v, const uint64_t *lines,
			  size_t n)
{
	struct agg_col *c = &a->cols[col];
	uint64_t count = c->count, nulls = c->nulls, pinf = c->pinf, ninf = c->ninf;
	double lo = c->fmin, hi = c->fmax, fsum = c->fsum, fcomp = c->fcomp;
	double mean = c->mean, m2 = c->m2;
	struct hll *h = c->hll;
	double vals[AGG_BATCH]; /* the values, for the quantile sketch */
	size_t nv = 0;
	for (size_t i = 0; i < n; i++) {
		double x;
		if (v[i].len == 0) {
			nulls++;
			continue;
		}
		if (!agg_parse_float(v[i].p, v[i].len, &x)) {
			agg_add_invalid(a, col, v[i].p, v[i].len, lines[i]);
			continue;
		}
		count++;
		lo = x < lo ? x : lo;
		hi = x > hi ? x : hi;
		if (isinf(x)) {
			if (x > 0)
				pinf++;
			else
				ninf++;
		} else {
			/* Neumaier's compensated sum */
			double t = fsum + x;
			if (isinf(t) || isinf(fsum))
				; /* the sum overflowed the double range: it stays +-Infinity */
			else if (fabs(fsum) >= fabs(x))
				fcomp += (fsum - t) + x;
			else
				fcomp += (x - t) + fsum;
			fsum = t;
			welford(&mean, &m2, x, count - pinf - ninf);
		}
		double z = x == 0.0 ? 0.0 : x; /* -0.0 and 0.0 are one value */
		uint64_t bits;
		memcpy(&bits, &z, sizeof bits);
		hll_add(h, agg_mix64(bits));
		vals[nv++] = x;
	}
	(void)kll_add_many(c->kll, vals, nv); /* out of memory: the sketch misses values */
	c->count = count;
	c->nulls = nulls;
	c->pinf = pinf;
	c->ninf = ninf;
	c->fmin = lo;
	c->fmax = hi;
	c->fsum = fsum;
	c->fcomp = fcomp;
	c->mean = mean;
	c->m2 = m2;
}

/* Bools: counted in the batch, then one top-values update per value. */
static void add_bool_cells(struct owlet_agg *a, size_t col, const struct agg_cell *v, const uint64_t *lines,
			   size_t n)
{
	struct agg_col *c = &a->cols[col];
	uint64_t t = 0, f = 0;
	for (size_t i = 0; i < n; i++) {
		bool b;
		if (v[i].len == 0)
			c->nulls++;
		else if (!agg_parse_bool(v[i].p, v[i].len, &b))
			agg_add_invalid(a, col, v[i].p, v[i].len, lines[i]);
		else if (b)
			t++;
		else
			f++;
	}
	c->count += t + f;
	c->trues += t;
	if (t) {
		hll_add(c->hll, agg_mix64(1));
		topk_add_count(c->top, a->hash_true, "true", 4, t);
	}
	if (f) {
		hll_add(c->hll, agg_mix64(0));
		topk_add_count(c->top, a->hash_false, "false", 5, f);
	}
}

/* Code points: bytes that are not continuation bytes (10xxxxxx).  ASCII
 * is checked a word at a time (the value is padded, see agg_hash_padded). */
static inline uint64_t utf8_length(const char *p, size_t n)
{
	const uint64_t high = 0x8080808080808080ULL;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		if (w & high)
			goto multibyte;
	}
	if (i < n) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		if (w & high & (~0ULL >> (64 - 8 * (n - i))))
			goto multibyte;
	}
	return n;
multibyte:;
	size_t cont = 0;
	for (i = 0; i < n; i++)
		cont += ((unsigned char)p[i] & 0xC0) == 0x80;
	return n - cont;
}

/* Strings.  A value the top-values summary holds has been seen before,
 * so its length and hash are already in the column's state: only its count
 * moves.  (Every value the summary holds went into the HyperLogLog first,
 * here or in the partial it was merged from, which carries both.) */
static void add_string_cells(struct owlet_agg *a, size_t col, const struct agg_cell *v, size_t n)
{
	struct agg_col *c = &a->cols[col];
	uint64_t count = c->count, nulls = c->nulls, minlen = c->minlen, maxlen = c->maxlen;
	struct hll *h = c->hll;
	struct topk *top = c->top;
	for (size_t i = 0; i < n; i++) {
		const char *p = v[i].p;
		size_t len = v[i].len;
		if (len == 0) {
			nulls++;
			continue;
		}
		count++;
		uint64_t hash = agg_hash_padded(p, len);
		if (topk_bump(top, hash, p, len))
			continue;
		uint64_t cp = utf8_length(p, len);
		minlen = cp < minlen ? cp : minlen;
		maxlen = cp > maxlen ? cp : maxlen;
		hll_add(h, hash);
		topk_add_new(top, hash, p, len);
	}
	c->count = count;
	c->nulls = nulls;
	c->minlen = minlen;
	c->maxlen = maxlen;
}

void agg_add_cells(struct owlet_agg *a, size_t col, const struct agg_cell *v, const uint64_t *lines, size_t n)
{
	for (; n > AGG_BATCH; v += AGG_BATCH, lines += AGG_BATCH, n -= AGG_BATCH)
		agg_add_cells(a, col, v, lines, AGG_BATCH);
	switch (a->cols[col].type) {
	case OWLET_TYPE_INT:
		add_i64_cells(a, col, v, lines, n, OWLET_TYPE_INT);
		return;
	case OWLET_TYPE_DATE:
		add_i64_cells(a, col, v, lines, n, OWLET_TYPE_DATE);
		return;
	case OWLET_TYPE_TIMESTAMP:
		add_i64_cells(a, col, v, lines, n, OWLET_TYPE_TIMESTAMP);
		return;
	case OWLET_TYPE_FLOAT:
		add_f64_cells(a, col, v, lines, n);
		return;
	case OWLET_TYPE_BOOL:
		add_bool_cells(a, col, v, lines, n);
		return;
	case OWLET_TYPE_STRING:
		add_string_cells(a, col, v, n);
		return;
	}
}

void agg_add_value(struct owlet_agg *a, size_t col, const char *p, size_t len, uint64_t line)
{
	struct agg_cell cell = { p, len };
	agg_add_cells(a, col, &cell, &line, 1);
}

static void col_reset(struct agg_col *c)
{
	c->imin = INT64_MAX;
	c->imax = INT64_MIN;
	c->fmin = INFINITY;
	c->fmax = -INFINITY;
	c->minlen = UINT64_MAX;
}

void owlet_agg_free(struct owlet_agg *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->ncols; i++) {
		struct agg_col *c = &a->cols[i];
		for (unsigned j = 0; j < c->n_inv; j++)
			example_clear(&c->inv[j]);
		free(c->hll);
		if (c->kll)
			kll_free(c->kll);
		free(c->kll);
		topk_free(c->top);
		free(c->top);
	}
	for (unsigned j = 0; j < a->n_bad; j++)
		example_clear(&a->bad[j]);
	free(a->cols);
	free(a->map);
	free(a->missing);
	free(a);
}

int owlet_agg_new(struct owlet_agg **out, const struct owlet_dataset *ds)
{
	*out = NULL;
	struct owlet_agg *a = calloc(1, sizeof *a);
	if (!a)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	a->ds = ds;
	a->ncols = ds->n_fields;
	a->hash_true = agg_hash_bytes("true", 4);
	a->hash_false = agg_hash_bytes("false", 5);
	a->cols = calloc(a->ncols ? a->ncols : 1, sizeof *a->cols);
	if (!a->cols)
		goto fail_alloc;
	for (size_t i = 0; i < a->ncols; i++) {
		struct agg_col *c = &a->cols[i];
		c->field = &ds->fields[i];
		c->type = ds->fields[i].type;
		col_reset(c);
		if (!(c->hll = calloc(1, sizeof *c->hll)))
			goto fail_alloc;
		if (c->type == OWLET_TYPE_STRING || c->type == OWLET_TYPE_BOOL) {
			if (!(c->top = calloc(1, sizeof *c->top)) || topk_init(c->top) < 0)
				goto fail_alloc;
		} else {
			if (!(c->kll = malloc(sizeof *c->kll)))
				goto fail_alloc;
			if (kll_init(c->kll) < 0) {
				free(c->kll);
				c->kll = NULL;
				goto fail_alloc;
			}
		}
	}
	*out = a;
	return 0;
fail_alloc:
	owlet_agg_free(a);
	return owlet_error_setc(OWLET_ENOMEM, "out of memory");
}

int owlet_agg_new_like(struct owlet_agg **out, const struct owlet_agg *like)
{
	struct owlet_agg *a;
	int rc = owlet_agg_new(&a, like->ds);
	if (rc < 0)
		return rc;
	if (like->has_map) {
		a->map = malloc((like->n_map ? like->n_map : 1) * sizeof *a->map);
		a->missing = malloc((like->n_missing ? like->n_missing : 1) * sizeof *a->missing);
		if (!a->map || !a->missing) {
			owlet_agg_free(a);
			return owlet_error_setc(OWLET_ENOMEM, "out of memory");
		}
		memcpy(a->map, like->map, like->n_map * sizeof *a->map);
		memcpy(a->missing, like->missing, like->n_missing * sizeof *a->missing);
		a->n_map = like->n_map;
		a->n_missing = like->n_missing;
		a->has_map = true;
	}
	*out = a;
	return 0;
}

static bool name_eq(const char *name, const char *p, size_t n)
{
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	size_t i = 0;
	for (; i < n && name[i]; i++) {
		char c = p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != name[i])
			return false;
	}
	return i == n && name[i] == '\0';
}

int agg_column_index(const struct owlet_agg *a, const char *name, size_t len)
{
	for (size_t i = 0; i < a->ncols; i++)
		if (name_eq(a->cols[i].field->name, name, len))
			return (int)i;
	return -1;
}

int agg_set_header(struct owlet_agg *a, const char *const *names, const size_t *lens, size_t n)
{
	free(a->map);
	free(a->missing);
	a->map = malloc((n ? n : 1) * sizeof *a->map);
	a->missing = malloc((a->ncols ? a->ncols : 1) * sizeof *a->missing);
	bool *used = calloc(a->ncols ? a->ncols : 1, sizeof *used);
	if (!a->map || !a->missing || !used) {
		free(used);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		int c = agg_column_index(a, names[i], lens[i]);
		if (c >= 0 && used[c])
			c = -1; /* a repeated name: the first one counts */
		if (c >= 0)
			used[c] = true;
		a->map[i] = c;
	}
	a->n_map = n;
	a->n_missing = 0;
	for (size_t c = 0; c < a->ncols; c++)
		if (!used[c])
			a->missing[a->n_missing++] = c;
	a->has_map = true;
	free(used);
	return 0;
}

static void examples_merge(struct agg_example *into, unsigned *n_into, const struct agg_example *from,
			   unsigned n_from, uint64_t shift)
{
	for (unsigned i = 0; i < n_from && *n_into < OWLET_AGG_EXAMPLES; i++) {
		const struct agg_example *f = &from[i];
		if (agg_example_set(&into[*n_into], f->file, f->line + shift, f->value,
				    f->value ? strlen(f->value) : 0, f->fields) == 0)
			(*n_into)++;
	}
}

static void moments_merge(struct agg_col *a, uint64_t na, const struct agg_col *b, uint64_t nb)
{
	if (nb == 0)
		return;
	if (na == 0) {
		a->mean = b->mean;
		a->m2 = b->m2;
		return;
	}
	double n = (double)(na + nb), d = b->mean - a->mean;
	a->mean += d * (double)nb / n;
	a->m2 += b->m2 + d * d * (double)na * (double)nb / n;
}

int owlet_agg_merge(struct owlet_agg *into, const struct owlet_agg *from, uint64_t line_shift)
{
	if (into->ncols != from->ncols)
		return owlet_error_set("cannot merge the stats of different datasets");
	into->rows += from->rows;
	into->lines += from->lines;
	into->bad_rows += from->bad_rows;
	examples_merge(into->bad, &into->n_bad, from->bad, from->n_bad, line_shift);
	for (size_t i = 0; i < into->ncols; i++) {
		struct agg_col *a = &into->cols[i];
		const struct agg_col *b = &from->cols[i];
		if (a->type != b->type)
			return owlet_error_set("cannot merge column '%s': types differ", a->field->name);
		uint64_t wa = a->count - a->pinf - a->ninf, wb = b->count - b->pinf - b->ninf;
		moments_merge(a, wa, b, wb);
		a->count += b->count;
		a->nulls += b->nulls;
		a->invalid += b->invalid;
		examples_merge(a->inv, &a->n_inv, b->inv, b->n_inv, line_shift);
		if (b->imin < a->imin)
			a->imin = b->imin;
		if (b->imax > a->imax)
			a->imax = b->imax;
		a->isum += b->isum;
		if (b->fmin < a->fmin)
			a->fmin = b->fmin;
		if (b->fmax > a->fmax)
			a->fmax = b->fmax;
		double t = a->fsum + b->fsum;
		if (fabs(a->fsum) >= fabs(b->fsum))
			a->fcomp += (a->fsum - t) + b->fsum;
		else
			a->fcomp += (b->fsum - t) + a->fsum;
		a->fsum = t;
		a->fcomp += b->fcomp;
		a->pinf += b->pinf;
		a->ninf += b->ninf;
		if (b->minlen < a->minlen)
			a->minlen = b->minlen;
		if (b->maxlen > a->maxlen)
			a->maxlen = b->maxlen;
		a->trues += b->trues;
		hll_merge(a->hll, b->hll);
		if (a->kll && kll_merge(a->kll, b->kll) < 0)
			return OWLET_ENOMEM;
		if (a->top)
			topk_merge(a->top, b->top);
	}
	return 0;
}

uint64_t owlet_agg_lines(const struct owlet_agg *a)
{
	return a->lines;
}

uint64_t owlet_agg_rows(const struct owlet_agg *a)
{
	return a->rows;
}

const struct owlet_dataset *owlet_agg_dataset(const struct owlet_agg *a)
{
	return a->ds;
}

double owlet_agg_quantile(const struct owlet_agg *a, size_t col, double q)
{
	double v = NAN;
	if (col < a->ncols && a->cols[col].kll)
		kll_quantiles(a->cols[col].kll, &q, 1, &v);
	return v;
}
