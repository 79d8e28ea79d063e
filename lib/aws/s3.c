/* s3.c: S3 over libcurl + CURLOPT_AWS_SIGV4 (see s3.h). */
#include "aws/s3.h"
#include "aws/client.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/clock.h"
#include "base/hash.h"
#include "model/yaml_tree.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define S3_ATTEMPTS 4
#define S3_BACKOFF_MS 100   /* first pause; doubled each time, with jitter */
#define S3_MARGIN_MS 50     /* stop this long before the deadline */
#define S3_BODY_MAX (256u << 20) /* the largest answer read into memory (owlet_s3_set_body_max) */
#define S3_PARALLEL 16      /* requests in flight at once (owlet_s3_put_new_many) */

struct owlet_s3 {
	CURL *curl;
	char *endpoint;   /* "http://127.0.0.1:5000" or NULL */
	char *region;
	struct owlet_aws_auth auth;
	int64_t deadline_ms;
	char code[64];    /* last S3 error code */
	char etag[128];   /* last answer's ETag header, unquoted; "" when none */
	char errbuf[CURL_ERROR_SIZE];
	struct owlet_aws_body body; /* the answer, at most body.max bytes */
	unsigned rand_state;
	const char *extra_header; /* one more header line of the next request ("If-None-Match: *"), or NULL */
};

struct s3_request {
	const char *method;
	const char *bucket;
	const char *key;    /* NULL for bucket-level requests */
	const char *query;  /* canonical (sorted, encoded) query string or NULL */
	const void *body;
	size_t body_len;
	const char *content_type;
};

static int nomem(void)
{
	return owlet_error_setc(OWLET_ENOMEM, "out of memory");
}

int owlet_s3_open(struct owlet_s3 **out, const struct owlet_s3_config *cfg)
{
	*out = NULL;
	if (!cfg->access_key || !*cfg->access_key || !cfg->secret_key || !*cfg->secret_key)
		return owlet_error_setc(OWLET_EUSAGE, "no AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return owlet_error_set("cannot initialise libcurl");
	struct owlet_s3 *s3 = calloc(1, sizeof *s3);
	if (!s3)
		return nomem();
	s3->body.max = S3_BODY_MAX;
	const char *region = cfg->region && *cfg->region ? cfg->region : "us-east-1";
	s3->curl = curl_easy_init();
	s3->region = strdup(region);
	if (cfg->endpoint && *cfg->endpoint) {
		s3->endpoint = strdup(cfg->endpoint);
		if (s3->endpoint) {
			size_t n = strlen(s3->endpoint);
			while (n > 0 && s3->endpoint[n - 1] == '/')
				s3->endpoint[--n] = '\0';
		}
	}
	int rc = owlet_aws_auth_init(&s3->auth, cfg->access_key, cfg->secret_key, cfg->session_token, region, "s3");
	if (rc == OWLET_EINVALID) {
		owlet_s3_free(s3);
		return owlet_error_setc(OWLET_EUSAGE, "the AWS credentials or the region are too long");
	}
	if (rc < 0 || !s3->curl || !s3->region || (cfg->endpoint && *cfg->endpoint && !s3->endpoint)) {
		owlet_s3_free(s3);
		return nomem();
	}
	s3->rand_state = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)s3;
	*out = s3;
	return 0;
}

int owlet_s3_open_env(struct owlet_s3 **out)
{
	const char *endpoint = owlet_aws_env("AWS_ENDPOINT_URL_S3");
	struct owlet_s3_config cfg = {
		.access_key = getenv("AWS_ACCESS_KEY_ID"),
		.secret_key = getenv("AWS_SECRET_ACCESS_KEY"),
		.session_token = getenv("AWS_SESSION_TOKEN"),
		.region = owlet_aws_env_region(),
		.endpoint = endpoint ? endpoint : getenv("AWS_ENDPOINT_URL"),
	};
	return owlet_s3_open(out, &cfg);
}

