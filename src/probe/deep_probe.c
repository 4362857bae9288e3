/*
 * NAME
 *     deep_probe - every version, suite and group an MX host accepts
 * SYNOPSIS
 *     stc_rc deep_observe(pc, &host_obs, &deep_obs, err);
 * DESCRIPTION
 *     The --deep analysis, after the standard checks found STARTTLS
 *     working. Every probe is a new connection to the address that
 *     answered (gated, host_conn_open: greeting, EHLO, STARTTLS), a raw
 *     ClientHello (tls_hello_build) and the server's answer
 *     (tls_server_reply_parse); no handshake is finished. In order:
 *
 *       versions     one hello per version, SSLv2 .. TLS 1.3, each offering
 *                    every known suite of that version; accepted when the
 *                    ServerHello has exactly that version. The suite it
 *                    picks is the first of the accepted set.
 *       suites       per accepted version: offer every suite not found yet,
 *                    note the pick, repeat until the server refuses (alert,
 *                    close): the accepted set. SSLv2 servers list theirs
 *                    in the SERVER-HELLO, so that is one probe.
 *       order        per version with 2+ suites: offer the accepted set in
 *                    reverse; the same first pick means the server
 *                    enforces its own order, the reverse's first means it
 *                    follows the client.
 *       groups       one group per hello, at TLS 1.3 when accepted (key
 *                    share or HelloRetryRequest names the group), else at
 *                    the best older version with the accepted ECDHE suites
 *                    (the named curve of the ServerKeyExchange; an ECDSA
 *                    certificate's own curve is offered second, as RFC 8422
 *                    requires, so a server preferring it hides the probed
 *                    group). DHE prime sizes come from every
 *                    ServerKeyExchange seen, kept per suite.
 *       injection    CVE-2011-0411: "STARTTLS\r\nNOOP\r\n" in one write,
 *                    the 220, an OpenSSL handshake, then a reply inside TLS
 *                    within STC_T_INJECTION_WAIT_MS means the server kept
 *                    the plaintext NOOP; then EHLO over TLS for REQUIRETLS.
 *
 *     pc->probe_delay_ms passes before every probe. The first probe that
 *     cannot reach STARTTLS (throttling, 421, refused) stops the analysis:
 *     a host that pushes back is not pushed harder. A typical modern host
 *     (TLS 1.2 + 1.3, five 1.2 suites, three 1.3 suites, ten groups) takes
 *     about 25 connections.
 * LIMITS
 *     The analysis has STC_T_DEEP_FACTOR times the per-host budget,
 *     counted from its start. At most DEEP_SUITES_MAX suites per version
 *     and DEEP_GROUPS_MAX groups are kept. Finite-field groups are not
 *     probed one by one below TLS 1.3 (servers ignore RFC 7919 offers);
 *     the ServerKeyExchange prime size stands for them.
 * DIAGNOSTICS
 *     Returns STC_OK; a bad server is recorded in the deep_obs (refusal
 *     texts, aborted + abort_err).
 */
#include <stdio.h>
#include <string.h>

#include "../util/err.h"
#include "../util/timing.h"
#include "deep_obs.h"
#include "host_obs.h"
#include "host_session.h"


struct ctx {
    const struct probe_ctx *pc;
    const struct host_obs *obs;
    const char *addr;
    const char *sni;
    struct deadline d;
    struct deep_obs *o;
};

enum answer { ANS_ACCEPT, ANS_REFUSE, ANS_ABORT };

static const int VERSIONS[DEEP_NVERSIONS] = {TLS_V_SSL2, TLS_V_SSL3, TLS_V_1_0,
                                             TLS_V_1_1,  TLS_V_1_2,  TLS_V_1_3};

static int in_list(const uint32_t *l, size_t n, uint32_t id)
{
    for (size_t i = 0; i < n; i++)
        if (l[i] == id)
            return 1;
    return 0;
}

