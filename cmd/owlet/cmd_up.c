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
#include "deploy/recording.h"
#include "deploy/render.h"
#include "deploy/stack.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "local/servectl.h"
#include "spine.h"

static const char *opt_env, *opt_artifact, *opt_name;
static bool opt_no_check, opt_over_budget, opt_refresh, opt_sandbox, opt_json;

const struct owlet_option cmd_up_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "the environment (default: local)" },
	{ "artifact", 0, OPT_STRING, &opt_artifact, "FILE",
	  "a prebuilt Lambda zip instead of 'owlet build' (or $OWLET_LAMBDA_ZIP)" },
	{ "no-check", 0, OPT_FLAG, &opt_no_check, NULL,
	  "skip the security checks before apply (refused for protected environments)" },
	{ "over-budget", 0, OPT_FLAG, &opt_over_budget, NULL,
	  "apply even when the cost estimate is over the environment's budget.monthly_usd" },
	{ "refresh", 0, OPT_FLAG, &opt_refresh, NULL,
	  "local: refresh the state from the emulator even when owlet alone has changed it since the last up" },
	{ "sandbox", 0, OPT_FLAG, &opt_sandbox, NULL,
	  "a stack of your own in ENV: named after your git identity (or --name), its own state key, tagged" },
	{ "name", 0, OPT_STRING, &opt_name, "NAME", "with --sandbox: the sandbox's name" },
	{ "json", 0, OPT_FLAG, &opt_json, NULL,
	  "print one JSON object on stdout (the deploy record, the outputs, the API URL); the rest goes to stderr" },
	{ 0 },
};

/* The outputs of a local stack (not a sandbox: its state key has a
 * suffix) from the state terraform's apply left in the emulator's S3: the
 * same values as `terraform output -json`, without starting terraform and
 * its provider (3-4 s).  Not there: NULL, and terraform is asked. */
static json_t *local_state_outputs(const struct spine *s)
{
	if (!s->local || s->sandbox || !s->have_emu)
		return NULL;
	json_t *out = NULL;
	char *bucket = owlet_render_state_bucket(s->model, s->env);
	if (!bucket || owlet_stack_local_outputs(&out, s->emu.endpoint, s->env->region, bucket,
						 s->env->backend.key) < 0) {
		owlet_error_clear();
		out = NULL;
	}
	free(bucket);
	return out;
}

/* outputs.json: from the plan when it knows every output (no `terraform
 * output` process), else (local) from the state in the emulator, else from
 * terraform after apply. */
static int write_outputs(struct spine *s, json_t **outputs)
{
	int rc = s->plan ? owlet_plan_outputs(outputs, s->plan) : 0;
	if (rc == 0 && *outputs && !s->quiet)
		printf("  outputs: known from the plan\n");
	if (rc == 0 && !*outputs && (*outputs = local_state_outputs(s)) && !s->quiet)
		printf("  outputs: read from the terraform state in the emulator\n");
	if (rc == 0 && !*outputs)
		rc = owlet_tf_outputs(outputs, s->tf);
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
	/* rebuilt while it ran: the kernel says "PATH (deleted)"; PATH holds the new one */
	static const char deleted[] = " (deleted)";
	if ((size_t)n > sizeof deleted - 1 && strcmp(exe + n - (sizeof deleted - 1), deleted) == 0)
		exe[n - (sizeof deleted - 1)] = '\0';
	size_t len = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
	if (len && strncmp(exe, cwd, len) == 0 && exe[len] == '/')
		snprintf(buf, size, ".%s", exe + len);
	else
		snprintf(buf, size, "%s", exe);
}

/* An example record of ds: its required fields (and key and partition),
 * each with a value its type, enum, min and max_length accept. */
static json_t *example_record(const struct owlet_dataset *ds)
{
	json_t *rec = json_object();
	for (size_t i = 0; rec && i < ds->n_fields; i++) {
		const struct owlet_field *f = &ds->fields[i];
		bool named = (ds->key && strcmp(ds->key, f->name) == 0) ||
			     (ds->partition_by && strcmp(ds->partition_by, f->name) == 0);
		if (!f->required && !named)
			continue;
		json_t *v = NULL;
		switch (f->type) {
		case OWLET_TYPE_INT: v = json_integer(f->has_min && f->min > 1 ? (long long)f->min : 1); break;
		case OWLET_TYPE_FLOAT: v = json_real(f->has_min && f->min > 1 ? f->min : 1.5); break;
		case OWLET_TYPE_BOOL: v = json_true(); break;
		case OWLET_TYPE_DATE: v = json_string("2026-01-01"); break;
		case OWLET_TYPE_TIMESTAMP: v = json_string("2026-01-01T12:00:00Z"); break;
		case OWLET_TYPE_STRING: v = json_string(f->n_enum ? f->enum_values[0] : "x"); break;
		}
		json_object_set_new(rec, f->name, v);
	}
	return rec;
}

/* s in single quotes for a POSIX shell ('\'' for a quote). */
static void print_shell_quoted(const char *s)
{
	putchar('\'');
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	putchar('\'');
}

static bool in_list(char *const *list, size_t n, const char *g)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], g) == 0)
			return true;
	return false;
}

