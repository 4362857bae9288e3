/* probe.h - what the probe layer needs to observe a host: a narrow context.
 *
 * The checker (src/checks) owns the resolver, the TLS trust store and the
 * configuration; it hands the probes this view of them and nothing more, so
 * the probe layer never sees the checker. Strings and handles are borrowed
 * (owned by the checker, which outlives every observation); the context is
 * read-only and shared by threads.
 */
#ifndef STC_PROBE_PROBE_H
#define STC_PROBE_PROBE_H

#include <starttls/checker.h>

struct dns_ctx;
struct tls_client;

/* Which probes run (bit set). */
enum probe_flags {
    PROBE_DANE = 1u << 0,         /* TLSA lookup when the addresses are DNSSEC-secure */
    PROBE_LEGACY_TLS = 1u << 1,   /* one connection offering at most TLS 1.1 */
    PROBE_WEAK_CIPHERS = 1u << 2, /* one raw hello with broken and anonymous suites */
    PROBE_DEEP = 1u << 3          /* the --deep analysis (deep_probe.c) */
};

struct probe_ctx {
    struct dns_ctx *dns;     /* borrowed */
    struct tls_client *tls;  /* borrowed */
    const char *helo;        /* EHLO name; borrowed */
    int port;                /* SMTP port */
    long timeout_ms;         /* whole-host budget */
    long probe_delay_ms;     /* pause before each probe connection to the same host */
    unsigned flags;          /* enum probe_flags */
    int public_only;         /* refuse non-public addresses before connecting */
    unsigned families;       /* enum stc_family: addresses of the others are not tested */
    stc_gate_acquire_fn gate_acquire; /* NULL: no connection gate */
    stc_gate_release_fn gate_release;
    void *gate_ctx;
};

#endif
