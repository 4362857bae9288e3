/*
 * NAME
 *     check_mtasts - the "mta_sts" domain check (RFC 8461)
 * SYNOPSIS
 *     check_mtasts(&mtasts_obs, domain, root);
 * DESCRIPTION
 *     Adds one "mta_sts" node to root with up to three sub-checks, as the
 *     original checker did:
 *       mta-sts-text    exactly one v=STSv1 TXT record at _mta-sts.DOMAIN,
 *                       syntactically valid, with an id;
 *       mta-sts-policy-file  https://mta-sts.DOMAIN/.well-known/mta-sts.txt
 *                       fetched (our resolver, no redirects, 64 KiB, valid
 *                       certificate, 200, text/plain) and parsed;
 *       mta-sts-mx      every MX host (root's host nodes) matches an mx
 *                       pattern and, when it connected, offers STARTTLS with
 *                       TLS 1.2+ and a certificate valid for its name.
 *     Status rules (docs/checks-mtasts.md): no record at all is a warning
 *     with the record and policy to publish as recommendations (a policy
 *     host without a record is probed and reported); a record set senders
 *     cannot use, a policy that cannot be fetched or is invalid is a
 *     failure; MX violations are failures in enforce mode, warnings in
 *     testing mode, notes in mode none or without a record. Hosts that did
 *     not connect are only matched by name, and reported as notes.
 *     Facts on the node: txt, id, policy_url, policy (exact text), mode,
 *     max_age, mx (list), active (bool: senders apply a policy now),
 *     txt_records (list, when not exactly one v=STSv1 record).
 *     The node's status is rolled up from its sub-checks before returning.
 *     A pure judge: the lookups and the fetch are in the observation
 *     (mtasts_observe, src/mtasts/mtasts_obs.c, which also has the time
 *     budgets).
 * LIMITS
 *     Pattern and host lists quoted in one message are cut at NAMES_SHOWN
 *     bytes.
 * DIAGNOSTICS
 *     None returned: lookup failures are an error status on the sub-check,
 *     allocation failures mark the tree (result_oom).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../mtasts/mtasts.h"
#include "../mtasts/mtasts_obs.h"
#include "../util/limits.h"
#include "../util/text.h"
#include "checks.h"

#define NAMES_SHOWN 512 /* bytes of pattern / host lists quoted in one message */

enum txt_state {
    TXT_OK,   /* one valid record */
    TXT_NONE, /* no TXT record at all: the domain does not use MTA-STS */
    TXT_BAD,  /* records exist, but senders cannot use them */
    TXT_ERROR /* the lookup failed: unknown */
};

struct sts {
    const struct mtasts_obs *o;
    const char *domain;
    struct stc_result *root;
    struct stc_result *node;
    enum txt_state txt;
    int have_policy; /* fetched and valid */
    int parsed;      /* pol needs freeing */
    struct mtasts_policy pol;
};

/*
 * Findings of a parser become messages; cap limits their severity. When a
 * warning is about the format, fix is recommended (errors have their own
 * fixes, and so does a short max_age: "Raise max_age", in parse_policy).
 */
static int format_warning(const struct mtasts_findings *fx)
{
    static const char age[] = "max_age "; /* mtasts_policy.c: "max_age N is less than ..." */
    for (size_t i = 0; i < fx->n; i++)
        if (fx->f[i].sev == MTASTS_WARN && strncmp(fx->f[i].msg, age, sizeof age - 1) != 0)
            return 1;
    return fx->dropped > 0 && fx->worst == MTASTS_WARN;
}

static void add_findings(struct stc_result *c, const struct mtasts_findings *fx, stc_status cap,
                         const char *fix)
{
    if (fx->worst == MTASTS_WARN && format_warning(fx))
        result_recommend(c, "%s", fix);
    for (size_t i = 0; i < fx->n; i++) {
        const struct mtasts_finding *f = &fx->f[i];
        stc_status s = f->sev == MTASTS_ERR    ? STC_STATUS_FAILURE
                       : f->sev == MTASTS_WARN ? STC_STATUS_WARNING
                                               : STC_STATUS_SUCCESS;
        if (s > cap)
            s = cap;
        if (s == STC_STATUS_SUCCESS)
            result_note(c, "%s", f->msg);
        else
            result_msg(c, s, "%s", f->msg);
    }
    if (fx->dropped > 0)
        result_note(c, "%zu more finding%s not listed", fx->dropped, fx->dropped == 1 ? "" : "s");
}

