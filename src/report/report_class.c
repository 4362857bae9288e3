/*
 * NAME
 *     report_class - classify a domain result for the report's charts
 * SYNOPSIS
 *     #include "report_class.h"
 *     struct rep_dom d;
 *     rep_dom_classify(tree, &d);   ... d.starttls, d.hosts[i].cert ...
 *     rep_dom_free(&d);
 * DESCRIPTION
 *     One place decides which bar a domain or an MX host counts in:
 *       starttls  per domain, over the hosts that connected: all of them
 *                 complete a TLS handshake, some, none; no host connected;
 *                 no MX host at all (null MX, no MX that resolves).
 *       cert      per host with a handshake: valid, else the first reason
 *                 of: expired (days_to_expiry < 0), not yet valid, wrong
 *                 name (name_matches false), untrusted issuer
 *                 (chain_trusted false), weak key or signature, other.
 *       version   per host with a handshake: the negotiated version.
 *       cipher    per host with a handshake, from the suite name: broken
 *                 (NULL, EXPORT, RC4, DES, anonymous), AEAD with forward
 *                 secrecy (TLS 1.3 suites, (EC)DHE with GCM, CCM or
 *                 ChaCha20), CBC with forward secrecy, no forward secrecy
 *                 (RSA key exchange).
 *       mta-sts   enforce / testing / mode none (a valid active policy),
 *                 failing (status failure or error), not published.
 *       tls-rpt   valid record, invalid record (failure), none.
 *       dnssec    the MX records' state (mx_dnssec), or not validated.
 *       dane      all MX hosts DANE-authenticated, some, TLSA present but
 *                 not usable (warning), TLSA failing (failure), no TLSA,
 *                 MX records not signed.
 *     Findings: every host check and domain-level check whose status is
 *     warning or worse gives the key "CHECK" or "CHECK: RESULT_TYPE"
 *     (the node's RFC 8460 type, else the name of its first child that
 *     is not a success), once per domain with the most severe status; a
 *     domain whose MX records are DNSSEC-bogus gives "dnssec: bogus".
 *     The tree is only read.
 * LIMITS
 *     REP_FIND_MAX findings per domain; keys cut at REP_KEY_MAX - 1 bytes.
 * DIAGNOSTICS
 *     STC_E_NOMEM when the host array cannot be allocated.
 */
#include "report_class.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const rep_starttls_label[RS_N] = {"STARTTLS on all MX hosts", "on some MX hosts",
                                              "on no MX host", "no MX host reachable",
                                              "no MX host"};
const char *const rep_cert_label[RC_N] = {"valid",      "expired",          "not yet valid",
                                          "wrong name", "untrusted issuer", "weak key or signature",
                                          "other"};
const char *const rep_ver_label[RV_N] = {"TLS 1.3", "TLS 1.2", "TLS 1.1",
                                         "TLS 1.0", "SSL 3",   "other"};
const char *const rep_ciph_label[RCI_N] = {"AEAD, forward secret", "CBC, forward secret",
                                           "no forward secrecy", "broken", "unknown"};
const char *const rep_sts_label[RT_N] = {"enforce", "testing",       "mode none",
                                         "failing", "not published", "not checked"};
const char *const rep_rpt_label[RR_N] = {"valid record", "invalid record", "none", "not checked"};
const char *const rep_dnssec_label[RD_N] = {"signed (secure)", "not signed", "bogus", "unknown",
                                            "not validated"};
const char *const rep_dane_label[RDA_N] = {"all MX authenticated",
                                           "some MX authenticated",
                                           "TLSA not usable",
                                           "TLSA fails",
                                           "no TLSA",
                                           "MX not signed",
                                           "not checked"};

int rep_status_rank(int s)
{
    switch (s) {
    case STC_DOMAIN_SUCCESS: return 0;
    case STC_DOMAIN_WARNING: return 1;
    case STC_DOMAIN_ERROR: return 2;
    default: return 3;
    }
}

const char *rep_status_text(int s)
{
    if (s < 0 || s >= RST_N)
        return "?";
    return stc_domain_status_text((stc_domain_status)s);
}

