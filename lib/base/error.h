/*
 * error.h: how lib/ reports failure.
 *
 * Every lib/ function that can fail returns 0 (or a count) on success and a
 * negative OWLET_E* code on failure, after recording a message with
 * owlet_error_set().  Only cmd/ prints: it reads owlet_error_last() and maps
 * the code to an exit status in one place (cmd/owlet/main.c).
 * The message is per thread, lower case, no final full stop, subjects quoted:
 *   cannot open 'data_model.yml': No such file or directory
 */
#ifndef OWLET_ERROR_H
#define OWLET_ERROR_H

enum owlet_error_code {
	OWLET_OK = 0,
	OWLET_ERROR = -1,     /* generic failure, message says why */
	OWLET_EUSAGE = -2,    /* bad command line: usage, exit 2 */
	OWLET_EINVALID = -3,  /* input failed validation (diagnostics printed) */
	OWLET_ENOTFOUND = -4, /* a file, dataset, program is missing */
	OWLET_ELOCKED = -5,   /* the environment is locked by another run */
	OWLET_EIO = -6,       /* read/write/network failure */
	OWLET_ECHILD = -7,    /* a child process (terraform, moto) failed */
	OWLET_EINTR = -8,     /* interrupted by a signal */
	OWLET_ENOMEM = -9,
};

/* Records a message (printf format) and returns OWLET_ERROR, so that
 * `return owlet_error_set(...)` reads naturally.  An argument may be
 * owlet_error_last() itself, to prefix the last message with context. */
int owlet_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, returning `code` instead. */
int owlet_error_setc(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The last message of this thread ("" when none); borrowed, valid until the
 * next owlet_error_set* on this thread. */
const char *owlet_error_last(void);
void owlet_error_clear(void);

#endif
