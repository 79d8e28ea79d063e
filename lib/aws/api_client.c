/* api_client.c: requests to a stack's HTTP API and presigned POSTs (see api_client.h). */
#include "aws/api_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "aws/client.h"
#include "aws/s3.h"
#include "base/buf.h"
#include "base/error.h"

#define ANSWER_MAX (16u << 20) /* the largest answer read: an API's JSON or an S3 error document */

static void common(CURL *h, struct owlet_aws_body *out)
{
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	out->max = ANSWER_MAX;
	owlet_aws_body_attach(h, out);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	const char *ca = owlet_aws_ca_bundle();
	if (ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
}

int owlet_api_call(long *status, json_t **answer, const char *api_url, const char *token, const char *method,
		   const char *path, const json_t *body)
{
	*status = 0;
	*answer = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return owlet_error_setc(OWLET_EIO, "cannot initialise libcurl");
	char *url = NULL, *auth = NULL, *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	size_t n = strlen(api_url);
	if (asprintf(&url, "%.*s%s", (int)(n && api_url[n - 1] == '/' ? n - 1 : n), api_url, path) < 0)
		url = NULL;
	if (asprintf(&auth, "Authorization: Bearer %s", token) < 0)
		auth = NULL;
	CURL *h = curl_easy_init();
	struct curl_slist *hdr = auth ? curl_slist_append(NULL, auth) : NULL;
	if (hdr && body)
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
	struct owlet_aws_body out = { 0 };
	int rc = 0;
	if (!url || !hdr || !h || (body && !text)) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto done;
	}
	common(h, &out);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 60000L);
	if (text)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, text);
	CURLcode cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		rc = owlet_error_setc(OWLET_EIO, "%s %s: %s", method, url,
				      out.over ? "the answer is larger than 16 MiB" : curl_easy_strerror(cc));
		goto done;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	if (out.buf.data)
		*answer = json_loadb(out.buf.data, out.buf.len, 0, NULL);
done:
	owlet_buf_free(&out.buf);
	curl_slist_free_all(hdr);
	if (h)
		curl_easy_cleanup(h);
	free(url);
	free(auth);
	free(text);
	return rc;
}

struct progress {
	owlet_upload_progress fn;
	void *cls;
};

static int on_progress(void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow;
	struct progress *pr = p;
	if (pr->fn && ultotal > 0)
		pr->fn(pr->cls, (long long)ulnow, (long long)ultotal);
	return 0;
}

/* <Tag>...</Tag> of an S3 error document into out */
static void xml_element(char *out, size_t size, const char *doc, const char *tag)
{
	char open[32], close[32];
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	const char *b = doc ? strstr(doc, open) : NULL, *e = b ? strstr(b, close) : NULL;
	out[0] = '\0';
	if (b && e && size)
		snprintf(out, size, "%.*s", (int)(e - b - strlen(open)), b + strlen(open));
}

int owlet_api_post_file(long *status, char *code, size_t code_size, char *message, size_t message_size,
			const char *url, const json_t *fields, const char *path, owlet_upload_progress progress,
			void *progress_cls)
{
	*status = 0;
	code[0] = message[0] = '\0';
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return owlet_error_setc(OWLET_ENOTFOUND, "'%s' is not a regular file", path);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return owlet_error_setc(OWLET_EIO, "cannot initialise libcurl");
	CURL *h = curl_easy_init();
	curl_mime *m = h ? curl_mime_init(h) : NULL;
	if (!m) {
		if (h)
			curl_easy_cleanup(h);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)fields, k, v) {
		curl_mimepart *p = curl_mime_addpart(m);
		curl_mime_name(p, k);
		curl_mime_data(p, json_string_value(v) ? json_string_value(v) : "", CURL_ZERO_TERMINATED);
	}
	curl_mimepart *p = curl_mime_addpart(m); /* the file last: S3 ignores the fields after it */
	curl_mime_name(p, "file");
	int rc = 0;
	if (curl_mime_filedata(p, path) != CURLE_OK) {
		rc = owlet_error_setc(OWLET_EIO, "cannot read '%s'", path);
		goto done;
	}
	struct owlet_aws_body out = { .truncate = true }; /* an error document: its start is enough */
	struct progress pr = { progress, progress_cls };
	common(h, &out);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_MIMEPOST, m);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, &pr);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, progress ? 0L : 1L);
	CURLcode cc = curl_easy_perform(h);
	if (cc != CURLE_OK)
		rc = owlet_error_setc(OWLET_EIO, "POST %s: %s", url, curl_easy_strerror(cc));
	else {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
		xml_element(code, code_size, out.buf.data, "Code");
		xml_element(message, message_size, out.buf.data, "Message");
	}
	owlet_buf_free(&out.buf);
done:
	curl_mime_free(m);
	curl_easy_cleanup(h);
	return rc;
}