static int get_bool(const struct stc_result *r, const char *key, int dflt)
{
    long long v = 0;
    if (r == NULL || !stc_result_get_int(r, key, &v))
        return dflt;
    return v != 0;
}

static const char *get_str(const struct stc_result *r, const char *key)
{
    const char *s = r ? stc_result_get_str(r, key) : NULL;
    return s && *s ? s : NULL;
}

static int has_message(const struct stc_result *r, const char *needle)
{
    for (size_t i = 0; i < stc_result_message_count(r); i++)
        if (strstr(stc_result_message(r, i), needle) != NULL)
            return 1;
    return 0;
}

static enum rep_cert cert_class(const struct stc_result *c, char *text, size_t tn)
{
    long long days = 0;
    int have_days = c != NULL && stc_result_get_int(c, "days_to_expiry", &days);
    if (c == NULL) {
        snprintf(text, tn, "-");
        return RC_OTHER;
    }
    int valid = get_bool(c, "valid", stc_result_status(c) == STC_STATUS_SUCCESS);
    if (have_days && days < 0)
        snprintf(text, tn, "expired");
    else if (have_days)
        snprintf(text, tn, "%s %lldd", valid ? "valid" : "invalid", days);
    else
        snprintf(text, tn, "%s", valid ? "valid" : "invalid");
    if (valid)
        return RC_VALID;
    if (have_days && days < 0)
        return RC_EXPIRED;
    if (has_message(c, "not yet valid"))
        return RC_NOTYET;
    if (!get_bool(c, "name_matches", 1))
        return RC_NAME;
    if (!get_bool(c, "chain_trusted", 1))
        return RC_UNTRUSTED;
    if (has_message(c, "Weak certificate"))
        return RC_WEAK;
    return RC_OTHER;
}

static enum rep_ver ver_class(const char *v)
{
    if (v == NULL)
        return RV_OTHER;
    if (strcmp(v, "TLSv1.3") == 0)
        return RV_13;
    if (strcmp(v, "TLSv1.2") == 0)
        return RV_12;
    if (strcmp(v, "TLSv1.1") == 0)
        return RV_11;
    if (strcmp(v, "TLSv1") == 0 || strcmp(v, "TLSv1.0") == 0)
        return RV_10;
    if (strcmp(v, "SSLv3") == 0)
        return RV_SSL3;
    return RV_OTHER;
}

static enum rep_ciph ciph_class(const char *s)
{
    if (s == NULL)
        return RCI_UNKNOWN;
    if (strstr(s, "NULL") || strstr(s, "EXPORT") || strstr(s, "RC4") || strstr(s, "_DES_") ||
        strstr(s, "anon") || strstr(s, "ADH") || strstr(s, "AECDH"))
        return RCI_BROKEN;
    int aead = strstr(s, "GCM") || strstr(s, "CCM") || strstr(s, "CHACHA20");
    int tls13 = strncmp(s, "TLS_AES_", 8) == 0 || strncmp(s, "TLS_CHACHA20_", 13) == 0;
    int pfs = tls13 || strstr(s, "ECDHE") || strstr(s, "DHE");
    if (pfs)
        return aead ? RCI_AEAD_PFS : RCI_CBC_PFS;
    if (strstr(s, "RSA"))
        return RCI_NOPFS;
    return RCI_UNKNOWN;
}

static void dane_text(const struct stc_result *c, char *text, size_t tn)
{
    if (c == NULL) {
        snprintf(text, tn, "-");
        return;
    }
    stc_status s = stc_result_status(c);
    if (get_bool(c, "authenticated", 0) && s <= STC_STATUS_WARNING)
        snprintf(text, tn, "valid");
    else if (!get_bool(c, "tlsa_present", 1) && s == STC_STATUS_SUCCESS)
        snprintf(text, tn, "no TLSA");
    else
        snprintf(text, tn, "%s", stc_status_text(s));
}

