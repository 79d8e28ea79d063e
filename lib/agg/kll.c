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
 *   downwards.  When the sketch holds sum(cap) items, the lowest level at or
 *   over its capacity is compacted: sorted (the lowest level by a sort, the
 *   others are kept sorted: a compaction's output is merged into the level
 *   above, in place, from the back), and every other item (the odd
 *   or the even ones, one random bit from a per-sketch xorshift generator)
 *   moves up one level; with an odd count the smallest item stays.  A
 *   compaction of 2j items into j of twice the weight keeps the weight.
 *   Only the top KLL_ACTIVE = 8 levels are compactors (widths 401 down to
 *   24): the levels under them are replaced by a sampler, as in the paper
 *   (section 4): values arrive in blocks of 2^s (s = H - 8), and one value
 *   of each block, chosen uniformly (a random position drawn when the block
 *   starts), enters level s.  kll_add_many takes a batch and jumps from
 *   one block's chosen position to the next, so once n is large (above
 *   ~25,000 values) a value costs next to nothing, and the sketch holds
 *   at most sum(cap) + s ~ 1,200 doubles (~10 KiB) for any n (about twice
 *   that while two merge).

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
 *   The sampler adds, for a rank query, independent errors of at most 2^s
 *   per block, of random sign: a standard deviation of at most
 *   sqrt(n 2^s) / 2, i.e. sqrt(2^s / n) / 2 of n; with 2^s ~ n / (K 2^8 / 3)
 *   that is under 0.3 % of n for any n, inside the documented 1 %.  (Eight
 *   compactors rather than nine halve the values the compactors sort, for
 *   0.1 % more of this error; the measured worst rank error on 1M values
 *   stays under 0.4 %.)
 *
 * Merge
 *   A block in progress is settled first: its chosen value, if already seen
 *   (probability count / 2^s), enters level s with weight 2^s: unbiased.
 *   Then level-wise concatenation and compaction until under capacity, as in
 *   the paper: the merged sketch has the same guarantee as one built over
 *   the union.  The random bits make results depend on the order of
 *   merges, never beyond the bound.
 */
#include "agg_internal.h"

#include <math.h>
#include <stdlib.h>

static uint64_t kll_random(struct kll *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static void kll_set_levels(struct kll *s, uint32_t levels)
{
	s->levels = levels;
	if (levels > KLL_ACTIVE && levels - KLL_ACTIVE > s->sampler)
		s->sampler = levels - KLL_ACTIVE;
	s->max_size = s->sampler; /* room for one odd item under the sampler per level */
	double c = KLL_K;
	for (uint32_t h = levels; h-- > 0;) {
		uint32_t cap = (uint32_t)ceil(c) + 1;
		s->cap[h] = cap < 8 ? 8 : cap;
		if (h >= s->sampler)
			s->max_size += s->cap[h];
		c *= 2.0 / 3.0;
	}
}

static int kll_grow_level(struct kll *s, uint32_t h, uint32_t need)
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

/* Moves the items of a[0..n) for which (less ? x < pivot : x <= pivot) to
 * the front, without a branch on the comparison (a level's items are in
 * random order: such a branch is mispredicted half the time); returns
 * how many. */
static size_t partition_doubles(double *a, size_t n, double pivot, bool less)
{
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		double x = a[i];
		size_t in = less ? x < pivot : x <= pivot;
		a[i] = a[j];
		a[j] = x;
		j += in;
	}
	return j;
}

/* Sorts a[0..n) ascending: quicksort with a median-of-three pivot and a
 * branch-free partition, insertion sort below 16 items.  A pivot that is
 * the smallest item (many equal values) moves its equals to the front in
 * a second pass, so that runs of equal values cost one pass. */
