/*
 * lambda_fixture.h: a minimal Lambda runtime client for tests (header-only),
 * so that a test program can be its own test Lambda: when started with
 * AWS_LAMBDA_RUNTIME_API in its environment it speaks the Runtime API over
 * real HTTP with libcurl.  Also: a task root whose bootstrap is the test
 * program itself, and removing a temporary directory.
 */
#ifndef OWLET_LAMBDA_FIXTURE_H
#define OWLET_LAMBDA_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

struct buf {
	char *data;
	size_t len;
};

static json_t *lambda_headers __attribute__((unused));

static inline size_t header_line(char *p, size_t size, size_t n, void *userdata)
{
	(void)userdata;
	size_t len = size * n;
	char *colon = memchr(p, ':', len);
	if (colon) {
		char name[128], value[512];
		snprintf(name, sizeof name, "%.*s", (int)(colon - p), p);
		const char *v = colon + 1;
		while (*v == ' ')
			v++;
		size_t vlen = len - (size_t)(v - p);
		while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n'))
			vlen--;
		snprintf(value, sizeof value, "%.*s", (int)vlen, v);
		for (char *c = name; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		json_object_set_new(lambda_headers, name, json_string(value));
	}
	return len;
}

static inline long lambda_http(CURL *h, const char *method, const char *path, const char *body, size_t len,
			const char *error_type, struct buf *resp)
{
	char url[256];
	snprintf(url, sizeof url, "http://%s/2018-06-01/runtime/%s", getenv("AWS_LAMBDA_RUNTIME_API"), path);
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	/* the body goes to a memory stream through curl's default fwrite */
	FILE *mem = open_memstream(&resp->data, &resp->len);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, mem);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_line);
	struct curl_slist *hdrs = NULL;
	char line[128];
	if (error_type) {
		snprintf(line, sizeof line, "Lambda-Runtime-Function-Error-Type: %s", error_type);
		hdrs = curl_slist_append(hdrs, line);
	}
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	long status = 0;
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	fclose(mem);
	curl_slist_free_all(hdrs);
	return status;
}

static inline long post_json(CURL *h, const char *path, json_t *doc, const char *error_type)
{
	char *s = json_dumps(doc, JSON_COMPACT);
	struct buf r = { 0 };
	long status = lambda_http(h, "POST", path, s, strlen(s), error_type, &r);
	free(s);
	free(r.data);
	json_decref(doc);
	return status;
}

/* GET /invocation/next: the event (caller decrefs) and its request id in
 * id; NULL when the server is gone.  lambda_headers holds the headers. */
static inline json_t *fixture_next(CURL *h, char *id, size_t id_size)
{
	struct buf ev = { 0 };
	json_decref(lambda_headers);
	lambda_headers = json_object();
	long status = lambda_http(h, "GET", "invocation/next", NULL, 0, NULL, &ev);
	json_t *event = status == 200 ? json_loadb(ev.data ? ev.data : "", ev.len, JSON_DECODE_ANY, NULL) : NULL;
	free(ev.data);
	const char *rid = json_string_value(json_object_get(lambda_headers, "lambda-runtime-aws-request-id"));
	snprintf(id, id_size, "%s", rid ? rid : "none");
	return event;
}

/* dir/task whose bootstrap is a link to `program` (a test passes its own
 * argv[0]); the task root's path in root. */
static inline int fixture_task_root(char *root, size_t size, const char *dir, const char *program)
{
	char self[4096], link[4200];
	if (!realpath(program, self))
		return -1;
	snprintf(root, size, "%s/task", dir);
	mkdir(root, 0755);
	snprintf(link, sizeof link, "%s/bootstrap", root);
	return symlink(self, link);
}

static inline void fixture_remove_tree(const char *dir)
{
	pid_t p = fork();
	if (p == 0) {
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
		_exit(127);
	}
	while (p > 0 && waitpid(p, NULL, 0) < 0)
		;
}

#endif
