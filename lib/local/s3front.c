/*
 * s3front.c: the local front for S3 presigned POSTs and the S3 events they
 * cause (see s3front.h).
 */
#include "local/s3front.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "aws/s3_post.h"
#include "base/clock.h"
#include "base/error.h"
#include "base/random.h"
#include "local/http.h"

#define MAX_FIELDS 64
#define MAX_FIELD_BYTES 16384
#define MAX_QUEUED 64
#define DELIVERY_ATTEMPTS 3 /* Lambda's asynchronous invocation: the first and two retries */

struct owlet_s3front {
	struct MHD_Daemon *daemon;
	uint16_t port;
	char *bucket, *access_key, *secret_key;
	char *s3_access, *s3_secret, *s3_region, *s3_endpoint;
	struct owlet_runtime *runtime;
	long timeout_ms;
	long long max_bytes;
	void (*log)(void *cls, const char *line);
	void *log_cls;
	/* the event queue and its one delivery thread */
	pthread_mutex_t mu;
	pthread_cond_t cv, idle;
	char *queue[MAX_QUEUED];
	size_t head, count;
	bool busy, stopping;
	pthread_t thread;
	bool thread_started;
};

/* One request: the form as the post processor gives it. */
struct form {
	struct MHD_PostProcessor *pp;
	json_t *fields;
	char *name;               /* the field being read */
	struct owlet_http_body value;
	struct owlet_http_body file;
	long long file_size;      /* all its bytes, kept or not */
	int n_file_parts;
	bool file_seen, after_file, bad;
};

static void logf_(struct owlet_s3front *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct owlet_s3front *f, const char *fmt, ...)
{
	if (!f->log)
		return;
	char line[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	f->log(f->log_cls, line);
}

static enum MHD_Result reply_error(struct MHD_Connection *c, const struct owlet_s3_post_verdict *v)
{
	char rid[17] = "0000000000000000";
	owlet_random_hex(rid, 8);
	char *xml = owlet_s3_post_error_xml(v, rid);
	const char *hdr[] = { "x-amz-request-id", rid, NULL };
	enum MHD_Result r = owlet_http_respond(c, xml ? (unsigned)v->status : 500, "application/xml", xml ? xml : "",
					       xml ? strlen(xml) : 0, hdr);
	free(xml);
	return r;
}

static enum MHD_Result reply_code(struct MHD_Connection *c, int status, const char *code, const char *msg)
{
	struct owlet_s3_post_verdict v = { .status = status };
	snprintf(v.code, sizeof v.code, "%s", code);
	snprintf(v.message, sizeof v.message, "%s", msg);
	return reply_error(c, &v);
}

static void finish_field(struct form *fm)
{
	if (fm->name && !fm->bad) {
		if (json_object_size(fm->fields) >= MAX_FIELDS || fm->value.too_big)
			fm->bad = true;
		else
			json_object_set_new(fm->fields, fm->name,
					    json_stringn(fm->value.data ? fm->value.data : "", fm->value.len));
	}
	free(fm->name);
	fm->name = NULL;
	owlet_http_body_free(&fm->value);
	fm->value.too_big = false;
}

static enum MHD_Result iterate(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
			       const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
			       size_t size)
{
	(void)kind, (void)filename, (void)content_type, (void)transfer_encoding;
	struct form *fm = cls;
	if (!key)
		return MHD_YES;
	if (strcasecmp(key, "file") == 0) {
		finish_field(fm);
		if (off == 0)
			fm->n_file_parts++;
		fm->file_seen = true;
		fm->file_size += (long long)size;
		if (!owlet_http_body_add(&fm->file, data, size))
			return MHD_NO;
		return MHD_YES;
	}
	if (fm->file_seen) { /* S3 ignores the fields after the file */
		fm->after_file = true;
		return MHD_YES;
	}
	if (off == 0 || !fm->name || strcmp(fm->name, key) != 0) {
		finish_field(fm);
		fm->name = strdup(key);
		fm->value.limit = MAX_FIELD_BYTES;
		if (!fm->name)
			return MHD_NO;
	}
	if (!owlet_http_body_add(&fm->value, data, size))
		return MHD_NO;
	return MHD_YES;
}

/* S3's encoding of a key in an event: '+' for a space, %XX but for
 * unreserved characters and '/'. */
static char *event_key(const char *key)
{
	size_t n = strlen(key);
	char *out = malloc(3 * n + 1), *o = out;
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-_.~/", *p))
			*o++ = (char)*p;
		else if (*p == ' ')
			*o++ = '+';
		else
			o += sprintf(o, "%%%02X", *p);
	}
	*o = '\0';
	return out;
}

