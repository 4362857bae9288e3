/*
 * NAME
 *     scan_fail - stop a bulk scan on an error that makes its output wrong
 * SYNOPSIS
 *     scan_fatal(scan, STC_E_NOMEM, "out of memory");
 * DESCRIPTION
 *     Called by the workers and the writer. The first call records rc and
 *     the message (stc_scan_run returns them) and raises the stop level to
 *     STOP, so the reader reads no more and the domains in flight finish;
 *     later calls change nothing (the first error wins).
 * DIAGNOSTICS
 *     None: the error is handed to stc_scan_run through the scan.
 */
#include <stdarg.h>
#include <stdio.h>

#include "scan_int.h"

void scan_fatal(struct stc_scan *s, stc_rc rc, const char *fmt, ...)
{
    pthread_mutex_lock(&s->fail_mu);
    if (!atomic_load(&s->failed)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->fail_err.msg, sizeof s->fail_err.msg, fmt, ap);
        va_end(ap);
        s->fail_err.code = rc;
        s->fail_rc = rc;
        atomic_store(&s->failed, 1);
        int go = STC_SCAN_GO;
        atomic_compare_exchange_strong(&s->stop, &go, STC_SCAN_STOP);
    }
    pthread_mutex_unlock(&s->fail_mu);
}
