/*
 * agg_sketch_test.c: the sketches stay within their documented bounds on
 * 1M-row data: KLL quantiles (rank error <= 1 % at every percentile, for
 * several orders and distributions, and after merging pieces), HyperLogLog
 * (relative error <= 2 %, merge exact), and the frequent values (exact for
 * up to 65,536 distinct values, also merged from partials; beyond that,
 * heavy hitters found, counts within the bound and marked with "error").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg/agg.h"
#include "tap.h"

#define N 1000000

static struct owlet_field fields[] = {
	{ .name = "x", .type = OWLET_TYPE_FLOAT, .max_length = -1 },
	{ .name = "k", .type = OWLET_TYPE_INT, .max_length = -1 },
	{ .name = "s", .type = OWLET_TYPE_STRING, .max_length = -1 },
};
static struct owlet_dataset ds = { .name = "t", .fields = fields, .n_fields = 3 };

static unsigned long long rng = 42;
static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* CSV text of one column per row (x), values[i] in order */
static char *csv_of(const double *v, size_t from, size_t to, size_t *len)
{
	size_t cap = (to - from) * 32 + 16, n = 0;
	char *buf = malloc(cap);
	n += (size_t)snprintf(buf, cap, "x\n");
	for (size_t i = from; i < to; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%.17g\n", v[i]);
	*len = n;
	return buf;
}

/* The worst rank error over q = 0.01 .. 0.99 of the sketch in `a`. */
static double worst_rank_error(const struct owlet_agg *a, const double *sorted, size_t n)
{
	double worst = 0;
	for (int p = 1; p <= 99; p++) {
		double q = p / 100.0, v = owlet_agg_quantile(a, 0, q);
		/* the ranks v may have: [count below v, count at or below v] / n */
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (sorted[mid] < v)
				lo = mid + 1;
			else
				hi = mid;
		}
		size_t below = lo;
		hi = n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (sorted[mid] <= v)
				lo = mid + 1;
			else
				hi = mid;
		}
		double rlo = (double)below / (double)n, rhi = (double)lo / (double)n;
		double err = q < rlo ? rlo - q : q > rhi ? q - rhi : 0;
		if (err > worst)
			worst = err;
	}
	return worst;
}

static void quantiles(const char *name, double *v, int pieces)
{
	struct owlet_agg *total;
	owlet_agg_new(&total, &ds);
	for (int k = 0; k < pieces; k++) {
		size_t len, from = (size_t)N * k / pieces, to = (size_t)N * (k + 1) / pieces;
		char *csv = csv_of(v, from, to, &len);
		struct owlet_agg *a;
		owlet_agg_new(&a, &ds);
		owlet_agg_csv_buffer(a, name, csv, len);
		owlet_agg_merge(total, a, 0);
		owlet_agg_free(a);
		free(csv);
	}
	double *sorted = malloc(N * sizeof *sorted);
	memcpy(sorted, v, N * sizeof *sorted);
	qsort(sorted, N, sizeof *sorted, cmp_double);
	double err = worst_rank_error(total, sorted, N);
	ok(err <= 0.01, "quantiles of %s%s: worst rank error %.4f %% <= 1 %%", name,
	   pieces > 1 ? " (merged from pieces)" : "", err * 100);
	owlet_agg_free(total);
	free(sorted);
}

static void test_quantiles(void)
{
	double *v = malloc(N * sizeof *v);
	for (size_t i = 0; i < N; i++)
		v[i] = uniform();
	quantiles("1M uniform values", v, 1);
	quantiles("1M uniform values", v, 10);
	for (size_t i = 0; i < N; i++)
		v[i] = (double)i;
	quantiles("1M ascending values", v, 1);
	quantiles("1M ascending values", v, 7);
	for (size_t i = 0; i < N; i++)
		v[i] = (double)(N - i);
	quantiles("1M descending values", v, 1);
	for (size_t i = 0; i < N; i++)
		v[i] = exp(8 * uniform()) * (uniform() < 0.5 ? -1 : 1); /* heavy tails both ways */
	quantiles("1M skewed values", v, 1);
	for (size_t i = 0; i < N; i++)
		v[i] = floor(uniform() * 5); /* few distinct values */
	quantiles("1M values with 5 distinct", v, 3);
	free(v);
}