/* ---- the TXT record ---- */

static void check_text(struct sts *s)
{
    struct stc_result *c =
        result_add_check(s->node, "mta-sts-text",
                         "Is there exactly one valid v=STSv1 TXT record at _mta-sts.DOMAIN?");
    const char *name = s->o->txt.name;
    const struct dns_txt_set *set = &s->o->txt.set;
    struct stc_err e = {STC_OK, ""};
    struct mtasts_txt t;
    size_t nsts = 0, pick = 0;

    if (!s->o->txt.ok) {
        s->txt = TXT_ERROR;
        result_msg(c, STC_STATUS_ERROR, "could not look up TXT %s: %s", name, s->o->txt.err.msg);
        result_recommend(c,
                         "Make the name servers of %s answer TXT queries for %s (with the"
                         " record, or NXDOMAIN/NODATA), then check again",
                         s->domain, name);
        return;
    }
    if (set->st.canonname[0] != '\0' && strcmp(set->st.canonname, name) != 0)
        result_note(c, "%s is an alias (CNAME) of %s", name, set->st.canonname);
    if (set->st.sec == DNS_BOGUS) {
        s->txt = TXT_BAD;
        check_txt_bogus(c, name, set->st.why_bogus, "policy");
        return;
    }
    for (size_t i = 0; i < set->n; i++) {
        if (mtasts_txt_is_sts(set->txt[i], strnlen(set->txt[i], STC_TXT_MAX + 1))) {
            if (nsts++ == 0)
                pick = i;
        }
    }
    if (nsts == 0 && set->n == 0) {
        s->txt = TXT_NONE;
        result_msg(c, STC_STATUS_WARNING,
                   "no MTA-STS record at %s: senders cannot learn that your MX hosts require TLS,"
                   " so an attacker on the path can strip STARTTLS",
                   name);
        return;
    }
    if (nsts != 1) {
        s->txt = TXT_BAD;
        if (nsts == 0)
            result_msg(c, STC_STATUS_FAILURE,
                       "%s has %zu TXT record%s but none starts with v=STSv1: senders see no"
                       " policy",
                       name, set->n, set->n == 1 ? "" : "s");
        else
            result_msg(c, STC_STATUS_FAILURE,
                       "%s has %zu records starting with v=STSv1: senders need exactly one, so they"
                       " see no policy",
                       name, nsts);
        for (size_t i = 0; i < set->n; i++) {
            result_note(c, "TXT record: \"%s\"", set->txt[i]);
            result_fact_list_add(s->node, "txt_records", set->txt[i]);
        }
        result_recommend(c,
                         "Keep exactly one TXT record starting with v=STSv1 at %s, e.g. "
                         "\"v=STSv1; id=20240101000000\"",
                         name);
        return;
    }
    const char *rec = set->txt[pick];
    result_fact_str(s->node, "txt", rec);
    e.code = STC_OK;
    stc_rc rc = mtasts_txt_parse(rec, strnlen(rec, STC_TXT_MAX + 1), &t, &e);
    add_findings(c, &t.fx, STC_STATUS_FAILURE,
                 "Write the record exactly as RFC 8461 3.1 has it: \"v=STSv1; id=ID\", fields"
                 " separated by \";\", each field once");
    if (rc != STC_OK) {
        s->txt = TXT_BAD;
        result_msg(c, STC_STATUS_FAILURE, "senders ignore the record \"%s\", so they see no policy",
                   rec);
        result_recommend(c, "Publish the record as \"v=STSv1; id=ID\" where ID is 1-32 letters"
                            " and digits that change with every policy change (e.g. a time"
                            " stamp 20240101000000)");
        return;
    }
    s->txt = TXT_OK;
    result_fact_str(s->node, "id", t.id);
}

/* ---- the policy ---- */