static void classify_host(const struct stc_result *h, struct rep_host *x)
{
    const struct stc_result *st = stc_result_find(h, "starttls");
    const struct stc_result *ver = stc_result_find(h, "version");
    const struct stc_result *ci = stc_result_find(h, "cipher");
    x->node = h;
    x->reachable = get_bool(h, "connected", 0);
    x->tls = get_bool(st, "handshake", 0);
    x->ver_text = get_str(ver, "negotiated");
    x->ciph_text = get_str(ci, "negotiated");
    x->ver = ver_class(x->ver_text);
    x->ciph = ciph_class(x->ciph_text);
    if (x->ver_text == NULL)
        x->ver_text = "-";
    if (x->ciph_text == NULL)
        x->ciph_text = "-";
    x->cert = cert_class(stc_result_find(h, "certificate"), x->cert_text, sizeof x->cert_text);
    dane_text(stc_result_find(h, "dane"), x->dane_text, sizeof x->dane_text);
}

const char *rep_host_starttls(const struct rep_host *h)
{
    const struct stc_result *st = stc_result_find(h->node, "starttls");
    if (st == NULL)
        return "-";
    if (!get_bool(st, "advertised", 1))
        return "no";
    return h->tls ? "yes" : "failed";
}

static void add_finding(struct rep_dom *d, const char *check, const char *sub, int sev)
{
    char key[REP_KEY_MAX];
    if (sub != NULL && *sub)
        snprintf(key, sizeof key, "%s: %s", check, sub);
    else
        snprintf(key, sizeof key, "%s", check);
    for (size_t i = 0; i < d->nfind; i++)
        if (strcmp(d->find[i].key, key) == 0) {
            if (sev > d->find[i].sev)
                d->find[i].sev = sev;
            return;
        }
    if (d->nfind == REP_FIND_MAX)
        return;
    memcpy(d->find[d->nfind].key, key, sizeof key);
    d->find[d->nfind].sev = sev;
    d->nfind++;
}

/* A check that is not a success: its key (type, or first child that is not a success). */
static void check_finding(struct rep_dom *d, const struct stc_result *c)
{
    stc_status s = stc_result_status(c);
    if (s < STC_STATUS_WARNING)
        return;
    const char *sub = stc_result_type(c);
    for (size_t i = 0; sub == NULL && i < stc_result_child_count(c); i++) {
        const struct stc_result *k = stc_result_child(c, i);
        if (stc_result_status(k) >= STC_STATUS_WARNING)
            sub = stc_result_type(k) ? stc_result_type(k) : stc_result_name(k);
    }
    add_finding(d, stc_result_name(c), sub, (int)s);
}

static enum rep_sts sts_class(const struct stc_result *m)
{
    if (m == NULL)
        return RT_UNCHECKED;
    stc_status s = stc_result_status(m);
    const char *mode = get_str(m, "mode");
    if (s >= STC_STATUS_FAILURE)
        return RT_FAILING;
    if (!get_bool(m, "active", 0) || mode == NULL)
        return RT_ABSENT;
    if (strcmp(mode, "enforce") == 0)
        return RT_ENFORCE;
    if (strcmp(mode, "testing") == 0)
        return RT_TESTING;
    if (strcmp(mode, "none") == 0)
        return RT_NONE_MODE;
    return RT_FAILING;
}

static enum rep_rpt rpt_class(const struct stc_result *t)
{
    if (t == NULL)
        return RR_UNCHECKED;
    if (get_str(t, "record") == NULL)
        return RR_ABSENT;
    return stc_result_status(t) >= STC_STATUS_FAILURE ? RR_INVALID : RR_VALID;
}

static enum rep_dnssec dnssec_class(const struct stc_result *root)
{
    const char *s = get_str(root, "mx_dnssec");
    if (!get_bool(root, "dnssec_validated", 1) || s == NULL)
        return RD_UNVALIDATED;
    if (strcmp(s, "secure") == 0)
        return RD_SECURE;
    if (strcmp(s, "insecure") == 0)
        return RD_INSECURE;
    if (strcmp(s, "bogus") == 0)
        return RD_BOGUS;
    return RD_UNKNOWN;
}

