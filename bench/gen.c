/*
 * gen.c: a taxi-trips-like CSV for bench/stats.sh.
 *
 *   cc -O2 -o gen gen.c && ./gen BYTES > trips.csv
 *
 * 12 columns: trip_id (int, sequential), vendor (3 values), pickup_at and
 * dropoff_at (ISO 8601 timestamps), passengers (int 0-6), distance_km, fare,
 * tip (floats with 2 decimals), payment (4 values), paid_card (bool), zone
 * (quoted, with a comma: "Zone 17, Queens"), note (quoted text with commas
 * and sometimes an escaped quote).  About 2 % of the cells of every column
 * but trip_id and pickup_at are empty.  Deterministic (a fixed xorshift seed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long rng = 0x9E3779B97F4A7C15ULL;
static unsigned long long next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
static unsigned below(unsigned n) { return (unsigned)(next() % n); }
static int empty(void) { return below(100) < 2; }

static char *put_ts(char *o, long long t)
{
	long long days = t / 86400, rem = t % 86400;
	/* days since 2024-01-01, within 2024 (a leap year) */
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int m = 0;
	days %= 366;
	while (days >= mdays[m])
		days -= mdays[m++];
	return o + sprintf(o, "2024-%02d-%02lldT%02lld:%02lld:%02lldZ", m + 1, days + 1, rem / 3600,
			   rem / 60 % 60, rem % 60);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen BYTES\n");
		return 2;
	}
	long long want = atoll(argv[1]), written = 0;
	static const char *vendors[] = { "CMT", "VTS", "DDS" };
	static const char *payments[] = { "card", "cash", "no charge", "dispute" };
	static const char *boroughs[] = { "Manhattan", "Queens", "Brooklyn", "Bronx", "Staten Island" };
	static const char *words[] = { "late", "airport", "rain", "quiet", "jazz", "traffic", "detour", "tolls" };
	static char buf[1 << 20];
	size_t used = 0;
	used += (size_t)sprintf(buf, "trip_id,vendor,pickup_at,dropoff_at,passengers,distance_km,fare,tip,payment,paid_card,zone,note\n");
	for (long long id = 1; written + (long long)used < want; id++) {
		char *o = buf + used;
		long long pickup = (long long)below(366 * 86400);
		long long dur = 120 + below(3600);
		unsigned dist = 10 + below(3000); /* hundredths of a km */
		unsigned fare = 250 + dist * 2 + below(500);
		unsigned tip = below(4) ? below(fare / 4 + 1) : 0;
		o += sprintf(o, "%lld,", id);
		o += sprintf(o, "%s,", empty() ? "" : vendors[below(3)]);
		o = put_ts(o, pickup);
		*o++ = ',';
		if (!empty())
			o = put_ts(o, pickup + dur);
		*o++ = ',';
		if (!empty())
			o += sprintf(o, "%u", below(7));
		*o++ = ',';
		if (!empty())
			o += sprintf(o, "%u.%02u", dist / 100, dist % 100);
		*o++ = ',';
		if (!empty())
			o += sprintf(o, "%u.%02u", fare / 100, fare % 100);
		*o++ = ',';
		if (!empty())
			o += sprintf(o, "%u.%02u", tip / 100, tip % 100);
		*o++ = ',';
		unsigned pay = below(4);
		o += sprintf(o, "%s,", empty() ? "" : payments[pay]);
		o += sprintf(o, "%s,", empty() ? "" : pay == 0 ? "true" : "false");
		if (!empty())
			o += sprintf(o, "\"Zone %u, %s\"", 1 + below(263), boroughs[below(5)]);
		*o++ = ',';
		if (!empty()) {
			unsigned n = below(3);
			if (n == 0)
				o += sprintf(o, "\"%s\"", words[below(8)]);
			else if (n == 1)
				o += sprintf(o, "\"%s, %s\"", words[below(8)], words[below(8)]);
			else
				o += sprintf(o, "\"said \"\"%s\"\", then %s\"", words[below(8)], words[below(8)]);
		}
		*o++ = '\n';
		used = (size_t)(o - buf);
		if (used > sizeof buf - 512) {
			fwrite(buf, 1, used, stdout);
			written += (long long)used;
			used = 0;
		}
	}
	fwrite(buf, 1, used, stdout);
	return 0;
}
