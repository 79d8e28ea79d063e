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
#include "model/environment.h"

static int cmd_completion(int argc, char **argv);
static const struct owlet_option cmd_completion_options[] = { { 0 } };

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
	{ "bootstrap", cmd_bootstrap, cmd_bootstrap_options, "", "create the state bucket, GitHub OIDC provider and deploy roles of an environment" },
	{ "sandbox", cmd_sandbox, cmd_sandbox_options, "list | down [NAME]", "the project's sandboxes in the account; tear one (or the expired ones) down" },
	{ "openapi", cmd_openapi, cmd_openapi_options, "", "print the OpenAPI 3.1 document of the API, made from the model" },
	{ "serve", cmd_serve, cmd_serve_options, "", "serve the local API in the foreground (up --env local runs it in the background)" },
	{ "query", cmd_query, cmd_query_options, "SQL", "run SQL through the environment's Athena (local: DuckDB)" },
	{ "compact", cmd_compact, cmd_compact_options, "", "turn the raw JSON Lines into Parquet under curated/ (Athena's UNLOAD)" },
	{ "upload", cmd_upload, cmd_upload_options, "[DATASET] FILE...", "bulk-upload CSV / JSON Lines files to a dataset; print what was accepted and rejected" },
	{ "completion", cmd_completion, cmd_completion_options, "bash|zsh", "print the bash or zsh completion script (make install installs both)" },
};
static const size_t n_commands = sizeof commands / sizeof commands[0];

/* Options of every command, before or after its name (owlet -q up, owlet up -q). */
static bool opt_quiet, opt_verbose;
static const struct owlet_option global_options[] = {
	{ "quiet", 'q', OPT_FLAG, &opt_quiet, NULL,
	  "print only errors, warnings and the result: no progress or information lines" },
	{ "verbose", 'v', OPT_FLAG, &opt_verbose, NULL, "also print each terraform command and how long it took" },
	{ 0 },
};