static enum rep_dane dane_class(const struct stc_result *t, enum rep_dnssec dnssec)
{
    if (t == NULL)
        return dnssec == RD_INSECURE ? RDA_NODNSSEC : RDA_UNCHECKED;
    const char *cov = get_str(t, "coverage");
    const char *mx = get_str(t, "mx_dnssec");
    stc_status s = stc_result_status(t);
    if ((mx != NULL && strcmp(mx, "secure") != 0) || dnssec == RD_INSECURE)
        return RDA_NODNSSEC;
    if (cov != NULL && strcmp(cov, "all") == 0 && s <= STC_STATUS_WARNING)
        return RDA_ALL;
    if (s >= STC_STATUS_FAILURE)
        return RDA_FAIL;
    if (cov != NULL && strcmp(cov, "none") != 0 && strcmp(cov, "all") != 0)
        return RDA_SOME;
    if (s == STC_STATUS_WARNING)
        return RDA_UNUSABLE;
    return RDA_NOTLSA;
}

stc_rc rep_dom_classify(const struct stc_result *root, struct rep_dom *d)
{
    size_t nchild = stc_result_child_count(root), nh = 0;
    size_t reach = 0, tls = 0, valid = 0;
    memset(d, 0, sizeof *d);
    d->root = root;
    d->status = (int)stc_result_domain_status(root);
    d->rank = rep_status_rank(d->status);
    d->null_mx = get_bool(root, "null_mx", 0);
    for (size_t i = 0; i < nchild; i++)
        nh += stc_result_kind(stc_result_child(root, i)) == STC_NODE_HOST;
    if (nh > 0) {
        d->hosts = calloc(nh, sizeof *d->hosts);
        if (d->hosts == NULL)
            return STC_E_NOMEM;
    }
    for (size_t i = 0; i < nchild; i++) {
        const struct stc_result *c = stc_result_child(root, i);
        if (stc_result_kind(c) != STC_NODE_HOST) {
            check_finding(d, c);
            continue;
        }
        struct rep_host *x = &d->hosts[d->nhosts++];
        classify_host(c, x);
        reach += (size_t)x->reachable;
        tls += (size_t)x->tls;
        if (x->tls) {
            valid += x->cert == RC_VALID;
            d->expired |= x->cert == RC_EXPIRED;
        }
        for (size_t k = 0; k < stc_result_child_count(c); k++)
            check_finding(d, stc_result_child(c, k));
    }
    if (d->nhosts == 0)
        d->starttls = RS_NOMX;
    else if (reach == 0)
        d->starttls = RS_UNREACHABLE;
    else if (tls == 0)
        d->starttls = RS_NONE;
    else
        d->starttls = tls >= reach ? RS_ALL : RS_SOME;
    d->all_valid_certs = tls > 0 && valid == tls;
    d->sts = sts_class(stc_result_find(root, "mta_sts"));
    d->rpt = rpt_class(stc_result_find(root, "tls-rpt"));
    d->dnssec = dnssec_class(root);
    d->dane = dane_class(stc_result_find(root, "dane"), d->dnssec);
    if (d->dnssec == RD_BOGUS)
        add_finding(d, "dnssec", "bogus", STC_STATUS_ERROR);
    return STC_OK;
}

void rep_dom_free(struct rep_dom *d)
{
    free(d->hosts);
    d->hosts = NULL;
    d->nhosts = 0;
}

/* Second-level labels under which a 2-letter country code registers names. */
static int cc_second_level(const char *label, size_t n)
{
    static const char *const sl[] = {"co",  "com", "net", "org", "ac",
                                     "gov", "edu", "ne",  "or",  NULL};
    for (size_t i = 0; sl[i] != NULL; i++)
        if (strlen(sl[i]) == n && memcmp(sl[i], label, n) == 0)
            return 1;
    return 0;
}

const char *rep_mx_suffix(const char *host)
{
    size_t n = strlen(host);
    while (n > 0 && host[n - 1] == '.')
        n--;
    /* Label starts, from the right. */
    size_t starts[3] = {0, 0, 0};
    int found = 0;
    for (size_t i = n; i > 0 && found < 3; i--)
        if (host[i - 1] == '.')
            starts[found++] = i;
    if (found < 2)
        return host;
    /* starts[0]: the TLD, starts[1]: the second-level label. */
    size_t tld_len = n - starts[0];
    size_t sl_len = starts[0] - 1 - starts[1];
    if (tld_len == 2 && cc_second_level(host + starts[1], sl_len))
        return found >= 3 ? host + starts[2] : host;
    return host + starts[1];
}
