/*
 * NAME
 *     dns_lookup - MX, A/AAAA, TXT and TLSA lookups with their DNSSEC state
 * SYNOPSIS
 *     #include "dns/dns.h"
 *     stc_rc dns_lookup_mx(struct dns_ctx *ctx, const char *domain, struct deadline d,
 *                          struct dns_mx_set *out, struct stc_err *err);
 *     (and dns_lookup_addrs, dns_lookup_txt, dns_lookup_tlsa, dns_*_set_free)
 * DESCRIPTION
 *     Each lookup asks the shared context (dns_ctx.c), fills the status
 *     (dns_status.c) and parses the records (dns_parse.c). The caller owns
 *     *out after any return and frees it with the matching dns_*_free(),
 *     which is safe on a zeroed or failed set. The status is filled
 *     whenever the resolver answered, also when the lookup then fails.
 *     A bogus answer yields STC_OK, its status, and no records: data that
 *     failed validation is never handed on.
 *     dns_lookup_addrs asks A and AAAA at the same time under one deadline.
 *     A family that got no answer (timeout, resolver failure) has rcode 2
 *     (SERVFAIL) in its status, as a stub resolver would report it.
 * LIMITS
 *     Query names: 1..254 printable ASCII bytes without spaces (a trailing
 *     dot allowed). Record limits: see dns_parse.c.
 * DIAGNOSTICS
 *     STC_E_INVAL for a bad query name, STC_E_TIMEOUT when d passes,
 *     STC_E_DNS for SERVFAIL/REFUSED/other rcodes, resolver failures and
 *     malformed records (the message says which), STC_E_NOMEM.
 */
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "../util/err.h"
#include "../util/text.h"
#include "dns_int.h"
#include "dns_parse.h"

#define T_A 1
#define T_MX 15
#define T_TXT 16
#define T_AAAA 28
#define T_TLSA 52

static stc_rc check_qname(const char *name, struct stc_err *err)
{
    char shown[80];
    size_t n;
    if (name == NULL)
        return err_set(err, STC_E_INVAL, "no name to look up");
    n = strnlen(name, 256);
    text_escape(name, n, shown, sizeof shown);
    if (n == 0 || n > 254 || (n == 254 && name[253] != '.'))
        return err_set(err, STC_E_INVAL, "cannot look up \"%s\": bad length", shown);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] <= 0x20 || (unsigned char)name[i] >= 0x7f)
            return err_set(err, STC_E_INVAL, "cannot look up \"%s\": bad character", shown);
    return STC_OK;
}

/* Ask one question; on STC_OK *res holds the answer and st is filled. */
static stc_rc ask_one(struct dns_ctx *ctx, const char *name, int type, struct deadline d,
                      struct dns_status *st, struct ub_result **res, struct stc_err *err)
{
    struct dns_ask a = {.name = name, .rrtype = type};
    *res = NULL;
    memset(st, 0, sizeof *st);
    stc_rc rc = check_qname(name, err);
    if (rc != STC_OK)
        return rc;
    rc = dns_ctx_resolve(ctx, &a, 1, d);
    if (rc != STC_OK)
        return err_set(err, rc, "%s", a.err.msg);
    dns_status_fill(st, a.res);
    *res = a.res;
    return STC_OK;
}

/* Records to parse: none when bogus or when the answer had no data. */
static int usable(const struct dns_status *st, const struct ub_result *res)
{
    return st->sec != DNS_BOGUS && res->havedata && res->data != NULL;
}

static stc_rc wrap_parse(stc_rc prc, const struct stc_err *perr, const char *what, const char *name,
                         struct stc_err *err)
{
    if (prc == STC_OK)
        return STC_OK;
    if (prc == STC_E_NOMEM)
        return err_set(err, prc, "%s", perr->msg);
    return err_set(err, STC_E_DNS, "malformed %s answer for %s: %s", what, name, perr->msg);
}

stc_rc dns_lookup_mx(struct dns_ctx *ctx, const char *domain, struct deadline d,
                     struct dns_mx_set *out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct ub_result *res = NULL;
    struct stc_err perr = {0};
    memset(out, 0, sizeof *out);
    STC_GUARD(ask_one(ctx, domain, T_MX, d, &out->st, &res, err));
    STC_GUARD(dns_status_check(&out->st, "MX", domain, err));
    if (usable(&out->st, res))
        STC_GUARD(wrap_parse(dns_parse_mx_set(res->data, res->len, out, &perr), &perr, "MX", domain,
                             err));
out:
    ub_resolve_free(res);
    return rc;
}

/* A TXT answer (res, owned by the caller) into out, as dns_lookup_txt gives it. */
static stc_rc txt_answer(const char *name, const struct ub_result *res, struct dns_txt_set *out,
                         struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct stc_err perr = {0};
    dns_status_fill(&out->st, res);
    STC_GUARD(dns_status_check(&out->st, "TXT", name, err));
    if (usable(&out->st, res))
        STC_GUARD(wrap_parse(dns_parse_txt_set(res->data, res->len, out, &perr), &perr, "TXT", name,
                             err));
out:
    return rc;
}

