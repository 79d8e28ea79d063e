/*
 * runtime_server.c: the Lambda Runtime API on 127.0.0.1 (see runtime_server.h).
 *
 * Design: one mutex and one condition variable guard everything.  Invokers
 * append to a FIFO queue and wait on the condition; a process's
 * GET /invocation/next (a libmicrohttpd thread of its worker's listener,
 * which may block there) takes the head of the queue.  Each worker has a
 * generation that a reaper thread bumps when its process exits, so that a
 * /next still blocked on behalf of a dead process gives up instead of taking
 * an event that nobody would answer.
 */
#include "base/random.h"
#include "local/runtime_server.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdarg.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <zip.h>

#include "base/error.h"
#include "local/http.h"
#include "base/proc.h"

#define MAX_RESPONSE (6 * 1024 * 1024)
#define PREFIX "/2018-06-01/runtime/"

enum worker_state { W_DOWN, W_INIT, W_READY, W_BUSY };

struct invocation {
	char id[40];
	char *event;
	size_t len;
	long timeout_ms;
	bool queued, dispatched, done;
	struct timespec deadline;   /* CLOCK_MONOTONIC, once dispatched */
	int64_t deadline_epoch_ms;
	struct worker *worker;
	struct invocation *next;
	enum owlet_invoke_status status;
	char *payload;
	size_t payload_len;
	char *error_type;
};

struct worker {
	struct owlet_runtime *rt;
	int index;
	struct MHD_Daemon *daemon;
	char address[32];
	pid_t pid;
	unsigned gen;
	enum worker_state state;
	struct invocation *inflight;
	struct timespec exec_at;
	pthread_t reaper;
	bool has_reaper;
	bool init_failed; /* posted /init/error: its exit needs no second report */
	bool spawn_requested;
};

struct owlet_runtime {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct invocation *head, *tail;
	size_t queued;
	bool stopping;
	struct worker *workers;
	int n_workers;
	char *task_root, *handler, *function_name, *region, *arn, *log_path;
	char **env_extra;
	int memory_mb;
	struct owlet_runtime_stats stats;
	pthread_t spawner;
	bool has_spawner;
};

/* Per-request state of the Runtime API handlers. */
struct rt_request {
	bool started;
	struct owlet_http_body body;
	pid_t kill_after; /* init/error: the process to kill once answered */
};

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static struct timespec mono_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