static char *make_event(struct owlet_s3front *f, const char *key, long long size, const char *etag)
{
	char when[40], seq[17] = "", rid[17] = "";
	int64_t now = owlet_clock_wall_ms();
	owlet_clock_format(when, sizeof when, now, OWLET_CLOCK_ISO_MS);
	snprintf(seq, sizeof seq, "%016llX", (unsigned long long)now * 1000ULL);
	owlet_random_hex(rid, 8);
	char arn[300];
	snprintf(arn, sizeof arn, "arn:aws:s3:::%s", f->bucket);
	char *enc = event_key(key);
	json_t *ev = enc ? json_pack("{s:[{s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s, s:s}, s:{s:s, s:s, s:{s:s, "
				     "s:{s:s}, s:s}, s:{s:s, s:I, s:s, s:s}}}]}",
				     "Records", "eventVersion", "2.1", "eventSource", "aws:s3", "awsRegion",
				     f->s3_region ? f->s3_region : "us-east-1", "eventTime", when, "eventName",
				     "ObjectCreated:Post", "userIdentity", "principalId", "AWS:owlet-local",
				     "requestParameters", "sourceIPAddress", "127.0.0.1", "responseElements",
				     "x-amz-request-id", rid, "x-amz-id-2", "owlet-local", "s3", "s3SchemaVersion", "1.0",
				     "configurationId", strncmp(key, "incoming/", 9) == 0 ? "owlet-uploads-incoming"
											 : "owlet-aggregate-raw",
				     "bucket", "name", f->bucket, "ownerIdentity", "principalId", "owlet", "arn", arn,
				     "object", "key", enc, "size", (json_int_t)size, "eTag", etag, "sequencer", seq)
			   : NULL;
	free(enc);
	char *text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
	json_decref(ev);
	return text;
}

