/*
 * agg_internal.h: the structures shared by the files of lib/agg/ (not part
 * of the API: agg.h is).
 */
#ifndef OWLET_AGG_INTERNAL_H
#define OWLET_AGG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "agg.h"
#include "base/error.h"

/* Bulk loops over sketch registers (16 K per column) carry no branch worth
 * a fuzzer's attention; uninstrumented they keep the fuzzers fast. */
#if defined(__clang__)
#define AGG_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define AGG_NO_COVERAGE
#endif

/* ---- hashing (64-bit, for HyperLogLog and top-k identity) ---- */

/* The splitmix64 finaliser: a bijective avalanche of 64 bits. */
static inline uint64_t agg_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static inline uint64_t agg_rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/* Bytes: 8 at a time through multiply-rotate, then the finaliser. */
static inline uint64_t agg_hash_bytes(const char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = agg_rotl(h ^ (w * 0x87c37b91114253d5ULL), 31) * 0x4cf5ad432745937fULL;
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = 0;
		memcpy(&w, p, n);
		h = agg_rotl(h ^ (w * 0x87c37b91114253d5ULL), 31) * 0x4cf5ad432745937fULL;
	}
	return agg_mix64(h);
}

/* The same hash for a value followed by at least 8 readable bytes (the
 * readers' buffers end with AGG_PAD of them): whole-word loads, the last
 * word masked to the value's bytes, so no byte-wise copy. */
static inline uint64_t agg_hash_padded(const char *p, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = agg_rotl(h ^ (w * 0x87c37b91114253d5ULL), 31) * 0x4cf5ad432745937fULL;
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w;
		memcpy(&w, p, 8);
		w &= ~0ULL >> (64 - 8 * n);
		h = agg_rotl(h ^ (w * 0x87c37b91114253d5ULL), 31) * 0x4cf5ad432745937fULL;
	}
	return agg_mix64(h);
#else
	return agg_hash_bytes(p, n);
#endif
}

/* ---- HyperLogLog (hll.c) ---- */
#define HLL_P 14
#define HLL_M (1u << HLL_P)
#define HLL_Q (64 - HLL_P)
struct hll {
	uint8_t reg[HLL_M];
};
static inline void hll_add(struct hll *h, uint64_t hash)
{
	uint32_t idx = (uint32_t)(hash >> HLL_Q);
	/* the rank: 1 + the leading zeros of the other Q bits; bit P - 1 is
	 * a stop (it lies below them) that makes all-zero give Q + 1 */
	uint8_t rank = (uint8_t)(__builtin_clzll((hash << HLL_P) | (1ULL << (HLL_P - 1))) + 1);
	if (rank > h->reg[idx])
		h->reg[idx] = rank;
}
void hll_merge(struct hll *into, const struct hll *from);
double hll_estimate(const struct hll *h);

/* ---- KLL quantile sketch (kll.c) ---- */
#define KLL_K 400
#define KLL_MAX_LEVELS 64
#define KLL_ACTIVE 8 /* compactor levels kept above the sampler */
struct kll_level {
	double *v;
	uint32_t len, cap;
	bool unsorted; /* items were appended one by one, or concatenated */
};
struct kll {
	uint64_t n;          /* values added */
	uint32_t levels;     /* H: levels 0..H-1 in use */
	uint32_t sampler;    /* values enter level `sampler`: one of each block of 2^sampler */
	uint32_t size;       /* items held, all levels */
	uint32_t max_size;   /* compaction when size reaches it */
	uint64_t blk_count;  /* values of the current block seen so far */
	uint64_t blk_pick;   /* the one of the block that is kept */
	double blk_item;
	uint64_t rng;        /* xorshift state */
	uint32_t cap[KLL_MAX_LEVELS];
	struct kll_level lv[KLL_MAX_LEVELS];
};
int kll_init(struct kll *s);
void kll_free(struct kll *s);
int kll_compress(struct kll *s);
/* Adds v[0..n) in order: below the sampler level every value goes into
 * the compactors; above it, one value of each block of 2^sampler (the one
 * at the block's drawn position), found by skipping, not by counting. */