static struct timespec mono_after(long ms)
{
	struct timespec t = mono_now();
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static bool mono_passed(const struct timespec *t)
{
	struct timespec now = mono_now();
	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/* Ids are not secrets: should the kernel have no random bytes, zeros. */
static void random_hex(char *out, size_t n_bytes)
{
	if (owlet_random_hex(out, n_bytes) < 0) {
		memset(out, '0', 2 * n_bytes);
		out[2 * n_bytes] = '\0';
	}
}

/* A version 4 UUID, as Lambda's request ids are. */
static void new_request_id(char out[40])
{
	char hex[33];
	random_hex(hex, 16);
	hex[12] = '4';
	hex[16] = "89ab"[hex[16] % 4];
	snprintf(out, 40, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

/* An X-Ray trace header: Root=1-<epoch hex>-<96 bits>;Parent=<64 bits>;Sampled=0 */
static void new_trace_id(char *out, size_t size)
{
	char root[25], parent[17];
	random_hex(root, 12);
	random_hex(parent, 8);
	snprintf(out, size, "Root=1-%08" PRIx64 "-%s;Parent=%s;Sampled=0", (uint64_t)time(NULL), root, parent);
}

static char *error_document(const char *type, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *error_document(const char *type, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_t *doc = json_pack("{s:s, s:s}", "errorMessage", msg, "errorType", type);
	char *s = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	return s;
}

/* Completes an invocation (lock held); `payload` is taken over. */
static void finish(struct owlet_runtime *rt, struct invocation *inv, enum owlet_invoke_status status,
		   char *payload, size_t len, const char *error_type)
{
	if (inv->done) {
		free(payload);
		return;
	}
	inv->done = true;
	inv->status = status;
	inv->payload = payload;
	inv->payload_len = payload ? len : 0;
	inv->error_type = xstrdup(error_type);
	if (inv->worker && inv->worker->inflight == inv)
		inv->worker->inflight = NULL;
	pthread_cond_broadcast(&rt->cond);
}

static void finish_error(struct owlet_runtime *rt, struct invocation *inv, enum owlet_invoke_status status,
			 const char *type, const char *message)
{
	char *doc = error_document(type, "%s", message);
	finish(rt, inv, status, doc, doc ? strlen(doc) : 0, type);
}

static void queue_remove(struct owlet_runtime *rt, struct invocation *inv)
{
	struct invocation **p = &rt->head;
	rt->tail = NULL;
	while (*p) {
		if (*p == inv) {
			*p = inv->next;
			rt->queued--;
			inv->queued = false;
			continue;
		}
		rt->tail = *p;
		p = &(*p)->next;
	}
}

/* ---- processes ---- */

static char **build_env(const struct owlet_runtime *rt, const struct worker *w)
{
	size_t n_extra = 0;
	while (rt->env_extra && rt->env_extra[n_extra])
		n_extra++;
	char memory[16], stream[32], *log_group = NULL, *ld_path = NULL;
	snprintf(memory, sizeof memory, "%d", rt->memory_mb);
	snprintf(stream, sizeof stream, "local/%d", w->index);
	if (asprintf(&log_group, "/aws/lambda/%s", rt->function_name) < 0)
		log_group = NULL;
	if (asprintf(&ld_path, "%s:%s/lib", rt->task_root, rt->task_root) < 0)
		ld_path = NULL;
	/* what the Lambda service sets for a custom runtime */
	const char *pairs[] = {
		"AWS_LAMBDA_RUNTIME_API", w->address, "LAMBDA_TASK_ROOT", rt->task_root,
		"LAMBDA_RUNTIME_DIR", rt->task_root, "_HANDLER", rt->handler,
		"AWS_LAMBDA_FUNCTION_NAME", rt->function_name, "AWS_LAMBDA_FUNCTION_VERSION", "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memory, "AWS_LAMBDA_LOG_GROUP_NAME", log_group,
		"AWS_LAMBDA_LOG_STREAM_NAME", stream, "AWS_REGION", rt->region, "AWS_DEFAULT_REGION", rt->region,
		"TZ", ":UTC", "LANG", "en_US.UTF-8", "PATH", "/usr/local/bin:/usr/bin:/bin",
		"LD_LIBRARY_PATH", ld_path,
	};
	size_t n_pairs = sizeof pairs / sizeof pairs[0] / 2;
	char **env = calloc(n_extra + n_pairs + 1, sizeof *env);
	size_t n = 0;
	for (size_t i = 0; env && i < n_pairs; i++)
		if (pairs[2 * i + 1] && asprintf(&env[n], "%s=%s", pairs[2 * i], pairs[2 * i + 1]) >= 0)
			n++;
	for (size_t i = 0; env && i < n_extra; i++)
		env[n++] = strdup(rt->env_extra[i]);
	free(log_group);
	free(ld_path);
	return env;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void *reaper_main(void *arg);

static char *bootstrap_path(const struct owlet_runtime *rt)
{
	char *path = NULL;
	if (asprintf(&path, "%s/%s", rt->task_root, rt->handler) < 0)
		return NULL;
	return path;
}

/* Starts the worker's process (lock held).  Only the spawner thread calls
 * it: PR_SET_PDEATHSIG fires when the thread that forked ends, so the fork
 * must come from a thread that lives as long as the runtime. */
static int spawn(struct worker *w)
{
	struct owlet_runtime *rt = w->rt;
	if (w->has_reaper) {
		pthread_join(w->reaper, NULL);
		w->has_reaper = false;
	}
	char *path = bootstrap_path(rt);
	char **env = build_env(rt, w);
	int rc = 0;
	if (!env || !path) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	char *argv[] = { path, NULL };
	pid_t parent = getpid();
	w->exec_at = mono_now();
	pid_t pid = fork();
	if (pid < 0) {
		rc = owlet_error_setc(OWLET_ECHILD, "cannot fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		if (chdir(rt->task_root) != 0)
			_exit(127);
		if (rt->log_path) {
			int fd = open(rt->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
			if (fd >= 0) {
				dup2(fd, 1);
				dup2(fd, 2);
			}
		}
		execve(path, argv, env);
		_exit(127);
	}
	w->pid = pid;
	w->init_failed = false;
	rt->stats.starts++;
	if (pthread_create(&w->reaper, NULL, reaper_main, w) == 0)
		w->has_reaper = true;
out:
	free(path);
	free_strv(env);
	return rc;
}

static void *spawner_main(void *arg)
{
	struct owlet_runtime *rt = arg;
	pthread_mutex_lock(&rt->lock);
	while (!rt->stopping) {
		bool did = false;
		for (int i = 0; i < rt->n_workers; i++) {
			struct worker *w = &rt->workers[i];
			if (!w->spawn_requested)
				continue;
			w->spawn_requested = false;
			did = true;
			if (spawn(w) < 0) {
				w->state = W_DOWN;
				struct invocation *inv = rt->head;
				if (inv) {
					queue_remove(rt, inv);
					finish_error(rt, inv, OWLET_INVOKE_EXITED, "Runtime.ExitError", owlet_error_last());
				}
			}
		}
		if (!did)
			pthread_cond_wait(&rt->cond, &rt->lock);
	}
	pthread_mutex_unlock(&rt->lock);
	return NULL;
}

/* Asks the spawner for a process on worker w (lock held). */
static int request_spawn(struct worker *w)
{
	char *path = bootstrap_path(w->rt);
	if (!path)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int ok = access(path, X_OK) == 0;
	int rc = ok ? 0 : owlet_error_setc(OWLET_ENOTFOUND, "cannot run '%s': %s", path, strerror(errno));
	free(path);
	if (rc < 0)
		return rc;
	w->state = W_INIT;
	w->spawn_requested = true;
	pthread_cond_broadcast(&w->rt->cond);
	return 0;
}

static void describe_exit(char *out, size_t size, int status)
{
	if (WIFSIGNALED(status))
		snprintf(out, size, "signal: %s", strsignal(WTERMSIG(status)));
	else
		snprintf(out, size, "exit status %d", WEXITSTATUS(status));
}

static void *reaper_main(void *arg)
{
	struct worker *w = arg;
	struct owlet_runtime *rt = w->rt;
	pthread_mutex_lock(&rt->lock);
	pid_t pid = w->pid;
	pthread_mutex_unlock(&rt->lock);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	char how[96], msg[160];
	describe_exit(how, sizeof how, status);
	pthread_mutex_lock(&rt->lock);
	enum worker_state was = w->state;
	w->pid = 0;
	w->gen++;
	w->state = W_DOWN;
	if (w->inflight) {
		snprintf(msg, sizeof msg, "Runtime exited with error: %s", how);
		finish_error(rt, w->inflight, OWLET_INVOKE_EXITED, "Runtime.ExitError", msg);
	} else if (was == W_INIT && !w->init_failed && rt->head && !rt->stopping) {
		/* died during init: the invocation waiting for it fails, as on Lambda */
		struct invocation *inv = rt->head;
		queue_remove(rt, inv);
		snprintf(msg, sizeof msg, "Runtime exited without providing a reason: %s", how);
		finish_error(rt, inv, OWLET_INVOKE_EXITED, "Runtime.ExitError", msg);
	}
	pthread_cond_broadcast(&rt->cond);
	pthread_mutex_unlock(&rt->lock);
	return NULL;
}

/* Starts processes while fewer are starting or ready than events wait (lock held). */
static int ensure_capacity(struct owlet_runtime *rt)
{
	size_t ready = 0;
	for (int i = 0; i < rt->n_workers; i++)
		if (rt->workers[i].state == W_INIT || rt->workers[i].state == W_READY)
			ready++;
	for (int i = 0; i < rt->n_workers && ready < rt->queued; i++) {
		if (rt->workers[i].state != W_DOWN || rt->workers[i].pid)
			continue;
		int rc = request_spawn(&rt->workers[i]);
		if (rc < 0)
			return rc;
		ready++;
	}
	return 0;
}

/* ---- the Runtime API handlers ---- */

static enum MHD_Result respond_json(struct MHD_Connection *c, unsigned status, const char *body)
{
	return owlet_http_respond(c, status, "application/json", body, strlen(body), NULL);
}

static enum MHD_Result respond_error(struct MHD_Connection *c, unsigned status, const char *type,
				     const char *message)
{
	char *doc = error_document(type, "%s", message);
	enum MHD_Result r = respond_json(c, status, doc ? doc : "{}");
	free(doc);
	return r;
}

static int connection_fd(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	return ci ? ci->connect_fd : -1;
}

/* Whether the caller has closed its end (EOF), so that an event handed to it
 * would be lost. */
static bool caller_gone(int fd)
{
	char b;
	ssize_t n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	return fd < 0 || n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* How often a /next waiting for an event looks whether its caller is still there. */
#define NEXT_POLL_MS 100

static enum MHD_Result handle_next(struct worker *w, struct MHD_Connection *c)
{
	struct owlet_runtime *rt = w->rt;
	int fd = connection_fd(c);
	pthread_mutex_lock(&rt->lock);
	unsigned gen = w->gen;
	if (w->state == W_INIT) {
		struct timespec now = mono_now();
		double ms = ms_between(&w->exec_at, &now);
		rt->stats.last_init_ms = ms;
		if (rt->stats.first_init_ms == 0)
			rt->stats.first_init_ms = ms;
	}
	if (w->inflight) /* a new /next ends the previous invocation unanswered */
		finish_error(rt, w->inflight, OWLET_INVOKE_ERROR, "Runtime.NoResponse",
			     "the runtime asked for the next event without answering this one");
	w->state = W_READY;
	bool gone = false;
	while (!rt->stopping && w->gen == gen && !rt->head && !(gone = caller_gone(fd))) {
		struct timespec until = mono_after(NEXT_POLL_MS);
		pthread_cond_timedwait(&rt->cond, &rt->lock, &until);
	}
	/* a caller that left is handed nothing: the event waits for the next /next */
	if (rt->stopping || w->gen != gen || gone || caller_gone(fd)) {
		pthread_mutex_unlock(&rt->lock);
		return MHD_NO;
	}
	struct invocation *inv = rt->head;
	queue_remove(rt, inv);
	inv->dispatched = true;
	inv->worker = w;
	inv->deadline = mono_after(inv->timeout_ms);
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	inv->deadline_epoch_ms = (int64_t)wall.tv_sec * 1000 + wall.tv_nsec / 1000000 + inv->timeout_ms;
	w->inflight = inv;
	w->state = W_BUSY;
	rt->stats.invocations++;
	char deadline[32], trace[128];
	snprintf(deadline, sizeof deadline, "%" PRId64, inv->deadline_epoch_ms);
	new_trace_id(trace, sizeof trace);
	const char *headers[] = { "Lambda-Runtime-Aws-Request-Id", inv->id, "Lambda-Runtime-Deadline-Ms", deadline,
				  "Lambda-Runtime-Invoked-Function-Arn", rt->arn, "Lambda-Runtime-Trace-Id", trace,
				  NULL };
	enum MHD_Result r = owlet_http_respond(c, MHD_HTTP_OK, "application/json", inv->event, inv->len, headers);
	pthread_mutex_unlock(&rt->lock);
	return r;
}

static enum MHD_Result handle_result(struct worker *w, struct MHD_Connection *c, const char *id, bool is_error,
				     struct rt_request *req)
{
	struct owlet_runtime *rt = w->rt;
	pthread_mutex_lock(&rt->lock);
	struct invocation *inv = w->inflight;
	if (!inv || strcmp(inv->id, id) != 0) {
		pthread_mutex_unlock(&rt->lock);
		return respond_error(c, MHD_HTTP_BAD_REQUEST, "InvalidRequestID", "Invalid request ID");
	}
	w->state = W_READY;
	if (req->body.too_big) {
		finish_error(rt, inv, OWLET_INVOKE_ERROR, "Function.ResponseSizeTooLarge",
			     "Response payload size exceeded maximum allowed payload size (6291556 bytes).");
		pthread_mutex_unlock(&rt->lock);
		return respond_error(c, 413, "RequestEntityTooLarge",
				     "Response payload size exceeded maximum allowed payload size");
	}
	char *payload = req->body.data;
	size_t len = req->body.len;
	req->body.data = NULL;
	if (!payload) {
		payload = strdup("");
		len = 0;
	}
	const char *type = NULL;
	if (is_error) {
		type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Lambda-Runtime-Function-Error-Type");
		json_t *doc = json_loadb(payload, len, 0, NULL);
		const char *doc_type = json_string_value(json_object_get(doc, "errorType"));
		char *t = xstrdup(type ? type : doc_type ? doc_type : "Unhandled");
		json_decref(doc);
		finish(rt, inv, OWLET_INVOKE_ERROR, payload, len, t);
		free(t);
	} else {
		finish(rt, inv, OWLET_INVOKE_OK, payload, len, NULL);
	}
	pthread_mutex_unlock(&rt->lock);
	return respond_json(c, MHD_HTTP_ACCEPTED, "{\"status\":\"OK\"}");
}

static enum MHD_Result handle_init_error(struct worker *w, struct MHD_Connection *c, struct rt_request *req)
{
	struct owlet_runtime *rt = w->rt;
	pthread_mutex_lock(&rt->lock);
	if (w->state != W_INIT) {
		pthread_mutex_unlock(&rt->lock);
		return respond_error(c, MHD_HTTP_FORBIDDEN, "InvalidStateTransition",
				     "State transition from Ready to InitError failed");
	}
	struct invocation *inv = rt->head;
	if (inv) {
		queue_remove(rt, inv);
		char *payload = req->body.data ? req->body.data : strdup("{}");
		size_t len = req->body.data ? req->body.len : 2;
		req->body.data = NULL;
		const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Lambda-Runtime-Function-Error-Type");
		finish(rt, inv, OWLET_INVOKE_INIT_ERROR, payload, len, type ? type : "Runtime.InitError");
	}
	req->kill_after = w->pid;
	w->init_failed = true;
	pthread_mutex_unlock(&rt->lock);
	return respond_json(c, MHD_HTTP_ACCEPTED, "{\"status\":\"OK\"}");
}

static enum MHD_Result rt_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				 const char *version, const char *upload_data, size_t *upload_data_size,
				 void **con_cls)
{
	(void)version;
	struct worker *w = cls;
	struct rt_request *req = *con_cls;
	if (!req) {
		/* only the worker's own process (or its children) may speak here */
		pthread_mutex_lock(&w->rt->lock);
		pid_t pid = w->pid;
		pthread_mutex_unlock(&w->rt->lock);
		if (!owlet_proc_tcp_peer_in_tree(connection_fd(c), pid)) {
			char *doc = error_document("AccessDeniedException", "only the function's own runtime process may "
									    "call this Runtime API");
			const char *close_hdr[] = { MHD_HTTP_HEADER_CONNECTION, "close", NULL };
			enum MHD_Result r = owlet_http_respond(c, MHD_HTTP_FORBIDDEN, "application/json",
							       doc ? doc : "{}", doc ? strlen(doc) : 2, close_hdr);
			free(doc);
			return r;
		}
		req = calloc(1, sizeof *req);
		if (!req)
			return MHD_NO;
		req->body.limit = MAX_RESPONSE;
		*con_cls = req;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!owlet_http_body_add(&req->body, upload_data, *upload_data_size))
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strncmp(url, PREFIX, strlen(PREFIX)) != 0)
		return respond_error(c, MHD_HTTP_NOT_FOUND, "NotFound", "unknown Runtime API path");
	const char *rest = url + strlen(PREFIX);
	bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
	if (get && strcmp(rest, "invocation/next") == 0)
		return handle_next(w, c);
	if (post && strcmp(rest, "init/error") == 0)
		return handle_init_error(w, c, req);
	if (post && strncmp(rest, "invocation/", 11) == 0) {
		const char *id = rest + 11;
		const char *slash = strchr(id, '/');
		if (slash && (size_t)(slash - id) < 40) {
			char rid[40];
			snprintf(rid, sizeof rid, "%.*s", (int)(slash - id), id);
			if (strcmp(slash, "/response") == 0)
				return handle_result(w, c, rid, false, req);
			if (strcmp(slash, "/error") == 0)
				return handle_result(w, c, rid, true, req);
		}
	}
	return respond_error(c, MHD_HTTP_NOT_FOUND, "NotFound", "unknown Runtime API path");
}

static void rt_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct rt_request *req = *con_cls;
	if (!req)
		return;
	if (req->kill_after > 0)
		kill(req->kill_after, SIGKILL);
	owlet_http_body_free(&req->body);
	free(req);
	*con_cls = NULL;
}

/* ---- the public side ---- */

void owlet_invoke_result_clear(struct owlet_invoke_result *r)
{
	free(r->payload);
	free(r->error_type);
	memset(r, 0, sizeof *r);
}

int owlet_runtime_start(struct owlet_runtime **out, const struct owlet_runtime_config *cfg)
{
	*out = NULL;
	if (!cfg->task_root)
		return owlet_error_setc(OWLET_EUSAGE, "no task root for the Lambda runtime");
	struct owlet_runtime *rt = calloc(1, sizeof *rt);
	if (!rt)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	pthread_mutex_init(&rt->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&rt->cond, &ca);
	pthread_condattr_destroy(&ca);
	int rc = 0;
	rt->task_root = realpath(cfg->task_root, NULL);
	if (!rt->task_root) {
		rc = owlet_error_setc(OWLET_ENOTFOUND, "cannot open '%s': %s", cfg->task_root, strerror(errno));
		goto fail;
	}
	rt->handler = strdup(cfg->handler ? cfg->handler : "bootstrap");
	rt->function_name = strdup(cfg->function_name ? cfg->function_name : "owlet-local");
	rt->region = strdup(cfg->region ? cfg->region : "us-east-1");
	rt->log_path = cfg->log_path ? strdup(cfg->log_path) : NULL;
	rt->memory_mb = cfg->memory_mb > 0 ? cfg->memory_mb : 256;
	if (asprintf(&rt->arn, "arn:aws:lambda:%s:%s:function:%s", rt->region,
		     cfg->account_id ? cfg->account_id : "123456789012", rt->function_name) < 0)
		rt->arn = NULL;
	size_t n_env = 0;
	while (cfg->env && cfg->env[n_env])
		n_env++;
	rt->env_extra = calloc(n_env + 1, sizeof *rt->env_extra);
	rt->n_workers = cfg->workers > 0 ? cfg->workers : 1;
	rt->workers = calloc((size_t)rt->n_workers, sizeof *rt->workers);
	if (!rt->handler || !rt->function_name || !rt->region || !rt->arn || !rt->env_extra || !rt->workers) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < n_env; i++)
		rt->env_extra[i] = strdup(cfg->env[i]);
	for (int i = 0; i < rt->n_workers; i++) {
		struct worker *w = &rt->workers[i];
		w->rt = rt;
		w->index = i;
		uint16_t port;
		struct owlet_http_config hc = { .handler = rt_access, .handler_cls = w, .completed = rt_completed,
						.connection_limit = 16 };
		rc = owlet_http_start(&w->daemon, &port, &hc);
		if (rc < 0)
			goto fail;
		snprintf(w->address, sizeof w->address, "127.0.0.1:%u", (unsigned)port);
	}
	if (pthread_create(&rt->spawner, NULL, spawner_main, rt) != 0) {
		rc = owlet_error_setc(OWLET_ERROR, "cannot start a thread");
		goto fail;
	}
	rt->has_spawner = true;
	if (cfg->prewarm) {
		pthread_mutex_lock(&rt->lock);
		rc = request_spawn(&rt->workers[0]);
		pthread_mutex_unlock(&rt->lock);
		if (rc < 0)
			goto fail;
	}
	*out = rt;
	return 0;
fail:
	owlet_runtime_stop(rt);
	return rc;
}

int owlet_runtime_invoke(struct owlet_invoke_result *out, struct owlet_runtime *rt, const char *event,
			 size_t len, long timeout_ms)
{
	memset(out, 0, sizeof *out);
	struct invocation *inv = calloc(1, sizeof *inv);
	if (!inv || !(inv->event = malloc(len + 1))) {
		free(inv);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	memcpy(inv->event, event, len);
	inv->event[len] = '\0';
	inv->len = len;
	inv->timeout_ms = timeout_ms > 0 ? timeout_ms : 3000;
	new_request_id(inv->id);
	struct timespec start = mono_now(), queue_deadline = mono_after(inv->timeout_ms);

	pthread_mutex_lock(&rt->lock);
	if (rt->stopping) {
		pthread_mutex_unlock(&rt->lock);
		free(inv->event);
		free(inv);
		return owlet_error_setc(OWLET_EINTR, "the Lambda runtime is stopping");
	}
	if (rt->tail)
		rt->tail->next = inv;
	else
		rt->head = inv;
	rt->tail = inv;
	rt->queued++;
	inv->queued = true;
	int rc = ensure_capacity(rt);
	if (rc < 0) {
		queue_remove(rt, inv);
		pthread_mutex_unlock(&rt->lock);
		free(inv->event);
		free(inv);
		return rc;
	}
	pthread_cond_broadcast(&rt->cond);
	while (!inv->done) {
		const struct timespec *until = inv->dispatched ? &inv->deadline : &queue_deadline;
		if (mono_passed(until)) {
			if (!inv->dispatched) {
				queue_remove(rt, inv);
				char *doc = error_document("Sandbox.Timedout",
							   "no Lambda runtime took the event within %.2f seconds",
							   (double)inv->timeout_ms / 1000);
				finish(rt, inv, OWLET_INVOKE_TIMEOUT, doc, doc ? strlen(doc) : 0, "Sandbox.Timedout");
			} else {
				if (inv->worker && inv->worker->inflight == inv && inv->worker->pid > 0)
					kill(inv->worker->pid, SIGKILL);
				char *doc = error_document("Sandbox.Timedout", "%s Task timed out after %.2f seconds",
							   inv->id, (double)inv->timeout_ms / 1000);
				finish(rt, inv, OWLET_INVOKE_TIMEOUT, doc, doc ? strlen(doc) : 0, "Sandbox.Timedout");
			}
			break;
		}
		if (rt->stopping) {
			queue_remove(rt, inv);
			finish_error(rt, inv, OWLET_INVOKE_EXITED, "Runtime.ExitError", "the Lambda runtime is stopping");
			break;
		}
		if (!inv->dispatched && (rc = ensure_capacity(rt)) < 0) {
			queue_remove(rt, inv);
			pthread_mutex_unlock(&rt->lock);
			free(inv->event);
			free(inv);
			return rc;
		}
		pthread_cond_timedwait(&rt->cond, &rt->lock, until);
	}
	pthread_mutex_unlock(&rt->lock);

	out->status = inv->status;
	out->payload = inv->payload;
	out->payload_len = inv->payload_len;
	out->error_type = inv->error_type;
	memcpy(out->request_id, inv->id, sizeof out->request_id);
	struct timespec end = mono_now();
	out->duration_ms = ms_between(&start, &end);
	free(inv->event);
	free(inv);
	return 0;
}

void owlet_runtime_get_stats(struct owlet_runtime_stats *out, struct owlet_runtime *rt)
{
	pthread_mutex_lock(&rt->lock);
	*out = rt->stats;
	pthread_mutex_unlock(&rt->lock);
}

const char *owlet_runtime_address(const struct owlet_runtime *rt, int worker)
{
	return worker >= 0 && worker < rt->n_workers ? rt->workers[worker].address : NULL;
}

void owlet_runtime_cancel(struct owlet_runtime *rt)
{
	if (!rt)
		return;
	pthread_mutex_lock(&rt->lock);
	rt->stopping = true;
	for (int i = 0; i < rt->n_workers; i++)
		if (rt->workers[i].pid > 0)
			kill(rt->workers[i].pid, SIGKILL);
	pthread_cond_broadcast(&rt->cond);
	pthread_mutex_unlock(&rt->lock);
}

void owlet_runtime_stop(struct owlet_runtime *rt)
{
	if (!rt)
		return;
	pthread_mutex_lock(&rt->lock);
	rt->stopping = true;
	pthread_cond_broadcast(&rt->cond);
	pthread_mutex_unlock(&rt->lock);
	if (rt->has_spawner)
		pthread_join(rt->spawner, NULL);
	pthread_mutex_lock(&rt->lock);
	for (int i = 0; i < rt->n_workers; i++)
		if (rt->workers[i].pid > 0)
			kill(rt->workers[i].pid, SIGKILL);
	pthread_mutex_unlock(&rt->lock);
	for (int i = 0; rt->workers && i < rt->n_workers; i++) {
		struct worker *w = &rt->workers[i];
		if (w->has_reaper)
			pthread_join(w->reaper, NULL);
		if (w->daemon)
			MHD_stop_daemon(w->daemon);
	}
	free(rt->workers);
	free_strv(rt->env_extra);
	free(rt->task_root);
	free(rt->handler);
	free(rt->function_name);
	free(rt->region);
	free(rt->arn);
	free(rt->log_path);
	pthread_cond_destroy(&rt->cond);
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}

/* ---- unpacking the artifact ---- */

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int remove_tree(const char *dir)
{
	return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int r = mkdir(path, 0755);
		*p = '/';
		if (r != 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

static bool safe_entry_name(const char *name)
{
	if (!name[0] || name[0] == '/')
		return false;
	for (const char *p = name; *p;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return false;
		if (!slash)
			break;
		p = slash + 1;
	}
	return true;
}

static int extract_entry(zip_t *za, zip_uint64_t i, const char *dir)
{
	zip_stat_t st;
	if (zip_stat_index(za, i, 0, &st) != 0)
		return owlet_error_setc(OWLET_EIO, "cannot read the zip: %s", zip_strerror(za));
	if (!safe_entry_name(st.name))
		return owlet_error_setc(OWLET_EINVALID, "zip entry '%s' is outside the archive's root", st.name);
	zip_uint8_t opsys;
	zip_uint32_t attr = 0;
	zip_file_get_external_attributes(za, i, 0, &opsys, &attr);
	mode_t mode = opsys == ZIP_OPSYS_UNIX ? (mode_t)(attr >> 16) : 0;
	char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, st.name) < 0)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = 0;
	char *data = NULL;
	zip_file_t *zf = NULL;
	if (mkdirs(path) != 0) {
		rc = owlet_error_setc(OWLET_EIO, "cannot create the directories of '%s': %s", path, strerror(errno));
		goto out;
	}
	size_t nlen = strlen(st.name);
	if (st.name[nlen - 1] == '/' || S_ISDIR(mode)) {
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			rc = owlet_error_setc(OWLET_EIO, "cannot create '%s': %s", path, strerror(errno));
		goto out;
	}
	zf = zip_fopen_index(za, i, 0);
	data = malloc(st.size + 1);
	if (!zf || !data || zip_fread(zf, data, st.size) != (zip_int64_t)st.size) {
		rc = owlet_error_setc(OWLET_EIO, "cannot read '%s' from the zip", st.name);
		goto out;
	}
	data[st.size] = '\0';
	if (S_ISLNK(mode)) {
		if (symlink(data, path) != 0)
			rc = owlet_error_setc(OWLET_EIO, "cannot create the link '%s': %s", path, strerror(errno));
		goto out;
	}
	mode_t perm = (mode & 07777) ? (mode & 0777) : 0644;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, perm);
	if (fd < 0 || write(fd, data, st.size) != (ssize_t)st.size) {
		rc = owlet_error_setc(OWLET_EIO, "cannot write '%s': %s", path, strerror(errno));
	}
	if (fd >= 0) {
		fchmod(fd, perm);
		close(fd);
	}
out:
	if (zf)
		zip_fclose(zf);
	free(data);
	free(path);
	return rc;
}

int owlet_runtime_unpack(const char *zip_path, const char *dir)
{
	int err = 0, rc = 0;
	char *tmp = NULL, *old = NULL;
	zip_t *za = zip_open(zip_path, ZIP_RDONLY, &err);
	if (!za) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, err);
		rc = owlet_error_setc(err == ZIP_ER_NOENT ? OWLET_ENOTFOUND : OWLET_EIO, "cannot open '%s': %s",
				      zip_path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return rc;
	}
	if (asprintf(&tmp, "%s.tmp-%d", dir, (int)getpid()) < 0 || asprintf(&old, "%s.old-%d", dir, (int)getpid()) < 0) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	remove_tree(tmp);
	char *parent = strdup(tmp);
	if (!parent || mkdirs(parent) != 0 || mkdir(tmp, 0755) != 0) {
		rc = owlet_error_setc(OWLET_EIO, "cannot create '%s': %s", tmp, strerror(errno));
		free(parent);
		goto out;
	}
	free(parent);
	zip_int64_t n = zip_get_num_entries(za, 0);
	for (zip_int64_t i = 0; i < n && rc == 0; i++)
		rc = extract_entry(za, (zip_uint64_t)i, tmp);
	if (rc < 0)
		goto out;
	bool had_old = rename(dir, old) == 0;
	if (rename(tmp, dir) != 0) {
		rc = owlet_error_setc(OWLET_EIO, "cannot rename '%s' to '%s': %s", tmp, dir, strerror(errno));
		if (had_old)
			rename(old, dir);
		goto out;
	}
	if (had_old)
		remove_tree(old);
out:
	if (rc < 0 && tmp)
		remove_tree(tmp);
	free(tmp);
	free(old);
	zip_close(za);
	return rc;
}
