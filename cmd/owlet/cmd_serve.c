/*
 * cmd_serve.c: `owlet serve [--env local] [--port N] [--workers N] [--detach]`:
 * the local environment's HTTP API on 127.0.0.1, as API Gateway would serve
 * it, running the real Lambda artifact under owlet's Runtime API.
 *
 * Needs what `owlet up --env local` leaves in state/<env>/: outputs.json
 * (user pool, client, bucket), emulator.json (moto's endpoint) and
 * artifacts/lambda.zip (unzipped to state/<env>/lambda/).  It also serves
 * the local Athena (local/athena_server.h) on a port of its own, which the Lambda
 * reaches through AWS_ENDPOINT_URL_ATHENA.  Once listening it writes
 * state/<env>/localapi.json {"url","pid","port","athena_url"} (atomically);
 * SIGTERM or SIGINT stops it and removes that file.  With --detach the
 * server runs in the background (its log: state/<env>/localapi.log) and the
 * command returns, printing the URL, once the server listens.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/cognito.h"
#include "commands.h"
#include "model/environment.h"
#include "base/clock.h"
#include "base/error.h"
#include "base/hash.h"
#include "local/jwt.h"
#include "local/apigw.h"
#include "local/athena_server.h"
#include "local/s3front.h"
#include "deploy/stack.h"
#include "model/model.h"
#include "local/runtime_server.h"
#include "base/proc.h"

static const char *opt_env = "local";
static long opt_port;
static long opt_workers = 2;
static bool opt_detach;

const struct owlet_option cmd_serve_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "environment (default: local); must have been brought up" },
	{ "port", 'p', OPT_INT, &opt_port, "N",
	  "listen on 127.0.0.1:N (default: api.local_port, else the port chosen the first time, kept in state/ENV/)" },
	{ "workers", 0, OPT_INT, &opt_workers, "N", "Lambda processes run at most at once (default: 2)" },
	{ "detach", 'd', OPT_FLAG, &opt_detach, NULL,
	  "serve in the background (log: state/ENV/localapi.log); return once it listens" },
	{ 0 },
};

struct serve_setup {
	char state_dir[64];
	char path_json[96];
	struct owlet_stack *stack;
	struct owlet_jwks *jwks;
	char *model_json;
	char *task_root;
	char **routes;
	size_t n_routes;
	long timeout_ms;
	int memory_mb;
	int throttle_rate, throttle_burst;
	unsigned port;         /* 0: a free one, chosen now */
	char port_from[128];   /* where port comes from, for messages */
	bool keep_port;        /* write it to state/<env>/localapi_port.json once listening */
	char path_port[96];
	struct owlet_model *model; /* for the local Athena's tables */
	char *glue_database;
};

static void setup_free(struct serve_setup *s)
{
	owlet_stack_free(s->stack);
	owlet_jwks_free(s->jwks);
	free(s->model_json);
	free(s->task_root);
	for (size_t i = 0; i < s->n_routes; i++)
		free(s->routes[i]);
	free(s->routes);
	owlet_model_free(s->model);
	free(s->glue_database);
}

/* The route keys `up` recorded in outputs.json ("routes"), else the ones the
 * api module renders for this model. */
static int load_routes(struct serve_setup *s, const struct owlet_model *model)
{
	json_t *jr = json_object_get(s->stack->outputs, "routes");
	if (json_is_object(jr))
		jr = json_object_get(jr, "value");
	size_t n = json_array_size(jr);
	if (n == 0) {
		s->routes = owlet_localapi_model_routes(&s->n_routes, model);
		return s->routes ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	s->routes = calloc(n + 1, sizeof *s->routes);
	for (size_t i = 0; s->routes && i < n; i++) {
		const char *key = json_string_value(json_array_get(jr, i));
		if (!key || !strchr(key, ' '))
			return owlet_error_setc(OWLET_EINVALID, "'%s/outputs.json': 'routes' holds something that is no "
								"route key", s->state_dir);
		if ((s->routes[s->n_routes] = strdup(key)))
			s->n_routes++;
	}
	return s->n_routes == n ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
}

/* A live server already recorded in localapi.json: refuse to start another. */
static int check_not_running(const char *path)
{
	json_t *doc = NULL;
	if (owlet_state_read_json(&doc, path) < 0)
		return 0;
	json_int_t pid = json_integer_value(json_object_get(doc, "pid"));
	const char *url = json_string_value(json_object_get(doc, "url"));
	int rc = 0;
	if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM))
		rc = owlet_error_setc(OWLET_ELOCKED, "the local API of '%s' already runs at %s (pid %lld); "
						     "'owlet down --env %s' stops it", opt_env, url ? url : "?",
				      (long long)pid, opt_env);
	json_decref(doc);
	return rc;
}

