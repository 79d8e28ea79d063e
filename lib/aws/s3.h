/*
 * s3.h: a small S3 client over libcurl, signed with CURLOPT_AWS_SIGV4.
 *
 * Configuration comes from the standard environment of the AWS SDKs:
 *   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (sent as
 *   x-amz-security-token), AWS_REGION / AWS_DEFAULT_REGION (us-east-1),
 *   AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL: with an endpoint, requests
 *   are path-style (ENDPOINT/BUCKET/KEY), as emulators need; without one,
 *   virtual-hosted style on https://BUCKET.s3.REGION.amazonaws.com.
 * Every request carries x-amz-content-sha256 (the payload's SHA-256).
 * TLS trusts $SSL_CERT_FILE, else $CURL_CA_BUNDLE, else the first system
 * bundle found (AL2023's /etc/pki/tls/certs/ca-bundle.crt, Debian's
 * /etc/ssl/certs/ca-certificates.crt, /etc/ssl/cert.pem): the libcurl in the
 * artifact was built for Debian's path, which AL2023 lacks.
 * 5xx answers, 429, throttling (503 SlowDown), S3's 400 RequestTimeout and
 * transport failures are
 * retried with exponential backoff and jitter (4 attempts), but never past
 * the deadline set with owlet_s3_set_deadline: a request that cannot finish
 * in time fails with OWLET_EINTR instead.
 * One CURL handle per client, reused (keep-alive); not thread-safe.
 *
 * ETags are kept as S3 gives them less the double quotes around them: S3
 * quotes them in listings (<ETag>&quot;9b2c...&quot;</ETag>) and in the
 * ETag header, but not in event notifications (s3.object.eTag), so the bare
 * value ("9b2c...", or "9b2c...-3" for a multipart upload) is the one form
 * all three compare equal in.  Nothing else is changed (no case folding):
 * an ETag is an opaque version tag, compared whole.
 */
#ifndef OWLET_S3_H
#define OWLET_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct owlet_s3;

struct owlet_s3_config {
	const char *access_key;
	const char *secret_key;
	const char *session_token; /* NULL or "" when none */
	const char *region;        /* NULL: us-east-1 */
	const char *endpoint;      /* NULL or "": AWS itself */
};

struct owlet_s3_object {
	char *key;
	long long size;
	char *etag; /* without the quotes (see above); NULL when not listed */
};

struct owlet_s3_list {
	struct owlet_s3_object *items;
	size_t count, cap;
};

/* A client from the process environment (see above); fails when there are
 * no credentials. */
int owlet_s3_open_env(struct owlet_s3 **out);
int owlet_s3_open(struct owlet_s3 **out, const struct owlet_s3_config *cfg);
void owlet_s3_free(struct owlet_s3 *s3);

/* Unix epoch milliseconds after which no request is started or retried; 0
 * for none.  Requests also time out at it. */
void owlet_s3_set_deadline(struct owlet_s3 *s3, int64_t deadline_ms);

int owlet_s3_put(struct owlet_s3 *s3, const char *bucket, const char *key, const void *body,
		 size_t len, const char *content_type);
/* A conditional PUT: with if_match NULL, only when the key does not exist
 * (If-None-Match: *); else only when its current ETag is if_match (bare, as
 * owlet_s3_last_etag gives it).  Returns 0 when written, 1 when the
 * condition did not hold (412, or 409 for a concurrent conditional write of
 * the same key: nothing written), or a negative code. */
int owlet_s3_put_if(struct owlet_s3 *s3, const char *bucket, const char *key, const void *body,
		    size_t len, const char *content_type, const char *if_match);
/* n conditional PUTs (If-None-Match: *) of small JSON objects, up to 16 at
 * once over their own connections: results[i] is 0 when key i was written,
 * 1 when it exists (412/409), negative when it failed.  An answer that
 * owlet_s3_put_if would retry is retried that way, one by one.  Returns 0,
 * or the code of the first failure (results say which). */
int owlet_s3_put_new_many(struct owlet_s3 *s3, const char *bucket, size_t n, const char *const *keys,
			  const char *const *bodies, const size_t *lens, int *results);
/* The largest answer a request reads into memory: 256 MiB unless set (0:
 * back to that).  A larger object is an error naming the bound; read it in
 * ranges (owlet_s3_get_range). */
