/*
 * NAME
 *     deadline - absolute monotonic deadlines and a poll() bounded by one
 * DESCRIPTION
 *     A host check gets one budget; each stage derives a sub-deadline with
 *     deadline_sub() so no stage can exceed what is left overall.
 *     deadline_poll() retries on EINTR with the time actually left.
 * DIAGNOSTICS
 *     deadline_poll: STC_E_TIMEOUT when the deadline passes, STC_E_IO when
 *     poll() itself fails.
 */
#include "deadline.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "err.h"

int64_t deadline_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct deadline deadline_in(int64_t ms)
{
    int64_t now = deadline_now_ms();
    if (ms < 0)
        ms = 0;
    /* Saturate instead of overflowing (signed overflow is undefined). */
    struct deadline d = {ms > INT64_MAX - now ? INT64_MAX : now + ms};
    return d;
}

int deadline_left_ms(struct deadline d)
{
    int64_t now = deadline_now_ms();
    if (d.at_ms <= now)
        return 0; /* also keeps d.at_ms - now from overflowing for very old deadlines */
    int64_t left = d.at_ms - now;
    return left > INT_MAX ? INT_MAX : (int)left;
}

int deadline_expired(struct deadline d)
{
    return deadline_now_ms() >= d.at_ms;
}

struct deadline deadline_min(struct deadline a, struct deadline b)
{
    return a.at_ms <= b.at_ms ? a : b;
}

struct deadline deadline_sub(struct deadline parent, int64_t ms)
{
    return deadline_min(parent, deadline_in(ms));
}

stc_rc deadline_poll(int fd, short events, struct deadline d, struct stc_err *err)
{
    for (;;) {
        int left = deadline_left_ms(d);
        if (left <= 0)
            return err_set(err, STC_E_TIMEOUT, "timed out");
        struct pollfd p = {.fd = fd, .events = events, .revents = 0};
        int n = poll(&p, 1, left);
        if (n > 0)
            return STC_OK;
        if (n == 0)
            continue; /* re-check the clock: poll may wake a little early */
        if (errno == EINTR)
            continue;
        return err_set(err, STC_E_IO, "poll: %s", strerror(errno));
    }
}
