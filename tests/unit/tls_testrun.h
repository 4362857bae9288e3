/* tls_testrun.h - one client handshake against one tls_testsrv.h server. */
#ifndef STC_TEST_TLS_TESTRUN_H
#define STC_TEST_TLS_TESTRUN_H

#include "tls_testsrv.h"
#include "util/deadline.h"

struct run {
    struct srv srv;
    int fd;
    struct tls_conn *t;
    struct stc_err err;
    stc_rc rc;      /* of tls_handshake */
    stc_rc info_rc; /* of tls_conn_info, when the handshake worked */
    struct tls_info info;
    int64_t elapsed_ms;
};

/* Start the server, connect, handshake within ms, fetch the info. */
static inline stc_rc run_start(struct run *r, const struct tls_client *c, const struct srv_cfg *sc,
                               const struct tls_handshake_opts *o, int64_t ms)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    r->info_rc = STC_E_INTERNAL;
    if (srv_start(&r->srv, sc) != 0)
        return r->rc = STC_E_IO;
    struct deadline d = deadline_in(ms);
    r->rc = sock_connect(SRV_ADDR, r->srv.port, d, &r->fd, &r->err);
    if (r->rc != STC_OK)
        return r->rc;
    int64_t t0 = deadline_now_ms();
    r->rc = tls_handshake(c, r->fd, o, d, &r->t, &r->err);
    r->elapsed_ms = deadline_now_ms() - t0;
    if (r->rc == STC_OK)
        r->info_rc = tls_conn_info(r->t, &r->info, &r->err);
    return r->rc;
}

/* Tear down: close_notify, free, close, join the server. */
static inline void run_end(struct run *r)
{
    tls_info_free(&r->info);
    tls_conn_free(r->t, deadline_in(500));
    r->t = NULL;
    sock_close(r->fd, 0);
    r->fd = -1;
    srv_stop(&r->srv);
}

#endif
