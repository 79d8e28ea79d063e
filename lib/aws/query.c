/* query.c: AWS Query API calls over libcurl + SigV4 (see query.h). */
#include "aws/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "aws/client.h"
#include "base/buf.h"
#include "base/error.h"

#define ANSWER_MAX (8u << 20)

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
	const char *v = owlet_aws_env(name);
	return v ? v : fallback;
}

int owlet_aws_http(struct owlet_buf *resp, long *status, const struct owlet_aws_query *q, const char *content_type,
		   const char *target, const char *body)
{
	*status = 0;
	const char *ak = q->access_key ? q->access_key : owlet_aws_env("AWS_ACCESS_KEY_ID");
	const char *sk = q->secret_key ? q->secret_key : owlet_aws_env("AWS_SECRET_ACCESS_KEY");
	const char *token = q->access_key ? q->session_token : owlet_aws_env("AWS_SESSION_TOKEN");
	if (!ak || !sk)
		return owlet_error_setc(OWLET_EUSAGE,
					"no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and "
					"AWS_SESSION_TOKEN for temporary ones); from a profile: eval \"$(aws configure "
					"export-credentials --profile NAME --format env)\"");
	/* the signing, the CA bundle and the bounded body are client.h's */
	struct owlet_aws_auth auth;
	int rc = owlet_aws_auth_init(&auth, ak, sk, token, q->region, q->service);
	if (rc == OWLET_EINVALID)
		return owlet_error_setc(OWLET_EUSAGE, "the AWS credentials or the region are empty or too long");
	if (rc < 0)
		return rc;
	char line[4096];
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
	rc = h ? owlet_aws_auth_apply(h, &headers, &auth) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	struct owlet_aws_body answer = { .max = ANSWER_MAX };
	if (rc == 0) {
		curl_easy_setopt(h, CURLOPT_URL, q->url);
		owlet_aws_body_attach(h, &answer);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
		if (body)
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		CURLcode cc = curl_easy_perform(h);
		if (answer.over)
			rc = owlet_error_setc(OWLET_EIO, "%s at '%s' answered with more than %u bytes", q->service, q->url,
					      ANSWER_MAX);
		else if (cc != CURLE_OK)
			rc = owlet_error_setc(OWLET_EIO, "cannot reach %s at '%s': %s", q->service, q->url,
					      curl_easy_strerror(cc));
		else
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(h);
	owlet_aws_auth_free(&auth);
	if (rc == 0 && !resp->data) {
		*resp = answer.buf; /* moved, not copied */
		answer.buf = (struct owlet_buf){ 0 };
	} else if (rc == 0 && answer.buf.len && owlet_buf_append(resp, answer.buf.data, answer.buf.len) < 0) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	owlet_buf_free(&answer.buf);
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
