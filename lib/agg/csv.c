/*
 * csv.c: the streaming RFC 4180 CSV reader.
 *
 * Grammar (RFC 4180, with the usual leniencies)
 *   The first record is the header; its names are matched to the model's
 *   fields case-insensitively, blanks trimmed; unknown names are ignored,
 *   fields absent from the header are null in every row.  Fields are
 *   separated by ',' and records by LF or CRLF (a CR before the LF is
 *   dropped, also at the end of the input).  A field that starts with '"'
 *   is quoted: it runs to the next '"' not doubled, may hold ',', CR, LF
 *   and '""' (one quote); text after its closing quote up to the separator
 *   is appended (as Python's csv does).  A '"' inside an unquoted field is
 *   an ordinary character.  A UTF-8 byte order mark before the header is
 *   skipped.  Empty lines are skipped.  An empty field (also "") is null.
 *   A header that would make every row all nulls is an error, not counted:
 *   one that names no field of the model, holds a CR (line ends of CR
 *   alone), is longer than OWLET_AGG_MAX_RECORD, or a UTF-16 byte order
 *   mark.
 *   A record with another number of fields than the header is a bad row; so
 *   is a quoted field still open at the end of the input, and a record
 *   longer than OWLET_AGG_MAX_RECORD.  Line numbers are those of the
 *   record's first line (a record with quoted newlines spans several).
 *
 * Scanning
 *   Two readers of the same grammar.  Whole records that end in the buffer
 *   go through the two-pass fast path ("The fast path" below: a separator
 *   index per 32 KiB window, then the fields).  The rest (the header, a
 *   record cut by the window or the buffer, irregular quoting, the last
 *   record without a newline) goes through the record-at-a-time reader:
 *   unquoted fields (the common case) are found with a 64-byte bitmask of
 *   the positions of ',' and '\n', built with four SSE2 compares (or SWAR
 *   on other machines) and walked with count-trailing-zeros: one mask per
 *   64 bytes, one ctz per field, no per-byte branch.  A quoted field is
 *   closed with memchr('"'); the mask is then rebuilt from after it.  A
 *   record that runs past the buffer is re-read from its start after the
 *   next fill (the buffer keeps the unconsumed tail).
 *
 * Chunks (files.c)
 *   With skip_partial_line the reader starts after the first newline; with
 *   stop it ends before the first record that starts at or after stop, and
 *   end_offset says where that record starts.  A chunk boundary that falls
 *   inside a quoted field with newlines makes the next chunk start in the
 *   wrong place; files.c detects it (end_offset of chunk k differs from
 *   first_offset of chunk k+1) and re-reads that chunk from the right
 *   place, so the result is always that of one sequential read.
 */
#include "agg_internal.h"

#include <stdlib.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

struct field {
	const char *p;
	size_t len;
};

/* The separator scanner: 64 bytes from blk, and the separators there not
 * yet returned. */
struct sep_scan {
	const char *blk;
	uint64_t bits;
};

/* Pass 1 of the fast path (csv_index.h). */
typedef size_t csv_index_fn(const char *d, size_t from, size_t to, uint32_t *out, bool *plain);

struct csv {
	struct agg_buf b;
	struct owlet_agg *a;
	struct field *f;
	size_t nf, fcap;
	bool first_quoted;
	struct sep_scan sc;
	uint64_t line;   /* of the record being read, from 1 */
	/* rows waiting to be handed over, column by column: cell (col, row) at
	 * cells[col * AGG_BATCH + row]; their values point into the buffer and
	 * the scratch, so the batch is handed over before either moves */
	struct agg_cell *cells;
	uint64_t lines[AGG_BATCH];
	size_t n_rows;
	size_t scr_used; /* scratch bytes the batch's values hold */
	/* with a header mapping, fields go straight to the batch's cells */
	bool direct;
	size_t f0_len;   /* the first field's length (for empty lines) */
	uint32_t *idx;   /* the fast path's separator offsets (FAST_WINDOW + 64) */
	/* the fast path's pass 1 (NULL: the record-at-a-time reader alone),
	 * chosen once per input from agg_csv_path and the CPU */
	csv_index_fn *index;
};

