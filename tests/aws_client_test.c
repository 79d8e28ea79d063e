/*
 * aws_client_test.c: lib/aws/client.c, the layer the AWS clients share,
 * against a real HTTP server on 127.0.0.1 (python3's http.server, which
 * echoes the request's headers, or sends N bytes for /bytes/N): the SigV4
 * Authorization header names the key, region and service and signs the
 * session token; the body bound truncates or fails; credentials that are
 * missing or too long are refused; the CA bundle follows $SSL_CERT_FILE.
 */
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "base/clock.h"
#include "base/error.h"
#include "moto_fixture.h"
#include "tap.h"

static const char *SERVER =
	"import http.server, sys\n"
	"class H(http.server.BaseHTTPRequestHandler):\n"
	"    def answer(self):\n"
	"        n = self.headers.get('Content-Length')\n"
	"        if n: self.rfile.read(int(n))\n"
	"        if self.path.startswith('/bytes/'):\n"
	"            body = b'x' * int(self.path[7:])\n"
	"        else:\n"
	"            body = ''.join('%s: %s\\n' % (k.lower(), v) for k, v in self.headers.items()).encode()\n"
	"        self.send_response(200)\n"
	"        self.send_header('Content-Length', str(len(body)))\n"
	"        self.end_headers()\n"
	"        self.wfile.write(body)\n"
	"    do_GET = do_POST = answer\n"
	"    def log_message(self, *a): pass\n"
	"http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()\n";

static pid_t server_start(char *base, size_t size)
{
	int port = moto_free_port();
	if (port < 0)
		return 0;
	char ports[16];
	snprintf(ports, sizeof ports, "%d", port);
	snprintf(base, size, "http://127.0.0.1:%d", port);
	pid_t pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		execlp("python3", "python3", "-c", SERVER, ports, (char *)NULL);
		_exit(127);
	}
	char url[128];
	snprintf(url, sizeof url, "%s/bytes/0", base);
	CURL *h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, moto_discard);
	int up = 0;
	for (int i = 0; i < 600 && !up; i++) { /* up to 30 s: python3 starts slowly on a loaded machine */
		up = curl_easy_perform(h) == CURLE_OK;
		if (!up)
			usleep(50000);
	}
	curl_easy_cleanup(h);
	if (!up) {
		moto_stop(pid);
		return 0;
	}
	return pid;
}

/* GET or POST url with a handle prepared by the layer; the body into b. */
static CURLcode fetch(const char *url, const struct owlet_aws_auth *a, struct owlet_aws_body *b, long *status)
{
	CURL *h = curl_easy_init();
	struct curl_slist *headers = NULL;
	if (a) {
		headers = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
		if (owlet_aws_auth_apply(h, &headers, a) < 0)
			return CURLE_OUT_OF_MEMORY;
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "Action=GetCallerIdentity");
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	owlet_aws_body_attach(h, b);
	CURLcode rc = curl_easy_perform(h);
	*status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(h);
	return rc;
}

