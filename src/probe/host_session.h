/* host_session.h - connections to an MX host shared by the main session and
 * every probe: the connection gate, the plaintext part up to STARTTLS, and a
 * raw ClientHello exchange for probes that only need the server's answer.
 */
#ifndef STC_PROBE_HOST_SESSION_H
#define STC_PROBE_HOST_SESSION_H

#include "../smtp/smtp.h"
#include "../util/timing.h"
#include "../tls/tls_wire.h"
#include "../util/io.h"
#include "probe.h"

struct host_obs;


/** Connect through the context's connection gate (when set); close with host_gated_close(). */
stc_rc host_gated_connect(const struct probe_ctx *pc, const char *addr, struct deadline d,
                          int *fd, struct stc_err *err);
void host_gated_close(const struct probe_ctx *pc, const char *addr, int fd);

/** Wait pc->probe_delay_ms (never past d) before another connection to a host. */
void host_probe_pause(const struct probe_ctx *pc, struct deadline d);

/**
 * Greeting, EHLO, STARTTLS. Returns 1 when the server said 220 to
 * STARTTLS, else 0 with the reason in why. With obs, everything seen is
 * recorded there (the main session); probes pass NULL. *throttled (may be
 * NULL) is set on a 421 at any stage.
 */
int host_session_starttls(const struct probe_ctx *pc, struct smtp_session *s, struct deadline d,
                          struct host_obs *obs, int *throttled, struct stc_err *why);

/* One probe connection, open up to the "220" after STARTTLS. */
struct host_conn {
    const char *addr;
    int fd;
    int throttled; /* the server answered 421 */
    struct io_sock sock;
    struct smtp_session s;
};

/**
 * Connect (gated) and go through STARTTLS. STC_OK: ready for a ClientHello
 * on c->sock.io; otherwise c is closed and err says why (STC_E_PEER for a
 * refusal at the SMTP level, c->throttled for 421).
 */
stc_rc host_conn_open(const struct probe_ctx *pc, const char *addr, struct deadline d,
                      struct host_conn *c, struct stc_err *err);
void host_conn_close(const struct probe_ctx *pc, struct host_conn *c);

/**
 * Write the ClientHello of o on c and read the server's answer into out
 * (tls_server_reply_parse; want_kex as there) within STC_T_HELLO_REPLY_MS of
 * d. STC_OK with out filled (a hello, a retry request or an alert);
 * STC_E_PEER when the server closed or sent something that is not TLS,
 * STC_E_TIMEOUT, STC_E_IO, STC_E_NOMEM.
 */
stc_rc host_conn_hello(struct host_conn *c, const struct tls_hello_opts *o, int want_kex,
                       struct deadline d, struct tls_server_reply *out, struct stc_err *err);

#endif
