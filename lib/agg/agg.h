/*
 * agg.h: the aggregation core: streaming, typed, mergeable column statistics.
 *
 * An owlet_agg holds the statistics of one dataset's columns (one column per
 * field of the model, in model order).  Readers feed it rows:
 *   owlet_agg_csv()    RFC 4180 CSV with a header row (csv.c)
 *   owlet_agg_jsonl()  JSON Lines of flat objects (jsonl.c)
 * Both pull bytes through a refill callback, so a file, a pipe, an S3 body or
 * a buffer in memory stream the same way, in bounded memory (see below).
 * Two aggs of the same dataset merge (owlet_agg_merge): the exact statistics
 * of merge(A, B) equal those of A and B read together, the sketches stay
 * within their bounds (hll.c, kll.c, topk.c).  agg_json.c turns an agg into
 * the JSON of `owlet stats` and into a mergeable partial, and back.
 *
 * Per column: count (valid non-null values), nulls (empty cells, JSON null
 * or missing), invalid (values that do not parse as the type, with the first
 * OWLET_AGG_EXAMPLES file:line:value examples), min, max, sum, mean, sample
 * stddev (Welford, merged with Chan et al.), distinct (HyperLogLog),
 * p50/p90/p99 (KLL), top values (Misra-Gries / space-saving) and string
 * lengths.
 * count + nulls + invalid = rows, for every column.
 *
 * Memory, whatever the input size: an agg takes about 40 KiB per number,
 * date or timestamp column (HyperLogLog 16 KiB, KLL ~10 KiB, ~24 KiB while
 * merging) and about 400 KiB per string or bool column (HyperLogLog, and
 * frequent values: 2,048 x 152 B = 304 KiB plus an 80 KiB hash index).  A
 * reader holds one buffer (256 KiB, doubled while one record does not fit,
 * at most OWLET_AGG_MAX_RECORD), a scratch buffer of the same size, the
 * batch's cells (2 KiB per column) and, for CSV, a 128 KiB separator index.
 * A record longer than OWLET_AGG_MAX_RECORD is a bad row.
 *
 * lib/agg/ needs only libc and libm, except agg_json.c (jansson) and
 * files.c (POSIX files and threads).
 */
#ifndef OWLET_AGG_H
#define OWLET_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

#define OWLET_AGG_EXAMPLES 5                    /* examples kept per problem kind */
#define OWLET_AGG_MAX_RECORD (8u * 1024 * 1024) /* longest CSV record / JSON line */
#define OWLET_AGG_TOP 10                        /* top values reported */

struct owlet_agg;

/* Reads up to `cap` bytes into buf; returns the count, 0 at the end, or a
 * negative OWLET_E* code (with owlet_error_set) on failure. */
typedef long (*owlet_agg_read_fn)(void *ctx, char *buf, size_t cap);

struct owlet_agg_input {
	const char *name;       /* shown in examples ("-" for stdin) */
	owlet_agg_read_fn read;
	void *ctx;
	/* CSV only: the first record is the header; when false the agg must
	 * already have a header mapping (owlet_agg_new_like of one that had). */
	bool header;
	/* Skip everything up to and including the first newline: the input
	 * starts somewhere inside a file (a chunk); see files.c. */
	bool skip_partial_line;
	/* Stop before the first record that starts at or after this many bytes
	 * from the input's start (UINT64_MAX: read to the end). */
	uint64_t stop;
	/* Where the input starts in its file (files.c's chunks), for messages. */
	uint64_t origin;
	/* Set by the reader: where the first record read starts, and where the
	 * first record not read starts (the end of the input when all was read),
	 * both in bytes from the input's start. */
	uint64_t first_offset, end_offset;
};

/* A new empty agg for the fields of `ds` (borrowed; must outlive the agg). */
int owlet_agg_new(struct owlet_agg **out, const struct owlet_dataset *ds);
/* A new empty agg with the same dataset and CSV header mapping as `like`. */
int owlet_agg_new_like(struct owlet_agg **out, const struct owlet_agg *like);
void owlet_agg_free(struct owlet_agg *agg);

/* Stream a whole input into agg.  Bad rows and invalid values are counted,
 * never fatal.  OWLET_EINVALID, with a message, for what would make the
 * numbers silently wrong: a CSV header that names no field of the model (or
 * holds a CR, or a UTF-16 byte order mark), a JSON Lines object that gives a
 * field twice, JSON Lines that is a JSON array.  Else a failing read
 * callback or memory (negative code). */
int owlet_agg_csv(struct owlet_agg *agg, struct owlet_agg_input *in);
int owlet_agg_jsonl(struct owlet_agg *agg, struct owlet_agg_input *in);
/* In-memory convenience: reads buf[0..len) as one input named `name`. */
int owlet_agg_csv_buffer(struct owlet_agg *agg, const char *name, const char *buf, size_t len);
int owlet_agg_jsonl_buffer(struct owlet_agg *agg, const char *name, const char *buf, size_t len);

/* files.c: the stats of files ("-" is stdin) of dataset ds, on up to
 * `threads` threads (over files, or over chunks of a file); the result is
 * that of one sequential read (see files.c). */
int owlet_agg_files(struct owlet_agg **out, const struct owlet_dataset *ds, enum owlet_format format,
		    const char *const *paths, size_t n, int threads);

/* Adds `from` into `into` (same dataset).  `line_shift` is added to the line
 * numbers of from's examples: 0 for another file, the line count of `into`
 * when `from` is the continuation of the same file (a chunk). */
int owlet_agg_merge(struct owlet_agg *into, const struct owlet_agg *from, uint64_t line_shift);

/* Newlines consumed so far (for line_shift). */
uint64_t owlet_agg_lines(const struct owlet_agg *agg);
uint64_t owlet_agg_rows(const struct owlet_agg *agg);
const struct owlet_dataset *owlet_agg_dataset(const struct owlet_agg *agg);

/* The quantile of column `col` (0 <= q <= 1) from its sketch, as a double
 * (days for dates, microseconds for timestamps); NAN when it has no values. */
double owlet_agg_quantile(const struct owlet_agg *agg, size_t col, double q);

/* agg_json.c (jansson).  The report of `owlet stats` (docs/stats.md, "owlet
 * stats"): new reference, NULL on out of memory. */
json_t *owlet_agg_to_json(const struct owlet_agg *agg);
/* The mergeable partial form (all state, exact): new reference or NULL. */
json_t *owlet_agg_to_partial(const struct owlet_agg *agg);
/* Back from a partial of dataset `ds`; OWLET_EINVALID when it does not fit. */
int owlet_agg_from_partial(struct owlet_agg **out, const struct owlet_dataset *ds, const json_t *json);

/* Typed parsing, exposed for tests.  Each returns true when the whole text
 * (surrounding blanks allowed) is a value of the type. */
bool owlet_parse_int(const char *p, size_t n, int64_t *out);
bool owlet_parse_float(const char *p, size_t n, double *out);
bool owlet_parse_bool(const char *p, size_t n, bool *out);
bool owlet_parse_date(const char *p, size_t n, int64_t *days);    /* since 1970-01-01 */
bool owlet_parse_timestamp(const char *p, size_t n, int64_t *us); /* since the epoch, UTC */
/* ISO forms: "2024-02-29" and "2024-02-29T13:45:00.123Z" into buf (>= 40). */
void owlet_format_date(char *buf, size_t cap, int64_t days);
void owlet_format_timestamp(char *buf, size_t cap, int64_t us);

#endif
