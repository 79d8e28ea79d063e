/* sts.c: STS GetCallerIdentity over libcurl + SigV4 (see sts.h). */
#include "aws/sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "base/error.h"

struct answer {
	char data[16384];
	size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *userdata)
{
	struct answer *a = userdata;
	size_t take = size * n;
	if (take > sizeof a->data - 1 - a->len)
		take = sizeof a->data - 1 - a->len; /* an identity is small: the rest is not needed */
	memcpy(a->data + a->len, p, take);
	a->len += take;
	a->data[a->len] = '\0';
	return size * n;
}

/* The text of the first <tag>...</tag> in xml into out ("" when absent). */
static void xml_text(char *out, size_t size, const char *xml, const char *tag)
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

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

int owlet_sts_caller_identity(struct owlet_sts_identity *out, const char *region)
{
	memset(out, 0, sizeof *out);
	const char *ak = env_or("AWS_ACCESS_KEY_ID", NULL), *sk = env_or("AWS_SECRET_ACCESS_KEY", NULL);
	if (!ak || !sk)
		return owlet_error_setc(OWLET_EUSAGE,
					"no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and "
					"AWS_SESSION_TOKEN for temporary ones); from a profile: eval \"$(aws configure "
					"export-credentials --profile NAME --format env)\"");
	char url[512], sigv4[96], userpwd[512], line[4096];
	const char *endpoint = env_or("AWS_ENDPOINT_URL_STS", env_or("AWS_ENDPOINT_URL", NULL));
	if (endpoint)
		snprintf(url, sizeof url, "%s", endpoint);
	else
		snprintf(url, sizeof url, "https://sts.%s.amazonaws.com/", region);
	snprintf(sigv4, sizeof sigv4, "aws:amz:%s:sts", region);
	snprintf(userpwd, sizeof userpwd, "%s:%s", ak, sk);
	struct answer *a = calloc(1, sizeof *a);
	CURL *h = curl_easy_init();
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
	const char *token = env_or("AWS_SESSION_TOKEN", NULL);
	if (token && headers) {
		snprintf(line, sizeof line, "X-Amz-Security-Token: %s", token);
		headers = curl_slist_append(headers, line);
	}
	int rc = a && h && headers ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	long status = 0;
	if (rc == 0) {
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 15L);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
		curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "Action=GetCallerIdentity&Version=2011-06-15");
		CURLcode cc = curl_easy_perform(h);
		if (cc != CURLE_OK)
			rc = owlet_error_setc(OWLET_EIO, "cannot reach STS at '%s' to check the AWS credentials: %s", url,
					      curl_easy_strerror(cc));
		else
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	}
	if (rc == 0 && status != 200) {
		char code[128], msg[512];
		xml_text(code, sizeof code, a->data, "Code");
		xml_text(msg, sizeof msg, a->data, "Message");
		rc = owlet_error_setc(OWLET_EINVALID, "AWS refuses the credentials of AWS_ACCESS_KEY_ID (STS %ld %s: %s)",
				      status, code[0] ? code : "error", msg[0] ? msg : "no message");
	}
	if (rc == 0) {
		xml_text(out->account, sizeof out->account, a->data, "Account");
		xml_text(out->arn, sizeof out->arn, a->data, "Arn");
		if (!out->account[0])
			rc = owlet_error_setc(OWLET_EIO, "STS at '%s' answered without an account", url);
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(h);
	free(a);
	return rc;
}
