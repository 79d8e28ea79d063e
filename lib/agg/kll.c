/*
 * kll.c: the KLL quantile sketch (Karnin, Lang, Liberty, "Optimal Quantile
 * Approximation in Streams", 2016), for p50/p90/p99 of numbers, dates and
 * timestamps.
 *
 * Layout
 *   A stack of compactors (levels).  An item at level h stands for 2^h
 *   values.  With H levels, level h holds up to
 *       cap(h) = max(8, ceil(K (2/3)^(H-1-h)) + 1)       K = 400
 *   items, so the top levels are K wide and the widths shrink geometrically
 *   downwards.  New values are appended to level 0.  When the sketch holds
 *   sum(cap) items, the lowest level at or over its capacity is compacted:
 *   sorted, and every other item (the odd or the even ones, one random bit
 *   from a per-sketch xorshift generator) moves up one level; with an odd
 *   count the smallest item stays.  A compaction of 2j items into j of twice
 *   the weight keeps the total weight n exact.  The sketch holds at most
 *   about 3K + 8H items: ~1,300 doubles (~10 KiB) for any n (it is 24 KiB
 *   transiently while two sketches merge).
 *
 * Error bound
 *   Each compaction changes the rank of any value by at most 2^h (the weight
 *   of the items of that level), up or down with equal probability; the sum
 *   of these independent errors is what KLL bounds: the normalised rank
 *   error is O(1/K) with high probability (DataSketches measures 1.33 %
 *   single-sided at K = 200, 99 % confidence; it falls as 1/K).  With
 *   K = 400 we document a rank error <= 1 %: the value reported for q is a
 *   value whose true rank lies in [q - 0.01, q + 0.01] n.  tests/
 *   agg_sketch_test.c checks this on 1M values (uniform, skewed, sorted,
 *   merged from pieces).  Below 3K values nothing is compacted: exact.
 *
 * Merge
 *   Level-wise concatenation, then compaction until under capacity, as in
 *   the paper: the merged sketch has the same guarantee as one built over
 *   the union.  The random bits make results depend on the order of
 *   merges, never beyond the bound.
 */
#include "agg_internal.h"

#include <math.h>
#include <stdlib.h>

static uint32_t kll_capacity(uint32_t levels, uint32_t h)
{
	double c = KLL_K;
	for (uint32_t i = h + 1; i < levels; i++)
		c *= 2.0 / 3.0;
	uint32_t cap = (uint32_t)ceil(c) + 1;
	return cap < 8 ? 8 : cap;
}

static void kll_set_levels(struct kll *s, uint32_t levels)
{
	s->levels = levels;
	s->max_size = 0;
	for (uint32_t h = 0; h < levels; h++)
		s->max_size += kll_capacity(levels, h);
}

int kll_init(struct kll *s)
{
	memset(s, 0, sizeof *s);
	s->rng = 0x2545f4914f6cdd1dULL;
	kll_set_levels(s, 1);
	return kll_grow_level(s, 0, 64);
}

void kll_free(struct kll *s)
{
	for (uint32_t h = 0; h < KLL_MAX_LEVELS; h++)
		free(s->lv[h].v);
}

int kll_grow_level(struct kll *s, uint32_t h, uint32_t need)
{
	struct kll_level *l = &s->lv[h];
	if (need <= l->cap)
		return 0;
	uint32_t cap = l->cap ? l->cap * 2 : 16;
	if (cap < need)
		cap = need;
	double *v = realloc(l->v, cap * sizeof *v);
	if (!v)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	l->v = v;
	l->cap = cap;
	return 0;
}