#ifndef __SSE2__
/* Bit i set when p[i] == ch (i < 64), a word at a time. */
static inline uint64_t swar_eq_mask(const char *p, char ch)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL, pat = 0x0101010101010101ULL * (unsigned char)ch;
	uint64_t m = 0;
	for (int i = 0; i < 8; i++) {
		uint64_t w;
		memcpy(&w, p + 8 * i, 8);
		w ^= pat;
		uint64_t z = ~(((w & lo7) + lo7) | w | lo7) >> 7; /* 0x01 per byte equal to ch */
		m |= ((z * 0x0102040810204080ULL) >> 56) << (8 * i);
	}
	return m;
}
#endif

/* Masks of ',' '\n' and '"' in p[0..63]. */
static inline void block_masks(const char *p, uint64_t *comma, uint64_t *nl, uint64_t *quote)
{
#ifdef __SSE2__
	uint64_t c = 0, n = 0, q = 0;
	for (int i = 0; i < 4; i++) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
		c |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(','))) << (16 * i);
		n |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('\n'))) << (16 * i);
		q |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('"'))) << (16 * i);
	}
	*comma = c;
	*nl = n;
	*quote = q;
#else
	*comma = swar_eq_mask(p, ',');
	*nl = swar_eq_mask(p, '\n');
	*quote = swar_eq_mask(p, '"');
#endif
}

/* Bit i set when p[i] is ',' or '\n' (i < 64). */
static inline uint64_t sep_mask(const char *p)
{
	uint64_t comma, nl, quote;
	block_masks(p, &comma, &nl, &quote); /* the quote mask, unused, is optimised away */
	return comma | nl;
}

static inline void scan_reset(struct sep_scan *r, const char *p, const char *e)
{
	r->blk = p;
	r->bits = p < e ? sep_mask(p) : 0;
	if (e - p < 64)
		r->bits &= (1ULL << (e - p)) - 1; /* e - p < 64 here */
}

/* The first ',' or '\n' at or after p and before e, or NULL. */
static inline const char *next_sep(struct sep_scan *r, const char *p, const char *e)
{
	for (;;) {
		while (r->bits) {
			const char *s = r->blk + __builtin_ctzll(r->bits);
			r->bits &= r->bits - 1;
			if (s >= p)
				return s;
		}
		if (r->blk + 64 >= e) {
			r->blk = e;
			return NULL;
		}
		r->blk += 64;
		r->bits = sep_mask(r->blk);
		if (e - r->blk < 64)
			r->bits &= (1ULL << (e - r->blk)) - 1;
	}
}

static uint64_t count_nl(const char *p, const char *e)
{
	uint64_t c = 0;
	while (p < e && (p = memchr(p, '\n', (size_t)(e - p)))) {
		c++;
		p++;
	}
	return c;
}

#ifdef __SSE2__
/* The masks of '"' and of '\n' in the 16 bytes at q, none at or after e
 * (the buffer's padding makes the load safe). */
static inline void quote_nl_masks(const char *q, const char *e, unsigned *qm, unsigned *lm)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
	*qm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')));
	*lm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('\n')));
	if (e - q < 16) {
		unsigned keep = (1u << (e - q)) - 1;
		*qm &= keep;
		*lm &= keep;
	}
}
#endif

/* The first '"' at or after q and before e, or NULL; adds the newlines
 * before it to *nl.  Values are short: 16 bytes at a time, inline (the
 * buffer's padding makes the last load safe), where memchr is a call. */
static inline const char *find_quote(const char *q, const char *e, uint64_t *nl)
{
#ifdef __SSE2__
	uint64_t lines = 0;
	for (; q < e; q += 16) {
		unsigned qm, lm;
		quote_nl_masks(q, e, &qm, &lm);
		if (qm) {
			unsigned b = (unsigned)__builtin_ctz(qm);
			lm &= (1u << b) - 1;
			*nl += lines + (lm ? (unsigned)__builtin_popcount(lm) : 0);
			return q + b;
		}
		if (lm)
			lines += (unsigned)__builtin_popcount(lm);
	}
	return NULL;
#else
	const char *c = memchr(q, '"', (size_t)(e - q));
	if (c)
		*nl += count_nl(q, c);
	return c;
#endif
}

/* Copies the quoted text x[0..close) to o, each '""' as one '"'; returns
 * the end of the copy. */
