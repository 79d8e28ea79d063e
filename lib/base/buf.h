/*
 * buf.h: a growable byte buffer, always NUL-terminated, and the libcurl
 * write callback that fills one (CURLOPT_WRITEDATA = the buffer).
 */
#ifndef OWLET_BUF_H
#define OWLET_BUF_H

#include <stddef.h>

struct owlet_buf {
	char *data; /* NULL until the first append */
	size_t len, cap;
};

/* Appends n bytes; returns 0, or OWLET_ENOMEM. */
int owlet_buf_append(struct owlet_buf *b, const void *data, size_t n);
/* curl's CURLOPT_WRITEFUNCTION signature; userp is a struct owlet_buf *. */
size_t owlet_buf_curl_write(char *data, size_t size, size_t n, void *userp);
/* Room for one more item in a growable array: when count == *cap, doubles
 * *items (first: the first capacity) for items of elem_size bytes.
 * Returns 0, or OWLET_ENOMEM (also on overflow) leaving *items as it was.
 * Use: if (owlet_grow((void **)&a.items, &a.cap, a.n, sizeof *a.items, 16) < 0) ... */
int owlet_grow(void **items, size_t *cap, size_t count, size_t elem_size, size_t first);
/* Empties it (keeps the memory). */
void owlet_buf_reset(struct owlet_buf *b);
void owlet_buf_free(struct owlet_buf *b);

#endif
