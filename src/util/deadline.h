/* deadline.h - absolute monotonic deadlines for every network operation. */
#ifndef STC_UTIL_DEADLINE_H
#define STC_UTIL_DEADLINE_H

#include <stdint.h>

#include <starttls/error.h>

/** An absolute point on CLOCK_MONOTONIC, in milliseconds. */
struct deadline {
    int64_t at_ms;
};

int64_t deadline_now_ms(void);
/** The deadline ms milliseconds from now. */
struct deadline deadline_in(int64_t ms);
/** Milliseconds left, 0 when passed; capped to fit an int (for poll). */
int deadline_left_ms(struct deadline d);
int deadline_expired(struct deadline d);
/** The earlier of two deadlines. */
struct deadline deadline_min(struct deadline a, struct deadline b);
/** A sub-deadline for one stage: now+ms, but never past the parent. */
struct deadline deadline_sub(struct deadline parent, int64_t ms);

/**
 * Wait until fd is ready for `events` (POLLIN/POLLOUT) or d passes.
 * STC_OK when ready (including error/hang-up conditions, which the next
 * read/write reports), STC_E_TIMEOUT when the deadline passes, STC_E_IO on
 * poll failure.
 */
stc_rc deadline_poll(int fd, short events, struct deadline d, struct stc_err *err);

#endif