/* Every table suite for version, in table order, minus those in skip. */
static size_t suites_for(int version, const uint32_t *skip, size_t nskip, uint32_t *ids)
{
    size_t all = 0, n = 0;
    const struct tls_suite *t = tls_suites_all(&all);
    for (size_t i = 0; i < all && n < TLS_HELLO_SUITES_MAX; i++)
        if (tls_suite_for_version(&t[i], version) && !in_list(skip, nskip, t[i].id))
            ids[n++] = t[i].id;
    return n;
}

static void stop(struct deep_obs *o, stc_rc code, const char *why, const char *detail)
{
    o->aborted = 1;
    err_set(&o->abort_err, code, "%s%s%s", why, detail[0] ? ": " : "", detail);
}

/* One probe connection: STARTTLS, the hello, the answer, close. */
static enum answer ask(struct ctx *c, const struct tls_hello_opts *h, int want_kex,
                       struct tls_server_reply *rep, char *why, size_t whysz)
{
    struct host_conn conn;
    struct stc_err e = {0};
    if (c->o->aborted)
        return ANS_ABORT;
    host_probe_pause(c->pc, c->d); /* the host was contacted before: the main session */
    if (deadline_expired(c->d)) {
        stop(c->o, STC_E_TIMEOUT, "the time budget of the deep analysis is used up", "");
        return ANS_ABORT;
    }
    c->o->connections++;
    if (host_conn_open(c->pc, c->addr, c->d, &conn, &e) != STC_OK) {
        stop(c->o, e.code, "a probe could not reach STARTTLS (stopped so as not to push)", e.msg);
        return ANS_ABORT;
    }
    stc_rc rc = host_conn_hello(&conn, h, want_kex, c->d, rep, &e);
    host_conn_close(c->pc, &conn);
    if (rc == STC_OK) {
        switch (rep->kind) {
        case TLS_REPLY_HELLO:
        case TLS_REPLY_RETRY:
        case TLS_REPLY_SSL2_HELLO: return ANS_ACCEPT;
        case TLS_REPLY_ALERT:
            snprintf(why, whysz, "alert %s", tls_alert_name(rep->alert_desc));
            return ANS_REFUSE;
        case TLS_REPLY_SSL2_ERROR:
            snprintf(why, whysz, "SSLv2 error %u", (unsigned)rep->ssl2_error);
            return ANS_REFUSE;
        default: snprintf(why, whysz, "no answer"); return ANS_REFUSE;
        }
    }
    if (rc == STC_E_NOMEM || rc == STC_E_INTERNAL || rc == STC_E_INVAL ||
        (rc == STC_E_TIMEOUT && deadline_expired(c->d))) {
        stop(c->o, rc, "probe failed", e.msg);
        return ANS_ABORT;
    }
    snprintf(why, whysz, "%.120s", e.msg); /* closed, garbage, no answer in time: a refusal */
    return ANS_REFUSE;
}

/* The DHE prime of r, kept per suite (the smallest one seen for it). */
static void note_kex(struct deep_obs *o, const struct tls_server_reply *r)
{
    if (r->dh_bits <= 0)
        return;
    for (size_t i = 0; i < o->ndh; i++) {
        if (o->dh[i].suite == r->suite) {
            if (r->dh_bits < o->dh[i].bits)
                o->dh[i].bits = r->dh_bits;
            return;
        }
    }
    if (o->ndh < DEEP_DH_MAX)
        o->dh[o->ndh++] = (struct deep_dh){r->suite, r->dh_bits};
}

static int want_kex(int version)
{
    return version >= TLS_V_SSL3 && version <= TLS_V_1_2;
}

/* A TLS answer for version v that picked one of the offered suites. */
static int fits(const struct tls_server_reply *rep, int version, const uint32_t *ids, size_t n)
{
    return rep->kind != TLS_REPLY_SSL2_HELLO && rep->version == version &&
           in_list(ids, n, rep->suite);
}

