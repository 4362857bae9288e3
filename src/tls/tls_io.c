/*
 * NAME
 *     tls_io - a struct io over an established TLS connection
 * SYNOPSIS
 *     struct io *tls_conn_io(struct tls_conn *t);
 * DESCRIPTION
 *     The stream SMTP talks through after STARTTLS. Reads return what one
 *     SSL_read_ex() gives (1..cap bytes); writes send all n bytes. Both run
 *     non-blocking and wait in deadline_poll() on WANT_READ/WANT_WRITE, so
 *     renegotiation or TLS 1.3 post-handshake messages cannot block. The
 *     struct io lives inside the struct tls_conn and dies with it.
 * LIMITS
 *     A read never returns more than cap bytes; OpenSSL buffers at most one
 *     record (16 KiB + overhead). A read that timed out may be retried; a
 *     write that timed out leaves a record half sent, so the connection is
 *     marked unusable (later calls fail with STC_E_PEER, no close_notify).
 * DIAGNOSTICS
 *     STC_E_PEER "connection closed by peer" on close_notify or EOF,
 *     "connection reset by peer"; STC_E_TIMEOUT "TLS read/write timed out";
 *     STC_E_TLS for protocol errors and alerts; STC_E_IO.
 *     After any failure the connection is not used again (no close_notify).
 */

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls_int.h"

static stc_rc tread(struct io *io, uint8_t *p, size_t cap, size_t *got, struct deadline d,
                    struct stc_err *err)
{
    struct tls_conn *t = io->ctx;
    if (!t->usable)
        return err_set(err, STC_E_PEER, "TLS connection no longer usable");
    if (cap == 0)
        return err_set(err, STC_E_INVAL, "TLS read: empty buffer");
    ERR_clear_error();
    for (;;) {
        size_t n = 0;
        int r = SSL_read_ex(t->ssl, p, cap, &n);
        if (r == 1 && n > 0) {
            *got = n;
            return STC_OK;
        }
        int e = SSL_get_error(t->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            stc_rc rc = tls_wait(t->fd, e, d, "TLS read", err);
            if (rc != STC_OK)
                return rc;
            continue;
        }
        t->usable = 0;
        return tls_error_map(t->ssl, e, "TLS read", 0, err);
    }
}

static stc_rc twrite(struct io *io, const uint8_t *p, size_t n, struct deadline d,
                     struct stc_err *err)
{
    struct tls_conn *t = io->ctx;
    if (!t->usable)
        return err_set(err, STC_E_PEER, "TLS connection no longer usable");
    ERR_clear_error();
    size_t done = 0;
    while (done < n) {
        size_t w = 0;
        /* Without partial writes a retry must repeat the same arguments. */
        int r = SSL_write_ex(t->ssl, p + done, n - done, &w);
        if (r == 1) {
            done += w;
            continue;
        }
        int e = SSL_get_error(t->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            stc_rc rc = tls_wait(t->fd, e, d, "TLS write", err);
            if (rc != STC_OK) {
                t->usable = 0; /* a record is half sent: the stream is lost */
                return rc;
            }
            continue;
        }
        t->usable = 0;
        return tls_error_map(t->ssl, e, "TLS write", 0, err);
    }
    return STC_OK;
}

static const struct io_ops tls_ops = {tread, twrite};

struct io *tls_conn_io(struct tls_conn *t)
{
    t->io.ops = &tls_ops;
    t->io.ctx = t;
    return &t->io;
}
