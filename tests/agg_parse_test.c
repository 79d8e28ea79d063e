/* agg_parse_test.c: typed parsing of cells (lib/agg/parse.c). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "agg/agg.h"
#include "tap.h"

static int int_is(const char *s, long long want)
{
	int64_t v = 0;
	bool ok_ = owlet_parse_int(s, strlen(s), &v);
	return ok(ok_ && v == want, "int '%s' is %lld", s, want);
}

static int int_bad(const char *s)
{
	int64_t v;
	return ok(!owlet_parse_int(s, strlen(s), &v), "int '%s' is invalid", s);
}

static int float_is(const char *s, double want)
{
	double v = 0;
	bool ok_ = owlet_parse_float(s, strlen(s), &v);
	return ok(ok_ && (v == want || (isinf(v) && isinf(want) && (v > 0) == (want > 0))), "float '%s' is %.17g (got %.17g)",
		  s, want, v);
}

static int float_bad(const char *s)
{
	double v;
	return ok(!owlet_parse_float(s, strlen(s), &v), "float '%s' is invalid", s);
}

static int ts_is(const char *s, const char *iso)
{
	int64_t us = 0;
	char buf[64] = "";
	bool ok_ = owlet_parse_timestamp(s, strlen(s), &us);
	if (ok_)
		owlet_format_timestamp(buf, sizeof buf, us);
	return ok(ok_ && strcmp(buf, iso) == 0, "timestamp '%s' is %s (got %s)", s, iso, buf);
}

static int ts_bad(const char *s)
{
	int64_t us;
	return ok(!owlet_parse_timestamp(s, strlen(s), &us), "timestamp '%s' is invalid", s);
}

int main(void)
{
	int_is("0", 0);
	int_is("-17", -17);
	int_is("+42", 42);
	int_is(" 7 ", 7);
	int_is("9223372036854775807", INT64_MAX);
	int_is("-9223372036854775808", INT64_MIN);
	int_is("000000000000000000000000012", 12);
	int_bad("9223372036854775808");
	int_bad("-9223372036854775809");
	int_bad("18446744073709551616");
	int_bad("99999999999999999999999");
	int_bad("1.0");
	int_bad("1e3");
	int_bad("");
	int_bad("-");
	int_bad("12a");
	int_bad("0x10");

	float_is("1.5", 1.5);
	float_is("-0.25", -0.25);
	float_is("3", 3.0);
	float_is(".5", 0.5);
	float_is("5.", 5.0);
	float_is("1e3", 1000.0);
	float_is("1.25E-2", 0.0125);
	float_is("0.1", 0.1);
	float_is("123456.78", 123456.78);
	float_is("1.7976931348623157e308", 1.7976931348623157e308);
	float_is("4.9e-324", 4.9e-324);
	float_is("1e-400", 0.0);
	float_is("12345678901234567890123", 12345678901234567890123.0);
	float_is("0.30000000000000004", 0.30000000000000004);
	float_is("inf", INFINITY);
	float_is("-Infinity", -INFINITY);
	float_is("+INF", INFINITY);
	float_bad("nan");
	float_bad("NaN");
	float_bad("1e400");
	float_bad("-1e400");
	float_bad("0x1p3");
	float_bad("1,5");
	float_bad("1.2.3");
	float_bad("e5");
	float_bad("1e");
	float_bad("");

	bool b = false;
	ok(owlet_parse_bool("true", 4, &b) && b, "bool 'true'");
	ok(owlet_parse_bool("FALSE", 5, &b) && !b, "bool 'FALSE'");
	ok(owlet_parse_bool("1", 1, &b) && b, "bool '1'");
	ok(owlet_parse_bool("0", 1, &b) && !b, "bool '0'");
	ok(!owlet_parse_bool("yes", 3, &b), "bool 'yes' is invalid");
	ok(!owlet_parse_bool("2", 1, &b), "bool '2' is invalid");

	int64_t d = 1;
	char buf[64];
	ok(owlet_parse_date("1970-01-01", 10, &d) && d == 0, "date 1970-01-01 is day 0");
	ok(owlet_parse_date("2024-02-29", 10, &d) && d == 19782, "date 2024-02-29 is day 19782");
	owlet_format_date(buf, sizeof buf, d);
	is_str(buf, "2024-02-29", "date formats back");
	ok(owlet_parse_date("1900-03-01", 10, &d) && d == -25508, "date 1900-03-01 is day -25508");
	owlet_format_date(buf, sizeof buf, d);
	is_str(buf, "1900-03-01", "a date before 1970 formats back");
	ok(owlet_parse_date("2000-02-29", 10, &d), "2000-02-29 exists");
	ok(!owlet_parse_date("1900-02-29", 10, &d), "1900-02-29 does not");
	ok(!owlet_parse_date("2023-02-29", 10, &d), "2023-02-29 does not");
	ok(!owlet_parse_date("2023-04-31", 10, &d), "2023-04-31 does not");
	ok(!owlet_parse_date("2023-13-01", 10, &d), "month 13 does not");
	ok(!owlet_parse_date("2023-1-01", 9, &d), "a one-digit month is invalid");
	ok(!owlet_parse_date("2023/01/01", 10, &d), "slashes are invalid");

	ts_is("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z");
	ts_is("2024-01-01", "2024-01-01T00:00:00Z");
	ts_is("2024-01-01 12:30", "2024-01-01T12:30:00Z");
	ts_is("2024-01-01T12:30:15.5", "2024-01-01T12:30:15.500Z");
	ts_is("2024-01-01T12:30:15,123456789Z", "2024-01-01T12:30:15.123456Z");
	ts_is("2024-01-01T01:00:00+01:00", "2024-01-01T00:00:00Z");
	ts_is("2024-01-01T00:00:00-0530", "2024-01-01T05:30:00Z");
	ts_is("2024-03-01T00:30:00+01", "2024-02-29T23:30:00Z");
	ts_is("1969-12-31T23:59:59.999999Z", "1969-12-31T23:59:59.999999Z");
	ts_is("2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z");
	ts_bad("2024-01-01T24:00:00Z");
	ts_bad("2024-01-01T12:60:00Z");
	ts_bad("2024-01-01T12");
	ts_bad("2024-01-01T12:00:00.Z");
	ts_bad("2024-01-01T12:00:00+25:00");
	ts_bad("2024-01-01T12:00:00 UTC");
	ts_bad("2024-02-30T00:00:00Z");
	ts_bad("yesterday");
	return done_testing();
}