/* k column: 1M values with `card` distinct ints (and s: the same as text) */
static void test_distinct(void)
{
	static const long cards[] = { 10, 1000, 50000, 300000, 1000000 };
	for (size_t c = 0; c < sizeof cards / sizeof *cards; c++) {
		long card = cards[c];
		size_t cap = (size_t)N * 40, n = 0;
		char *buf = malloc(cap);
		n += (size_t)snprintf(buf, cap, "k,s\n");
		for (long i = 0; i < N; i++) {
			long k = (long)((unsigned long)(i * 2654435761UL) % (unsigned long)card);
			n += (size_t)snprintf(buf + n, cap - n, "%ld,v%ld\n", k * 7919, k);
		}
		struct owlet_agg *a, *p1, *p2;
		owlet_agg_new(&a, &ds);
		owlet_agg_csv_buffer(a, "d.csv", buf, n);
		json_t *j = owlet_agg_to_json(a);
		json_t *cols = json_object_get(j, "columns");
		double dk = (double)json_integer_value(json_object_get(json_object_get(cols, "k"), "distinct"));
		double dsx = (double)json_integer_value(json_object_get(json_object_get(cols, "s"), "distinct"));
		double ek = fabs(dk - (double)card) / (double)card, es = fabs(dsx - (double)card) / (double)card;
		ok(ek <= 0.02 && es <= 0.02, "distinct of %ld (ints %.0f, %.2f %%; strings %.0f, %.2f %%) within 2 %%", card, dk,
		   ek * 100, dsx, es * 100);
		/* merge: two halves at a row start */
		char *mid = strchr(buf + n / 2, '\n') + 1;
		size_t h = (size_t)(mid - buf);
		char *second = malloc(n - h + 5);
		memcpy(second, "k,s\n", 4);
		memcpy(second + 4, mid, n - h);
		owlet_agg_new(&p1, &ds);
		owlet_agg_new(&p2, &ds);
		owlet_agg_csv_buffer(p1, "d1.csv", buf, h);
		owlet_agg_csv_buffer(p2, "d2.csv", second, n - h + 4);
		owlet_agg_merge(p1, p2, 0);
		json_t *jm = owlet_agg_to_json(p1);
		ok(json_equal(json_object_get(json_object_get(json_object_get(jm, "columns"), "s"), "distinct"),
			      json_object_get(json_object_get(cols, "s"), "distinct")),
		   "distinct of %ld: merge of halves equals the whole exactly", card);
		json_decref(j);
		json_decref(jm);
		owlet_agg_free(a);
		owlet_agg_free(p1);
		owlet_agg_free(p2);
		free(buf);
		free(second);
	}
}