void owlet_s3_set_body_max(struct owlet_s3 *s3, size_t max);
/* *body is NUL-terminated and the caller's (free()); OWLET_ENOTFOUND for
 * a missing key or bucket. */
int owlet_s3_get(struct owlet_s3 *s3, char **body, size_t *len, const char *bucket, const char *key);
/* Bytes [offset, offset + max) of key (fewer at its end, none past it),
 * with a Range request: *body NUL-terminated, the caller's; the ETag of the
 * version read is owlet_s3_last_etag.  For reading large objects in bounded
 * memory. */
int owlet_s3_get_range(struct owlet_s3 *s3, char **body, size_t *len, const char *bucket, const char *key,
		       long long offset, size_t max);
/* Deletes key; 0 also when it did not exist. */
int owlet_s3_delete(struct owlet_s3 *s3, const char *bucket, const char *key);
/* *size is the object's length (its ETag: owlet_s3_last_etag); OWLET_ENOTFOUND
 * when absent. */
int owlet_s3_head(struct owlet_s3 *s3, long long *size, const char *bucket, const char *key);
/* Every object under prefix (ListObjectsV2, all pages), appended to *out;
 * at most max_keys of them (0: no limit). */
int owlet_s3_list(struct owlet_s3 *s3, struct owlet_s3_list *out, const char *bucket,
		  const char *prefix, size_t max_keys);
void owlet_s3_list_clear(struct owlet_s3_list *list);

/* The S3 error code of the last failed request ("NoSuchKey", "SlowDown"),
 * "" when none; borrowed. */
const char *owlet_s3_last_code(const struct owlet_s3 *s3);
/* The ETag header of the last answer (a GET or HEAD: the version whose
 * bytes or size it gave; a PUT: the version written), without the quotes;
 * "" when it had none.  Borrowed: the next request changes it. */
const char *owlet_s3_last_etag(const struct owlet_s3 *s3);

/* Object keys.  S3 names an object by any UTF-8 string of 1 to 1024
 * bytes, "../" included, and never normalises one; HTTP clients and some
 * emulators collapse dot segments, so raw/a/../b/k would be read as
 * raw/b/k.  owlet therefore acts only on keys that pass
 * owlet_s3_key_check, sends them with every byte but RFC 3986's unreserved
 * ones and '/' percent-encoded (owlet_s3_key_encode, CURLOPT_PATH_AS_IS: the
 * path goes out, and is signed, exactly as encoded), and every request of
 * this client refuses a key that does not pass (prefix ""). */
#define OWLET_S3_KEY_MAX 1024

/* 0 when key lies under prefix ("" or ending in '/'): it starts with prefix
 * and has more after it, is valid UTF-8 of at most OWLET_S3_KEY_MAX bytes,
 * has no control character (bytes below 0x20, and 0x7f) and no empty, "."
 * or ".." segment.  Else OWLET_EINVALID, with a message saying why ("it has a
 * '..' segment at byte 10"; it does not quote the key: see owlet_s3_key_printable). */
int owlet_s3_key_check(const char *key, const char *prefix);
/* The URL path of a key: '/' kept, unreserved characters (A-Z a-z 0-9 - _
 * . ~) kept, every other byte %XX (upper-case hex); NULL when out of
 * memory.  The caller frees. */
char *owlet_s3_key_encode(const char *key);
/* S3's URI encoding of any text (a key, a prefix or a token of a listing's
 * query): every byte but RFC 3986's unreserved ones percent-encoded, and
 * '/' kept when keep_slash.  NULL when out of memory. */
char *owlet_s3_uri_encode(const char *s, bool keep_slash);
/* Decodes the key of an S3 event notification (URL-encoded, '+' for a
 * space) into *out (the caller frees): OWLET_EINVALID for a '%' not
 * followed by two hex digits, or one that gives a NUL byte. */
int owlet_s3_event_key_decode(char **out, const char *in);
/* key for a log line, in buf: control characters, 0x7f and bytes that are
 * not UTF-8 as \xNN, cut with "..." to fit; returns buf. */
const char *owlet_s3_key_printable(char *buf, size_t size, const char *key);

/* Parses a ListObjectsV2 answer: appends the objects to *out, sets
 * *truncated and *next_token (caller frees; NULL when absent).  Exposed for
 * tests. */
int owlet_s3_parse_list(struct owlet_s3_list *out, int *truncated, char **next_token,
			const char *xml, size_t len);

#endif
