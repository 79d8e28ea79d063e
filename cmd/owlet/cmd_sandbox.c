/* cmd_sandbox.c: `owlet sandbox list [--env E]` and `owlet sandbox down
 * [NAME] [--env E] [--expired] [--yes]`: a project's sandboxes in the
 * account (lib/deploy/sandbox.h), and what `up --sandbox` / `down
 * --sandbox` share: the sandbox's name and the count of what is left. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "spine.h"
#include "base/clock.h"
#include "base/error.h"
#include "deploy/render.h"
#include "deploy/sandbox.h"

static const char *opt_env;
static bool opt_expired, opt_yes;

const struct owlet_option cmd_sandbox_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "the environment the sandboxes live in (default: local)" },
	{ "expired", 0, OPT_FLAG, &opt_expired, NULL, "down: every sandbox whose owlet:expires date has passed" },
	{ "yes", 'y', OPT_FLAG, &opt_yes, NULL, "down: do not ask for confirmation (CI)" },
	{ 0 },
};

int sandbox_name(char **out, bool sandbox, const char *name)
{
	*out = NULL;
	if (!sandbox && name)
		return owlet_error_setc(OWLET_EUSAGE, "'--name' names a sandbox: use it with '--sandbox'");
	if (!sandbox)
		return 0;
	char *n = name ? strdup(name) : owlet_render_stack_suffix("developer", ".");
	if (!n)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = owlet_sandbox_name_check(n);
	if (rc < 0) {
		free(n);
		return rc;
	}
	*out = n;
	return 0;
}

/* Where the sandboxes live: the local emulator (running) or AWS. */
static int scope_of(struct owlet_sandbox_scope *sc, struct owlet_emulator *emu, const struct spine *s)
{
	*sc = (struct owlet_sandbox_scope){ .project = s->model->project, .env = s->env_name, .region = s->env->region };
	if (s->local) {
		int rc = owlet_emulator_find(emu, s->state_dir);
		if (rc < 0)
			return rc;
		sc->endpoint = emu->endpoint;
		sc->access_key = "test";
	} else {
		const char *ep = getenv("AWS_ENDPOINT_URL");
		sc->endpoint = ep && ep[0] ? ep : NULL;
	}
	return 0;
}

int sandbox_check_left(const struct spine *s, const char *name)
{
	struct owlet_sandbox_scope sc;
	struct owlet_emulator emu;
	int rc = scope_of(&sc, &emu, s);
	if (rc == OWLET_ENOTFOUND && s->local) {
		owlet_error_clear();
		printf("left of sandbox '%s': nothing (the emulator is not running)\n", name);
		return 0;
	}
	json_t *left = NULL, *removed = NULL;
	if (rc == 0)
		rc = owlet_sandbox_remove_function_logs(&removed, &sc, name);
	for (size_t i = 0; i < json_array_size(removed); i++)
		printf("removed log group %s: its Lambda's, left after the destroy (a Lambda that runs after its log group went makes it again, untagged)\n",
		       json_string_value(json_array_get(removed, i)));
	json_decref(removed);
	if (rc == 0)
		rc = owlet_sandbox_leftovers(&left, &sc, name);
	if (rc < 0)
		return owlet_error_setc(rc, "cannot count what is left of sandbox '%s': %s", name, owlet_error_last());
	size_t n = json_array_size(left);
	if (n == 0) {
		printf("left of sandbox '%s': nothing (tagged resources, user pools, APIs, log groups counted)\n", name);
	} else {
		printf("left of sandbox '%s': %zu resource%s\n", name, n, n == 1 ? "" : "s");
		for (size_t i = 0; i < n; i++)
			printf("  %s\n", json_string_value(json_array_get(left, i)));
	}
	json_decref(left);
	if (n)
		return owlet_error_setc(OWLET_ERROR, "%zu resource%s of sandbox '%s' left after its destroy", n,
					n == 1 ? "" : "s", name);
	return 0;
}

