/*
 * NAME
 *     scan_reject - the reject log of a bulk scan
 * SYNOPSIS
 *     scan_reject_log(scan, lineno, "duplicate", text);
 * DESCRIPTION
 *     One line per rejected input line or failed check: "line N", the
 *     reason and the text, tab-separated, control bytes escaped, flushed at
 *     once. Called by the reader and by the workers (a mutex serialises
 *     them). Does nothing when the scan has no reject log.
 * LIMITS
 *     The reason is cut at 511 bytes, the text at 255 (escapes are never
 *     cut in half).
 * DIAGNOSTICS
 *     None: a failed write shows when the log is closed.
 */
#include <stdio.h>
#include <string.h>

#include "../util/text.h"
#include "scan_int.h"

void scan_reject_log(struct stc_scan *s, uint64_t lineno, const char *reason, const char *text)
{
    if (s->rejects == NULL)
        return;
    char r[512], t[256];
    text_escape(reason, strlen(reason), r, sizeof r);
    text_escape(text, strlen(text), t, sizeof t);
    pthread_mutex_lock(&s->rejects_mu);
    fprintf(s->rejects, "line %llu\t%s\t%s\n", (unsigned long long)lineno, r, t);
    fflush(s->rejects);
    pthread_mutex_unlock(&s->rejects_mu);
}
