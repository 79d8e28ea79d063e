/*
 * clock.h: the two clocks owlet reads.  Wall time (epoch milliseconds) is
 * what deadlines handed over by the Lambda service and timestamps in files
 * are in; the monotonic clock measures durations and is what timeouts wait on.
 */
#ifndef OWLET_CLOCK_H
#define OWLET_CLOCK_H

#include <stdint.h>

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t owlet_clock_wall_ms(void);
/* Milliseconds of CLOCK_MONOTONIC, for durations and timeouts. */
int64_t owlet_clock_mono_ms(void);
/* Seconds of CLOCK_MONOTONIC, as a double, for reports of durations. */
double owlet_clock_mono_s(void);

#endif