static char *unescape(char *o, const char *x, const char *close)
{
	while (x < close) {
		const char *y = memchr(x, '"', (size_t)(close - x));
		if (!y)
			y = close;
		memcpy(o, x, (size_t)(y - x));
		o += y - x;
		if (y < close)
			*o++ = '"';
		x = y < close ? y + 2 : close;
	}
	return o;
}

/* Where a record's fields go, in locals while the record is read (stores
 * to cells could otherwise alias the reader's state for the compiler). */
struct sink {
	size_t nf;               /* fields so far */
	size_t f0_len;           /* the first field's length */
	bool direct;             /* to cells (a data row) or to r->f (a header) */
	const int *map;          /* field i feeds column map[i] (-1: none) */
	size_t n_map;
	struct agg_cell *row;    /* cell (col, this row) at row[col * AGG_BATCH] */
};

static inline int push_field(struct csv *r, struct sink *k, const char *p, size_t len)
{
	size_t i = k->nf++;
	if (i == 0)
		k->f0_len = len;
	if (k->direct) {
		/* the row counts only once csv_row accepts it */
		if (i < k->n_map && k->map[i] >= 0) {
			struct agg_cell *c = &k->row[(size_t)k->map[i] * AGG_BATCH];
			c->p = p;
			c->len = len;
		}
		return 0;
	}
	if (i == r->fcap) {
		size_t cap = r->fcap ? r->fcap * 2 : 64;
		struct field *f = realloc(r->f, cap * sizeof *f);
		if (!f) {
			k->nf--;
			return owlet_error_setc(OWLET_ENOMEM, "out of memory");
		}
		r->f = f;
		r->fcap = cap;
	}
	r->f[i].p = p;
	r->f[i].len = len;
	return 0;
}

enum { REC_MORE = 0, REC_DONE = 1, REC_UNTERMINATED = 2 };

/* Reads the record at data[s]: its fields into r->f.  Returns REC_DONE (or
 * REC_UNTERMINATED at the end of the input) with *next the index after it
 * and *nl its newlines, REC_MORE when it runs past the data, or a negative
 * code. */
static inline __attribute__((always_inline)) int csv_fields(struct csv *r, struct sep_scan *sc, struct sink *k,
								size_t s, size_t *next, uint64_t *nl)
{
	const char *d = r->b.data, *e = d + r->b.len, *p = d + s;
	const bool eof = r->b.eof;
	char *scr = r->b.scratch;
	size_t used = r->scr_used;
	uint64_t lines = 0;
	r->first_quoted = p < e && *p == '"';
	for (;;) {
		const char *vp, *sep;
		size_t vl;
		if (p < e && *p == '"') {
			const char *q = p + 1, *close;
			bool esc = false;
			uint64_t inner = 0; /* newlines inside the quotes */
			for (;;) {
				close = find_quote(q, e, &inner);
				if (!close) {
					if (!eof)
						return REC_MORE;
					*next = r->b.len;
					*nl = lines + count_nl(p, e);
					r->scr_used = used;
					return REC_UNTERMINATED;
				}
				if (close + 1 == e && !eof)
					return REC_MORE;
				if (close + 1 < e && close[1] == '"') {
					esc = true;
					q = close + 2;
					continue;
				}
				break;
			}
			vp = p + 1;
			vl = (size_t)(close - vp);
			lines += inner;
			if (esc) {
				char *o = unescape(scr + used, vp, close);
				vp = scr + used;
				vl = (size_t)(o - vp);
				used += vl;
			}
			p = close + 1;
			if (p >= sc->blk + 64)
				scan_reset(sc, p, e); /* else the block's mask still holds what follows */
			if (!(sep = next_sep(sc, p, e))) {
				if (!eof)
					return REC_MORE;
				sep = e;
			}
			size_t tail = (size_t)(sep - p);
			if (tail && p[tail - 1] == '\r' && (sep == e || *sep == '\n'))
				tail--;
			if (tail) {
				/* text after the closing quote: appended, as Python's csv does */
				if (vp != scr + used - vl) {
					memmove(scr + used, vp, vl);
					vp = scr + used;
					used += vl;
				}
				memcpy(scr + used, p, tail);
				used += tail;
				vl += tail;
			}
		} else {
			if (!(sep = next_sep(sc, p, e))) {
				if (!eof)
					return REC_MORE;
				sep = e;
			}
			vp = p;
			vl = (size_t)(sep - p);
			if (vl && vp[vl - 1] == '\r' && (sep == e || *sep == '\n'))
				vl--;
		}
		if (push_field(r, k, vp, vl) < 0)
			return OWLET_ENOMEM;
		if (sep < e && *sep == ',') {
			p = sep + 1;
			continue;
		}
		r->scr_used = used;
		if (sep == e) {
			*next = r->b.len;
			*nl = lines;
		} else {
			*next = (size_t)(sep + 1 - d);
			*nl = lines + 1;
		}
		return REC_DONE;
	}
}

