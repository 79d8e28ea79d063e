/*
 * main.c: the owlet Lambda (`bootstrap` of the provided.al2023 custom
 * runtime): initialise once, then loop on the Runtime API.
 *
 *   init:  AWS_LAMBDA_RUNTIME_API, OWLET_MODEL (normalised model JSON) or
 *          OWLET_MODEL_KEY + OWLET_MODEL_SHA256 (it, in the data bucket),
 *          OWLET_DATA_BUCKET, the AWS credentials and endpoint.  A failure is
 *          posted to /runtime/init/error and the process exits 1.
 *   loop:  next -> _X_AMZN_TRACE_ID -> handler -> response | error.
 *          A bad event is answered (a 4xx/5xx JSON response, or an error
 *          post for events that are not HTTP events) and the loop goes on;
 *          only a Runtime API that cannot be reached ends the process.
 * Logs go to stderr (CloudWatch Logs on AWS), one line each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "handlers.h"
#include "lambda/runtime_client.h"

static void post_result(struct owlet_runtime_client *rt, const struct owlet_invocation *inv,
			const struct lambda_result *res)
{
	int rc;
	if (res->error_type)
		rc = owlet_runtime_client_fail(rt, inv->request_id, res->error_type, res->error_message);
	else
		rc = owlet_runtime_client_respond(rt, inv->request_id, res->body, strlen(res->body));
	if (rc < 0 && !res->error_type) {
		/* e.g. 413 for a response too large: say so instead */
		fprintf(stderr, "owlet-lambda: %s: %s\n", inv->request_id, owlet_error_last());
		rc = owlet_runtime_client_fail(rt, inv->request_id, "Runtime.ResponseRejected", owlet_error_last());
	}
	if (rc < 0)
		fprintf(stderr, "owlet-lambda: %s: %s\n", inv->request_id, owlet_error_last());
}

int main(void)
{
	setvbuf(stderr, NULL, _IOLBF, 0);
	struct owlet_runtime_client *rt = NULL;
	if (owlet_runtime_client_open(&rt, getenv("AWS_LAMBDA_RUNTIME_API")) < 0) {
		fprintf(stderr, "owlet-lambda: %s\n", owlet_error_last());
		return 1;
	}
	struct lambda_ctx ctx;
	if (lambda_init(&ctx) < 0) {
		const char *msg = owlet_error_last();
		fprintf(stderr, "owlet-lambda: init: %s\n", msg);
		if (owlet_runtime_client_init_error(rt, "Runtime.InitError", msg) < 0)
			fprintf(stderr, "owlet-lambda: %s\n", owlet_error_last());
		owlet_runtime_client_free(rt);
		return 1;
	}
	int status = 0;
	for (;;) {
		struct owlet_invocation inv;
		if (owlet_runtime_client_next(rt, &inv) < 0) {
			fprintf(stderr, "owlet-lambda: %s\n", owlet_error_last());
			status = 1;
			break;
		}
		if (inv.trace_id[0])
			setenv("_X_AMZN_TRACE_ID", inv.trace_id, 1);
		else
			unsetenv("_X_AMZN_TRACE_ID");
		struct lambda_result res;
		lambda_handle(&ctx, &inv, &res);
		post_result(rt, &inv, &res);
		lambda_result_clear(&res);
		owlet_invocation_clear(&inv);
	}
	lambda_fini(&ctx);
	owlet_runtime_client_free(rt);
	return status;
}