/* The port: --port, else the one kept in state/<env>/localapi_port.json
 * (api.local_port, read later with the environment, wins over the kept one). */
static int choose_port(struct serve_setup *s)
{
	snprintf(s->path_port, sizeof s->path_port, "%s/localapi_port.json", s->state_dir);
	s->keep_port = true;
	if (opt_port > 0) {
		s->port = (unsigned)opt_port;
		snprintf(s->port_from, sizeof s->port_from, "--port");
		return 0;
	}
	json_t *doc = NULL;
	if (owlet_state_read_json(&doc, s->path_port) < 0) {
		owlet_error_clear();
		return 0;
	}
	json_int_t port = json_integer_value(json_object_get(doc, "port"));
	json_decref(doc);
	if (port < 1 || port > 65535)
		return owlet_error_setc(OWLET_EINVALID, "'%s' holds no port (1..65535): remove it to choose a new one",
					s->path_port);
	s->port = (unsigned)port;
	snprintf(s->port_from, sizeof s->port_from, "kept in %s", s->path_port);
	return 0;
}

/* A port someone else listens on: say who, when /proc tells. */
static int check_port_free(struct serve_setup *s)
{
	if (strncmp(s->port_from, "api.local_port", 14) == 0)
		s->keep_port = false;
	if (!s->port)
		return 0;
	char cmd[160];
	pid_t pid = owlet_proc_tcp_listener(s->port, cmd, sizeof cmd);
	if (pid > 0)
		return owlet_error_setc(OWLET_EIO, "port %u (%s) is taken by pid %d (%s): stop it, or choose another "
						     "port with --port or api.local_port", s->port, s->port_from, (int)pid, cmd);
	if (pid < 0)
		return owlet_error_setc(OWLET_EIO, "port %u (%s) is taken by a process owlet cannot see (another "
						     "user's): choose another port with --port or api.local_port",
					s->port, s->port_from);
	return 0;
}