static int csv_record(struct csv *r, size_t s, size_t *next, uint64_t *nl)
{
	struct sep_scan sc = r->sc;
	struct sink k = { .direct = r->direct, .map = r->a->map, .n_map = r->a->n_map,
			  .row = r->cells + r->n_rows };
	int rc = csv_fields(r, &sc, &k, s, next, nl);
	r->sc = sc;
	r->nf = k.nf;
	r->f0_len = k.f0_len;
	return rc;
}

/* A record too long for the buffer: skip to its end (a newline outside
 * quotes), counting its newlines.  Returns the index after it. */
static long csv_skip_record(struct csv *r, uint64_t *nl)
{
	bool in_q = false;
	*nl = 0;
	size_t i = r->b.start;
	for (;;) {
		for (; i < r->b.len; i++) {
			char c = r->b.data[i];
			if (c == '"')
				in_q = !in_q;
			else if (c == '\n') {
				++*nl;
				if (!in_q)
					return (long)(i + 1);
			}
		}
		if (r->b.eof)
			return (long)i;
		r->b.start = r->b.len;
		long n = agg_buf_fill(&r->b);
		if (n < 0)
			return n;
		i = 0;
	}
}

static const char *input_name(const struct csv *r)
{
	return r->b.in->name ? r->b.in->name : "";
}

/* The header record, read: its mapping to the model's columns.  A header
 * that would make every row all nulls is refused (OWLET_EINVALID), not
 * counted: a CR in a name (line ends of CR alone: the whole input is one
 * record) or no name of a field of the model (another dataset's file, no
 * header row, UTF-16). */
static int csv_header(struct csv *r)
{
	for (size_t i = 0; i < r->nf; i++)
		if (memchr(r->f[i].p, '\r', r->f[i].len))
			return owlet_error_setc(OWLET_EINVALID,
						"'%s': the header holds a carriage return: are the line ends CR alone? "
						"(CSV lines end in LF or CRLF)", input_name(r));
	const char **names = malloc((r->nf ? r->nf : 1) * sizeof *names);
	size_t *lens = malloc((r->nf ? r->nf : 1) * sizeof *lens);
	int rc = OWLET_ENOMEM;
	if (!names || !lens)
		goto out;
	for (size_t i = 0; i < r->nf; i++) {
		names[i] = r->f[i].p;
		lens[i] = r->f[i].len;
	}
	rc = agg_set_header(r->a, names, lens, r->nf);
	if (rc == 0 && r->a->ncols > 0 && r->a->n_missing == r->a->ncols)
		rc = owlet_error_setc(OWLET_EINVALID,
				      "'%s': the header names no field of dataset '%s' (such as '%s'): is it a CSV "
				      "file of this dataset, in UTF-8, with a header row?",
				      input_name(r), r->a->ds->name, r->a->cols[0].field->name);
out:
	free(names);
	free(lens);
	return rc == OWLET_ENOMEM ? owlet_error_setc(OWLET_ENOMEM, "out of memory") : rc;
}

/* Hands the batch over to the statistics, column by column. */
static void csv_flush(struct csv *r)
{
	struct owlet_agg *a = r->a;
	if (r->n_rows) {
		for (size_t i = 0; i < a->n_map; i++)
			if (a->map[i] >= 0)
				agg_add_cells(a, (size_t)a->map[i], r->cells + (size_t)a->map[i] * AGG_BATCH, r->lines,
					      r->n_rows);
		for (size_t i = 0; i < a->n_missing; i++)
			a->cols[a->missing[i]].nulls += r->n_rows; /* not in the header: null in every row */
	}
	r->n_rows = 0;
	r->scr_used = 0;
}

/* A record read with a header mapping (fields already in the batch's
 * cells): a row, a bad row or an empty line. */
