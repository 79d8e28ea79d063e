/*
 * lambda_s3_key_test.c: the object-key guards of lib/aws/s3.c (issue 21, item
 * 1) on hostile keys: owlet_s3_key_check refuses '..', '.' and empty
 * segments, control characters, bytes that are not UTF-8, keys over 1024
 * bytes and keys outside their prefix (a look-alike prefix included);
 * owlet_s3_event_key_decode decodes S3 event keys strictly ('+' is a
 * space, %2E%2E is "..", a bad or NUL escape is refused); owlet_s3_key_encode
 * leaves no dot segment for a URL library to collapse; and the lib's own
 * requests refuse such keys before anything is sent.
 */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "aws/s3.h"
#include "tap.h"

static const char P[] = "raw/readings/";

static void refused(const char *key, const char *prefix, const char *why, const char *name)
{
	int rc = owlet_s3_key_check(key, prefix);
	is_int(rc, OWLET_EINVALID, "refused: %s", name);
	if (rc == OWLET_EINVALID)
		like(owlet_error_last(), why, "  because %s", why);
}

/* decodes an event key, then checks it */
static int event_key(const char *raw, const char *prefix)
{
	char *key = NULL;
	int rc = owlet_s3_event_key_decode(&key, raw);
	if (rc == 0)
		rc = owlet_s3_key_check(key, prefix);
	free(key);
	return rc;
}

