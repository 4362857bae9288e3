/*
 * NAME
 *     checker - make a checker; check a domain or one of its MX hosts
 * SYNOPSIS
 *     stc_checker_new(cfg, &ck, err);
 *     stc_checker_check_domain(ck, "example.com", expected_mx, &tree, err);
 *     stc_checker_check_domain_progress(ck, domain, expected_mx, fn, ctx, &tree, err);
 *     stc_checker_check_host(ck, "example.com", "mx.example.com", &host, err);
 * DESCRIPTION
 *     check_domain: normalize the name (IDNA), look up MX (null MX, implicit
 *     MX), check every MX host in preference order, derive the domain status
 *     as the original checker did, then run the domain-level checks
 *     (MTA-STS, TLS-RPT, policy list). A checker is read-only after
 *     stc_checker_new and shared by threads; each call owns its own state.
 *
 *     The domain status comes from domain_status.c (the original's rules
 *     over the host nodes, then the domain-level checks).
 *
 *     The whole domain has one budget (--domain-timeout, default
 *     DOMAIN_BUDGET_FACTOR x the host budget): the MX lookup, the hosts and
 *     the domain-level lookups share it, so those never start a fresh full
 *     deadline after the hosts; a host starts only while its own budget and
 *     about half a host budget for the domain-level lookups remain, the
 *     rest are reported "not tested".
 *
 *     Without a trust anchor nothing can be DNSSEC-secure: the root says so
 *     once (facts "dnssec_validated" false and "dnssec_note", a note), the
 *     MX records' state is "unknown", and the DANE checks, whose every
 *     verdict and fix depends on DNSSEC, do not run.
 * DIAGNOSTICS
 *     STC_E_INVAL for an invalid domain name (before any query), STC_E_NOMEM,
 *     and resolver/trust-store set-up errors from stc_checker_new. A domain
 *     that fails its checks is a result, not an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../mtasts/policy_list.h"
#include "../util/timing.h"
#include "../mtasts/mtasts.h"
#include "../mtasts/mtasts_obs.h"
#include "../util/err.h"
#include "../util/hostname.h"
#include "../util/limits.h"
#include "checks.h"
#include "../probe/host_obs.h"

/* DNSSEC states mean something: a trust anchor, or a trusted resolver's AD bit. */
#define VALIDATING(ck) ((ck)->cfg.trust_anchor != NULL || dns_ctx_trusts_resolver((ck)->dns))
#define DOMAIN_BUDGET_FACTOR 4 /* default domain budget: this many host budgets */
/* Kept for the domain-level lookups: no host starts unless this remains after it. */
#define DOMAIN_RESERVE(c) ((c)->timeout_ms / 2)

const char *stc_version(void)
{
    return STC_VERSION_STRING;
}

unsigned stc_version_number(void)
{
    return STC_VERSION_NUMBER;
}

/* The probes' narrow view of the checker: borrowed strings and handles. */
static void probe_ctx_init(struct stc_checker *ck)
{
    const struct stc_config *c = &ck->cfg;
    struct probe_ctx *p = &ck->probe;
    p->dns = ck->dns;
    p->tls = ck->tls;
    p->helo = c->helo;
    p->port = c->port;
    p->timeout_ms = c->timeout_ms;
    p->probe_delay_ms = c->probe_delay_ms;
    p->families = c->families;
    p->flags = 0;
    if (c->checks & STC_CHECK_DANE)
        p->flags |= PROBE_DANE;
    if (c->checks & STC_CHECK_LEGACY_TLS)
        p->flags |= PROBE_LEGACY_TLS;
    if (c->checks & STC_CHECK_WEAK_CIPHERS)
        p->flags |= PROBE_WEAK_CIPHERS;
    if (c->checks & STC_CHECK_DEEP)
        p->flags |= PROBE_DEEP;
    p->public_only = c->public_only;
    p->gate_acquire = c->gate_acquire;
    p->gate_release = c->gate_release;
    p->gate_ctx = c->gate_ctx;
}

