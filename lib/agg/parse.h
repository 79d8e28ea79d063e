/*
 * parse.h: typed parsing of one cell (int, float, bool, date, timestamp).
 *
 * Every parser takes the raw text (not NUL-terminated), allows blanks
 * (space, tab) around the value, and returns false when the text is not a
 * value of the type; the caller counts that as invalid.
 *
 *   int        [+-]digits, 64-bit; values outside int64 are invalid
 *              (overflow is detected, never wrapped).  "1.0", "1e3" invalid.
 *   float      decimal [+-]digits[.digits][e[+-]digits] (also "1." and
 *              ".5").  Fast path: up to 19 significant digits and a decimal
 *              exponent within +-22 are converted exactly (a double times or
 *              divided by an exact power of ten is correctly rounded); the
 *              rest goes to strtod (C locale).  "inf", "+inf", "-inf",
 *              "infinity" (any case) are values; NaN ("nan") is invalid, as
 *              are hex floats and numbers beyond the double range (1e400).
 *   bool       true/false in any case, and 1/0.
 *   date       YYYY-MM-DD, a real calendar date (leap years checked), years
 *              0000-9999; stored as days since 1970-01-01.
 *   timestamp  YYYY-MM-DD, then optionally [T|t| ]HH:MM[:SS[.fraction]]
 *              and a zone Z, +HH, +HHMM or +HH:MM (or -); no zone means
 *              UTC.  Seconds 00-60 (a leap second rolls over).  The
 *              fraction (up to 9 digits, "." or ",") is kept to the
 *              microsecond (truncated).  Stored as microseconds since
 *              1970-01-01T00:00:00Z.
 *
 * The parsers are inline (stats.c calls them for every cell); parse.c has
 * the slow float path, the public owlet_parse_* and the ISO formatting.
 */
#ifndef OWLET_AGG_PARSE_H
#define OWLET_AGG_PARSE_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static inline void trim_slow(const char **p, size_t *n)
{
	const char *s = *p, *e = s + *n;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*p = s;
	*n = (size_t)(e - s);
}

/* Blanks around a value are allowed; most values have none.  Space and
 * tab are both <= ' ': one compare per end rules blanks out. */
static inline void trim(const char **p, size_t *n)
{
	if (*n && ((unsigned char)(*p)[0] <= ' ' || (unsigned char)(*p)[*n - 1] <= ' '))
		trim_slow(p, n);
}

static inline bool agg_parse_int(const char *p, size_t n, int64_t *out)
{
	trim(&p, &n);
	const char *e = p + n;
	bool neg = false;
	if (p < e && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if (p == e)
		return false;
	uint64_t v = 0;
	if (e - p <= 18) {
		/* at most 18 digits: no overflow possible */
		for (; p < e; p++) {
			unsigned d = (unsigned)(unsigned char)*p - '0';
			if (d > 9)
				return false;
			v = v * 10 + d;
		}
		*out = neg ? -(int64_t)v : (int64_t)v;
		return true;
	}
	for (; p < e; p++) {
		unsigned d = (unsigned)(unsigned char)*p - '0';
		if (d > 9)
			return false;
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return false;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > (uint64_t)INT64_MAX)
			return false;
		*out = (int64_t)v;
	}
	return true;
}

static const double pow10_exact[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static inline bool ieq(const char *p, size_t n, const char *word)
{
	size_t wn = strlen(word);
	if (n != wn)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return false;
	}
	return true;
}

/* strtod for what the fast path leaves (parse.c). */
bool agg_parse_float_slow(const char *p, size_t n, double *out);

