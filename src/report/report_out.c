/*
 * NAME
 *     report_out - the one way report text reaches the page
 * SYNOPSIS
 *     #include "report_out.h"
 *     struct rout o = {stdout, 0};
 *     ro_puts(&o, "<td>"); ro_html(&o, host_name); ro_puts(&o, "</td>");
 *     ro_jstr(&o, message);             // inside <script type="application/json">
 *     rc = ro_status(&o, err);
 * DESCRIPTION
 *     Every string that came from a result (server replies, host names,
 *     record text, anything read from a scan file) goes through ro_html
 *     or ro_jstr; only the report's own literals use ro_puts/ro_printf.
 *     ro_html escapes the five HTML-special characters, so text is safe
 *     in element content and in quoted attribute values alike; bytes
 *     that are not printable ASCII become a visible \xHH. ro_jstr writes
 *     a JSON string that cannot end the <script> element it sits in
 *     (< > & as \u escapes) and whose value shows unprintable bytes as
 *     \xHH text too.
 *     Write errors are remembered and reported once by ro_status.
 * LIMITS
 *     None: strings are written as they are read.
 * DIAGNOSTICS
 *     ro_status: STC_E_IO when a write or the flush failed.
 */
#include "report_out.h"

#include <stdarg.h>
#include <string.h>

void ro_puts(struct rout *o, const char *s)
{
    if (fputs(s, o->f) == EOF)
        o->failed = 1;
}

void ro_printf(struct rout *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(o->f, fmt, ap) < 0)
        o->failed = 1;
    va_end(ap);
}

void ro_html(struct rout *o, const char *s)
{
    if (s == NULL)
        return;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *rep = NULL;
        char hex[8];
        switch (*p) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            if (*p < 0x20 || *p >= 0x7f) {
                snprintf(hex, sizeof hex, "\\x%02x", *p);
                rep = hex;
            }
            break;
        }
        if (rep != NULL) {
            if (fputs(rep, o->f) == EOF)
                o->failed = 1;
        } else if (fputc(*p, o->f) == EOF) {
            o->failed = 1;
        }
    }
}

void ro_jstr(struct rout *o, const char *s)
{
    if (s == NULL) {
        ro_puts(o, "null");
        return;
    }
    if (fputc('"', o->f) == EOF)
        o->failed = 1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int bad;
        if (*p == '"' || *p == '\\')
            bad = fprintf(o->f, "\\%c", *p) < 0;
        else if (*p < 0x20 || *p >= 0x7f) /* shown as \xHH, like ro_html */
            bad = fprintf(o->f, "\\\\x%02x", *p) < 0;
        else if (*p == '<' || *p == '>' || *p == '&')
            bad = fprintf(o->f, "\\u%04x", *p) < 0;
        else
            bad = fputc(*p, o->f) == EOF;
        if (bad)
            o->failed = 1;
    }
    if (fputc('"', o->f) == EOF)
        o->failed = 1;
}

stc_rc ro_status(struct rout *o, struct stc_err *err)
{
    if (fflush(o->f) != 0 || ferror(o->f))
        o->failed = 1;
    if (o->failed)
        return err_set(err, STC_E_IO, "report: write error");
    return STC_OK;
}
