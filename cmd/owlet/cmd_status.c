/* cmd_status.c: `owlet status [--env E] [--json]`: what is deployed (the
 * resource addresses in the terraform state), the outputs, the last deploy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "deploy/deploy.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "local/servectl.h"
#include "deploy/render.h"
#include "deploy/stack.h"
#include "spine.h"

static const char *opt_env;
static bool opt_json;

const struct owlet_option cmd_status_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "the environment (default: local)" },
	{ "json", 0, OPT_FLAG, &opt_json, NULL, "print one JSON object" },
	{ 0 },
};

/* The resource addresses, or an empty array when nothing is deployed. */
static int deployed_resources(json_t **out, struct spine *s, const char **why)
{
	*out = NULL;
	*why = NULL;
	if (s->local && owlet_emulator_find(&s->emu, s->state_dir) == 0)
		s->have_emu = true;
	owlet_error_clear();
	char *dot = spine_path(s, ".terraform");
	bool initialised = dot && owlet_fs_is_dir(dot);
	free(dot);
	if (!initialised) {
		*why = "never initialised";
		*out = json_array();
		return 0;
	}
	if (s->local) {
		if (!s->have_emu) {
			*why = "the emulator is not running";
			*out = json_array();
			return 0;
		}
		/* the state in the emulator's S3, read without terraform: a status in well under a second */
		char *bucket = owlet_render_state_bucket(s->model, s->env);
		int rc = bucket ? owlet_stack_local_resources(out, s->emu.endpoint, s->env->region, bucket,
							     s->env->backend.key)
				: owlet_error_setc(OWLET_ENOMEM, "out of memory");
		free(bucket);
		return rc;
	}
	int rc = spine_terraform(s);
	json_t *state = NULL;
	if (rc == 0)
		rc = owlet_tf_show_state(&state, s->tf);
	if (rc == 0)
		*out = owlet_tf_state_addresses(state);
	json_decref(state);
	return rc;
}

static void print_text(const struct spine *s, const json_t *st, const char *why)
{
	const json_t *emu = json_object_get(st, "emulator");
	printf("environment: %s (target %s", s->env_name, s->local ? "local" : "aws");
	if (json_is_object(emu))
		printf(", emulator %s pid %lld", json_string_value(json_object_get(emu, "endpoint")),
		       (long long)json_integer_value(json_object_get(emu, "pid")));
	printf(")\n");
	const json_t *res = json_object_get(st, "resources");
	if (json_array_size(res) == 0) {
		printf("deployed: nothing%s%s%s\n", why ? " (" : "", why ? why : "", why ? ")" : "");
	} else {
		printf("deployed: %zu resources\n", json_array_size(res));
		size_t i;
		const json_t *r;
		json_array_foreach(res, i, r) {
			printf("  %s\n", json_string_value(r));
		}
	}
	const json_t *outputs = json_object_get(st, "outputs");
	if (json_object_size(outputs) > 0) {
		printf("outputs:\n");
		const char *k;
		const json_t *v;
		json_object_foreach((json_t *)outputs, k, v) {
			char *text = json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			printf("  %-20s %s\n", k, text ? text : "");
			free(text);
		}
	}
	if (s->local) {
		const json_t *api = json_object_get(st, "local_api");
		printf("emulator: %s", json_is_object(emu) ? "running" : "not running");
		if (json_is_object(emu))
			printf(" at %s (pid %lld)", json_string_value(json_object_get(emu, "endpoint")),
			       (long long)json_integer_value(json_object_get(emu, "pid")));
		printf("\nlocal API: %s", json_is_object(api) ? "running" : "not running");
		if (json_is_object(api))
			printf(" at %s (pid %lld)", json_string_value(json_object_get(api, "url")),
			       (long long)json_integer_value(json_object_get(api, "pid")));
		printf("\n");
		if (json_is_object(emu) || json_is_object(api))
			printf("stop them: owlet down%s%s (destroys the stack, then stops both)\n",
			       strcmp(s->env_name, "local") ? " --env " : "", strcmp(s->env_name, "local") ? s->env_name : "");
	}
	const json_t *last = json_object_get(st, "last_deploy");
	if (json_is_object(last)) {
		const json_t *plan = json_object_get(last, "plan");
		const char *commit = json_string_value(json_object_get(last, "commit"));
		printf("last deploy: %s %s, commit %.12s%s", json_string_value(json_object_get(last, "time")),
		       json_string_value(json_object_get(last, "result")), commit ? commit : "(none)",
		       json_is_true(json_object_get(last, "dirty")) ? " (dirty)" : "");
		if (json_is_object(plan))
			printf(", +%lld ~%lld -%lld", (long long)json_integer_value(json_object_get(plan, "add")),
			       (long long)json_integer_value(json_object_get(plan, "change")),
			       (long long)json_integer_value(json_object_get(plan, "destroy")));
		printf("\n");
	} else {
		printf("last deploy: none\n");
	}
}

int cmd_status(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet status' takes no arguments");
	struct spine s;
	json_t *st = NULL, *resources = NULL, *last = NULL, *outputs = NULL;
	int rc = spine_open(&s, opt_env, NULL);
	if (rc < 0)
		goto out;
	s.quiet = true;
	const char *why = NULL;
	rc = deployed_resources(&resources, &s, &why);
	if (rc < 0)
		goto out;
	char *outputs_path = spine_path(&s, "outputs.json");
	outputs = outputs_path && json_array_size(resources) > 0 ? json_load_file(outputs_path, 0, NULL) : NULL;
	free(outputs_path);
	if (!outputs)
		outputs = json_object();
	pid_t api_pid = 0;
	char *api_url = s.local ? owlet_servectl_url(s.state_dir, &api_pid) : NULL;
	json_t *local_api = json_null();
	if (api_url) {
		json_object_set_new(outputs, "api_url", json_string(api_url));
		local_api = json_pack("{s:s, s:i}", "url", api_url, "pid", (int)api_pid);
		if (!local_api)
			local_api = json_null();
	}
	free(api_url);
	if (owlet_deploy_last(&last, s.state_dir) < 0)
		owlet_error_clear();
	st = json_pack("{s:s, s:s, s:b, s:o, s:o, s:O, s:O, s:O}", "environment", s.env_name, "target",
		       s.local ? "local" : "aws", "deployed", json_array_size(resources) > 0, "emulator",
		       s.have_emu ? json_pack("{s:s, s:i, s:i}", "endpoint", s.emu.endpoint, "pid", (int)s.emu.pid,
					      "port", s.emu.port)
				  : json_null(),
		       "local_api", local_api, "resources", resources, "outputs", outputs, "last_deploy",
		       last ? last : json_null());
	if (!st) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	if (opt_json) {
		char *text = json_dumps(st, JSON_INDENT(2));
		printf("%s\n", text ? text : "{}");
		free(text);
	} else {
		print_text(&s, st, why);
	}
out:
	json_decref(st);
	json_decref(resources);
	json_decref(outputs);
	json_decref(last);
	spine_close(&s);
	return rc;
}