stc_rc dns_lookup_txt(struct dns_ctx *ctx, const char *name, struct deadline d,
                      struct dns_txt_set *out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct ub_result *res = NULL;
    memset(out, 0, sizeof *out);
    STC_GUARD(ask_one(ctx, name, T_TXT, d, &out->st, &res, err));
    STC_GUARD(txt_answer(name, res, out, err));
out:
    ub_resolve_free(res);
    return rc;
}

void dns_lookup_txt2(struct dns_ctx *ctx, const char *const names[2], struct deadline d,
                     struct dns_txt_set out[2], stc_rc rc[2], struct stc_err err[2])
{
    struct dns_ask a[2] = {{.name = names[0], .rrtype = T_TXT}, {.name = names[1], .rrtype = T_TXT}};
    size_t n = 0, at[2];
    for (size_t i = 0; i < 2; i++) {
        memset(&out[i], 0, sizeof out[i]);
        stc_err_clear(&err[i]);
        rc[i] = check_qname(names[i], &err[i]);
        if (rc[i] == STC_OK) {
            at[n] = i;
            a[n++] = (struct dns_ask){.name = names[i], .rrtype = T_TXT};
        }
    }
    if (n > 0)
        (void)dns_ctx_resolve(ctx, a, n, d); /* each ask carries its own outcome */
    for (size_t k = 0; k < n; k++) {
        size_t i = at[k];
        if (a[k].rc != STC_OK)
            rc[i] = err_set(&err[i], a[k].rc, "%s", a[k].err.msg);
        else
            rc[i] = txt_answer(names[i], a[k].res, &out[i], &err[i]);
        ub_resolve_free(a[k].res);
    }
}

stc_rc dns_lookup_tlsa(struct dns_ctx *ctx, const char *name, struct deadline d,
                       struct dns_tlsa_set *out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct ub_result *res = NULL;
    struct stc_err perr = {0};
    memset(out, 0, sizeof *out);
    STC_GUARD(ask_one(ctx, name, T_TLSA, d, &out->st, &res, err));
    STC_GUARD(dns_status_check(&out->st, "TLSA", name, err));
    if (usable(&out->st, res))
        STC_GUARD(wrap_parse(dns_parse_tlsa_set(res->data, res->len, out, &perr), &perr, "TLSA",
                             name, err));
out:
    ub_resolve_free(res);
    return rc;
}

/* One family of dns_lookup_addrs: status, check, records. */
static stc_rc addr_family(struct dns_ask *a, int family, struct dns_status *st,
                          struct dns_addr_set *out)
{
    struct stc_err perr = {0};
    memset(st, 0, sizeof *st);
    if (a->rc != STC_OK) {
        st->rcode = 2;
        return a->rc;
    }
    dns_status_fill(st, a->res);
    stc_rc rc = dns_status_check(st, family == AF_INET ? "A" : "AAAA", a->name, &a->err);
    if (rc == STC_OK && usable(st, a->res))
        rc = wrap_parse(dns_parse_addr_set(a->res->data, a->res->len, family, out, &perr), &perr,
                        family == AF_INET ? "A" : "AAAA", a->name, &a->err);
    return a->rc = rc;
}

stc_rc dns_lookup_addrs(struct dns_ctx *ctx, const char *host, struct deadline d,
                        struct dns_addr_set *out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct dns_ask a[2] = {{.name = host, .rrtype = T_A}, {.name = host, .rrtype = T_AAAA}};
    memset(out, 0, sizeof *out);
    STC_GUARD(check_qname(host, err));
    (void)dns_ctx_resolve(ctx, a, 2, d);
    stc_rc r4 = addr_family(&a[0], AF_INET, &out->st4, out);
    stc_rc r6 = addr_family(&a[1], AF_INET6, &out->st6, out);
    if (r4 == STC_E_NOMEM || r6 == STC_E_NOMEM) {
        rc = err_set(err, STC_E_NOMEM, "out of memory");
    } else if (r4 != STC_OK && r6 != STC_OK) {
        rc = err_set(err, a[0].err.code, "%s; %s", a[0].err.msg, a[1].err.msg);
    }
out:
    ub_resolve_free(a[0].res);
    ub_resolve_free(a[1].res);
    if (rc != STC_OK) {
        free(out->addr);
        out->addr = NULL;
        out->n = 0;
    }
    return rc;
}

void dns_mx_set_free(struct dns_mx_set *s)
{
    if (s == NULL)
        return;
    free(s->mx);
    s->mx = NULL;
    s->n = 0;
}

void dns_addr_set_free(struct dns_addr_set *s)
{
    if (s == NULL)
        return;
    free(s->addr);
    s->addr = NULL;
    s->n = 0;
}

void dns_txt_set_free(struct dns_txt_set *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->txt[i]);
    free(s->txt);
    s->txt = NULL;
    s->n = 0;
}

void dns_tlsa_set_free(struct dns_tlsa_set *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->rr[i].data);
    free(s->rr);
    s->rr = NULL;
    s->n = 0;
}
