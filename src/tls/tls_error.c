/*
 * NAME
 *     tls_error - OpenSSL failures as stc_rc and a readable reason
 * SYNOPSIS
 *     stc_rc tls_error_map(SSL *ssl, int sslerr, const char *stage,
 *                          int handshake, struct stc_err *err);
 * DESCRIPTION
 *     Called after an SSL_* call failed with SSL_get_error() == sslerr. It
 *     drains the thread's OpenSSL error queue (so nothing leaks into the
 *     next call on this thread) and records one cause in err:
 *       - an alert from the peer: "peer sent alert <description>";
 *       - an OpenSSL reason: "<stage> failed: wrong version number",
 *         "no protocols available", "unsupported protocol", ...;
 *       - the peer closing or resetting the connection.
 *     The first SSL-library error on the queue is used: it is the one
 *     nearest to the cause.
 * LIMITS
 *     Reasons are OpenSSL's static strings, so no peer bytes reach err.
 * DIAGNOSTICS
 *     STC_E_TLS for protocol failures and alerts; STC_E_PEER when the peer
 *     closed (EOF, close_notify during the handshake, no close_notify) or
 *     reset the connection; STC_E_IO for other socket errors;
 *     STC_E_INTERNAL for an sslerr this function does not expect.
 */
#include <errno.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls_int.h"

static stc_rc closed(int handshake, struct stc_err *err)
{
    if (handshake)
        return err_set(err, STC_E_PEER, "connection closed during TLS handshake");
    return err_set(err, STC_E_PEER, "connection closed by peer");
}

static stc_rc sys_error(int e, const char *stage, int handshake, struct stc_err *err)
{
    switch (e) {
    case 0: return closed(handshake, err);
    case ECONNRESET:
        if (handshake)
            return err_set(err, STC_E_PEER, "connection reset during TLS handshake");
        return err_set(err, STC_E_PEER, "connection reset by peer");
    case EPIPE: return closed(handshake, err);
    case ETIMEDOUT: return err_set(err, STC_E_TIMEOUT, "%s: connection timed out", stage);
    default: return err_set(err, STC_E_IO, "%s: %s", stage, strerror(e));
    }
}

static stc_rc ssl_error(unsigned long e, const char *stage, int handshake, struct stc_err *err)
{
    if (e == 0)
        return err_set(err, STC_E_TLS, "%s failed", stage);
    int reason = ERR_GET_REASON(e);
    if (ERR_GET_LIB(e) == ERR_LIB_SSL) {
        if (reason == SSL_R_UNEXPECTED_EOF_WHILE_READING)
            return closed(handshake, err);
        if (reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256)
            return err_set(err, STC_E_TLS, "%s failed: peer sent alert %s", stage,
                           SSL_alert_desc_string_long(reason - SSL_AD_REASON_OFFSET));
    }
    if (ERR_GET_LIB(e) == ERR_LIB_SYS)
        return sys_error(reason, stage, handshake, err);
    const char *r = ERR_reason_error_string(e);
    return err_set(err, STC_E_TLS, "%s failed: %s", stage, r != NULL ? r : "unknown reason");
}

stc_rc tls_error_map(SSL *ssl, int sslerr, const char *stage, int handshake, struct stc_err *err)
{
    unsigned long e, first = 0, first_ssl = 0;
    while ((e = ERR_get_error()) != 0) {
        if (first == 0)
            first = e;
        if (first_ssl == 0 && ERR_GET_LIB(e) == ERR_LIB_SSL)
            first_ssl = e;
    }
    int sys = tls_bio_errno(SSL_get_rbio(ssl));
    if (sys == 0)
        sys = tls_bio_errno(SSL_get_wbio(ssl));
    switch (sslerr) {
    case SSL_ERROR_ZERO_RETURN: return closed(handshake, err);
    case SSL_ERROR_SYSCALL:
        if (sys != 0 || first == 0)
            return sys_error(sys, stage, handshake, err);
        return ssl_error(first, stage, handshake, err);
    case SSL_ERROR_SSL:
        if (sys != 0)
            return sys_error(sys, stage, handshake, err);
        return ssl_error(first_ssl != 0 ? first_ssl : first, stage, handshake, err);
    default: return err_set(err, STC_E_INTERNAL, "%s: unexpected SSL error %d", stage, sslerr);
    }
}