static void sort_doubles(double *a, size_t n)
{
	while (n > 16) {
		double x = a[0], y = a[n / 2], z = a[n - 1];
		double pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
		size_t i = 0, j = n - 1;
		for (;;) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i >= j)
				break;
			double t = a[i];
			a[i] = a[j];
			a[j] = t;
			i++;
			j--;
		}
		/* [0, j] <= pivot <= [j+1, n): recurse into the smaller part */
		size_t left = j + 1;
		if (left < n - left) {
			sort_doubles(a, left);
			a += left;
			n -= left;
		} else {
			sort_doubles(a + left, n - left);
			n = left;
		}
	}
	for (size_t i = 1; i < n; i++) {
		double x = a[i];
		size_t j = i;
		for (; j > 0 && a[j - 1] > x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

static int kll_random_bit(struct kll *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return (int)(s->rng >> 63);
}

static int kll_compact(struct kll *s, uint32_t h)
{
	if (h + 1 == s->levels) {
		if (s->levels == KLL_MAX_LEVELS)
			return owlet_error_set("quantile sketch is full");
		kll_set_levels(s, s->levels + 1);
	}
	struct kll_level *l = &s->lv[h];
	sort_doubles(l->v, l->len);
	uint32_t keep = l->len & 1, out = (l->len - keep) / 2;
	if (kll_grow_level(s, h + 1, s->lv[h + 1].len + out) < 0)
		return OWLET_ENOMEM;
	struct kll_level *up = &s->lv[h + 1];
	uint32_t r = (uint32_t)kll_random_bit(s);
	for (uint32_t i = 0; i < out; i++)
		up->v[up->len++] = l->v[keep + 2 * i + r];
	l->len = keep;
	s->size -= out;
	return 0;
}

int kll_compress(struct kll *s)
{
	while (s->size >= s->max_size) {
		for (uint32_t h = 0; h < s->levels; h++) {
			if (s->lv[h].len < kll_capacity(s->levels, h))
				continue;
			if (kll_compact(s, h) < 0)
				return OWLET_ERROR;
			if (s->size < s->max_size)
				break;
		}
	}
	return 0;
}

int kll_push(struct kll *s, uint32_t level, double x)
{
	if (level >= KLL_MAX_LEVELS)
		return owlet_error_set("quantile sketch level %u out of range", level);
	if (level >= s->levels)
		kll_set_levels(s, level + 1);
	struct kll_level *l = &s->lv[level];
	if (l->len == l->cap && kll_grow_level(s, level, l->len + 1) < 0)
		return OWLET_ENOMEM;
	l->v[l->len++] = x;
	s->size++;
	return 0;
}

int kll_merge(struct kll *into, const struct kll *from)
{
	if (from->levels > into->levels)
		kll_set_levels(into, from->levels);
	for (uint32_t h = 0; h < from->levels; h++) {
		const struct kll_level *f = &from->lv[h];
		if (!f->len)
			continue;
		if (kll_grow_level(into, h, into->lv[h].len + f->len) < 0)
			return OWLET_ENOMEM;
		memcpy(into->lv[h].v + into->lv[h].len, f->v, f->len * sizeof *f->v);
		into->lv[h].len += f->len;
		into->size += f->len;
	}
	into->n += from->n;
	return kll_compress(into);
}

struct kll_item {
	double v;
	uint64_t w;
};

static int item_cmp(const void *a, const void *b)
{
	double x = ((const struct kll_item *)a)->v, y = ((const struct kll_item *)b)->v;
	return (x > y) - (x < y);
}

int kll_quantiles(const struct kll *s, const double *qs, size_t nq, double *out)
{
	for (size_t i = 0; i < nq; i++)
		out[i] = NAN;
	if (!s->size)
		return 0;
	struct kll_item *items = malloc(s->size * sizeof *items);
	if (!items)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	size_t n = 0;
	uint64_t total = 0;
	for (uint32_t h = 0; h < s->levels; h++)
		for (uint32_t i = 0; i < s->lv[h].len; i++) {
			items[n].v = s->lv[h].v[i];
			items[n].w = 1ULL << h;
			total += items[n++].w;
		}
	qsort(items, n, sizeof *items, item_cmp);
	size_t j = 0;
	uint64_t cum = items[0].w;
	for (size_t i = 0; i < nq; i++) {
		double target = ceil(qs[i] * (double)total);
		if (target < 1)
			target = 1;
		while (j + 1 < n && (double)cum < target)
			cum += items[++j].w;
		out[i] = items[j].v;
	}
	free(items);
	return 0;
}
