/* host_obs.h - what one SMTP session (plus probes) observed about an MX host.
 *
 * host_observe() talks to the host and fills a struct host_obs with raw
 * facts; the check files (check_connectivity.c, check_starttls.c, ...) turn
 * those facts into result nodes with statuses, messages and fixes. Keeping
 * the network out of the judging code makes every verdict testable on
 * hand-made observations.
 */
#ifndef STC_PROBE_HOST_OBS_H
#define STC_PROBE_HOST_OBS_H

#include <stddef.h>

#include "../dns/dns.h"
#include "../smtp/smtp.h"
#include "../tls/tls.h"
#include "deep_obs.h"
#include "probe.h"

/* One extra connection that asks whether the host accepts something weak.
 * Only a TLS answer to the ClientHello is a test: a ServerHello (accepted)
 * or a refusal in TLS terms (an alert, a protocol error). A probe stopped
 * before that (connect refused, 421 or another SMTP refusal, timeout, the
 * connection closed or reset before the ServerHello) is not tested. */
struct host_probe {
    int ran;             /* the probe was due (its check enabled, STARTTLS worked) */
    int tested;          /* the server answered the ClientHello in TLS */
    int accepted;        /* it took what was offered (tested too) */
    int throttled;       /* not tested because the server answered 421 */
    char version[16];    /* negotiated, when accepted */
    char cipher[64];     /* negotiated, when accepted */
    struct stc_err err;  /* the refusal (tested) or why it was not tested */
};

/* One address of the host, as a sender connecting there would find it. */
enum host_addr_role {
    HOST_ADDR_SESSION = 0, /* one main session: greeting, EHLO, STARTTLS, handshake, EHLO */
    HOST_ADDR_FULL = 1,    /* the first that connected: main session, probes, --deep */
    HOST_ADDR_SKIPPED = 2  /* not tested: its family is off (probe_ctx.families) */
};

struct host_addr {
    char address[46];
    int ipv6;
    enum host_addr_role role;
    int tried;              /* a connection was attempted */
    int no_route;           /* STC_E_NOROUTE: this machine has no route there: not tested */
    int blocked;            /* STC_E_BLOCKED: the address filter refused it: not tested */
    char blocked_msg[STC_ERR_MSG_MAX]; /* the filter's reason */
    int connected;
    int banner_ok;          /* 220 greeting */
    int throttled;          /* 421 at any stage */
    int ehlo_ok;
    int advertised;         /* STARTTLS in the EHLO reply */
    int handshake_ok;
    int ehlo_tls_ok;
    struct stc_err err;     /* where it stopped: connect, plaintext session or TLS */
    int tls_version;        /* TLS_V_*, when handshake_ok */
    char version[16];
    char cipher[64];
    enum tls_verify_problem cert_problem; /* TLS_CERT_OK: trusted, in date, name matches */
    int dane_authenticated;
    char spki_sha256[65];
};

struct host_obs {
    char host[256];
    char address[46];       /* the address that connected, "" when none did */

    /* DNS. */
    int resolved;           /* at least one address */
    struct stc_err dns_err;
    size_t naddrs;

    /* Connection and greeting. */
    int connected;          /* TCP connected to some address */
    struct stc_err conn_err;/* last connect failure (all addresses failed) */
    size_t blocked;         /* addresses the address filter refused (no packet sent) */
    struct stc_err blocked_err; /* the first refusal: "not tested: address X is ..." */
    int banner_ok;          /* a 220 greeting arrived */
    int banner_code;
    char banner[STC_SMTP_BANNER_SHOW_MAX + 1];
    int throttled;          /* 421 at any stage */
    struct stc_err session_err; /* why the plaintext session stopped early */

    /* EHLO and STARTTLS. */
    int ehlo_ok;
    int ehlo_code;
    struct smtp_ehlo ext;
    int starttls_sent;
    int starttls_code;
    char starttls_text[STC_SMTP_LINE_MAX + 1];
    size_t injected_bytes;  /* plaintext discarded after the 220 (CVE-2011-0411) */

    /* TLS. */
    int handshake_ok;
    struct stc_err tls_err;
    struct tls_info info;   /* valid when handshake_ok */
    int ehlo_tls_ok;        /* EHLO answered 250 over TLS */
    struct stc_err ehlo_tls_err;

    /* DANE (RFC 7672): TLSA looked up only when the address records are
     * DNSSEC-secure; the main handshake then also authenticates with them. */
    enum dns_security addr_sec; /* of the host's address records */
    int tlsa_looked_up;
    char tlsa_name[300];        /* the _25._tcp name whose TLSA RRset was used */
    char tlsa_base[256];        /* its base domain: sent as SNI for DANE */
    struct dns_tlsa_set tlsa;   /* owned; tlsa.st has the DNSSEC state */
    struct stc_err tlsa_err;    /* the lookup itself failed (SERVFAIL, timeout) */

    /* Probes (extra connections; at most 3 connections per host in all). */
    struct host_probe legacy;  /* max TLS 1.1, an OpenSSL handshake */
    /* One raw-ClientHello connection offers the broken (NULL, EXPORT, RC4,
     * RC2, DES) and the anonymous suites together; the ServerHello's pick
     * fills broken or anon (accepted = picked, nothing more is negotiated).
     * When anon is picked, broken.err says broken ones were not tested alone. */
    struct host_probe broken;
    struct host_probe anon;
    int connections;           /* connections made in all, the deep probes' included */

    /* Every address of the host in DNS order (IPv4 first): the full check
     * ran on the first that connected, one main session on each later one
     * (host_observe.c). Owned; NULL when the name did not resolve. */
    struct host_addr *addrs;
    size_t naddr_obs;

    /* The --deep analysis (PROBE_DEEP, when STARTTLS works): deep.ran says it did. */
    struct deep_obs deep;
};

/** Talk to host: the main session, then the probes pc->flags ask for (the deep analysis
 * included). Never fails for a bad server; only OOM/internal. */
stc_rc host_observe(const struct probe_ctx *pc, const char *host, struct host_obs *obs,
                    struct stc_err *err);
void host_obs_free(struct host_obs *obs);


#endif