static void add_suite(struct deep_version *v, uint32_t id)
{
    if (v->nsuites < DEEP_SUITES_MAX && !in_list(v->suites, v->nsuites, id))
        v->suites[v->nsuites++] = id;
}

static void probe_ssl2(struct ctx *c, struct deep_version *v)
{
    uint32_t ids[TLS_HELLO_SUITES_MAX];
    struct tls_hello_opts h = {.version = TLS_V_SSL2, .suites = ids};
    struct tls_server_reply rep;
    h.nsuites = suites_for(TLS_V_SSL2, NULL, 0, ids);
    enum answer a = ask(c, &h, 0, &rep, v->refusal, sizeof v->refusal);
    if (a == ANS_ABORT)
        return;
    v->tested = 1;
    if (a == ANS_REFUSE)
        return;
    if (rep.kind != TLS_REPLY_SSL2_HELLO) {
        snprintf(v->refusal, sizeof v->refusal, "answered with %s, not SSLv2",
                 tls_version_name(rep.version));
        return;
    }
    v->accepted = 1;
    v->complete = 1;
    for (size_t i = 0; i < rep.ssl2_nspecs; i++)
        add_suite(v, rep.ssl2_specs[i]);
}

/* The version probe: every suite of the version; the pick is the first suite. */
static void probe_version(struct ctx *c, struct deep_version *v)
{
    uint32_t ids[TLS_HELLO_SUITES_MAX];
    struct tls_hello_opts h = {.version = v->version, .suites = ids, .sni = c->sni};
    struct tls_server_reply rep;
    h.nsuites = suites_for(v->version, NULL, 0, ids);
    enum answer a = ask(c, &h, want_kex(v->version), &rep, v->refusal, sizeof v->refusal);
    if (a == ANS_ABORT)
        return;
    v->tested = 1;
    if (a == ANS_REFUSE)
        return;
    if (rep.kind == TLS_REPLY_SSL2_HELLO || rep.version != v->version) {
        snprintf(v->refusal, sizeof v->refusal, "answered with %s",
                 rep.kind == TLS_REPLY_SSL2_HELLO ? "SSLv2" : tls_version_name(rep.version));
        return;
    }
    v->accepted = 1;
    v->secure_reneg = rep.secure_reneg;
    if (!in_list(ids, h.nsuites, rep.suite)) {
        snprintf(v->refusal, sizeof v->refusal, "picked suite 0x%04x, which was not offered",
                 (unsigned)rep.suite);
        return;
    }
    add_suite(v, rep.suite);
    note_kex(c->o, &rep);
}

/* Offer what is left until the server refuses. */
static void enumerate(struct ctx *c, struct deep_version *v)
{
    uint32_t ids[TLS_HELLO_SUITES_MAX];
    while (v->nsuites < DEEP_SUITES_MAX) {
        struct tls_hello_opts h = {.version = v->version, .suites = ids, .sni = c->sni};
        struct tls_server_reply rep;
        char why[128];
        h.nsuites = suites_for(v->version, v->suites, v->nsuites, ids);
        if (h.nsuites == 0) {
            v->complete = 1;
            return;
        }
        enum answer a = ask(c, &h, want_kex(v->version), &rep, why, sizeof why);
        if (a == ANS_ABORT)
            return;
        if (a == ANS_REFUSE) {
            v->complete = 1;
            return;
        }
        if (!fits(&rep, v->version, ids, h.nsuites))
            return; /* an answer that breaks the rules: stop, incomplete */
        add_suite(v, rep.suite);
        note_kex(c->o, &rep);
    }
}

static void server_order(struct ctx *c, struct deep_version *v)
{
    uint32_t rev[DEEP_SUITES_MAX];
    struct tls_server_reply rep;
    char why[128];
    v->server_order = -1;
    if (v->nsuites < 2)
        return;
    for (size_t i = 0; i < v->nsuites; i++)
        rev[i] = v->suites[v->nsuites - 1 - i];
    struct tls_hello_opts h = {
        .version = v->version, .suites = rev, .nsuites = v->nsuites, .sni = c->sni};
    if (ask(c, &h, 0, &rep, why, sizeof why) != ANS_ACCEPT ||
        !fits(&rep, v->version, rev, v->nsuites))
        return;
    v->server_order = rep.suite == rev[0] ? 0 : 1;
}