int kll_add_many(struct kll *s, const double *v, size_t n);
int kll_merge(struct kll *into, const struct kll *from);
/* qs ascending in [0,1]; out[i] the value at rank qs[i]*n (NAN when empty). */
int kll_quantiles(const struct kll *s, const double *qs, size_t nq, double *out);
/* Appends one item of weight 2^level (for deserialisation; then
 * kll_compress). */
int kll_push(struct kll *s, uint32_t level, double x);
/* Sets the sampler level (deserialisation), before any kll_push. */
int kll_set_sampler(struct kll *s, uint32_t sampler);

/* ---- frequent values: exact counts, then Misra-Gries (topk.c) ---- */
#define TOPK_M 2048        /* counters of the summary once it is approximate */
#define TOPK_EXACT 65536   /* distinct values counted exactly before that */
#define TOPK_VAL 128
struct topk_entry {
	uint64_t hash;
	uint64_t count; /* a lower bound of the true count; + offset: an upper bound */
	uint32_t len;   /* full length of the value */
	char val[TOPK_VAL]; /* its first min(len, TOPK_VAL) bytes */
};
struct topk {
	uint32_t n, cap;  /* entries used and allocated: cap <= TOPK_EXACT, TOPK_M once approx */
	uint32_t mask;    /* of the slot table, 4 * cap slots */
	bool approx;      /* past TOPK_EXACT distinct values: offset > 0 */
	uint64_t offset;  /* what purges subtracted: the error bound of every count */
	struct topk_entry *e;
	/* open addressing on hash, linear probing, a quarter full at most:
	 * slot[i] is entry + 1 (0: empty), slot_hash[i] its hash, so a probe
	 * reads the entry only when the hashes match */
	uint32_t *slot;
	uint64_t *slot_hash;
};
/* An empty summary (OWLET_ENOMEM); topk_free frees what it holds. */
int topk_init(struct topk *t);
void topk_free(struct topk *t);

/* Whether entry e holds p[0..len), its hash known to match, p padded: the
 * bytes compared a word at a time, the last word masked to the value
 * (e->val has room for the word when len <= TOPK_VAL - 8; longer values go
 * through memcmp). */
static inline bool topk_same_padded(const struct topk_entry *e, const char *p, size_t len)
{
	if (e->len != len)
		return false;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (len <= TOPK_VAL - 8) {
		size_t i = 0;
		uint64_t x, y;
		for (; i + 8 <= len; i += 8) {
			memcpy(&x, p + i, 8);
			memcpy(&y, e->val + i, 8);
			if (x != y)
				return false;
		}
		if (i == len)
			return true;
		memcpy(&x, p + i, 8);
		memcpy(&y, e->val + i, 8);
		return ((x ^ y) & (~0ULL >> (64 - 8 * (len - i)))) == 0;
	}
#endif
	return memcmp(e->val, p, len < TOPK_VAL ? len : TOPK_VAL) == 0;
}

static inline bool topk_bump(struct topk *t, uint64_t hash, const char *p, size_t len)
{
	const uint32_t mask = t->mask, *slot = t->slot;
	const uint64_t *slot_hash = t->slot_hash;
	uint32_t i = (uint32_t)hash & mask;
	while (slot[i]) {
		if (slot_hash[i] == hash) {
			struct topk_entry *e = &t->e[slot[i] - 1u];
			if (topk_same_padded(e, p, len)) {
				e->count++;
				return true;
			}
		}
		i = (i + 1) & mask;
	}
	return false;
}

/* Adds a value topk_bump just did not find, with count 1. */
void topk_add_new(struct topk *t, uint64_t hash, const char *p, size_t len);
void topk_merge(struct topk *into, const struct topk *from);
/* Entries sorted by count (desc), then value, into out[t->n]; returns t->n. */
size_t topk_sorted(const struct topk *t, const struct topk_entry **out);
/* Adds the error bound of counts read (deserialisation): > 0 makes the
 * summary approximate. */
void topk_add_offset(struct topk *t, uint64_t offset);
/* Adds a value with a count (for deserialisation and merges). */
void topk_add_count(struct topk *t, uint64_t hash, const char *p, size_t len, uint64_t count);

/* ---- statistics (stats.c) ---- */
struct agg_example {
	char *file;
	uint64_t line;
	char *value;     /* the invalid value (truncated), or NULL */
	uint64_t fields; /* bad rows: how many fields the row had */
};

