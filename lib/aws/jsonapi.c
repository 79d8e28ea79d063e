/* jsonapi.c: one AWS service on its JSON protocol over libcurl + CURLOPT_AWS_SIGV4 (see jsonapi.h). */
#include "aws/jsonapi.h"
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

#define ANSWER_MAX (16u << 20) /* the largest answer read: GetQueryResults pages are far smaller */

struct owlet_aws_jsonapi {
	CURL *curl;
	char *url;
	struct owlet_aws_auth auth;
	char type[96];
	char service[32];
	char target_prefix[48];
	char content_type[48];
	char errbuf[CURL_ERROR_SIZE];
	struct owlet_aws_body body; /* the answer, at most ANSWER_MAX bytes */
	struct owlet_aws_retry retry;
};

int owlet_aws_jsonapi_open(struct owlet_aws_jsonapi **out, const struct owlet_s3_config *cfg, const char *service,
			   const char *target_prefix, const char *content_type)
{
	*out = NULL;
	if (!cfg->access_key || !*cfg->access_key || !cfg->secret_key || !*cfg->secret_key)
		return owlet_error_setc(OWLET_EUSAGE, "no AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return owlet_error_set("cannot initialise libcurl");
	struct owlet_aws_jsonapi *c = calloc(1, sizeof *c);
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
		bad |= asprintf(&c->url, "https://%s.%s.amazonaws.com/", service, region) < 0;
	}
	if (bad) {
		free(c); /* the asprintf results are undefined on failure: leak rather than free garbage */
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	int rc = owlet_aws_auth_init(&c->auth, cfg->access_key, cfg->secret_key, cfg->session_token, region, service);
	if (rc < 0) {
		owlet_aws_jsonapi_free(c);
		return rc == OWLET_EINVALID ? owlet_error_setc(OWLET_EUSAGE, "the AWS credentials or the region are too long")
					    : rc;
	}
	snprintf(c->service, sizeof c->service, "%s", service);
	snprintf(c->target_prefix, sizeof c->target_prefix, "%s", target_prefix);
	snprintf(c->content_type, sizeof c->content_type, "%s", content_type);
	owlet_aws_retry_init(&c->retry, c);
	*out = c;
	return 0;
}

void owlet_aws_jsonapi_free(struct owlet_aws_jsonapi *c)
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

void owlet_aws_jsonapi_set_deadline(struct owlet_aws_jsonapi *c, int64_t deadline_ms)
{
	c->retry.deadline_ms = deadline_ms;
}

const char *owlet_aws_jsonapi_last_type(const struct owlet_aws_jsonapi *c)
{
	return c->type;
}

int owlet_aws_jsonapi_call(struct owlet_aws_jsonapi *c, const char *op, const json_t *req, json_t **resp)
{
	*resp = NULL;
	c->type[0] = '\0';
	char *text = json_dumps(req, JSON_COMPACT);
	char target[160], ctype[80];
	snprintf(ctype, sizeof ctype, "Content-Type: %s", c->content_type);
	snprintf(target, sizeof target, "X-Amz-Target: %s.%s", c->target_prefix, op);
	struct curl_slist *h = NULL;
	int ret = OWLET_ENOMEM;
	if (!text || !(h = curl_slist_append(NULL, target)) ||
	    !curl_slist_append(h, ctype) || !curl_slist_append(h, "Expect:") ||
	    owlet_aws_auth_apply(c->curl, &h, &c->auth) < 0) {
		owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	for (int attempt = 0; attempt < OWLET_AWS_ATTEMPTS; attempt++) {
		char what[128];
		snprintf(what, sizeof what, "%s %s", c->service, op);
		long timeout_ms = 0;
		if (attempt > 0 && !owlet_aws_retry_pause(&c->retry, attempt, what)) {
			ret = OWLET_EINTR;
			goto out;
		}
		if (!(timeout_ms = owlet_aws_attempt_timeout(&c->retry, 30000, what))) {
			ret = OWLET_EINTR;
			goto out;
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
			ret = owlet_error_setc(OWLET_EIO, "%s %s: the answer is larger than %u bytes", c->service, op,
					       ANSWER_MAX);
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
			strcmp(c->type, "TooManyRequestsException") == 0 ||
			strcmp(c->type, "ProvisionedThroughputExceededException") == 0 ||
			strcmp(c->type, "RequestLimitExceeded") == 0;
		if (attempt + 1 < OWLET_AWS_ATTEMPTS && retry && !(rc == CURLE_OK && status < 300)) {
			json_decref(doc);
			continue;
		}
		if (rc != CURLE_OK) {
			json_decref(doc);
			ret = owlet_error_setc(rc == CURLE_OPERATION_TIMEDOUT ? OWLET_EINTR : OWLET_EIO, "%s %s: %s", c->service, op,
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

