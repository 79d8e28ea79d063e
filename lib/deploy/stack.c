/* stack.c: outputs.json, emulator.json and users.json (see stack.h). */
#include "deploy/stack.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/cognito.h"
#include "aws/s3.h"
#include "deploy/terraform.h"
#include "base/clock.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "model/environment.h"

int owlet_state_read_json(json_t **out, const char *path)
{
	*out = NULL;
	json_error_t jerr;
	FILE *f = fopen(path, "r");
	if (!f)
		return owlet_error_setc(errno == ENOENT ? OWLET_ENOTFOUND : OWLET_EIO, "cannot open '%s': %s", path,
					strerror(errno));
	json_t *doc = json_loadf(f, 0, &jerr);
	fclose(f);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return owlet_error_setc(OWLET_EINVALID, "%s:%d:%d: expected a JSON object%s%s", path, jerr.line,
					jerr.column, doc ? "" : ": ", doc ? "" : jerr.text);
	}
	*out = doc;
	return 0;
}

int owlet_state_write_json(const char *path, json_t *doc, mode_t mode)
{
	return owlet_fs_replace_json(path, doc, JSON_INDENT(2) | JSON_SORT_KEYS, mode);
}

static char *output(json_t *outputs, const char *name)
{
	json_t *v = json_object_get(outputs, name);
	/* flattened ("x": "v") or as terraform prints it ("x": {"value": "v"}) */
	if (json_is_object(v))
		v = json_object_get(v, "value");
	const char *s = json_string_value(v);
	return s && *s ? strdup(s) : NULL;
}

void owlet_stack_free(struct owlet_stack *s)
{
	if (!s)
		return;
	free(s->state_dir);
	free(s->endpoint);
	free(s->region);
	free(s->user_pool_id);
	free(s->client_id);
	free(s->issuer);
	free(s->data_bucket);
	free(s->function_name);
	free(s->api_id);
	json_decref(s->outputs);
	free(s);
}

static int state_dir(char **out, const char *env_name)
{
	*out = NULL;
	if (!owlet_environment_valid_name(env_name))
		return owlet_error_setc(OWLET_EUSAGE, "invalid environment name '%s'", env_name);
	if (!(*out = owlet_fs_join("state", env_name)))
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	return 0;
}

char *owlet_state_dir(const char *env_name)
{
	char *dir;
	state_dir(&dir, env_name);
	return dir;
}

int owlet_stack_open(struct owlet_stack **out, const char *env_name, bool need_pool)
{
	*out = NULL;
	char *dir;
	int rc = state_dir(&dir, env_name);
	if (rc == 0)
		rc = owlet_stack_load(out, dir, env_name);
	free(dir);
	if (rc == 0 && need_pool && (rc = owlet_stack_need_pool(*out, env_name)) < 0) {
		owlet_stack_free(*out);
		*out = NULL;
	}
	return rc;
}

int owlet_stack_load(struct owlet_stack **out, const char *state_dir, const char *env_name)
{
	*out = NULL;
	struct owlet_stack *s = calloc(1, sizeof *s);
	char *path = owlet_fs_join(state_dir, "outputs.json");
	json_t *emulator = NULL;
	int rc = 0;
	if (!s || !path || !(s->state_dir = strdup(state_dir))) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	rc = owlet_state_read_json(&s->outputs, path);
	if (rc == OWLET_ENOTFOUND) {
		rc = owlet_error_setc(OWLET_ENOTFOUND, "environment '%s' is not up: no '%s' (run 'owlet up --env %s')",
				      env_name, path, env_name);
		goto out;
	}
	if (rc < 0)
		goto out;
	s->user_pool_id = output(s->outputs, "user_pool_id");
	s->client_id = output(s->outputs, "user_pool_client_id");
	s->data_bucket = output(s->outputs, "data_bucket");
	s->function_name = output(s->outputs, "function_name");
	s->api_id = output(s->outputs, "api_id");
	s->region = output(s->outputs, "region");
	if (!s->region) {
		const char *u = s->user_pool_id ? strchr(s->user_pool_id, '_') : NULL;
		s->region = u ? strndup(s->user_pool_id, (size_t)(u - s->user_pool_id)) : strdup("us-east-1");
	}
	s->issuer = output(s->outputs, "issuer");
	if (!s->issuer && s->user_pool_id)
		s->issuer = owlet_cognito_issuer(s->region, s->user_pool_id);
	free(path);
	path = owlet_fs_join(state_dir, "emulator.json");
	rc = path ? owlet_state_read_json(&emulator, path) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0) {
		s->endpoint = output(emulator, "endpoint");
	} else if (rc != OWLET_ENOTFOUND) {
		goto out;
	}
	rc = 0;
	*out = s;
	s = NULL;
out:
	json_decref(emulator);
	free(path);
	owlet_stack_free(s);
	return rc;
}

int owlet_stack_need_pool(const struct owlet_stack *s, const char *env_name)
{
	if (s->user_pool_id && s->client_id)
		return 0;
	return owlet_error_setc(OWLET_EINVALID, "environment '%s' has no user pool: '%s/outputs.json' has no "
						"user_pool_id or user_pool_client_id", env_name, s->state_dir);
}

