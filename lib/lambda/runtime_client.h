/*
 * runtime_client.h: a client of the AWS Lambda Runtime API (2018-06-01).
 *
 * The Lambda service (or owlet's local Runtime API server) runs `bootstrap`
 * with AWS_LAMBDA_RUNTIME_API=host:port.  The program then loops:
 *   GET  /2018-06-01/runtime/invocation/next        (blocks, no timeout)
 *   POST /2018-06-01/runtime/invocation/{id}/response   the result, or
 *   POST /2018-06-01/runtime/invocation/{id}/error      {"errorMessage",
 *        "errorType","stackTrace":[]} + Lambda-Runtime-Function-Error-Type
 * and, when initialisation fails, POST /2018-06-01/runtime/init/error once
 * before exiting.  One CURL handle is kept for the whole process, so the
 * connection is reused between invocations.
 */
#ifndef OWLET_RUNTIME_CLIENT_H
#define OWLET_RUNTIME_CLIENT_H

#include <stddef.h>
#include <stdint.h>

struct owlet_runtime_client;

/* One invocation, as `next` returned it.  Strings are owned by the struct;
 * absent headers are "" (the deadline is then 0). */
struct owlet_invocation {
	char *request_id;     /* Lambda-Runtime-Aws-Request-Id */
	int64_t deadline_ms;  /* Lambda-Runtime-Deadline-Ms: Unix epoch, milliseconds */
	char *trace_id;       /* Lambda-Runtime-Trace-Id */
	char *function_arn;   /* Lambda-Runtime-Invoked-Function-Arn */
	char *event;          /* the body, NUL-terminated */
	size_t event_len;
};

/* Opens a client for `api` ("host:port", as AWS_LAMBDA_RUNTIME_API). */
int owlet_runtime_client_open(struct owlet_runtime_client **out, const char *api);
void owlet_runtime_client_free(struct owlet_runtime_client *rt);

/* Waits for the next invocation (no timeout).  On success *inv is filled
 * (clear it with owlet_invocation_clear).  Fails with OWLET_EIO when the
 * server cannot be reached or answers other than 200. */
int owlet_runtime_client_next(struct owlet_runtime_client *rt, struct owlet_invocation *inv);
void owlet_invocation_clear(struct owlet_invocation *inv);

/* Posts the result of invocation `request_id`. */
int owlet_runtime_client_respond(struct owlet_runtime_client *rt, const char *request_id,
			  const char *body, size_t len);
/* Posts an invocation error: {"errorMessage","errorType","stackTrace":[]}
 * with the header Lambda-Runtime-Function-Error-Type: error_type. */
int owlet_runtime_client_fail(struct owlet_runtime_client *rt, const char *request_id,
		       const char *error_type, const char *message);
/* Posts an initialisation error (the same body) to /runtime/init/error. */
int owlet_runtime_client_init_error(struct owlet_runtime_client *rt, const char *error_type,
			     const char *message);

#endif
