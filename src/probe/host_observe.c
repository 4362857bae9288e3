/*
 * NAME
 *     host_observe - one SMTP session to an MX host, plus the TLS probes
 * SYNOPSIS
 *     stc_rc host_observe(pc, host, &obs, err);
 * DESCRIPTION
 *     Resolves the host (A then AAAA), connects to each address in turn
 *     (of the families pc->families allows; skipping those the address
 *     filter refuses: obs->blocked) until one answers, reads the greeting,
 *     sends EHLO, STARTTLS, does the
 *     TLS handshake with SNI = the host name, EHLO again over TLS (RFC 3207)
 *     and QUIT, never pipelining. Then, when STARTTLS works and the checks
 *     ask for it, extra connections probe for TLS 1.0/1.1 (a raw ClientHello
 *     with the suites OpenSSL would offer; the ServerHello or alert is the
 *     answer) and for broken or anonymous cipher suites (one raw
 *     ClientHello offering both; the ServerHello tells which the server
 *     takes): at most 3 connections per host in all. Both probes stop at
 *     the server's first answer: no key exchange, no certificate checks. With PROBE_DEEP the
 *     deep analysis follows (deep_probe.c) into obs->deep. Each probe waits
 *     pc->probe_delay_ms first. Then every later address of the host gets
 *     one main session of its own (no probes), so a sender that lands on
 *     another address, IPv6 or IPv4, is seen too: obs->addrs holds each
 *     address's outcome, the addresses tried before the one that answered
 *     included. Everything seen goes into obs; the check
 *     files (src/checks) judge it. The caller owns obs and frees it with
 *     host_obs_free().
 * LIMITS
 *     The observation and its probes run within the per-host budget
 *     (pc->timeout_ms), the deep analysis within STC_T_DEEP_FACTOR of them;
 *     QUIT gets at most 2 s. Connections: at most 3 on the fully checked
 *     address plus one per other address (up to 2 x STC_ADDR_MAX).
 * DIAGNOSTICS
 *     A misbehaving server is never an error here: it is recorded in obs
 *     (dns_err, conn_err, session_err, tls_err, the probes' err). Returns
 *     STC_OK, or what deep_observe returns (today always STC_OK); obs must
 *     be freed with host_obs_free() either way.
 */
#include "host_obs.h"
#include "../util/timing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dns/dns.h"
#include "../util/err.h"
#include "../util/io.h"
#include "../util/limits.h"
#include "host_session.h"


static int family_on(const struct probe_ctx *pc, const struct host_addr *a)
{
    unsigned f = pc->families != 0 ? pc->families : STC_FAMILY_ALL;
    return (f & (a->ipv6 ? STC_FAMILY_IPV6 : STC_FAMILY_IPV4)) != 0;
}

/* Connect to one address, recording the outcome in a; -1 on failure. */
static int connect_one(const struct probe_ctx *pc, struct host_addr *a, struct deadline d)
{
    int fd = -1;
    struct stc_err e = {0};
    a->tried = 1;
    stc_rc rc = host_gated_connect(pc, a->address, d, &fd, &e);
    if (rc == STC_OK) {
        a->connected = 1;
        return fd;
    }
    a->no_route = rc == STC_E_NOROUTE;
    a->blocked = rc == STC_E_BLOCKED;
    if (a->blocked)
        snprintf(a->blocked_msg, sizeof a->blocked_msg, "%s", e.msg);
    err_set(&a->err, e.code, "%s port %d: %s", a->address, pc->port, e.msg);
    return -1;
}

/* Connect to each address in turn; the first that accepts wins (the
 * addresses before it keep their failure). */
static int connect_any(const struct probe_ctx *pc, struct host_obs *obs, struct deadline d,
                       size_t *used)
{
    for (size_t i = 0; i < obs->naddr_obs; i++) {
        struct host_addr *a = &obs->addrs[i];
        if (!family_on(pc, a))
            continue;
        int fd = connect_one(pc, a, d);
        if (fd >= 0) {
            a->role = HOST_ADDR_FULL;
            snprintf(obs->address, sizeof obs->address, "%s", a->address);
            *used = i;
            return fd;
        }
        if (a->blocked) {
            /* The address filter: no packet was sent. The first refusal is the finding. */
            if (obs->blocked++ == 0)
                err_set(&obs->blocked_err, a->err.code, "%s", a->blocked_msg);
            continue;
        }
        /* Keep the last reason, naming the address. */
        stc_err_clear(&obs->conn_err);
        err_set(&obs->conn_err, a->err.code, "%s", a->err.msg);
        if (deadline_expired(d))
            break;
    }
    return -1;
}