void owlet_s3_free(struct owlet_s3 *s3)
{
	if (!s3)
		return;
	if (s3->curl)
		curl_easy_cleanup(s3->curl);
	free(s3->endpoint);
	free(s3->region);
	owlet_aws_auth_free(&s3->auth);
	owlet_buf_free(&s3->body.buf);
	free(s3);
}

void owlet_s3_set_deadline(struct owlet_s3 *s3, int64_t deadline_ms)
{
	s3->deadline_ms = deadline_ms;
}

const char *owlet_s3_last_code(const struct owlet_s3 *s3)
{
	return s3->code;
}

const char *owlet_s3_last_etag(const struct owlet_s3 *s3)
{
	return s3->etag;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Narrows [*b, *e) to the ETag in it: white space around it and one pair
 * of double quotes around that taken off (see s3.h). */
static void etag_span(const char **b, const char **e)
{
	while (*b < *e && is_space(**b))
		(*b)++;
	while (*e > *b && is_space((*e)[-1]))
		(*e)--;
	if (*e - *b >= 2 && **b == '"' && (*e)[-1] == '"') {
		(*b)++;
		(*e)--;
	}
}

/* CURLOPT_HEADERFUNCTION: keeps the ETag of the answer; a status line
 * starts a new answer (after a 100 Continue, say). */
static size_t header_line(char *data, size_t size, size_t n, void *userdata)
{
	struct owlet_s3 *s3 = userdata;
	size_t len = size * n;
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		s3->etag[0] = '\0';
	} else if (len > 5 && strncasecmp(data, "ETag:", 5) == 0) {
		const char *b = data + 5, *e = data + len;
		etag_span(&b, &e);
		size_t m = (size_t)(e - b);
		/* one too long for the buffer is no ETag, never a cut one */
		if (m >= sizeof s3->etag)
			m = 0;
		memcpy(s3->etag, b, m);
		s3->etag[m] = '\0';
	}
	return len;
}

void owlet_s3_list_clear(struct owlet_s3_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		free(list->items[i].key);
		free(list->items[i].etag);
	}
	free(list->items);
	memset(list, 0, sizeof *list);
}

static char *request_url(const struct owlet_s3 *s3, const struct s3_request *r)
{
	char *key = owlet_s3_key_encode(r->key ? r->key : "");
	if (!key)
		return NULL;
	char *url = NULL;
	int n;
	const char *q = r->query ? "?" : "", *qs = r->query ? r->query : "";
	if (s3->endpoint)
		n = asprintf(&url, "%s/%s/%s%s%s", s3->endpoint, r->bucket, key, q, qs);
	else
		n = asprintf(&url, "https://%s.s3.%s.amazonaws.com/%s%s%s", r->bucket, s3->region, key, q, qs);
	free(key);
	return n < 0 ? NULL : url;
}

/* Copies <Code>...</Code> of an S3 error document into s3->code. */
static void error_code(struct owlet_s3 *s3)
{
	s3->code[0] = '\0';
	if (!s3->body.buf.data)
		return;
	const char *b = strstr(s3->body.buf.data, "<Code>");
	const char *e = b ? strstr(b, "</Code>") : NULL;
	if (!b || !e)
		return;
	b += 6;
	size_t n = (size_t)(e - b);
	if (n >= sizeof s3->code)
		n = sizeof s3->code - 1;
	memcpy(s3->code, b, n);
	s3->code[n] = '\0';
}

/* What the AWS SDKs retry: transport failures, 5xx (InternalError,
 * SlowDown, ServiceUnavailable), 429, and S3's 400 RequestTimeout (an idle
 * upload connection) */
static bool retryable(const struct owlet_s3 *s3, long status, CURLcode rc)
{
	if (rc != CURLE_OK)
		return rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_SEND_ERROR ||
		       rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING || rc == CURLE_PARTIAL_FILE;
	return status >= 500 || status == 429 || (status == 400 && strcmp(s3->code, "RequestTimeout") == 0);
}

/* Pauses before attempt `attempt` (1-based retries); false when the deadline
 * leaves no room. */
