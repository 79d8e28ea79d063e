/* base_hex_test.c: lib/base/hex.c, the one copy of hex digits and
 * percent-decoding (S3 event keys, query strings, recorded request paths):
 * each flag, the edges of a truncated escape, and the strict refusals. */
#include "base/error.h"
#include "base/hex.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static char *dec(const char *s, unsigned flags, int *rc)
{
	char *out = NULL;
	*rc = owlet_percent_decode(&out, NULL, s, strlen(s), flags);
	if (*rc < 0)
		owlet_error_clear();
	return out;
}

static void dec_is(const char *in, unsigned flags, const char *want, const char *what)
{
	int rc;
	char *got = dec(in, flags, &rc);
	is_str(got ? got : "(error)", want, "%s", what);
	free(got);
}

int main(void)
{
	is_int(owlet_hex_digit('0'), 0, "digit 0");
	is_int(owlet_hex_digit('9'), 9, "digit 9");
	is_int(owlet_hex_digit('a'), 10, "digit a");
	is_int(owlet_hex_digit('F'), 15, "digit F");
	is_int(owlet_hex_digit('g'), -1, "g is no digit");
	is_int(owlet_hex_digit('/'), -1, "/ is no digit");
	is_int(owlet_hex_digit(0x80 + '1'), -1, "a high byte is no digit");

	char hex[9];
	owlet_hex_encode(hex, "\x00\x7f\xab\xff", 4);
	is_str(hex, "007fabff", "hex_encode, lowercase, NUL-terminated");

	dec_is("in%2Fa.txt", 0, "in/a.txt", "an escape");
	dec_is("a+b%2bc", 0, "a+b+c", "'+' kept without PLUS_SPACE");
	dec_is("a+b%2bc", OWLET_PCT_PLUS_SPACE, "a b+c", "'+' is a space with PLUS_SPACE; %2b is '+'");
	dec_is("100%", 0, "100%", "a trailing '%' is kept (lenient)");
	dec_is("x%4", 0, "x%4", "a truncated escape is kept (lenient)");
	dec_is("x%zz", 0, "x%zz", "a bad escape is kept (lenient)");
	dec_is("%e2%80%9C", 0, "\xe2\x80\x9c", "UTF-8 bytes");

	int rc;
	char *out = dec("x%4", OWLET_PCT_STRICT, &rc);
	ok(!out && rc == OWLET_EINVALID, "strict: a truncated escape is refused");
	out = dec("a%zzb", OWLET_PCT_STRICT, &rc);
	ok(!out && rc == OWLET_EINVALID, "strict: a bad escape is refused");
	out = dec("a%00b", OWLET_PCT_STRICT, &rc);
	ok(!out && rc == OWLET_EINVALID, "strict: an escaped NUL is refused");
	out = NULL;
	rc = owlet_percent_decode(&out, NULL, "a%00b", 5, OWLET_PCT_STRICT);
	like(owlet_error_last(), "escaped NUL (%00) at byte 1", "the error names the byte");
	owlet_error_clear();

	size_t n = 0;
	rc = owlet_percent_decode(&out, &n, "a%00b", 5, 0);
	ok(rc == 0 && n == 3 && out && memcmp(out, "a\0b", 3) == 0, "lenient: %%00 decodes, and the length says so");
	free(out);
	rc = owlet_percent_decode(&out, &n, "%41%4", 4, 0);
	ok(rc == 0 && strcmp(out, "A%") == 0, "only the n bytes given are read (%%4 cut to %%)");
	free(out);
	return done_testing();
}