static void csv_row(struct csv *r)
{
	struct owlet_agg *a = r->a;
	if (r->nf == 1 && r->f0_len == 0 && !r->first_quoted)
		return; /* an empty line */
	if (r->nf != a->n_map) {
		agg_bad_row(a, r->line, r->nf);
		return;
	}
	a->rows++;
	r->lines[r->n_rows] = r->line;
	if (++r->n_rows == AGG_BATCH)
		csv_flush(r);
}

/* Moves s past the partial line at the start of a chunk, or the BOM. */
static int csv_start(struct csv *r, struct owlet_agg_input *in, size_t *s)
{
	struct agg_buf *b = &r->b;
	*s = 0;
	if (in->skip_partial_line) {
		for (;;) {
			const char *nlp = memchr(b->data, '\n', b->len);
			if (nlp) {
				*s = (size_t)(nlp + 1 - b->data);
				return 0;
			}
			if (b->eof) {
				*s = b->len;
				return 0;
			}
			b->start = b->len;
			long n = agg_buf_fill(b);
			if (n < 0)
				return (int)n;
		}
	}
	while (b->len < 3 && !b->eof) {
		long n = agg_buf_fill(b);
		if (n < 0)
			return (int)n;
	}
	if (in->header && b->len >= 3 && memcmp(b->data, "\xEF\xBB\xBF", 3) == 0)
		*s = 3;
	if (in->header && b->len >= 2 &&
	    (memcmp(b->data, "\xFF\xFE", 2) == 0 || memcmp(b->data, "\xFE\xFF", 2) == 0))
		return owlet_error_setc(OWLET_EINVALID, "'%s' is UTF-16 (it starts with a UTF-16 byte order mark): "
				       "CSV files are read as UTF-8", in->name ? in->name : "");
	return 0;
}

/*
 * The fast path: whole records, two passes over a window of the buffer.
 *
 * Pass 1 (csv_index.h) finds the structural separators of up to FAST_WINDOW
 * bytes, 64 bytes at a time and without a branch per field: the masks of
 * ',' '\n' and '"', the quoted regions as the prefix XOR of the quote mask
 * (a doubled quote closes and reopens, so its bytes stay inside), the
 * separators outside them, written out as offsets 8 at a time.  This
 * reading of quotes is that of the grammar above only while every quote
 * that opens a region follows a separator or another quote: a quote inside
 * an unquoted field, or after a closing quote's tail, ends the pass at the
 * start of its block.
 *
 * Pass 2 (csv_fast) walks the offsets record by record into the batch's
 * cells.  A record is taken only when its '\n' was found: the record cut
 * by the window, the buffer's end or an irregular block is left to the
 * record-at-a-time reader above, which also reads the header, the last
 * record without a newline and records longer than the buffer.  Both read
 * the same grammar; tests/agg_stats_test.c and tests/fuzz compare them.
 * Pass 1 is written once (csv_index.h) and built twice: for any CPU (SSE2
 * on x86-64, words elsewhere) and for x86-64 with AVX2, BMI, POPCNT and
 * PCLMUL, taken when the CPU has them.
 */
#define FAST_WINDOW (32u * 1024)

enum agg_csv_path agg_csv_path = AGG_CSV_FAST;

/* XOR of all the bits at or below each position. */
static inline uint64_t prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	x ^= x << 32;
	return x;
}

static inline unsigned popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

/* A quoted field d[vp..vp+vl) whose separator is outside its quotes (so it
 * holds an even number of quotes, the last one closing): the value, in
 * place or unescaped into the scratch; adds its newlines to *nl. */
static inline struct agg_cell fast_quoted(struct csv *r, const char *vp, size_t vl, bool end, uint64_t *nl)
{
	const char *close = vp + vl - 1;
	while (*close != '"')
		close--;
	const char *t = close + 1, *te = vp + vl; /* the tail after the closing quote */
	if (end && te > t && te[-1] == '\r')
		te--;
	const char *x = vp + 1;
	struct agg_cell v = { x, (size_t)(close - x) };
	bool esc = false;
	uint64_t lines = 0;
#ifdef __SSE2__
	for (const char *q = x; q < close; q += 16) {
		unsigned qm, lm;
		quote_nl_masks(q, close, &qm, &lm);
		esc |= qm != 0;
		if (lm)
			lines += (unsigned)__builtin_popcount(lm);
	}
#else
	for (const char *q = x; q < close; q++) {
		esc |= *q == '"';
		lines += *q == '\n';
	}
#endif
	*nl += lines;
	if (!esc && t == te)
		return v;
	char *o0 = r->b.scratch + r->scr_used, *o = unescape(o0, x, close);
	memcpy(o, t, (size_t)(te - t)); /* text after the closing quote, as in csv_fields */
	o += te - t;
	r->scr_used += (size_t)(o - o0);
	v.p = o0;
	v.len = (size_t)(o - o0);
	return v;
}