static void fetch_failed(struct sts *s, struct stc_result *c, stc_rc rc, const struct stc_err *fe,
                         const struct mtasts_fetch_res *res)
{
    if (s->txt == TXT_NONE) {
        result_note(c, "mta-sts.%s exists but serves no policy: %s", s->domain, fe->msg);
        return;
    }
    switch (rc) {
    case STC_E_BLOCKED: /* the address filter: nothing was sent, nothing is known */
        result_msg(c, STC_STATUS_ERROR, "policy not fetched: %s", fe->msg);
        result_fact_bool(c, "address_refused", 1);
        result_recommend(c, "Publish a public address for mta-sts.%s: senders cannot fetch "
                            "the policy from a private, loopback or reserved address",
                         s->domain);
        return;
    case STC_E_TLS:
        result_msg(c, STC_STATUS_FAILURE, "%s", fe->msg);
        result_set_type(c, "sts-webpki-invalid");
        result_recommend(c,
                         "Serve mta-sts.%s with a certificate valid for that name, from a"
                         " public CA, with its intermediate certificates",
                         s->domain);
        return;
    case STC_E_IO:
        result_msg(c, STC_STATUS_ERROR, "could not fetch the policy: %s", fe->msg);
        result_recommend(c, "Give starttls-check a readable trust store (--ca-file or"
                            " --ca-path), then check again");
        return;
    case STC_E_INTERNAL:
    case STC_E_NOMEM:
    case STC_E_INVAL:
        result_msg(c, STC_STATUS_ERROR, "could not fetch the policy: %s", fe->msg);
        result_recommend(c,
                         "Make https://mta-sts.%s/.well-known/mta-sts.txt answer over HTTPS"
                         " on port 443, then check again",
                         s->domain);
        return;
    case STC_E_LIMIT:
        result_msg(c, STC_STATUS_FAILURE, "policy larger than 64 KiB at %s: senders reject it",
                   res->url);
        result_recommend(c, "Keep the policy under 64 KiB: use \"*.\" patterns instead of long"
                            " lists of mx lines");
        break;
    default:
        result_msg(c, STC_STATUS_FAILURE, "%s: senders cannot fetch the policy", fe->msg);
        if (res->http_status >= 300 && res->http_status < 400)
            result_recommend(c,
                             "Serve the policy at %s itself with status 200: senders do not"
                             " follow redirects",
                             res->url);
        else
            result_recommend(c,
                             "Serve the policy at %s with status 200 and Content-Type"
                             " text/plain",
                             res->url);
        break;
    }
    result_set_type(c, "sts-policy-fetch-error");
}

static void policy_facts(struct sts *s)
{
    const struct mtasts_policy *p = &s->pol;
    result_fact_str(s->node, "mode", mtasts_mode_name(p->mode));
    result_fact_int(s->node, "max_age", p->max_age);
    result_fact_list(s->node, "mx");
    for (size_t i = 0; i < p->nmx; i++)
        result_fact_list_add(s->node, "mx", p->mx[i]);
}

static void parse_policy(struct sts *s, struct stc_result *c, const struct mtasts_fetch_res *res)
{
    struct stc_err pe = {STC_OK, ""};
    stc_status cap = s->txt == TXT_NONE ? STC_STATUS_WARNING : STC_STATUS_FAILURE;
    if (!mtasts_content_type_ok(res->content_type))
        result_msg(c, STC_STATUS_WARNING,
                   "the policy is served as \"%s\", not text/plain: RFC 8461 requires text/plain"
                   " and strict senders reject it",
                   res->content_type[0] ? res->content_type : "(no Content-Type)");
    if (!mtasts_content_type_ok(res->content_type))
        result_recommend(c, "Serve the policy as text/plain (nginx: \"default_type text/plain;\""
                            " in the location /.well-known/mta-sts.txt; Apache: \"ForceType"
                            " text/plain\")");
    if (s->o->body_text)
        result_fact_str(s->node, "policy", (const char *)res->body.data);
    stc_rc rc = mtasts_policy_parse(res->body.data, res->body.len, &s->pol, &pe);
    s->parsed = 1;
    add_findings(c, &s->pol.fx, cap,
                 "Write the policy exactly as RFC 8461 3.2 has it: one \"name: value\" field per"
                 " line, no blank lines, each field once (mx may repeat), names in lower case");
    if (rc == STC_E_NOMEM) {
        result_msg(c, STC_STATUS_ERROR, "out of memory parsing the policy");
        return;
    }
    if (rc != STC_OK) {
        if (s->txt != TXT_NONE) {
            result_set_type(c, "sts-policy-invalid");
            result_msg(c, STC_STATUS_FAILURE, "senders reject the policy at %s", res->url);
        }
        result_recommend(c,
                         "A valid policy has the lines \"version: STSv1\", \"mode: testing\""
                         " (or enforce, none), one \"mx: HOST\" per MX host (or \"mx: *.DOMAIN\")"
                         " and \"max_age: 604800\" (seconds), each ending in LF or CRLF");
        return;
    }
    s->have_policy = 1;
    policy_facts(s);
    if (s->pol.mode == MTASTS_MODE_NONE)
        result_note(c, "mode none: senders drop any policy they cached and apply none");
    if (s->pol.max_age > 0 && s->pol.max_age < 604800)
        result_recommend(c, "Raise max_age to at least 604800 (one week); RFC 8461 expects weeks"
                            " or more, e.g. 1209600 or 31557600");
}

