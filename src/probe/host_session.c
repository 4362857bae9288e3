/*
 * NAME
 *     host_session - gated connections, plaintext to STARTTLS, raw hellos
 * SYNOPSIS
 *     stc_rc host_gated_connect(pc, addr, d, &fd, err);
 *     int host_session_starttls(pc, &smtp, d, obs_or_NULL, &throttled, why);
 *     stc_rc host_conn_open(pc, addr, d, &conn, err);
 *     stc_rc host_conn_hello(&conn, &hello_opts, want_kex, d, &reply, err);
 *     void host_conn_close(pc, &conn);
 * DESCRIPTION
 *     What every connection to an MX host shares. host_gated_connect() asks
 *     the address filter (pc->public_only: no private, loopback, ...
 *     address, decided before any packet), then the checker's connection
 *     gate (bulk scans cap simultaneous
 *     connections per IP) before connecting; every connection made here is
 *     closed with host_gated_close(), which releases the slot.
 *     host_session_starttls() is the plaintext part: greeting, EHLO,
 *     STARTTLS, never pipelined; the main session records what it sees in
 *     a struct host_obs.
 *
 *     Probes that only need the server's answer to a ClientHello use a
 *     struct host_conn: host_conn_open() connects and goes through
 *     STARTTLS, host_conn_hello() writes a ClientHello built by
 *     tls_hello_build() through the socket's struct io and reads until
 *     tls_server_reply_parse() has a complete answer, and host_conn_close()
 *     drops the connection without a TLS close (no session exists).
 *     host_probe_pause() sleeps pc->probe_delay_ms (--probe-delay) before
 *     a probe, so a scan can be gentle with one host.
 * LIMITS
 *     The connect gets at most STC_T_CONNECT_MS of d; the answer to a
 *     ClientHello at most STC_T_HELLO_REPLY_MS and TLS_REPLY_MAX bytes.
 * DIAGNOSTICS
 *     host_gated_connect: STC_E_BLOCKED for an address the filter refuses
 *     (pc->public_only; util/addr_filter.h), STC_E_TIMEOUT when the gate
 *     gives no slot, else
 *     what sock_connect() returns. host_conn_open: STC_E_PEER when the
 *     server refuses at the SMTP level (the reason in err). host_conn_hello:
 *     STC_E_PEER "connection closed after the ClientHello" (a refusal that
 *     skips the alert), or the parser's reason for bytes that are not TLS;
 *     STC_E_TIMEOUT; STC_E_IO; STC_E_NOMEM.
 */
#include "host_session.h"
#include "../util/timing.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../util/addr_filter.h"
#include "../util/err.h"
#include "host_obs.h"

/* A 421 at any stage is throttling: record it where the caller wants it.
 * Returns 1 for a 421. */
static int note_throttle(const struct smtp_reply *r, struct host_obs *obs, int *throttled)
{
    if (r->code != 421)
        return 0;
    if (obs)
        obs->throttled = 1;
    if (throttled)
        *throttled = 1;
    return 1;
}

int host_session_starttls(const struct probe_ctx *pc, struct smtp_session *s, struct deadline d,
                          struct host_obs *obs, int *throttled, struct stc_err *why)
{
    struct smtp_reply r = {0};
    struct smtp_ehlo ext;
    int ok = 0;

    if (smtp_read_reply(s, d, &r, why) != STC_OK)
        goto out;
    if (obs) {
        obs->banner_code = r.code;
        snprintf(obs->banner, sizeof obs->banner, "%.*s", STC_SMTP_BANNER_SHOW_MAX, r.first);
    }
    if (note_throttle(&r, obs, throttled)) {
        err_set(why, STC_E_PEER, "server is throttling connections: %d %s", r.code, r.first);
        goto out;
    }
    if (r.code != 220) {
        err_set(why, STC_E_PEER, "unexpected greeting: %d %s", r.code, r.first);
        goto out;
    }
    if (obs)
        obs->banner_ok = 1;
    smtp_reply_free(&r);

    memset(&ext, 0, sizeof ext);
    if (smtp_ehlo(s, pc->helo, d, &r, &ext, why) != STC_OK)
        goto out;
    if (obs) {
        obs->ehlo_code = r.code;
        obs->ext = ext;
    }
    if (note_throttle(&r, obs, throttled)) {
        err_set(why, STC_E_PEER, "server is throttling connections: %d %s", r.code, r.first);
        goto out;
    }
    if (r.code != 250) {
        err_set(why, STC_E_PEER, "EHLO rejected: %d %s", r.code, r.first);
        goto out;
    }
    if (obs)
        obs->ehlo_ok = 1;
    if (!ext.starttls)
        goto out; /* not an error of the session: check_starttls judges it */
    smtp_reply_free(&r);

