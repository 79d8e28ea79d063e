/*
 * clock.h: the two clocks owlet reads.  Wall time (epoch milliseconds) is
 * what deadlines handed over by the Lambda service and timestamps in files
 * are in; the monotonic clock measures durations and is what timeouts wait on.
 */
#ifndef OWLET_CLOCK_H
#define OWLET_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t owlet_clock_wall_ms(void);
/* Milliseconds of CLOCK_MONOTONIC, for durations and timeouts. */
int64_t owlet_clock_mono_ms(void);
/* Seconds of CLOCK_MONOTONIC, as a double, for reports of durations. */
double owlet_clock_mono_s(void);

enum owlet_clock_form {
	OWLET_CLOCK_ISO,      /* 2026-12-08T01:02:03Z: records, logs, locks */
	OWLET_CLOCK_ISO_MS,   /* 2026-12-08T01:02:03.456Z: S3 event times, POST policy expirations */
	OWLET_CLOCK_BASIC_MS, /* 20261208T010203456Z: sortable object names and ids */
};
/* epoch_ms as UTC in the given form into out (size 32 holds every form). */
void owlet_clock_format(char *out, size_t size, int64_t epoch_ms, enum owlet_clock_form form);

#endif