/* The policy check, present whatever the record says (as in the original). */
static struct stc_result *add_policy_check(struct sts *s)
{
    return result_add_check(s->node, "mta-sts-policy-file",
                            "Can the policy be fetched over HTTPS, and is it valid (RFC 8461 3.2,"
                            " 3.3)?");
}

static void check_policy(struct sts *s)
{
    const struct mtasts_obs *o = s->o;
    const char *host = o->host;
    struct stc_result *c = add_policy_check(s);

    if (s->txt == TXT_NONE && (o->addr_rc != STC_OK || o->addrs.n == 0)) {
        /* No record, no policy host: nothing published (the record's check
         * says what that costs and recommends both). */
        if (o->addr_rc != STC_OK)
            result_msg(c, STC_STATUS_WARNING, "no MTA-STS policy found: could not resolve %s: %s",
                       host, o->addr_err.msg);
        else
            result_msg(c, STC_STATUS_WARNING, "no MTA-STS policy: %s has no address", host);
        return;
    }
    if (o->addr_rc != STC_OK || o->addrs.n == 0) {
        if (o->addr_rc != STC_OK)
            result_msg(c, STC_STATUS_FAILURE, "could not resolve %s: %s", host, o->addr_err.msg);
        else
            result_msg(c, STC_STATUS_FAILURE,
                       "%s has no address (A/AAAA%s): senders cannot fetch the policy", host,
                       (o->addrs.st4.sec == DNS_BOGUS || o->addrs.st6.sec == DNS_BOGUS)
                           ? ", DNSSEC bogus"
                           : "");
        result_set_type(c, "sts-policy-fetch-error");
        result_recommend(c,
                         "Publish an address record for %s and serve the policy there over"
                         " HTTPS",
                         host);
        return;
    }
    if (o->res.url[0] != '\0')
        result_fact_str(s->node, "policy_url", o->res.url);
    if (o->fetch_rc != STC_OK) {
        fetch_failed(s, c, o->fetch_rc, &o->fetch_err, &o->res);
        return;
    }
    parse_policy(s, c, &o->res);
    if (s->txt == TXT_NONE && s->have_policy) {
        result_msg(c, STC_STATUS_WARNING,
                   "a policy is published at %s, but without the _mta-sts TXT record senders never"
                   " fetch it",
                   o->res.url);
        result_recommend(c,
                         "Publish the TXT record _mta-sts.%s \"v=STSv1; id=20240101000000\" so"
                         " senders use the policy",
                         s->domain);
    }
}

/* ---- the MX hosts ---- */

static int get_bool(const struct stc_result *r, const char *key, int unknown)
{
    long long v = 0;
    if (r == NULL || !stc_result_get_int(r, key, &v))
        return unknown;
    return v != 0;
}