static void today(char *out, size_t size)
{
	time_t t = (time_t)(owlet_clock_wall_ms() / 1000);
	struct tm tm;
	out[0] = '\0';
	if (gmtime_r(&t, &tm))
		strftime(out, size, "%Y-%m-%d", &tm);
}

static bool expired(const json_t *sb, const char *now)
{
	const char *e = json_string_value(json_object_get(sb, "expires"));
	return e && e[0] && strcmp(e, now) < 0;
}

static int list(const struct spine *s, json_t **out)
{
	struct owlet_sandbox_scope sc;
	struct owlet_emulator emu;
	int rc = scope_of(&sc, &emu, s);
	if (rc == OWLET_ENOTFOUND && s->local) {
		owlet_error_clear();
		*out = json_array();
		return *out ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	return rc < 0 ? rc : owlet_sandbox_list(out, &sc);
}

int cmd_sandbox(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "list") != 0 && strcmp(argv[1], "down") != 0))
		return owlet_error_setc(OWLET_EUSAGE, "'owlet sandbox' needs 'list' or 'down [NAME]'");
	bool down = strcmp(argv[1], "down") == 0;
	if ((!down && argc > 2) || argc > 3)
		return owlet_error_setc(OWLET_EUSAGE, "too many arguments");
	if (down && (argc == 3) == opt_expired)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet sandbox down' needs a NAME or '--expired' (not both)");
	struct spine s;
	json_t *sandboxes = NULL;
	char now[16];
	today(now, sizeof now);
	int rc = spine_open(&s, opt_env, NULL);
	if (rc == 0 && down && !opt_expired) {
		char *name = NULL;
		rc = sandbox_name(&name, true, argv[2]);
		free(name);
		const char *env = s.env_name;
		char env_copy[64];
		snprintf(env_copy, sizeof env_copy, "%s", env);
		spine_close(&s);
		return rc < 0 ? rc : down_sandbox(env_copy, argv[2], opt_yes);
	}
	if (rc == 0)
		rc = list(&s, &sandboxes);
	if (rc < 0)
		goto out;
	if (!down) {
		printf("sandboxes of '%s' in '%s': %zu\n", s.model->project, s.env_name, json_array_size(sandboxes));
		if (json_array_size(sandboxes))
			printf("  %-16s  %-9s  %-10s  %-10s\n", "NAME (owner)", "resources", "last up", "expires");
		size_t i;
		json_t *sb;
		json_array_foreach(sandboxes, i, sb) {
			const char *e = json_string_value(json_object_get(sb, "expires"));
			char last[16] = "?";
			struct tm tm = { 0 };
			if (e && strptime(e, "%Y-%m-%d", &tm)) {
				time_t t = timegm(&tm) - (time_t)OWLET_SANDBOX_TTL_DAYS * 86400;
				if (gmtime_r(&t, &tm))
					strftime(last, sizeof last, "%Y-%m-%d", &tm);
			}
			printf("  %-16s  %9lld  %-10s  %-10s%s\n", json_string_value(json_object_get(sb, "name")),
			       (long long)json_integer_value(json_object_get(sb, "resources")), last, e && e[0] ? e : "?",
			       expired(sb, now) ? "  expired" : "");
		}
		goto out;
	}
	/* down --expired: each expired sandbox in turn */
	char names[64][32];
	size_t n = 0, i;
	json_t *sb;
	json_array_foreach(sandboxes, i, sb)
		if (expired(sb, now) && n < 64)
			snprintf(names[n++], sizeof names[0], "%s", json_string_value(json_object_get(sb, "name")));
	char env_copy[64];
	snprintf(env_copy, sizeof env_copy, "%s", s.env_name);
	spine_close(&s);
	printf("expired sandboxes in '%s': %zu\n", env_copy, n);
	for (size_t k = 0; k < n && rc == 0; k++) {
		printf("== sandbox '%s' (expired)\n", names[k]);
		fflush(stdout);
		rc = down_sandbox(env_copy, names[k], opt_yes);
	}
	json_decref(sandboxes);
	return rc;
out:
	json_decref(sandboxes);
	spine_close(&s);
	return rc;
}
