/* query.c: AWS Query API calls over libcurl + SigV4 (see query.h). */
#include "aws/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "base/buf.h"
#include "base/error.h"

#define ANSWER_MAX (8u << 20)

static size_t collect(char *p, size_t size, size_t n, void *userdata)
{
	struct owlet_buf *b = userdata;
	if (b->len + size * n > ANSWER_MAX || owlet_buf_append(b, p, size * n) < 0)
		return 0;
	return size * n;
}

void owlet_aws_xml_text(char *out, size_t size, const char *xml, const char *tag)
{
	char open[64], close[64];
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	out[0] = '\0';
	const char *a = strstr(xml, open);
	const char *b = a ? strstr(a, close) : NULL;
	if (a && b)
		snprintf(out, size, "%.*s", (int)(b - a - (long)strlen(open)), a + strlen(open));
}

const char *owlet_aws_env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

int owlet_aws_http(struct owlet_buf *resp, long *status, const struct owlet_aws_query *q, const char *content_type,
		   const char *target, const char *body)
{
	*status = 0;
	const char *ak = q->access_key ? q->access_key : owlet_aws_env_or("AWS_ACCESS_KEY_ID", NULL);
	const char *sk = q->secret_key ? q->secret_key : owlet_aws_env_or("AWS_SECRET_ACCESS_KEY", NULL);
	const char *token = q->access_key ? q->session_token : owlet_aws_env_or("AWS_SESSION_TOKEN", NULL);
	if (!ak || !sk)
		return owlet_error_setc(OWLET_EUSAGE,
					"no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and "
					"AWS_SESSION_TOKEN for temporary ones); from a profile: eval \"$(aws configure "
					"export-credentials --profile NAME --format env)\"");
	char sigv4[96], userpwd[512], line[4096];
	snprintf(sigv4, sizeof sigv4, "aws:amz:%s:%s", q->region, q->service);
	snprintf(userpwd, sizeof userpwd, "%s:%s", ak, sk);
	CURL *h = curl_easy_init();
	struct curl_slist *headers = NULL;
	if (body) {
		snprintf(line, sizeof line, "Content-Type: %s", content_type);
		headers = curl_slist_append(headers, line);
	}
	if (target) {
		snprintf(line, sizeof line, "X-Amz-Target: %s", target);
		headers = curl_slist_append(headers, line);
	}
	if (token && token[0]) {
		snprintf(line, sizeof line, "X-Amz-Security-Token: %s", token);
		headers = curl_slist_append(headers, line);
	}
	int rc = h ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0) {
		curl_easy_setopt(h, CURLOPT_URL, q->url);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
		curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
		if (body)
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		CURLcode cc = curl_easy_perform(h);
		if (cc != CURLE_OK)
			rc = owlet_error_setc(OWLET_EIO, "cannot reach %s at '%s': %s", q->service, q->url,
					      curl_easy_strerror(cc));
		else
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(h);
	return rc;
}

int owlet_aws_query_call(char **answer, long *status, const struct owlet_aws_query *q, const char *body)
{
	*answer = NULL;
	struct owlet_buf b = { 0 };
	int rc = owlet_aws_http(&b, status, q, "application/x-www-form-urlencoded", NULL, body);
	if (rc == 0 && !b.data && owlet_buf_append(&b, "", 0) < 0)
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0)
		*answer = b.data;
	else
		owlet_buf_free(&b);
	return rc;
}