static void host_view(const struct stc_result *h, struct mtasts_host *v)
{
    const struct stc_result *conn = stc_result_find(h, CHECK_CONNECTIVITY);
    const struct stc_result *ver = stc_result_find(h, CHECK_VERSION);
    const struct stc_result *cert = stc_result_find(h, CHECK_CERTIFICATE);
    long long x = 0;
    memset(v, 0, sizeof *v);
    v->name = stc_result_name(h);
    v->connected =
        get_bool(h, "connected", conn != NULL && stc_result_status(conn) == STC_STATUS_SUCCESS);
    v->starttls = get_bool(stc_result_find(h, CHECK_STARTTLS), "handshake", -1);
    v->tls_version = (ver && stc_result_get_int(ver, "negotiated_code", &x)) ? (long)x : 0;
    v->cert_valid = get_bool(cert, "valid", -1);
    v->cert_trusted = get_bool(cert, "chain_trusted", -1);
    v->name_matches = get_bool(cert, "name_matches", -1);
    v->days_to_expiry = (cert && stc_result_get_int(cert, "days_to_expiry", &x)) ? x : LLONG_MIN;
    v->name_in_cn_only = get_bool(cert, "name_matches", 0) == 1 &&
                         get_bool(cert, "name_in_san", 1) == 0;
}

/* Append "; s" (or s when out is empty), truncating to fit out[n]. */
static void append(char *out, size_t n, const char *s)
{
    size_t l = strnlen(out, n);
    const char *sep = l ? "; " : "";
    size_t sl = strlen(sep), len = strlen(s);
    if (l + sl + 1 >= n)
        return;
    memcpy(out + l, sep, sl);
    l += sl;
    if (len > n - l - 1)
        len = n - l - 1;
    memcpy(out + l, s, len);
    out[l + len] = '\0';
}

/* "a, b, c" of the policy's patterns (truncated). */
static void list_patterns(char *const *pats, size_t n, char *out, size_t outsz)
{
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t l = strnlen(out, outsz);
        if (l + strlen(pats[i]) + 8 >= outsz) {
            snprintf(out + l, outsz - l, "%s...", l ? ", " : "");
            return;
        }
        snprintf(out + l, outsz - l, "%s%s", l ? ", " : "", pats[i]);
    }
}

static void describe(unsigned viol, const struct stc_result *h, char *const *pats, size_t npats,
                     char *out, size_t outsz)
{
    char buf[NAMES_SHOWN + 64];
    char pl[NAMES_SHOWN];
    out[0] = '\0';
    if (viol & MTASTS_V_PATTERN) {
        list_patterns(pats, npats, pl, sizeof pl);
        snprintf(buf, sizeof buf, "it matches none of the mx patterns (%s)", pl);
        append(out, outsz, buf);
    }
    if (viol & MTASTS_V_STARTTLS) {
        const struct stc_result *st = stc_result_find(h, CHECK_STARTTLS);
        append(out, outsz,
               get_bool(st, "advertised", 1) ? "the STARTTLS handshake fails"
                                             : "it does not offer STARTTLS");
    }
    if (viol & MTASTS_V_VERSION) {
        const struct stc_result *ver = stc_result_find(h, CHECK_VERSION);
        const char *vn = ver ? stc_result_get_str(ver, "negotiated") : NULL;
        snprintf(buf, sizeof buf, "it negotiates %s; TLS 1.2 or newer is required",
                 vn ? vn : "a TLS version below 1.2");
        append(out, outsz, buf);
    }
    if (viol & MTASTS_V_CERT_EXPIRED)
        append(out, outsz, "its certificate has expired");
    if (viol & MTASTS_V_CERT_NAME)
        append(out, outsz, "its certificate is not valid for its name");
    if (viol & MTASTS_V_CERT_NO_SAN)
        append(out, outsz,
               "its certificate names it only in the subject CN, and RFC 8461 4.2 requires a "
               "subjectAltName");
    if (viol & MTASTS_V_CERT_TRUST)
        append(out, outsz, "its certificate does not chain to a trusted root");
    if (viol & MTASTS_V_CERT_OTHER)
        append(out, outsz, "its certificate is not valid");
}

static const char *violation_type(unsigned viol)
{
    if (viol & MTASTS_V_STARTTLS)
        return "starttls-not-supported";
    if (viol & MTASTS_V_CERT_EXPIRED)
        return "certificate-expired";
    if (viol & (MTASTS_V_CERT_NAME | MTASTS_V_CERT_NO_SAN))
        return "certificate-host-mismatch";
    if (viol & MTASTS_V_CERT_TRUST)
        return "certificate-not-trusted";
    return "validation-failure";
}

