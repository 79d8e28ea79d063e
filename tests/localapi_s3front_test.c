/*
 * localapi_s3front_test.c: owlet's local front for S3 presigned POSTs
 * (lib/local/s3front.h) with a real moto_server behind it, posted to with
 * libcurl's multipart forms as a browser posts: what S3 refuses, the front
 * refuses with S3's status and code (an expired policy, a file over the
 * content-length-range, a key other than the policy's, a changed
 * signature, another secret, a field the policy does not name, no file),
 * and what S3 takes lands in the emulator's bucket.  A POST presigned by
 * botocore (AWS's own SDK, generate_presigned_post) is taken too, so the
 * front follows AWS's rules and not only owlet's own signer.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "aws/s3.h"
#include "aws/s3_post.h"
#include "base/error.h"
#include "base/buf.h"
#include "local/s3front.h"
#include "moto_fixture.h"
#include "tap.h"

static char front_url[64];

/* POSTs fields (then extra NAME, VALUE pairs, then the file) to the front:
 * the status, and S3's <Code> into code. */
static long post(const json_t *fields, const char *const *extra, const char *file, size_t len, char *code,
		 size_t code_size)
{
	CURL *h = curl_easy_init();
	curl_mime *m = curl_mime_init(h);
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)fields, k, v) {
		curl_mimepart *p = curl_mime_addpart(m);
		curl_mime_name(p, k);
		curl_mime_data(p, json_string_value(v), CURL_ZERO_TERMINATED);
	}
	for (size_t i = 0; extra && extra[i]; i += 2) {
		curl_mimepart *p = curl_mime_addpart(m);
		curl_mime_name(p, extra[i]);
		curl_mime_data(p, extra[i + 1], CURL_ZERO_TERMINATED);
	}
	if (file) {
		curl_mimepart *p = curl_mime_addpart(m);
		curl_mime_name(p, "file");
		curl_mime_filename(p, "data.csv");
		curl_mime_data(p, file, len);
	}
	char url[128];
	snprintf(url, sizeof url, "%s/owlet-data", front_url);
	struct owlet_buf body = { 0 };
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_MIMEPOST, m);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, owlet_buf_curl_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	long status = 0;
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	code[0] = '\0';
	const char *b = body.data ? strstr(body.data, "<Code>") : NULL, *e = b ? strstr(b, "</Code>") : NULL;
	if (b && e)
		snprintf(code, code_size, "%.*s", (int)(e - b - 6), b + 6);
	owlet_buf_free(&body);
	curl_mime_free(m);
	curl_easy_cleanup(h);
	return status;
}

static json_t *sign(const char *key, long long max, int64_t now, int expires_s, const char *secret)
{
	struct owlet_s3_post_request r = { .access_key = "test", .secret_key = secret, .region = "us-east-1",
					   .bucket = "owlet-data", .key = key, .min_size = 1, .max_size = max,
					   .now = now, .expires_s = expires_s };
	json_t *f = NULL;
	owlet_s3_post_sign(&f, &r);
	return f;
}