static void sort_doubles(double *a, size_t n)
{
	while (n > 16) {
		double x = a[0], y = a[n / 2], z = a[n - 1];
		double pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
		size_t left = partition_doubles(a, n, pivot, true);
		if (left == 0) {
			/* the pivot is the smallest: its equals are sorted already */
			size_t eq = partition_doubles(a, n, pivot, false);
			a += eq;
			n -= eq;
			continue;
		}
		/* [0, left) < pivot <= [left, n): recurse into the smaller part */
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

static int kll_compact(struct kll *s, uint32_t h)
{
	if (h + 1 == s->levels) {
		if (s->levels == KLL_MAX_LEVELS)
			return owlet_error_set("quantile sketch is full");
		kll_set_levels(s, s->levels + 1);
	}
	struct kll_level *l = &s->lv[h];
	if (l->unsorted)
		sort_doubles(l->v, l->len);
	l->unsorted = false;
	uint32_t keep = l->len & 1, out = (l->len - keep) / 2;
	if (kll_grow_level(s, h + 1, s->lv[h + 1].len + out) < 0)
		return OWLET_ENOMEM;
	struct kll_level *up = &s->lv[h + 1];
	const double *src = l->v + keep + (kll_random(s) >> 63); /* every other from here */
	if (up->unsorted) {
		for (uint32_t i = 0; i < out; i++)
			up->v[up->len++] = src[2 * i];
	} else {
		/* both sorted: merge from the back, in place */
		int64_t i = (int64_t)up->len - 1, j = (int64_t)out - 1, k = (int64_t)(up->len + out) - 1;
		while (j >= 0) {
			if (i >= 0 && up->v[i] > src[2 * j])
				up->v[k--] = up->v[i--];
			else
				up->v[k--] = src[2 * j--];
		}
		up->len += out;
	}
	l->len = keep;
	s->size -= out;
	return 0;
}

int kll_compress(struct kll *s)
{
	for (;;) {
		/* levels under the sampler keep at most one item */
		for (uint32_t h = 0; h < s->sampler; h++)
			if (s->lv[h].len >= 2 && kll_compact(s, h) < 0)
				return OWLET_ERROR;
		if (s->size < s->max_size)
			return 0;
		for (uint32_t h = s->sampler; h < s->levels; h++)
			if (s->lv[h].len >= s->cap[h]) {
				if (kll_compact(s, h) < 0)
					return OWLET_ERROR;
				break;
			}
	}
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
	if (l->len && x < l->v[l->len - 1])
		l->unsorted = true;
	l->v[l->len++] = x;
	s->size++;
	return 0;
}

int kll_set_sampler(struct kll *s, uint32_t sampler)
{
	if (sampler >= KLL_MAX_LEVELS - 1)
		return owlet_error_set("quantile sketch sampler %u out of range", sampler);
	s->sampler = sampler;
	kll_set_levels(s, s->levels > sampler + 1 ? s->levels : sampler + 1);
	return 0;
}

static int kll_push_sampled(struct kll *s, double x)
{
	int rc = kll_push(s, s->sampler, x);
	if (rc == 0 && s->size >= s->max_size)
		rc = kll_compress(s);
	s->blk_count = 0;
	s->blk_pick = s->sampler ? kll_random(s) & ((1ULL << s->sampler) - 1) : 0;
	return rc;
}

int kll_add_many(struct kll *s, const double *v, size_t n)
{
	int rc = 0;
	size_t i = 0;
	while (i < n) {
		if (!s->sampler) {
			s->n++;
			if (kll_push_sampled(s, v[i++]) < 0)
				rc = OWLET_ERROR;
			continue;
		}
		/* the rest of the current block of 2^sampler values: the one at
		 * position blk_pick is kept */
		uint64_t need = (1ULL << s->sampler) - s->blk_count, have = n - i;
		uint64_t take = have < need ? have : need;
		if (s->blk_pick >= s->blk_count && s->blk_pick < s->blk_count + take)
			s->blk_item = v[i + (s->blk_pick - s->blk_count)];
		s->n += take;
		i += take;
		if (take < need) {
			s->blk_count += take;
			break;
		}
		s->blk_count = 0;
		if (kll_push_sampled(s, s->blk_item) < 0)
			rc = OWLET_ERROR;
	}
	return rc;
}

int kll_merge(struct kll *into, const struct kll *from)
{
	/* settle the blocks in progress: their chosen value, if seen, at full weight */
	if (into->blk_pick < into->blk_count && kll_push(into, into->sampler, into->blk_item) < 0)
		return OWLET_ENOMEM;
	if (from->blk_pick < from->blk_count && kll_push(into, from->sampler, from->blk_item) < 0)
		return OWLET_ENOMEM;
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
		into->lv[h].unsorted = true;
		into->size += f->len;
	}
	into->n += from->n;
	int rc = kll_compress(into);
	into->blk_count = 0;
	into->blk_pick = into->sampler ? kll_random(into) & ((1ULL << into->sampler) - 1) : 0;
	return rc;
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
	bool pending = s->blk_pick < s->blk_count;
	if (!s->size && !pending)
		return 0;
	struct kll_item *items = malloc((s->size + 1) * sizeof *items);
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
	if (pending) {
		items[n].v = s->blk_item;
		items[n].w = 1ULL << s->sampler;
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
