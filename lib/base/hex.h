/*
 * hex.h: hexadecimal digits and percent-encoding, the one copy owlet has:
 * digests and random ids as hex, JSON's \uXXXX, S3 event keys, query
 * strings and the emulator's recorded request paths.
 */
#ifndef OWLET_HEX_H
#define OWLET_HEX_H

#include <stddef.h>

/* The value of one hex digit (either case), or -1. */
int owlet_hex_digit(int c);

/* 2*n lowercase hex digits of data and a NUL into out (2*n+1 bytes). */
void owlet_hex_encode(char *out, const void *data, size_t n);

enum {
	OWLET_PCT_PLUS_SPACE = 1, /* '+' means ' ' (form and query encoding, S3 event keys) */
	OWLET_PCT_STRICT = 2,     /* a bad escape or an escaped NUL is an error, not kept as it stands */
};

/* Percent-decodes the n bytes at s into a new NUL-terminated string *out
 * (caller frees; *out_len, when not NULL, is its length).  Without
 * OWLET_PCT_STRICT a '%' not followed by two hex digits stays as it is.
 * Returns 0, OWLET_ENOMEM, or with OWLET_PCT_STRICT OWLET_EINVALID naming
 * the byte. */
int owlet_percent_decode(char **out, size_t *out_len, const char *s, size_t n, unsigned flags);

#endif