static void test_top(void)
{
	/* 1M values: "h0".."h9" with counts 100000 - 8000 i, the rest rare */
	size_t cap = (size_t)N * 16, n = 0;
	char *buf = malloc(cap);
	n += (size_t)snprintf(buf, cap, "s\n");
	long heavy[10], total = 0, rare = 0;
	for (int i = 0; i < 10; i++) {
		heavy[i] = 100000 - 8000 * i;
		total += heavy[i];
	}
	long left[10];
	memcpy(left, heavy, sizeof left);
	for (long r = 0; r < N; r++) {
		int which = (int)(uniform() * 10);
		if (r < total && left[which] > 0 && uniform() < (double)total / N) {
			left[which]--;
			n += (size_t)snprintf(buf + n, cap - n, "h%d\n", which);
		} else {
			n += (size_t)snprintf(buf + n, cap - n, "r%ld\n", rare++);
		}
	}
	for (int i = 0; i < 10; i++)
		heavy[i] -= left[i];
	struct owlet_agg *a;
	owlet_agg_new(&a, &ds);
	owlet_agg_csv_buffer(a, "top.csv", buf, n);
	json_t *j = owlet_agg_to_json(a);
	json_t *top = json_object_get(json_object_get(json_object_get(j, "columns"), "s"), "top");
	bool all = json_array_size(top) == 10, within = true;
	double bound = (double)N / 1024; /* topk.c: offset <= n / (M/2), M = 2048 */
	for (size_t i = 0; i < json_array_size(top); i++) {
		json_t *e = json_array_get(top, i);
		const char *v = json_string_value(json_object_get(e, "value"));
		long cnt = (long)json_integer_value(json_object_get(e, "count"));
		if (!v || v[0] != 'h') {
			all = false;
			continue;
		}
		long truth = heavy[v[1] - '0'];
		if (cnt < truth || (double)(cnt - truth) > bound)
			within = false;
	}
	ok(all, "top 10 of 1M values: the 10 heavy hitters (among %ld rare values)", rare);
	ok(within, "top 10: every count within [true, true + n/1024]");
	json_decref(j);
	owlet_agg_free(a);

	/* few distinct values: exact counts */
	n = (size_t)snprintf(buf, cap, "s\n");
	long counts[5] = { 0 };
	for (long r = 0; r < N; r++) {
		int w = (int)(uniform() * uniform() * 5);
		counts[w]++;
		n += (size_t)snprintf(buf + n, cap - n, "w%d\n", w);
	}
	owlet_agg_new(&a, &ds);
	owlet_agg_csv_buffer(a, "few.csv", buf, n);
	j = owlet_agg_to_json(a);
	top = json_object_get(json_object_get(json_object_get(j, "columns"), "s"), "top");
	bool exact = json_array_size(top) == 5;
	for (size_t i = 0; i < json_array_size(top); i++) {
		json_t *e = json_array_get(top, i);
		const char *v = json_string_value(json_object_get(e, "value"));
		exact &= (long)json_integer_value(json_object_get(e, "count")) == counts[v[1] - '0'] &&
			 !json_object_get(e, "error");
	}
	ok(exact, "top of 5 distinct values among 1M: exact counts, no error");
	json_decref(j);
	owlet_agg_free(a);
	free(buf);
}

/* CSV of column s: distinct values d0..d(distinct-1) once each, and
 * h0..h9 heavy, hi occurring 100 + i times (interleaved). */
static char *top_csv(long distinct, size_t *len)
{
	size_t cap = (size_t)distinct * 16 + 20000, n = 0;
	char *buf = malloc(cap);
	n += (size_t)snprintf(buf + n, cap - n, "s\n");
	long heavy_left = 0;
	for (int i = 0; i < 10; i++)
		heavy_left += 100 + i;
	int h = 0, hcount[10] = { 0 };
	for (long r = 0; r < distinct || heavy_left > 0; r++) {
		if (r < distinct)
			n += (size_t)snprintf(buf + n, cap - n, "d%ld\n", r);
		if (heavy_left > 0 && r % 3 == 0) {
			while (hcount[h] == 100 + h)
				h = (h + 1) % 10;
			hcount[h]++, heavy_left--;
			n += (size_t)snprintf(buf + n, cap - n, "h%d\n", h);
			h = (h + 1) % 10;
		}
	}
	*len = n;
	return buf;
}

/* Whether the top of column s is h9..h0 with their true counts, and
 * whether any entry is marked with an error. */
static bool top_heavy(const json_t *j, bool *marked, bool *within)
{
	const json_t *top = json_object_get(json_object_get(json_object_get(j, "columns"), "s"), "top");
	bool exact = json_array_size(top) == 10;
	*marked = false, *within = true;
	for (size_t i = 0; i < json_array_size(top); i++) {
		const json_t *e = json_array_get(top, i);
		const char *v = json_string_value(json_object_get(e, "value"));
		long cnt = (long)json_integer_value(json_object_get(e, "count"));
		long err = (long)json_integer_value(json_object_get(e, "error"));
		long truth = v && v[0] == 'h' ? 100 + (v[1] - '0') : 1;
		*marked |= json_object_get(e, "error") != NULL;
		*within &= cnt >= truth && cnt - err <= truth;
		exact &= v && v[0] == 'h' && v[1] - '0' == 9 - (int)i && cnt == truth;
	}
	return exact;
}

