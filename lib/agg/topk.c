/*
 * topk.c: the most frequent values of string and bool columns: a
 * Misra-Gries summary with batched purges (the form of Apache DataSketches'
 * frequent-items sketch), which Agarwal et al. ("Mergeable Summaries",
 * 2012) show to be isomorphic to space-saving: a space-saving counter is
 * the Misra-Gries counter plus the offset below.
 *
 * Layout
 *   M = 2048 counters (the top 10 are reported), each with the value's
 *   64-bit hash, its length and its first 128 bytes (identity is hash +
 *   length + those bytes: long values sharing 128 bytes still differ by
 *   hash), and a count; an open-addressing table of 8192 slots (linear
 *   probing, each slot with the hash of its counter, so a probe reads a
 *   counter only when the hashes match) finds a value's counter.  ~390 KiB
 *   per column of address space (calloc'd: only the pages in use become
 *   memory; a column with few values touches a few dozen KiB).  M is
 *   large because a value the summary does not hold costs several times
 *   one it holds (a new counter, and purges): a column of up to 2048
 *   distinct values (codes, zones, names of things) never misses.
 *   A value already counted: count + 1 (no heap, no sift: O(1)).  A new
 *   value: a new counter with count 1; when all M are taken, first a purge:
 *   the median count is subtracted from every counter, the counters at 0
 *   or below are dropped (at least half of them), and the median is added
 *   to `offset`.  A purge costs O(M) and happens at most once per M/2 new
 *   values: O(1) per value, amortised.
 *
 * Error bound
 *   A value's true count lies in [count, count + offset], and offset <=
 *   n / (M/2) = n / 1024 for n values (each purge removes at least
 *   median x M/2 from the total).  Any value more frequent than n / 1024
 *   is held.  With at most M = 2048 distinct values (bools, enums,
 *   low-cardinality strings) nothing is ever purged: offset = 0 and every
 *   count is exact.  The report gives count + offset (an upper bound, as
 *   space-saving does) and, when offset > 0, "error": offset.
 *
 * Merge
 *   Every counter of the other summary is added (count added to the same
 *   value's counter, or a new counter, with purges as needed) and the
 *   offsets add up; the bound of the result is that of one summary over
 *   both inputs (Agarwal et al., section 3).
 */
#include "agg_internal.h"

#include <stdlib.h>

#define SLOT_MASK TOPK_SLOT_MASK

static bool same(const struct topk_entry *e, uint64_t hash, const char *p, size_t len)
{
	return e->hash == hash && e->len == len && memcmp(e->val, p, len < TOPK_VAL ? len : TOPK_VAL) == 0;
}

static int find(const struct topk *t, uint64_t hash, const char *p, size_t len)
{
	uint32_t i = (uint32_t)hash & SLOT_MASK;
	while (t->slot[i]) {
		uint32_t e = t->slot[i] - 1u;
		if (t->slot_hash[i] == hash && same(&t->e[e], hash, p, len))
			return (int)e;
		i = (i + 1) & SLOT_MASK;
	}
	return -1;
}

static void slot_insert(struct topk *t, uint32_t e)
{
	uint32_t i = (uint32_t)t->e[e].hash & SLOT_MASK;
	while (t->slot[i])
		i = (i + 1) & SLOT_MASK;
	t->slot[i] = (uint16_t)(e + 1);
	t->slot_hash[i] = t->e[e].hash;
}

/* The k-th smallest of a[0..n) (a is reordered). */
static uint64_t select_kth(uint64_t *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		uint64_t pivot = a[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				uint64_t x = a[i];
				a[i] = a[j];
				a[j] = x;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return a[k];
	}
	return a[k];
}

static void purge(struct topk *t)
{
	uint64_t counts[TOPK_M];
	for (uint32_t i = 0; i < t->n; i++)
		counts[i] = t->e[i].count;
	uint64_t median = select_kth(counts, t->n, t->n / 2);
	uint32_t kept = 0;
	for (uint32_t i = 0; i < t->n; i++) {
		if (t->e[i].count <= median)
			continue;
		if (kept != i)
			t->e[kept] = t->e[i];
		t->e[kept++].count -= median;
	}
	t->n = kept;
	t->offset += median;
	memset(t->slot, 0, sizeof t->slot);
	for (uint32_t i = 0; i < kept; i++)
		slot_insert(t, i);
}

static void add_new(struct topk *t, uint64_t hash, const char *p, size_t len, uint64_t count)
{
	if (t->n == TOPK_M)
		purge(t);
	struct topk_entry *e = &t->e[t->n];
	e->hash = hash;
	e->len = (uint32_t)len;
	memcpy(e->val, p, len < TOPK_VAL ? len : TOPK_VAL);
	e->count = count;
	slot_insert(t, t->n++);
}

void topk_add_new(struct topk *t, uint64_t hash, const char *p, size_t len)
{
	add_new(t, hash, p, len, 1);
}

void topk_add_count(struct topk *t, uint64_t hash, const char *p, size_t len, uint64_t count)
{
	int found = find(t, hash, p, len);
	if (found >= 0) {
		t->e[found].count += count;
		return;
	}
	add_new(t, hash, p, len, count);
}

static int entry_cmp(const void *a, const void *b)
{
	const struct topk_entry *x = *(const struct topk_entry *const *)a, *y = *(const struct topk_entry *const *)b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	size_t n = x->len < y->len ? x->len : y->len;
	if (n > TOPK_VAL)
		n = TOPK_VAL;
	int c = memcmp(x->val, y->val, n);
	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return (x->hash > y->hash) - (x->hash < y->hash);
}

size_t topk_sorted(const struct topk *t, const struct topk_entry **out)
{
	for (uint32_t i = 0; i < t->n; i++)
		out[i] = &t->e[i];
	qsort(out, t->n, sizeof *out, entry_cmp);
	return t->n;
}

void topk_merge(struct topk *into, const struct topk *from)
{
	for (uint32_t i = 0; i < from->n; i++) {
		const struct topk_entry *e = &from->e[i];
		topk_add_count(into, e->hash, e->val, e->len, e->count);
	}
	into->offset += from->offset;
}
