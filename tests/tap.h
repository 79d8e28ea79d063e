/*
 * tap.h: a small TAP producer for owlet's C tests (run by prove).
 *
 *   plan(3);                      or done_testing() at the end
 *   ok(cond, "name %d", i);
 *   is_int(got, want, "name");
 *   is_str(got, want, "name");    NULL-safe
 *   like(got, "substring", "name");
 *   diag("note %s", x);
 *   return exit_status();
 * Header-only: each test program includes it once.
 */
#ifndef OWLET_TAP_H
#define OWLET_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed, tap_planned;

static inline void plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
}

static inline void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputs("\n", stdout);
	va_end(ap);
}

static inline int tap_vok(int pass, const char *fmt, va_list ap)
{
	tap_count++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	return pass;
}

static inline int ok(int pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int ok(int pass, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = tap_vok(pass, fmt, ap);
	va_end(ap);
	return r;
}

#define TAP_CHECK(pass, report)                 \
	do {                                        \
		va_list ap;                             \
		va_start(ap, fmt);                      \
		int r_ = tap_vok((pass), fmt, ap);      \
		va_end(ap);                             \
		if (!r_) {                              \
			report;                             \
		}                                       \
		return r_;                              \
	} while (0)

static inline int is_int(long long got, long long want, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline int is_int(long long got, long long want, const char *fmt, ...)
{
	TAP_CHECK(got == want, diag("  got: %lld\n#   expected: %lld", got, want));
}

static inline int is_str(const char *got, const char *want, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline int is_str(const char *got, const char *want, const char *fmt, ...)
{
	int pass = (got == NULL || want == NULL) ? got == want : strcmp(got, want) == 0;
	TAP_CHECK(pass, diag("  got: '%s'\n#   expected: '%s'", got ? got : "(null)", want ? want : "(null)"));
}

static inline int like(const char *got, const char *needle, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline int like(const char *got, const char *needle, const char *fmt, ...)
{
	int pass = got && strstr(got, needle);
	TAP_CHECK(pass, diag("  got: '%s'\n#   expected to contain: '%s'", got ? got : "(null)", needle));
}

static inline int exit_status(void)
{
	if (!tap_planned)
		printf("1..%d\n", tap_count);
	else if (tap_planned != tap_count)
		return 255;
	return tap_failed ? 1 : 0;
}
#define done_testing() exit_status()

#endif