static void test_top_exact(void)
{
	/* all distinct (a key column): every count is 1, no error */
	size_t cap = 42000 * 12, n = (size_t)snprintf(NULL, 0, "s\n");
	char *buf = malloc(cap);
	n = (size_t)snprintf(buf, cap, "s\n");
	for (long r = 0; r < 42000; r++)
		n += (size_t)snprintf(buf + n, cap - n, "key-%ld\n", r);
	struct owlet_agg *a;
	owlet_agg_new(&a, &ds);
	owlet_agg_csv_buffer(a, "keys.csv", buf, n);
	json_t *j = owlet_agg_to_json(a);
	const json_t *top = json_object_get(json_object_get(json_object_get(j, "columns"), "s"), "top");
	bool ones = json_array_size(top) == 10;
	for (size_t i = 0; i < json_array_size(top); i++)
		ones &= json_integer_value(json_object_get(json_array_get(top, i), "count")) == 1 &&
			!json_object_get(json_array_get(top, i), "error");
	ok(ones, "42,000 distinct values: every top count is 1, none marked (space-saving said 21)");
	json_decref(j);
	owlet_agg_free(a);
	free(buf);

	/* 65,536 distinct values: exact, in one pass and merged from partials */
	bool marked, within;
	buf = top_csv(65536 - 10, &n);
	owlet_agg_new(&a, &ds);
	owlet_agg_csv_buffer(a, "exact.csv", buf, n);
	j = owlet_agg_to_json(a);
	ok(top_heavy(j, &marked, &within) && !marked, "65,536 distinct values: the top 10 with their true counts, unmarked");
	json_decref(j);
	size_t half = n / 2;
	while (buf[half - 1] != '\n')
		half++;
	struct owlet_agg *p1, *p2, *m1 = NULL, *m2 = NULL;
	owlet_agg_new(&p1, &ds);
	owlet_agg_new(&p2, &ds);
	owlet_agg_csv_buffer(p1, "a.csv", buf, half);
	char *second = malloc(n - half + 3);
	memcpy(second, "s\n", 2);
	memcpy(second + 2, buf + half, n - half);
	owlet_agg_csv_buffer(p2, "b.csv", second, n - half + 2);
	json_t *j1 = owlet_agg_to_partial(p1), *j2 = owlet_agg_to_partial(p2);
	ok(owlet_agg_from_partial(&m1, &ds, j1) == 0 && owlet_agg_from_partial(&m2, &ds, j2) == 0,
	   "partials of two halves read back");
	ok(m1 && m2 && owlet_agg_merge(m1, m2, 0) == 0, "and merge");
	j = m1 ? owlet_agg_to_json(m1) : NULL;
	ok(j && top_heavy(j, &marked, &within) && !marked, "merged: the same exact top 10, unmarked");
	json_decref(j), json_decref(j1), json_decref(j2);
	owlet_agg_free(p1), owlet_agg_free(p2), owlet_agg_free(m1), owlet_agg_free(m2), owlet_agg_free(a);
	free(second);
	free(buf);

	/* one more distinct value: approximate, and marked so */
	buf = top_csv(65536 - 10 + 1, &n);
	owlet_agg_new(&a, &ds);
	owlet_agg_csv_buffer(a, "approx.csv", buf, n);
	j = owlet_agg_to_json(a);
	top_heavy(j, &marked, &within);
	ok(marked, "65,537 distinct values: the counts are marked with their error");
	ok(within, "and each lies in [truth, truth + error]");
	json_decref(j);
	owlet_agg_free(a);
	free(buf);
}

int main(void)
{
	test_quantiles();
	test_distinct();
	test_top();
	test_top_exact();
	return done_testing();
}