static void recommend_fix(struct stc_result *c, unsigned viol, const char *host)
{
    if (viol & MTASTS_V_PATTERN)
        result_recommend(c,
                         "Add \"mx: %s\" (or a \"*.\" pattern covering it) to the policy and"
                         " change its id, or remove %s from the MX records",
                         host, host);
    if (viol & MTASTS_V_STARTTLS)
        result_recommend(c, "Enable STARTTLS on %s", host);
    if (viol & MTASTS_V_VERSION)
        result_recommend(c, "Enable TLS 1.2 and TLS 1.3 on %s", host);
    if (viol & (MTASTS_V_CERT_EXPIRED | MTASTS_V_CERT_NAME | MTASTS_V_CERT_TRUST |
                MTASTS_V_CERT_OTHER | MTASTS_V_CERT_NO_SAN))
        result_recommend(c,
                         "Give %s a current certificate for its own name from a public CA,"
                         " with the intermediate chain",
                         host);
}

/* One host: returns 1 when it is reachable and violates the policy; *reached says if it connected.
 */
static int check_host(struct sts *s, struct stc_result *c, const struct stc_result *h,
                      stc_status sev, size_t *reached)
{
    struct mtasts_host v;
    char why[STC_MSG_MAX / 2];
    host_view(h, &v);
    unsigned viol = mtasts_host_violations(s->pol.mx, s->pol.nmx, &v);
    if (v.connected != 1) {
        result_note(c, "%s could not be reached, so only its name was checked: it %s the policy",
                    v.name, (viol & MTASTS_V_PATTERN) ? "does not match" : "matches");
        if (viol & MTASTS_V_PATTERN)
            recommend_fix(c, MTASTS_V_PATTERN, v.name);
        return 0;
    }
    (*reached)++;
    if (viol == 0)
        return 0;
    describe(viol, h, s->pol.mx, s->pol.nmx, why, sizeof why);
    if (sev == STC_STATUS_FAILURE)
        result_msg(c, sev, "senders enforcing your policy will not deliver to %s: %s", v.name, why);
    else if (sev == STC_STATUS_WARNING)
        result_msg(c, sev,
                   "%s: %s; in testing mode senders deliver anyway and report it, in enforce"
                   " mode they would not deliver",
                   v.name, why);
    else
        result_note(c, "%s: %s (no effect while senders apply no policy)", v.name, why);
    if (sev != STC_STATUS_SUCCESS)
        result_set_type(c, violation_type(viol));
    recommend_fix(c, viol, v.name);
    return 1;
}

static void check_mx(struct sts *s)
{
    struct stc_result *c = result_add_check(
        s->node, "mta-sts-mx",
        "Does every MX host match the policy and offer STARTTLS with TLS 1.2 or newer and a"
        " certificate valid for its name (RFC 8461 4, 5)?");
    stc_status sev = s->pol.mode == MTASTS_MODE_ENFORCE   ? STC_STATUS_FAILURE
                     : s->pol.mode == MTASTS_MODE_TESTING ? STC_STATUS_WARNING
                                                          : STC_STATUS_SUCCESS;
    size_t nhosts = 0, nreached = 0, nbad = 0;
    if (s->txt == TXT_NONE)
        sev = STC_STATUS_SUCCESS;
    for (size_t i = 0; i < stc_result_child_count(s->root); i++) {
        const struct stc_result *h = stc_result_child(s->root, i);
        if (stc_result_kind(h) != STC_NODE_HOST)
            continue;
        nhosts++;
        nbad += (size_t)check_host(s, c, h, sev, &nreached);
    }
    for (size_t p = 0; p < s->pol.nmx; p++) {
        int used = 0;
        for (size_t i = 0; i < stc_result_child_count(s->root) && !used; i++) {
            const struct stc_result *h = stc_result_child(s->root, i);
            const char *hn = stc_result_name(h);
            used = stc_result_kind(h) == STC_NODE_HOST &&
                   mtasts_pattern_match(hn, strlen(hn), s->pol.mx[p], strlen(s->pol.mx[p]));
        }
        if (!used && nhosts > 0)
            result_note(c, "mx pattern %s matches none of the MX hosts", s->pol.mx[p]);
    }
    if (nhosts == 0)
        result_note(c, "no MX host was checked, so the policy could not be compared with them");
    else if (nbad == 0 && nhosts == 1 && nreached == 1)
        result_note(c, "the MX host satisfies the policy");
    else if (nbad == 0 && nreached == nhosts && nhosts == 2)
        result_note(c, "both MX hosts satisfy the policy");
    else if (nbad == 0 && nreached == nhosts)
        result_note(c, "all %zu MX hosts satisfy the policy", nhosts);
    else if (nbad == 0)
        result_note(c, "%zu reachable MX host%s of %zu satisf%s the policy", nreached,
                    nreached == 1 ? "" : "s", nhosts, nreached == 1 ? "ies" : "y");
    if (nbad == 0 && nhosts > 0 && s->pol.mode == MTASTS_MODE_TESTING && s->txt == TXT_OK)
        result_recommend(c, "Once TLS-RPT reports show no failures, switch the policy to"
                            " \"mode: enforce\" (and change the TXT id)");
}

