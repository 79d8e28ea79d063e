/* hex.c: see hex.h. */
#include "hex.h"

#include <stdlib.h>

#include "error.h"

int owlet_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void owlet_hex_encode(char *out, const void *data, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *d = data;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

int owlet_percent_decode(char **out, size_t *out_len, const char *s, size_t n, unsigned flags)
{
	*out = NULL;
	char *d = malloc(n + 1);
	if (!d)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int hi = s[i] == '%' && i + 1 < n ? owlet_hex_digit((unsigned char)s[i + 1]) : -1;
		int lo = hi >= 0 && i + 2 < n ? owlet_hex_digit((unsigned char)s[i + 2]) : -1;
		if (s[i] == '%' && (flags & OWLET_PCT_STRICT) && (lo < 0 || (hi | lo) == 0)) {
			free(d);
			return owlet_error_setc(OWLET_EINVALID,
						lo < 0 ? "a bad %%-escape at byte %zu" : "an escaped NUL (%%00) at byte %zu", i);
		}
		if (s[i] == '%' && lo >= 0) {
			d[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			d[o++] = s[i] == '+' && (flags & OWLET_PCT_PLUS_SPACE) ? ' ' : s[i];
		}
	}
	d[o] = '\0';
	*out = d;
	if (out_len)
		*out_len = o;
	return 0;
}
