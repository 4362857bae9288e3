/*
 * NAME
 *     scan_done - what the workers hand the writer, and the queue push they share
 * SYNOPSIS
 *     scan_done_free(d);
 *     rc = scan_push_wait(scan, &scan->done, d, STC_SCAN_CANCEL);
 *     int64_t t = scan_unix_now();
 * DESCRIPTION
 *     scan_done_free frees a done record (tree, JSON, blob and the record;
 *     NULL is fine). scan_push_wait pushes to a bounded queue, waiting
 *     while it is full and looking at the stop level every SCAN_POLL_MS.
 *     scan_unix_now is the wall clock in seconds for the records' times.
 * DIAGNOSTICS
 *     scan_push_wait: STC_OK, STC_E_INTERRUPTED when the scan's stop level
 *     reached give_up_level, or the queue's error (closed queue).
 */
#include <stdlib.h>
#include <time.h>

#include <starttls/result.h>

#include "scan_int.h"

int64_t scan_unix_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

void scan_done_free(struct scan_done *d)
{
    if (d == NULL)
        return;
    stc_result_free(d->tree);
    free(d->sum);
    free(d->json);
    free(d->blob);
    free(d);
}

stc_rc scan_push_wait(struct stc_scan *s, struct scan_queue *q, void *item, int give_up_level)
{
    for (;;) {
        struct stc_err e = {0};
        stc_rc rc = scan_queue_push(q, item, SCAN_POLL_MS, &e);
        if (rc != STC_E_TIMEOUT)
            return rc;
        if (atomic_load(&s->stop) >= give_up_level)
            return STC_E_INTERRUPTED;
    }
}
