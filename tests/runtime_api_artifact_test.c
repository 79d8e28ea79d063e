/* runtime_api_artifact_test.c: owlet's Runtime API with the real Lambda
 * program (build/lambda/bootstrap, cmd/lambda): it starts, takes payload 2.0
 * events, answers bad events with 4xx without exiting, reports an init error
 * through /runtime/init/error, and honours the deadline (a data store that
 * never answers gets a 504 from the Lambda before owlet's runtime kills it). */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "base/error.h"
#include "lambda_fixture.h"
#include "model/model.h"
#include "local/runtime_server.h"
#include "tap.h"

static struct owlet_runtime *start(const char *root, const char *model, const char *endpoint, const char *bucket,
				   const char *log)
{
	char *vars[3] = { NULL, NULL, NULL };
	if (asprintf(&vars[0], "OWLET_MODEL=%s", model ? model : "") < 0 ||
	    asprintf(&vars[1], "AWS_ENDPOINT_URL=%s", endpoint) < 0 ||
	    asprintf(&vars[2], "OWLET_DATA_BUCKET=%s", bucket ? bucket : "") < 0)
		return NULL;
	const char *env[] = { vars[0], vars[1], vars[2], "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", NULL };
	struct owlet_runtime_config cfg = { .task_root = root, .function_name = "owlet-demo-local-api",
					    .env = env, .log_path = log };
	struct owlet_runtime *rt = NULL;
	if (owlet_runtime_start(&rt, &cfg) < 0)
		diag("%s", owlet_error_last());
	for (int i = 0; i < 3; i++)
		free(vars[i]);
	return rt;
}

/* A payload 2.0 event as the local API builds it. */
static char *event(const char *method, const char *path, const char *route, const char *name, const char *body)
{
	json_t *e = json_pack("{s:s, s:s, s:s, s:s, s:{}, s:{s:s, s:s, s:{s:s, s:s}, s:{s:{s:{s:s, s:s}}}}, s:b}",
			      "version", "2.0", "routeKey", route, "rawPath", path, "rawQueryString", "", "headers",
			      "requestContext", "requestId", "test", "routeKey", route, "http", "method", method,
			      "path", path, "authorizer", "jwt", "claims", "username", "alice", "cognito:groups",
			      "[editors]", "isBase64Encoded", 0);
	if (name)
		json_object_set_new(e, "pathParameters", json_pack("{s:s}", "name", name));
	if (body)
		json_object_set_new(e, "body", json_string(body));
	char *s = json_dumps(e, JSON_COMPACT);
	json_decref(e);
	return s;
}

/* Invokes; returns the Lambda's statusCode (-status of a failed invoke). */
static int status_of(struct owlet_runtime *rt, char *ev, long timeout_ms, json_t **body)
{
	struct owlet_invoke_result r;
	int code = -100;
	if (owlet_runtime_invoke(&r, rt, ev, strlen(ev), timeout_ms) == 0) {
		json_t *doc = json_loadb(r.payload, r.payload_len, 0, NULL);
		code = r.status == OWLET_INVOKE_OK ? (int)json_integer_value(json_object_get(doc, "statusCode"))
						   : -(int)r.status;
		if (body)
			*body = json_loads(json_string_value(json_object_get(doc, "body")), 0, NULL);
		json_decref(doc);
		owlet_invoke_result_clear(&r);
	}
	free(ev);
	return code;
}

int main(void)
{
	const char *build = getenv("OWLET_BUILD"), *src = getenv("OWLET_SRC");
	char bootstrap[1024], model_path[1024];
	snprintf(bootstrap, sizeof bootstrap, "%s/lambda/bootstrap", build ? build : "build");
	snprintf(model_path, sizeof model_path, "%s/data_model.yml", src ? src : ".");
	if (access(bootstrap, X_OK) != 0) {
		printf("1..0 # SKIP no %s\n", bootstrap);
		return 0;
	}
	struct owlet_model *model = NULL;
	if (owlet_model_load(&model, NULL, model_path) < 0) {
		printf("1..0 # SKIP cannot load %s: %s\n", model_path, owlet_error_last());
		return 0;
	}
	json_t *mj = owlet_model_to_json(model);
	char *model_json = json_dumps(mj, JSON_COMPACT);
	json_decref(mj);
	owlet_model_free(model);

	/* a data store that accepts connections and never answers */
	int silent = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	bind(silent, (struct sockaddr *)&a, sizeof a);
	listen(silent, 16);
	getsockname(silent, (struct sockaddr *)&a, &alen);
	char endpoint[64];
	snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", ntohs(a.sin_port));

	char tmpl[] = "/tmp/owlet-art-XXXXXX", root[600], log[700];
	char *dir = mkdtemp(tmpl);
	if (!dir || fixture_task_root(root, sizeof root, dir, bootstrap) < 0)
		return 1;
	snprintf(log, sizeof log, "%s/lambda.log", dir);

	struct owlet_runtime *rt = start(root, model_json, endpoint, NULL, log);
	json_t *body = NULL;
	is_int(status_of(rt, event("GET", "/datasets", "GET /datasets", NULL, NULL), 5000, &body), 200,
	       "the real Lambda answers GET /datasets");
	ok(json_array_size(json_object_get(body, "datasets")) == 3, "with the model's three datasets");
	json_decref(body);
	is_int(status_of(rt, event("GET", "/datasets/nope", "GET /datasets/{name}", "nope", NULL), 5000, NULL), 404,
	       "an unknown dataset: 404");
	is_int(status_of(rt, strdup("{\"version\":\"2.0\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}"), 5000,
			 NULL),
	       400, "an HTTP event without rawPath: 400");
	is_int(status_of(rt, strdup("[1,2,3]"), 5000, NULL), -(int)OWLET_INVOKE_ERROR,
	       "an event that is no object: an invocation error");
	is_int(status_of(rt, event("GET", "/datasets", "GET /datasets", NULL, NULL), 5000, NULL), 200,
	       "and it goes on answering");
	struct owlet_runtime_stats st;
	owlet_runtime_get_stats(&st, rt);
	is_int(st.starts, 1, "one process answered all of them (kept warm, never exited)");
	diag("real artifact init, exec to first /next: %.2f ms", st.first_init_ms);

	owlet_runtime_stop(rt);

	rt = start(root, model_json, endpoint, "owlet-test-data", log);
	is_int(status_of(rt, event("POST", "/datasets/trips/records", "POST /datasets/{name}/records", "trips",
				   "{\"trip_id\":1,\"pickup_at\":\"2026-01-02T03:04:05Z\"}"),
			 1500, NULL),
	       504, "a data store that never answers: the Lambda answers 504 before its deadline");
	owlet_runtime_get_stats(&st, rt);
	is_int(st.starts, 1, "without being killed");
	owlet_runtime_stop(rt);

	rt = start(root, NULL, endpoint, NULL, log);
	struct owlet_invoke_result r;
	char *ev = event("GET", "/datasets", "GET /datasets", NULL, NULL);
	is_int(owlet_runtime_invoke(&r, rt, ev, strlen(ev), 5000), 0, "an invoke without OWLET_MODEL");
	is_int(r.status, OWLET_INVOKE_INIT_ERROR, "fails with the Lambda's /runtime/init/error");
	like(r.payload, "OWLET_MODEL", "whose message names what is missing");
	is_str(r.error_type, "Runtime.InitError", "with the error type it gave");
	owlet_invoke_result_clear(&r);
	free(ev);
	owlet_runtime_stop(rt);

	close(silent);
	free(model_json);
	fixture_remove_tree(dir);
	return done_testing();
}
