/* athena.c: Athena over libcurl + CURLOPT_AWS_SIGV4 (see athena.h). */
#include "aws/athena.h"
#include "aws/client.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/error.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ATTEMPTS 4
#define BACKOFF_MS 100
#define MARGIN_MS 50
#define ANSWER_MAX (16u << 20) /* the largest answer read: GetQueryResults pages are far smaller */

struct owlet_athena_client {
	CURL *curl;
	char *url;
	struct owlet_aws_auth auth;
	int64_t deadline_ms;
	char type[96];
	char errbuf[CURL_ERROR_SIZE];
	struct owlet_aws_body body; /* the answer, at most ANSWER_MAX bytes */
	unsigned rand_state;
};

int owlet_athena_client_open(struct owlet_athena_client **out, const struct owlet_s3_config *cfg)
{
	*out = NULL;
	if (!cfg->access_key || !*cfg->access_key || !cfg->secret_key || !*cfg->secret_key)
		return owlet_error_setc(OWLET_EUSAGE, "no AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return owlet_error_set("cannot initialise libcurl");
	struct owlet_athena_client *c = calloc(1, sizeof *c);
	if (!c)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	const char *region = cfg->region && *cfg->region ? cfg->region : "us-east-1";
	c->curl = curl_easy_init();
	int bad = !c->curl;
	if (cfg->endpoint && *cfg->endpoint) {
		size_t n = strlen(cfg->endpoint);
		while (n > 0 && cfg->endpoint[n - 1] == '/')
			n--;
		bad |= asprintf(&c->url, "%.*s/", (int)n, cfg->endpoint) < 0;
	} else {
		bad |= asprintf(&c->url, "https://athena.%s.amazonaws.com/", region) < 0;
	}
	if (bad) {
		free(c); /* the asprintf results are undefined on failure: leak rather than free garbage */
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	int rc = owlet_aws_auth_init(&c->auth, cfg->access_key, cfg->secret_key, cfg->session_token, region, "athena");
	if (rc < 0) {
		owlet_athena_client_free(c);
		return rc == OWLET_EINVALID ? owlet_error_setc(OWLET_EUSAGE, "the AWS credentials or the region are too long")
					    : rc;
	}
	c->rand_state = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)c;
	*out = c;
	return 0;
}

int owlet_athena_client_open_env(struct owlet_athena_client **out)
{
	const char *endpoint = owlet_aws_env("AWS_ENDPOINT_URL_ATHENA");
	struct owlet_s3_config cfg = { getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"),
				       getenv("AWS_SESSION_TOKEN"), owlet_aws_env_region(),
				       endpoint ? endpoint : getenv("AWS_ENDPOINT_URL") };
	return owlet_athena_client_open(out, &cfg);
}

void owlet_athena_client_free(struct owlet_athena_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c->url);
	owlet_aws_auth_free(&c->auth);
	owlet_buf_free(&c->body.buf);
	free(c);
}

void owlet_athena_client_set_deadline(struct owlet_athena_client *c, int64_t deadline_ms)
{
	c->deadline_ms = deadline_ms;
}

const char *owlet_athena_client_last_type(const struct owlet_athena_client *c)
{
	return c->type;
}

static bool pause_before(struct owlet_athena_client *c, int attempt)
{
	int64_t pause = (int64_t)BACKOFF_MS << (attempt - 1);
	pause = pause / 2 + rand_r(&c->rand_state) % (pause / 2 + 1);
	if (c->deadline_ms && owlet_clock_wall_ms() + pause + MARGIN_MS >= c->deadline_ms)
		return false;
	struct timespec ts = { (time_t)(pause / 1000), (long)(pause % 1000) * 1000000L };
	nanosleep(&ts, NULL);
	return true;
}

