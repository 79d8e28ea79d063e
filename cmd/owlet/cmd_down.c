/* cmd_down.c: `owlet down [--env E] [--yes] [--force]`: stop the local API,
 * terraform destroy, then (local) stop the emulator; nothing left running.
 * Local without --keep-emulator (and not a sandbox), the emulator is
 * stopped without a destroy: the resources and the state live in it alone.
 * Local, when a destroy fails, the emulator is stopped all the same (its
 * resources live in it and go with it), `down` says what was left and exits
 * 1; a second `down` finds no emulator and clears the state.  users.json
 * (the passwords `owlet user add` kept for `owlet token`) goes with the
 * stack's other state files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "deploy/deploy.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "local/servectl.h"
#include "spine.h"
#include "deploy/recording.h"
#include "deploy/render.h"
#include "deploy/stack.h"

static const char *opt_env, *opt_name;
static bool opt_yes, opt_force, opt_keep_emulator, opt_sandbox, opt_json;

const struct owlet_option cmd_down_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "the environment (default: local)" },
	{ "yes", 'y', OPT_FLAG, &opt_yes, NULL, "do not ask for confirmation (CI)" },
	{ "force", 0, OPT_FLAG, &opt_force, NULL, "destroy an environment marked 'protect: true'" },
	{ "keep-emulator", 0, OPT_FLAG, &opt_keep_emulator, NULL,
	  "local: leave the emulator running after the destroy (to look into it)" },
	{ "sandbox", 0, OPT_FLAG, &opt_sandbox, NULL,
	  "your sandbox in ENV (or --name's); then counts what is left of it in the account" },
	{ "name", 0, OPT_STRING, &opt_name, "NAME", "with --sandbox: the sandbox's name" },
	{ "json", 0, OPT_FLAG, &opt_json, NULL, "print one JSON object on stdout (what was done); the rest goes to stderr" },
	{ 0 },
};

static int confirm(const struct spine *s)
{
	if (opt_yes)
		return 0;
	if (!isatty(0))
		return owlet_error_setc(OWLET_ERROR, "refusing to destroy environment '%s' without confirmation: "
					"no terminal to ask on; pass --yes", s->env_name);
	printf("destroy everything of environment '%s' of project '%s', data buckets included? [y/N] ",
	       s->env_name, s->model->project);
	fflush(stdout);
	char answer[16] = "";
	if (!fgets(answer, sizeof answer, stdin) || (answer[0] != 'y' && answer[0] != 'Y'))
		return owlet_error_setc(OWLET_ERROR, "not destroyed: not confirmed");
	return 0;
}

static void remove_state_file(const struct spine *s, const char *name)
{
	char *p = spine_path(s, name);
	if (p)
		unlink(p);
	free(p);
}

/* A local destroy (or its init) failed: stop the emulator all the same,
 * unless --keep-emulator, and say what is left.  Returns the failure. */
static int local_destroy_failed(const struct spine *s)
{
	char why[1024];
	snprintf(why, sizeof why, "%s", owlet_error_last());
	struct owlet_emulator running;
	bool alive = owlet_emulator_find(&running, s->state_dir) == 0;
	owlet_error_clear();
	if (alive && opt_keep_emulator) {
		printf("left running (--keep-emulator): the emulator on %s (pid %d), with what the destroy did not "
		       "delete\n", running.endpoint, (int)running.pid);
	} else if (owlet_emulator_stop(s->state_dir) < 0) {
		printf("left running: the emulator (pid %d): %s\n", (int)running.pid, owlet_error_last());
	} else {
		if (alive)
			printf("stopped the emulator (pid %d) all the same: the local resources went with it\n",
			       (int)running.pid);
		printf("left: the terraform state in %s/ ('owlet down' again clears it)\n", s->state_dir);
	}
	fflush(stdout);
	return owlet_error_setc(OWLET_ECHILD, "the local destroy failed: %s", why);
}

/* Local, the whole environment going (no --keep-emulator, no sandbox):
 * its resources and its terraform state live in the emulator alone, so
 * stopping the emulator takes them all, in about a second instead of
 * terraform's refresh and destroy of every resource (30-90 s on two
 * cores).  What the state held is counted first, to say what went. */
static int stop_local_stack(struct spine *s, const struct owlet_emulator *running)
{
	json_t *res = NULL;
	char *bucket = owlet_render_state_bucket(s->model, s->env);
	long n = -1;
	if (bucket && owlet_stack_local_resources(&res, running->endpoint, s->env->region, bucket,
						  s->env->backend.key) == 0)
		n = (long)json_array_size(res);
	owlet_error_clear();
	json_decref(res);
	free(bucket);
	spine_step(s, "stop the emulator");
	int rc = owlet_refresh_forget(s->state_dir);
	if (rc == 0)
		rc = owlet_emulator_stop(s->state_dir);
	if (rc < 0)
		return rc;
	if (n >= 0)
		printf("  emulator: stopped (pid %d); the %ld resources of the terraform state, and the state, went "
		       "with it\n", (int)running->pid, n);
	else
		printf("  emulator: stopped (pid %d); every resource in it went with it\n", (int)running->pid);
	printf("  no terraform destroy locally ('owlet down --keep-emulator' runs one)\n");
	return 0;
}

