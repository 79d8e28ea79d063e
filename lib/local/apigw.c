/* apigw.c: the local stand-in for API Gateway's HTTP API (see apigw.h). */
#include "local/apigw.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>


#include "base/error.h"
#include "base/hex.h"
#include "base/random.h"
#include "local/http.h"
#include "model/model.h"
#include "model/openapi.h"

#define MAX_BODY (10 * 1024 * 1024)
/* Lambda's synchronous invoke refuses a payload that is not "smaller than
 * 6291556 bytes" (RequestEntityTooLargeException) */
#define MAX_EVENT 6291556

const char *const owlet_localapi_routes[] = {
	"GET /datasets",
	"GET /openapi.json",
	"GET /datasets/{name}",
	"GET /datasets/{name}/stats",
	"POST /datasets/{name}/records",
	"GET /datasets/{name}/rows",
	"GET /datasets/{name}/aggregate",
	"GET /queries/{id}",
	NULL,
};

struct owlet_localapi {
	struct owlet_localapi_config cfg;
	char **routes;
	size_t n_routes;
	char *api_id, *account_id;
	struct MHD_Daemon *daemon;
	uint16_t port;
	pthread_mutex_t throttle_lock;
	double tokens;
	struct timespec refilled;
};

struct api_request {
	char *uri;       /* the request line's target, as sent (up to a NUL) */
	const char *uri_end; /* in MHD's buffer: where that target ends */
	bool started;
	struct owlet_http_body body;
	struct timespec start;
};

/* ---- routes ---- */

/* Length of the next path segment of s (up to '/' or the end). */
static size_t segment(const char *s)
{
	const char *slash = strchr(s, '/');
	return slash ? (size_t)(slash - s) : strlen(s);
}

static bool match_route(json_t *params, const char *pattern, const char *path)
{
	while (*pattern && *path) {
		if (*pattern != '/' || *path != '/')
			return false;
		pattern++;
		path++;
		size_t pl = segment(pattern), sl = segment(path);
		if (pl > 2 && pattern[0] == '{' && pattern[pl - 1] == '}') {
			if (sl == 0)
				return false;
			char name[64];
			snprintf(name, sizeof name, "%.*s", (int)(pl - 2), pattern + 1);
			json_object_set_new(params, name, json_stringn(path, sl));
		} else if (pl != sl || strncmp(pattern, path, pl) != 0) {
			return false;
		}
		pattern += pl;
		path += sl;
	}
	return !*pattern && !*path;
}

int owlet_localapi_route(const char **route_key, json_t **path_params, const char *const *routes, size_t n_routes,
			 const char *method, const char *path)
{
	*route_key = NULL;
	*path_params = NULL;
	if (!routes) {
		routes = owlet_localapi_routes;
		n_routes = sizeof owlet_localapi_routes / sizeof owlet_localapi_routes[0] - 1;
	}
	size_t mlen = strlen(method);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n_routes; i++) {
			const char *key = routes[i];
			bool templated = strchr(key, '{') != NULL;
			if (templated != (pass == 1) || strncmp(key, method, mlen) != 0 || key[mlen] != ' ')
				continue;
			json_t *params = json_object();
			if (params && match_route(params, key + mlen + 1, path)) {
				*route_key = key;
				*path_params = params;
				return 0;
			}
			json_decref(params);
		}
	}
	return owlet_error_setc(OWLET_ENOTFOUND, "no route for '%s %s'", method, path);
}

char **owlet_localapi_model_routes(size_t *n, const struct owlet_model *model)
{
	return owlet_model_routes(n, model);
}

/* ---- the event ---- */

/* Percent- and '+'-decoding of a query component, new string. */
static char *query_decode(const char *s, size_t n)
{
	char *out = NULL;
	if (owlet_percent_decode(&out, NULL, s, n, OWLET_PCT_PLUS_SPACE) < 0)
		owlet_error_clear();
	return out;
}

/* Adds name=value to obj, joining a repeated name's values with ",". */
static void add_joined(json_t *obj, const char *name, const char *value)
{
	const char *old = json_string_value(json_object_get(obj, name));
	if (!old) {
		json_object_set_new(obj, name, json_string(value));
		return;
	}
	char *joined = NULL;
	if (asprintf(&joined, "%s,%s", old, value) >= 0) {
		json_object_set_new(obj, name, json_string(joined));
		free(joined);
	}
}

