/*
 * topk.c: the most frequent values of string and bool columns, by
 * space-saving (Metwally, Agrawal, El Abbadi, "Efficient Computation of
 * Frequent and Top-k Elements in Data Streams", 2005).
 *
 * Layout
 *   M = 64 counters (10 are reported).  Each holds the value's 64-bit hash,
 *   its length and its first 128 bytes (identity is hash + length + those
 *   bytes: two long values that share 128 bytes still differ by hash), a
 *   count and an error.  A min-heap on count finds the smallest counter in
 *   O(log M); an open-addressing table of 128 slots (linear probing,
 *   backward-shift deletion) finds a value's counter in O(1).  ~10 KiB.
 *   A value already counted: count + 1.  A new value while there is room: a
 *   new counter.  Otherwise it takes over the smallest counter c:
 *   count = c + 1, error = c.
 *
 * Error bound
 *   With n values seen, every count overestimates the true count by at most
 *   its error <= n / M; any value with a true count above n / M is among the
 *   counters.  With at most M distinct values (bools, enums, low-cardinality
 *   strings) every count is exact.  The report gives the counts; the JSON
 *   partial keeps the errors.
 *
 * Merge
 *   As in Agarwal et al., "Mergeable Summaries" (2012), for space-saving: a
 *   value's merged count is its count in each summary, or that summary's
 *   smallest count when the summary is full and does not hold it (0 when
 *   not full); errors likewise.  The M largest are kept.  The bound of the
 *   merged summary is (n1 + n2) / M, as for one summary over both inputs;
 *   when the union has at most M distinct values it is exact.
 */
#include "agg_internal.h"

#include <stdlib.h>

#define SLOT_MASK (2 * TOPK_M - 1)

static void heap_swap(struct topk *t, uint32_t a, uint32_t b)
{
	uint8_t x = t->heap[a];
	t->heap[a] = t->heap[b];
	t->heap[b] = x;
	t->pos[t->heap[a]] = (uint8_t)a;
	t->pos[t->heap[b]] = (uint8_t)b;
}

static void heap_down(struct topk *t, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < t->n && t->e[t->heap[l]].count < t->e[t->heap[m]].count)
			m = l;
		if (r < t->n && t->e[t->heap[r]].count < t->e[t->heap[m]].count)
			m = r;
		if (m == i)
			return;
		heap_swap(t, i, m);
		i = m;
	}
}

static void heap_up(struct topk *t, uint32_t i)
{
	while (i > 0 && i < TOPK_M) {
		uint32_t p = (i - 1) / 2;
		if (t->e[t->heap[p]].count <= t->e[t->heap[i]].count)
			return;
		heap_swap(t, i, p);
		i = p;
	}
}

static bool same(const struct topk_entry *e, uint64_t hash, const char *p, size_t len)
{
	return e->hash == hash && e->len == len && memcmp(e->val, p, len < TOPK_VAL ? len : TOPK_VAL) == 0;
}

static int find(const struct topk *t, uint64_t hash, const char *p, size_t len, uint32_t *slot)
{
	uint32_t i = (uint32_t)hash & SLOT_MASK;
	while (t->slot[i]) {
		uint32_t e = t->slot[i] - 1u;
		if (same(&t->e[e], hash, p, len)) {
			*slot = i;
			return (int)e;
		}
		i = (i + 1) & SLOT_MASK;
	}
	*slot = i;
	return -1;
}

static void slot_delete(struct topk *t, uint32_t i)
{
	t->slot[i] = 0;
	for (uint32_t j = (i + 1) & SLOT_MASK; t->slot[j]; j = (j + 1) & SLOT_MASK) {
		uint32_t home = (uint32_t)t->e[t->slot[j] - 1].hash & SLOT_MASK;
		/* move j back to the hole i unless its home lies in (i, j] */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!stays) {
			t->slot[i] = t->slot[j];
			t->slot[j] = 0;
			i = j;
		}
	}
}

static void entry_set(struct topk_entry *e, uint64_t hash, const char *p, size_t len, uint64_t count,
		      uint64_t err)
{
	e->hash = hash;
	e->len = (uint32_t)len;
	memcpy(e->val, p, len < TOPK_VAL ? len : TOPK_VAL);
	e->count = count;
	e->err = err;
}

void topk_add(struct topk *t, uint64_t hash, const char *p, size_t len)
{
	uint32_t slot;
	int found = find(t, hash, p, len, &slot);
	if (found >= 0) {
		t->e[found].count++;
		heap_down(t, t->pos[found]);
		return;
	}
	if (t->n < TOPK_M) {
		uint32_t e = t->n++;
		entry_set(&t->e[e], hash, p, len, 1, 0);
		t->slot[slot] = (uint8_t)(e + 1);
		t->heap[e] = (uint8_t)e;
		t->pos[e] = (uint8_t)e;
		heap_up(t, e);
		return;
	}
	uint32_t e = t->heap[0];
	uint32_t old;
	find(t, t->e[e].hash, t->e[e].val, t->e[e].len, &old);
	slot_delete(t, old);
	uint64_t min = t->e[e].count;
	entry_set(&t->e[e], hash, p, len, min + 1, min);
	find(t, hash, p, len, &slot);
	t->slot[slot] = (uint8_t)(e + 1);
	heap_down(t, 0);
}

bool topk_load(struct topk *t, uint64_t hash, const char *p, size_t len, uint64_t count, uint64_t err)
{
	uint32_t slot;
	if (t->n == TOPK_M || find(t, hash, p, len, &slot) >= 0)
		return false;
	uint32_t e = t->n++;
	entry_set(&t->e[e], hash, p, len, count, err);
	t->slot[slot] = (uint8_t)(e + 1);
	t->heap[e] = (uint8_t)e;
	t->pos[e] = (uint8_t)e;
	heap_up(t, e);
	return true;
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
	struct topk_entry all[2 * TOPK_M];
	const struct topk_entry *ptr[2 * TOPK_M];
	uint64_t min_into = into->n == TOPK_M ? into->e[into->heap[0]].count : 0;
	uint64_t min_from = from->n == TOPK_M ? from->e[from->heap[0]].count : 0;
	size_t n = 0;
	for (uint32_t i = 0; i < into->n; i++) {
		const struct topk_entry *e = &into->e[i];
		uint32_t slot;
		int f = find(from, e->hash, e->val, e->len, &slot);
		all[n] = *e;
		all[n].count += f >= 0 ? from->e[f].count : min_from;
		all[n].err += f >= 0 ? from->e[f].err : min_from;
		n++;
	}
	for (uint32_t i = 0; i < from->n; i++) {
		const struct topk_entry *e = &from->e[i];
		uint32_t slot;
		if (find(into, e->hash, e->val, e->len, &slot) >= 0)
			continue;
		all[n] = *e;
		all[n].count += min_into;
		all[n].err += min_into;
		n++;
	}
	for (size_t i = 0; i < n; i++)
		ptr[i] = &all[i];
	qsort(ptr, n, sizeof *ptr, entry_cmp);
	memset(into, 0, sizeof *into);
	for (size_t i = 0; i < n && i < TOPK_M; i++)
		topk_load(into, ptr[i]->hash, ptr[i]->val, ptr[i]->len, ptr[i]->count, ptr[i]->err);
}