static int enqueue(struct owlet_s3front *f, char *event)
{
	pthread_mutex_lock(&f->mu);
	int rc = 0;
	if (f->count >= MAX_QUEUED || f->stopping) {
		rc = OWLET_EIO;
		free(event);
	} else {
		f->queue[(f->head + f->count) % MAX_QUEUED] = event;
		f->count++;
		pthread_cond_signal(&f->cv);
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static void *deliver(void *arg)
{
	struct owlet_s3front *f = arg;
	pthread_mutex_lock(&f->mu);
	for (;;) {
		while (!f->count && !f->stopping)
			pthread_cond_wait(&f->cv, &f->mu);
		if (f->stopping)
			break;
		char *event = f->queue[f->head];
		f->head = (f->head + 1) % MAX_QUEUED;
		f->count--;
		f->busy = true;
		pthread_mutex_unlock(&f->mu);
		for (int attempt = 1; attempt <= DELIVERY_ATTEMPTS; attempt++) {
			struct owlet_invoke_result r = { 0 };
			int rc = owlet_runtime_invoke(&r, f->runtime, event, strlen(event), f->timeout_ms);
			bool good = rc == 0 && r.status == OWLET_INVOKE_OK;
			logf_(f, "S3 event delivered (attempt %d): %s%s%.300s", attempt,
			      rc < 0 ? owlet_error_last() : good ? "ok " : "failed ", rc < 0 ? "" : r.error_type ? r.error_type : "",
			      rc == 0 && r.payload ? r.payload : "");
			owlet_invoke_result_clear(&r);
			if (good || rc < 0)
				break;
		}
		free(event);
		pthread_mutex_lock(&f->mu);
		f->busy = false;
		pthread_cond_broadcast(&f->idle);
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct owlet_s3front *f = cls;
	struct form *fm = *con_cls;
	if (!fm) {
		fm = calloc(1, sizeof *fm);
		if (!fm)
			return MHD_NO;
		fm->fields = json_object();
		fm->file.limit = (size_t)f->max_bytes;
		*con_cls = fm;
		if (strcmp(method, "POST") == 0)
			fm->pp = MHD_create_post_processor(c, 65536, iterate, fm);
		return fm->fields ? MHD_YES : MHD_NO;
	}
	if (*upload_size) {
		if (fm->pp && !fm->bad && MHD_post_process(fm->pp, upload_data, *upload_size) != MHD_YES)
			fm->bad = true;
		*upload_size = 0;
		return MHD_YES;
	}
	size_t blen = strlen(f->bucket);
	const char *p = url[0] == '/' ? url + 1 : url;
	bool ours = strncmp(p, f->bucket, blen) == 0 && (p[blen] == '\0' || strcmp(p + blen, "/") == 0);
	if (!ours) {
		logf_(f, "%s %s 404 NoSuchBucket", method, url);
		return reply_code(c, 404, "NoSuchBucket", "The specified bucket does not exist");
	}
	if (strcmp(method, "POST") != 0) {
		logf_(f, "%s %s 405", method, url);
		return reply_code(c, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
	}
	if (!fm->pp) {
		logf_(f, "POST %s 412 not multipart/form-data", url);
		return reply_code(c, 412, "PreconditionFailed",
				  "Bucket POST must be of the enclosure-type multipart/form-data");
	}
	finish_field(fm);
	if (fm->bad)
		return reply_code(c, 400, "MalformedPOSTRequest",
				  "The body of your POST request is not well-formed multipart/form-data.");
	if (fm->n_file_parts != 1)
		return reply_code(c, 400, "InvalidArgument", "POST requires exactly one file upload per request.");
	struct owlet_s3_post_verdict v;
	if (owlet_s3_post_check(&v, fm->fields, f->bucket, fm->file_size, f->access_key, f->secret_key, time(NULL)) < 0)
		return MHD_NO;
	if (v.status == 204 && fm->file.too_big) {
		v.status = 400;
		snprintf(v.code, sizeof v.code, "EntityTooLarge");
		snprintf(v.message, sizeof v.message, "Your proposed upload exceeds the maximum allowed size");
	}
	const char *key = "", *name;
	const json_t *val;
	json_object_foreach(fm->fields, name, val) /* the field may be spelled in another case */
		if (strcasecmp(name, "key") == 0)
			key = json_string_value(val);
	if (v.status != 204) {
		logf_(f, "POST /%s %d %s %s (%lld bytes)", f->bucket, v.status, v.code, v.message, fm->file_size);
		return reply_error(c, &v);
	}
	struct owlet_s3 *s3 = NULL;
	struct owlet_s3_config cfg = { f->s3_access, f->s3_secret, NULL, f->s3_region, f->s3_endpoint };
	int rc = owlet_s3_open(&s3, &cfg);
	if (rc == 0)
		rc = owlet_s3_put(s3, f->bucket, key, fm->file.data ? fm->file.data : "", fm->file.len,
				  "application/octet-stream");
	char etag[128] = "";
	if (rc == 0)
		snprintf(etag, sizeof etag, "%s", owlet_s3_last_etag(s3));
	owlet_s3_free(s3);
	if (rc < 0) {
		logf_(f, "POST /%s 500 the emulator refused the object: %s", f->bucket, owlet_error_last());
		return reply_code(c, 500, "InternalError", "We encountered an internal error. Please try again.");
	}
	if (f->runtime && (strncmp(key, "incoming/", 9) == 0 || strncmp(key, "raw/", 4) == 0)) {
		char *event = make_event(f, key, fm->file_size, etag);
		if (!event || enqueue(f, event) < 0)
			logf_(f, "POST /%s: the S3 event of '%s' was not queued (the queue is full)", f->bucket, key);
	}
	logf_(f, "POST /%s 204 %s (%lld bytes)", f->bucket, key, fm->file_size);
	char quoted[140], location[1200];
	snprintf(quoted, sizeof quoted, "\"%s\"", etag);
	snprintf(location, sizeof location, "%s/%s/%s", f->s3_endpoint ? f->s3_endpoint : "", f->bucket, key);
	const char *hdr[] = { "ETag", quoted, "Location", location, NULL };
	return owlet_http_respond(c, 204, NULL, "", 0, hdr);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)c, (void)toe;
	struct form *fm = *con_cls;
	if (!fm)
		return;
	if (fm->pp)
		MHD_destroy_post_processor(fm->pp);
	json_decref(fm->fields);
	free(fm->name);
	owlet_http_body_free(&fm->value);
	owlet_http_body_free(&fm->file);
	free(fm);
	*con_cls = NULL;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

int owlet_s3front_start(struct owlet_s3front **out, const struct owlet_s3front_config *cfg)
{
	*out = NULL;
	struct owlet_s3front *f = calloc(1, sizeof *f);
	if (!f)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	f->bucket = strdup(cfg->bucket ? cfg->bucket : "");
	f->access_key = strdup(cfg->access_key ? cfg->access_key : "");
	f->secret_key = strdup(cfg->secret_key ? cfg->secret_key : "");
	f->s3_access = dup_or_null(cfg->s3.access_key);
	f->s3_secret = dup_or_null(cfg->s3.secret_key);
	f->s3_region = dup_or_null(cfg->s3.region);
	f->s3_endpoint = dup_or_null(cfg->s3.endpoint);
	f->runtime = cfg->runtime;
	f->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 10000;
	f->max_bytes = cfg->max_bytes > 0 ? cfg->max_bytes : 128LL * 1024 * 1024;
	f->log = cfg->log;
	f->log_cls = cfg->log_cls;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	pthread_cond_init(&f->idle, NULL);
	if (!f->bucket || !f->access_key || !f->secret_key) {
		owlet_s3front_stop(f);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	if (f->runtime && owlet_s3front_attach(f, f->runtime) < 0) {
		owlet_s3front_stop(f);
		return OWLET_EIO;
	}
	struct owlet_http_config hc = {
		.port = cfg->port, .handler = handle, .handler_cls = f, .completed = completed, .connection_limit = 64,
		.per_ip_limit = 16, .timeout_s = 60,
	};
	int rc = owlet_http_start(&f->daemon, &f->port, &hc);
	if (rc < 0) {
		owlet_s3front_stop(f);
		return rc;
	}
	*out = f;
	return 0;
}

int owlet_s3front_attach(struct owlet_s3front *f, struct owlet_runtime *rt)
{
	if (f->thread_started)
		return owlet_error_setc(OWLET_EUSAGE, "the S3 front already delivers its events");
	f->runtime = rt;
	if (pthread_create(&f->thread, NULL, deliver, f) != 0)
		return owlet_error_setc(OWLET_EIO, "cannot start the S3 event thread");
	f->thread_started = true;
	return 0;
}

uint16_t owlet_s3front_port(const struct owlet_s3front *f)
{
	return f->port;
}

int owlet_s3front_drain(struct owlet_s3front *f, long timeout_ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	int rc = 0;
	pthread_mutex_lock(&f->mu);
	while ((f->count || f->busy) && rc == 0)
		rc = pthread_cond_timedwait(&f->idle, &f->mu, &until);
	pthread_mutex_unlock(&f->mu);
	return rc == 0 ? 0 : owlet_error_setc(OWLET_EINTR, "S3 events are still being delivered");
}

void owlet_s3front_stop(struct owlet_s3front *f)
{
	if (!f)
		return;
	if (f->daemon)
		MHD_stop_daemon(f->daemon);
	pthread_mutex_lock(&f->mu);
	f->stopping = true;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	if (f->thread_started)
		pthread_join(f->thread, NULL);
	for (size_t i = 0; i < f->count; i++)
		free(f->queue[(f->head + i) % MAX_QUEUED]);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	pthread_cond_destroy(&f->idle);
	free(f->bucket);
	free(f->access_key);
	free(f->secret_key);
	free(f->s3_access);
	free(f->s3_secret);
	free(f->s3_region);
	free(f->s3_endpoint);
	free(f);
}