static bool is_utf8_text(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	bool ok = j != NULL;
	json_decref(j);
	return ok && memchr(s, '\0', n) == NULL;
}

static json_t *query_parameters(const char *raw)
{
	if (!raw || !*raw)
		return NULL;
	json_t *q = json_object();
	for (const char *p = raw; q && *p;) {
		const char *amp = strchr(p, '&');
		size_t n = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		size_t kn = eq ? (size_t)(eq - p) : n;
		if (kn > 0) {
			char *k = query_decode(p, kn);
			char *v = eq ? query_decode(eq + 1, n - kn - 1) : strdup("");
			if (k && v && is_utf8_text(k, strlen(k)) && is_utf8_text(v, strlen(v)))
				add_joined(q, k, v);
			free(k);
			free(v);
		}
		p += n;
		if (*p == '&')
			p++;
	}
	return q;
}

/* A claim as API Gateway's HTTP API passes it: strings as they are, numbers
 * and booleans as their text, arrays as "[a b c]". */
static json_t *claim_string(json_t *v)
{
	if (json_is_string(v))
		return json_incref(v);
	if (json_is_array(v)) {
		char *s = NULL;
		size_t n = 0, i;
		FILE *f = open_memstream(&s, &n);
		if (!f)
			return NULL;
		json_t *item;
		fputc('[', f);
		json_array_foreach(v, i, item) {
			if (i)
				fputc(' ', f);
			if (json_is_string(item)) {
				/* every byte: a NUL inside must not cut the name short */
				fwrite(json_string_value(item), 1, json_string_length(item), f);
			} else {
				char *t = json_dumps(item, JSON_ENCODE_ANY | JSON_COMPACT);
				if (t)
					fputs(t, f);
				free(t);
			}
		}
		fputc(']', f);
		fclose(f);
		json_t *r = s ? json_stringn(s, n) : NULL;
		free(s);
		return r;
	}
	char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	json_t *r = t ? json_string(t) : NULL;
	free(t);
	return r;
}

static json_t *stringify_claims(json_t *claims)
{
	json_t *out = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(claims, k, v) {
		json_object_set_new(out, k, claim_string(v));
	}
	return out;
}

json_t *owlet_localapi_event(const struct owlet_http_request *req, const char *route_key, json_t *path_params,
			     json_t *claims, const char *api_id, const char *account_id, const char *request_id,
			     int64_t epoch_ms)
{
	char when[64];
	time_t secs = (time_t)(epoch_ms / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S +0000", &tm);
	const char *host = json_string_value(json_object_get(req->headers, "host"));
	const char *domain = host ? host : "localhost";
	const char *agent = json_string_value(json_object_get(req->headers, "user-agent"));
	json_t *headers = json_deep_copy(req->headers);
	json_t *cookies = NULL;
	const char *cookie = json_string_value(json_object_get(headers, "cookie"));
	if (cookie) {
		cookies = json_array();
		for (const char *p = cookie; *p;) {
			while (*p == ' ' || *p == ';')
				p++;
			size_t n = strcspn(p, ";");
			while (n > 0 && p[n - 1] == ' ')
				n--;
			if (n)
				json_array_append_new(cookies, json_stringn(p, n));
			p += strcspn(p, ";");
		}
		json_object_del(headers, "cookie");
	}
	json_t *http = json_pack("{s:s, s:s, s:s, s:s, s:s}", "method", req->method, "path", req->raw_path, "protocol",
				 req->protocol ? req->protocol : "HTTP/1.1", "sourceIp",
				 req->source_ip ? req->source_ip : "127.0.0.1", "userAgent", agent ? agent : "");
	char prefix[128];
	snprintf(prefix, sizeof prefix, "%.*s", (int)strcspn(domain, ".:"), domain);
	json_t *ctx = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:I}", "accountId", account_id, "apiId",
				api_id, "domainName", domain, "domainPrefix", prefix, "http", http, "requestId",
				request_id, "routeKey", route_key, "stage", "$default", "time", when, "timeEpoch",
				(json_int_t)epoch_ms);
	if (claims)
		json_object_set_new(ctx, "authorizer",
				    json_pack("{s:{s:o, s:n}}", "jwt", "claims", stringify_claims(claims), "scopes"));
	json_t *event = json_pack("{s:s, s:s, s:s, s:s, s:o}", "version", "2.0", "routeKey", route_key, "rawPath",
				  req->raw_path, "rawQueryString", req->raw_query ? req->raw_query : "", "headers",
				  headers);
	if (!event || !ctx) {
		json_decref(event);
		json_decref(ctx);
		json_decref(cookies);
		return NULL;
	}
	if (cookies)
		json_object_set_new(event, "cookies", cookies);
	json_t *q = query_parameters(req->raw_query);
	if (q)
		json_object_set_new(event, "queryStringParameters", q);
	json_object_set_new(event, "requestContext", ctx);
	if (path_params && json_object_size(path_params))
		json_object_set(event, "pathParameters", path_params);
	if (req->body_len) {
		bool text = is_utf8_text(req->body, req->body_len);
		if (text) {
			json_object_set_new(event, "body", json_stringn(req->body, req->body_len));
		} else {
			char *b64 = owlet_base64_encode((const unsigned char *)req->body, req->body_len);
			json_object_set_new(event, "body", json_string(b64 ? b64 : ""));
			free(b64);
		}
		json_object_set_new(event, "isBase64Encoded", json_boolean(!text));
	} else {
		json_object_set_new(event, "isBase64Encoded", json_false());
	}
	return event;
}

