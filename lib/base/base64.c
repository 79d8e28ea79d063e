/* base64.c: base64 and base64url (see base64.h). */
#include "base/base64.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/error.h"

static int b64_value(unsigned char c, bool url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

/* url: base64url as JWS writes it (RFC 7515 §2): no '=' padding, and the
 * unused low bits of the last character zero (RFC 4648 §3.5), so each byte
 * string has exactly one encoding and a signature cannot be re-spelled.
 * Standard base64 (a Lambda's isBase64Encoded body) keeps its lenient
 * reading: trailing '=' are dropped and unused bits ignored. */
static int base64_decode(unsigned char **out, size_t *out_len, const char *in, size_t in_len, bool url)
{
	while (!url && in_len > 0 && in[in_len - 1] == '=')
		in_len--;
	if (in_len % 4 == 1)
		return owlet_error_setc(OWLET_EINVALID, "invalid base64 length");
	unsigned char *buf = malloc(in_len * 3 / 4 + 3);
	if (!buf)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	size_t n = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < in_len; i++) {
		int v = b64_value((unsigned char)in[i], url);
		if (v < 0) {
			free(buf);
			return owlet_error_setc(OWLET_EINVALID, "invalid base64 character");
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (unsigned char)(acc >> bits);
		}
	}
	if (url && bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
		free(buf);
		return owlet_error_setc(OWLET_EINVALID, "non-zero unused bits in the last base64url character");
	}
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	return 0;
}

int owlet_base64url_decode(unsigned char **out, size_t *out_len, const char *in, size_t in_len)
{
	return base64_decode(out, out_len, in, in_len, true);
}

int owlet_base64_decode(unsigned char **out, size_t *out_len, const char *in, size_t in_len)
{
	return base64_decode(out, out_len, in, in_len, false);
}

char *owlet_base64_encode(const unsigned char *in, size_t len)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((len + 2) / 3 * 4 + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = alphabet[(v >> 18) & 63];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}