int down_sandbox(const char *env, const char *name, bool yes)
{
	opt_env = env;
	opt_name = name;
	opt_sandbox = true;
	opt_yes = yes;
	char *argv[] = { "down", NULL };
	return cmd_down(1, argv);
}

static int down_run(json_t **result)
{
	struct spine s;
	char *sandbox = NULL;
	bool destroyed = true;
	pid_t stale = 0;
	int rc = spine_open(&s, opt_env, NULL);
	if (rc == 0)
		rc = sandbox_name(&sandbox, opt_sandbox, opt_name);
	if (rc < 0)
		goto out;
	/* a sandbox shares the local emulator with the others: it stays */
	if (sandbox && s.local)
		opt_keep_emulator = true;
	if (s.env->protect && !opt_force) {
		rc = owlet_error_setc(OWLET_ERROR, "environment '%s' is protected (protect: true in "
				      "environments/%s.yml): pass --force to destroy it", s.env_name, s.env_name);
		goto out;
	}
	rc = confirm(&s);
	if (rc < 0)
		goto out;
	char *st = strdup(s.state_dir);
	spine_close(&s);
	rc = st ? spine_open(&s, opt_env, "down") : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	free(st);
	if (rc < 0)
		goto out;
	s.sandbox = sandbox;
	s.n_steps = !s.local ? 3 : opt_keep_emulator ? 6 : 2;
	if (s.local) {
		spine_step(&s, "stop the local API");
		rc = owlet_servectl_stop(s.state_dir, &stale);
		if (rc < 0)
			goto out;
		if (stale)
			printf("  not stopped: pid %d of %s/localapi.json is no longer this local API (another program has "
			       "that pid now); the stale record is removed\n", (int)stale, s.state_dir);
		struct owlet_emulator running;
		if (owlet_emulator_find(&running, s.state_dir) < 0) {
			owlet_error_clear();
			owlet_emulator_stop(s.state_dir); /* a recorded pid that no longer answers */
			destroyed = false;
			printf("nothing to destroy: the emulator of '%s' is not running (its resources went with it)\n",
			       s.env_name);
			goto cleanup;
		}
		if (!opt_keep_emulator) {
			rc = stop_local_stack(&s, &running);
			if (rc < 0)
				goto out;
			goto cleanup;
		}
	}
	rc = spine_prepare(&s, NULL, false);
	if (rc == 0 && s.local)
		rc = owlet_refresh_forget(s.state_dir); /* the next up refreshes */
	if (rc == 0) {
		spine_step(&s, "terraform destroy");
		rc = owlet_tf_destroy(s.tf);
	}
	if (rc < 0) {
		if (s.local)
			rc = local_destroy_failed(&s);
		goto out;
	}
	if (s.local && opt_keep_emulator) {
		spine_step(&s, "keep the emulator");
		printf("  emulator: still running on %s (pid %d)%s\n", s.emu.endpoint, (int)s.emu.pid,
		       sandbox ? ", for the other sandboxes" : "");
	} else if (s.local) {
		spine_step(&s, "stop the emulator");
		rc = owlet_emulator_stop(s.state_dir);
		if (rc < 0)
			goto out;
	}
cleanup:
	remove_state_file(&s, "outputs.json");
	remove_state_file(&s, "plan.tfplan");
	remove_state_file(&s, "plan.json");
	remove_state_file(&s, "plan-inputs.json");
	remove_state_file(&s, "state.json");
	remove_state_file(&s, "users.json");
	json_t *rec = json_pack("{s:s, s:s, s:o}", "environment", s.env_name, "result", "destroyed", "seconds",
				spine_times_json(&s));
	rc = rec ? owlet_deploy_append(s.state_dir, ".", rec) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0)
		spine_print_times(&s, "destroyed");
	if (rc == 0 && sandbox)
		rc = sandbox_check_left(&s, sandbox);
	if (rc == 0 && result) {
		/* --json: the record as deploys.jsonl has it, and what was found */
		*result = json_deep_copy(rec);
		json_object_set_new(*result, "nothing_to_destroy", json_boolean(!destroyed));
		json_object_set_new(*result, "stale_local_api_pid", stale ? json_integer(stale) : json_null());
		json_object_set_new(*result, "sandbox", sandbox ? json_string(sandbox) : json_null());
	}
	json_decref(rec);
out:
	free(sandbox);
	spine_close(&s);
	return rc;
}

int cmd_down(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet down' takes no arguments");
	return spine_json_run(down_run, opt_json, opt_env);
}