/* Everything that needs no thread: files, the artifact, the JWKS. */
static int prepare(struct serve_setup *s)
{
	snprintf(s->state_dir, sizeof s->state_dir, "state/%s", opt_env);
	snprintf(s->path_json, sizeof s->path_json, "%s/localapi.json", s->state_dir);
	int rc = check_not_running(s->path_json);
	if (rc < 0)
		return rc;
	rc = choose_port(s);
	if (rc < 0)
		return rc;
	rc = owlet_stack_load(&s->stack, s->state_dir, opt_env);
	if (rc < 0)
		return rc;
	if (!s->stack->endpoint)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet serve' is for local environments: '%s/emulator.json' is "
						      "missing", s->state_dir);
	struct owlet_model *model = NULL;
	rc = owlet_model_load(&model, NULL, "data_model.yml");
	if (rc == OWLET_EINVALID)
		return owlet_error_setc(rc, "data_model.yml has problems; 'owlet validate' lists them");
	if (rc < 0)
		return rc;
	rc = load_routes(s, model);
	if (rc < 0) {
		owlet_model_free(model);
		return rc;
	}
	json_t *mj = owlet_model_to_json(model);
	s->model_json = mj ? json_dumps(mj, JSON_COMPACT) : NULL;
	json_decref(mj);
	struct owlet_environment *env = NULL;
	s->timeout_ms = 10000;
	s->memory_mb = 256;
	if (owlet_environment_load(&env, NULL, ".", opt_env, model->project) == 0) {
		s->timeout_ms = env->function.timeout_s * 1000L;
		s->memory_mb = env->function.memory_mb;
		s->throttle_rate = env->api.throttle_rate;
		s->throttle_burst = env->api.throttle_burst;
		if (!opt_port && env->api.local_port > 0) {
			s->port = (unsigned)env->api.local_port;
			snprintf(s->port_from, sizeof s->port_from, "api.local_port of environments/%s.yml", opt_env);
		}
	}
	owlet_environment_free(env);
	s->model = model;
	/* the Glue database of modules/catalog: the name prefix with '_' for '-' */
	const char *db = json_string_value(json_object_get(s->stack->outputs, "glue_database"));
	if (!db)
		db = json_string_value(json_object_get(json_object_get(s->stack->outputs, "glue_database"), "value"));
	if (db)
		s->glue_database = strdup(db);
	else if (asprintf(&s->glue_database, "%s_%s", model->project, opt_env) < 0)
		s->glue_database = NULL;
	for (char *p = s->glue_database; p && *p; p++)
		if (*p == '-')
			*p = '_';
	if (!s->model_json || !s->glue_database)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	rc = check_port_free(s);
	if (rc < 0)
		return rc;

	char zip[128];
	snprintf(zip, sizeof zip, "%s/artifacts/lambda.zip", s->state_dir);
	if (asprintf(&s->task_root, "%s/lambda", s->state_dir) < 0) {
		s->task_root = NULL;
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	rc = owlet_runtime_unpack(zip, s->task_root);
	if (rc == OWLET_ENOTFOUND)
		return owlet_error_setc(rc, "no Lambda artifact '%s': run 'owlet build --env %s'", zip, opt_env);
	if (rc < 0)
		return rc;

	if (!s->stack->user_pool_id || !s->stack->client_id) {
		/* a stack without auth (a test stack): nothing can sign in, so every
		 * request is refused, as an authorizer without keys would */
		fprintf(stderr, "owlet: note: '%s' has no user pool: every request will get 401\n", s->state_dir);
		return 0;
	}
	struct owlet_cognito c = { .endpoint = s->stack->endpoint, .region = s->stack->region };
	char *jwks_text = NULL;
	rc = owlet_cognito_jwks(&jwks_text, &c, s->stack->user_pool_id);
	if (rc == 0)
		rc = owlet_jwks_parse(&s->jwks, jwks_text, strlen(jwks_text));
	free(jwks_text);
	return rc;
}

static void log_line(void *cls, const char *line)
{
	(void)cls;
	char when[32];
	owlet_clock_format(when, sizeof when, owlet_clock_wall_ms(), OWLET_CLOCK_ISO);
	fprintf(stderr, "%s %s\n", when, line);
	fflush(stderr);
}

static char *var(const char *name, const char *value)
{
	char *s = NULL;
	if (asprintf(&s, "%s=%s", name, value) < 0)
		return NULL;
	return s;
}