static bool backoff(struct owlet_s3 *s3, int attempt)
{
	int64_t pause = (int64_t)S3_BACKOFF_MS << (attempt - 1);
	pause = pause / 2 + rand_r(&s3->rand_state) % (pause / 2 + 1);
	if (s3->deadline_ms && owlet_clock_wall_ms() + pause + S3_MARGIN_MS >= s3->deadline_ms)
		return false;
	struct timespec ts = { (time_t)(pause / 1000), (long)(pause % 1000) * 1000000L };
	nanosleep(&ts, NULL);
	return true;
}

/* What every request of the client sets on its handle: the URL as encoded
 * (no dot segment collapsed: s3.h), SigV4, the headers, the answer into out. */
static void setup_handle(const struct owlet_s3 *s3, CURL *c, const char *url, struct curl_slist *h,
			 struct owlet_aws_body *out, long timeout_ms)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	/* no signals, the CA bundle, SigV4 and the key pair (client.h); the
	 * session token is already in h */
	owlet_aws_auth_apply(c, NULL, &s3->auth);
	owlet_aws_body_attach(c, out);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 5000 ? timeout_ms : 5000L);
}

/* Performs one request with retries.  Returns the final HTTP status (the
 * body in s3->body.buf.data), or a negative code. */
static int perform(struct owlet_s3 *s3, const struct s3_request *r)
{
	int ret = OWLET_ENOMEM;
	if (r->key && owlet_s3_key_check(r->key, "") < 0) {
		char msg[256], shown[256];
		snprintf(msg, sizeof msg, "%s", owlet_error_last());
		return owlet_error_setc(OWLET_EINVALID, "s3 %s 's3://%s/%s': refused: %s", r->method,
					r->bucket, owlet_s3_key_printable(shown, sizeof shown, r->key), msg);
	}
	struct curl_slist *h = NULL;
	char *url = request_url(s3, r);
	char sha[65], hdr_sha[96], hdr_type[160];
	owlet_sha256_hex(sha, r->body, r->body_len);
	snprintf(hdr_sha, sizeof hdr_sha, "x-amz-content-sha256: %s", sha);
	snprintf(hdr_type, sizeof hdr_type, "Content-Type: %s", r->content_type ? r->content_type : "application/octet-stream");
	if (!url || !(h = curl_slist_append(NULL, hdr_sha)) || !curl_slist_append(h, "Expect:") ||
	    (r->body && !curl_slist_append(h, hdr_type)) ||
	    owlet_aws_auth_apply(s3->curl, &h, &s3->auth) < 0 ||
	    (s3->extra_header && !curl_slist_append(h, s3->extra_header))) {
		nomem();
		goto out;
	}
	CURL *c = s3->curl;
	for (int attempt = 0; attempt < S3_ATTEMPTS; attempt++) {
		if (attempt > 0 && !backoff(s3, attempt)) {
			ret = owlet_error_setc(OWLET_EINTR, "s3 %s '%s': no time left before the deadline to retry",
					       r->method, url);
			goto out;
		}
		long timeout_ms = 30000;
		if (s3->deadline_ms) {
			int64_t left = s3->deadline_ms - owlet_clock_wall_ms() - S3_MARGIN_MS;
			if (left <= 0) {
				ret = owlet_error_setc(OWLET_EINTR, "s3 %s '%s': the deadline has passed", r->method, url);
				goto out;
			}
			if (left < timeout_ms)
				timeout_ms = (long)left;
		}
		curl_easy_reset(c);
		owlet_buf_reset(&s3->body.buf);
		s3->errbuf[0] = '\0';
		s3->code[0] = '\0';
		s3->etag[0] = '\0';
		setup_handle(s3, c, url, h, &s3->body, timeout_ms);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s3->errbuf);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_line);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, s3);
		if (strcmp(r->method, "HEAD") == 0) {
			curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		} else if (r->body) {
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)r->body);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
		} else if (strcmp(r->method, "GET") != 0) {
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
		}
		CURLcode rc = curl_easy_perform(c);
		if (rc == CURLE_WRITE_ERROR && s3->body.over) {
			ret = owlet_error_setc(OWLET_EIO, "s3 %s '%s': the answer is larger than %zu bytes, the most "
							  "owlet reads in one request",
					       r->method, url, s3->body.max);
			goto out;
		}
		long status = 0;
		if (rc == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (rc == CURLE_OK && status >= 300)
			error_code(s3);
		if (attempt + 1 < S3_ATTEMPTS && retryable(s3, status, rc))
			continue;
		if (rc != CURLE_OK) {
			ret = owlet_error_setc(rc == CURLE_OPERATION_TIMEDOUT ? OWLET_EINTR : OWLET_EIO,
					       "s3 %s '%s': %s", r->method, url,
					       s3->errbuf[0] ? s3->errbuf : curl_easy_strerror(rc));
			goto out;
		}
		ret = (int)status;
		goto out;
	}
