/* clock.c: the two clocks (see clock.h). */
#include "base/clock.h"

#include <stdio.h>
#include <time.h>

int64_t owlet_clock_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t owlet_clock_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double owlet_clock_mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void owlet_clock_format(char *out, size_t size, int64_t epoch_ms, enum owlet_clock_form form)
{
	time_t s = (time_t)(epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000);
	int ms = (int)(epoch_ms - (int64_t)s * 1000);
	struct tm tm;
	if (size == 0)
		return;
	out[0] = '\0';
	if (!gmtime_r(&s, &tm))
		return;
	char base[32];
	strftime(base, sizeof base, form == OWLET_CLOCK_BASIC_MS ? "%Y%m%dT%H%M%S" : "%Y-%m-%dT%H:%M:%S", &tm);
	if (form == OWLET_CLOCK_ISO)
		snprintf(out, size, "%sZ", base);
	else if (form == OWLET_CLOCK_ISO_MS)
		snprintf(out, size, "%s.%03dZ", base, ms);
	else
		snprintf(out, size, "%s%03dZ", base, ms);
}
