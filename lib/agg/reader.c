/*
 * reader.c: the input buffer that the CSV and JSON Lines readers share, and
 * the in-memory inputs.
 *
 * The buffer starts at 256 KiB (it stays in L2) and holds the unconsumed
 * tail of the last fill plus new bytes; it doubles only while a single
 * record does not fit, up to OWLET_AGG_MAX_RECORD.  AGG_PAD readable (zero)
 * bytes follow the data, so that the scanners may load 64 bytes at a time
 * past the end and mask what lies beyond.  The scratch buffer (same size)
 * holds the unescaped values of the current record.
 */
#include "agg_internal.h"

#include <stdlib.h>

int agg_buf_init(struct agg_buf *b, struct owlet_agg_input *in)
{
	memset(b, 0, sizeof *b);
	b->in = in;
	b->cap = AGG_BUF_INITIAL;
	b->data = malloc(b->cap + AGG_PAD);
	b->scratch = malloc(b->cap + AGG_PAD);
	if (!b->data || !b->scratch) {
		agg_buf_free(b);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	memset(b->data, 0, AGG_PAD);
	return 0;
}

void agg_buf_free(struct agg_buf *b)
{
	free(b->data);
	free(b->scratch);
	b->data = b->scratch = NULL;
}

long agg_buf_fill(struct agg_buf *b)
{
	if (b->start > 0) {
		memmove(b->data, b->data + b->start, b->len - b->start);
		b->base += b->start;
		b->len -= b->start;
		b->start = 0;
	}
	if (b->len == b->cap) {
		size_t cap = b->cap * 2 > OWLET_AGG_MAX_RECORD ? OWLET_AGG_MAX_RECORD : b->cap * 2;
		if (cap <= b->cap)
			return owlet_error_set("record longer than %u bytes", OWLET_AGG_MAX_RECORD);
		char *d = realloc(b->data, cap + AGG_PAD);
		if (!d)
			return owlet_error_setc(OWLET_ENOMEM, "out of memory");
		b->data = d;
		char *s = realloc(b->scratch, cap + AGG_PAD);
		if (!s)
			return owlet_error_setc(OWLET_ENOMEM, "out of memory");
		b->scratch = s;
		b->cap = cap;
	}
	long n = 0;
	if (!b->eof) {
		n = b->in->read(b->in->ctx, b->data + b->len, b->cap - b->len);
		if (n < 0)
			return n;
		if (n == 0)
			b->eof = true;
		b->len += (size_t)n;
	}
	memset(b->data + b->len, 0, AGG_PAD);
	return n;
}

bool agg_buf_full(const struct agg_buf *b)
{
	return b->start == 0 && b->len >= OWLET_AGG_MAX_RECORD;
}

struct mem_input {
	const char *p;
	size_t left;
};

static long mem_read(void *ctx, char *buf, size_t cap)
{
	struct mem_input *m = ctx;
	size_t n = m->left < cap ? m->left : cap;
	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (long)n;
}

int owlet_agg_csv_buffer(struct owlet_agg *agg, const char *name, const char *buf, size_t len)
{
	struct mem_input m = { buf, len };
	struct owlet_agg_input in = { .name = name, .read = mem_read, .ctx = &m, .header = true, .stop = UINT64_MAX };
	return owlet_agg_csv(agg, &in);
}

int owlet_agg_jsonl_buffer(struct owlet_agg *agg, const char *name, const char *buf, size_t len)
{
	struct mem_input m = { buf, len };
	struct owlet_agg_input in = { .name = name, .read = mem_read, .ctx = &m, .stop = UINT64_MAX };
	return owlet_agg_jsonl(agg, &in);
}
