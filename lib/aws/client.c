/* client.c: credentials, CA bundle, signing and bounded bodies shared by
 * the AWS clients (see client.h). */
#include "aws/client.h"
#include "base/clock.h"
#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *owlet_aws_env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

const char *owlet_aws_env_region(void)
{
	const char *r = owlet_aws_env("AWS_REGION");
	return r ? r : owlet_aws_env("AWS_DEFAULT_REGION");
}

const char *owlet_aws_ca_bundle(void)
{
	static const char *const files[] = {
		"/etc/pki/tls/certs/ca-bundle.crt",   /* Amazon Linux, RHEL */
		"/etc/ssl/certs/ca-certificates.crt", /* Debian, Ubuntu */
		"/etc/ssl/cert.pem",                  /* Alpine, macOS */
	};
	const char *env = owlet_aws_env("SSL_CERT_FILE");
	if (env)
		return env;
	env = owlet_aws_env("CURL_CA_BUNDLE");
	if (env)
		return env;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		if (access(files[i], R_OK) == 0)
			return files[i];
	return NULL;
}

static bool given(const char *v)
{
	return v && *v && strlen(v) <= OWLET_AWS_CRED_MAX;
}

int owlet_aws_auth_init(struct owlet_aws_auth *a, const char *access_key, const char *secret_key,
			const char *session_token, const char *region, const char *service)
{
	memset(a, 0, sizeof *a);
	if (!given(access_key) || !given(secret_key) || !given(region) || !given(service) ||
	    (session_token && strlen(session_token) > OWLET_AWS_CRED_MAX))
		return OWLET_EINVALID;
	if (asprintf(&a->userpwd, "%s:%s", access_key, secret_key) < 0)
		a->userpwd = NULL;
	if (asprintf(&a->sigv4, "aws:amz:%s:%s", region, service) < 0)
		a->sigv4 = NULL;
	if (session_token && *session_token &&
	    asprintf(&a->token_hdr, "x-amz-security-token: %s", session_token) < 0)
		a->token_hdr = NULL;
	const char *ca = owlet_aws_ca_bundle();
	if (ca)
		a->ca_file = strdup(ca);
	if (!a->userpwd || !a->sigv4 || (session_token && *session_token && !a->token_hdr) || (ca && !a->ca_file)) {
		owlet_aws_auth_free(a);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	return 0;
}

void owlet_aws_auth_free(struct owlet_aws_auth *a)
{
	free(a->userpwd);
	free(a->sigv4);
	free(a->token_hdr);
	free(a->ca_file);
	memset(a, 0, sizeof *a);
}

int owlet_aws_auth_apply(CURL *h, struct curl_slist **headers, const struct owlet_aws_auth *a)
{
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (a->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, a->ca_file);
	curl_easy_setopt(h, CURLOPT_USERPWD, a->userpwd);
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, a->sigv4);
	if (headers && a->token_hdr) {
		struct curl_slist *l = curl_slist_append(*headers, a->token_hdr);
		if (!l)
			return owlet_error_setc(OWLET_ENOMEM, "out of memory");
		*headers = l;
	}
	return 0;
}

size_t owlet_aws_body_write(char *data, size_t size, size_t n, void *userp)
{
	struct owlet_aws_body *b = userp;
	size_t got = size * n, take = got;
	if (b->max && take > b->max - b->buf.len) {
		take = b->max - b->buf.len;
		if (!b->truncate) {
			b->over = true;
			return 0; /* less than given: curl fails with CURLE_WRITE_ERROR */
		}
	}
	if (take && owlet_buf_append(&b->buf, data, take) < 0)
		return 0;
	return got;
}

void owlet_aws_body_attach(CURL *h, struct owlet_aws_body *b)
{
	owlet_buf_reset(&b->buf);
	b->over = false;
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, owlet_aws_body_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
}

void owlet_aws_retry_init(struct owlet_aws_retry *r, const void *seed)
{
	r->deadline_ms = 0;
	r->rand_state = (unsigned)owlet_clock_wall_ms() ^ (unsigned)(uintptr_t)seed;
}

long owlet_aws_attempt_timeout(const struct owlet_aws_retry *r, long default_ms, const char *what)
{
	if (!r->deadline_ms)
		return default_ms;
	int64_t left = r->deadline_ms - owlet_clock_wall_ms() - OWLET_AWS_MARGIN_MS;
	if (left <= 0) {
		owlet_error_setc(OWLET_EINTR, "%s: the deadline has passed", what);
		return 0;
	}
	return left < default_ms ? (long)left : default_ms;
}

bool owlet_aws_retry_pause(struct owlet_aws_retry *r, int attempt, const char *what)
{
	int64_t pause = (int64_t)100 << (attempt - 1);
	pause = pause / 2 + rand_r(&r->rand_state) % (pause / 2 + 1);
	if (r->deadline_ms && owlet_clock_wall_ms() + pause + OWLET_AWS_MARGIN_MS >= r->deadline_ms) {
		owlet_error_setc(OWLET_EINTR, "%s: no time left before the deadline to retry", what);
		return false;
	}
	struct timespec ts = { (time_t)(pause / 1000), (long)(pause % 1000) * 1000000L };
	nanosleep(&ts, NULL);
	return true;
}
