/*
 * gha.h: GitHub Actions' workflow commands and step summary, as text.
 *
 * In a GitHub Actions job (GITHUB_ACTIONS=true) a line
 *   ::error file=F,line=N,col=C,title=T::MESSAGE
 * on a step's output becomes an annotation on line N of F in the pull
 * request.  Property values escape '%', CR, LF, ':' and ','; the message
 * escapes '%', CR and LF (the runner's rules).  The library only formats;
 * cmd/ prints.
 */
#ifndef OWLET_GHA_H
#define OWLET_GHA_H

#include <stdbool.h>
#include <stddef.h>

/* GITHUB_ACTIONS is "true". */
bool owlet_gha_enabled(void);

/* One "::error ...::message" line, without a newline (caller frees); NULL
 * on out of memory.  file may be NULL or "" (no location), line/col 0 when
 * unknown, title NULL for none.  Bounded: the message is cut at 4,096 bytes. */
char *owlet_gha_error(const char *file, int line, int col, const char *title, const char *message);

/* Appends text to the file named by $GITHUB_STEP_SUMMARY when running in
 * GitHub Actions; 0 (also when there is no such file to write), or OWLET_EIO. */
int owlet_gha_summary_append(const char *markdown);

/* `text` escaped for a Markdown table cell ('|' and newlines), at most
 * `max` bytes of it (caller frees). */
char *owlet_gha_md_cell(const char *text, size_t max);

#endif