static void add_group(struct deep_obs *o, uint16_t g)
{
    for (size_t i = 0; i < o->ngroups; i++)
        if (o->groups[i] == g)
            return;
    if (o->ngroups < DEEP_GROUPS_MAX)
        o->groups[o->ngroups++] = g;
}

static int is_ffdhe(uint16_t g)
{
    return g >= TLS_GROUP_FFDHE2048 && g <= TLS_GROUP_FFDHE8192;
}

/* Below TLS 1.3 an ECDSA certificate's curve must be among the client's
 * groups (RFC 8422 5.1), so it rides along with the group being probed. */
static uint16_t cert_curve(const struct host_obs *obs)
{
    if (strcmp(obs->info.key_type, "EC") != 0)
        return 0;
    switch (obs->info.key_bits) {
    case 256: return TLS_GROUP_SECP256R1;
    case 384: return TLS_GROUP_SECP384R1;
    case 521: return TLS_GROUP_SECP521R1;
    default: return 0;
    }
}

/* One group at a time: TLS 1.3 when accepted, else ECDHE at the best older version. */
static void probe_groups(struct ctx *c)
{
    struct deep_obs *o = c->o;
    size_t ng = 0;
    const uint16_t *g = tls_groups_probe(&ng);
    uint32_t ids[DEEP_SUITES_MAX];
    size_t n = 0;
    int version = 0;
    for (int i = DEEP_TLS13; i >= DEEP_SSL3 && version == 0; i--) {
        const struct deep_version *v = &o->v[i];
        n = 0;
        for (size_t k = 0; v->accepted && k < v->nsuites; k++) {
            const struct tls_suite *s = tls_suite_find((uint16_t)v->suites[k]);
            if (s != NULL && (s->kex == TLS_KEX_TLS13 || s->kex == TLS_KEX_ECDHE))
                ids[n++] = v->suites[k];
        }
        if (n > 0)
            version = v->version;
    }
    if (version == 0)
        return;
    o->groups_version = version;
    uint16_t curve = version == TLS_V_1_3 ? 0 : cert_curve(c->obs);
    for (size_t i = 0; i < ng; i++) {
        if (version != TLS_V_1_3 && is_ffdhe(g[i]))
            continue;
        uint16_t offer[2] = {g[i], curve};
        struct tls_hello_opts h = {.version = version,
                                   .suites = ids,
                                   .nsuites = n,
                                   .sni = c->sni,
                                   .groups = offer,
                                   .ngroups = curve != 0 && curve != g[i] ? 2 : 1};
        struct tls_server_reply rep;
        char why[128];
        enum answer a = ask(c, &h, want_kex(version), &rep, why, sizeof why);
        if (a == ANS_ABORT)
            return;
        if (a == ANS_ACCEPT && fits(&rep, version, ids, n) && rep.group == g[i])
            add_group(o, g[i]);
        if (a == ANS_ACCEPT)
            note_kex(o, &rep);
    }
}

