/*
 * fuzz_s3_key.c: libFuzzer target for the object-key guards of lib/aws/s3.c:
 * owlet_s3_key_check, owlet_s3_key_encode, owlet_s3_event_key_decode and
 * owlet_s3_key_printable.  The input is a key as a listing gives it and,
 * decoded, as an S3 event gives it.
 *
 * Properties beyond "no crash, no leak, no UB" (ASan + UBSan):
 *   - a key the checker accepts under a prefix starts with that prefix, has
 *     more after it, and holds no control byte;
 *   - its encoded path has only unreserved bytes, '/' and %XX escapes, its
 *     segments are neither empty nor "." nor "..", so no URL normalisation
 *     can move it, and decoding it gives the key back;
 *   - the checker accepts a key under a prefix only if it accepts it under
 *     "" too (the client's own check never refuses what a caller accepted);
 *   - the printable form is NUL-terminated within its buffer and has no
 *     control byte.
 * Build and run: make fuzz FUZZ_SECONDS=600 (seeds in
 * tests/fuzz/seeds/fuzz_s3_key/).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "aws/s3.h"

static const char *const prefixes[] = { "", "raw/", "raw/trips/", "stats/trips/" };

static void check_encoded(const char *key)
{
	char *enc = owlet_s3_key_encode(key);
	if (!enc)
		return;
	/* only unreserved bytes, '/' and %XX; segments never empty, . or .. */
	size_t seg = 0;
	for (const char *p = enc;; p++) {
		if (*p == '/' || *p == '\0') {
			size_t len = (size_t)(p - enc) - seg;
			if (len == 0 || (len <= 2 && memcmp(enc + seg, "..", len) == 0))
				abort();
			if (*p == '\0')
				break;
			seg = (size_t)(p - enc) + 1;
			continue;
		}
		if (*p == '%') {
			if (!strchr("0123456789ABCDEF", p[1]) || !p[1] || !strchr("0123456789ABCDEF", p[2]) || !p[2])
				abort();
			continue;
		}
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.' || *p == '~'))
			abort();
	}
	/* decoding (as an event key: no '+' is left unescaped) gives the key */
	char *back = NULL;
	if (owlet_s3_event_key_decode(&back, enc) != 0 || strcmp(back, key) != 0)
		abort();
	free(back);
	free(enc);
}

static void check_key(const char *key)
{
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		const char *prefix = prefixes[i];
		if (owlet_s3_key_check(key, prefix) != 0)
			continue;
		size_t np = strlen(prefix), n = strlen(key);
		if (n <= np || n > OWLET_S3_KEY_MAX || strncmp(key, prefix, np) != 0)
			abort();
		for (const unsigned char *p = (const unsigned char *)key; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				abort();
		if (owlet_s3_key_check(key, "") != 0)
			abort();
		check_encoded(key);
	}
	char shown[64];
	owlet_s3_key_printable(shown, sizeof shown, key);
	if (!memchr(shown, '\0', sizeof shown))
		abort();
	for (const unsigned char *p = (const unsigned char *)shown; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *key = malloc(size + 1);
	if (!key)
		return 0;
	memcpy(key, data, size);
	key[size] = '\0'; /* a NUL inside ends the key, as in a C string */
	check_key(key);
	char *decoded = NULL;
	if (owlet_s3_event_key_decode(&decoded, key) == 0) {
		if (strlen(decoded) > strlen(key))
			abort();
		check_key(decoded);
		free(decoded);
	}
	free(key);
	return 0;
}
