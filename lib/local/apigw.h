/*
 * apigw.h: the HTTP API that API Gateway would be, served by owlet on
 * 127.0.0.1 for the local environment (the emulator has no API Gateway data
 * plane).  Per request, as an HTTP API with a JWT authorizer and a Lambda
 * proxy integration (payload format 2.0) does:
 *   1. match a route (docs/contracts.md "Routes"); none: 404 {"message":"Not Found"};
 *   2. the authorizer: the Authorization header ("Bearer " optional) must be
 *      a token that owlet_jwt_verify accepts; otherwise 401 {"message":"Unauthorized"};
 *   3. build the payload 2.0 event (owlet_localapi_event) and invoke the
 *      Lambda through the Runtime API server (runtime_api.h);
 *   4. map the Lambda's answer back (owlet_localapi_response): a function
 *      error, timeout or malformed answer is 500 {"message":"Internal Server Error"}.
 * Before all that, the stage throttle (429 {"message":"Too Many Requests"})
 * and the request itself: a request line or header API Gateway would not
 * take (a control or non-ASCII byte in the target, HTTP/1.1 without Host)
 * is 400 {"message":"Bad Request"}; two Authorization headers are 401.
 * Bodies over 10 MB get 413, as API Gateway's payload limit, and so do events
 * over Lambda's 6 MB invoke limit (6291556 bytes), as API Gateway answers when
 * Lambda refuses the payload.  Every response carries an apigw-requestid
 * header, the event's requestContext.requestId.
 * Connections: at most 1024, 256 per client address, and an idle one is
 * closed after idle_timeout_s, so that idle clients cannot take the API down.
 */
#ifndef OWLET_LOCALAPI_H
#define OWLET_LOCALAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "local/jwt.h"
#include "local/runtime_server.h"

struct owlet_localapi;

struct owlet_localapi_config {
	uint16_t port;                    /* 0: any free port */
	const struct owlet_jwks *jwks;    /* borrowed, for the lifetime of the server;
					     NULL (a stack without auth): every request gets 401 */
	struct owlet_jwt_policy policy;   /* strings borrowed likewise */
	struct owlet_runtime *runtime;    /* borrowed */
	long timeout_ms;                  /* the function's timeout */
	const char *api_id;               /* default "local" */
	const char *account_id;           /* default "123456789012" */
	/* called once per request with an access-log line (no newline); may be NULL */
	void (*log)(void *cls, const char *line);
	void *log_cls;
	/* the route keys served (copied); NULL: owlet_localapi_routes */
	const char *const *routes;
	size_t n_routes;
	/* the stage throttle (the environment's api.throttle_rate and
	   throttle_burst): a token bucket; over it, 429 {"message":"Too Many
	   Requests"}.  0: no throttle */
	int throttle_rate, throttle_burst;
	unsigned idle_timeout_s;          /* an idle connection is closed after this; 0: 10 */
};

int owlet_localapi_start(struct owlet_localapi **out, const struct owlet_localapi_config *cfg);
uint16_t owlet_localapi_port(const struct owlet_localapi *api);
void owlet_localapi_stop(struct owlet_localapi *api);

/* The contract's routes as "METHOD /path/{param}" route keys, NULL-terminated. */
extern const char *const owlet_localapi_routes[];

/* The route keys the api module renders for a model (the outputs.json
 * "routes" of `up`): owlet_model_routes (lib/model/openapi.h), the one
 * source of the api module's routes and the OpenAPI paths.  A new
 * NULL-terminated array (free each and the array); *n its length. */
struct owlet_model;
char **owlet_localapi_model_routes(size_t *n, const struct owlet_model *model);

/* Matches a decoded path against route keys (NULL: owlet_localapi_routes),
 * literal routes first, as API Gateway prefers the most specific: 0 and
 * *route_key (borrowed from routes) and *path_params (new object, caller
 * decrefs), or OWLET_ENOTFOUND. */
int owlet_localapi_route(const char **route_key, json_t **path_params, const char *const *routes, size_t n_routes,
			 const char *method, const char *path);

/* Whether a request target (path and query, as sent) is one API Gateway
 * takes: printable ASCII only, no control byte, space or raw non-ASCII byte
 * (those must be percent-encoded).  For such a target the event always
 * builds; any other is answered 400 before. */
bool owlet_localapi_target_ok(const char *target);

/* What the event is built from; headers is an object of lower-case names to
 * values (repeated headers joined with ","), borrowed. */
struct owlet_http_request {
	const char *method;
	const char *raw_path;    /* as sent, still percent-encoded */
	const char *raw_query;   /* without '?', "" when none */
	const char *protocol;    /* "HTTP/1.1" */
	const char *source_ip;
	json_t *headers;
	const char *body;
	size_t body_len;
};

/* The payload format 2.0 event (new reference).  claims are stringified as
 * API Gateway does (numbers as decimal strings, arrays as "[a b]"). */
json_t *owlet_localapi_event(const struct owlet_http_request *req, const char *route_key, json_t *path_params,
			     json_t *claims, const char *api_id, const char *account_id, const char *request_id,
			     int64_t epoch_ms);

/* An HTTP answer from a Lambda's payload 2.0 response. */
struct owlet_http_answer {
	unsigned status;
	json_t *headers;  /* object name -> string; owned */
	json_t *cookies;  /* array of Set-Cookie values; owned, may be NULL */
	char *body;       /* owned */
	size_t body_len;
};
/* 0 and *out, or OWLET_EINVALID when the payload is not an answer API
 * Gateway would accept (the caller then answers 500). */
int owlet_localapi_response(struct owlet_http_answer *out, const char *payload, size_t len);
void owlet_http_answer_clear(struct owlet_http_answer *a);

#endif
