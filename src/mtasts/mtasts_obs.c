/*
 * NAME
 *     mtasts_obs - the DNS and HTTPS work behind the mta_sts and tls-rpt checks
 * SYNOPSIS
 *     struct mtasts_obs o; mtasts_observe(&req, "example.com", d, &o); ... mtasts_obs_free(&o);
 *     struct txt_obs t;    tlsrpt_observe(dns, "example.com", d, &t); ... txt_obs_free(&t);
 * DESCRIPTION
 *     mtasts_observe: the TXT RRset at _mta-sts.DOMAIN; then, unless that
 *     lookup failed, the addresses of mta-sts.DOMAIN; then, when it has
 *     any, the policy fetched from exactly those addresses (mtasts_fetch:
 *     no redirects, 64 KiB, a certificate valid for the name). The policy
 *     host is looked up even without a TXT record: a policy published
 *     without its record is a finding. With q->public_only the policy
 *     host's addresses pass the address filter first; when it refuses
 *     them all, fetch_rc is STC_E_BLOCKED and nothing is sent; so too with
 *     q->addr_allowed (a scan's opt-out list) refusing them. Everything seen stays in the
 *     observation, raw; nothing is judged here (src/checks/check_mtasts.c).
 *     tlsrpt_observe: the TXT RRset at _smtp._tls.DOMAIN.
 * LIMITS
 *     Each lookup gets at most STC_T_TXT_LOOKUP_MS / STC_T_ADDR_LOOKUP_MS of d, the
 *     fetch at most STC_T_POLICY_FETCH_MS and three quarters of what is left, so
 *     the TLS-RPT lookup after it keeps some of the shared deadline.
 * DIAGNOSTICS
 *     Both return STC_OK: lookup and fetch failures are recorded in the
 *     observation (err, addr_rc/addr_err, fetch_rc/fetch_err).
 */
#include "mtasts_obs.h"
#include "../util/timing.h"

#include <stdio.h>
#include <string.h>

#include "../util/addr_filter.h"
#include "../util/err.h"

static void txt_lookup(struct dns_ctx *dns, struct deadline d, struct txt_obs *o)
{
    o->ok = dns_lookup_txt(dns, o->name, deadline_sub(d, STC_T_TXT_LOOKUP_MS), &o->set, &o->err) ==
            STC_OK;
}

static long fetch_budget(struct deadline d)
{
    long left = deadline_left_ms(d);
    long b = left < 2000 ? left : left * 3 / 4;
    return b < STC_T_POLICY_FETCH_MS ? b : STC_T_POLICY_FETCH_MS;
}

static void fetch(const struct mtasts_obs_req *q, const char *domain, struct deadline d,
                  struct mtasts_obs *o)
{
    const char *addrs[STC_ADDR_MAX];
    size_t all = o->addrs.n < STC_ADDR_MAX ? o->addrs.n : STC_ADDR_MAX, n = 0;
    o->fetched = 1;
    /* The address filter, before any packet: refused addresses are not handed to curl. */
    for (size_t i = 0; i < all; i++) {
        struct stc_err e = {0};
        if (addr_filter_check(!q->public_only, o->addrs.addr[i], &e) != STC_OK) {
            if (!err_isset(&o->fetch_err))
                err_set(&o->fetch_err, e.code, "%s: %s", o->host, e.msg);
            continue;
        }
        if (q->addr_allowed != NULL && !q->addr_allowed(q->addr_allowed_ctx, o->addrs.addr[i])) {
            if (!err_isset(&o->fetch_err))
                err_set(&o->fetch_err, STC_E_BLOCKED,
                        "%s: %s not contacted, the address is excluded (opt-out)", o->host,
                        o->addrs.addr[i]);
            continue;
        }
        addrs[n++] = o->addrs.addr[i];
    }
    if (n == 0) {
        o->fetch_rc = STC_E_BLOCKED;
        return;
    }
    stc_err_clear(&o->fetch_err);
    struct mtasts_fetch_req req = {domain,     addrs,      n,
                                   q->https_port > 0 ? q->https_port : 443,
                                   q->ca_file, q->ca_path, deadline_sub(d, fetch_budget(d)),
                                   q->public_only};
    o->fetch_rc = mtasts_fetch(&req, &o->res, &o->fetch_err);
    if (o->fetch_rc == STC_OK)
        o->body_text = buf_terminate(&o->res.body, NULL) == STC_OK;
}

static void mtasts_names(const char *domain, struct mtasts_obs *o)
{
    memset(o, 0, sizeof *o);
    buf_init(&o->res.body, 0);
    snprintf(o->txt.name, sizeof o->txt.name, "_mta-sts.%s", domain);
    snprintf(o->host, sizeof o->host, "mta-sts.%s", domain);
}

static void tlsrpt_name(const char *domain, struct txt_obs *o)
{
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "_smtp._tls.%s", domain);
}

/* After the TXT lookup: the policy host and the policy. */
static void policy(const struct mtasts_obs_req *q, const char *domain, struct deadline d,
                   struct mtasts_obs *o)
{
    if (!o->txt.ok)
        return; /* unknown whether MTA-STS is used: nothing more to learn */
    o->host_looked_up = 1;
    o->addr_rc = dns_lookup_addrs(q->dns, o->host, deadline_sub(d, STC_T_ADDR_LOOKUP_MS), &o->addrs,
                                  &o->addr_err);
    if (o->addr_rc == STC_OK && o->addrs.n > 0)
        fetch(q, domain, d, o);
}

stc_rc mtasts_observe(const struct mtasts_obs_req *q, const char *domain, struct deadline d,
                      struct mtasts_obs *o)
{
    mtasts_names(domain, o);
    txt_lookup(q->dns, d, &o->txt);
    policy(q, domain, d, o);
    return STC_OK;
}

stc_rc mtasts_tlsrpt_observe(const struct mtasts_obs_req *q, const char *domain,
                             struct deadline d, struct mtasts_obs *o, struct txt_obs *r)
{
    mtasts_names(domain, o);
    tlsrpt_name(domain, r);
    const char *const qnames[2] = {o->txt.name, r->name};
    struct dns_txt_set sets[2];
    stc_rc rcs[2];
    struct stc_err errs[2];
    dns_lookup_txt2(q->dns, qnames, deadline_sub(d, STC_T_TXT_LOOKUP_MS), sets, rcs, errs);
    struct txt_obs *t[2] = {&o->txt, r};
    for (size_t i = 0; i < 2; i++) {
        t[i]->set = sets[i];
        t[i]->ok = rcs[i] == STC_OK;
        t[i]->err = errs[i];
    }
    policy(q, domain, d, o);
    return STC_OK;
}

void mtasts_obs_free(struct mtasts_obs *o)
{
    txt_obs_free(&o->txt);
    dns_addr_set_free(&o->addrs);
    mtasts_fetch_res_free(&o->res);
}

stc_rc tlsrpt_observe(struct dns_ctx *dns, const char *domain, struct deadline d,
                      struct txt_obs *o)
{
    tlsrpt_name(domain, o);
    txt_lookup(dns, d, o);
    return STC_OK;
}

void txt_obs_free(struct txt_obs *o)
{
    dns_txt_set_free(&o->set);
}