stc_rc stc_checker_new(const struct stc_config *cfg, struct stc_checker **out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct stc_checker *ck = calloc(1, sizeof *ck);
    STC_ENSURE(ck != NULL, err, STC_E_NOMEM, "out of memory");
    STC_GUARD(config_copy(&ck->cfg, cfg, err));
    STC_ENSURE(ck->cfg.domain_timeout_ms == 0 ||
                   ck->cfg.domain_timeout_ms >= ck->cfg.timeout_ms + DOMAIN_RESERVE(&ck->cfg),
               err, STC_E_INVAL,
               "the domain time limit (%ld ms) must be at least 1.5 x the host time limit (%ld ms)",
               ck->cfg.domain_timeout_ms, ck->cfg.timeout_ms);
    if (ck->cfg.helo == NULL) { /* no usable machine name and none given: say why */
        char name[HOSTNAME_MAX];
        STC_GUARD(hostname_fqdn(name, sizeof name, err));
        STC_GUARD(stc_config_set_helo(&ck->cfg, name, err));
    }
    STC_GUARD(mtasts_global_init(err));

    struct dns_config dc = {ck->cfg.resolver, ck->cfg.trust_anchor, ck->cfg.dnssec_resolver};
    STC_GUARD(dns_ctx_new(&dc, &ck->dns, err));
    struct tls_client_config tc = {ck->cfg.ca_file, ck->cfg.ca_path};
    STC_GUARD(tls_client_new(&tc, &ck->tls, err));
    if (ck->cfg.policy_list != NULL)
        STC_GUARD(policy_list_load(ck->cfg.policy_list, &ck->plist, err));
    probe_ctx_init(ck);
    *out = ck;
    return STC_OK;
out:
    stc_checker_free(ck);
    return rc;
}

void stc_checker_free(struct stc_checker *ck)
{
    if (ck == NULL)
        return;
    dns_ctx_free(ck->dns);
    tls_client_free(ck->tls);
    policy_list_free(ck->plist);
    config_free_strings(&ck->cfg);
    free(ck);
}

stc_rc stc_checker_check_host(const struct stc_checker *ck, const char *domain, const char *host,
                              struct stc_result **out, struct stc_err *err)
{
    char name[STC_DOMAIN_MAX + 2];
    /* A host name comes from a DNS answer: a DNS name, underscores too. */
    stc_rc rc = dns_name_normalize(host, 1, name, sizeof name, err);
    if (rc != STC_OK)
        return rc;
    struct stc_result *node = result_new(STC_NODE_HOST, name, "Checks of one MX host");
    /* On the heap: 14 KiB on each of hundreds of scan workers' stacks was
     * a fifth of their resident memory. */
    struct host_obs *obs = calloc(1, sizeof *obs);
    if (node == NULL || obs == NULL) {
        stc_result_free(node);
        free(obs);
        return err_set(err, STC_E_NOMEM, "out of memory");
    }
    result_fact_str(node, "domain", domain ? domain : "");
    result_fact_str(node, "hostname", name);
    result_fact_str(node, "ehlo_name", ck->cfg.helo);

    rc = host_observe(&ck->probe, name, obs, err);
    if (rc != STC_OK) {
        stc_result_free(node);
        free(obs);
        return rc;
    }
    if (obs->address[0])
        result_fact_str(node, "address", obs->address);
    check_connectivity(obs, node);
    if (domain_host_connected(node)) {
        check_starttls(obs, node);
        if (obs->handshake_ok) {
            check_certificate(obs, node);
            check_version(obs, node);
            check_cipher(obs, node);
            check_deep(obs, node);
        }
        if ((ck->cfg.checks & STC_CHECK_DANE) && VALIDATING(ck))
            check_dane(obs, node);
    }
    check_addresses(obs, node);
    result_fact_bool(node, "connected", domain_host_connected(node));
    result_fact_int(node, "connections", obs->connections);
    host_obs_free(obs);
    free(obs);
    result_rollup(node);
    if (result_oom(node)) {
        stc_result_free(node);
        return err_set(err, STC_E_NOMEM, "out of memory");
    }
    *out = node;
    return STC_OK;
}

/* A host that gets no check: an error on its connectivity naming why (msg), with
 * fix as the recommendation (may be NULL); the domain's other hosts go on. */
