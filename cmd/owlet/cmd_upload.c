/*
 * cmd_upload.c: `owlet upload [--env E] --dataset NAME FILE...` (or
 * `owlet upload DATASET FILE...`): bulk uploads through the stack's API
 * (docs/uploads.md).  Per file: POST /datasets/NAME/uploads with the
 * user's token, the presigned S3 POST of its answer (the file streamed
 * from disk; a progress bar on a terminal), then GET
 * /datasets/NAME/uploads/ID until the upload is no longer pending, and the
 * outcome: rows accepted and rejected, where the rejects are, the first
 * problems.  The token: --user NAME signs in as `owlet token NAME` does,
 * else $OWLET_TOKEN.  Exit status 1 when a row was rejected or an upload
 * failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aws/api_client.h"
#include "aws/cognito.h"
#include "base/clock.h"
#include "base/error.h"
#include "commands.h"
#include "deploy/stack.h"
#include "local/servectl.h"
#include "model/environment.h"

static const char *opt_env = "local";
static const char *opt_dataset;
static const char *opt_user;
static const char *opt_password;
static long opt_wait = 300;

const struct owlet_option cmd_upload_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "environment (default: local); must have been brought up" },
	{ "dataset", 'd', OPT_STRING, &opt_dataset, "NAME", "the dataset (else the first argument)" },
	{ "user", 'u', OPT_STRING, &opt_user, "NAME",
	  "sign in as NAME (local: the password 'owlet user add' kept); default: the token in $OWLET_TOKEN" },
	{ "password", 'p', OPT_STRING, &opt_password, "PASSWORD", "the password of --user" },
	{ "wait", 0, OPT_INT, &opt_wait, "SECONDS", "how long to wait for an upload's outcome (default: 300)" },
	{ 0 },
};

static void progress_bar(void *cls, long long sent, long long total)
{
	const char *name = cls;
	int pct = total > 0 ? (int)(sent * 100 / total) : 0, filled = pct / 4;
	fprintf(stderr, "\r%-24.24s [%.*s%*s] %3d%%", name, filled, "#########################", 25 - filled, "", pct);
	if (sent >= total)
		fputc('\n', stderr);
}

/* The API's message in an answer, else the status. */
static const char *api_message(const json_t *answer, long status, char *buf, size_t size)
{
	const char *m = json_string_value(json_object_get(answer, "message"));
	if (m)
		return m;
	snprintf(buf, size, "HTTP %ld", status);
	return buf;
}

static void print_outcome(const char *file, const json_t *up, const char *bucket)
{
	const char *status = json_string_value(json_object_get(up, "status"));
	long long acc = json_integer_value(json_object_get(up, "accepted")),
		  rej = json_integer_value(json_object_get(up, "rejected"));
	printf("%s: %lld row%s accepted, %lld rejected (%s)\n", file, acc, acc == 1 ? "" : "s", rej,
	       status ? status : "?");
	const char *msg = json_string_value(json_object_get(up, "message"));
	if (msg)
		printf("  %s\n", msg);
	const char *rk = json_string_value(json_object_get(up, "rejects_key"));
	if (rk)
		printf("  rejects: s3://%s/%s\n", bucket ? bucket : "DATA_BUCKET", rk);
	size_t i;
	const json_t *p;
	json_array_foreach(json_object_get(up, "problems"), i, p) {
		if (i == 5) {
			printf("  ...\n");
			break;
		}
		const char *field = json_string_value(json_object_get(p, "field"));
		printf("  line %lld: %s%s%s\n", (long long)json_integer_value(json_object_get(p, "line")),
		       field ? field : "", field ? ": " : "", json_string_value(json_object_get(p, "message")));
	}
}

