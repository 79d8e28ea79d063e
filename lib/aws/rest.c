/* rest.c: signed JSON calls to AWS services (see rest.h). */
#include "aws/rest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "aws/query.h"
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

int owlet_aws_json(json_t **out, const struct owlet_aws_service *svc, const char *target, const char *path,
		   const json_t *request)
{
	*out = NULL;
	const char *ak = svc->access_key ? svc->access_key : owlet_aws_env_or("AWS_ACCESS_KEY_ID", NULL);
	const char *sk = svc->secret_key ? svc->secret_key : owlet_aws_env_or("AWS_SECRET_ACCESS_KEY", NULL);
	const char *token = svc->access_key ? NULL : owlet_aws_env_or("AWS_SESSION_TOKEN", NULL);
	if (!ak || !sk)
		return owlet_error_setc(OWLET_EUSAGE, "no AWS credentials: set AWS_ACCESS_KEY_ID and "
						      "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)");
	char url[1024], sigv4[96], userpwd[512], line[4096];
	if (svc->endpoint)
		snprintf(url, sizeof url, "%s%s", svc->endpoint, target ? "/" : path);
	else
		snprintf(url, sizeof url, "https://%s.%s.amazonaws.com%s", svc->service, svc->region, target ? "/" : path);
	snprintf(sigv4, sizeof sigv4, "aws:amz:%s:%s", svc->region, svc->service);
	snprintf(userpwd, sizeof userpwd, "%s:%s", ak, sk);
	char *body = target ? json_dumps(request, JSON_COMPACT) : NULL;
	struct owlet_buf resp = { 0 };
	struct curl_slist *headers = NULL;
	CURL *h = curl_easy_init();
	int rc = h && (!target || body) ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	long status = 0;
	if (rc == 0) {
		if (target) {
			headers = curl_slist_append(headers, "Content-Type: application/x-amz-json-1.1");
			snprintf(line, sizeof line, "X-Amz-Target: %s", target);
			headers = curl_slist_append(headers, line);
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		}
		if (token) {
			snprintf(line, sizeof line, "X-Amz-Security-Token: %s", token);
			headers = curl_slist_append(headers, line);
		}
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
		curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
		CURLcode cc = curl_easy_perform(h);
		if (cc != CURLE_OK)
			rc = owlet_error_setc(OWLET_EIO, "cannot reach %s at '%s': %s", svc->service, url,
					      curl_easy_strerror(cc));
		else
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	}
	json_t *doc = rc == 0 ? json_loadb(resp.data ? resp.data : "", resp.len, 0, NULL) : NULL;
	if (rc == 0 && status != 200) {
		const char *type = json_string_value(json_object_get(doc, "__type"));
		const char *msg = json_string_value(json_object_get(doc, "message"));
		if (!msg)
			msg = json_string_value(json_object_get(doc, "Message"));
		rc = owlet_error_setc(OWLET_EINVALID, "%s %s: HTTP %ld %s: %s", svc->service, target ? target : path,
				      status, type ? type : "error", msg ? msg : "no message");
	} else if (rc == 0 && !doc) {
		rc = owlet_error_setc(OWLET_EIO, "%s %s: the answer is not JSON", svc->service, target ? target : path);
	}
	if (rc == 0)
		*out = doc;
	else
		json_decref(doc);
	curl_slist_free_all(headers);
	curl_easy_cleanup(h);
	owlet_buf_free(&resp);
	free(body);
	return rc;
}