/* ---- the answer ---- */

void owlet_http_answer_clear(struct owlet_http_answer *a)
{
	json_decref(a->headers);
	json_decref(a->cookies);
	free(a->body);
	memset(a, 0, sizeof *a);
}

static char *header_value(json_t *v)
{
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

int owlet_localapi_response(struct owlet_http_answer *out, const char *payload, size_t len)
{
	memset(out, 0, sizeof *out);
	json_t *doc = json_loadb(payload, len, JSON_DECODE_ANY, NULL);
	if (!doc)
		return owlet_error_setc(OWLET_EINVALID, "the Lambda's answer is not JSON");
	out->headers = json_object();
	json_t *code = json_object_get(doc, "statusCode");
	if (!json_is_object(doc) || !code) {
		/* API Gateway's inference: valid JSON without statusCode is a 200 of it */
		out->status = 200;
		json_object_set_new(out->headers, "content-type", json_string("application/json"));
		out->body = malloc(len + 1);
		if (out->body) {
			memcpy(out->body, payload, len);
			out->body[len] = '\0';
			out->body_len = len;
		}
		json_decref(doc);
		return 0;
	}
	int rc = 0;
	if (!json_is_integer(code) || json_integer_value(code) < 100 || json_integer_value(code) > 599) {
		rc = owlet_error_setc(OWLET_EINVALID, "the Lambda's statusCode is not an HTTP status");
		goto out;
	}
	out->status = (unsigned)json_integer_value(code);
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(doc, "headers"), k, v) {
		char *value = header_value(v);
		char *lower = strdup(k);
		for (char *c = lower; c && *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (value && lower)
			json_object_set_new(out->headers, lower, json_string(value));
		free(value);
		free(lower);
	}
	if (json_is_array(json_object_get(doc, "cookies")))
		out->cookies = json_incref(json_object_get(doc, "cookies"));
	json_t *body = json_object_get(doc, "body");
	if (body && !json_is_string(body)) {
		rc = owlet_error_setc(OWLET_EINVALID, "the Lambda's body is not a string");
		goto out;
	}
	const char *text = body ? json_string_value(body) : "";
	size_t tlen = body ? json_string_length(body) : 0;
	if (json_is_true(json_object_get(doc, "isBase64Encoded"))) {
		unsigned char *raw;
		rc = owlet_base64_decode(&raw, &out->body_len, text, tlen);
		if (rc < 0) {
			owlet_error_setc(OWLET_EINVALID, "the Lambda's base64 body does not decode");
			goto out;
		}
		out->body = (char *)raw;
	} else {
		out->body = malloc(tlen + 1);
		if (out->body) {
			memcpy(out->body, text, tlen);
			out->body[tlen] = '\0';
		}
		out->body_len = tlen;
	}
	if (!json_object_get(out->headers, "content-type"))
		json_object_set_new(out->headers, "content-type", json_string("application/json"));
out:
	json_decref(doc);
	if (rc < 0)
		owlet_http_answer_clear(out);
	return rc;
}

/* ---- the server ---- */

static void new_api_request_id(char out[24])
{
	unsigned char raw[11];
	if (owlet_random_bytes(raw, sizeof raw) < 0)
		memset(raw, 0, sizeof raw);
	char *b64 = owlet_base64_encode(raw, sizeof raw);
	snprintf(out, 24, "%s", b64 ? b64 : "AAAAAAAAAAAAAAA=");
	free(b64);
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	json_t *headers = cls;
	char *lower = strdup(key);
	for (char *c = lower; c && *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (lower)
		add_joined(headers, lower, value ? value : "");
	free(lower);
	return MHD_YES;
}

static enum MHD_Result respond_message(struct MHD_Connection *c, unsigned status, const char *message,
				       const char *request_id)
{
	char body[128];
	snprintf(body, sizeof body, "{\"message\":\"%s\"}", message);
	const char *headers[] = { "apigw-requestid", request_id, NULL };
	return owlet_http_respond(c, status, "application/json", body, strlen(body), headers);
}

static enum MHD_Result respond_answer(struct MHD_Connection *c, const struct owlet_http_answer *a,
				      const char *request_id)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(a->body_len, a->body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	const char *k;
	json_t *v;
	json_object_foreach(a->headers, k, v) {
		if (strcmp(k, "content-length") == 0 || strcmp(k, "transfer-encoding") == 0 ||
		    strcmp(k, "connection") == 0)
			continue;
		MHD_add_response_header(r, k, json_string_value(v));
	}
	size_t i;
	json_array_foreach(a->cookies, i, v) {
		if (json_is_string(v))
			MHD_add_response_header(r, "Set-Cookie", json_string_value(v));
	}
	MHD_add_response_header(r, "apigw-requestid", request_id);
	enum MHD_Result ret = MHD_queue_response(c, a->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result count_authorization(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	(void)value;
	if (key && strcasecmp(key, "Authorization") == 0)
		(*(unsigned *)cls)++;
	return MHD_YES;
}

static json_t *authorize(const struct owlet_localapi *api, struct MHD_Connection *c)
{
	unsigned n_auth = 0;
	MHD_get_connection_values(c, MHD_HEADER_KIND, count_authorization, &n_auth);
	if (n_auth > 1) {
		owlet_error_setc(OWLET_EINVALID, "%u Authorization headers", n_auth);
		return NULL;
	}
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	if (!auth)
		return NULL;
	while (*auth == ' ')
		auth++;
	if (strncasecmp(auth, "Bearer ", 7) == 0)
		auth += 7;
	while (*auth == ' ')
		auth++;
	json_t *claims = NULL;
	if (!api->cfg.jwks || !api->cfg.policy.issuer) {
		owlet_error_setc(OWLET_EINVALID, "the stack has no user pool: no token can pass");
		return NULL;
	}
	if (owlet_jwt_verify(&claims, api->cfg.jwks, &api->cfg.policy, auth) < 0)
		return NULL;
	return claims;
}

/* The stage throttle, a token bucket of throttle_burst tokens refilled at
 * throttle_rate per second: true when the request may pass. */
static bool throttle_take(struct owlet_localapi *api)
{
	if (api->cfg.throttle_rate <= 0)
		return true;
	double burst = api->cfg.throttle_burst > 0 ? api->cfg.throttle_burst : api->cfg.throttle_rate;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&api->throttle_lock);
	double dt = (double)(now.tv_sec - api->refilled.tv_sec) + (double)(now.tv_nsec - api->refilled.tv_nsec) / 1e9;
	api->tokens += dt > 0 ? dt * api->cfg.throttle_rate : 0;
	if (api->tokens > burst)
		api->tokens = burst;
	api->refilled = now;
	bool pass = api->tokens >= 1;
	if (pass)
		api->tokens -= 1;
	pthread_mutex_unlock(&api->throttle_lock);
	return pass;
}

bool owlet_localapi_target_ok(const char *uri)
{
	for (const unsigned char *p = (const unsigned char *)uri; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return false;
	return true;
}

static void access_log(const struct owlet_localapi *api, const struct api_request *req, const char *method,
		       unsigned status, const char *request_id, const char *note)
{
	if (!api->cfg.log)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double ms = (double)(now.tv_sec - req->start.tv_sec) * 1e3 + (double)(now.tv_nsec - req->start.tv_nsec) / 1e6;
	char line[1024];
	snprintf(line, sizeof line, "%s %s %u %.1fms %s%s%s", method, req->uri, status, ms, request_id,
		 note ? " " : "", note ? note : "");
	api->cfg.log(api->cfg.log_cls, line);
}

/* Whether the target held a NUL.  libmicrohttpd hands the target over as a C
 * string, cut at a NUL, so this looks at its read buffer, where the request
 * line is parsed in place: the version follows the end of a whole target
 * after one separator.  A version further on (within a request line's reach)
 * means the target went on past a NUL.  Should libmicrohttpd ever keep the
 * parts elsewhere, the pointers are unrelated and nothing is refused. */
static bool target_cut(const struct api_request *req, const char *version)
{
	if (!req->uri_end || !version || version < req->uri_end)
		return false;
	size_t gap = (size_t)(version - req->uri_end);
	return gap > 1 && gap <= 8192;
}

static enum MHD_Result serve(struct owlet_localapi *api, struct MHD_Connection *c, struct api_request *req,
			     const char *url, const char *method, const char *version)
{
	char request_id[24];
	new_api_request_id(request_id);
	if (!throttle_take(api)) {
		access_log(api, req, method, 429, request_id, NULL);
		return respond_message(c, 429, "Too Many Requests", request_id);
	}
	if (!owlet_localapi_target_ok(req->uri) || target_cut(req, version) ||
	    (strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
	     !MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST))) {
		access_log(api, req, method, 400, request_id, NULL);
		return respond_message(c, 400, "Bad Request", request_id);
	}
	if (req->body.too_big) {
		access_log(api, req, method, 413, request_id, NULL);
		return respond_message(c, 413, "Request Entity Too Large", request_id);
	}
	const char *route_key;
	json_t *params = NULL, *claims = NULL, *headers = NULL, *event = NULL;
	char *event_text = NULL, *raw_path = NULL;
	struct owlet_invoke_result result = { 0 };
	struct owlet_http_answer answer = { 0 };
	enum MHD_Result ret;
	if (owlet_localapi_route(&route_key, &params, (const char *const *)api->routes, api->n_routes, method, url) <
	    0) {
		access_log(api, req, method, 404, request_id, NULL);
		ret = respond_message(c, 404, "Not Found", request_id);
		goto out;
	}
	claims = authorize(api, c);
	if (!claims) {
		access_log(api, req, method, 401, request_id, owlet_error_last());
		ret = respond_message(c, 401, "Unauthorized", request_id);
		goto out;
	}
	headers = json_object();
	MHD_get_connection_values(c, MHD_HEADER_KIND, collect_header, headers);
	const char *q = strchr(req->uri, '?');
	raw_path = strndup(req->uri, q ? (size_t)(q - req->uri) : strlen(req->uri));
	char ip[INET6_ADDRSTRLEN] = "127.0.0.1";
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, ip, sizeof ip);
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	struct owlet_http_request hr = { .method = method, .raw_path = raw_path, .raw_query = q ? q + 1 : "",
					 .protocol = version, .source_ip = ip, .headers = headers,
					 .body = req->body.data, .body_len = req->body.len };
	event = owlet_localapi_event(&hr, route_key, params, claims, api->api_id, api->account_id, request_id,
				     (int64_t)wall.tv_sec * 1000 + wall.tv_nsec / 1000000);
	event_text = event ? json_dumps(event, JSON_COMPACT) : NULL;
	if (event_text && strlen(event_text) >= MAX_EVENT) {
		access_log(api, req, method, 413, request_id, "the event is over Lambda's 6 MB invoke limit");
		ret = respond_message(c, 413, "Request Entity Too Large", request_id);
		goto out;
	}
	if (!event_text || owlet_runtime_invoke(&result, api->cfg.runtime, event_text, strlen(event_text),
						api->cfg.timeout_ms) < 0) {
		access_log(api, req, method, 500, request_id, owlet_error_last());
		ret = respond_message(c, 500, "Internal Server Error", request_id);
		goto out;
	}
	if (result.status != OWLET_INVOKE_OK) {
		access_log(api, req, method, 500, request_id, result.payload);
		ret = respond_message(c, 500, "Internal Server Error", request_id);
		goto out;
	}
	if (owlet_localapi_response(&answer, result.payload, result.payload_len) < 0) {
		access_log(api, req, method, 500, request_id, owlet_error_last());
		ret = respond_message(c, 500, "Internal Server Error", request_id);
		goto out;
	}
	access_log(api, req, method, answer.status, request_id, NULL);
	ret = respond_answer(c, &answer, request_id);
out:
	owlet_http_answer_clear(&answer);
	owlet_invoke_result_clear(&result);
	free(event_text);
	free(raw_path);
	json_decref(event);
	json_decref(headers);
	json_decref(claims);
	json_decref(params);
	return ret;
}

static void *api_uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	(void)c;
	struct api_request *req = calloc(1, sizeof *req);
	if (!req)
		return NULL;
	req->uri = strdup(uri ? uri : "/");
	req->uri_end = uri ? uri + strlen(uri) : NULL;
	req->body.limit = MAX_BODY;
	clock_gettime(CLOCK_MONOTONIC, &req->start);
	return req;
}

static enum MHD_Result api_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct api_request *req = *con_cls;
	if (!req || !req->uri)
		return MHD_NO;
	if (!req->started) {
		req->started = true;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!owlet_http_body_add(&req->body, upload_data, *upload_data_size))
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	return serve(cls, c, req, url, method, version);
}

