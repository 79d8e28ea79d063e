/* cmd_up.c: `owlet up [--env E]` (default local): (local: emulator) ->
 * artifact -> render -> init -> plan -> checks -> apply the saved plan ->
 * outputs.json -> (local: the local API) -> outputs -> deploy record. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "deploy/deploy.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "local/servectl.h"
#include "spine.h"

static const char *opt_env, *opt_artifact;
static bool opt_no_check;

const struct owlet_option cmd_up_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "the environment (default: local)" },
	{ "artifact", 0, OPT_STRING, &opt_artifact, "FILE",
	  "a prebuilt Lambda zip instead of 'owlet build' (or $OWLET_LAMBDA_ZIP)" },
	{ "no-check", 0, OPT_FLAG, &opt_no_check, NULL,
	  "skip the security checks before apply (refused for protected environments)" },
	{ 0 },
};

/* outputs.json: from the plan when it knows every output (no `terraform
 * output` process), else from terraform after apply. */
static int write_outputs(struct spine *s, json_t **outputs)
{
	int rc = s->plan ? owlet_plan_outputs(outputs, s->plan) : 0;
	if (rc == 0 && !*outputs)
		rc = owlet_tf_outputs(outputs, s->tf);
	else if (rc == 0 && !s->quiet)
		printf("  outputs: known from the plan\n");
	if (rc < 0)
		return rc;
	char *path = spine_path(s, "outputs.json");
	rc = path ? owlet_fs_write_json(path, *outputs, JSON_INDENT(2) | JSON_SORT_KEYS)
		  : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	free(path);
	return rc;
}

static void print_outputs(const json_t *outputs, const char *api_url)
{
	static const char *const shown[] = { "api_url", "user_pool_id", "user_pool_client_id", "data_bucket",
					     "logs_bucket", "function_name", NULL };
	printf("outputs:\n");
	for (size_t i = 0; shown[i]; i++) {
		const char *v = json_string_value(json_object_get(outputs, shown[i]));
		if (strcmp(shown[i], "api_url") == 0 && api_url)
			v = api_url;
		if (v)
			printf("  %-20s %s\n", shown[i], v);
	}
}

/* How this owlet was run, for commands to copy: "./build/owlet" when it
 * lives under the current directory, else its absolute path. */
static void self_path(char *buf, size_t size)
{
	char exe[4096], cwd[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0) {
		snprintf(buf, size, "owlet");
		return;
	}
	exe[n] = '\0';
	size_t len = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
	if (len && strncmp(exe, cwd, len) == 0 && exe[len] == '/')
		snprintf(buf, size, ".%s", exe + len);
	else
		snprintf(buf, size, "%s", exe);
}

/* Two lines a newcomer can paste to call the local API: a user in a group
 * that may read the first readable dataset, and a curl with its token. */
static void print_try_it(const struct spine *s, const char *api_url)
{
	const char *group = NULL;
	for (size_t i = 0; i < s->model->n_datasets && !group; i++) {
		const struct owlet_dataset *ds = &s->model->datasets[i];
		if (ds->n_read)
			group = ds->read[0];
	}
	char owlet[4200];
	self_path(owlet, sizeof owlet);
	printf("try it:\n");
	if (group && strcmp(group, "*") != 0)
		printf("  %s user add me@example.com --group %s\n", owlet, group);
	else
		printf("  %s user add me@example.com\n", owlet);
	printf("  curl -H \"Authorization: Bearer $(%s token me@example.com | tail -1)\" %s/datasets\n",
	       owlet, api_url);
}

int cmd_up(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet up' takes no arguments");
	struct spine s;
	bool changes = false;
	struct owlet_plan_summary summary = { 0 };
	json_t *outputs = NULL;
	char *api_url = NULL;
	int rc = spine_open(&s, opt_env, "up");
	if (rc < 0)
		goto out;
	s.no_check = opt_no_check;
	s.n_steps = s.local ? 9 : 7;
	rc = spine_plan_checked(&s, opt_artifact, &changes, &summary);
	if (rc < 0)
		goto out;
	spine_step(&s, "terraform apply");
	if (!changes) {
		printf("no changes: nothing to apply\n");
	} else {
		rc = owlet_tf_apply(s.tf, "plan.tfplan");
		if (rc < 0)
			goto out;
	}
	spine_step(&s, "outputs");
	rc = write_outputs(&s, &outputs);
	if (rc < 0)
		goto out;
	if (s.local) {
		spine_step(&s, "local API");
		rc = owlet_servectl_start(&api_url, s.state_dir, s.env_name);
		if (rc < 0)
			goto out;
		printf("  local API: %s\n", api_url);
	}
	print_outputs(outputs, api_url);
	if (s.local && api_url)
		print_try_it(&s, api_url);
	json_t *rec = json_pack("{s:s, s:s, s:o, s:o}", "environment", s.env_name, "result",
				changes ? "applied" : "no changes", "plan", owlet_plan_summary_to_json(&summary),
				"seconds", spine_times_json(&s));
	rc = rec ? owlet_deploy_append(s.state_dir, ".", rec) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_decref(rec);
	if (rc == 0)
		spine_print_times(&s, changes ? "deployed" : "up to date");
out:
	free(api_url);
	json_decref(outputs);
	owlet_plan_summary_clear(&summary);
	spine_close(&s);
	return rc;
}
