/*
 * parse.c: the slow path of float parsing, the public typed parsers
 * (wrappers of parse.h's inline ones) and the ISO forms of dates and
 * timestamps.
 */
#include "agg.h"
#include "agg_internal.h"
#include "parse.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* strtod on a NUL-terminated copy, for what the fast path leaves. */
bool agg_parse_float_slow(const char *p, size_t n, double *out)
{
	char small[128];
	char *s = n < sizeof small ? small : malloc(n + 1);
	if (!s)
		return false;
	memcpy(s, p, n);
	s[n] = '\0';
	bool good = false;
	/* strtod also takes hex floats and nan(...): not decimal numbers */
	if (!memchr(s, 'x', n) && !memchr(s, 'X', n) && !memchr(s, 'n', n) && !memchr(s, 'N', n)) {
		char *end;
		errno = 0;
		double d = strtod(s, &end);
		good = end == s + n && n > 0 && !(errno == ERANGE && isinf(d));
		*out = d;
	}
	if (s != small)
		free(s);
	return good;
}

bool owlet_parse_int(const char *p, size_t n, int64_t *out)
{
	return agg_parse_int(p, n, out);
}

bool owlet_parse_float(const char *p, size_t n, double *out)
{
	return agg_parse_float(p, n, out);
}

bool owlet_parse_bool(const char *p, size_t n, bool *out)
{
	return agg_parse_bool(p, n, out);
}

bool owlet_parse_date(const char *p, size_t n, int64_t *days)
{
	return agg_parse_date(p, n, days);
}

bool owlet_parse_timestamp(const char *p, size_t n, int64_t *us)
{
	return agg_parse_timestamp(p, n, us);
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void owlet_format_date(char *buf, size_t cap, int64_t days)
{
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, cap, "%04lld-%02u-%02u", (long long)y, m, d);
}

void owlet_format_timestamp(char *buf, size_t cap, int64_t us)
{
	int64_t secs = us / 1000000, frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		secs--;
	}
	int64_t days = secs / 86400, rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	int n = snprintf(buf, cap, "%04lld-%02u-%02uT%02d:%02d:%02d", (long long)y, m, d,
			 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	if (n < 0 || (size_t)n >= cap)
		return;
	if (frac == 0)
		snprintf(buf + n, cap - (size_t)n, "Z");
	else if (frac % 1000 == 0)
		snprintf(buf + n, cap - (size_t)n, ".%03dZ", (int)(frac / 1000));
	else
		snprintf(buf + n, cap - (size_t)n, ".%06dZ", (int)frac);
}
