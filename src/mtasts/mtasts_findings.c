/*
 * NAME
 *     mtasts_findings - the notes, warnings and errors a record parser reports
 * SYNOPSIS
 *     mtasts_findings_init(&fx);
 *     mtasts_finding_add(&fx, MTASTS_ERR, "line %zu: ...", n);
 *     rc = mtasts_findings_rc(&fx, "policy invalid", err);
 * DESCRIPTION
 *     A fixed array inside the caller's struct: no allocation, nothing to
 *     free. Messages keep the raw bytes the caller formatted in (parsers
 *     reject NUL before quoting), so they must be escaped before output;
 *     mtasts_findings_rc escapes what it copies into the error record.
 * LIMITS
 *     MTASTS_FINDINGS_MAX findings (later ones are only counted, but still
 *     raise `worst`), MTASTS_FINDING_LEN bytes each (truncated).
 * DIAGNOSTICS
 *     mtasts_findings_rc: STC_E_PARSE when an error was recorded, else STC_OK.
 */
#include "mtasts.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../util/text.h"

void mtasts_findings_init(struct mtasts_findings *fx)
{
    fx->n = 0;
    fx->dropped = 0;
    fx->worst = MTASTS_NOTE;
}

void mtasts_finding_add(struct mtasts_findings *fx, enum mtasts_sev sev, const char *fmt, ...)
{
    if (sev > fx->worst)
        fx->worst = sev;
    if (fx->n >= MTASTS_FINDINGS_MAX) {
        fx->dropped++;
        return;
    }
    struct mtasts_finding *f = &fx->f[fx->n++];
    f->sev = sev;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->msg, sizeof f->msg, fmt, ap);
    va_end(ap);
}

long mtasts_findings_first(const struct mtasts_findings *fx, enum mtasts_sev sev)
{
    for (size_t i = 0; i < fx->n; i++)
        if (fx->f[i].sev == sev)
            return (long)i;
    return -1;
}

stc_rc mtasts_findings_rc(const struct mtasts_findings *fx, const char *what, struct stc_err *err)
{
    if (fx->worst < MTASTS_ERR)
        return STC_OK;
    long i = mtasts_findings_first(fx, MTASTS_ERR);
    char esc[STC_ERR_MSG_MAX];
    if (i < 0)
        snprintf(esc, sizeof esc, "more errors than could be listed");
    else
        text_escape(fx->f[i].msg, strlen(fx->f[i].msg), esc, sizeof esc);
    return err_set(err, STC_E_PARSE, "%s: %s", what, esc);
}
