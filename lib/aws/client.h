/*
 * client.h: what every AWS client of lib/aws (S3, Athena, Cognito, STS)
 * shares: credentials, the CA bundle, SigV4 signing of a libcurl handle, a
 * bounded response body, and retries with backoff inside a deadline.  The
 * clients keep their own endpoints, what they retry, and error messages.
 *
 * Signing is libcurl's CURLOPT_AWS_SIGV4 with "aws:amz:REGION:SERVICE" and
 * the key pair as CURLOPT_USERPWD; a session token travels as the
 * x-amz-security-token header, which libcurl signs with the others.
 */
#ifndef OWLET_AWS_CLIENT_H
#define OWLET_AWS_CLIENT_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Longest access key, secret key, session token or region taken (AWS's
 * session tokens run to about 2 KB). */
#define OWLET_AWS_CRED_MAX 8192

/* getenv(name), or NULL when it is unset or empty. */
const char *owlet_aws_env(const char *name);

/* AWS_REGION, else AWS_DEFAULT_REGION, else NULL. */
const char *owlet_aws_env_region(void);

/* The CA bundle for https: $SSL_CERT_FILE, else $CURL_CA_BUNDLE, else the
 * first system bundle found (AL2023's /etc/pki/tls/certs/ca-bundle.crt,
 * Debian's /etc/ssl/certs/ca-certificates.crt, /etc/ssl/cert.pem), else
 * NULL for libcurl's own default. */
const char *owlet_aws_ca_bundle(void);

/* Signing material for one service in one region. */
struct owlet_aws_auth {
	char *userpwd;   /* "KEY:SECRET" */
	char *sigv4;     /* "aws:amz:REGION:SERVICE" */
	char *token_hdr; /* "x-amz-security-token: TOKEN", or NULL */
	char *ca_file;   /* owlet_aws_ca_bundle() when found, or NULL */
};

/* Fills *a (cleared first; owlet_aws_auth_free releases it).  access_key,
 * secret_key, region and service must be non-empty; session_token may be
 * NULL or empty.  Returns 0, OWLET_EINVALID for a missing or too long
 * value (the caller says which credentials it wanted), or OWLET_ENOMEM. */
int owlet_aws_auth_init(struct owlet_aws_auth *a, const char *access_key, const char *secret_key,
			const char *session_token, const char *region, const char *service);
void owlet_aws_auth_free(struct owlet_aws_auth *a);

/* Prepares h for a signed request: no signals, the CA bundle, SigV4 and
 * the key pair; appends the session token header to *headers (which the
 * caller sets as CURLOPT_HTTPHEADER and frees).  headers NULL: the options
 * only (a handle reused after curl_easy_reset, with its list already made).
 * Returns 0 or OWLET_ENOMEM. */
int owlet_aws_auth_apply(CURL *h, struct curl_slist **headers, const struct owlet_aws_auth *a);

/* A response body of at most `max` bytes (0: no bound), always
 * NUL-terminated.  Beyond max: with `truncate`, the rest is dropped and the
 * transfer goes on; without, the transfer fails (CURLE_WRITE_ERROR) and
 * `over` is set. */
struct owlet_aws_body {
	struct owlet_buf buf;
	size_t max;
	bool truncate;
	bool over;
};
/* curl's CURLOPT_WRITEFUNCTION; userp is a struct owlet_aws_body *. */
size_t owlet_aws_body_write(char *data, size_t size, size_t n, void *userp);
/* Sets the write callback and data of h to b, after emptying b. */
void owlet_aws_body_attach(CURL *h, struct owlet_aws_body *b);

/* Retries inside a deadline (the Lambda's, handed over by the service):
 * at most OWLET_AWS_ATTEMPTS attempts, a jittered pause doubling from
 * 100 ms, and nothing started within OWLET_AWS_MARGIN_MS of the deadline. */
#define OWLET_AWS_ATTEMPTS 4
#define OWLET_AWS_MARGIN_MS 50
struct owlet_aws_retry {
	int64_t deadline_ms; /* epoch ms; 0: none */
	unsigned rand_state;
};
/* Seeds the jitter; no deadline. */
void owlet_aws_retry_init(struct owlet_aws_retry *r, const void *seed);
/* The timeout of the next attempt: default_ms, or less as the deadline
 * nears; 0 once it has passed (OWLET_EINTR set: "<what>: the deadline has
 * passed"). */
long owlet_aws_attempt_timeout(const struct owlet_aws_retry *r, long default_ms, const char *what);
/* Sleeps before retry `attempt` (1 for the first retry); false, with
 * OWLET_EINTR set ("<what>: no time left before the deadline to retry"),
 * when the deadline leaves no room for the pause. */
bool owlet_aws_retry_pause(struct owlet_aws_retry *r, int attempt, const char *what);

#endif