struct agg_col {
	const struct owlet_field *field;
	enum owlet_type type;
	uint64_t count, nulls, invalid;
	struct agg_example inv[OWLET_AGG_EXAMPLES];
	unsigned n_inv;
	double mean, m2;     /* Welford over the values (as doubles) */
	int64_t imin, imax;  /* int, date (days), timestamp (microseconds) */
	__int128 isum;
	double fmin, fmax;   /* float */
	double fsum, fcomp;  /* Neumaier's compensated sum of finite floats */
	uint64_t pinf, ninf; /* +inf and -inf values */
	uint64_t minlen, maxlen; /* strings, in code points */
	uint64_t trues;      /* bools */
	struct hll *hll;
	struct kll *kll;     /* numbers, dates, timestamps */
	struct topk *top;    /* strings, bools */
};

struct owlet_agg {
	const struct owlet_dataset *ds;
	size_t ncols;
	struct agg_col *cols;
	uint64_t rows, lines, bad_rows;
	struct agg_example bad[OWLET_AGG_EXAMPLES];
	unsigned n_bad;
	const char *source; /* the input being read (borrowed) */
	/* CSV header: input column i feeds cols[map[i]] (-1: not in the model) */
	int *map;
	size_t n_map;
	bool has_map;
	size_t *missing;    /* model columns absent from the header */
	uint64_t hash_true, hash_false;
	size_t n_missing;
};

/* A cell: a value's bytes (followed by AGG_PAD readable bytes), not
 * NUL-terminated; length 0 is null. */
struct agg_cell {
	const char *p;
	size_t len;
};
/* The readers hand values over AGG_BATCH rows at a time, column by column. */
#define AGG_BATCH 128
/* n cells of column `col`, lines[i] the line of cell i (relative to the
 * input). */
void agg_add_cells(struct owlet_agg *a, size_t col, const struct agg_cell *v, const uint64_t *lines, size_t n);
/* Which CSV reader csv.c runs: its two-pass fast path with the best pass 1
 * the CPU has (the default), the fast path with the portable pass 1, or
 * the record-at-a-time reader alone.  Set only to compare them (tests,
 * fuzz). */
enum agg_csv_path { AGG_CSV_FAST, AGG_CSV_FAST_PORTABLE, AGG_CSV_RECORDS };
extern enum agg_csv_path agg_csv_path;
/* One value of column `col` at `line`. */
void agg_add_value(struct owlet_agg *a, size_t col, const char *p, size_t len, uint64_t line);
void agg_add_null(struct owlet_agg *a, size_t col);
void agg_add_invalid(struct owlet_agg *a, size_t col, const char *p, size_t len, uint64_t line);
void agg_bad_row(struct owlet_agg *a, uint64_t line, uint64_t fields);
/* Maps header names to columns (case-insensitive, blanks trimmed). */
int agg_set_header(struct owlet_agg *a, const char *const *names, const size_t *lens, size_t n);
int agg_column_index(const struct owlet_agg *a, const char *name, size_t len);
int agg_example_set(struct agg_example *ex, const char *file, uint64_t line, const char *value,
		    size_t vlen, uint64_t fields);


/* ---- readers' shared input buffer (reader.c) ---- */
struct agg_buf {
	struct owlet_agg_input *in;
	char *data;     /* cap + 64 bytes, the tail padding readable */
	size_t cap;
	size_t start;   /* first unconsumed byte */
	size_t len;     /* bytes held */
	uint64_t base;  /* input offset of data[0] */
	bool eof;
	char *scratch;  /* cap bytes: unescaped values of one record */
};
#define AGG_BUF_INITIAL (256u * 1024)
#define AGG_PAD 64
int agg_buf_init(struct agg_buf *b, struct owlet_agg_input *in);
void agg_buf_free(struct agg_buf *b);
/* Moves the unconsumed bytes (from `start`) to the front, grows the buffer
 * when they fill it (up to OWLET_AGG_MAX_RECORD) and reads more.  Returns
 * the bytes read (0 at the end of the input) or a negative code. */
long agg_buf_fill(struct agg_buf *b);
/* Whether the unconsumed bytes fill a buffer that cannot grow. */
bool agg_buf_full(const struct agg_buf *b);

#endif
