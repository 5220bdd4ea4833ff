/* The controller's one clock: monotonic seconds, for timeouts and durations. */
#ifndef ORCH_CLOCK_H
#define ORCH_CLOCK_H

#include <time.h>

/* Seconds on the monotonic clock (never jumps with the wall clock). */
static inline double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