int main(void)
{
	char endpoint[64];
	pid_t moto = moto_start(endpoint, sizeof endpoint);
	if (!moto) {
		printf("1..0 # SKIP moto_server is not available\n");
		return 0;
	}
	ok(moto_make_bucket(endpoint, "owlet-data", "test:test") == 0, "moto runs with bucket owlet-data");
	struct owlet_s3front *f = NULL;
	struct owlet_s3front_config cfg = { .bucket = "owlet-data", .s3 = { "test", "test", NULL, "us-east-1", endpoint },
					    .access_key = "test", .secret_key = "test" };
	is_int(owlet_s3front_start(&f, &cfg), 0, "the front starts");
	snprintf(front_url, sizeof front_url, "http://127.0.0.1:%u", owlet_s3front_port(f));
	struct owlet_s3 *s3 = NULL;
	owlet_s3_open(&s3, &cfg.s3);
	char code[64];
	const char data[] = "a,b\n1,2\n";
	time_t now = time(NULL);

	json_t *good = sign("incoming/trips/x.csv", 100, now, 300, "test");
	is_int(post(good, NULL, data, 8, code, sizeof code), 204, "a POST within its policy: 204");
	char *got = NULL;
	size_t len = 0;
	is_int(owlet_s3_get(s3, &got, &len, "owlet-data", "incoming/trips/x.csv"), 0, "the file is in the emulator's bucket");
	ok(got && len == 8 && memcmp(got, data, 8) == 0, "byte for byte");
	free(got);

	json_t *expired = sign("incoming/trips/old.csv", 100, now - 400, 300, "test");
	is_int(post(expired, NULL, data, 8, code, sizeof code), 403, "a policy that expired: 403");
	is_str(code, "AccessDenied", "AccessDenied, as S3 ('Invalid according to Policy: Policy expired.')");
	is_int(owlet_s3_head(s3, &(long long){ 0 }, "owlet-data", "incoming/trips/old.csv"), OWLET_ENOTFOUND,
	       "and nothing is stored");

	json_t *small = sign("incoming/trips/big.csv", 7, now, 300, "test");
	is_int(post(small, NULL, data, 8, code, sizeof code), 400, "a file over the content-length-range: 400");
	is_str(code, "EntityTooLarge", "EntityTooLarge");

	json_t *other = json_deep_copy(good);
	json_object_set_new(other, "key", json_string("raw/trips/x.jsonl"));
	is_int(post(other, NULL, data, 8, code, sizeof code), 403, "a key other than the policy's: 403");
	is_str(code, "AccessDenied", "AccessDenied (Policy Condition failed)");
	is_int(owlet_s3_head(s3, &(long long){ 0 }, "owlet-data", "raw/trips/x.jsonl"), OWLET_ENOTFOUND, "nothing stored");

	json_t *tampered = json_deep_copy(good);
	char sig[65];
	snprintf(sig, sizeof sig, "%s", json_string_value(json_object_get(good, "x-amz-signature")));
	sig[0] = sig[0] == '0' ? '1' : '0';
	json_object_set_new(tampered, "x-amz-signature", json_string(sig));
	is_int(post(tampered, NULL, data, 8, code, sizeof code), 403, "a changed signature: 403");
	is_str(code, "SignatureDoesNotMatch", "SignatureDoesNotMatch");

	json_t *wrong = sign("incoming/trips/w.csv", 100, now, 300, "not-the-secret");
	is_int(post(wrong, NULL, data, 8, code, sizeof code), 403, "signed with another secret: 403");
	is_str(code, "SignatureDoesNotMatch", "SignatureDoesNotMatch");

	const char *const extra[] = { "x-amz-meta-colour", "red", NULL };
	is_int(post(good, extra, data, 8, code, sizeof code), 403, "a field the policy does not name: 403");
	is_str(code, "AccessDenied", "AccessDenied (Extra input fields)");

	is_int(post(good, NULL, NULL, 0, code, sizeof code), 400, "no file: 400");
	is_str(code, "InvalidArgument", "InvalidArgument");

	json_t *nokey = json_deep_copy(good);
	json_object_del(nokey, "key");
	is_int(post(nokey, NULL, data, 8, code, sizeof code), 400, "no key field: 400 InvalidArgument");

	/* botocore's own presigned POST, same credentials */
	FILE *py = popen("python3 -c 'import boto3, json, sys\n"
			 "from botocore.config import Config\n"
			 "c = boto3.client(\"s3\", region_name=\"us-east-1\", aws_access_key_id=\"test\", "
			 "aws_secret_access_key=\"test\", endpoint_url=\"http://127.0.0.1:1\", "
			 "config=Config(signature_version=\"s3v4\"))\n"
			 "p = c.generate_presigned_post(\"owlet-data\", \"incoming/trips/boto.csv\", "
			 "Conditions=[[\"content-length-range\", 1, 100]], ExpiresIn=60)\n"
			 "print(json.dumps(p[\"fields\"]))' 2>/dev/null",
			 "r");
	char line[4096] = "";
	json_t *boto = NULL;
	if (py && fgets(line, sizeof line, py))
		boto = json_loads(line, 0, NULL);
	if (py)
		pclose(py);
	if (!boto) {
		ok(1, "# SKIP boto3 is not installed");
		ok(1, "# SKIP boto3 is not installed");
	} else {
		is_int(post(boto, NULL, data, 8, code, sizeof code), 204, "a POST presigned by botocore (SigV4): 204 %s", code);
		is_int(owlet_s3_head(s3, &(long long){ 0 }, "owlet-data", "incoming/trips/boto.csv"), 0, "it is stored");
	}

	CURL *h = curl_easy_init();
	char url[128];
	snprintf(url, sizeof url, "%s/owlet-data/incoming/trips/x.csv", front_url);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, moto_discard);
	long status = 0;
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	is_int(status, 404, "anything but a POST to the bucket is not served");

	json_decref(good);
	json_decref(expired);
	json_decref(small);
	json_decref(other);
	json_decref(tampered);
	json_decref(wrong);
	json_decref(nokey);
	json_decref(boto);
	owlet_s3_free(s3);
	owlet_s3front_stop(f);
	moto_stop(moto);
	return done_testing();
}