int main(void)
{
	is_int(owlet_s3_key_check("raw/readings/dt=2026-11-01/a.jsonl", P), 0, "a plain key under its prefix");
	is_int(owlet_s3_key_check("raw/readings/a b+c%2E%2E&é~(1)..x.csv", P), 0,
	       "spaces, '+', a literal %%2E%%2E, non-ASCII and dots inside a name are fine");
	is_int(owlet_s3_key_check("raw/readings/...", P), 0, "'...' is a name, not a dot segment");
	is_int(owlet_s3_key_check("raw/readings/x", ""), 0, "any key under the empty prefix");

	refused("raw/readings/../stations/s.jsonl", P, "a '..' segment at byte 13", "a '..' segment");
	refused("raw/readings/../../../proj-tfstate/terraform.tfstate", P, "'..' segment", "'..' out of the bucket");
	refused("raw/readings/x/..", P, "'..' segment", "a trailing '..'");
	refused("raw/readings/./x", P, "a '.' segment", "a '.' segment");
	refused("raw/readings/x/.", P, "a '.' segment", "a trailing '.'");
	refused("raw/readings//x", P, "an empty segment at byte 13", "an empty segment (//)");
	refused("raw/readings/x/", P, "an empty segment", "a trailing '/' (an empty last segment)");
	refused("/raw/readings/x", "", "an empty segment at byte 0", "a leading '/'");
	refused("raw/readings/a\001b", P, "control character (0x01) at byte 14", "a control character");
	refused("raw/readings/a\nb", P, "control character (0x0a)", "a newline");
	refused("raw/readings/a\x7f", P, "control character (0x7f)", "DEL (0x7f)");
	refused("raw/readings/\xff\xfe", P, "not UTF-8 at byte 13", "bytes that are not UTF-8");
	refused("raw/readings/\xc0\xae\xc0\xae/x", P, "not UTF-8", "an overlong '.' (C0 AE)");
	refused("raw/readings/\xed\xa0\x80", P, "not UTF-8", "a UTF-16 surrogate");
	refused("raw/readings2/x", P, "not an object under 'raw/readings/'", "a look-alike prefix (raw/readings2/)");
	refused("raw/readings", P, "not an object under", "the prefix less its '/'");
	refused("raw/readings/", P, "not an object under", "the prefix itself");
	refused("raw/stations/x", P, "not an object under", "another dataset");
	refused("", "", "not an object under", "the empty key");
	refused("raw/x", "raw", "does not end in '/'", "a prefix without its '/'");

	char *long_key = malloc(OWLET_S3_KEY_MAX + 2);
	memset(long_key, 'a', OWLET_S3_KEY_MAX + 1);
	memcpy(long_key, P, strlen(P));
	long_key[OWLET_S3_KEY_MAX] = '\0';
	is_int(owlet_s3_key_check(long_key, P), 0, "a key of exactly %d bytes", OWLET_S3_KEY_MAX);
	long_key[OWLET_S3_KEY_MAX] = 'a';
	long_key[OWLET_S3_KEY_MAX + 1] = '\0';
	refused(long_key, P, "more than 1024 bytes", "a key of 1025 bytes");
	free(long_key);

	/* event keys: URL-encoded, '+' for a space */
	char *key = NULL;
	is_int(owlet_s3_event_key_decode(&key, "raw/readings/dt%3D2026+11/a%2Bb+%C3%A9%25.jsonl"), 0, "an event key decodes");
	is_str(key, "raw/readings/dt=2026 11/a+b é%.jsonl", "'+' is a space, %%2B a '+', %%25 a '%%'");
	free(key);
	is_int(event_key("raw/readings/%2E%2E/stations/s.jsonl", P), OWLET_EINVALID, "event: %%2E%%2E decodes to '..': refused");
	is_int(event_key("raw/readings/%2e%2e%2fstations%2fs.jsonl", P), OWLET_EINVALID,
	       "event: %%2e%%2e%%2f (lower case, slash encoded too): refused");
	is_int(event_key("raw/readings/%252E%252E/x", P), 0,
	       "event: %%252E%%252E is the literal name '%%2E%%2E', which is safe (it is sent as %%252E)");
	is_int(event_key("raw/readings/a%01b", P), OWLET_EINVALID, "event: an encoded control character: refused");
	is_int(event_key("raw/readings/%ff", P), OWLET_EINVALID, "event: an encoded byte that is not UTF-8: refused");
	is_int(event_key("raw/readings%2F..%2Fstations/x", P), OWLET_EINVALID, "event: an encoded '/' that makes a '..': refused");
	is_int(owlet_s3_event_key_decode(&key, "raw/readings/a%00b"), OWLET_EINVALID, "event: %%00 is refused, not cut");
	is_int(owlet_s3_event_key_decode(&key, "raw/readings/a%2"), OWLET_EINVALID, "event: a cut escape is refused");
	is_int(owlet_s3_event_key_decode(&key, "raw/readings/a%+1b"), OWLET_EINVALID, "event: '%%+1' is no escape");
	is_int(owlet_s3_event_key_decode(&key, "raw/readings/a% 1b"), OWLET_EINVALID, "event: '%% 1' is no escape");
	ok(key == NULL, "nothing is returned for a refused key");

	/* the path sent */
	char *enc = owlet_s3_key_encode("raw/readings/a b+c%2E%2E&é~(1).csv");
	is_str(enc, "raw/readings/a%20b%2Bc%252E%252E%26%C3%A9~%281%29.csv", "encoded per segment: unreserved kept, '/' kept, the rest %%XX");
	free(enc);

	/* the client refuses such a key before it sends anything (no server:
	 * the endpoint is a closed port, and the answer is not a transport error) */
	struct owlet_s3 *s3 = NULL;
	struct owlet_s3_config cfg = { "k", "s", NULL, "us-east-1", "http://127.0.0.1:9" };
	is_int(owlet_s3_open(&s3, &cfg), 0, "a client");
	char *body = NULL;
	size_t len = 0;
	is_int(owlet_s3_get(s3, &body, &len, "b", "raw/readings/../stations/s.jsonl"), OWLET_EINVALID, "get of a '..' key: refused");
	like(owlet_error_last(), "s3 GET 's3://b/raw/readings/../stations/s.jsonl': refused: it has a '..' segment",
	     "the message names the key and why");
	is_int(owlet_s3_put(s3, "b", "stats/x//y.json", "{}", 2, NULL), OWLET_EINVALID, "put of a '//' key: refused");
	is_int(owlet_s3_put(s3, "b", "raw/a\033[2Jb", "{}", 2, NULL), OWLET_EINVALID, "put of a key with ESC: refused");
	like(owlet_error_last(), "raw/a\\x1B[2Jb", "the message shows the control character escaped");
	long long size;
	is_int(owlet_s3_head(s3, &size, "b", "raw/./x"), OWLET_EINVALID, "head of a '.' key: refused");
	owlet_s3_free(s3);

	char shown[16];
	is_str(owlet_s3_key_printable(shown, sizeof shown, "raw/\001\xff/abcdefgh"), "raw/\\x01\\xFF...",
	       "printable: escapes and cuts to fit");
	return done_testing();
}
