/* report_out.h - writing HTML: escaped text, JSON inside <script>, error tracking. */
#ifndef STC_REPORT_OUT_H
#define STC_REPORT_OUT_H

#include <stdio.h>

#include "../util/err.h"

struct rout {
    FILE *f;
    int failed; /* a write failed */
};

/** Our own markup, as is. */
void ro_puts(struct rout *o, const char *s);
void ro_printf(struct rout *o, const char *fmt, ...) STC_PRINTF(2, 3);
/** Untrusted text for element content or a quoted attribute: & < > " ' escaped,
 *  control bytes and bytes >= 0x7f shown as \xHH. NULL prints nothing. */
void ro_html(struct rout *o, const char *s);
/** A JSON string literal (quotes included) safe inside <script type="application/json">:
 *  < > & as \u escapes, so no "</script" can appear; control and non-ASCII bytes
 *  become the text \xHH. NULL: null. */
void ro_jstr(struct rout *o, const char *s);
/** STC_E_IO when any write failed (after a flush). */
stc_rc ro_status(struct rout *o, struct stc_err *err);

#endif