out:
	curl_slist_free_all(h);
	free(url);
	return ret;
}

/* Maps a final status to 0 or an error naming the object. */
static int check_status(struct owlet_s3 *s3, int status, const char *what, const char *bucket,
			const char *key)
{
	if (status < 0)
		return status;
	if (status >= 200 && status < 300)
		return 0;
	int code = status == 404 ? OWLET_ENOTFOUND : OWLET_EIO;
	return owlet_error_setc(code, "s3 %s 's3://%s/%s': HTTP %d%s%s", what, bucket, key ? key : "",
				status, s3->code[0] ? " " : "", s3->code);
}

int owlet_s3_put(struct owlet_s3 *s3, const char *bucket, const char *key, const void *body,
		 size_t len, const char *content_type)
{
	struct s3_request r = { "PUT", bucket, key, NULL, body ? body : "", len, content_type };
	return check_status(s3, perform(s3, &r), "put", bucket, key);
}

int owlet_s3_put_if(struct owlet_s3 *s3, const char *bucket, const char *key, const void *body,
		    size_t len, const char *content_type, const char *if_match)
{
	char cond[160];
	if (if_match && strlen(if_match) > sizeof cond - 20)
		return owlet_error_setc(OWLET_EINVALID, "s3 put 's3://%s/%s': the ETag to match is too long", bucket, key);
	if (if_match)
		snprintf(cond, sizeof cond, "If-Match: \"%s\"", if_match);
	else
		snprintf(cond, sizeof cond, "If-None-Match: *");
	struct s3_request r = { "PUT", bucket, key, NULL, body ? body : "", len, content_type };
	s3->extra_header = cond;
	int status = perform(s3, &r);
	s3->extra_header = NULL;
	/* 412 PreconditionFailed; 409 ConditionalRequestConflict: another
	 * conditional write of the key is under way */
	if (status == 412 || status == 409)
		return 1;
	return check_status(s3, status, "put", bucket, key);
}

/* One request of owlet_s3_put_new_many: its own handle, headers and answer. */
struct put_slot {
	CURL *h;
	struct curl_slist *hdr;
	char *url;
	struct owlet_aws_body body; /* an error document at most; truncated */
	size_t item;
};

static void slot_clear(struct put_slot *sl)
{
	if (sl->h)
		curl_easy_cleanup(sl->h);
	curl_slist_free_all(sl->hdr);
	free(sl->url);
	owlet_buf_free(&sl->body.buf);
	memset(sl, 0, sizeof *sl);
}

static int slot_start(struct owlet_s3 *s3, CURLM *m, struct put_slot *sl, size_t i, const char *bucket,
		      const char *const *keys, const char *const *bodies, const size_t *lens, long timeout_ms)
{
	struct s3_request r = { "PUT", bucket, keys[i], NULL, bodies[i], lens[i], "application/json" };
	char sha[65], hdr_sha[96];
	owlet_sha256_hex(sha, bodies[i], lens[i]);
	snprintf(hdr_sha, sizeof hdr_sha, "x-amz-content-sha256: %s", sha);
	sl->item = i;
	sl->url = request_url(s3, &r);
	sl->h = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, hdr_sha);
	sl->hdr = h;
	if (!sl->url || !sl->h || !h || !curl_slist_append(h, "Expect:") ||
	    !curl_slist_append(h, "Content-Type: application/json") || !curl_slist_append(h, "If-None-Match: *") ||
	    (s3->auth.token_hdr && !curl_slist_append(h, s3->auth.token_hdr)))
		return nomem();
	CURL *c = sl->h;
	sl->body.max = 64u << 10;
	sl->body.truncate = true;
	setup_handle(s3, c, sl->url, h, &sl->body, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, bodies[i]);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)lens[i]);
	curl_easy_setopt(c, CURLOPT_PRIVATE, sl);
	return curl_multi_add_handle(m, c) == CURLM_OK ? 0 : owlet_error_setc(OWLET_EIO, "curl_multi_add_handle failed");
}

