/*
 * NAME
 *     err - record the first failure in a caller-owned struct stc_err
 * SYNOPSIS
 *     stc_rc err_set(struct stc_err *err, stc_rc code, const char *fmt, ...);
 * DESCRIPTION
 *     The message is formatted into err->msg (truncated to fit). Only the
 *     first call on a clear record writes; later calls keep the first cause.
 * DIAGNOSTICS
 *     err_set returns `code` unchanged so callers can `return err_set(...)`.
 */
#include "err.h"
#undef err_set /* the analyzer-only macro of err.h */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

stc_rc err_set(struct stc_err *err, stc_rc code, const char *fmt, ...)
{
    if (err == NULL || err->code != STC_OK)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

int err_isset(const struct stc_err *err)
{
    return err != NULL && err->code != STC_OK;
}

void stc_err_clear(struct stc_err *err)
{
    if (err == NULL)
        return;
    err->code = STC_OK;
    err->msg[0] = '\0';
}

const char *stc_rc_name(stc_rc rc)
{
    switch (rc) {
    case STC_OK: return "ok";
    case STC_E_INVAL: return "invalid";
    case STC_E_NOMEM: return "out of memory";
    case STC_E_LIMIT: return "limit exceeded";
    case STC_E_TIMEOUT: return "timeout";
    case STC_E_PEER: return "peer error";
    case STC_E_IO: return "i/o error";
    case STC_E_DNS: return "dns error";
    case STC_E_NXDOMAIN: return "no such name";
    case STC_E_TLS: return "tls error";
    case STC_E_PARSE: return "parse error";
    case STC_E_NOTFOUND: return "not found";
    case STC_E_INTERNAL: return "internal error";
    case STC_E_INTERRUPTED: return "interrupted";
    case STC_E_BLOCKED: return "address refused";
    case STC_E_NOROUTE: return "no route";
    default: return "unknown error";
    }
}
