/* spine.c: what render, plan, up, down and status share (see spine.h). */
#include "base/clock.h"
#include "spine.h"
#include "check_gate.h"
#include "cost_gate.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "base/diag.h"
#include "base/error.h"
#include "base/buf.h"
#include "base/gha.h"
#include "check/check.h"
#include "check/recall.h"
#include "deploy/artifact.h"
#include "deploy/preflight.h"
#include "deploy/recording.h"
#include "deploy/stack.h"
#include "base/fsutil.h"
#include "base/lock.h"
#include "base/paths.h"
#include "base/proc.h"
#include "deploy/render.h"
#include "deploy/zipimport.h"

#define MODEL_FILE "data_model.yml"

double spine_now(void)
{
	return owlet_clock_mono_s();
}

static double round1(double x)
{
	return (double)(long long)(x * 10 + 0.5) / 10;
}

void spine_print_times(const struct spine *s, const char *what)
{
	if (s->quiet)
		return;
	double total = spine_now() - s->started, tf = s->tf ? s->tf->seconds : 0;
	printf("%s '%s' in %.1f s (terraform %.1f s", what, s->env_name, total, tf);
	for (int i = 0; s->tf && i < s->tf->n_phases; i++)
		printf("%s %s %.1f s", i ? "," : ":", s->tf->phases[i].name, s->tf->phases[i].seconds);
	printf("; owlet %.1f s)\n", total - tf);
}

static int spine_json_begin(void)
{
	fflush(stdout);
	int saved = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (saved < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		if (saved >= 0)
			close(saved);
		return owlet_error_setc(OWLET_EIO, "cannot keep stdout for --json: %s", strerror(errno));
	}
	return saved;
}

static int spine_json_end(int saved, int rc, json_t *doc, const char *env)
{
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	if (rc < 0 || !doc) {
		json_decref(doc);
		doc = json_pack("{s:b, s:s, s:s?}", "ok", 0, "error", rc < 0 ? owlet_error_last() : "out of memory",
				"environment", env && env[0] ? env : "local");
	} else {
		json_object_set_new(doc, "ok", json_true());
	}
	char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(doc);
	if (!text)
		return rc < 0 ? rc : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	printf("%s\n", text);
	fflush(stdout);
	free(text);
	return rc;
}

int spine_json_run(int (*run)(json_t **result), bool json, const char *env)
{
	if (!json)
		return run(NULL);
	int saved = spine_json_begin();
	if (saved < 0)
		return saved;
	json_t *doc = NULL;
	int rc = run(&doc);
	return spine_json_end(saved, rc, doc, env);
}

json_t *spine_times_json(const struct spine *s)
{
	double total = spine_now() - s->started, tf = s->tf ? s->tf->seconds : 0;
	json_t *phases = json_object();
	for (int i = 0; phases && s->tf && i < s->tf->n_phases; i++)
		json_object_set_new(phases, s->tf->phases[i].name, json_real(round1(s->tf->phases[i].seconds)));
	return json_pack("{s:f, s:f, s:f, s:o*}", "total", round1(total), "terraform", round1(tf), "owlet",
			 round1(total - tf), "terraform_phases", phases);
}

char *spine_path(const struct spine *s, const char *name)
{
	return owlet_fs_join(s->state_dir, name);
}

static int load_environment(struct spine *s, struct owlet_diags *diags)
{
	int rc = owlet_environment_load(&s->env, diags, ".", s->env_name, s->model->project);
	if (rc == OWLET_ENOTFOUND && strcmp(s->env_name, "local") == 0) {
		/* no environments/local.yml: the scaffold's (templates/project/), with
		 * its skips, so that a project without one still passes its checks */
		static const char local_default[] = "target: local\n";
		owlet_error_clear();
		char *path = NULL, *text = NULL;
		size_t len = 0;
		if (owlet_paths_share(&path, "templates/project/environments/local.yml") < 0 ||
		    owlet_fs_read(&text, &len, path) < 0)
			owlet_error_clear();
		rc = owlet_environment_parse(&s->env, diags, "owlet's default environments/local.yml", "local",
					     text ? text : local_default, text ? len : sizeof local_default - 1,
					     s->model->project);
		free(text);
		free(path);
	}
	return rc;
}