int main(void)
{
	struct owlet_aws_auth a;
	is_int(owlet_aws_auth_init(&a, "", "secret", NULL, "eu-west-1", "sts"), OWLET_EINVALID, "an empty access key is refused");
	is_int(owlet_aws_auth_init(&a, "AKID", NULL, NULL, "eu-west-1", "sts"), OWLET_EINVALID, "a missing secret is refused");
	char *huge = malloc(OWLET_AWS_CRED_MAX + 2);
	memset(huge, 'T', OWLET_AWS_CRED_MAX + 1);
	huge[OWLET_AWS_CRED_MAX + 1] = '\0';
	is_int(owlet_aws_auth_init(&a, "AKID", "secret", huge, "eu-west-1", "sts"), OWLET_EINVALID,
	       "a session token longer than the bound is refused");
	free(huge);

	setenv("SSL_CERT_FILE", "/nonexistent/owlet-test-ca.pem", 1);
	is_str(owlet_aws_ca_bundle(), "/nonexistent/owlet-test-ca.pem", "the CA bundle is $SSL_CERT_FILE when set");
	is_int(owlet_aws_auth_init(&a, "AKIDOWLETTEST", "secret", "tok-123", "eu-west-1", "sts"), 0, "credentials taken");
	is_str(a.ca_file, "/nonexistent/owlet-test-ca.pem", "and the signer keeps that bundle");
	unsetenv("SSL_CERT_FILE");
	setenv("AWS_REGION", "", 1);
	setenv("AWS_DEFAULT_REGION", "ap-south-2", 1);
	is_str(owlet_aws_env_region(), "ap-south-2", "an empty AWS_REGION falls back to AWS_DEFAULT_REGION");

	/* retries inside a deadline, shared by S3 and Athena */
	struct owlet_aws_retry r;
	owlet_aws_retry_init(&r, &r);
	is_int(owlet_aws_attempt_timeout(&r, 30000, "x"), 30000, "no deadline: the default timeout");
	r.deadline_ms = owlet_clock_wall_ms() + 1000;
	long t = owlet_aws_attempt_timeout(&r, 30000, "x");
	ok(t > 0 && t <= 1000 - OWLET_AWS_MARGIN_MS, "a near deadline shortens the timeout (%ld ms)", t);
	int64_t t0 = owlet_clock_wall_ms();
	ok(owlet_aws_retry_pause(&r, 1, "x"), "a first retry pauses when there is time");
	int64_t slept = owlet_clock_wall_ms() - t0;
	ok(slept >= 50 && slept < 500, "50 to 100 ms, jittered (%lld ms)", (long long)slept);
	r.deadline_ms = owlet_clock_wall_ms() + 100;
	ok(!owlet_aws_retry_pause(&r, 3, "athena GetQueryResults"), "no pause that would pass the deadline");
	like(owlet_error_last(), "athena GetQueryResults: no time left before the deadline to retry", "and says so");
	owlet_error_clear();
	r.deadline_ms = owlet_clock_wall_ms() - 1;
	is_int(owlet_aws_attempt_timeout(&r, 30000, "s3 GET 'u'"), 0, "a passed deadline: no attempt");
	like(owlet_error_last(), "s3 GET 'u': the deadline has passed", "and says so");
	owlet_error_clear();

	char base[64];
	pid_t srv = server_start(base, sizeof base);
	if (!srv) {
		owlet_aws_auth_free(&a);
		printf("# SKIP python3 http.server did not start\n");
		return done_testing();
	}
	char url[160];
	struct owlet_aws_body b = { 0 };
	long status = 0;
	snprintf(url, sizeof url, "%s/", base);
	is_int(fetch(url, &a, &b, &status), CURLE_OK, "a signed POST goes through");
	const char *got = b.buf.data ? b.buf.data : "";
	like(got, "authorization: AWS4-HMAC-SHA256 Credential=AKIDOWLETTEST/", "SigV4 with the access key");
	like(got, "/eu-west-1/sts/aws4_request", "scoped to the region and service");
	like(got, "x-amz-security-token: tok-123", "the session token is sent");
	ok(strstr(got, "SignedHeaders=") && strstr(strstr(got, "SignedHeaders="), "x-amz-security-token"),
	   "and signed");
	ok(strstr(got, "tok-123") && !strstr(got, "secret"), "the secret key is never sent");
	owlet_aws_auth_free(&a);
	ok(a.userpwd == NULL && a.token_hdr == NULL, "free clears the signer");

	snprintf(url, sizeof url, "%s/bytes/100000", base);
	b.max = 1000;
	b.truncate = true;
	is_int(fetch(url, NULL, &b, &status), CURLE_OK, "a truncating bound: the transfer succeeds");
	is_int((long)b.buf.len, 1000, "with the first 1000 bytes");
	b.truncate = false;
	is_int(fetch(url, NULL, &b, &status), CURLE_WRITE_ERROR, "a failing bound: the transfer fails");
	ok(b.over, "and says the body was over the bound");
	b.max = 0;
	is_int(fetch(url, NULL, &b, &status), CURLE_OK, "no bound: the transfer succeeds");
	is_int((long)b.buf.len, 100000, "with all 100000 bytes");
	ok(!b.over, "attach cleared the earlier overflow");
	b.max = 100000;
	is_int(fetch(url, NULL, &b, &status), CURLE_OK, "a body exactly at the bound is taken whole");
	owlet_buf_free(&b.buf);
	moto_stop(srv);
	return done_testing();
}