/* What a sender at a->address gets, from the main session's observation. */
static void addr_summary(const struct host_obs *o, struct host_addr *a)
{
    a->banner_ok = o->banner_ok;
    a->throttled = o->throttled;
    a->ehlo_ok = o->ehlo_ok;
    a->advertised = o->ext.starttls;
    a->handshake_ok = o->handshake_ok;
    a->ehlo_tls_ok = o->ehlo_tls_ok;
    const struct stc_err *why = o->session_err.code != STC_OK ? &o->session_err
                                : o->tls_err.code != STC_OK   ? &o->tls_err
                                                              : &o->ehlo_tls_err;
    if (why->code != STC_OK)
        err_set(&a->err, why->code, "%s", why->msg);
    if (o->handshake_ok) {
        a->tls_version = o->info.version;
        snprintf(a->version, sizeof a->version, "%s", o->info.version_name);
        snprintf(a->cipher, sizeof a->cipher, "%s", o->info.cipher);
        a->cert_problem = o->info.problem;
        a->dane_authenticated = o->info.dane_authenticated;
        snprintf(a->spki_sha256, sizeof a->spki_sha256, "%s", o->info.spki_sha256);
    }
}

/* DNSSEC state of a host's addresses: every lookup that completed (a
 * signed zone proves a missing AAAA securely too) must be secure; one that
 * failed (SERVFAIL, timeout) does not hide the other's state. */
static enum dns_security addr_security(const struct dns_addr_set *a)
{
    const struct dns_status *st[2] = {&a->st4, &a->st6};
    int completed = 0, secure = 0;
    for (int i = 0; i < 2; i++) {
        if (st[i]->rcode != 0 && st[i]->rcode != 3)
            continue;
        completed++;
        if (st[i]->sec == DNS_BOGUS)
            return DNS_BOGUS;
        secure += st[i]->sec == DNS_SECURE;
    }
    return completed > 0 && secure == completed ? DNS_SECURE : DNS_INSECURE;
}

/* RFC 7672 2.2.2: with a secure CNAME chain, TLSA at the expanded name
 * first, then at the original name. Only for secure address records. */
static void lookup_tlsa(const struct probe_ctx *pc, const struct dns_addr_set *addrs,
                        struct host_obs *obs, struct deadline d)
{
    const struct dns_status *st = addrs->st4.rcode == 0 && !addrs->st4.nodata ? &addrs->st4
                                                                               : &addrs->st6;
    const char *names[2] = {NULL, obs->host};
    if (st->canonname[0] && strcmp(st->canonname, obs->host) != 0 && st->sec == DNS_SECURE)
        names[0] = st->canonname;
    obs->tlsa_looked_up = 1;
    for (int i = 0; i < 2; i++) {
        if (names[i] == NULL)
            continue;
        dns_tlsa_set_free(&obs->tlsa);
        memset(&obs->tlsa, 0, sizeof obs->tlsa);
        snprintf(obs->tlsa_name, sizeof obs->tlsa_name, "_25._tcp.%s", names[i]);
        snprintf(obs->tlsa_base, sizeof obs->tlsa_base, "%s", names[i]);
        stc_err_clear(&obs->tlsa_err);
        if (dns_lookup_tlsa(pc->dns, obs->tlsa_name, d, &obs->tlsa, &obs->tlsa_err) != STC_OK)
            return;
        if (obs->tlsa.n > 0 || obs->tlsa.st.sec == DNS_BOGUS)
            return;
    }
}

static void main_session(const struct probe_ctx *pc, struct host_obs *obs, int fd,
                         struct deadline d)
{
    struct io_sock sock;
    struct smtp_session s;
    struct tls_conn *tls = NULL;
    io_sock_init(&sock, fd);
    smtp_session_init(&s, &sock.io);

    if (!host_session_starttls(pc, &s, d, obs, NULL, &obs->session_err))
        goto quit;

