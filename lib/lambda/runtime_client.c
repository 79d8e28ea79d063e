/* runtime_client.c: the Lambda Runtime API over one reused CURL handle (see
 * runtime_client.h). */
#include "lambda/runtime_client.h"
#include "base/buf.h"
#include "base/error.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define RUNTIME_PREFIX "/2018-06-01/runtime"

struct owlet_runtime_client {
	CURL *curl;
	char *base; /* "http://host:port/2018-06-01/runtime" */
	char errbuf[CURL_ERROR_SIZE];
	/* the body of the current answer */
	struct owlet_buf body;
	/* where the headers of `next` go, or NULL */
	struct owlet_invocation *inv;
};

/* "Name: value\r\n" -> a new string with the value when the name matches. */
static int header_value(char **dst, const char *line, size_t len, const char *name)
{
	size_t nlen = strlen(name);
	if (len <= nlen || line[nlen] != ':' || strncasecmp(line, name, nlen) != 0)
		return 0;
	const char *v = line + nlen + 1;
	const char *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	char *s = strndup(v, (size_t)(end - v));
	if (!s)
		return -1;
	free(*dst);
	*dst = s;
	return 1;
}

static size_t on_header(char *data, size_t size, size_t n, void *userp)
{
	struct owlet_runtime_client *rt = userp;
	size_t len = size * n;
	struct owlet_invocation *inv = rt->inv;
	if (!inv)
		return len;
	char *deadline = NULL;
	if (header_value(&inv->request_id, data, len, "Lambda-Runtime-Aws-Request-Id") < 0 ||
	    header_value(&inv->trace_id, data, len, "Lambda-Runtime-Trace-Id") < 0 ||
	    header_value(&inv->function_arn, data, len, "Lambda-Runtime-Invoked-Function-Arn") < 0 ||
	    header_value(&deadline, data, len, "Lambda-Runtime-Deadline-Ms") < 0)
		return 0;
	if (deadline) {
		inv->deadline_ms = strtoll(deadline, NULL, 10);
		free(deadline);
	}
	return len;
}

int owlet_runtime_client_open(struct owlet_runtime_client **out, const char *api)
{
	*out = NULL;
	if (!api || !*api)
		return owlet_error_setc(OWLET_EUSAGE, "AWS_LAMBDA_RUNTIME_API is not set");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return owlet_error_set("cannot initialise libcurl");
	struct owlet_runtime_client *rt = calloc(1, sizeof *rt);
	if (!rt)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	rt->curl = curl_easy_init();
	if (!rt->curl || asprintf(&rt->base, "http://%s" RUNTIME_PREFIX, api) < 0) {
		rt->base = NULL;
		owlet_runtime_client_free(rt);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	CURL *c = rt->curl;
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, ""); /* the Runtime API is never proxied */
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, rt->errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, owlet_buf_curl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &rt->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, rt);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	*out = rt;
	return 0;
}

void owlet_runtime_client_free(struct owlet_runtime_client *rt)
{
	if (!rt)
		return;
	if (rt->curl)
		curl_easy_cleanup(rt->curl);
	free(rt->base);
	owlet_buf_free(&rt->body);
	free(rt);
}

void owlet_invocation_clear(struct owlet_invocation *inv)
{
	free(inv->request_id);
	free(inv->trace_id);
	free(inv->function_arn);
	free(inv->event);
	memset(inv, 0, sizeof *inv);
}

/* One request on the shared handle.  body == NULL: GET, else POST.
 * Returns the HTTP status, or OWLET_EIO. */
