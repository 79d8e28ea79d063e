/* buf.c: a growable byte buffer (see buf.h). */
#include "base/buf.h"
#include "base/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int owlet_buf_append(struct owlet_buf *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->data, cap);
		if (!p)
			return owlet_error_setc(OWLET_ENOMEM, "out of memory");
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

size_t owlet_buf_curl_write(char *data, size_t size, size_t n, void *userp)
{
	/* returning less than given makes curl fail with CURLE_WRITE_ERROR */
	return owlet_buf_append(userp, data, size * n) == 0 ? size * n : 0;
}

void owlet_buf_reset(struct owlet_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void owlet_buf_free(struct owlet_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

int owlet_grow(void **items, size_t *cap, size_t count, size_t elem_size, size_t first)
{
	if (count < *cap)
		return 0;
	size_t n = *cap ? *cap * 2 : first;
	if (n <= count || elem_size == 0 || n > SIZE_MAX / elem_size)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	void *p = realloc(*items, n * elem_size);
	if (!p)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	*items = p;
	*cap = n;
	return 0;
}
