/*
 * diag.h: a list of located problems (file:line:col: message), so that a
 * validator can report every problem it finds, not only the first.
 * Lines and columns are 1-based (libyaml marks are 0-based: add 1).
 */
#ifndef OWLET_DIAG_H
#define OWLET_DIAG_H

#include <stddef.h>

struct owlet_diag {
	char *file;   /* owned */
	int line;     /* 1-based, 0 when unknown */
	int col;      /* 1-based, 0 when unknown */
	char *message; /* owned; lower case, no final full stop */
};

struct owlet_diags {
	struct owlet_diag *items;
	size_t count;
	size_t cap;
};

/* Appends a problem; returns 0, or OWLET_ENOMEM. */
int owlet_diags_add(struct owlet_diags *d, const char *file, int line, int col,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Sorts by file, line, col (stable), for output in reading order. */
void owlet_diags_sort(struct owlet_diags *d);
/* Formats one as "FILE:LINE:COL: error: MESSAGE" into a new string (caller
 * frees), the way cmd/ prints it. */
char *owlet_diag_format(const struct owlet_diag *diag);
/* Frees the items; the struct itself may be reused after. */
void owlet_diags_clear(struct owlet_diags *d);

/* How much the CLI says besides errors and results (owlet -q / -v): set
 * once by cmd/owlet/main.c from the global options, read where cmd/ prints
 * progress and information lines.  The library itself never prints. */
enum owlet_verbosity {
	OWLET_QUIET = -1,  /* errors and the result only: no progress or information lines */
	OWLET_NORMAL = 0,
	OWLET_VERBOSE = 1, /* also each terraform command and how long it took */
};
void owlet_verbosity_set(enum owlet_verbosity v);
enum owlet_verbosity owlet_verbosity(void);

#endif