int owlet_athena_call(struct owlet_athena_client *c, const char *op, const json_t *req, json_t **resp)
{
	*resp = NULL;
	c->type[0] = '\0';
	char *text = json_dumps(req, JSON_COMPACT);
	char target[96];
	snprintf(target, sizeof target, "X-Amz-Target: AmazonAthena.%s", op);
	struct curl_slist *h = NULL;
	int ret = OWLET_ENOMEM;
	if (!text || !(h = curl_slist_append(NULL, target)) ||
	    !curl_slist_append(h, "Content-Type: application/x-amz-json-1.1") || !curl_slist_append(h, "Expect:") ||
	    owlet_aws_auth_apply(c->curl, &h, &c->auth) < 0) {
		owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
		if (attempt > 0 && !pause_before(c, attempt)) {
			ret = owlet_error_setc(OWLET_EINTR, "athena %s: no time left before the deadline to retry", op);
			goto out;
		}
		long timeout_ms = 30000;
		if (c->deadline_ms) {
			int64_t left = c->deadline_ms - owlet_clock_wall_ms() - MARGIN_MS;
			if (left <= 0) {
				ret = owlet_error_setc(OWLET_EINTR, "athena %s: the deadline has passed", op);
				goto out;
			}
			if (left < timeout_ms)
				timeout_ms = (long)left;
		}
		CURL *k = c->curl;
		curl_easy_reset(k);
		owlet_buf_reset(&c->body.buf);
		c->errbuf[0] = '\0';
		curl_easy_setopt(k, CURLOPT_URL, c->url);
		owlet_aws_auth_apply(k, NULL, &c->auth);
		curl_easy_setopt(k, CURLOPT_ERRORBUFFER, c->errbuf);
		c->body.max = ANSWER_MAX;
		owlet_aws_body_attach(k, &c->body);
		curl_easy_setopt(k, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(k, CURLOPT_TIMEOUT_MS, timeout_ms);
		curl_easy_setopt(k, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 5000 ? timeout_ms : 5000L);
		curl_easy_setopt(k, CURLOPT_POSTFIELDS, text);
		curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(text));
		CURLcode rc = curl_easy_perform(k);
		if (rc == CURLE_WRITE_ERROR && c->body.over) {
			ret = owlet_error_setc(OWLET_EIO, "athena %s: the answer is larger than %u bytes", op, ANSWER_MAX);
			goto out;
		}
		long status = 0;
		if (rc == CURLE_OK)
			curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &status);
		json_error_t jerr;
		json_t *doc = c->body.buf.data ? json_loadb(c->body.buf.data, c->body.buf.len, 0, &jerr) : NULL;
		const char *type = json_string_value(json_object_get(doc, "__type"));
		if (type) { /* "com.amazonaws.athena#InvalidRequestException" -> the part after '#' */
			const char *hash = strrchr(type, '#');
			snprintf(c->type, sizeof c->type, "%s", hash ? hash + 1 : type);
		}
		bool retry = rc != CURLE_OK ? rc != CURLE_OPERATION_TIMEDOUT || attempt == 0
					    : status >= 500 && status != 501;
		retry = retry || strcmp(c->type, "ThrottlingException") == 0 ||
			strcmp(c->type, "TooManyRequestsException") == 0;
		if (attempt + 1 < ATTEMPTS && retry && !(rc == CURLE_OK && status < 300)) {
			json_decref(doc);
			continue;
		}
		if (rc != CURLE_OK) {
			json_decref(doc);
			ret = owlet_error_setc(rc == CURLE_OPERATION_TIMEDOUT ? OWLET_EINTR : OWLET_EIO, "athena %s: %s", op,
					       c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
			goto out;
		}
		if (status >= 200 && status < 300 && json_is_object(doc)) {
			*resp = doc;
			ret = 0;
			goto out;
		}
		const char *msg = json_string_value(json_object_get(doc, "Message"));
		if (!msg)
			msg = json_string_value(json_object_get(doc, "message"));
		ret = owlet_error_setc(status == 501 ? OWLET_ENOTFOUND : status >= 400 && status < 500 ? OWLET_EINVALID
													: OWLET_EIO,
				       "%s%s%s", c->type[0] ? c->type : "", c->type[0] ? ": " : "",
				       msg ? msg : status >= 200 && status < 300 ? "the answer is not JSON" : "HTTP error");
		json_decref(doc);
		goto out;
	}
out:
	curl_slist_free_all(h);
	free(text);
	return ret;
}

int owlet_athena_start_query(struct owlet_athena_client *c, char **id, const char *sql, const json_t *params,
		       const char *workgroup, const char *database)
{
	*id = NULL;
	json_t *req = json_pack("{s:s}", "QueryString", sql);
	if (req && params && json_array_size(params))
		json_object_set(req, "ExecutionParameters", (json_t *)params);
	if (req && workgroup && *workgroup)
		json_object_set_new(req, "WorkGroup", json_string(workgroup));
	if (req && database && *database)
		json_object_set_new(req, "QueryExecutionContext", json_pack("{s:s}", "Database", database));
	if (!req)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_t *resp = NULL;
	int rc = owlet_athena_call(c, "StartQueryExecution", req, &resp);
	json_decref(req);
	if (rc < 0)
		return rc;
	const char *qid = json_string_value(json_object_get(resp, "QueryExecutionId"));
	if (qid && !(*id = strdup(qid)))
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	else if (!qid)
		rc = owlet_error_setc(OWLET_EIO, "athena StartQueryExecution: no QueryExecutionId in the answer");
	json_decref(resp);
	return rc;
}