/* Serves until SIGTERM/SIGINT; ready_fd (or -1) gets one byte once listening. */
static int serve(struct serve_setup *s, int ready_fd)
{
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, NULL); /* before any thread: they inherit it */
	signal(SIGPIPE, SIG_IGN);

	/* the local Athena first: the Lambda reaches it by AWS_ENDPOINT_URL_ATHENA */
	struct owlet_athena_server *athena = NULL;
	char cache_dir[128], athena_url[64];
	snprintf(cache_dir, sizeof cache_dir, "%s/athena-cache", s->state_dir);
	struct owlet_athena_server_config ath_cfg = {
		.model = s->model, .bucket = s->stack->data_bucket ? s->stack->data_bucket : "",
		.s3 = { "test", "test", NULL, s->stack->region, s->stack->endpoint }, .cache_dir = cache_dir,
		.glue_database = s->glue_database,
		.log = log_line,
	};
	int rc = owlet_athena_server_start(&athena, &ath_cfg);
	if (rc < 0)
		return rc;
	snprintf(athena_url, sizeof athena_url, "http://127.0.0.1:%u", owlet_athena_server_port(athena));
	if (owlet_athena_server_unavailable(athena))
		fprintf(stderr, "owlet: note: SQL on the local Athena will answer 501: %s\n",
			owlet_athena_server_unavailable(athena));
	/* the front for S3 presigned POSTs (local/s3front.h): the Lambda signs
	 * its uploads for it (OWLET_S3_POST_URL); it delivers their S3 events */
	struct owlet_s3front *front = NULL;
	char s3_url[64];
	struct owlet_s3front_config fr_cfg = {
		.bucket = s->stack->data_bucket ? s->stack->data_bucket : "",
		.s3 = { "test", "test", NULL, s->stack->region, s->stack->endpoint }, .access_key = "test",
		.secret_key = "test", .timeout_ms = s->timeout_ms, .log = log_line,
	};
	rc = owlet_s3front_start(&front, &fr_cfg);
	if (rc < 0) {
		owlet_athena_server_stop(athena);
		return rc;
	}
	snprintf(s3_url, sizeof s3_url, "http://127.0.0.1:%u", owlet_s3front_port(front));
	const char *wg = json_string_value(json_object_get(s->stack->outputs, "athena_workgroup"));
	/* the model as the function module gives it: its object in the data
	 * bucket (written by apply) and its SHA-256, never the model itself */
	char model_sha[65];
	owlet_sha256_hex(model_sha, s->model_json, strlen(s->model_json));
	char *vars[9] = { var("AWS_ENDPOINT_URL", s->stack->endpoint),
			  var("OWLET_DATA_BUCKET", s->stack->data_bucket ? s->stack->data_bucket : ""),
			  var("OWLET_MODEL_KEY", "_owlet/model.json"), var("OWLET_MODEL_SHA256", model_sha),
			  var("OWLET_ENV", opt_env), var("AWS_ENDPOINT_URL_ATHENA", athena_url),
			  var("OWLET_GLUE_DATABASE", s->glue_database), var("OWLET_ATHENA_WORKGROUP", wg ? wg : "primary"),
			  var("OWLET_S3_POST_URL", s3_url) };
	const char *env[] = { "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true",
			      vars[0], vars[1], vars[2], vars[3], vars[4], vars[5], vars[6], vars[7], vars[8], NULL };
	struct owlet_runtime_config rc_cfg = {
		.task_root = s->task_root, .function_name = s->stack->function_name, .region = s->stack->region,
		.memory_mb = s->memory_mb, .env = env, .workers = (int)(opt_workers > 0 ? opt_workers : 1),
		.prewarm = true,
	};
	struct owlet_runtime *rt = NULL;
	struct owlet_localapi *api = NULL;
	json_t *info = NULL;
	rc = owlet_runtime_start(&rt, &rc_cfg);
	if (rc == 0)
		rc = owlet_s3front_attach(front, rt);
	if (rc < 0)
		goto out;
	const char *aud[] = { s->stack->client_id ? s->stack->client_id : "" };
	struct owlet_localapi_config api_cfg = {
		.port = (uint16_t)s->port, .jwks = s->jwks,
		.policy = { .issuer = s->stack->issuer, .audiences = aud, .n_audiences = 1, .token_use = "access",
			    .skew_s = 60 },
		.runtime = rt, .timeout_ms = s->timeout_ms, .api_id = s->stack->api_id, .log = log_line,
		.routes = (const char *const *)s->routes, .n_routes = s->n_routes,
		.throttle_rate = s->throttle_rate, .throttle_burst = s->throttle_burst,
	};
	rc = owlet_localapi_start(&api, &api_cfg);
	if (rc < 0)
		goto out;
	unsigned port = owlet_localapi_port(api);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%u", port);
	info = json_pack("{s:s, s:i, s:i, s:s, s:s}", "url", url, "pid", (int)getpid(), "port", (int)port, "athena_url",
			 athena_url, "s3_url", s3_url);
	rc = owlet_state_write_json(s->path_json, info, 0644);
	if (rc == 0 && s->keep_port) {
		json_t *kept = json_pack("{s:i}", "port", (int)port);
		rc = kept ? owlet_state_write_json(s->path_port, kept, 0644) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
		json_decref(kept);
	}
	if (rc < 0)
		goto out;
	fprintf(stderr, "owlet: serving the '%s' API at %s (pid %d, Lambda in %s)\n", opt_env, url, (int)getpid(),
		s->task_root);
	if (ready_fd >= 0) {
		if (write(ready_fd, "1", 1) != 1)
			fprintf(stderr, "owlet: cannot tell the parent that the API listens\n");
		close(ready_fd);
	} else {
		printf("%s\n", url);
		fflush(stdout);
	}
	int sig = 0;
	sigwait(&stop, &sig);
	struct owlet_runtime_stats st;
	owlet_runtime_get_stats(&st, rt);
	fprintf(stderr, "owlet: %s: stopping the local API after %ld invocations by %ld Lambda processes "
			"(init, exec to first /next: first %.1f ms, last %.1f ms)\n",
		strsignal(sig), st.invocations, st.starts, st.first_init_ms, st.last_init_ms);
	unlink(s->path_json);