    struct tls_handshake_opts opts = {0};
    opts.sni = obs->host;
    opts.verify_name = obs->host;
    opts.ciphers = TLS_CIPHERS_DEFAULT;
    /* Ask for what a modern sender offers, down to TLS 1.0, so the version
     * a real MTA would get is what we see; the legacy probe asks separately. */
    opts.min_version = TLS_V_1_0;
    struct tls_tlsa recs[STC_TLSA_MAX];
    size_t nrecs = 0;
    if (obs->tlsa.st.sec == DNS_SECURE) {
        for (size_t i = 0; i < obs->tlsa.n && nrecs < STC_TLSA_MAX; i++) {
            const struct dns_tlsa *t = &obs->tlsa.rr[i];
            recs[nrecs++] = (struct tls_tlsa){t->usage, t->selector, t->mtype, t->data, t->len};
        }
        if (nrecs > 0) {
            opts.tlsa = recs;
            opts.ntlsa = nrecs;
            opts.sni = obs->tlsa_base; /* RFC 7672 8.1: SNI is the TLSA base domain */
        }
    }
    if (tls_handshake(pc->tls, fd, &opts, d, &tls, &obs->tls_err) != STC_OK)
        goto close;
    obs->handshake_ok = 1;
    struct stc_err ierr = {0};
    if (tls_conn_info(tls, &obs->info, &ierr) != STC_OK) {
        obs->handshake_ok = 0;
        err_set(&obs->tls_err, ierr.code, "%s", ierr.msg);
        goto close;
    }
    smtp_set_io(&s, tls_conn_io(tls));
    struct smtp_reply r = {0};
    struct smtp_ehlo ext;
    memset(&ext, 0, sizeof ext);
    if (smtp_ehlo(&s, pc->helo, d, &r, &ext, &obs->ehlo_tls_err) == STC_OK) {
        if (r.code == 250)
            obs->ehlo_tls_ok = 1;
        else
            err_set(&obs->ehlo_tls_err, STC_E_PEER, "EHLO over TLS answered %d %s", r.code,
                    r.first);
    }
    smtp_reply_free(&r);
quit:
    if (obs->ehlo_ok || obs->banner_ok)
        smtp_quit(&s, deadline_sub(d, STC_T_QUIT_MS));
close:
    tls_conn_free(tls, deadline_sub(d, STC_T_QUIT_MS));
    smtp_session_free(&s);
}

/* One main session on another address of the host: what a sender that
 * lands there gets (same SNI, name and TLSA as the main session). */
static stc_rc other_address(const struct probe_ctx *pc, struct host_obs *obs, struct host_addr *a,
                            struct deadline d)
{
    if (deadline_expired(d)) {
        err_set(&a->err, STC_E_TIMEOUT, "no time left to test this address");
        return STC_OK;
    }
    struct host_obs *sub = calloc(1, sizeof *sub);
    if (sub == NULL)
        return STC_E_NOMEM;
    snprintf(sub->host, sizeof sub->host, "%s", obs->host);
    snprintf(sub->tlsa_base, sizeof sub->tlsa_base, "%s", obs->tlsa_base);
    sub->tlsa = obs->tlsa; /* borrowed: zeroed before sub is freed */
    host_probe_pause(pc, d);
    obs->connections++;
    int fd = connect_one(pc, a, d);
    if (fd >= 0) {
        main_session(pc, sub, fd, d);
        host_gated_close(pc, a->address, fd);
        addr_summary(sub, a);
    }
    memset(&sub->tlsa, 0, sizeof sub->tlsa);
    host_obs_free(sub);
    free(sub);
    return STC_OK;
}

/* The legacy probe on one connection: a raw ClientHello for TLS 1.1 (a
 * server that takes TLS 1.0 only answers with 1.0) offering exactly the
 * suites an OpenSSL handshake for TLS 1.0-1.1 would, read up to the
 * ServerHello or alert. The server's pick is what a full handshake would
 * have negotiated; no key exchange, no certificate check is spent on it.
 * An alert, or a ServerHello above TLS 1.1 (a full handshake would abort
 * with "unsupported protocol"), is a refusal; a close, reset, timeout or
 * non-TLS answer says nothing about TLS ("not tested"). */