/* users.json's path and its object (an empty one when absent). */
static int users_load(char **path, json_t **doc, const char *state_dir)
{
	*doc = NULL;
	*path = owlet_fs_join(state_dir, "users.json");
	if (!*path)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = owlet_state_read_json(doc, *path);
	if (rc == OWLET_ENOTFOUND) {
		owlet_error_clear();
		*doc = json_object();
		rc = *doc ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	return rc;
}

int owlet_users_remember(const char *state_dir, const char *name, const char *password)
{
	char *path;
	json_t *doc;
	int rc = users_load(&path, &doc, state_dir);
	if (rc == 0) {
		json_object_set_new(doc, name, json_pack("{s:s}", "password", password));
		rc = owlet_state_write_json(path, doc, 0600);
	}
	json_decref(doc);
	free(path);
	return rc;
}

int owlet_users_password(char **out, const char *state_dir, const char *name)
{
	*out = NULL;
	char *path = owlet_fs_join(state_dir, "users.json");
	if (!path)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_t *doc = NULL;
	int rc = owlet_state_read_json(&doc, path);
	free(path);
	if (rc == OWLET_ENOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	const char *pw = json_string_value(json_object_get(json_object_get(doc, name), "password"));
	if (pw)
		*out = strdup(pw);
	json_decref(doc);
	return 0;
}

int owlet_users_forget(const char *state_dir, const char *name)
{
	char *path;
	json_t *doc;
	int rc = users_load(&path, &doc, state_dir);
	if (rc == 0 && json_object_del(doc, name) == 0)
		rc = owlet_state_write_json(path, doc, 0600);
	json_decref(doc);
	free(path);
	return rc;
}

int owlet_stack_local_state_bytes(char **body, size_t *len, const char *endpoint, const char *region,
				  const char *bucket, const char *key)
{
	*body = NULL;
	*len = 0;
	struct owlet_s3_config cfg = { .access_key = "test", .secret_key = "test", .region = region,
				       .endpoint = endpoint };
	struct owlet_s3 *s3 = NULL;
	int rc = owlet_s3_open(&s3, &cfg);
	if (rc == 0) {
		owlet_s3_set_deadline(s3, owlet_clock_wall_ms() + 5000); /* a read on loopback, not a wait */
		rc = owlet_s3_get(s3, body, len, bucket, key);
	}
	owlet_s3_free(s3);
	return rc;
}

/* The terraform state of a local stack from the emulator's S3 (*out new),
 * NULL when there is none. */
static int local_state(json_t **out, const char *endpoint, const char *region, const char *bucket,
		       const char *key)
{
	*out = NULL;
	char *body = NULL;
	size_t len = 0;
	int rc = owlet_stack_local_state_bytes(&body, &len, endpoint, region, bucket, key);
	if (rc == OWLET_ENOTFOUND) {
		owlet_error_clear();
		return 0;
	}
	if (rc < 0)
		return rc;
	json_error_t jerr;
	*out = json_loadb(body, len, 0, &jerr);
	free(body);
	if (!*out || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return owlet_error_setc(OWLET_EINVALID, "the terraform state s3://%s/%s is not a JSON object%s%s",
					bucket, key, jerr.text[0] ? ": " : "", jerr.text);
	}
	return 0;
}

int owlet_stack_local_resources(json_t **out, const char *endpoint, const char *region, const char *bucket,
				const char *key)
{
	*out = NULL;
	json_t *state = NULL;
	int rc = local_state(&state, endpoint, region, bucket, key);
	if (rc < 0)
		return rc;
	*out = state ? owlet_tf_raw_state_addresses(state) : json_array();
	json_decref(state);
	return *out ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
}

int owlet_stack_local_outputs(json_t **out, const char *endpoint, const char *region, const char *bucket,
			      const char *key)
{
	*out = NULL;
	json_t *state = NULL;
	int rc = local_state(&state, endpoint, region, bucket, key);
	if (rc < 0)
		return rc;
	json_t *outputs = json_object_get(state, "outputs");
	if (!state || !json_is_object(outputs)) {
		json_decref(state);
		return owlet_error_setc(OWLET_ENOTFOUND, "the terraform state s3://%s/%s has no outputs", bucket,
					key);
	}
	json_t *flat = json_object();
	const char *name;
	json_t *o;
	json_object_foreach(outputs, name, o) {
		json_t *v = json_object_get(o, "value");
		if (!flat || !json_is_object(o) || !v || json_object_set(flat, name, v) < 0) {
			rc = flat ? owlet_error_setc(OWLET_EINVALID, "the terraform state s3://%s/%s: output '%s' "
						     "has no value", bucket, key, name)
				  : owlet_error_setc(OWLET_ENOMEM, "out of memory");
			break;
		}
	}
	json_decref(state);
	if (rc < 0) {
		json_decref(flat);
		return rc;
	}
	*out = flat;
	return 0;
}