    size_t discarded = 0;
    if (obs)
        obs->starttls_sent = 1;
    if (smtp_starttls(s, d, &r, &discarded, why) != STC_OK)
        goto out;
    if (obs) {
        obs->starttls_code = r.code;
        snprintf(obs->starttls_text, sizeof obs->starttls_text, "%s", r.first);
        obs->injected_bytes = discarded;
    }
    note_throttle(&r, obs, throttled);
    if (r.code != 220) {
        err_set(why, STC_E_PEER, "STARTTLS refused: %d %s", r.code, r.first);
        goto out;
    }
    ok = 1;
out:
    smtp_reply_free(&r);
    return ok;
}

stc_rc host_gated_connect(const struct probe_ctx *pc, const char *addr, struct deadline d,
                          int *fd, struct stc_err *err)
{
    /* The address filter: decided before any packet and before a gate slot is taken. */
    if (addr_filter_check(!pc->public_only, addr, err) != STC_OK)
        return STC_E_BLOCKED;
    stc_rc g = pc->gate_acquire != NULL
                   ? pc->gate_acquire(pc->gate_ctx, addr, deadline_left_ms(d))
                   : STC_OK;
    if (g == STC_E_INVAL)
        return err_set(err, STC_E_INVAL, "%s: not contacted, the address is excluded (opt-out)",
                       addr);
    if (g == STC_E_INTERRUPTED)
        return err_set(err, g, "%s: not contacted, the scan was cancelled", addr);
    if (g != STC_OK)
        return err_set(err, STC_E_TIMEOUT, "no connection slot for %s before the deadline", addr);
    stc_rc rc = sock_connect(addr, pc->port, deadline_sub(d, STC_T_CONNECT_MS), fd, err);
    if (rc != STC_OK && pc->gate_release != NULL)
        pc->gate_release(pc->gate_ctx, addr);
    return rc;
}

void host_probe_pause(const struct probe_ctx *pc, struct deadline d)
{
    long ms = pc->probe_delay_ms;
    if (ms <= 0)
        return;
    if (ms > deadline_left_ms(d))
        ms = deadline_left_ms(d);
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void host_gated_close(const struct probe_ctx *pc, const char *addr, int fd)
{
    if (fd < 0)
        return;
    sock_close(fd, 0);
    if (pc->gate_release != NULL)
        pc->gate_release(pc->gate_ctx, addr);
}

stc_rc host_conn_open(const struct probe_ctx *pc, const char *addr, struct deadline d,
                      struct host_conn *c, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    memset(c, 0, sizeof *c);
    c->addr = addr;
    c->fd = -1;
    STC_ENSURE(!deadline_expired(d), err, STC_E_TIMEOUT, "no time left for this probe");
    STC_GUARD(host_gated_connect(pc, addr, d, &c->fd, err));
    io_sock_init(&c->sock, c->fd);
    smtp_session_init(&c->s, &c->sock.io);
    if (!host_session_starttls(pc, &c->s, d, NULL, &c->throttled, err)) {
        rc = err_isset(err) ? err->code
                            : err_set(err, STC_E_PEER, "STARTTLS is not advertised any more");
        host_conn_close(pc, c);
    }
out:
    return rc;
}

void host_conn_close(const struct probe_ctx *pc, struct host_conn *c)
{
    if (c->fd < 0)
        return;
    smtp_session_free(&c->s);
    host_gated_close(pc, c->addr, c->fd);
    c->fd = -1;
}

struct hello_ctx {
    int want_kex;
    struct tls_server_reply *out;
    int parse_failed; /* the answer is not TLS (rather than the read failing) */
};

static stc_rc parse_hello(void *vctx, const uint8_t *p, size_t n, struct stc_err *err)
{
    struct hello_ctx *c = vctx;
    stc_rc rc = tls_server_reply_parse(p, n, c->want_kex, c->out, err);
    c->parse_failed = rc != STC_OK && rc != STC_E_NOTFOUND;
    return rc;
}

stc_rc host_conn_hello(struct host_conn *c, const struct tls_hello_opts *o, int want_kex,
                       struct deadline d, struct tls_server_reply *out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct buf hello, in;
    struct hello_ctx hc = {want_kex, out, 0};
    buf_init(&hello, 16384);
    buf_init(&in, TLS_REPLY_MAX);
    STC_GUARD(tls_hello_build(o, &hello, err));
    STC_GUARD(io_write(&c->sock.io, hello.data, hello.len, d, err));
    struct stc_err rerr = {0};
    rc = io_read_parse(&c->sock.io, &in, 4096, deadline_sub(d, STC_T_HELLO_REPLY_MS), parse_hello,
                       &hc, &rerr);
    if (rc == STC_OK)
        goto out;
    if (hc.parse_failed)
        rc = err_set(err, rerr.code, "%s", rerr.msg);
    else if (rc == STC_E_PEER) /* closed or reset by the server */
        rc = err_set(err, STC_E_PEER, "%s",
                     in.len == 0 ? "connection closed after the ClientHello"
                                 : "connection closed in the middle of the server's answer");
    else if (rc == STC_E_LIMIT)
        rc = err_set(err, STC_E_PEER, "server's first flight over %d bytes", TLS_REPLY_MAX);
    else
        rc = err_set(err, rerr.code, "%s", rerr.msg);
out:
    buf_free(&hello);
    buf_free(&in);
    return rc;
}