static void legacy_probe(const struct probe_ctx *pc, struct host_obs *obs, struct deadline d)
{
    uint32_t ids[TLS_HELLO_SUITES_MAX];
    struct tls_handshake_opts ho = {.sni = obs->host, .verify_name = obs->host,
                                    .min_version = TLS_V_1_0, .max_version = TLS_V_1_1,
                                    .ciphers = TLS_CIPHERS_DEFAULT};
    struct tls_hello_opts o = {.version = TLS_V_1_1, .suites = ids, .sni = obs->host};
    struct host_probe *p = &obs->legacy;
    struct tls_server_reply rep;
    struct host_conn c;
    p->ran = 1;
    if (tls_handshake_suites(pc->tls, &ho, ids, TLS_HELLO_SUITES_MAX, &o.nsuites, &p->err) !=
        STC_OK)
        return;
    if (deadline_expired(d)) {
        err_set(&p->err, STC_E_TIMEOUT, "no time left for this probe");
        return;
    }
    obs->connections++;
    if (host_conn_open(pc, obs->address, d, &c, &p->err) != STC_OK) {
        p->throttled = c.throttled;
        return;
    }
    if (host_conn_hello(&c, &o, 0, d, &rep, &p->err) != STC_OK) {
        /* closed, reset, timeout, not TLS: no answer */
    } else if (rep.kind != TLS_REPLY_HELLO) {
        p->tested = 1;
        err_set(&p->err, STC_E_TLS, "refused: %s alert %s",
                rep.alert_level == 2 ? "fatal" : "warning", tls_alert_name(rep.alert_desc));
    } else if (rep.version > TLS_V_1_1 || rep.version < TLS_V_1_0) {
        p->tested = 1;
        err_set(&p->err, STC_E_TLS, "refused: the server answered an offer of TLS 1.1 or older "
                                    "with %s",
                tls_version_name(rep.version));
    } else {
        const struct tls_suite *s = tls_suite_find(rep.suite);
        p->tested = p->accepted = 1;
        snprintf(p->version, sizeof p->version, "%s", tls_version_name(rep.version));
        if (s != NULL)
            snprintf(p->cipher, sizeof p->cipher, "%s", s->name);
        else
            snprintf(p->cipher, sizeof p->cipher, "suite 0x%04x", (unsigned)rep.suite);
    }
    host_conn_close(pc, &c);
}

/* The suites of the weak probe: broken ones (NULL, EXPORT, RC4, RC2,
 * DES) first, then the anonymous ones that are not broken. */
static size_t weak_suites(uint32_t *ids, size_t max)
{
    size_t all = 0, n = 0;
    const struct tls_suite *t = tls_suites_all(&all);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < all && n < max; i++) {
            if (!tls_suite_for_version(&t[i], TLS_V_1_2))
                continue;
            int broken = tls_suite_is_broken(&t[i]);
            if (pass == 0 ? broken : (!broken && tls_suite_is_anon(&t[i])))
                ids[n++] = t[i].id;
        }
    }
    return n;
}

/* The weak probe's one outcome for both halves; tested: a TLS answer. */
static void both_err(struct host_obs *obs, const struct stc_err *e, int tested, int throttled)
{
    err_set(&obs->broken.err, e->code, "%s", e->msg);
    err_set(&obs->anon.err, e->code, "%s", e->msg);
    obs->broken.tested = obs->anon.tested = tested;
    obs->broken.throttled = obs->anon.throttled = throttled;
}

/* One connection for weak suites: a raw ClientHello (TLS 1.2 and down)
 * offering the broken and the anonymous suites together, broken first; the
 * ServerHello says which one the server takes. A raw hello can offer RC4,
 * DES and EXPORT suites that OpenSSL 3 no longer speaks. When the server
 * picks an anonymous suite, broken suites were not tested on their own
 * (broken.err says so); --deep enumerates everything. */
static void weak_probe(const struct probe_ctx *pc, struct host_obs *obs, struct deadline d)
{
    uint32_t ids[TLS_HELLO_SUITES_MAX];
    struct tls_hello_opts o = {.version = TLS_V_1_2, .suites = ids, .sni = obs->host};
    struct tls_server_reply rep;
    struct host_conn c;
    struct stc_err e = {0};
    o.nsuites = weak_suites(ids, TLS_HELLO_SUITES_MAX);
    obs->broken.ran = obs->anon.ran = 1;
    obs->connections++;
    if (host_conn_open(pc, obs->address, d, &c, &e) != STC_OK) {
        both_err(obs, &e, 0, c.throttled);
        return;
    }
    if (host_conn_hello(&c, &o, 0, d, &rep, &e) != STC_OK) {
        both_err(obs, &e, 0, 0); /* closed, reset, timeout, not TLS: no answer */
    } else if (rep.kind != TLS_REPLY_HELLO) {
        err_set(&e, STC_E_TLS, "refused: %s alert %s", rep.alert_level == 2 ? "fatal" : "warning",
                tls_alert_name(rep.alert_desc));
        both_err(obs, &e, 1, 0);
    } else {
        obs->broken.tested = obs->anon.tested = 1;
        const struct tls_suite *s = tls_suite_find(rep.suite);
        struct host_probe *p = s != NULL && tls_suite_is_broken(s) ? &obs->broken : &obs->anon;
        p->accepted = 1;
        snprintf(p->version, sizeof p->version, "%s", tls_version_name(rep.version));
        if (s != NULL)
            snprintf(p->cipher, sizeof p->cipher, "%s", s->name);
        else
            snprintf(p->cipher, sizeof p->cipher, "unoffered suite 0x%04x", (unsigned)rep.suite);
        if (p == &obs->anon)
            err_set(&obs->broken.err, STC_E_TLS,
                    "not tested on its own: the server chose the anonymous suite %s from an "
                    "offer of broken and anonymous suites",
                    p->cipher);
    }
    host_conn_close(pc, &c);
}

