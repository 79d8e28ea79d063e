/*
 * fuzz_agg.h: the body shared by fuzz_csv.c and fuzz_jsonl.c (libFuzzer).
 *
 * Each input is read by the reader under test, into the stats of a dataset
 * with one column of every type (id, f, s, b, d, ts).  Beyond "no crash, no
 * leak, no UB" (ASan + UBSan), it checks:
 *   - the reader fails only with OWLET_EINVALID (an input refused as a
 *     whole), and then the same way for every read size and path;
 *   - every column: count + nulls + invalid == rows;
 *   - streaming does not matter: the input read through reads of 1 to 16
 *     bytes (chosen by its first byte) gives the same report as one read;
 *   - with FUZZ_CSV_PATHS (fuzz_csv.c): the CSV reader's fast path with
 *     its portable pass 1, and its record-at-a-time reader alone, give
 *     the same report as the default (see agg_csv_path); for one input in
 *     8 (by its first byte) also on the input repeated to 70 KB, so that
 *     records cross the fast path's 32 KiB windows;
 *   - the partial form round-trips: from_partial(to_partial(A)) reports
 *     exactly what A reports, and merging it into an empty agg too (for
 *     one input in 8, by its first byte: the partial holds 100 KB of
 *     sketches and would slow the fuzzer down tenfold).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg/agg.h"
#include "base/error.h"

static struct owlet_field fuzz_fields[] = {
	{ .name = "id", .type = OWLET_TYPE_INT, .max_length = -1 },
	{ .name = "f", .type = OWLET_TYPE_FLOAT, .max_length = -1 },
	{ .name = "s", .type = OWLET_TYPE_STRING, .max_length = -1 },
	{ .name = "b", .type = OWLET_TYPE_BOOL, .max_length = -1 },
	{ .name = "d", .type = OWLET_TYPE_DATE, .max_length = -1 },
	{ .name = "ts", .type = OWLET_TYPE_TIMESTAMP, .max_length = -1 },
};
static struct owlet_dataset fuzz_ds = { .name = "fuzz", .fields = fuzz_fields, .n_fields = 6 };

struct trickle {
	const uint8_t *p;
	size_t left, step;
};

static long trickle_read(void *ctx, char *buf, size_t cap)
{
	struct trickle *t = ctx;
	size_t n = t->left < t->step ? t->left : t->step;
	if (n > cap)
		n = cap;
	memcpy(buf, t->p, n);
	t->p += n;
	t->left -= n;
	return (long)n;
}

static void fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz_agg: %s\n", what);
	abort();
}

static void fuzz_round_trip(struct owlet_agg *a, json_t *j);

static json_t *fuzz_report(const uint8_t *data, size_t size, size_t step, bool round_trip)
{
	struct owlet_agg *a = NULL;
	if (owlet_agg_new(&a, &fuzz_ds) < 0)
		fuzz_fail("owlet_agg_new");
	struct trickle t = { data, size, step };
	struct owlet_agg_input in = { .name = "fuzz", .read = trickle_read, .ctx = &t, .header = true, .stop = UINT64_MAX };
	int rc = FUZZ_READER(a, &in);
	if (rc == OWLET_EINVALID) {
		/* an input refused as a whole (a header that names no field, ...):
		 * the same message whatever the reads and the path */
		owlet_agg_free(a);
		json_t *e = json_pack("{s:s}", "error", owlet_error_last());
		if (!e)
			fuzz_fail("json_pack");
		return e;
	}
	if (rc < 0)
		fuzz_fail("the reader failed on an in-memory input");
	json_t *j = owlet_agg_to_json(a);
	if (!j)
		fuzz_fail("to_json");
	if (round_trip)
		fuzz_round_trip(a, j);
	json_t *cols = json_object_get(j, "columns"), *c;
	const char *key;
	json_int_t rows = json_integer_value(json_object_get(j, "rows"));
	json_object_foreach(cols, key, c) {
		json_int_t sum = json_integer_value(json_object_get(c, "count")) +
				 json_integer_value(json_object_get(c, "nulls")) +
				 json_integer_value(json_object_get(json_object_get(c, "invalid"), "count"));
		if (sum != rows)
			fuzz_fail("count + nulls + invalid != rows");
	}
	owlet_agg_free(a);
	return j;
}

static void fuzz_round_trip(struct owlet_agg *a, json_t *j)
{
	json_t *p = owlet_agg_to_partial(a);
	char *s = p ? json_dumps(p, JSON_COMPACT) : NULL;
	json_t *back = s ? json_loads(s, 0, NULL) : NULL;
	struct owlet_agg *b = NULL, *m = NULL;
	if (!back || owlet_agg_from_partial(&b, &fuzz_ds, back) < 0) {
		fprintf(stderr, "%s\n", owlet_error_last());
		fuzz_fail("the partial does not read back");
	}
	json_t *jb = owlet_agg_to_json(b);
	if (!json_equal(j, jb))
		fuzz_fail("from_partial(to_partial(A)) reports differently from A");
	if (owlet_agg_new(&m, &fuzz_ds) < 0 || owlet_agg_merge(m, b, 0) < 0)
		fuzz_fail("merge");
	json_t *jm = owlet_agg_to_json(m);
	if (!json_equal(j, jm))
		fuzz_fail("merging into an empty agg changed the report");
	json_decref(jm);
	json_decref(jb);
	json_decref(back);
	json_decref(p);
	free(s);
	owlet_agg_free(m);
	owlet_agg_free(b);
}

#ifdef FUZZ_CSV_PATHS
/* The other CSV paths on data[0..size) give the report `expected`. */
static void fuzz_csv_paths(const uint8_t *data, size_t size, json_t *expected)
{
	for (enum agg_csv_path path = AGG_CSV_FAST_PORTABLE; path <= AGG_CSV_RECORDS; path++) {
		agg_csv_path = path;
		json_t *other = fuzz_report(data, size, size ? size : 1, false);
		agg_csv_path = AGG_CSV_FAST;
		if (!json_equal(expected, other))
			fuzz_fail(path == AGG_CSV_RECORDS ? "the fast path reports differently from the record-at-a-time reader"
							  : "the portable pass 1 reports differently");
		json_decref(other);
	}
}

/* data repeated to 70 KB, read by every path */
static void fuzz_csv_paths_long(const uint8_t *data, size_t size)
{
	size_t len = 0, cap = 70000 + size;
	uint8_t *big = malloc(cap);
	if (!big)
		fuzz_fail("out of memory");
	while (len < 70000) {
		memcpy(big + len, data, size);
		len += size;
	}
	json_t *fast = fuzz_report(big, len, len, false);
	fuzz_csv_paths(big, len, fast);
	json_decref(fast);
	free(big);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t step = size ? (size_t)(data[0] % 16) + 1 : 1;
	json_t *whole = fuzz_report(data, size, size ? size : 1, size && data[0] % 8 == 0);
	json_t *small = fuzz_report(data, size, step, false);
	if (!json_equal(whole, small))
		fuzz_fail("reading in small pieces gives another report");
#ifdef FUZZ_CSV_PATHS
	fuzz_csv_paths(data, size, whole);
	if (size && data[0] % 8 == 1)
		fuzz_csv_paths_long(data, size);
#endif
	json_decref(whole);
	json_decref(small);
	return 0;
}
