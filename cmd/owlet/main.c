/*
 * main.c: the owlet CLI entry point, the command table, option parsing and
 * the one place where lib/ error codes become messages and exit statuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "base/diag.h"
#include "base/error.h"
#include "base/gha.h"
#include "base/version.h"

static const struct owlet_command commands[] = {
	{ "init", cmd_init, cmd_init_options, "DIR", "create a new owlet project in DIR (git repository, model, environments)" },
	{ "validate", cmd_validate, cmd_validate_options, "", "check data_model.yml and the environments, report every problem" },
	{ "render", cmd_render, cmd_render_options, "", "write the Terraform root module of an environment to state/ENV/" },
	{ "build", cmd_build, cmd_build_options, "", "build the Lambda artifact (reproducible zip + sha256)" },
	{ "check", cmd_check, cmd_check_options, "", "security checks (Checkov's rules) on the plan of an environment or a directory" },
	{ "cost", cmd_cost, cmd_cost_options, "", "the monthly cost estimate of an environment, per resource and setting" },
	{ "graph", cmd_graph, cmd_graph_options, "", "draw an environment's stack (Graphviz dot): modules and the data's path" },
	{ "plan", cmd_plan, cmd_plan_options, "", "render, terraform init and plan; print what would change" },
	{ "up", cmd_up, cmd_up_options, "", "plan, check and apply an environment (default: local); print its outputs" },
	{ "down", cmd_down, cmd_down_options, "", "destroy everything of an environment" },
	{ "status", cmd_status, cmd_status_options, "", "what is deployed, the outputs and the last deploy" },
	{ "stats", cmd_stats, cmd_stats_options, "FILE...", "column statistics of CSV / JSON Lines files, typed by the model" },
	{ "user", cmd_user, cmd_user_options, "add NAME", "manage the users of an environment's Cognito user pool" },
	{ "token", cmd_token, cmd_token_options, "NAME", "sign a user in and print an access token" },
	{ "ci", cmd_ci, cmd_ci_options, "github", "write or refresh the project's GitHub Actions workflows" },
	{ "openapi", cmd_openapi, cmd_openapi_options, "", "print the OpenAPI 3.1 document of the API, made from the model" },
	{ "serve", cmd_serve, cmd_serve_options, "", "serve the local API in the foreground (up --env local runs it in the background)" },
	{ "query", cmd_query, cmd_query_options, "SQL", "run SQL through the environment's Athena (local: DuckDB)" },
};
static const size_t n_commands = sizeof commands / sizeof commands[0];

static const struct owlet_command *find_command(const char *name)
{
	for (size_t i = 0; i < n_commands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void print_help(FILE *f)
{
	fprintf(f, "usage: owlet [--version] [--help] <command> [<options>]\n\n"
		   "owlet turns data_model.yml into a serverless data stack on AWS (or a local emulator).\n\n"
		   "commands:\n");
	for (size_t i = 0; i < n_commands; i++)
		fprintf(f, "   %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'owlet <command> --help' shows a command's options.\n");
}

void owlet_command_usage(const char *name, bool to_stdout)
{
	FILE *f = to_stdout ? stdout : stderr;
	const struct owlet_command *cmd = find_command(name);
	if (!cmd) {
		print_help(f);
		return;
	}
	fprintf(f, "usage: owlet %s [<options>]%s%s\n\n   %s\n\n", cmd->name,
		cmd->args[0] ? " " : "", cmd->args, cmd->summary);
	for (const struct owlet_option *o = cmd->options; o && o->name; o++) {
		char left[64];
		if (o->short_name)
			snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		fprintf(f, "   %-28s %s\n", left, o->help);
	}
	fprintf(f, "   %-28s %s\n", "-h, --help", "show this help");
}

static const struct owlet_option *find_option(const struct owlet_option *opts, const char *name,
					      size_t len, char short_name)
{
	for (const struct owlet_option *o = opts; o && o->name; o++) {
		if (short_name ? o->short_name == short_name
			       : (strlen(o->name) == len && strncmp(o->name, name, len) == 0))
			return o;
	}
	return NULL;
}

static int set_option(const struct owlet_option *o, const char *value)
{
	switch (o->kind) {
	case OPT_FLAG:
		*(bool *)o->value = true;
		return 0;
	case OPT_STRING:
		*(const char **)o->value = value;
		return 0;
	case OPT_INT: {
		char *end;
		long n = strtol(value, &end, 10);
		if (!*value || *end)
			return owlet_error_setc(OWLET_EUSAGE, "option '--%s' expects a number, not '%s'", o->name, value);
		*(long *)o->value = n;
		return 0;
	}
	case OPT_LIST: {
		struct owlet_strlist *l = o->value;
		if (l->count == (int)(sizeof l->items / sizeof l->items[0]))
			return owlet_error_setc(OWLET_EUSAGE, "option '--%s' given too many times", o->name);
		l->items[l->count++] = value;
		return 0;
	}
	}
	return OWLET_ERROR;
}

/* Parses the options of `cmd` out of argv in place; positional arguments are
 * kept in order after argv[0].  Returns the new argc, 0 for --help, or
 * OWLET_EUSAGE. */