/* CVE-2011-0411 and REQUIRETLS, on one connection. */
static void injection_test(struct ctx *c, const struct host_obs *obs)
{
    static const char cmd[] = "STARTTLS\r\nNOOP\r\n";
    struct deep_obs *o = c->o;
    struct stc_err *e = &o->injection_err;
    struct smtp_reply r = {0};
    struct smtp_ehlo ext;
    struct io_sock sock;
    struct smtp_session s;
    struct tls_conn *tls = NULL;
    int fd = -1;
    if (o->aborted)
        return;
    host_probe_pause(c->pc, c->d);
    o->connections++;
    if (host_gated_connect(c->pc, c->addr, c->d, &fd, e) != STC_OK)
        return;
    io_sock_init(&sock, fd);
    smtp_session_init(&s, &sock.io);
    memset(&ext, 0, sizeof ext);
    if (smtp_read_reply(&s, c->d, &r, e) != STC_OK)
        goto out;
    if (r.code != 220) {
        err_set(e, STC_E_PEER, "greeting %d %s", r.code, r.first);
        goto out;
    }
    smtp_reply_free(&r);
    if (smtp_ehlo(&s, c->pc->helo, c->d, &r, &ext, e) != STC_OK)
        goto out;
    if (r.code != 250 || !ext.starttls) {
        err_set(e, STC_E_PEER, "EHLO answered %d%s", r.code,
                ext.starttls ? "" : " without STARTTLS");
        goto out;
    }
    smtp_reply_free(&r);
    if (io_write(&sock.io, (const uint8_t *)cmd, sizeof cmd - 1, c->d, e) != STC_OK ||
        smtp_read_reply(&s, c->d, &r, e) != STC_OK)
        goto out;
    if (r.code != 220) {
        err_set(e, STC_E_PEER, "STARTTLS answered %d %s", r.code, r.first);
        goto out;
    }
    smtp_reply_free(&r);
    if (s.in.len > 0) {
        /* It answered the NOOP before TLS: not the CVE, and TLS cannot follow. */
        o->injection_tested = 1;
        o->injection_plaintext = 1;
        goto out;
    }
    struct tls_handshake_opts ho = {
        .sni = obs->host, .min_version = TLS_V_1_0, .ciphers = TLS_CIPHERS_DEFAULT};
    if (tls_handshake(c->pc->tls, fd, &ho, c->d, &tls, e) != STC_OK)
        goto out;
    o->injection_tested = 1;
    smtp_set_io(&s, tls_conn_io(tls));
    struct stc_err waited = {0};
    if (smtp_read_reply(&s, deadline_sub(c->d, STC_T_INJECTION_WAIT_MS), &r, &waited) == STC_OK)
        o->injection_vulnerable = 1;
    smtp_reply_free(&r);
    buf_consume(&s.in, s.in.len);
    struct stc_err ignored = {0};
    memset(&ext, 0, sizeof ext);
    if (smtp_ehlo(&s, c->pc->helo, c->d, &r, &ext, &ignored) == STC_OK && r.code == 250) {
        o->requiretls_known = 1;
        o->requiretls = ext.requiretls;
    }
    smtp_quit(&s, deadline_sub(c->d, STC_T_QUIT_MS));
out:
    smtp_reply_free(&r);
    tls_conn_free(tls, deadline_sub(c->d, STC_T_QUIT_MS));
    smtp_session_free(&s);
    host_gated_close(c->pc, c->addr, fd);
}

stc_rc deep_observe(const struct probe_ctx *pc, const struct host_obs *obs, struct deep_obs *out,
                    struct stc_err *err)
{
    (void)err;
    memset(out, 0, sizeof *out);
    struct ctx c = {pc,
                    obs,
                    obs->address,
                    obs->host,
                    deadline_in((int64_t)pc->timeout_ms * STC_T_DEEP_FACTOR),
                    out};
    out->ran = 1;
    for (int i = 0; i < DEEP_NVERSIONS; i++) {
        out->v[i].version = VERSIONS[i];
        out->v[i].server_order = -1;
    }
    probe_ssl2(&c, &out->v[DEEP_SSL2]);
    for (int i = DEEP_SSL3; i < DEEP_NVERSIONS; i++)
        probe_version(&c, &out->v[i]);
    for (int i = DEEP_SSL3; i < DEEP_NVERSIONS; i++)
        if (out->v[i].accepted && out->v[i].nsuites > 0)
            enumerate(&c, &out->v[i]);
    for (int i = DEEP_SSL3; i < DEEP_NVERSIONS; i++)
        if (out->v[i].accepted)
            server_order(&c, &out->v[i]);
    probe_groups(&c);
    injection_test(&c, obs);
    return STC_OK;
}
