/* sts.c: STS GetCallerIdentity over libcurl + SigV4 (see sts.h). */
#include "aws/sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "base/error.h"

/* an identity is small: the rest of a longer answer is not needed */
#define STS_BODY_MAX 16383

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

int owlet_sts_caller_identity(struct owlet_sts_identity *out, const char *region)
{
	memset(out, 0, sizeof *out);
	const char *ak = owlet_aws_env("AWS_ACCESS_KEY_ID"), *sk = owlet_aws_env("AWS_SECRET_ACCESS_KEY");
	if (!ak || !sk)
		return owlet_error_setc(OWLET_EUSAGE,
					"no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and "
					"AWS_SESSION_TOKEN for temporary ones); from a profile: eval \"$(aws configure "
					"export-credentials --profile NAME --format env)\"");
	char url[512];
	const char *endpoint = owlet_aws_env("AWS_ENDPOINT_URL_STS");
	if (!endpoint)
		endpoint = owlet_aws_env("AWS_ENDPOINT_URL");
	if (endpoint)
		snprintf(url, sizeof url, "%s", endpoint);
	else
		snprintf(url, sizeof url, "https://sts.%s.amazonaws.com/", region);
	struct owlet_aws_auth auth;
	int rc = owlet_aws_auth_init(&auth, ak, sk, owlet_aws_env("AWS_SESSION_TOKEN"), region, "sts");
	if (rc == OWLET_EINVALID)
		return owlet_error_setc(OWLET_EUSAGE, "the AWS credentials or the region are empty or too long");
	if (rc < 0)
		return rc;
	struct owlet_aws_body body = { .max = STS_BODY_MAX, .truncate = true };
	CURL *h = curl_easy_init();
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
	rc = h && headers ? owlet_aws_auth_apply(h, &headers, &auth) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	long status = 0;
	if (rc == 0) {
		curl_easy_setopt(h, CURLOPT_URL, url);
		owlet_aws_body_attach(h, &body);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 15L);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "Action=GetCallerIdentity&Version=2011-06-15");
		CURLcode cc = curl_easy_perform(h);
		if (cc != CURLE_OK)
			rc = owlet_error_setc(OWLET_EIO, "cannot reach STS at '%s' to check the AWS credentials: %s", url,
					      curl_easy_strerror(cc));
		else
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	}
	const char *xml = body.buf.data ? body.buf.data : "";
	if (rc == 0 && status != 200) {
		char code[128], msg[512];
		xml_text(code, sizeof code, xml, "Code");
		xml_text(msg, sizeof msg, xml, "Message");
		rc = owlet_error_setc(OWLET_EINVALID, "AWS refuses the credentials of AWS_ACCESS_KEY_ID (STS %ld %s: %s)",
				      status, code[0] ? code : "error", msg[0] ? msg : "no message");
	}
	if (rc == 0) {
		xml_text(out->account, sizeof out->account, xml, "Account");
		xml_text(out->arn, sizeof out->arn, xml, "Arn");
		if (!out->account[0])
			rc = owlet_error_setc(OWLET_EIO, "STS at '%s' answered without an account", url);
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(h);
	owlet_buf_free(&body.buf);
	owlet_aws_auth_free(&auth);
	return rc;
}
