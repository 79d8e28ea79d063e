/* localapi_http_test.c: the local API as API Gateway's HTTP API would answer,
 * over real HTTP: routes, the JWT authorizer, the payload 2.0 event the
 * Lambda receives, and how the Lambda's answer becomes the HTTP response.
 *
 * The Lambda is this program (lambda_fixture.h): it answers with the event it
 * got as the body, or, by the query parameter "mode", with a base64 body, an
 * answer without statusCode, a function error, a bad statusCode or a sleep
 * past the timeout.  Keys and tokens are made with OpenSSL (jwt_fixture.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "base/error.h"
#include "local/jwt.h"
#include "jwt_fixture.h"
#include "lambda_fixture.h"
#include "local/apigw.h"
#include "model/model.h"
#include "local/runtime_server.h"
#include "tap.h"

#define ISSUER "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Local"
#define CLIENT "localclient"

static int run_api_lambda(void)
{
	CURL *h = curl_easy_init();
	for (;;) {
		char id[64], path[128];
		json_t *event = fixture_next(h, id, sizeof id);
		if (!event)
			_exit(4);
		const char *mode = json_string_value(json_object_get(json_object_get(event, "queryStringParameters"), "mode"));
		mode = mode ? mode : "";
		snprintf(path, sizeof path, "invocation/%s/response", id);
		json_t *answer;
		if (strcmp(mode, "b64") == 0) {
			char *b = owlet_base64_encode((const unsigned char *)"bin\0ary", 7);
			answer = json_pack("{s:i, s:b, s:{s:s}, s:s}", "statusCode", 201, "isBase64Encoded", 1, "headers",
					   "content-type", "application/octet-stream", "body", b);
			free(b);
		} else if (strcmp(mode, "infer") == 0) {
			answer = json_pack("{s:b}", "inferred", 1);
		} else if (strcmp(mode, "badstatus") == 0) {
			answer = json_pack("{s:s}", "statusCode", "abc");
		} else if (strcmp(mode, "fail") == 0) {
			snprintf(path, sizeof path, "invocation/%s/error", id);
			answer = json_pack("{s:s, s:s, s:[]}", "errorMessage", "boom", "errorType", "TestError", "stackTrace");
		} else {
			if (strcmp(mode, "sleep") == 0)
				sleep(2);
			char *text = json_dumps(event, JSON_COMPACT);
			answer = json_pack("{s:i, s:{s:s, s:s}, s:[s], s:s}", "statusCode", 200, "headers", "Content-Type",
					   "application/json", "X-Owlet", "yes", "cookies", "a=1; Path=/", "body", text);
			free(text);
		}
		post_json(h, path, answer, NULL);
		json_decref(event);
	}
}

/* ---- a client ---- */

struct reply {
	long status;
	char *body;
	size_t len;
	json_t *headers;
	json_t *json;
};

static json_t *reply_headers;

static size_t reply_header(char *p, size_t size, size_t n, void *userdata)
{
	(void)userdata;
	size_t len = size * n, name_len = strcspn(p, ":");
	if (name_len < len) {
		char name[128];
		snprintf(name, sizeof name, "%.*s", (int)name_len, p);
		for (char *c = name; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		const char *v = p + name_len + 1 + strspn(p + name_len + 1, " ");
		json_object_set_new(reply_headers, name, json_stringn(v, strcspn(v, "\r\n")));
	}
	return len;
}

static void reply_clear(struct reply *r)
{
	free(r->body);
	json_decref(r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof *r);
}

static uint16_t api_port;

static struct reply request(const char *method, const char *path, const char *token, const char *body,
			    size_t body_len, const char *extra_header)
{
	struct reply r = { 0 };
	char url[512], auth[4096];
	snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)api_port, path);
	CURL *h = curl_easy_init();
	FILE *mem = open_memstream(&r.body, &r.len);
	reply_headers = json_object();
	struct curl_slist *hdrs = NULL;
	if (token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		hdrs = curl_slist_append(hdrs, auth);
	}
	if (extra_header)
		hdrs = curl_slist_append(hdrs, extra_header);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, mem);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, reply_header);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "owlet-test/1");
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
	fclose(mem);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	r.headers = reply_headers;
	reply_headers = NULL;
	r.json = json_loadb(r.body ? r.body : "", r.len, JSON_DECODE_ANY, NULL);
	return r;
}