int owlet_s3_put_new_many(struct owlet_s3 *s3, const char *bucket, size_t n, const char *const *keys,
			  const char *const *bodies, const size_t *lens, int *results)
{
	for (size_t i = 0; i < n; i++) {
		results[i] = OWLET_EIO;
		if (owlet_s3_key_check(keys[i], "") < 0)
			return owlet_error_setc(OWLET_EINVALID, "s3 put 's3://%s/...': refused: %s", bucket, owlet_error_last());
	}
	CURLM *m = curl_multi_init();
	struct put_slot *slots = calloc(S3_PARALLEL, sizeof *slots);
	bool *retry = calloc(n ? n : 1, sizeof *retry);
	int rc = m && slots && retry ? 0 : nomem();
	size_t next = 0, running = 0;
	long timeout_ms = 30000;
	if (s3->deadline_ms) {
		int64_t left = s3->deadline_ms - owlet_clock_wall_ms() - S3_MARGIN_MS;
		if (left <= 0)
			rc = owlet_error_setc(OWLET_EINTR, "s3 put: the deadline has passed");
		else if (left < timeout_ms)
			timeout_ms = (long)left;
	}
	while (rc == 0 && (next < n || running > 0)) {
		for (size_t k = 0; rc == 0 && k < S3_PARALLEL && next < n; k++)
			if (!slots[k].h) {
				rc = slot_start(s3, m, &slots[k], next++, bucket, keys, bodies, lens, timeout_ms);
				running++;
			}
		if (rc < 0)
			break;
		int still = 0;
		if (curl_multi_perform(m, &still) != CURLM_OK || curl_multi_poll(m, NULL, 0, 100, NULL) != CURLM_OK) {
			rc = owlet_error_setc(OWLET_EIO, "s3 put: curl_multi failed");
			break;
		}
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			struct put_slot *sl = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&sl);
			long status = 0;
			if (msg->data.result == CURLE_OK)
				curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
			if (status >= 200 && status < 300)
				results[sl->item] = 0;
			else if (status == 412 || status == 409)
				results[sl->item] = 1;
			else
				retry[sl->item] = true; /* one by one below, with owlet_s3_put_if's retries */
			curl_multi_remove_handle(m, msg->easy_handle);
			slot_clear(sl);
			running--;
		}
	}
	for (size_t k = 0; slots && k < S3_PARALLEL; k++) {
		if (slots[k].h)
			curl_multi_remove_handle(m, slots[k].h);
		slot_clear(&slots[k]);
	}
	if (m)
		curl_multi_cleanup(m);
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (retry[i]) {
			results[i] = owlet_s3_put_if(s3, bucket, keys[i], bodies[i], lens[i], "application/json", NULL);
			if (results[i] < 0)
				rc = results[i];
		}
	free(slots);
	free(retry);
	return rc;
}

void owlet_s3_set_body_max(struct owlet_s3 *s3, size_t max)
{
	s3->body.max = max ? max : S3_BODY_MAX;
}

int owlet_s3_get(struct owlet_s3 *s3, char **body, size_t *len, const char *bucket, const char *key)
{
	*body = NULL;
	*len = 0;
	struct s3_request r = { "GET", bucket, key, NULL, NULL, 0, NULL };
	int rc = check_status(s3, perform(s3, &r), "get", bucket, key);
	if (rc < 0)
		return rc;
	/* bodies may hold NUL bytes: copy all of them, then terminate */
	*body = malloc(s3->body.buf.len + 1);
	if (!*body)
		return nomem();
	if (s3->body.buf.len)
		memcpy(*body, s3->body.buf.data, s3->body.buf.len);
	(*body)[s3->body.buf.len] = '\0';
	*len = s3->body.buf.len;
	return 0;
}

