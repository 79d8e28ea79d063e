/*
 * s3_key.c: S3 keys apart from the client (see s3.h): the check every key
 * the function touches goes through, S3's URI encoding, the decoding of
 * event keys, and a printable form for messages.
 */
#include "aws/s3.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/hex.h"
#include "model/yaml_tree.h"

static const char hex_digits[] = "0123456789ABCDEF";

/* S3's URI encoding: everything but unreserved characters, and '/' kept
 * when keep_slash. */
char *owlet_s3_uri_encode(const char *s, bool keep_slash)
{
	size_t n = strlen(s);
	char *out = malloc(n * 3 + 1);
	if (!out)
		return NULL;
	char *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.' || *p == '~' || (keep_slash && *p == '/')) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex_digits[*p >> 4];
			*o++ = hex_digits[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

char *owlet_s3_key_encode(const char *key)
{
	return owlet_s3_uri_encode(key, true);
}

int owlet_s3_key_check(const char *key, const char *prefix)
{
	size_t n = strnlen(key, OWLET_S3_KEY_MAX + 1), np = strlen(prefix);
	if (n > OWLET_S3_KEY_MAX)
		return owlet_error_setc(OWLET_EINVALID, "it has more than %d bytes", OWLET_S3_KEY_MAX);
	if (np && prefix[np - 1] != '/')
		return owlet_error_setc(OWLET_EINVALID, "the prefix '%s' does not end in '/'", prefix);
	if (n <= np || memcmp(key, prefix, np) != 0)
		return owlet_error_setc(OWLET_EINVALID, "it is not an object under '%s'", prefix);
	const unsigned char *s = (const unsigned char *)key;
	for (size_t i = 0; i < n;) {
		unsigned cp;
		if (s[i] < 0x20 || s[i] == 0x7f)
			return owlet_error_setc(OWLET_EINVALID, "it has a control character (0x%02x) at byte %zu", s[i], i);
		size_t m = yutf8_seq(s + i, n - i, &cp);
		if (m == 0)
			return owlet_error_setc(OWLET_EINVALID, "it is not UTF-8 at byte %zu", i);
		i += m;
	}
	/* segments: [b, e) between slashes, from the start of the key */
	for (size_t b = 0; b <= n;) {
		const char *slash = memchr(key + b, '/', n - b);
		size_t e = slash ? (size_t)(slash - key) : n;
		size_t len = e - b;
		if (len == 0)
			return owlet_error_setc(OWLET_EINVALID, "it has an empty segment at byte %zu", b);
		if ((len == 1 || len == 2) && memcmp(key + b, "..", len) == 0)
			return owlet_error_setc(OWLET_EINVALID, "it has a '%.*s' segment at byte %zu", (int)len, key + b, b);
		b = e + 1;
	}
	return 0;
}

int owlet_s3_event_key_decode(char **out, const char *in)
{
	return owlet_percent_decode(out, NULL, in, strlen(in), OWLET_PCT_PLUS_SPACE | OWLET_PCT_STRICT);
}

const char *owlet_s3_key_printable(char *buf, size_t size, const char *key)
{
	const unsigned char *s = (const unsigned char *)key;
	size_t n = strlen(key), o = 0;
	if (size < 8) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t m = s[i] < 0x20 || s[i] == 0x7f ? 0 : yutf8_seq(s + i, n - i, &cp);
		size_t need = m ? m : 4;
		if (o + need + 4 > size) { /* room for "..." and the NUL */
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (m) {
			memcpy(buf + o, s + i, m);
			o += m;
			i += m;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex_digits[s[i] >> 4];
			buf[o++] = hex_digits[s[i] & 15];
			i++;
		}
	}
	buf[o] = '\0';
	return buf;
}