static const struct owlet_command *find_command(const char *name)
{
	for (size_t i = 0; i < n_commands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void print_help(FILE *f)
{
	fprintf(f, "usage: owlet [--version] [--help] [-q | -v] <command> [<options>]\n\n"
		   "owlet turns data_model.yml into a serverless data stack on AWS (or a local emulator).\n\n"
		   "commands:\n");
	for (size_t i = 0; i < n_commands; i++)
		fprintf(f, "   %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\noptions of every command (before or after its name):\n");
	for (const struct owlet_option *o = global_options; o->name; o++)
		fprintf(f, "   -%c, --%-14s %s\n", o->short_name, o->name, o->help);
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
	for (const struct owlet_option *o = global_options; o->name; o++) {
		char left[64];
		snprintf(left, sizeof left, "-%c, --%s", o->short_name, o->name);
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
	/* $OWLET_ENV is the default of every --env; the command line wins */
	const struct owlet_option *env_opt = find_option(cmd->options, "env", 3, 0);
	const char *env = getenv("OWLET_ENV");
	if (env_opt && env_opt->kind == OPT_STRING && env && env[0]) {
		if (!owlet_environment_valid_name(env))
			return owlet_error_setc(OWLET_EUSAGE,
						"OWLET_ENV='%.64s' is not an environment name (1 to 16 lower-case letters, digits or '-', starting with a letter)",
						env);
		set_option(env_opt, env);
	}
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
			if (!o)
				o = find_option(global_options, name, len, 0);
			if (eq)
				inline_value = eq + 1;
		} else {
			o = a[2] ? NULL : find_option(cmd->options, "", 0, a[1]);
			if (!o && !a[2])
				o = find_option(global_options, "", 0, a[1]);
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

/* ---- completion and the manual page, both made from the table ---------- */

/* `owlet completion bash`: commands, each command's options, environment
 * names from environments/NAME.yml after --env, files otherwise. */
static int print_bash(void)
{
	printf("# bash completion for owlet; generated by 'owlet completion bash' (owlet %s), do not edit.\n"
	       "# Load it with: source <(owlet completion bash)\n"
	       "_owlet() {\n"
	       "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} at=1\n"
	       "\t# the global options may come before the command's name\n"
	       "\twhile [ \"$at\" -lt \"$COMP_CWORD\" ]; do\n"
	       "\t\tcase ${COMP_WORDS[at]} in -q|-v|--quiet|--verbose) at=$((at + 1)) ;; *) break ;; esac\n"
	       "\tdone\n"
	       "\tlocal cmd=${COMP_WORDS[at]}\n"
	       "\tif [ \"$COMP_CWORD\" -eq \"$at\" ]; then\n"
	       "\t\tCOMPREPLY=($(compgen -W 'help --help --version --quiet --verbose",
	       OWLET_VERSION);
	for (size_t i = 0; i < n_commands; i++)
		printf(" %s", commands[i].name);
	printf("' -- \"$cur\"))\n"
	       "\t\treturn\n"
	       "\tfi\n"
	       "\tif [ \"$prev\" = --env ] || [ \"$prev\" = -e ]; then\n"
	       "\t\tlocal envs=$(cd environments 2>/dev/null && ls -- *.yml 2>/dev/null | sed 's/\\.yml$//')\n"
	       "\t\tCOMPREPLY=($(compgen -W \"$(printf '%%s\\n' local $envs | sort -u)\" -- \"$cur\"))\n"
	       "\t\treturn\n"
	       "\tfi\n"
	       "\tlocal opts=\n"
	       "\tcase $cmd in\n");
	for (size_t i = 0; i < n_commands; i++) {
		printf("\t%s) opts='--help --quiet --verbose", commands[i].name);
		for (const struct owlet_option *o = commands[i].options; o && o->name; o++)
			printf(" --%s", o->name);
		printf("' ;;\n");
	}
	printf("\thelp) COMPREPLY=($(compgen -W '");
	for (size_t i = 0; i < n_commands; i++)
		printf("%s%s", i ? " " : "", commands[i].name);
	printf("' -- \"$cur\")); return ;;\n"
	       "\tesac\n"
	       "\tcase $cur in\n"
	       "\t-*) COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\")) ;;\n"
	       "\t*) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
	       "\tesac\n"
	       "}\n"
	       "complete -F _owlet owlet\n");
	return 0;
}

/* Text in single quotes; in an _arguments spec (spec) also [, ], : and \
 * escaped, which would end the description. */
static void zsh_text(const char *s, bool spec)
{
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else if (spec && (*s == '[' || *s == ']' || *s == ':' || *s == '\\'))
			printf("\\%c", *s);
		else
			putchar(*s == '\n' ? ' ' : *s);
	}
}

/* One _arguments spec per option: --name[help] for a flag, --name=[help]:ARG:action
 * for a value (environments after --env, files otherwise); -x too when it has one. */
static void zsh_option(const struct owlet_option *o)
{
	for (int form = 0; form < 2; form++) {
		if (form == 1 && !o->short_name)
			break;
		printf("\t\t\t'");
		if (o->kind == OPT_LIST)
			putchar('*');
		if (form == 0)
			printf("--%s%s[", o->name, o->kind == OPT_FLAG ? "" : "=");
		else
			printf("-%c[", o->short_name);
		zsh_text(o->help ? o->help : "", true);
		putchar(']');
		if (o->kind != OPT_FLAG) {
			printf(":");
			zsh_text(o->arg ? o->arg : "value", true);
			printf(":%s", strcmp(o->name, "env") == 0 ? "_owlet_envs" : o->kind == OPT_INT ? " " : "_files");
		}
		printf("' \\\n");
	}
}

/* `owlet completion zsh`: the same table for zsh's completion system. */
static int print_zsh(void)
{
	printf("#compdef owlet\n"
	       "# zsh completion for owlet; generated by 'owlet completion zsh' (owlet %s), do not edit.\n"
	       "# Load it with: source <(owlet completion zsh), after compinit; or save it as _owlet in $fpath.\n"
	       "_owlet_envs() {\n"
	       "\tlocal -a envs\n"
	       "\tenvs=(local ${${(f)\"$(cd environments 2>/dev/null && print -l -- *.yml(N))\"}%%.yml})\n"
	       "\tcompadd -a -- ${(u)envs}\n"
	       "}\n"
	       "_owlet() {\n"
	       "\tlocal curcontext=$curcontext state line\n"
	       "\ttypeset -A opt_args\n"
	       "\t_arguments -C \\\n",
	       OWLET_VERSION);
	for (const struct owlet_option *o = global_options; o->name; o++)
		zsh_option(o);
	printf("\t\t\t'(- *)--help[how to use owlet]' \\\n"
	       "\t\t\t'(- *)--version[print the version]' \\\n"
	       "\t\t\t'1: :->command' \\\n"
	       "\t\t\t'*:: :->args'\n"
	       "\tcase $state in\n"
	       "\tcommand)\n"
	       "\t\tlocal -a cmds\n"
	       "\t\tcmds=(\n");
	for (size_t i = 0; i < n_commands; i++) {
		printf("\t\t\t'%s:", commands[i].name);
		zsh_text(commands[i].summary, false);
		printf("'\n");
	}
	printf("\t\t\t'help:how to use owlet or one of its commands'\n"
	       "\t\t)\n"
	       "\t\t_describe -t commands 'owlet command' cmds ;;\n"
	       "\targs)\n"
	       "\t\tcurcontext=${curcontext%%:*:*}:owlet-$line[1]:\n"
	       "\t\tcase $line[1] in\n");
	for (size_t i = 0; i < n_commands; i++) {
		printf("\t\t%s)\n\t\t\t_arguments \\\n", commands[i].name);
		for (const struct owlet_option *o = global_options; o->name; o++)
			zsh_option(o);
		for (const struct owlet_option *o = commands[i].options; o && o->name; o++)
			zsh_option(o);
		printf("\t\t\t'--help[how to use owlet %s]' \\\n\t\t\t'*:file:_files' ;;\n", commands[i].name);
	}
	printf("\t\thelp)\n\t\t\tlocal -a names=(");
	for (size_t i = 0; i < n_commands; i++)
		printf("%s%s", i ? " " : "", commands[i].name);
	printf(")\n\t\t\t_describe -t commands 'owlet command' names ;;\n"
	       "\t\tesac ;;\n"
	       "\tesac\n"
	       "}\n"
	       "if [ \"$funcstack[1]\" = _owlet ]; then\n"
	       "\t_owlet \"$@\"\n"
	       "else\n"
	       "\tcompdef _owlet owlet\n"
	       "fi\n");
	return 0;
}

/* `owlet completion bash|zsh`. */
static int cmd_completion(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "bash") == 0)
		return print_bash();
	if (argc == 2 && strcmp(argv[1], "zsh") == 0)
		return print_zsh();
	return owlet_error_setc(OWLET_EUSAGE, "'owlet completion' takes one shell: bash or zsh");
}

/* Text for roff: '-' and '\\' escaped, no line starting with '.' or '\''. */
static void roff_text(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '-' || *s == '\\')
			fputc('\\', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
}

/* `owlet help --man`: the manual page owlet(1). */
static void print_man(FILE *f)
{
	fprintf(f, ".\\\" owlet(1); generated by 'owlet help \\-\\-man' from owlet's command table, do not edit.\n"
		   ".TH OWLET 1 \"\" \"owlet %s\" \"User Commands\"\n"
		   ".SH NAME\nowlet \\- one data_model.yml to a serverless data stack on AWS, or on a local emulator\n"
		   ".SH SYNOPSIS\n.B owlet\n[\\fB\\-q\\fR | \\fB\\-v\\fR]\n.I command\n[\\fIoptions\\fR] [\\fIarguments\\fR]\n"
		   ".SH DESCRIPTION\n"
		   "owlet turns data_model.yml into S3 storage, a Glue catalog and Athena, an HTTP API (API Gateway and "
		   "Lambda) behind Cognito, inside a VPC, as Terraform per environment: it renders the modules, checks "
		   "them, plans and applies them, and builds the Lambda.\n"
		   ".SH GLOBAL OPTIONS\n"
		   "Every command takes these, before or after its name.\n",
		OWLET_VERSION);
	for (const struct owlet_option *o = global_options; o->name; o++) {
		fprintf(f, ".TP\n.B \\-%c, \\-\\-", o->short_name);
		roff_text(f, o->name);
		fputc('\n', f);
		roff_text(f, o->help);
		fputc('\n', f);
	}
	fputs(".SH COMMANDS\n", f);
	for (size_t i = 0; i < n_commands; i++) {
		fprintf(f, ".TP\n.B owlet %s", commands[i].name);
		if (commands[i].args[0]) {
			fputs(" \\fI", f);
			roff_text(f, commands[i].args);
			fputs("\\fR", f);
		}
		fputc('\n', f);
		roff_text(f, commands[i].summary);
		fputc('\n', f);
		if (commands[i].options && commands[i].options->name)
			fputs(".RS\n", f);
		for (const struct owlet_option *o = commands[i].options; o && o->name; o++) {
			fputs(".TP\n.B ", f);
			if (o->short_name)
				fprintf(f, "\\-%c, ", o->short_name);
			fputs("\\-\\-", f);
			roff_text(f, o->name);
			if (o->arg) {
				fputs(" \\fI", f);
				roff_text(f, o->arg);
				fputs("\\fR", f);
			}
			fputc('\n', f);
			roff_text(f, o->help);
			fputc('\n', f);
		}
		if (commands[i].options && commands[i].options->name)
			fputs(".RE\n", f);
	}
	fputs(".SH ENVIRONMENT\n"
	      ".TP\n.B OWLET_ENV\nthe default of every \\-\\-env option (an environment name); the command line wins.\n"
	      ".TP\n.B AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_ENDPOINT_URL\n"
	      "credentials and endpoints for aws targets.\n"
	      ".SH EXIT STATUS\n0 on success, 1 on an error, 2 on a usage error; "
	      "plan \\-\\-detailed\\-exitcode: 0 nothing to change, 2 changes.\n"
	      ".SH FILES\n.TP\n.B data_model.yml\nthe data model.\n"
	      ".TP\n.B environments/*.yml\nthe environments.\n"
	      ".TP\n.B state/ENV/\nwhat owlet renders and keeps per environment.\n"
	      ".SH SEE ALSO\n.BR terraform (1),\n.BR aws (1);\nthe docs/ folder of owlet's source.\n",
	      f);
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
	/* the global options before the command's name */
	while (argc > 1 && argv[1][0] == '-' && argv[1][1]) {
		const char *a = argv[1];
		const struct owlet_option *o =
			a[1] == '-' ? find_option(global_options, a + 2, strlen(a + 2), 0)
				    : (a[2] ? NULL : find_option(global_options, "", 0, a[1]));
		if (!o)
			break;
		set_option(o, NULL);
		argv[1] = argv[0];
		argv++;
		argc--;
	}
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
		if (argc == 3 && strcmp(argv[2], "--man") == 0)
			print_man(stdout);
		else if (argc > 2 && find_command(argv[2]))
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
	if (opt_quiet && opt_verbose)
		return exit_status(cmd->name, owlet_error_setc(OWLET_EUSAGE, "-q and -v: choose one"));
	owlet_verbosity_set(opt_quiet ? OWLET_QUIET : opt_verbose ? OWLET_VERBOSE : OWLET_NORMAL);
	owlet_error_clear();
	return exit_status(cmd->name, cmd->fn(n, argv + 1));
}