int owlet_s3_get_range(struct owlet_s3 *s3, char **body, size_t *len, const char *bucket, const char *key,
		       long long offset, size_t max)
{
	*body = NULL;
	*len = 0;
	if (offset < 0 || max == 0)
		return owlet_error_setc(OWLET_EINVALID, "s3 get 's3://%s/%s': an empty byte range", bucket, key);
	char range[80];
	snprintf(range, sizeof range, "Range: bytes=%lld-%lld", offset, offset + (long long)max - 1);
	struct s3_request r = { "GET", bucket, key, NULL, NULL, 0, NULL };
	s3->extra_header = range;
	/* a server that ignores the range: keep max bytes, drop the rest */
	size_t body_max = s3->body.max;
	s3->body.max = max;
	s3->body.truncate = true;
	int status = perform(s3, &r);
	s3->body.max = body_max;
	s3->body.truncate = false;
	s3->extra_header = NULL;
	if (status == 416) /* at or past the end */
	{
		status = 200;
		owlet_buf_reset(&s3->body.buf);
	}
	int rc = check_status(s3, status, "get", bucket, key);
	if (rc < 0)
		return rc;
	size_t n = s3->body.buf.len < max ? s3->body.buf.len : max;
	*body = malloc(n + 1);
	if (!*body)
		return nomem();
	if (n)
		memcpy(*body, s3->body.buf.data, n);
	(*body)[n] = '\0';
	*len = n;
	return 0;
}

int owlet_s3_head(struct owlet_s3 *s3, long long *size, const char *bucket, const char *key)
{
	*size = 0;
	struct s3_request r = { "HEAD", bucket, key, NULL, NULL, 0, NULL };
	int rc = check_status(s3, perform(s3, &r), "head", bucket, key);
	if (rc < 0)
		return rc;
	curl_off_t n = -1;
	curl_easy_getinfo(s3->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &n);
	*size = n;
	return 0;
}

int owlet_s3_delete(struct owlet_s3 *s3, const char *bucket, const char *key)
{
	struct s3_request r = { "DELETE", bucket, key, NULL, NULL, 0, NULL };
	int status = perform(s3, &r);
	return status == 404 ? 0 : check_status(s3, status, "delete", bucket, key);
}

/* ListObjectsV2 XML.  The document is S3's, well formed and flat: the scan
 * looks for the few elements it needs between bounds, never past the end,
 * and decodes the five XML entities and numeric references in keys. */
static const char *find_in(const char *b, const char *e, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = b; p + n <= e; p++)
		if (memcmp(p, needle, n) == 0)
			return p;
	return NULL;
}

/* The text of <tag>...</tag> within [b, e), decoded; NULL when absent or
 * out of memory (*nomem set). */
