/*
 * commands.h: the one command table of the owlet CLI (as git.c's).
 *
 * Each subcommand lives in cmd/owlet/cmd_<name>.c and exports
 *   int cmd_<name>(int argc, char **argv);      argv[0] is the command name,
 *                                                options already removed
 *   const struct owlet_option cmd_<name>_options[];   ends with {0}
 * main.c parses the options of the table into the variables they point at,
 * prints `owlet <cmd> --help` from them, and maps the return value:
 *   >= 0       the exit status itself (e.g. terraform's 0/1/2)
 *   < 0        an OWLET_E* code: prints "error: <owlet_error_last()>",
 *              exits 2 for OWLET_EUSAGE (after usage), 1 otherwise
 */
#ifndef OWLET_COMMANDS_H
#define OWLET_COMMANDS_H

#include <stdbool.h>

enum owlet_option_kind {
	OPT_FLAG,   /* bool *: --name sets it true */
	OPT_STRING, /* const char **: --name VALUE or --name=VALUE */
	OPT_INT,    /* long *: --name N */
	OPT_LIST,   /* struct owlet_strlist *: repeatable --name VALUE */
};

struct owlet_strlist {
	const char *items[32];
	int count;
};

struct owlet_option {
	const char *name;  /* long name without "--" */
	char short_name;   /* 0 for none */
	enum owlet_option_kind kind;
	void *value;
	const char *arg;   /* "NAME", "FILE": shown in help */
	const char *help;  /* one line */
};

struct owlet_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const struct owlet_option *options;
	const char *args;    /* positional arguments, for usage: "DIR" */
	const char *summary; /* one line for `owlet help` */
};

#define OWLET_COMMAND(name)                          \
	int cmd_##name(int argc, char **argv);           \
	extern const struct owlet_option cmd_##name##_options[]

OWLET_COMMAND(init);
OWLET_COMMAND(validate);
OWLET_COMMAND(render);
OWLET_COMMAND(plan);
OWLET_COMMAND(up);
OWLET_COMMAND(down);
OWLET_COMMAND(status);
OWLET_COMMAND(check);
OWLET_COMMAND(cost);
OWLET_COMMAND(graph);
OWLET_COMMAND(build);
OWLET_COMMAND(stats);
OWLET_COMMAND(user);
OWLET_COMMAND(token);
OWLET_COMMAND(openapi);
OWLET_COMMAND(serve);
OWLET_COMMAND(ci);

/* cmd_ci.c: writes the GitHub Actions workflows into the project `dir`
 * (lists what it did unless quiet; a file left alone is always named). */
int ci_write_workflows(const char *dir, bool force, bool quiet);
/* The repository variables and environment the workflows need. */
void ci_print_next(void);
OWLET_COMMAND(query);

struct owlet_diags;
/* Prints located problems to stderr in reading order, one
 * "FILE:LINE:COL: error: MESSAGE" a line (the model, environments, ...). */
void owlet_print_diags(struct owlet_diags *diags);

/* Prints "usage: owlet <cmd> ..." and the options to stderr (or stdout). */
void owlet_command_usage(const char *name, bool to_stdout);

#endif