void owlet_athena_status_clear(struct owlet_athena_status *st)
{
	free(st->reason);
	free(st->query);
	memset(st, 0, sizeof *st);
}

int owlet_athena_status(struct owlet_athena_client *c, struct owlet_athena_status *st, const char *id)
{
	owlet_athena_status_clear(st);
	json_t *req = json_pack("{s:s}", "QueryExecutionId", id), *resp = NULL;
	int rc = req ? owlet_athena_call(c, "GetQueryExecution", req, &resp) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_decref(req);
	if (rc < 0)
		return rc;
	const json_t *qe = json_object_get(resp, "QueryExecution");
	const json_t *s = json_object_get(qe, "Status"), *stats = json_object_get(qe, "Statistics");
	const char *state = json_string_value(json_object_get(s, "State"));
	const char *reason = json_string_value(json_object_get(s, "StateChangeReason"));
	const char *query = json_string_value(json_object_get(qe, "Query"));
	snprintf(st->state, sizeof st->state, "%s", state ? state : "");
	st->reason = reason ? strdup(reason) : NULL;
	st->query = query ? strdup(query) : NULL;
	st->scanned = json_integer_value(json_object_get(stats, "DataScannedInBytes"));
	st->engine_ms = json_integer_value(json_object_get(stats, "EngineExecutionTimeInMillis"));
	json_decref(resp);
	if (!state)
		return owlet_error_setc(OWLET_EIO, "athena GetQueryExecution: no Status.State in the answer");
	return 0;
}

int owlet_athena_wait(struct owlet_athena_client *c, struct owlet_athena_status *st, const char *id,
		      int64_t until_ms)
{
	int64_t pause = 50;
	for (;;) {
		int rc = owlet_athena_status(c, st, id);
		if (rc < 0)
			return rc;
		if (strcmp(st->state, "QUEUED") != 0 && strcmp(st->state, "RUNNING") != 0)
			return 0;
		int64_t now = owlet_clock_wall_ms();
		if (until_ms && now + pause >= until_ms)
			return 1;
		struct timespec ts = { (time_t)(pause / 1000), (long)(pause % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		pause = pause * 2 > 1000 ? 1000 : pause * 2;
	}
}

int owlet_athena_results(struct owlet_athena_client *c, json_t **columns, json_t **rows, const char *id,
			 size_t max_rows)
{
	*columns = json_array();
	*rows = json_array();
	char *token = NULL;
	bool first = true;
	int rc = *columns && *rows ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	/* bounded: every page but the last has a NextToken and adds rows, and
	 * max_rows stops it */
	while (rc == 0) {
		json_t *req = json_pack("{s:s, s:i}", "QueryExecutionId", id, "MaxResults", 1000), *resp = NULL;
		if (req && token)
			json_object_set_new(req, "NextToken", json_string(token));
		rc = req ? owlet_athena_call(c, "GetQueryResults", req, &resp) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
		json_decref(req);
		if (rc < 0)
			break;
		const json_t *rs = json_object_get(resp, "ResultSet");
		if (first) {
			size_t i;
			json_t *ci;
			json_array_foreach(json_object_get(json_object_get(rs, "ResultSetMetadata"), "ColumnInfo"), i, ci) {
				json_array_append_new(*columns, json_pack("{s:O?, s:O?}", "name", json_object_get(ci, "Name"),
									  "type", json_object_get(ci, "Type")));
			}
		}
		size_t i, j;
		json_t *r, *d;
		json_array_foreach(json_object_get(rs, "Rows"), i, r) {
			if (first && i == 0)
				continue; /* the header row */
			if (json_array_size(*rows) >= max_rows) {
				rc = owlet_error_setc(OWLET_EINVALID, "the result has more than %zu rows", max_rows);
				break;
			}
			json_t *row = json_array();
			json_array_foreach(json_object_get(r, "Data"), j, d) {
				const json_t *v = json_object_get(d, "VarCharValue");
				json_array_append_new(row, v ? json_incref((json_t *)v) : json_null());
			}
			json_array_append_new(*rows, row);
		}
		first = false;
		free(token);
		const char *next = json_string_value(json_object_get(resp, "NextToken"));
		token = next ? strdup(next) : NULL;
		json_decref(resp);
		if (!token)
			break;
	}
	free(token);
	if (rc < 0) {
		json_decref(*columns);
		json_decref(*rows);
		*columns = *rows = NULL;
	}
	return rc;
}
