/*
 * topk.c: the most frequent values of string and bool columns: exact
 * counts while a column has at most TOPK_EXACT = 65,536 distinct values,
 * then a Misra-Gries summary with batched purges (the form of Apache
 * DataSketches' frequent-items sketch), which Agarwal et al. ("Mergeable
 * Summaries", 2012) show to be isomorphic to space-saving: a space-saving
 * counter is the Misra-Gries counter plus the offset below.
 *
 * Layout
 *   Counters, each with the value's 64-bit hash, its length and its first
 *   128 bytes (identity is hash + length + those bytes: long values
 *   sharing 128 bytes still differ by hash), and a count; an
 *   open-addressing table of 4 slots per counter (linear probing, each slot
 *   with the hash of its counter, so a probe reads a counter only when the
 *   hashes match) finds a value's counter.  Both grow with the values: 256
 *   counters at first, doubled as needed.  A value already counted:
 *   count + 1 (no heap, no sift: O(1)).
 *
 * Exact, then approximate
 *   Up to 65,536 distinct values every value has its counter: offset = 0
 *   and every count is exact (152 B + 4 slots of 12 B per counter: 12 MiB
 *   at most per column).  The 65,537th distinct value turns the summary
 *   approximate: the M/2 + 1-th largest count v is subtracted from every
 *   counter (at least M/2 + 1 counters lose v), those at 0 or below are
 *   dropped, offset = v, and the counters shrink to M = 2048 (~390 KiB).
 *   From then on a new value takes a new counter with count 1; when all M
 *   are taken, first a purge: the median count is subtracted from every
 *   counter, the counters at 0 or below are dropped (at least half of
 *   them), and the median is added to `offset`.  A purge costs O(M) and
 *   happens at most once per M/2 new values: O(1) per value, amortised.
 *
 * Error bound
 *   A value's true count lies in [count, count + offset], and offset <=
 *   n / (M/2) = n / 1024 for n values (each reduction removes at least
 *   its v x M/2 from the total).  Any value more frequent than n / 1024
 *   is held.  The report gives count + offset (an upper bound, as
 *   space-saving does) and, when offset > 0, "error": offset, so a count
 *   above the truth always says so.
 *
 * Merge
 *   Every counter of the other summary is added (count added to the same
 *   value's counter, or a new counter, with purges as needed) and the
 *   offsets add up; an approximate side makes the result approximate.  The
 *   bound of the result is that of one summary over both inputs (Agarwal et
 *   al., section 3); two exact summaries with at most 65,536 distinct
 *   values between them merge exactly.
 */
#include "agg_internal.h"

#include <stdlib.h>

#define TOPK_START 256

static bool same(const struct topk_entry *e, uint64_t hash, const char *p, size_t len)
{
	return e->hash == hash && e->len == len && memcmp(e->val, p, len < TOPK_VAL ? len : TOPK_VAL) == 0;
}

static int find(const struct topk *t, uint64_t hash, const char *p, size_t len)
{
	uint32_t i = (uint32_t)hash & t->mask;
	while (t->slot[i]) {
		uint32_t e = t->slot[i] - 1u;
		if (t->slot_hash[i] == hash && same(&t->e[e], hash, p, len))
			return (int)e;
		i = (i + 1) & t->mask;
	}
	return -1;
}

static void slot_insert(struct topk *t, uint32_t e)
{
	uint32_t i = (uint32_t)t->e[e].hash & t->mask;
	while (t->slot[i])
		i = (i + 1) & t->mask;
	t->slot[i] = e + 1;
	t->slot_hash[i] = t->e[e].hash;
}

/* Room for cap counters (cap >= t->n), the slots rebuilt; -1 when out of
 * memory (nothing changed then). */
static int resize(struct topk *t, uint32_t cap)
{
	struct topk_entry *e = realloc(t->e, (size_t)cap * sizeof *e);
	if (!e)
		return -1;
	t->e = e;
	uint32_t *slot = calloc(4 * (size_t)cap, sizeof *slot);
	uint64_t *slot_hash = malloc(4 * (size_t)cap * sizeof *slot_hash);
	if (!slot || !slot_hash) {
		free(slot);
		free(slot_hash);
		return -1;
	}
	free(t->slot);
	free(t->slot_hash);
	t->slot = slot, t->slot_hash = slot_hash;
	t->cap = cap, t->mask = 4 * cap - 1;
	for (uint32_t i = 0; i < t->n; i++)
		slot_insert(t, i);
	return 0;
}

int topk_init(struct topk *t)
{
	memset(t, 0, sizeof *t);
	return resize(t, TOPK_START) == 0 ? 0 : OWLET_ENOMEM;
}

void topk_free(struct topk *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->slot);
	free(t->slot_hash);
	memset(t, 0, sizeof *t);
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

/* Subtracts the k-th smallest count from every counter and drops those at
 * 0 or below: with k = n / 2 a purge, with k = n - (M/2 + 1) the step to
 * approximate. */
static void reduce(struct topk *t, uint32_t k)
{
	uint64_t stack[TOPK_M], *counts = t->n <= TOPK_M ? stack : malloc((size_t)t->n * sizeof *counts);
	uint64_t v = 0;
	if (counts) {
		for (uint32_t i = 0; i < t->n; i++)
			counts[i] = t->e[i].count;
		v = select_kth(counts, t->n, k);
		if (counts != stack)
			free(counts);
	} else { /* out of memory: the largest count, which drops every counter */
		for (uint32_t i = 0; i < t->n; i++)
			v = t->e[i].count > v ? t->e[i].count : v;
	}
	uint32_t kept = 0;
	for (uint32_t i = 0; i < t->n; i++) {
		if (t->e[i].count <= v)
			continue;
		if (kept != i)
			t->e[kept] = t->e[i];
		t->e[kept++].count -= v;
	}
	t->n = kept;
	t->offset += v;
	memset(t->slot, 0, 4 * (size_t)t->cap * sizeof *t->slot);
	for (uint32_t i = 0; i < kept; i++)
		slot_insert(t, i);
}

/* The summary becomes approximate: at most M/2 counters left, room for M. */
static void make_approx(struct topk *t)
{
	if (t->n > TOPK_M)
		reduce(t, t->n - (TOPK_M / 2 + 1));
	t->approx = true;
	if (t->cap != TOPK_M && resize(t, TOPK_M) < 0 && t->cap < TOPK_M)
		reduce(t, t->n ? t->n - 1 : 0); /* no memory to grow: keep within cap */
}

static void add_new(struct topk *t, uint64_t hash, const char *p, size_t len, uint64_t count)
{
	if (t->n == t->cap && !t->approx && (t->cap == TOPK_EXACT || resize(t, t->cap * 2) < 0))
		make_approx(t);
	if (t->n == t->cap)
		reduce(t, t->n / 2);
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

void topk_add_offset(struct topk *t, uint64_t offset)
{
	if (!offset)
		return;
	t->offset += offset;
	if (!t->approx)
		make_approx(t);
}

void topk_merge(struct topk *into, const struct topk *from)
{
	if (from->approx && !into->approx)
		make_approx(into);
	for (uint32_t i = 0; i < from->n; i++) {
		const struct topk_entry *e = &from->e[i];
		topk_add_count(into, e->hash, e->val, e->len, e->count);
	}
	into->offset += from->offset;
}