/* Lines a newcomer can paste to call the local API: a reader and a writer
 * of the first dataset someone may write, a POST of one record by the
 * writer, then a GET of the datasets by the reader (its row_count shows the
 * record).  Without a writable dataset: the reader and the GET. */
static void print_try_it(const struct spine *s, const char *api_url)
{
	const struct owlet_model *m = s->model;
	const struct owlet_dataset *wds = NULL;
	for (size_t i = 0; i < m->n_datasets && !wds; i++)
		if (m->datasets[i].n_write && strcmp(m->datasets[i].write[0], "*") != 0)
			wds = &m->datasets[i];
	const struct owlet_dataset *rds = wds ? wds : m->n_datasets ? &m->datasets[0] : NULL;
	/* the reader: a group that may read rds and not write it, when there is one */
	const char *reader = NULL;
	for (size_t i = 0; rds && i < rds->n_read && !reader; i++)
		if (strcmp(rds->read[i], "*") != 0 && !in_list(rds->write, rds->n_write, rds->read[i]))
			reader = rds->read[i];
	for (size_t i = 0; rds && i < rds->n_read && !reader; i++)
		if (strcmp(rds->read[i], "*") != 0)
			reader = rds->read[i];
	if (!reader && m->n_groups)
		reader = m->groups[0];
	char owlet[4200];
	self_path(owlet, sizeof owlet);
	printf("try it:\n");
	if (reader)
		printf("  %s user add reader@example.com --group %s\n", owlet, reader);
	if (wds)
		printf("  %s user add writer@example.com --group %s\n", owlet, wds->write[0]);
	if (wds) {
		json_t *rec = example_record(wds);
		char *body = rec ? json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(rec);
		if (body) {
			printf("  curl -w '\\n' -H \"Authorization: Bearer $(%s token writer@example.com | tail -1)\" "
			       "-H 'Content-Type: application/json' --data-binary ", owlet);
			print_shell_quoted(body);
			printf(" %s/datasets/%s/records\n", api_url, wds->name);
		}
		free(body);
	}
	if (reader)
		printf("  curl -w '\\n' -H \"Authorization: Bearer $(%s token reader@example.com | tail -1)\" %s/datasets\n",
		       owlet, api_url);
}

static int up_run(json_t **result)
{
	struct spine s;
	bool changes = false;
	struct owlet_plan_summary summary = { 0 };
	json_t *outputs = NULL;
	char *api_url = NULL;
	char *sandbox = NULL;
	int rc = spine_open(&s, opt_env, "up");
	if (rc == 0)
		rc = sandbox_name(&sandbox, opt_sandbox, opt_name);
	if (rc < 0)
		goto out;
	s.sandbox = sandbox;
	if (sandbox && !s.quiet)
		printf("sandbox '%s' in '%s' (expires %d days after this up)\n", sandbox, s.env_name,
		       OWLET_SANDBOX_TTL_DAYS);
	s.no_check = opt_no_check;
	s.budget_gate = true;
	s.over_budget = opt_over_budget;
	/* refresh.json speaks of the last up's state key: a sandbox (whose key
	 * may differ from the last up's) always refreshes */
	s.refresh_check = !sandbox;
	s.force_refresh = opt_refresh;
	s.n_steps = s.local ? 9 : 7;
	rc = spine_plan_checked(&s, opt_artifact, &changes, &summary);
	if (rc < 0)
		goto out;
	rc = spine_apply_saved(&s, changes);
	if (rc < 0)
		goto out;
	spine_step(&s, "outputs");
	rc = write_outputs(&s, &outputs);
	if (rc < 0)
		goto out;
	if (s.local) {
		spine_step(&s, "local API");
		rc = owlet_servectl_start(&api_url, s.state_dir, s.env_name);
		if (rc < 0)
			goto out;
		if (!s.quiet)
			printf("  local API: %s\n", api_url);
	}
	print_outputs(outputs, api_url);
	if (s.local && api_url && !s.quiet)
		print_try_it(&s, api_url);
	json_t *rec = json_pack("{s:s, s:s, s:o, s:o, s:O*}", "environment", s.env_name, "result",
				changes ? "applied" : "no changes", "plan", owlet_plan_summary_to_json(&summary),
				"seconds", spine_times_json(&s), "cost", s.estimate);
	rc = rec ? owlet_deploy_append(s.state_dir, ".", rec) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0 && result) {
		/* --json: the record as deploys.jsonl has it, with the outputs */
		*result = json_deep_copy(rec);
		json_object_set(*result, "outputs", outputs);
		json_object_set_new(*result, "api_url", api_url ? json_string(api_url) : json_null());
		json_object_set_new(*result, "sandbox", sandbox ? json_string(sandbox) : json_null());
	}
	json_decref(rec);
	if (rc == 0 && s.local && s.refresh_mark >= 0)
		rc = owlet_refresh_mark(s.state_dir, s.emu.pid, s.refresh_mark);
	if (rc == 0)
		spine_print_times(&s, changes ? "deployed" : "up to date");
out:
	free(sandbox);
	free(api_url);
	json_decref(outputs);
	owlet_plan_summary_clear(&summary);
	spine_close(&s);
	return rc;
}

int cmd_up(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet up' takes no arguments");
	return spine_json_run(up_run, opt_json, opt_env);
}