/* Pass 1 on any CPU: csv_index.h with the helpers above. */
#define CSV_INDEX_FN csv_index_portable
#define CSV_INDEX_ATTR
#define CSV_MASKS block_masks
#define CSV_PREFIX_XOR prefix_xor
#define CSV_POPCOUNT popcount64
#include "csv_index.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* Pass 1 with AVX2, BMI, POPCNT and PCLMUL, when the CPU has them (chosen
 * at run time: the build targets any x86-64). */
#include <immintrin.h>
#define AVX2_ATTR __attribute__((target("avx2,bmi,popcnt,pclmul")))

AVX2_ATTR static inline uint64_t eq_mask_avx2(__m256i lo, __m256i hi, char ch)
{
	__m256i c = _mm256_set1_epi8(ch);
	return (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, c)) |
	       (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, c)) << 32;
}

AVX2_ATTR static inline void block_masks_avx2(const char *p, uint64_t *comma, uint64_t *nl, uint64_t *quote)
{
	__m256i lo = _mm256_loadu_si256((const __m256i *)(const void *)p);
	__m256i hi = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
	*comma = eq_mask_avx2(lo, hi, ',');
	*nl = eq_mask_avx2(lo, hi, '\n');
	*quote = eq_mask_avx2(lo, hi, '"');
}

/* the prefix XOR as a carry-less product with all ones */
AVX2_ATTR static inline uint64_t prefix_xor_clmul(uint64_t x)
{
	__m128i v = _mm_clmulepi64_si128(_mm_set_epi64x(0, (long long)x), _mm_set1_epi8(-1), 0);
	return (uint64_t)_mm_cvtsi128_si64(v);
}

#define CSV_INDEX_FN csv_index_avx2
#define CSV_INDEX_ATTR AVX2_ATTR
#define CSV_MASKS block_masks_avx2
#define CSV_PREFIX_XOR prefix_xor_clmul
#define CSV_POPCOUNT(x) (unsigned)__builtin_popcountll(x)
#include "csv_index.h"

static bool cpu_has_avx2(void)
{
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
	       __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("pclmul");
}
#else
static bool cpu_has_avx2(void)
{
	return false;
}
#define csv_index_avx2 csv_index_portable
#endif

/* The pass 1 that agg_csv_path and the CPU call for, or NULL. */
static csv_index_fn *csv_index_for(enum agg_csv_path path)
{
	if (path == AGG_CSV_RECORDS)
		return NULL;
	return path == AGG_CSV_FAST && cpu_has_avx2() ? csv_index_avx2 : csv_index_portable;
}

/* Pass 2: the whole records from s on, into the batch; returns where it
 * stopped (a record start). */
static size_t csv_fast(struct csv *r, size_t s, uint64_t stop)
{
	struct agg_buf *b = &r->b;
	struct owlet_agg *a = r->a;
	const char *d = b->data;
	size_t to = b->len - s > FAST_WINDOW ? s + FAST_WINDOW : b->len;
	bool plain;
	const uint32_t *ix = r->idx, *ie = ix + r->index(d, s, to, r->idx, &plain);
	const int *map = a->map;
	const size_t n_map = a->n_map;
	while (ix < ie && b->base + s < stop) {
		struct agg_cell *row = r->cells + r->n_rows;
		size_t p = s, nf = 0, f0_len = 0, scr = r->scr_used;
		uint64_t nl = 1;
		bool end;
		do {
			if (ix == ie) {
				r->scr_used = scr; /* cut by the window: read again later */
				return s;
			}
			size_t sep = *ix++;
			struct agg_cell v = { d + p, sep - p };
			end = d[sep] == '\n';
			if (v.len && *v.p == '"') {
				/* plain: no escapes or newlines inside; the usual value
				 * ends with its closing quote (or quote, CR at the end) */
				const char *c = v.p + v.len - 1;
				if (end && *c == '\r')
					c--;
				if (plain && *c == '"' && c > v.p) {
					v.p++;
					v.len = (size_t)(c - v.p);
				} else
					v = fast_quoted(r, v.p, v.len, end, &nl);
			}
			else if (end && v.len && v.p[v.len - 1] == '\r')
				v.len--;
			if (nf < n_map && map[nf] >= 0)
				row[(size_t)map[nf] * AGG_BATCH] = v;
			if (nf == 0)
				f0_len = v.len;
			nf++;
			p = sep + 1;
		} while (!end);
		if (nf == 1 && f0_len == 0 && d[s] != '"')
			; /* an empty line */
		else if (nf != n_map)
			agg_bad_row(a, r->line, nf);
		else {
			a->rows++;
			r->lines[r->n_rows] = r->line;
			if (++r->n_rows == AGG_BATCH)
				csv_flush(r);
		}
		r->line += nl;
		a->lines += nl;
		s = p;
	}
	return s;
}