static inline bool agg_parse_float(const char *p, size_t n, double *out)
{
	trim(&p, &n);
	const char *s = p, *e = p + n;
	bool neg = false;
	if (s < e && (*s == '-' || *s == '+'))
		neg = *s++ == '-';
	uint64_t m = 0;
	int exp10 = 0;
	const char *ds = s;
	for (unsigned d; s < e && (d = (unsigned)(unsigned char)*s - '0') <= 9; s++)
		m = m * 10 + d;
	long digits = s - ds;
	if (s < e && *s == '.') {
		const char *fs = ++s;
		for (unsigned d; s < e && (d = (unsigned)(unsigned char)*s - '0') <= 9; s++)
			m = m * 10 + d;
		exp10 = -(int)(s - fs);
		digits += s - fs;
	}
	if (digits == 0) {
		const char *w = p + (p < e && (*p == '-' || *p == '+'));
		size_t wn = (size_t)(e - w);
		if (ieq(w, wn, "inf") || ieq(w, wn, "infinity")) {
			*out = neg ? -INFINITY : INFINITY;
			return true;
		}
		return false;
	}
	if (s < e && (*s == 'e' || *s == 'E')) {
		s++;
		bool eneg = false;
		if (s < e && (*s == '-' || *s == '+'))
			eneg = *s++ == '-';
		if (s == e)
			return false;
		int x = 0;
		for (; s < e && (unsigned)(*s - '0') <= 9; s++)
			if (x < 100000)
				x = x * 10 + (*s - '0');
		exp10 += eneg ? -x : x;
	}
	if (s != e)
		return false;
	/* up to 19 digits fit in m exactly (leading zeros count: rare) */
	if (digits <= 19 && m <= (1ULL << 53) && exp10 >= -22 && exp10 <= 22) {
		double d = (double)m;
		d = exp10 < 0 ? d / pow10_exact[-exp10] : d * pow10_exact[exp10];
		*out = neg ? -d : d;
		return true;
	}
	return agg_parse_float_slow(p, n, out);
}

static inline bool agg_parse_bool(const char *p, size_t n, bool *out)
{
	trim(&p, &n);
	if (n == 1 && (*p == '1' || *p == '0')) {
		*out = *p == '1';
		return true;
	}
	if (n == 4 && (p[0] | 0x20) == 't' && ieq(p, n, "true")) {
		*out = true;
		return true;
	}
	if (n == 5 && (p[0] | 0x20) == 'f' && ieq(p, n, "false")) {
		*out = false;
		return true;
	}
	return false;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (era arithmetic, valid
 * for any year). */
static inline int64_t agg_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static inline int digits_n(const char *p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		unsigned d = (unsigned)(unsigned char)p[i] - '0';
		if (d > 9)
			return -1;
		v = v * 10 + (int)d;
	}
	return v;
}

/* Two digits, or -1. */
static inline int d2(const char *p)
{
	unsigned a = (unsigned)(unsigned char)p[0] - '0', b = (unsigned)(unsigned char)p[1] - '0';
	return a > 9 || b > 9 ? -1 : (int)(a * 10 + b);
}