int spine_open(struct spine *s, const char *env_name, const char *lock_command)
{
	memset(s, 0, sizeof *s);
	s->lock_fd = -1;
	s->started = spine_now();
	s->env_name = env_name && env_name[0] ? env_name : "local";
	s->quiet = owlet_verbosity() == OWLET_QUIET;
	for (const char *p = s->env_name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return owlet_error_setc(OWLET_EUSAGE, "'%s' is not an environment name", s->env_name);
	struct owlet_diags diags = { 0 };
	int rc = owlet_model_load(&s->model, &diags, MODEL_FILE);
	if (rc == 0)
		rc = load_environment(s, &diags);
	if (diags.count > 0) {
		owlet_print_diags(&diags);
		if (rc == 0 || rc == OWLET_EINVALID)
			rc = owlet_error_setc(OWLET_EINVALID, "%zu problem%s in the model or environment", diags.count,
					      diags.count == 1 ? "" : "s");
	}
	owlet_diags_clear(&diags);
	if (rc < 0)
		return rc;
	s->local = s->env->target == OWLET_TARGET_LOCAL;
	if (!(s->state_dir = owlet_state_dir(s->env_name)))
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (lock_command)
		rc = owlet_lock_acquire(&s->lock_fd, s->state_dir, s->env_name, lock_command);
	return rc;
}

void spine_close(struct spine *s)
{
	owlet_lock_release(s->lock_fd);
	json_decref(s->plan);
	owlet_tf_free(s->tf);
	json_decref(s->estimate);
	owlet_environment_free(s->env);
	owlet_model_free(s->model);
	free(s->state_dir);
	memset(s, 0, sizeof *s);
	s->lock_fd = -1;
}

void spine_step(struct spine *s, const char *fmt, ...)
{
	s->step++;
	if (s->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	printf("[%d/%d] ", s->step, s->n_steps);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

static void print_child_line(void *ctx, const char *line)
{
	const struct spine *s = ctx;
	if (s->quiet)
		return;
	printf("  terraform| %s\n", line);
	fflush(stdout);
}

/* -v: each terraform command, and how long it took */
static void print_command(void *ctx, const char *line)
{
	(void)ctx;
	printf("  %s%s\n", strstr(line, ": exit ") ? "" : "$ ", line);
	fflush(stdout);
}

static void print_note(void *ctx, const char *line)
{
	(void)ctx;
	printf("note: %s\n", line);
	fflush(stdout);
}

int spine_emulator(struct spine *s)
{
	int rc = owlet_emulator_start(&s->emu, s->state_dir);
	if (rc < 0)
		return rc;
	s->have_emu = true;
	if (!s->quiet)
		printf("  emulator: %s moto_server on %s (pid %d)\n", s->emu.reused ? "reusing" : "started",
		       s->emu.endpoint, (int)s->emu.pid);
	char *bucket = owlet_render_state_bucket(s->model, s->env);
	if (!bucket)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	rc = owlet_emulator_create_bucket(&s->emu, bucket, s->env->region);
	free(bucket);
	return rc;
}

/* The Lambda artifact, built through the library as `owlet build` does. */
static int run_build(struct spine *s)
{
	char *dir = spine_path(s, "artifacts");
	if (!dir)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	struct owlet_artifact a;
	int rc = owlet_artifact_package(&a, dir, s->env->function.architecture);
	if (rc == 0 && !s->quiet)
		printf("  build| %s %s/lambda.zip (%s, %zu files, %lld bytes, sha256 %s)\n",
		       a.reused ? "up to date:" : "built", dir, a.architecture, a.n_files, a.size, a.sha256_base64);
	owlet_artifact_clear(&a);
	free(dir);
	return rc;
}

int spine_artifact(struct spine *s, const char *artifact)
{
	if (!artifact || !artifact[0])
		artifact = getenv("OWLET_LAMBDA_ZIP");
	char *dir = spine_path(s, "artifacts");
	int rc = 0;
	if (!dir) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	if (artifact && artifact[0]) {
		rc = owlet_zip_import(artifact, dir, s->env->function.architecture);
		if (rc == 0 && !s->quiet)
			printf("  artifact: %s\n", artifact);
		goto out;
	}
	rc = run_build(s);
out:
	free(dir);
	return rc;
}

int spine_render(struct spine *s)
{
	char *suffix = s->sandbox ? strdup(s->sandbox) : owlet_render_stack_suffix(s->env->stack_suffix, ".");
	if (!suffix)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	const char *endpoint = NULL;
	struct owlet_emulator found;
	if (s->local && s->have_emu) {
		endpoint = s->emu.endpoint;
	} else if (s->local) {
		/* render alone: the running emulator, else moto's usual port until `up` starts one */
		endpoint = owlet_emulator_find(&found, s->state_dir) == 0 ? found.endpoint : "http://127.0.0.1:5000";
		owlet_error_clear();
	}
	/* a developer's sandbox: tagged with its name and an expiry date,
	 * OWLET_SANDBOX_TTL_DAYS after this render (each up extends it) */
	bool sandbox = s->sandbox || strcmp(s->env->stack_suffix, "developer") == 0;
	char expires[16] = "";
	if (sandbox) {
		time_t t = (time_t)(owlet_clock_wall_ms() / 1000) + OWLET_SANDBOX_TTL_DAYS * 86400;
		struct tm tm;
		if (gmtime_r(&t, &tm))
			strftime(expires, sizeof expires, "%Y-%m-%d", &tm);
	}
	struct owlet_render_opts opts = {
		.state_dir = s->state_dir,
		.emulator_endpoint = endpoint,
		.stack_suffix = suffix,
		.sandbox = sandbox ? suffix : NULL,
		.sandbox_expires = sandbox ? expires : NULL,
	};
	int rc = owlet_render(s->model, s->env, &opts);
	free(suffix);
	return rc;
}

int spine_terraform(struct spine *s)
{
	if (s->tf)
		return 0;
	int rc = owlet_tf_new(&s->tf, s->state_dir, s->env->region, s->local ? s->emu.endpoint : NULL);
	if (rc < 0)
		return rc;
	s->tf->on_line = print_child_line;
	s->tf->on_note = print_note;
	if (owlet_verbosity() == OWLET_VERBOSE)
		s->tf->on_command = print_command;
	s->tf->ctx = s;
	return 0;
}

int spine_init(struct spine *s)
{
	int rc = spine_terraform(s);
	if (rc < 0)
		return rc;
	/* a sandbox named on the command line: the state key may differ from the last init's */
	rc = owlet_tf_init(s->tf, "backend.hcl", true, s->local || s->sandbox);
	if (rc == 0 && s->tf->init_skipped && !s->quiet)
		printf("  terraform init: .terraform is up to date\n");
	return rc;
}

int spine_prepare(struct spine *s, const char *artifact, bool with_artifact)
{
	int rc = 0;
	if (!s->local) {
		/* credentials and the state bucket, before the build and terraform */
		char who[600];
		char *bucket = owlet_render_state_bucket(s->model, s->env);
		rc = bucket ? owlet_aws_preflight(who, sizeof who, s->env, bucket)
			    : owlet_error_setc(OWLET_ENOMEM, "out of memory");
		free(bucket);
		if (rc < 0)
			return rc;
		if (!s->quiet)
			printf("  AWS: %s\n", who);
	}
	if (s->local) {
		spine_step(s, "emulator");
		rc = spine_emulator(s);
		if (rc < 0)
			return rc;
	}
	if (with_artifact) {
		spine_step(s, "artifact");
		rc = spine_artifact(s, artifact);
		if (rc < 0)
			return rc;
	}
	spine_step(s, "render %s/", s->state_dir);
	rc = spine_render(s);
	if (rc < 0)
		return rc;
	spine_step(s, "terraform init");
	return spine_init(s);
}

void spine_print_summary(const struct owlet_plan_summary *sum)
{
	printf("plan: %d to add, %d to change, %d to destroy\n", sum->add, sum->change, sum->destroy);
	for (size_t i = 0; i < sum->n_modules; i++)
		printf("  %-12s %3d to add, %3d to change, %3d to destroy\n", sum->modules[i].name,
		       sum->modules[i].add, sum->modules[i].change, sum->modules[i].destroy);
	fflush(stdout);
}

/* ---- the plan's JSON without `terraform show -json` ----------------------
 * A local up whose plan, without refresh, plans no change: when the rendered
 * configuration, the variables, the provider lock, the state terraform
 * planned against and terraform are those of the last such plan (the key in
 * plan-inputs.json, check/recall.h), terraform's JSON of this plan is that
 * plan's, still in plan.json; the provider is not started again to write it
 * (`show` is about 40 % of a no-change up).  The gate, the cost and the
 * outputs read it as ever.  Any other plan forgets the key first. */
#define PLAN_INPUTS_FILE "plan-inputs.json"

static void plan_inputs_key(const struct spine *s, char key[65], bool changes, bool destroy)
{
	key[0] = '\0';
	if (!s->local || s->sandbox || !s->have_emu || !s->tf->no_refresh || changes || destroy)
		return;
	char *bucket = owlet_render_state_bucket(s->model, s->env), *state = NULL;
	size_t len = 0;
	if (!bucket ||
	    owlet_stack_local_state_bytes(&state, &len, s->emu.endpoint, s->env->region, bucket, s->env->backend.key) < 0 ||
	    owlet_plan_inputs_key(key, s->state_dir, state, len) < 0)
		key[0] = '\0';
	owlet_error_clear();
	free(state);
	free(bucket);
}

/* plan.json when the kept key is key; NULL otherwise. */
static json_t *plan_json_recall(const struct spine *s, const char *key)
{
	if (!key[0])
		return NULL;
	char *kp = spine_path(s, PLAN_INPUTS_FILE), *pp = spine_path(s, "plan.json");
	json_t *kept = kp ? json_load_file(kp, 0, NULL) : NULL, *plan = NULL;
	const char *k = json_string_value(json_object_get(kept, "key"));
	if (k && strcmp(k, key) == 0 && pp)
		plan = json_load_file(pp, 0, NULL);
	if (plan && !json_is_object(plan)) {
		json_decref(plan);
		plan = NULL;
	}
	json_decref(kept);
	free(kp);
	free(pp);
	return plan;
}

/* Keeps key for the plan.json `show` wrote; "" forgets the kept one. */
static int plan_json_keep(const struct spine *s, const char *key)
{
	char *kp = spine_path(s, PLAN_INPUTS_FILE);
	if (!kp)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = 0;
	if (key[0]) {
		json_t *j = json_pack("{s:s}", "key", key);
		rc = j ? owlet_fs_write_json(kp, j, JSON_INDENT(2)) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
		json_decref(j);
	} else if (unlink(kp) != 0 && errno != ENOENT) {
		rc = owlet_error_setc(OWLET_EIO, "cannot remove '%s': %s", kp, strerror(errno));
	}
	free(kp);
	return rc;
}

int spine_plan(struct spine *s, bool *changes, struct owlet_plan_summary *summary, bool destroy)
{
	memset(summary, 0, sizeof *summary);
	int rc = spine_terraform(s);
	if (rc < 0)
		return rc;
	rc = owlet_tf_plan(s->tf, changes, "plan.tfplan", destroy);
	json_t *plan = NULL;
	char key[65] = "";
	if (rc == 0) {
		plan_inputs_key(s, key, *changes, destroy);
		plan = plan_json_recall(s, key);
	}
	if (plan && !s->quiet)
		printf("  plan JSON: no changes, and the configuration, variables, provider lock, state and terraform "
		       "are those of the last such plan (sha256 %.12s): its plan.json, without 'terraform show'\n",
		       key);
	if (rc == 0 && !plan)
		rc = plan_json_keep(s, "");
	if (rc == 0 && !plan)
		rc = owlet_tf_show_plan(&plan, s->tf, "plan.tfplan");
	if (rc == 0 && key[0])
		rc = plan_json_keep(s, key);
	if (rc == 0)
		rc = owlet_plan_summarize(summary, plan);
	json_decref(s->plan);
	s->plan = rc == 0 ? plan : NULL;
	if (rc < 0)
		json_decref(plan);
	/* the summary is plan's result: -q keeps it */
	if (rc == 0 && (!s->quiet || owlet_verbosity() == OWLET_QUIET))
		spine_print_summary(summary);
	return rc;
}

/* ---- the security checks (owned by the check engineer) -------------------
 * Called by `owlet up` after the plan and before apply, with the plan as
 * `terraform show -json` wrote it (state/<env>/plan.json).  Return 0 to go
 * on; a negative OWLET_E* code (with owlet_error_set) stops before apply.
 * The environment's `checks.skip` list is in s->env->skips. */
static int refuse_no_check(const struct spine *s)
{
	if (s->no_check && s->env->protect)
		return owlet_error_setc(OWLET_EUSAGE,
					"'--no-check' is refused for the protected environment '%s'",
					s->env_name);
	return 0;
}

static int run_checks(struct spine *s)
{
	if (s->no_check) {
		printf("  checks skipped (--no-check)\n");
		return 0;
	}
	char *plan_json = spine_path(s, "plan.json");
	if (!plan_json)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = check_gate_reuse(plan_json, s->state_dir, s->env);
	free(plan_json);
	return rc;
}

/* In GitHub Actions: the plan by module as Markdown in the step summary. */
static int plan_step_summary(const struct spine *s, const struct owlet_plan_summary *sum)
{
	if (!owlet_gha_enabled())
		return 0;
	struct owlet_buf b = { 0 };
	char line[256];
	int n = snprintf(line, sizeof line,
			 "### owlet plan: %s\n\n**%d to add, %d to change, %d to destroy**\n\n", s->env_name,
			 sum->add, sum->change, sum->destroy);
	int rc = owlet_buf_append(&b, line, (size_t)n);
	if (rc == 0 && sum->n_modules)
		rc = owlet_buf_append(&b, "| module | add | change | destroy |\n|---|--:|--:|--:|\n", 54);
	for (size_t i = 0; rc == 0 && i < sum->n_modules; i++) {
		n = snprintf(line, sizeof line, "| %.100s | %d | %d | %d |\n", sum->modules[i].name,
			     sum->modules[i].add, sum->modules[i].change, sum->modules[i].destroy);
		rc = owlet_buf_append(&b, line, (size_t)n);
	}
	if (rc == 0) {
		n = snprintf(line, sizeof line, "\nThe saved plan: `%s/plan.tfplan`\n\n", s->state_dir);
		rc = owlet_buf_append(&b, line, (size_t)n);
	}
	if (rc == 0)
		rc = owlet_gha_summary_append(b.data);
	owlet_buf_free(&b);
	return rc;
}

/* up, local: plan without terraform's refresh when the emulator's recording
 * shows that nothing but owlet changed it since the last up. */
static int decide_refresh(struct spine *s)
{
	s->refresh_mark = -1;
	if (!s->refresh_check || !s->local || !s->have_emu)
		return 0;
	bool skip = false;
	char why[400];
	int rc = owlet_refresh_decide(&skip, &s->refresh_mark, why, sizeof why, s->state_dir, s->emu.pid,
				      s->force_refresh);
	if (rc < 0)
		return rc;
	s->tf->no_refresh = skip;
	if (!s->quiet)
		printf("  refresh: %s: %s\n", skip ? "skipped" : "on", why);
	return 0;
}

int spine_plan_json_offline(struct spine *s, json_t **plan, const char *plan_json_path, const char *who)
{
	*plan = NULL;
	if (plan_json_path) {
		json_error_t jerr;
		if (!(*plan = json_load_file(plan_json_path, 0, &jerr)))
			return owlet_error_setc(OWLET_EINVALID, "'%s': %s", plan_json_path, jerr.text);
		return 0;
	}
	s->quiet = true;
	int rc = spine_render(s);
	fprintf(stderr, "%s: planning %s/ offline against a local moto_server\n", who, s->state_dir);
	return rc == 0 ? owlet_check_plan_offline(plan, s->state_dir, s->env->region) : rc;
}

int spine_apply_saved(struct spine *s, bool changes)
{
	spine_step(s, "terraform apply");
	if (!changes) {
		printf("no changes: nothing to apply\n");
		return 0;
	}
	return owlet_tf_apply(s->tf, "plan.tfplan");
}

int spine_plan_checked(struct spine *s, const char *artifact, bool *changes,
		       struct owlet_plan_summary *summary)
{
	int rc = refuse_no_check(s);
	if (rc < 0)
		return rc;
	rc = spine_prepare(s, artifact, true);
	if (rc == 0)
		rc = decide_refresh(s);
	if (rc < 0)
		return rc;
	spine_step(s, "terraform plan");
	rc = spine_plan(s, changes, summary, false);
	if (rc < 0)
		return rc;
	if (!s->quiet)
		printf("saved plan: %s/plan.tfplan\n", s->state_dir);
	rc = plan_step_summary(s, summary);
	if (rc == 0)
		rc = cost_gate(s);
	if (rc < 0)
		return rc;
	spine_step(s, "checks");
	return run_checks(s);
}