static int request(struct owlet_runtime_client *rt, const char *path, const char *body, size_t len,
		   struct curl_slist *headers)
{
	char *url = NULL;
	if (asprintf(&url, "%s%s", rt->base, path) < 0)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	CURL *c = rt->curl;
	owlet_buf_reset(&rt->body);
	rt->errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	long status = 0;
	int ret;
	if (rc != CURLE_OK) {
		ret = owlet_error_setc(OWLET_EIO, "runtime API '%s': %s", url,
				       rt->errbuf[0] ? rt->errbuf : curl_easy_strerror(rc));
		goto out_url;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	ret = (int)status;
out_url:
	free(url);
	return ret;
}

int owlet_runtime_client_next(struct owlet_runtime_client *rt, struct owlet_invocation *inv)
{
	memset(inv, 0, sizeof *inv);
	rt->inv = inv;
	int status = request(rt, "/invocation/next", NULL, 0, NULL);
	rt->inv = NULL;
	if (status < 0)
		goto fail;
	if (status != 200) {
		status = owlet_error_setc(OWLET_EIO, "runtime API 'invocation/next' answered %d", status);
		goto fail;
	}
	if (!inv->request_id || !inv->request_id[0]) {
		status = owlet_error_setc(OWLET_EIO, "runtime API 'invocation/next' sent no Lambda-Runtime-Aws-Request-Id");
		goto fail;
	}
	/* all of the bytes (a NUL inside must not shorten the copy) */
	inv->event = malloc(rt->body.len + 1);
	if (inv->event) {
		if (rt->body.len)
			memcpy(inv->event, rt->body.data, rt->body.len);
		inv->event[rt->body.len] = '\0';
	}
	if (!inv->event) {
		status = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto fail;
	}
	inv->event_len = rt->body.len;
	if (!inv->trace_id && !(inv->trace_id = strdup("")))
		goto fail;
	if (!inv->function_arn && !(inv->function_arn = strdup("")))
		goto fail;
	return 0;
fail:
	owlet_invocation_clear(inv);
	return status < 0 ? status : OWLET_ENOMEM;
}

/* Checks a POST's status: 202 is accepted, anything else an error. */
static int posted(int status, const char *what)
{
	if (status < 0)
		return status;
	if (status != 202)
		return owlet_error_setc(OWLET_EIO, "runtime API '%s' answered %d", what, status);
	return 0;
}

/* A request id goes into a path: refuse anything that could change it. */
static int check_id(const char *id)
{
	if (!id || !*id || strlen(id) > 200)
		return owlet_error_setc(OWLET_EINVALID, "invalid request id");
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			return owlet_error_setc(OWLET_EINVALID, "invalid request id '%s'", id);
	return 0;
}

int owlet_runtime_client_respond(struct owlet_runtime_client *rt, const char *request_id, const char *body,
			  size_t len)
{
	int rc = check_id(request_id);
	if (rc < 0)
		return rc;
	char *path = NULL;
	if (asprintf(&path, "/invocation/%s/response", request_id) < 0)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	struct curl_slist *h2 = h ? curl_slist_append(h, "Expect:") : NULL;
	if (!h2) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	rc = posted(request(rt, path, body ? body : "", body ? len : 0, h2), "response");
out:
	curl_slist_free_all(h);
	free(path);
	return rc;
}

static int post_error(struct owlet_runtime_client *rt, const char *path, const char *what,
		      const char *error_type, const char *message)
{
	int rc = OWLET_ENOMEM;
	char *body = NULL, *hdr = NULL;
	struct curl_slist *h = NULL;
	json_t *j = json_pack("{s:s, s:s, s:[]}", "errorMessage", message ? message : "",
			      "errorType", error_type ? error_type : "Runtime.Unknown", "stackTrace");
	if (!j)
		goto out;
	body = json_dumps(j, JSON_COMPACT);
	if (!body)
		goto out;
	/* the header value must be one line */
	if (asprintf(&hdr, "Lambda-Runtime-Function-Error-Type: %s", error_type ? error_type : "Runtime.Unknown") < 0) {
		hdr = NULL;
		goto out;
	}
	for (char *p = hdr; *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	struct curl_slist *h1 = curl_slist_append(NULL, hdr);
	if (!h1)
		goto out;
	h = h1;
	struct curl_slist *h2 = curl_slist_append(h, "Content-Type: application/json");
	if (!h2 || !curl_slist_append(h, "Expect:"))
		goto out;
	rc = posted(request(rt, path, body, strlen(body), h), what);
out:
	if (rc == OWLET_ENOMEM)
		owlet_error_setc(OWLET_ENOMEM, "out of memory");
	curl_slist_free_all(h);
	free(hdr);
	free(body);
	json_decref(j);
	return rc;
}

int owlet_runtime_client_fail(struct owlet_runtime_client *rt, const char *request_id, const char *error_type,
		       const char *message)
{
	int rc = check_id(request_id);
	if (rc < 0)
		return rc;
	char *path = NULL;
	if (asprintf(&path, "/invocation/%s/error", request_id) < 0)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	rc = post_error(rt, path, "error", error_type, message);
	free(path);
	return rc;
}

int owlet_runtime_client_init_error(struct owlet_runtime_client *rt, const char *error_type, const char *message)
{
	return post_error(rt, "/init/error", "init/error", error_type, message);
}
