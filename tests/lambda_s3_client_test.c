/*
 * lambda_s3_client_test.c: lib/aws/s3.c against a real moto_server on
 * 127.0.0.1: put, get, head and list, keys that need encoding, binary
 * bodies, ETags (the MD5 of a single-part object, the same from PUT, GET,
 * HEAD and the listing, without quotes), and the errors for missing keys
 * and buckets.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/clock.h"
#include "base/error.h"
#include "moto_fixture.h"
#include "lambda/runtime_client.h"
#include "aws/s3.h"
#include "tap.h"

/* A single-part object's ETag: the hex MD5 of its bytes. */
static void md5_hex(char out[33], const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	EVP_Digest(data, len, md, &n, EVP_md5(), NULL);
	for (unsigned i = 0; i < n && i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int main(void)
{
	struct owlet_s3 *s3 = NULL;
	struct owlet_s3_config none = { .access_key = "", .secret_key = "x" };
	is_int(owlet_s3_open(&s3, &none), OWLET_EUSAGE, "no credentials: refused");
	like(owlet_error_last(), "no AWS credentials", "and the message says so");

	char endpoint[64];
	pid_t moto = moto_start(endpoint, sizeof endpoint);
	if (!moto) {
		printf("1..0 # SKIP moto_server is not available\n");
		return 0;
	}
	struct owlet_s3_config cfg = { "testing", "testing", "tok", "us-east-1", endpoint };
	is_int(owlet_s3_open(&s3, &cfg), 0, "a client for %s", endpoint);
	ok(moto_make_bucket(endpoint, "owlet-s3-test", "testing:testing") == 0, "bucket made");
	owlet_s3_set_deadline(s3, owlet_clock_wall_ms() + 30000);

	const char *key = "raw/odd keys/dt=2026-11-23/a+b c&d=é~(1).bin";
	const char body[] = "line one\n\0binary\xff\nend";
	size_t len = sizeof body - 1;
	char md5[33] = "";
	md5_hex(md5, body, len);
	is_int(owlet_s3_put(s3, "owlet-s3-test", key, body, len, "application/octet-stream"), 0,
	       "put a binary body under a key that needs encoding");
	is_str(owlet_s3_last_etag(s3), md5, "the PUT's answer has the new object's ETag (its MD5), unquoted");
	char *got = NULL;
	size_t got_len = 0;
	is_int(owlet_s3_get(s3, &got, &got_len, "owlet-s3-test", key), 0, "get it back");
	ok(got_len == len && got && memcmp(got, body, len) == 0, "the same %zu bytes, NUL included", len);
	is_str(owlet_s3_last_etag(s3), md5, "the GET gives the ETag of the version it read");
	free(got);
	long long size = -1;
	is_int(owlet_s3_head(s3, &size, "owlet-s3-test", key), 0, "head");
	is_int(size, (long long)len, "head gives the size");
	is_str(owlet_s3_last_etag(s3), md5, "and the ETag");
	is_int(owlet_s3_put(s3, "owlet-s3-test", "raw/other/x.jsonl", "{}\n", 3, NULL), 0, "put another object");

	struct owlet_s3_list l = { 0 };
	is_int(owlet_s3_list(s3, &l, "owlet-s3-test", "raw/odd keys/", 0), 0, "list a prefix with a space");
	is_int((long long)l.count, 1, "one object under it");
	is_str(l.count ? l.items[0].key : NULL, key, "the key comes back decoded");
	is_int(l.count ? l.items[0].size : -1, (long long)len, "with its size");
	is_str(l.count ? l.items[0].etag : NULL, md5, "and its ETag, as HEAD gives it");
	owlet_s3_list_clear(&l);
	is_int(owlet_s3_list(s3, &l, "owlet-s3-test", "raw/", 0), 0, "list raw/");
	is_int((long long)l.count, 2, "both objects");
	owlet_s3_list_clear(&l);

	/* the answer is bounded: a larger object is an error, a range keeps its bytes */
	owlet_s3_set_body_max(s3, len - 1);
	got = NULL;
	is_int(owlet_s3_get(s3, &got, &got_len, "owlet-s3-test", key), OWLET_EIO, "an object above the bound is not read");
	ok(!got, "and nothing is returned");
	like(owlet_error_last(), "the answer is larger than", "the error names the bound");
	owlet_error_clear();
	is_int(owlet_s3_get_range(s3, &got, &got_len, "owlet-s3-test", key, 0, len), 0,
	       "a range read is bounded by its own size, not the client's");
	ok(got && got_len == len && memcmp(got, body, len) == 0, "all %zu bytes", len);
	free(got);
	owlet_s3_set_body_max(s3, 0);
	is_int(owlet_s3_get(s3, &got, &got_len, "owlet-s3-test", key), 0, "back to the default bound, it reads");
	free(got);

	got = NULL;
	is_int(owlet_s3_get(s3, &got, &got_len, "owlet-s3-test", "raw/missing"), OWLET_ENOTFOUND, "a missing key: ENOTFOUND");
	is_str(owlet_s3_last_code(s3), "NoSuchKey", "S3's error code is kept");
	like(owlet_error_last(), "s3 get 's3://owlet-s3-test/raw/missing': HTTP 404 NoSuchKey", "the message names the object");
	is_int(owlet_s3_head(s3, &size, "owlet-s3-test", "raw/missing"), OWLET_ENOTFOUND, "head of a missing key: ENOTFOUND");
	is_str(owlet_s3_last_etag(s3), "", "no ETag from an answer without one");
	is_int(owlet_s3_list(s3, &l, "no-such-bucket", "raw/", 0), OWLET_ENOTFOUND, "list of a missing bucket: ENOTFOUND");
	is_str(owlet_s3_last_code(s3), "NoSuchBucket", "NoSuchBucket");
	owlet_s3_list_clear(&l);

	owlet_s3_set_deadline(s3, owlet_clock_wall_ms() - 1);
	is_int(owlet_s3_put(s3, "owlet-s3-test", "raw/late", "x", 1, NULL), OWLET_EINTR, "past the deadline: no request");
	like(owlet_error_last(), "the deadline has passed", "and says why");

	owlet_s3_free(s3);
	moto_stop(moto);
	return done_testing();
}