out:
	owlet_runtime_cancel(rt); /* requests in flight end now, not at their deadline */
	owlet_localapi_stop(api);
	owlet_s3front_stop(front); /* before the runtime: its thread may be invoking */
	owlet_runtime_stop(rt);
	owlet_athena_server_stop(athena);
	json_decref(info);
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		free(vars[i]);
	return rc;
}

/* --detach: fork; the child serves, the parent waits until it listens. */
static int detach(struct serve_setup *s)
{
	char log_path[96];
	snprintf(log_path, sizeof log_path, "%s/localapi.log", s->state_dir);
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return owlet_error_setc(OWLET_EIO, "cannot make a pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return owlet_error_setc(OWLET_ECHILD, "cannot fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		setsid();
		int in = open("/dev/null", O_RDONLY);
		int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (in >= 0)
			dup2(in, 0);
		if (log >= 0) {
			dup2(log, 1);
			dup2(log, 2);
		}
		int rc = serve(s, fds[1]);
		if (rc < 0)
			fprintf(stderr, "error: %s\n", owlet_error_last());
		setup_free(s);
		_exit(rc < 0 ? 1 : 0);
	}
	close(fds[1]);
	struct pollfd p = { .fd = fds[0], .events = POLLIN };
	char byte = 0;
	int ready = poll(&p, 1, 60000) == 1 && read(fds[0], &byte, 1) == 1;
	close(fds[0]);
	if (!ready) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return owlet_error_setc(OWLET_ECHILD, "the local API did not start; its log is '%s'", log_path);
	}
	json_t *info = NULL;
	int rc = owlet_state_read_json(&info, s->path_json);
	if (rc == 0) {
		fprintf(stderr, "owlet: the '%s' API runs in the background (pid %d, log %s)\n", opt_env, (int)pid,
			log_path);
		printf("%s\n", json_string_value(json_object_get(info, "url")));
	}
	json_decref(info);
	return rc;
}

int cmd_serve(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet serve' takes no arguments");
	if (!owlet_environment_valid_name(opt_env))
		return owlet_error_setc(OWLET_EUSAGE, "invalid environment name '%s'", opt_env);
	if (opt_port < 0 || opt_port > 65535)
		return owlet_error_setc(OWLET_EUSAGE, "--port must be 0..65535");
	struct serve_setup s = { 0 };
	int rc = prepare(&s);
	if (rc == 0)
		rc = opt_detach ? detach(&s) : serve(&s, -1);
	setup_free(&s);
	return rc;
}