static int parse_options(const struct owlet_command *cmd, int argc, char **argv)
{
	int out = 1;
	bool only_args = false;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (only_args || a[0] != '-' || strcmp(a, "-") == 0) {
			argv[out++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_args = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			return 0;
		const struct owlet_option *o;
		const char *inline_value = NULL;
		if (a[1] == '-') {
			const char *name = a + 2;
			const char *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			o = find_option(cmd->options, name, len, 0);
			if (eq)
				inline_value = eq + 1;
		} else {
			o = a[2] ? NULL : find_option(cmd->options, "", 0, a[1]);
		}
		if (!o)
			return owlet_error_setc(OWLET_EUSAGE, "unknown option '%s' for 'owlet %s'", a, cmd->name);
		if (o->kind == OPT_FLAG) {
			if (inline_value)
				return owlet_error_setc(OWLET_EUSAGE, "option '--%s' takes no value", o->name);
			set_option(o, NULL);
			continue;
		}
		if (!inline_value) {
			if (i + 1 >= argc)
				return owlet_error_setc(OWLET_EUSAGE, "option '--%s' needs a value (%s)", o->name,
							o->arg ? o->arg : "VALUE");
			inline_value = argv[++i];
		}
		int rc = set_option(o, inline_value);
		if (rc < 0)
			return rc;
	}
	argv[out] = NULL;
	return out;
}

void owlet_print_diags(struct owlet_diags *diags)
{
	owlet_diags_sort(diags);
	for (size_t i = 0; i < diags->count; i++) {
		char *line = owlet_diag_format(&diags->items[i]);
		if (line)
			fprintf(stderr, "%s\n", line);
		free(line);
	}
	/* in GitHub Actions, also as annotations on the lines of the pull request */
	for (size_t i = 0; owlet_gha_enabled() && i < diags->count; i++) {
		const struct owlet_diag *d = &diags->items[i];
		char *line = owlet_gha_error(d->file, d->line, d->col, "owlet validate", d->message);
		if (line)
			fprintf(stderr, "%s\n", line);
		free(line);
	}
}

static int exit_status(const char *name, int rc)
{
	if (rc >= 0)
		return rc;
	const char *msg = owlet_error_last();
	if (msg[0])
		fprintf(stderr, "error: %s\n", msg);
	if (rc == OWLET_EUSAGE) {
		owlet_command_usage(name, false);
		return 2;
	}
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_help(stderr);
		return 2;
	}
	const char *name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		printf("owlet %s\n", OWLET_VERSION);
		return 0;
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		print_help(stdout);
		return 0;
	}
	if (strcmp(name, "help") == 0) {
		if (argc > 2 && find_command(argv[2]))
			owlet_command_usage(argv[2], true);
		else if (argc > 2) {
			fprintf(stderr, "error: unknown command '%s'\n", argv[2]);
			print_help(stderr);
			return 2;
		} else
			print_help(stdout);
		return 0;
	}
	const struct owlet_command *cmd = find_command(name);
	if (!cmd) {
		fprintf(stderr, "error: unknown command '%s'\n", name);
		print_help(stderr);
		return 2;
	}
	int n = parse_options(cmd, argc - 1, argv + 1);
	if (n == 0) {
		owlet_command_usage(cmd->name, true);
		return 0;
	}
	if (n < 0)
		return exit_status(cmd->name, n);
	owlet_error_clear();
	return exit_status(cmd->name, cmd->fn(n, argv + 1));
}
