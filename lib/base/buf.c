/* buf.c: a growable byte buffer (see buf.h). */
#include "base/buf.h"
#include "base/error.h"

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
