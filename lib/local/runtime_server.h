/*
 * runtime_server.h: owlet's own implementation of the AWS Lambda Runtime API,
 * so that the local environment runs the real Lambda artifact (`bootstrap`)
 * exactly as the Lambda service would, on 127.0.0.1.
 *
 * The protocol (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):
 *   GET  /2018-06-01/runtime/invocation/next        blocks until an event is
 *        queued; 200 with the event as body and the headers
 *        Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms (epoch ms),
 *        Lambda-Runtime-Invoked-Function-Arn, Lambda-Runtime-Trace-Id
 *   POST /2018-06-01/runtime/invocation/{id}/response   202 {"status":"OK"}
 *   POST /2018-06-01/runtime/invocation/{id}/error      202; body
 *        {"errorMessage","errorType","stackTrace"}, optional header
 *        Lambda-Runtime-Function-Error-Type
 *   POST /2018-06-01/runtime/init/error                 202; only before the
 *        first /next (403 InvalidStateTransition after); the process is
 *        killed, as Lambda resets the sandbox, and the pending invoke fails
 *   An {id} that is not the one in flight: 400 InvalidRequestID.  A response
 *   over 6 MB: 413, and the invoke fails (Function.ResponseSizeTooLarge).
 *
 * Who may call: only the worker's own process and its descendants.  Each
 * request's peer socket is looked up (/proc/net/tcp, then /proc/PID/fd of the
 * worker and its children); any other process, of this user or another, gets
 * 403 AccessDeniedException and the connection is closed.  A /next whose
 * caller has closed its connection is handed no event (checked every 100 ms
 * while it waits, and again just before), so an event is never lost to a
 * caller that left.
 *
 * The process model: up to `workers` bootstrap processes, each with its own
 * Runtime API listener (so that a request is always known to come from its
 * process), started on demand and kept warm between invocations.  A process
 * that dies is reaped at once: its invocation fails with Runtime.ExitError and
 * the next invocation starts a fresh one.  When an invocation passes its
 * deadline the process is killed (SIGKILL) and the invoke returns
 * Sandbox.Timedout, as Lambda does.  The environment of a process is the one
 * Lambda gives (AWS_LAMBDA_RUNTIME_API, LAMBDA_TASK_ROOT, _HANDLER,
 * AWS_LAMBDA_FUNCTION_NAME, ..., AWS_REGION, TZ, LANG, PATH, LD_LIBRARY_PATH)
 * plus the caller's extra variables; nothing of owlet's own environment leaks
 * in.  stdout and stderr are owlet's or log_path (the local stand-in for
 * CloudWatch).
 */
#ifndef OWLET_RUNTIME_API_H
#define OWLET_RUNTIME_API_H

#include <stdbool.h>
#include <stddef.h>

struct owlet_runtime;

struct owlet_runtime_config {
	const char *task_root;     /* the unzipped artifact; the process's cwd */
	const char *handler;       /* _HANDLER; default "bootstrap" */
	const char *function_name; /* default "owlet-local" */
	const char *region;        /* default "us-east-1" */
	const char *account_id;    /* default "123456789012" */
	int memory_mb;             /* default 256 */
	const char *const *env;    /* extra "NAME=value" entries, NULL-terminated */
	int workers;               /* concurrent processes, default 1 */
	bool prewarm;              /* start one process now, not at the first invoke */
	const char *log_path;      /* the processes' stdout and stderr, appended; NULL: owlet's */
};

enum owlet_invoke_status {
	OWLET_INVOKE_OK,         /* the runtime posted a response */
	OWLET_INVOKE_ERROR,      /* the runtime posted an invocation error */
	OWLET_INVOKE_INIT_ERROR, /* the runtime posted an init error */
	OWLET_INVOKE_EXITED,     /* the process exited during the invocation */
	OWLET_INVOKE_TIMEOUT,    /* the deadline passed; the process was killed */
};

struct owlet_invoke_result {
	enum owlet_invoke_status status;
	char *payload;      /* owned: the response, or an error document
			       {"errorMessage","errorType"} for every other status */
	size_t payload_len;
	char *error_type;   /* owned; NULL for OWLET_INVOKE_OK */
	char request_id[40];
	double duration_ms; /* from queueing to the answer */
};
void owlet_invoke_result_clear(struct owlet_invoke_result *r);

struct owlet_runtime_stats {
	long invocations;
	long starts;             /* processes started */
	double last_init_ms;     /* exec to the first /next of the newest process */
	double first_init_ms;    /* the same for the first process */
};

/* Starts the Runtime API listeners (nothing runs until the first invoke,
 * unless cfg->prewarm). */
int owlet_runtime_start(struct owlet_runtime **out, const struct owlet_runtime_config *cfg);
/* Queues `event` (JSON), waits for the answer.  The deadline is timeout_ms
 * after the event is handed to a process; waiting in the queue for a free
 * process is bounded by timeout_ms too.  Returns 0 when *out holds an answer
 * (any status), a negative code when the invocation could not be made. */
int owlet_runtime_invoke(struct owlet_invoke_result *out, struct owlet_runtime *rt, const char *event,
			 size_t len, long timeout_ms);
void owlet_runtime_get_stats(struct owlet_runtime_stats *out, struct owlet_runtime *rt);
/* The "127.0.0.1:PORT" of worker i's Runtime API (borrowed). */
const char *owlet_runtime_address(const struct owlet_runtime *rt, int worker);
/* Makes every waiting and later invoke return at once (OWLET_INVOKE_EXITED,
 * "stopping") and kills the processes; the runtime stays allocated, so that
 * callers still inside owlet_runtime_invoke can leave before _stop. */
void owlet_runtime_cancel(struct owlet_runtime *rt);
/* Kills the processes, stops the listeners, frees everything. */
void owlet_runtime_stop(struct owlet_runtime *rt);

/* Unzips a Lambda artifact into `dir` the way Lambda does into /var/task
 * (modes and symlinks kept), atomically: into a sibling temporary directory,
 * then renamed over `dir`.  Entries with absolute paths or ".." are refused. */
int owlet_runtime_unpack(const char *zip_path, const char *dir);

#endif