static void api_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct api_request *req = *con_cls;
	if (!req)
		return;
	owlet_http_body_free(&req->body);
	free(req->uri);
	free(req);
	*con_cls = NULL;
}

int owlet_localapi_start(struct owlet_localapi **out, const struct owlet_localapi_config *cfg)
{
	*out = NULL;
	if (!cfg->runtime)
		return owlet_error_setc(OWLET_EUSAGE, "the local API needs a Lambda runtime");
	struct owlet_localapi *api = calloc(1, sizeof *api);
	if (!api)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	api->cfg = *cfg;
	api->cfg.routes = NULL;
	pthread_mutex_init(&api->throttle_lock, NULL);
	api->tokens = cfg->throttle_burst > 0 ? cfg->throttle_burst : cfg->throttle_rate;
	clock_gettime(CLOCK_MONOTONIC, &api->refilled);
	if (api->cfg.timeout_ms <= 0)
		api->cfg.timeout_ms = 10000;
	api->api_id = strdup(cfg->api_id ? cfg->api_id : "local");
	api->account_id = strdup(cfg->account_id ? cfg->account_id : "123456789012");
	const char *const *routes = cfg->routes ? cfg->routes : owlet_localapi_routes;
	size_t n_routes = cfg->routes ? cfg->n_routes : sizeof owlet_localapi_routes / sizeof owlet_localapi_routes[0] - 1;
	api->routes = calloc(n_routes + 1, sizeof *api->routes);
	for (size_t i = 0; api->routes && i < n_routes; i++)
		if ((api->routes[api->n_routes] = strdup(routes[i])))
			api->n_routes++;
	struct owlet_http_config hc = { .port = cfg->port, .handler = api_access, .handler_cls = api,
					.completed = api_completed, .uri_log = api_uri_log, .connection_limit = 1024,
					.per_ip_limit = 256, .timeout_s = cfg->idle_timeout_s ? cfg->idle_timeout_s : 10,
					.strict = true };
	int rc = api->api_id && api->account_id && api->n_routes == n_routes ? owlet_http_start(&api->daemon, &api->port, &hc)
						: owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc < 0) {
		owlet_localapi_stop(api);
		return rc;
	}
	*out = api;
	return 0;
}

uint16_t owlet_localapi_port(const struct owlet_localapi *api)
{
	return api->port;
}

void owlet_localapi_stop(struct owlet_localapi *api)
{
	if (!api)
		return;
	if (api->daemon)
		MHD_stop_daemon(api->daemon);
	for (size_t i = 0; i < api->n_routes; i++)
		free(api->routes[i]);
	free(api->routes);
	free(api->api_id);
	free(api->account_id);
	pthread_mutex_destroy(&api->throttle_lock);
	free(api);
}