static inline bool date_at(const char *p, int64_t *days)
{
	static const unsigned char mdays[13] = { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int yh = d2(p), yl = d2(p + 2), m = d2(p + 5), d = d2(p + 8);
	int y = yh < 0 || yl < 0 ? -1 : yh * 100 + yl;
	if (y < 0 || m < 1 || m > 12 || d < 1 || p[4] != '-' || p[7] != '-' || d > mdays[m])
		return false;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	*days = agg_days_from_civil(y, (unsigned)m, (unsigned)d);
	return true;
}

static inline bool agg_parse_date(const char *p, size_t n, int64_t *days)
{
	trim(&p, &n);
	return n == 10 && date_at(p, days);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Whether the bytes of w selected by mask (0xFF each) are all '0'..'9': the
 * high nibble is 3 and the low one + 6 does not carry (no carry crosses a
 * byte: 0x0F + 0x06 < 0x100). */
static inline bool swar_digits(uint64_t w, uint64_t mask)
{
	uint64_t hi = (w & 0xF0F0F0F0F0F0F0F0ULL) ^ 0x3030303030303030ULL;
	uint64_t carry = ((w & 0x0F0F0F0F0F0F0F0FULL) + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL;
	return ((hi | carry) & mask) == 0;
}

/* The digit in byte i of w (a digit known). */
#define SWAR_D(w, i) ((int)(((w) >> (8 * (i))) & 0x0F))

/* YYYY-MM-DDTHH:MM:SS (T, t or space), three word loads and no branch per
 * digit; false when the text is not of that form or out of range.  The
 * caller guarantees 19 readable bytes. */
static inline bool ts_common(const char *p, int64_t *us)
{
	uint64_t a, b, c = 0;
	memcpy(&a, p, 8);      /* YYYY-MM- */
	memcpy(&b, p + 8, 8);  /* DDTHH:MM */
	memcpy(&c, p + 16, 3); /* :SS */
	if (!swar_digits(a, 0x00FFFF00FFFFFFFFULL) || !swar_digits(b, 0xFFFF00FFFF00FFFFULL) ||
	    !swar_digits(c, 0x0000000000FFFF00ULL))
		return false;
	if ((a & 0xFF0000FF00000000ULL) != 0x2D00002D00000000ULL ||
	    (b & 0x0000FF0000000000ULL) != 0x00003A0000000000ULL || (c & 0xFF) != ':')
		return false;
	char t = p[10];
	if (t != 'T' && t != ' ' && t != 't')
		return false;
	int y = SWAR_D(a, 0) * 1000 + SWAR_D(a, 1) * 100 + SWAR_D(a, 2) * 10 + SWAR_D(a, 3);
	int m = SWAR_D(a, 5) * 10 + SWAR_D(a, 6), d = SWAR_D(b, 0) * 10 + SWAR_D(b, 1);
	int hh = SWAR_D(b, 3) * 10 + SWAR_D(b, 4), mi = SWAR_D(b, 6) * 10 + SWAR_D(b, 7);
	int ss = SWAR_D(c, 1) * 10 + SWAR_D(c, 2);
	static const unsigned char mdays[13] = { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m < 1 || m > 12 || d < 1 || d > mdays[m] || hh > 23 || mi > 59 || ss > 60)
		return false;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	*us = (agg_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + hh * 3600 + mi * 60 + ss) * 1000000;
	return true;
}
#endif

static inline bool agg_parse_timestamp(const char *p, size_t n, int64_t *us)
{
	trim(&p, &n);
	/* the common form first: YYYY-MM-DDTHH:MM:SS, then Z or nothing */
	if ((n == 20 && (p[19] == 'Z' || p[19] == 'z')) || n == 19) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		if (ts_common(p, us))
			return true;
#else
		int64_t days;
		int hh = d2(p + 11), mi = d2(p + 14), ss = d2(p + 17);
		if ((p[10] == 'T' || p[10] == ' ' || p[10] == 't') && p[13] == ':' && p[16] == ':' && hh >= 0 &&
		    hh <= 23 && mi >= 0 && mi <= 59 && ss >= 0 && ss <= 60 && date_at(p, &days)) {
			*us = (days * 86400 + hh * 3600 + mi * 60 + ss) * 1000000;
			return true;
		}
#endif
	}
	const char *e = p + n;
	int64_t days;
	if (n < 10 || !date_at(p, &days))
		return false;
	const char *s = p + 10;
	int hh = 0, mi = 0, ss = 0;
	int64_t frac = 0, offset = 0;
	if (s < e) {
		if (*s != 'T' && *s != 't' && *s != ' ')
			return false;
		s++;
		if (e - s < 5 || s[2] != ':' || (hh = digits_n(s, 2)) < 0 || (mi = digits_n(s + 3, 2)) < 0 ||
		    hh > 23 || mi > 59)
			return false;
		s += 5;
		if (s < e && *s == ':') {
			if (e - s < 3 || (ss = digits_n(s + 1, 2)) < 0 || ss > 60)
				return false;
			s += 3;
			if (s < e && (*s == '.' || *s == ',')) {
				int nd = 0;
				for (s++; s < e && (unsigned)(*s - '0') <= 9; s++, nd++)
					if (nd < 6)
						frac = frac * 10 + (*s - '0');
				if (nd == 0 || nd > 9)
					return false;
				for (; nd < 6; nd++)
					frac *= 10;
			}
		}
		if (s < e && (*s == 'Z' || *s == 'z'))
			s++;
		else if (s < e && (*s == '+' || *s == '-')) {
			int sign = *s++ == '-' ? -1 : 1, oh, om = 0;
			if (e - s < 2 || (oh = digits_n(s, 2)) < 0 || oh > 23)
				return false;
			s += 2;
			if (s < e && *s == ':')
				s++;
			if (s < e) {
				if (e - s < 2 || (om = digits_n(s, 2)) < 0 || om > 59)
					return false;
				s += 2;
			}
			offset = sign * (oh * 3600 + om * 60);
		}
		if (s != e)
			return false;
	}
	int64_t secs = days * 86400 + hh * 3600 + mi * 60 + ss - offset;
	*us = secs * 1000000 + frac;
	return true;
}

#endif