static char *element(const char *b, const char *e, const char *tag, bool *oom)
{
	char open[64], close[64];
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	const char *s = find_in(b, e, open);
	if (!s)
		return NULL;
	s += strlen(open);
	const char *t = find_in(s, e, close);
	if (!t)
		return NULL;
	char *out = malloc((size_t)(t - s) + 1);
	if (!out) {
		*oom = true;
		return NULL;
	}
	char *o = out;
	for (const char *p = s; p < t;) {
		static const struct { const char *ent; char c; } ents[] = {
			{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' },
		};
		bool done = false;
		if (*p == '&') {
			for (size_t i = 0; i < sizeof ents / sizeof ents[0] && !done; i++) {
				size_t n = strlen(ents[i].ent);
				if ((size_t)(t - p) >= n && memcmp(p, ents[i].ent, n) == 0) {
					*o++ = ents[i].c;
					p += n;
					done = true;
				}
			}
			if (!done && t - p >= 4 && p[1] == '#') {
				char *end;
				bool hexa = p[2] == 'x';
				long v = strtol(p + (hexa ? 3 : 2), &end, hexa ? 16 : 10);
				if (end < t && *end == ';' && v > 0 && v < 128) {
					*o++ = (char)v;
					p = end + 1;
					done = true;
				}
			}
		}
		if (!done)
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

int owlet_s3_parse_list(struct owlet_s3_list *out, int *truncated, char **next_token,
			const char *xml, size_t len)
{
	*truncated = 0;
	*next_token = NULL;
	const char *end = xml + len;
	if (!find_in(xml, end, "<ListBucketResult"))
		return owlet_error_setc(OWLET_EIO, "s3 list: not a ListBucketResult document");
	bool oom = false;
	const char *p = xml;
	for (;;) {
		const char *c = find_in(p, end, "<Contents>");
		if (!c)
			break;
		const char *ce = find_in(c, end, "</Contents>");
		if (!ce)
			return owlet_error_setc(OWLET_EIO, "s3 list: unterminated Contents element");
		char *key = element(c, ce, "Key", &oom);
		char *size = key ? element(c, ce, "Size", &oom) : NULL;
		char *etag = size ? element(c, ce, "ETag", &oom) : NULL;
		int rc = 0;
		if (oom)
			rc = nomem();
		else if (!key || !size)
			rc = owlet_error_setc(OWLET_EIO, "s3 list: Contents without Key or Size");
		else if (out->count == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 16;
			struct owlet_s3_object *items = realloc(out->items, cap * sizeof *items);
			if (items) {
				out->items = items;
				out->cap = cap;
			} else
				rc = nomem();
		}
		if (rc < 0) {
			free(key);
			free(size);
			free(etag);
			return rc;
		}
		if (etag) { /* unquoted in place; an empty one is none */
			const char *b = etag, *e = etag + strlen(etag);
			etag_span(&b, &e);
			memmove(etag, b, (size_t)(e - b));
			etag[e - b] = '\0';
			if (!*etag) {
				free(etag);
				etag = NULL;
			}
		}
		out->items[out->count++] = (struct owlet_s3_object){ key, strtoll(size, NULL, 10), etag };
		free(size);
		p = ce + strlen("</Contents>");
	}
	/* IsTruncated and the token come after the Contents in S3's documents,
	 * but look for them anywhere outside a Contents element */
	char *t = element(xml, end, "IsTruncated", &oom);
	*truncated = t && strcmp(t, "true") == 0;
	free(t);
	*next_token = element(xml, end, "NextContinuationToken", &oom);
	if (oom) {
		free(*next_token);
		*next_token = NULL;
		return nomem();
	}
	return 0;
}

int owlet_s3_list(struct owlet_s3 *s3, struct owlet_s3_list *out, const char *bucket,
		  const char *prefix, size_t max_keys)
{
	char *token = NULL;
	int rc = 0;
	char *eprefix = owlet_s3_uri_encode(prefix ? prefix : "", false);
	if (!eprefix)
		return nomem();
	for (;;) {
		char *etoken = token ? owlet_s3_uri_encode(token, false) : NULL;
		char *query = NULL;
		/* parameters in canonical (sorted) order, as SigV4 signs them */
		int n = etoken ? asprintf(&query, "continuation-token=%s&list-type=2&prefix=%s", etoken, eprefix)
			       : asprintf(&query, "list-type=2&prefix=%s", eprefix);
		free(etoken);
		if (n < 0 || (token && !etoken)) {
			if (n >= 0)
				free(query);
			rc = nomem();
			break;
		}
		struct s3_request r = { "GET", bucket, NULL, query, NULL, 0, NULL };
		rc = check_status(s3, perform(s3, &r), "list", bucket, prefix);
		free(query);
		if (rc < 0)
			break;
		int truncated;
		free(token);
		token = NULL;
		rc = owlet_s3_parse_list(out, &truncated, &token, s3->body.buf.data ? s3->body.buf.data : "", s3->body.buf.len);
		if (rc < 0)
			break;
		if (max_keys && out->count >= max_keys)
			break;
		if (!truncated || !token)
			break;
	}
	free(token);
	free(eprefix);
	return rc;
}