/* A connected socket from source address `from` (127.0.0.x) to the API, or -1. */
static int raw_connect(const char *from, uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	inet_pton(AF_INET, from, &a.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	a.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends `len` bytes as they are (curl would normalise them) and returns the
 * status of the answer, 0 when there is none within 5 s. */
static long raw_request(const char *data, size_t len, char *body, size_t body_size)
{
	int fd = raw_connect("127.0.0.1", api_port);
	if (fd < 0)
		return 0;
	char buf[8192];
	size_t got = 0;
	if (write(fd, data, len) == (ssize_t)len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		while (got < sizeof buf - 1 && poll(&p, 1, 5000) == 1) {
			ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
	}
	close(fd);
	buf[got] = '\0';
	const char *b = strstr(buf, "\r\n\r\n");
	if (body)
		snprintf(body, body_size, "%s", b ? b + 4 : "");
	long status = 0;
	return sscanf(buf, "HTTP/1.%*c %ld", &status) == 1 ? status : 0;
}

static const char *path_str(json_t *j, const char *a, const char *b, const char *c)
{
	json_t *v = json_object_get(j, a);
	if (b)
		v = json_object_get(v, b);
	if (c)
		v = json_object_get(v, c);
	return json_string_value(v);
}

static void expect_message(const char *method, const char *path, const char *token, long status,
			   const char *message, const char *name)
{
	struct reply r = request(method, path, token, NULL, 0, NULL);
	is_int(r.status, status, "%s: %ld", name, status);
	is_str(path_str(r.json, "message", NULL, NULL), message, "%s: {\"message\":\"%s\"}", name, message);
	reply_clear(&r);
}

static int log_lines;
static char last_log[1024];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void log_line(void *cls, const char *line)
{
	(void)cls;
	pthread_mutex_lock(&log_lock);
	log_lines++;
	snprintf(last_log, sizeof last_log, "%s", line);
	pthread_mutex_unlock(&log_lock);
}

int main(int argc, char **argv)
{
	(void)argc;
	if (getenv("AWS_LAMBDA_RUNTIME_API"))
		return run_api_lambda();
	char tmpl[] = "/tmp/owlet-api-XXXXXX", root[600];
	char *dir = mkdtemp(tmpl);
	if (!dir || fixture_task_root(root, sizeof root, dir, argv[0]) < 0)
		return 1;

	EVP_PKEY *key = EVP_RSA_gen(2048);
	json_t *doc = json_pack("{s:[o]}", "keys", jwk_of(key, "k1"));
	char *text = json_dumps(doc, 0);
	struct owlet_jwks *jwks = NULL;
	owlet_jwks_parse(&jwks, text, strlen(text));
	free(text);
	json_decref(doc);
	time_t now = time(NULL);
	json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:[s,s], s:s}", "sub", "u-1", "iss", ISSUER,
				   "client_id", CLIENT, "token_use", "access", "iat", (json_int_t)now, "exp",
				   (json_int_t)now + 600, "cognito:groups", "editors", "analysts", "username", "alice");
	char *token = make_token(key, "RS256", "k1", claims);
	json_object_set_new(claims, "token_use", json_string("id"));
	char *id_token = make_token(key, "RS256", "k1", claims);
	json_object_set_new(claims, "token_use", json_string("access"));
	json_object_set_new(claims, "exp", json_integer((json_int_t)now - 600));
	char *expired = make_token(key, "RS256", "k1", claims);
	json_decref(claims);

	struct owlet_runtime *rt = NULL;
	struct owlet_runtime_config rc = { .task_root = root, .function_name = "owlet-demo-local-api" };
	is_int(owlet_runtime_start(&rt, &rc), 0, "the Runtime API starts");
	const char *aud[] = { CLIENT };
	struct owlet_localapi_config cfg = {
		.jwks = jwks, .policy = { .issuer = ISSUER, .audiences = aud, .n_audiences = 1, .token_use = "access",
					  .skew_s = 60 },
		.runtime = rt, .timeout_ms = 700, .api_id = "localapi1", .log = log_line, .idle_timeout_s = 2,
	};
	struct owlet_localapi *api = NULL;
	is_int(owlet_localapi_start(&api, &cfg), 0, "the local API starts");
	api_port = owlet_localapi_port(api);
	ok(api_port > 0, "on a port of 127.0.0.1");

	expect_message("GET", "/nothing", NULL, 404, "Not Found", "an unknown path");
	expect_message("DELETE", "/datasets", token, 404, "Not Found", "a method without a route");
	expect_message("GET", "/datasets/", token, 404, "Not Found", "an empty {name}");
	expect_message("GET", "/datasets/a/b", token, 404, "Not Found", "a path deeper than the routes");
	expect_message("GET", "/datasets", NULL, 401, "Unauthorized", "no Authorization header");
	expect_message("GET", "/datasets", "garbage", 401, "Unauthorized", "a token that is no JWT");
	expect_message("GET", "/datasets", id_token, 401, "Unauthorized", "an id token");
	expect_message("GET", "/datasets", expired, 401, "Unauthorized", "an expired token");

	struct reply r = request("GET", "/datasets/trips?x=1&x=2&y=a%20b", token, NULL, 0, "Cookie: c1=1; c2=2");
	is_int(r.status, 200, "a signed-in GET /datasets/{name} reaches the Lambda");
	is_str(path_str(r.headers, "x-owlet", NULL, NULL), "yes", "the Lambda's headers are passed on");
	is_str(path_str(r.headers, "set-cookie", NULL, NULL), "a=1; Path=/", "its cookies become Set-Cookie");
	const char *rid = path_str(r.headers, "apigw-requestid", NULL, NULL);
	ok(rid && strlen(rid) == 16, "an apigw-requestid header is sent");
	json_t *e = r.json;
	is_str(path_str(e, "version", NULL, NULL), "2.0", "event: version 2.0");
	is_str(path_str(e, "routeKey", NULL, NULL), "GET /datasets/{name}", "event: routeKey");
	is_str(path_str(e, "rawPath", NULL, NULL), "/datasets/trips", "event: rawPath");
	is_str(path_str(e, "rawQueryString", NULL, NULL), "x=1&x=2&y=a%20b", "event: rawQueryString as sent");
	is_str(path_str(e, "queryStringParameters", "x", NULL), "1,2", "event: repeated parameters joined by ','");
	is_str(path_str(e, "queryStringParameters", "y", NULL), "a b", "event: parameters decoded");
	is_str(path_str(e, "pathParameters", "name", NULL), "trips", "event: pathParameters");
	is_str(path_str(e, "headers", "user-agent", NULL), "owlet-test/1", "event: headers lower-cased");
	is_str(path_str(e, "headers", "cookie", NULL), NULL, "event: no cookie header");
	is_str(json_string_value(json_array_get(json_object_get(e, "cookies"), 1)), "c2=2", "event: cookies");
	ok(json_is_false(json_object_get(e, "isBase64Encoded")), "event: isBase64Encoded false");
	is_str(path_str(e, "requestContext", "http", "method"), "GET", "event: requestContext.http.method");
	is_str(path_str(e, "requestContext", "http", "path"), "/datasets/trips", "event: requestContext.http.path");
	is_str(path_str(e, "requestContext", "http", "sourceIp"), "127.0.0.1", "event: requestContext.http.sourceIp");
	is_str(path_str(e, "requestContext", "http", "protocol"), "HTTP/1.1", "event: requestContext.http.protocol");
	is_str(path_str(e, "requestContext", "http", "userAgent"), "owlet-test/1", "event: requestContext.http.userAgent");
	is_str(path_str(e, "requestContext", "stage", NULL), "$default", "event: stage $default");
	is_str(path_str(e, "requestContext", "apiId", NULL), "localapi1", "event: apiId");
	is_str(path_str(e, "requestContext", "accountId", NULL), "123456789012", "event: accountId");
	is_str(path_str(e, "requestContext", "routeKey", NULL), "GET /datasets/{name}", "event: requestContext.routeKey");
	is_str(path_str(e, "requestContext", "requestId", NULL), rid, "event: requestId is the apigw-requestid");
	like(path_str(e, "requestContext", "domainName", NULL), "127.0.0.1:", "event: domainName is the Host");
	like(path_str(e, "requestContext", "time", NULL), " +0000", "event: time in API Gateway's format");
	json_int_t epoch = json_integer_value(json_object_get(json_object_get(e, "requestContext"), "timeEpoch"));
	ok(epoch / 1000 >= now - 5 && epoch / 1000 <= now + 60, "event: timeEpoch in milliseconds");
	json_t *jwt = json_object_get(json_object_get(json_object_get(e, "requestContext"), "authorizer"), "jwt");
	is_str(path_str(jwt, "claims", "username", NULL), "alice", "event: authorizer.jwt.claims");
	is_str(path_str(jwt, "claims", "cognito:groups", NULL), "[editors analysts]",
	       "event: array claims flattened as API Gateway does");
	ok(json_is_string(json_object_get(json_object_get(jwt, "claims"), "exp")), "event: numeric claims as strings");
	ok(json_is_null(json_object_get(jwt, "scopes")), "event: scopes null (no route scopes)");
	reply_clear(&r);

	const char *record = "{\"trip_id\":1,\"vendor\":\"CMT\"}";
	r = request("POST", "/datasets/trips/records", token, record, strlen(record), "Content-Type: application/json");
	is_str(path_str(r.json, "routeKey", NULL, NULL), "POST /datasets/{name}/records", "POST records: routeKey");
	is_str(path_str(r.json, "body", NULL, NULL), record, "POST records: the body as sent");
	ok(!json_object_get(r.json, "queryStringParameters"), "no queryStringParameters without a query");
	reply_clear(&r);
	r = request("POST", "/datasets/trips/records", token, "a\0\xff", 3, "Content-Type: application/octet-stream");
	ok(json_is_true(json_object_get(r.json, "isBase64Encoded")), "a binary body is sent base64-encoded");
	is_str(path_str(r.json, "body", NULL, NULL), "YQD/", "as base64");
	reply_clear(&r);
	r = request("GET", "/datasets/trips/stats", token, NULL, 0, NULL);
	is_str(path_str(r.json, "routeKey", NULL, NULL), "GET /datasets/{name}/stats", "GET stats: routeKey");
	reply_clear(&r);
	r = request("GET", "/datasets", token, NULL, 0, NULL);
	is_str(path_str(r.json, "routeKey", NULL, NULL), "GET /datasets", "GET /datasets: routeKey");
	ok(!json_object_get(r.json, "pathParameters"), "GET /datasets: no pathParameters");
	reply_clear(&r);

	r = request("GET", "/datasets?mode=b64", token, NULL, 0, NULL);
	is_int(r.status, 201, "the Lambda's statusCode is the status");
	ok(r.len == 7 && memcmp(r.body, "bin\0ary", 7) == 0, "a base64 body is decoded");
	is_str(path_str(r.headers, "content-type", NULL, NULL), "application/octet-stream", "with its content-type");
	reply_clear(&r);
	r = request("GET", "/datasets?mode=infer", token, NULL, 0, NULL);
	is_int(r.status, 200, "an answer without statusCode is a 200");
	ok(json_is_true(json_object_get(r.json, "inferred")), "of the answer itself");
	is_str(path_str(r.headers, "content-type", NULL, NULL), "application/json", "as application/json");
	reply_clear(&r);
	expect_message("GET", "/datasets?mode=fail", token, 500, "Internal Server Error", "a function error");
	expect_message("GET", "/datasets?mode=badstatus", token, 500, "Internal Server Error", "a bad statusCode");
	expect_message("GET", "/datasets?mode=sleep", token, 500, "Internal Server Error", "a Lambda timeout");
	r = request("GET", "/datasets", token, NULL, 0, NULL);
	is_int(r.status, 200, "after a timeout the next request is answered");
	reply_clear(&r);

	size_t big_len = 10 * 1024 * 1024 + 1;
	char *big = calloc(big_len, 1);
	memset(big, 'x', big_len);
	r = request("POST", "/datasets/trips/records", token, big, big_len, NULL);
	is_int(r.status, 413, "a body over 10 MB: 413");
	reply_clear(&r);
	free(big);

	/* the Lambda's 6 MB invoke limit: API Gateway answers 413 */
	big_len = 6 * 1024 * 1024 + 200;
	big = calloc(big_len, 1);
	memset(big, 'x', big_len);
	r = request("POST", "/datasets/trips/records", token, big, big_len, NULL);
	is_int(r.status, 413, "a body over Lambda's 6 MB invoke limit: 413");
	is_str(path_str(r.json, "message", NULL, NULL), "Request Entity Too Large", "Request Entity Too Large");
	reply_clear(&r);
	free(big);

	/* the request line and headers as sent, byte for byte; \x01 stands for a NUL */
	static const struct {
		const char *head, *answer, *name;
		long status;
	} raws[] = {
		{ "GET /datasets/trips HTTP/1.1\r\nHost: x\r\n", "", "raw: a well-formed request", 200 },
		{ "GET /datasets/trips?q=\xff HTTP/1.1\r\nHost: x\r\n", "Bad Request", "a raw non-UTF-8 byte in the query", 400 },
		{ "GET /datasets/tr\xc3\xa9 HTTP/1.1\r\nHost: x\r\n", "Bad Request", "a raw non-ASCII byte in the path", 400 },
		{ "GET /datasets/tri\x01s HTTP/1.1\r\nHost: x\r\n", "Bad Request", "a NUL in the path", 400 },
		{ "GET /datasets/trips HTTP/1.1\r\n", "", "HTTP/1.1 without Host", 400 },
		{ "GET /datasets/trips HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer garbage\r\n", "Unauthorized",
		  "two Authorization headers", 401 },
	};
	for (size_t i = 0; i < sizeof raws / sizeof raws[0]; i++) {
		char raw[8192], rbody[1024];
		int rn = snprintf(raw, sizeof raw, "%sAuthorization: Bearer %s\r\nConnection: close\r\n\r\n", raws[i].head,
				  token);
		for (char *p = memchr(raw, '\x01', (size_t)rn); p; p = memchr(p, '\x01', (size_t)(raw + rn - p)))
			*p = '\0';
		is_int(raw_request(raw, (size_t)rn, rbody, sizeof rbody), raws[i].status, "%s: %ld", raws[i].name,
		       raws[i].status);
		like(rbody, raws[i].answer, "%s: {\"message\":\"%s\"}", raws[i].name, raws[i].answer);
	}
	char raw2[8192];
	int rn2 = snprintf(raw2, sizeof raw2, "GET /datasets/trips HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer garbage\r\n"
					      "authorization: Bearer %s\r\nConnection: close\r\n\r\n", token);
	is_int(raw_request(raw2, (size_t)rn2, NULL, 0), 401, "two Authorization headers, the valid one last: 401");

	pthread_mutex_lock(&log_lock);
	ok(log_lines >= 20, "every request is logged (%d lines)", log_lines);
	like(last_log, "GET /datasets/trips 401", "a log line has method, path and status");
	pthread_mutex_unlock(&log_lock);

	/* idle clients: 600 sockets from one address that send nothing */
	enum { N_IDLE = 600 };
	static int idle[N_IDLE];
	int n_idle = 0;
	for (int i = 0; i < N_IDLE; i++)
		if ((idle[i] = raw_connect("127.0.0.2", api_port)) >= 0)
			n_idle++;
	ok(n_idle > 500, "%d idle connections opened from 127.0.0.2", n_idle);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = request("GET", "/datasets", token, NULL, 0, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	is_int(r.status, 200, "with them open, a request from 127.0.0.1 is answered");
	ok(ms < 2000, "within 2 s (%.0f ms)", ms);
	reply_clear(&r);
	/* the idle ones the API kept are closed after its idle timeout (2 s here) */
	struct pollfd pf = { .fd = idle[0], .events = POLLIN };
	char c;
	ok(poll(&pf, 1, 5000) == 1 && read(idle[0], &c, 1) <= 0, "an idle connection is closed after the timeout");
	for (int i = 0; i < N_IDLE; i++)
		if (idle[i] >= 0)
			close(idle[i]);

	/* the stage throttle: rate 5/s, burst 5 */
	struct owlet_localapi *slow = NULL;
	struct owlet_localapi_config scfg = cfg;
	scfg.throttle_rate = 5;
	scfg.throttle_burst = 5;
	is_int(owlet_localapi_start(&slow, &scfg), 0, "an API with a throttle of 5/s, burst 5");
	uint16_t main_port = api_port;
	api_port = owlet_localapi_port(slow);
	int passed = 0, throttled = 0;
	for (int i = 0; i < 20; i++) {
		r = request("GET", "/nothing", NULL, NULL, 0, NULL);
		passed += r.status == 404;
		if (r.status == 429 && ++throttled == 1)
			is_str(path_str(r.json, "message", NULL, NULL), "Too Many Requests", "over it: 429 Too Many Requests");
		reply_clear(&r);
	}
	ok(passed >= 5 && passed <= 7 && throttled == 20 - passed, "20 requests at once: the burst passes (%d), "
	   "the rest get 429 (%d)", passed, throttled);
	usleep(450000);
	r = request("GET", "/nothing", NULL, NULL, 0, NULL);
	is_int(r.status, 404, "the bucket refills at the rate");
	reply_clear(&r);
	owlet_localapi_stop(slow);
	api_port = main_port;

	const char *key_name;
	json_t *params;
	is_int(owlet_localapi_route(&key_name, &params, NULL, 0, "GET", "/datasets/x/stats/"), OWLET_ENOTFOUND,
	       "route: a trailing slash does not match");
	is_int(owlet_localapi_route(&key_name, &params, NULL, 0, "POST", "/datasets/x"), OWLET_ENOTFOUND,
	       "route: POST /datasets/{name} is no route");
	const char *mixed[] = { "GET /datasets/{name}", "GET /datasets/trips", "POST /datasets/trips/records" };
	is_int(owlet_localapi_route(&key_name, &params, mixed, 3, "GET", "/datasets/trips"), 0,
	       "route: a literal route matches");
	is_str(key_name, "GET /datasets/trips", "route: the literal route wins over a {param} one");
	ok(json_object_size(params) == 0, "route: a literal route has no path parameters");
	json_decref(params);
	is_int(owlet_localapi_route(&key_name, &params, mixed, 3, "GET", "/datasets/other"), 0,
	       "route: another name falls back to the {param} route");
	is_str(json_string_value(json_object_get(params, "name")), "other", "route: with its parameter");
	json_decref(params);

	/* the routes the api module renders for a model */
	struct owlet_model *model = NULL;
	const char *yml = "project: demo\ngroups: [g]\ndatasets:\n  a:\n    fields: {x: {type: int}}\n"
			  "    access: {read: [g], write: [g]}\n  b:\n    fields: {y: {type: int}}\n";
	is_int(owlet_model_parse(&model, NULL, "m.yml", yml, strlen(yml)), 0, "a model with two datasets");
	size_t n = 0;
	char **routes = owlet_localapi_model_routes(&n, model);
	char joined[512] = "";
	for (size_t i = 0; i < n; i++)
		snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%s", i ? "," : "", routes[i]);
	is_str(joined,
	       "GET /datasets,GET /openapi.json,GET /datasets/a,GET /datasets/a/stats,GET /datasets/a/rows,"
	       "GET /datasets/a/aggregate,POST /datasets/a/records,GET /datasets/b,GET /datasets/b/stats,"
	       "GET /datasets/b/rows,GET /datasets/b/aggregate,POST /datasets/{name}/uploads,"
	       "GET /datasets/{name}/uploads,GET /datasets/{name}/uploads/{id},GET /queries/{id}",
	       "model routes: per dataset, POST only where someone may write; the upload routes once, "
	       "as some dataset is writable");
	for (size_t i = 0; i < n; i++)
		free(routes[i]);
	free(routes);
	owlet_model_free(model);

	owlet_localapi_stop(api);
	owlet_runtime_stop(rt);
	owlet_jwks_free(jwks);
	EVP_PKEY_free(key);
	free(token);
	free(id_token);
	free(expired);
	fixture_remove_tree(dir);
	return done_testing();
}