stc_rc host_observe(const struct probe_ctx *pc, const char *host, struct host_obs *obs,
                    struct stc_err *err)
{
    struct dns_addr_set addrs;
    struct deadline d = deadline_in(pc->timeout_ms);

    memset(obs, 0, sizeof *obs);
    memset(&addrs, 0, sizeof addrs);
    snprintf(obs->host, sizeof obs->host, "%s", host);

    if (dns_lookup_addrs(pc->dns, host, d, &addrs, &obs->dns_err) != STC_OK)
        goto out;
    obs->naddrs = addrs.n;
    if (addrs.n == 0) {
        err_set(&obs->dns_err, STC_E_NXDOMAIN, "%s has no A or AAAA record%s", host,
                addrs.st4.nxdomain ? " (the name does not exist)" : "");
        goto out;
    }
    obs->addrs = calloc(addrs.n, sizeof *obs->addrs);
    if (obs->addrs == NULL) {
        dns_addr_set_free(&addrs);
        return err_set(err, STC_E_NOMEM, "out of memory");
    }
    obs->naddr_obs = addrs.n;
    for (size_t i = 0; i < addrs.n; i++) {
        struct host_addr *a = &obs->addrs[i];
        snprintf(a->address, sizeof a->address, "%s", addrs.addr[i]);
        a->ipv6 = strchr(a->address, ':') != NULL;
        if (!family_on(pc, a))
            a->role = HOST_ADDR_SKIPPED;
    }
    obs->resolved = 1;
    obs->addr_sec = addr_security(&addrs);
    if ((pc->flags & PROBE_DANE) && obs->addr_sec == DNS_SECURE)
        lookup_tlsa(pc, &addrs, obs, d);

    size_t full = 0;
    int fd = connect_any(pc, obs, d, &full);
    if (fd < 0)
        goto out;
    obs->connected = 1;
    obs->connections = 1;
    main_session(pc, obs, fd, d);
    host_gated_close(pc, obs->address, fd);
    addr_summary(obs, &obs->addrs[full]);

    /* Probes only make sense when STARTTLS itself works. */
    if (!obs->handshake_ok)
        goto others;
    if (pc->flags & PROBE_LEGACY_TLS) {
        host_probe_pause(pc, d);
        legacy_probe(pc, obs, d);
    }
    if (pc->flags & PROBE_WEAK_CIPHERS) {
        host_probe_pause(pc, d);
        weak_probe(pc, obs, d);
    }
    /* The deep analysis has its own budget (STC_T_DEEP_FACTOR host budgets). */
    if ((pc->flags & PROBE_DEEP) && !obs->throttled) {
        stc_rc rc = deep_observe(pc, obs, &obs->deep, err);
        if (rc != STC_OK) {
            dns_addr_set_free(&addrs);
            return rc;
        }
        obs->connections += obs->deep.connections;
    }
others:
    for (size_t i = full + 1; i < obs->naddr_obs; i++)
        if (obs->addrs[i].role == HOST_ADDR_SESSION &&
            other_address(pc, obs, &obs->addrs[i], d) != STC_OK) {
            dns_addr_set_free(&addrs);
            return err_set(err, STC_E_NOMEM, "out of memory");
        }
out:
    dns_addr_set_free(&addrs);
    return STC_OK;
}

void host_obs_free(struct host_obs *obs)
{
    free(obs->addrs);
    obs->addrs = NULL;
    obs->naddr_obs = 0;
    dns_tlsa_set_free(&obs->tlsa);
    if (obs->handshake_ok)
        tls_info_free(&obs->info);
}