/* ---- no MTA-STS: what to publish ---- */

static void recommend_publish(struct sts *s)
{
    char mx[NAMES_SHOWN];
    char id[32];
    time_t now = time(NULL);
    struct tm tm;
    long fi = stc_result_fact_index(s->root, "mx_hosts");
    mx[0] = '\0';
    if (fi >= 0 && stc_result_fact_type(s->root, (size_t)fi) == STC_FACT_LIST) {
        for (size_t j = 0; j < stc_result_fact_list_len(s->root, (size_t)fi); j++) {
            const char *h = stc_result_fact_list_item(s->root, (size_t)fi, j);
            size_t l = strnlen(mx, sizeof mx);
            if (l + strlen(h) + 16 >= sizeof mx)
                break;
            snprintf(mx + l, sizeof mx - l, "mx: %s / ", h);
        }
    }
    if (mx[0] == '\0')
        snprintf(mx, sizeof mx, "mx: (each MX host) / ");
    if (gmtime_r(&now, &tm) == NULL || strftime(id, sizeof id, "%Y%m%d%H%M%S", &tm) == 0)
        snprintf(id, sizeof id, "1");
    result_recommend(s->node,
                     "Publish MTA-STS (RFC 8461): the TXT record _mta-sts.%s \"v=STSv1; id=%s\","
                     " and at https://mta-sts.%s/.well-known/mta-sts.txt (HTTP 200, text/plain,"
                     " a certificate valid for mta-sts.%s) the policy: version: STSv1 /"
                     " mode: testing / %smax_age: 604800",
                     s->domain, id, s->domain, s->domain, mx);
    result_recommend(s->node, "Start the MTA-STS policy in mode testing, publish TLS-RPT so that"
                              " senders report failures, and switch the policy to mode: enforce"
                              " once the reports are clean");
}

void check_mtasts(const struct mtasts_obs *o, const char *domain, struct stc_result *root)
{
    struct sts s;
    memset(&s, 0, sizeof s);
    s.o = o;
    s.domain = domain;
    s.root = root;
    s.node = result_add_check(root, CHECK_MTASTS,
                              "Does the domain publish a valid MTA-STS policy (RFC 8461) that"
                              " its MX hosts satisfy?");
    if (s.node == NULL)
        return;
    check_text(&s);
    if (s.txt != TXT_ERROR)
        check_policy(&s);
    else
        result_msg(add_policy_check(&s), STC_STATUS_ERROR,
                   "not tested: without an answer for the TXT record it is unknown whether"
                   " senders fetch a policy");
    if (s.have_policy)
        check_mx(&s);
    if (s.txt == TXT_NONE && !s.have_policy)
        recommend_publish(&s);
    result_fact_bool(s.node, "active",
                     s.txt == TXT_OK && s.have_policy && s.pol.mode != MTASTS_MODE_NONE);
    if (s.parsed)
        mtasts_policy_free(&s.pol);
    /* The node's own type: the first one a sub-check set. */
    for (size_t i = 0; i < stc_result_child_count(s.node); i++)
        result_set_type(s.node, stc_result_type(stc_result_child(s.node, i)));
    result_rollup(s.node);
}
