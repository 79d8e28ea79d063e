/* error.c: the per-thread last error message of lib/ (see error.h). */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_error[1024];

/* Formats into a scratch buffer first: an argument may be owlet_error_last()
 * itself ("'%s': %s", path, owlet_error_last()), and vsnprintf into the
 * buffer it reads from is undefined (it printed "'p.json': 'p.json': al of"). */
static int error_vset(int code, const char *fmt, va_list ap)
{
	char scratch[sizeof last_error];
	vsnprintf(scratch, sizeof scratch, fmt, ap);
	memcpy(last_error, scratch, strlen(scratch) + 1);
	return code;
}

int owlet_error_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = error_vset(OWLET_ERROR, fmt, ap);
	va_end(ap);
	return rc;
}

int owlet_error_setc(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = error_vset(code, fmt, ap);
	va_end(ap);
	return rc;
}

const char *owlet_error_last(void)
{
	return last_error;
}

void owlet_error_clear(void)
{
	last_error[0] = '\0';
}