int owlet_agg_csv(struct owlet_agg *a, struct owlet_agg_input *in)
{
	struct csv r = { .a = a, .line = 1 };
	in->first_offset = in->end_offset = 0;
	if (!in->header && !a->has_map)
		return owlet_error_set("no csv header for '%s'", in->name ? in->name : "");
	r.cells = malloc((a->ncols ? a->ncols : 1) * AGG_BATCH * sizeof *r.cells);
	r.idx = malloc((FAST_WINDOW + 64) * sizeof *r.idx);
	if (!r.cells || !r.idx) {
		free(r.cells);
		free(r.idx);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	int rc = agg_buf_init(&r.b, in);
	if (rc < 0) {
		free(r.cells);
		free(r.idx);
		return rc;
	}
	a->source = in->name;
	r.index = csv_index_for(agg_csv_path);
	bool want_header = in->header;
	r.direct = !want_header; /* a chunk: the agg has its header mapping already */
	size_t s;
	long n = agg_buf_fill(&r.b);
	if (n < 0 || (n = csv_start(&r, in, &s)) < 0) {
		rc = (int)n;
		goto out;
	}
	in->first_offset = r.b.base + s;
	bool scan_ok = false;
	for (;;) {
		if (s >= r.b.len && r.b.eof)
			break;
		if (r.b.base + s >= in->stop && !want_header)
			break;
		if (r.direct && r.index) {
			size_t t = csv_fast(&r, s, in->stop);
			if (t != s) {
				s = t;
				scan_ok = false;
				continue;
			}
		}
		if (!scan_ok) {
			scan_reset(&r.sc, r.b.data + s, r.b.data + r.b.len);
			scan_ok = true;
		}
		size_t next;
		uint64_t nl;
		int k = csv_record(&r, s, &next, &nl);
		if (k < 0) {
			rc = k;
			goto out;
		}
		if (k == REC_MORE) {
			r.b.start = s;
			csv_flush(&r); /* before the buffer moves */
			if (agg_buf_full(&r.b)) {
				if (want_header) {
					rc = owlet_error_setc(OWLET_EINVALID,
							      "'%s': the header is longer than %u bytes: are the line "
							      "ends CR alone? (CSV lines end in LF or CRLF)",
							      input_name(&r), OWLET_AGG_MAX_RECORD);
					goto out;
				}
				agg_bad_row(a, r.line, 0);
				long end = csv_skip_record(&r, &nl);
				if (end < 0) {
					rc = (int)end;
					goto out;
				}
				s = (size_t)end;
				r.line += nl;
				a->lines += nl;
				scan_ok = false;
				continue;
			}
			n = agg_buf_fill(&r.b);
			if (n < 0) {
				rc = (int)n;
				goto out;
			}
			s = 0;
			scan_ok = false;
			continue;
		}
		if (k == REC_UNTERMINATED)
			agg_bad_row(a, r.line, r.nf);
		else if (want_header) {
			if ((rc = csv_header(&r)) < 0)
				goto out;
			want_header = false;
			r.direct = true;
		} else
			csv_row(&r);
		s = next;
		r.line += nl;
		a->lines += nl;
	}
	in->end_offset = r.b.base + s;
	rc = 0;
out:
	csv_flush(&r);
	agg_buf_free(&r.b);
	free(r.cells);
	free(r.idx);
	free(r.f);
	a->source = NULL;
	return rc;
}