/* One file; returns 0 (all rows accepted), 1 (rows rejected, or failed), or a negative code. */
static int upload_one(const char *api_url, const char *token, const char *dataset, const char *file,
		      const char *bucket)
{
	struct stat st;
	if (stat(file, &st) != 0 || !S_ISREG(st.st_mode))
		return owlet_error_setc(OWLET_ENOTFOUND, "'%s' is not a regular file", file);
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	char path[256], msg[64];
	snprintf(path, sizeof path, "/datasets/%s/uploads", dataset);
	json_t *req = json_pack("{s:s, s:I}", "filename", base, "size", (json_int_t)st.st_size);
	json_t *ticket = NULL;
	long status = 0;
	int rc = req ? owlet_api_call(&status, &ticket, api_url, token, "POST", path, req)
		     : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_decref(req);
	if (rc == 0 && status != 201)
		rc = owlet_error_setc(OWLET_ERROR, "%s: POST %s: %s", file, path, api_message(ticket, status, msg, sizeof msg));
	const char *url = json_string_value(json_object_get(ticket, "url"));
	const char *id = json_string_value(json_object_get(ticket, "id"));
	if (rc == 0 && (!url || !id || !json_is_object(json_object_get(ticket, "fields"))))
		rc = owlet_error_setc(OWLET_ERROR, "%s: the API's answer holds no presigned POST", file);
	char code[64], s3msg[256];
	if (rc == 0)
		rc = owlet_api_post_file(&status, code, sizeof code, s3msg, sizeof s3msg, url,
					 json_object_get(ticket, "fields"), file, isatty(2) ? progress_bar : NULL,
					 (void *)base);
	if (rc == 0 && status != 204 && status != 201 && status != 200)
		rc = owlet_error_setc(OWLET_ERROR, "%s: S3 refused the upload: %ld %s: %s", file, status, code, s3msg);
	char one[300];
	snprintf(one, sizeof one, "%s/%s", path, id ? id : "");
	json_t *up = NULL;
	int64_t until = owlet_clock_mono_ms() + opt_wait * 1000;
	for (int polls = 0; rc == 0; polls++) {
		json_decref(up);
		up = NULL;
		rc = owlet_api_call(&status, &up, api_url, token, "GET", one, NULL);
		if (rc < 0)
			break;
		if (status != 200) {
			rc = owlet_error_setc(OWLET_ERROR, "%s: GET %s: %s", file, one, api_message(up, status, msg, sizeof msg));
			break;
		}
		const char *state = json_string_value(json_object_get(up, "status"));
		if (state && strcmp(state, "pending") != 0 && strcmp(state, "processing") != 0)
			break;
		if (owlet_clock_mono_ms() > until) {
			rc = owlet_error_setc(OWLET_EINTR, "%s: upload %s is still %s after %ld s; 'GET %s' tells its outcome later",
					      file, id, state ? state : "?", opt_wait, one);
			break;
		}
		struct timespec ts = { 0, polls < 10 ? 200000000L : 1000000000L };
		nanosleep(&ts, NULL);
	}
	if (rc == 0) {
		print_outcome(file, up, bucket);
		const char *state = json_string_value(json_object_get(up, "status"));
		rc = state && strcmp(state, "done") == 0 ? 0 : 1;
	}
	json_decref(up);
	json_decref(ticket);
	return rc;
}

int cmd_upload(int argc, char **argv)
{
	if (!owlet_environment_valid_name(opt_env))
		return owlet_error_setc(OWLET_EUSAGE, "invalid environment name '%s'", opt_env);
	int first = 1;
	const char *dataset = opt_dataset;
	if (!dataset && argc > 1)
		dataset = argv[first++];
	if (!dataset || first >= argc)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet upload' takes --dataset NAME (or DATASET) and one or more FILEs");
	if (opt_wait < 1)
		return owlet_error_setc(OWLET_EUSAGE, "--wait must be at least 1 second");
	struct owlet_stack *stack = NULL;
	char *token = NULL, *kept = NULL, *api_url = NULL;
	int rc = owlet_stack_open(&stack, opt_env, opt_user != NULL);
	if (rc < 0)
		return rc;
	if (opt_user) {
		const char *password = opt_password;
		if (!password && (rc = owlet_users_password(&kept, stack->state_dir, opt_user)) < 0)
			goto out;
		password = password ? password : kept;
		if (!password) {
			rc = owlet_error_setc(OWLET_EUSAGE, "no password for '%s': give --password", opt_user);
			goto out;
		}
		struct owlet_cognito c = { .endpoint = stack->endpoint, .region = stack->region };
		if ((rc = owlet_cognito_sign_in(&token, NULL, &c, stack->client_id, opt_user, password)) < 0)
			goto out;
	} else {
		const char *env = getenv("OWLET_TOKEN");
		if (!env || !*env) {
			rc = owlet_error_setc(OWLET_EUSAGE, "no token: give --user NAME, or set OWLET_TOKEN (owlet token NAME prints one)");
			goto out;
		}
		token = strdup(env);
	}
	if (stack->endpoint)
		api_url = owlet_servectl_url(stack->state_dir, NULL);
	else {
		const json_t *v = json_object_get(stack->outputs, "api_url");
		if (json_is_object(v))
			v = json_object_get(v, "value");
		api_url = json_string_value(v) ? strdup(json_string_value(v)) : NULL;
	}
	if (!api_url) {
		rc = owlet_error_setc(OWLET_ENOTFOUND, stack->endpoint ? "the local API of '%s' does not run: 'owlet up --env %s' starts it"
							      : "'%s' has no api_url output: run 'owlet up --env %s'",
				      opt_env, opt_env);
		goto out;
	}
	int worst = 0;
	for (int i = first; i < argc; i++) {
		int r = upload_one(api_url, token, dataset, argv[i], stack->data_bucket);
		if (r < 0) {
			fprintf(stderr, "error: %s\n", owlet_error_last());
			r = 1;
		}
		if (r > worst)
			worst = r;
	}
	rc = worst;
out:
	free(token);
	free(kept);
	free(api_url);
	owlet_stack_free(stack);
	return rc;
}