static stc_rc host_error(const char *domain, const struct dns_mx *mx, const char *msg,
                         const char *fix, struct stc_result **out, struct stc_err *err)
{
    struct stc_result *node = result_new(STC_NODE_HOST, mx->host, "Checks of one MX host");
    if (node == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    result_fact_str(node, "domain", domain);
    result_fact_str(node, "hostname", mx->host);
    struct stc_result *c = result_add_check(node, CHECK_CONNECTIVITY,
                                            "The MX host resolves, accepts a TCP connection on "
                                            "the SMTP port and greets with 220.");
    if (c != NULL) {
        result_msg(c, STC_STATUS_ERROR, "%s", msg);
        if (fix != NULL)
            result_recommend(c, "%s", fix);
    }
    result_fact_bool(node, "connected", 0);
    result_fact_int(node, "connections", 0);
    result_fact_int(node, "preference", mx->pref);
    result_rollup(node);
    if (result_oom(node)) {
        stc_result_free(node);
        return err_set(err, STC_E_NOMEM, "out of memory");
    }
    *out = node;
    return STC_OK;
}

static stc_rc run_host(const struct stc_checker *ck, const char *domain, const struct dns_mx *mx,
                       struct stc_result **out, struct stc_err *err)
{
    stc_rc rc;
    struct stc_err e = {0};
    if (ck->cfg.host_check != NULL)
        rc = ck->cfg.host_check(ck->cfg.host_check_ctx, ck, domain, mx->host, out, &e);
    else
        rc = stc_checker_check_host(ck, domain, mx->host, out, &e);
    if (rc == STC_E_INVAL) {
        /* An MX name that cannot name a host: that host is an error, named by the problem. */
        char msg[STC_MSG_MAX], fix[STC_MSG_MAX];
        snprintf(msg, sizeof msg, "The MX name cannot be used as a host name: %s", e.msg);
        snprintf(fix, sizeof fix,
                 "Point the MX record at a host name made of letters, digits, hyphens (not at "
                 "a label's ends) and dots, e.g. mx1.%s.",
                 domain);
        rc = host_error(domain, mx, msg, fix, out, err);
        /* No connection can be tried: domain_status counts it "not tested". */
        struct stc_result *c = rc == STC_OK ? result_find_mut(*out, CHECK_CONNECTIVITY) : NULL;
        if (c != NULL)
            result_fact_bool(c, "name_unusable", 1);
        return rc;
    }
    if (rc != STC_OK)
        return err_set(err, rc, "%s", e.msg);
    result_fact_int(*out, "preference", mx->pref);
    return STC_OK;
}

/* The domain's budget cannot take this host's whole budget and still leave the
 * domain-level lookups (about) their reserve: report it "not tested". */
static stc_rc host_past_budget(const struct stc_checker *ck, const char *domain,
                               const struct dns_mx *mx, long budget_ms, struct stc_result **out,
                               struct stc_err *err)
{
    char msg[STC_MSG_MAX];
    snprintf(msg, sizeof msg,
             "Not tested: the domain's time limit (--domain-timeout %.1f s) ran out before this "
             "host could get its %.1f s",
             (double)budget_ms / 1000.0, (double)ck->cfg.timeout_ms / 1000.0);
    return host_error(domain, mx, msg,
                      "The MX hosts before this one used up the time (they did not answer); "
                      "make them answer or remove them from the MX records, or check again "
                      "with a larger --domain-timeout.",
                      out, err);
}

/* Whether DNSSEC is validated; without a trust anchor, say so once. */
static void dnssec_facts(const struct stc_checker *ck, struct stc_result *root)
{
    char note[STC_MSG_MAX];
    result_fact_bool(root, "dnssec_validated", VALIDATING(ck));
    if (VALIDATING(ck))
        return;
    snprintf(note, sizeof note,
             "DNSSEC could not be validated: no trust anchor (%s is missing; give one with "
             "--trust-anchor, or install Debian's dns-root-data), so DNSSEC and DANE were not "
             "tested",
             ck->cfg.anchor_tried[0] ? ck->cfg.anchor_tried : "none configured");
    result_fact_str(root, "dnssec_note", note);
    result_note(root, "%s", note);
}

/* MX lookup into hosts; returns 0 when the domain cannot be checked further. */
static int lookup_mx(const struct stc_checker *ck, const char *domain, struct stc_result *root,
                     struct deadline dd, struct dns_mx_set *mxs)
{
    struct stc_err e = {0};
    long ms = ck->cfg.timeout_ms < STC_T_MX_LOOKUP_MS ? ck->cfg.timeout_ms : STC_T_MX_LOOKUP_MS;
    if (dns_lookup_mx(ck->dns, domain, deadline_sub(dd, ms), mxs, &e) != STC_OK) {
        result_msg(root, STC_STATUS_ERROR, "MX lookup for %s failed: %s", domain, e.msg);
        return 0;
    }
    result_fact_str(root, "mx_dnssec",
                    VALIDATING(ck) ? dns_security_text(mxs->st.sec) : "unknown");
    if (mxs->st.sec == DNS_BOGUS) {
        result_msg(root, STC_STATUS_ERROR,
                   "The MX records of %s fail DNSSEC validation (%s): validating senders "
                   "cannot deliver",
                   domain, mxs->st.why_bogus);
        return 0;
    }
    if (mxs->st.nxdomain) {
        result_msg(root, STC_STATUS_ERROR, "The domain %s does not exist", domain);
        return 0;
    }
    if (mxs->null_mx) {
        result_fact_bool(root, "null_mx", 1);
        result_note(root, "%s publishes a null MX (RFC 7505): it accepts no mail, so there "
                          "is no transport to protect",
                    domain);
        return 0;
    }
    if (mxs->n == 0) {
        /* RFC 5321 5.1: no MX means the domain itself is the mail host. */
        struct dns_mx *one = calloc(1, sizeof *one);
        if (one == NULL) {
            result_msg(root, STC_STATUS_ERROR, "out of memory");
            return 0;
        }
        snprintf(one->host, sizeof one->host, "%s", domain);
        mxs->mx = one;
        mxs->n = 1;
        result_fact_bool(root, "implicit_mx", 1);
    }
    return 1;
}

/* The domain-level observations (DNS, HTTPS), then their judges, within what is
 * left of the domain's budget dd (never a fresh one). */
static void domain_checks(const struct stc_checker *ck, const char *domain, struct stc_result *root,
                          struct deadline dd)
{
    struct deadline d = deadline_sub(dd, ck->cfg.timeout_ms);
    struct mtasts_obs_req q = {ck->dns,           ck->cfg.https_port,     ck->cfg.ca_file,
                               ck->cfg.ca_path,   ck->cfg.public_only,    ck->cfg.addr_allowed,
                               ck->cfg.addr_allowed_ctx};
    int both = (ck->cfg.checks & STC_CHECK_MTASTS) && (ck->cfg.checks & STC_CHECK_TLSRPT);
    if (both) { /* the two TXT lookups in one batch */
        struct mtasts_obs o;
        struct txt_obs r;
        mtasts_tlsrpt_observe(&q, domain, d, &o, &r);
        check_mtasts(&o, domain, root);
        check_tlsrpt(&r, domain, root);
        mtasts_obs_free(&o);
        txt_obs_free(&r);
    } else if (ck->cfg.checks & STC_CHECK_MTASTS) {
        struct mtasts_obs o;
        mtasts_observe(&q, domain, d, &o);
        check_mtasts(&o, domain, root);
        mtasts_obs_free(&o);
    }
    if (!both && (ck->cfg.checks & STC_CHECK_TLSRPT)) {
        struct txt_obs o;
        tlsrpt_observe(ck->dns, domain, d, &o);
        check_tlsrpt(&o, domain, root);
        txt_obs_free(&o);
    }
    if ((ck->cfg.checks & STC_CHECK_DANE) && (ck->cfg.checks & STC_CHECK_SMTP) &&
        VALIDATING(ck))
        check_dane_domain(domain, root);
    if (ck->cfg.checks & STC_CHECK_POLICYLIST)
        check_policylist(ck->plist, domain, root);
}

stc_rc stc_checker_check_domain(const struct stc_checker *ck, const char *domain_in,
                                const char *const *expected_mx, struct stc_result **out,
                                struct stc_err *err)
{
    return stc_checker_check_domain_progress(ck, domain_in, expected_mx, NULL, NULL, out, err);
}

static void progress(stc_progress_fn fn, void *ctx, enum stc_progress_event ev, const char *host,
                     size_t index, size_t count, stc_status status)
{
    if (fn != NULL)
        fn(ctx, ev, host, index, count, status);
}

stc_rc stc_checker_check_domain_progress(const struct stc_checker *ck, const char *domain_in,
                                         const char *const *expected_mx, stc_progress_fn pfn,
                                         void *pctx, struct stc_result **out, struct stc_err *err)
{
    char domain[STC_DOMAIN_MAX + 2];
    char msg[STC_MSG_MAX] = "";
    struct dns_mx_set mxs;
    stc_rc rc = dns_name_normalize(domain_in, 0, domain, sizeof domain, err);
    if (rc != STC_OK)
        return rc;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, domain, "Mail transport security");
    if (root == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    memset(&mxs, 0, sizeof mxs);
    result_fact_bool(root, "implicit_mx", 0);
    result_fact_bool(root, "null_mx", 0);
    result_fact_list(root, "mx_hosts");
    result_fact_list(root, "preferred_hostnames");
    dnssec_facts(ck, root);
    /* As the original: the expected MX names, echoed only when given. */
    for (size_t i = 0; expected_mx != NULL && expected_mx[i] != NULL; i++)
        result_fact_list_add(root, "mx_hostnames", expected_mx[i]);

    stc_domain_status status = STC_DOMAIN_ERROR;
    long budget_ms = ck->cfg.domain_timeout_ms > 0 ? ck->cfg.domain_timeout_ms
                                                   : DOMAIN_BUDGET_FACTOR * ck->cfg.timeout_ms;
    struct deadline dd = deadline_in(budget_ms);
    if (!lookup_mx(ck, domain, root, dd, &mxs)) {
        status = mxs.null_mx ? STC_DOMAIN_SUCCESS : STC_DOMAIN_ERROR;
        if (mxs.null_mx)
            snprintf(msg, sizeof msg, "%s accepts no mail (null MX)", domain);
        goto done;
    }
    for (size_t i = 0; i < mxs.n; i++)
        if (mxs.mx[i].host[0] != '\0')
            result_fact_list_add(root, "mx_hosts", mxs.mx[i].host);
    for (size_t i = 0; i < mxs.n && (ck->cfg.checks & STC_CHECK_SMTP); i++)
        progress(pfn, pctx, STC_PROGRESS_MX, mxs.mx[i].host, i, mxs.n, STC_STATUS_SUCCESS);

    if (ck->cfg.checks & STC_CHECK_SMTP) {
        for (size_t i = 0; i < mxs.n; i++) {
            struct stc_result *h = NULL;
            if (mxs.mx[i].host[0] == '\0') {
                /* "." beside real MX records: RFC 7505 forbids the mix. */
                result_msg(root, STC_STATUS_WARNING,
                           "A null MX (\".\") is published beside other MX records; RFC 7505 "
                           "allows it only alone");
                continue;
            }
            progress(pfn, pctx, STC_PROGRESS_HOST_START, mxs.mx[i].host, i, mxs.n,
                     STC_STATUS_SUCCESS);
            /* Half the reserve is slack for the MX lookup before the first host. */
            if (deadline_left_ms(dd) < ck->cfg.timeout_ms + DOMAIN_RESERVE(&ck->cfg) / 2)
                rc = host_past_budget(ck, domain, &mxs.mx[i], budget_ms, &h, err);
            else
                rc = run_host(ck, domain, &mxs.mx[i], &h, err);
            if (rc != STC_OK)
                goto fail;
            progress(pfn, pctx, STC_PROGRESS_HOST_DONE, mxs.mx[i].host, i, mxs.n,
                     stc_result_status(h));
            result_add(root, h);
        }
        status = domain_status_hosts(root, expected_mx, msg, sizeof msg);
    } else {
        status = STC_DOMAIN_SUCCESS;
        snprintf(msg, sizeof msg, "MX hosts not contacted (SMTP checks off)");
    }

    progress(pfn, pctx, STC_PROGRESS_DOMAIN_CHECKS, NULL, 0, 0, STC_STATUS_SUCCESS);
    domain_checks(ck, domain, root, dd);

    status = domain_status_checks(root, status, msg, sizeof msg);
done:
    result_rollup(root);
    result_set_domain_status(root, status);
    if (msg[0])
        result_verdict(root, "%s", msg);
    dns_mx_set_free(&mxs);
    memset(&mxs, 0, sizeof mxs);
    if (result_oom(root)) {
        rc = err_set(err, STC_E_NOMEM, "out of memory");
        goto fail;
    }
    *out = root;
    return STC_OK;
fail:
    dns_mx_set_free(&mxs);
    stc_result_free(root);
    return rc;
}
