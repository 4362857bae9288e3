/*
 * NAME
 *     scan_agg - count what a scan found
 * SYNOPSIS
 *     scan_agg_init(&a); scan_agg_add(&a, tree, err); ... a.st ...; scan_agg_free(&a);
 * DESCRIPTION
 *     The original's AggregatedScan (attempted, with MX, MTA-STS testing and
 *     enforce) plus: the domain status distribution, domains whose every
 *     connected MX host did STARTTLS / showed a valid certificate, DANE,
 *     TLS-RPT, null MX; and per unique MX host (counted the first time the
 *     host is seen, so a provider with 100k domains counts once): connected,
 *     STARTTLS, valid certificate, negotiated TLS version, weak ciphers
 *     accepted, DANE. Reads trees through the public accessors only.
 *     scan_agg_sum_of takes what the statistics need from one domain's
 *     tree into a small summary (a worker does it, so the tree is freed in
 *     the thread that built it); scan_agg_add_sum counts a summary, in the
 *     single writer thread, so a domain counts once its record is written.
 *     The aggregate is not locked.
 * LIMITS
 *     Memory: one name per unique MX host (scan_seen, exact).
 * DIAGNOSTICS
 *     scan_agg_add: STC_E_NOMEM.
 */
#include "scan_agg.h"

#include <stdlib.h>
#include <string.h>

#include "../util/err.h"

void scan_agg_init(struct scan_agg *a)
{
    memset(a, 0, sizeof *a);
    a->st.size = sizeof a->st;
    scan_seen_init(&a->hosts);
}

void scan_agg_free(struct scan_agg *a)
{
    scan_seen_free(&a->hosts);
}

static int fact_true(const struct stc_result *r, const char *key)
{
    long long v = 0;
    return r != NULL && stc_result_get_int(r, key, &v) && v != 0;
}

static int host_connected(const struct stc_result *h)
{
    const struct stc_result *c = stc_result_find(h, "connectivity");
    return c != NULL && stc_result_status(c) == STC_STATUS_SUCCESS;
}

static int host_starttls(const struct stc_result *h)
{
    return fact_true(stc_result_find(h, "starttls"), "handshake");
}

static int host_valid_cert(const struct stc_result *h)
{
    return fact_true(stc_result_find(h, "certificate"), "valid");
}

const char *const scan_tls_version_names[5] = {"TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1", "other"};

static int version_slot(const char *v)
{
    for (int i = 0; v != NULL && i < 4; i++)
        if (strcmp(v, scan_tls_version_names[i]) == 0)
            return i;
    return 4;
}

/* One MX host as the statistics see it. */
static void host_sum(struct scan_agg_host *o, const struct stc_result *h)
{
    o->connected = host_connected(h);
    o->starttls = o->connected && host_starttls(h);
    o->valid_cert = o->starttls && host_valid_cert(h);
    const struct stc_result *v = stc_result_find(h, "version");
    o->version_slot = (unsigned char)version_slot(v ? stc_result_get_str(v, "negotiated") : NULL);
    const struct stc_result *c = stc_result_find(h, "cipher");
    o->weak_cipher = c != NULL && stc_result_status(c) >= STC_STATUS_WARNING;
    o->dane = fact_true(stc_result_find(h, "dane"), "authenticated");
}

static void count_host(struct stc_scan_stats *st, const struct scan_agg_host *h)
{
    st->unique_hosts++;
    if (!h->connected)
        return;
    st->hosts_connected++;
    if (!h->starttls)
        return;
    st->hosts_starttls++;
    st->hosts_valid_cert += (uint64_t)h->valid_cert;
    st->tls_versions[h->version_slot]++;
    st->hosts_weak_cipher += (uint64_t)h->weak_cipher;
    st->hosts_dane += (uint64_t)h->dane;
}

static void mtasts_sum(struct scan_agg_sum *o, const struct stc_result *d)
{
    const struct stc_result *m = stc_result_find(d, "mta_sts");
    if (m == NULL)
        return;
    const char *mode = stc_result_get_str(m, "mode");
    if (mode == NULL)
        for (size_t i = 0; i < stc_result_child_count(m) && mode == NULL; i++)
            mode = stc_result_get_str(stc_result_child(m, i), "mode");
    o->mtasts_testing = mode != NULL && strcmp(mode, "testing") == 0;
    o->mtasts_enforce = mode != NULL && strcmp(mode, "enforce") == 0;
    o->mtasts_valid = mode != NULL && stc_result_status(m) <= STC_STATUS_WARNING;
}

stc_rc scan_agg_sum_of(const struct stc_result *d, struct scan_agg_sum **out, struct stc_err *err)
{
    size_t nhosts = 0, names = 0;
    for (size_t i = 0; i < stc_result_child_count(d); i++) {
        const struct stc_result *h = stc_result_child(d, i);
        if (stc_result_kind(h) == STC_NODE_HOST) {
            nhosts++;
            names += strlen(stc_result_name(h)) + 1;
        }
    }
    /* One allocation: the summary, its hosts, their names. */
    struct scan_agg_sum *o = calloc(1, sizeof *o + nhosts * sizeof *o->hosts + names);
    if (o == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    o->hosts = (struct scan_agg_host *)(o + 1);
    char *at = (char *)(o->hosts + nhosts);
    for (size_t i = 0; i < stc_result_child_count(d); i++) {
        const struct stc_result *h = stc_result_child(d, i);
        if (stc_result_kind(h) != STC_NODE_HOST)
            continue;
        struct scan_agg_host *oh = &o->hosts[o->nhosts++];
        size_t n = strlen(stc_result_name(h)) + 1;
        memcpy(at, stc_result_name(h), n);
        oh->name = at;
        at += n;
        host_sum(oh, h);
    }
    o->domain_status = stc_result_domain_status(d);
    long fi = stc_result_fact_index(d, "mx_hosts");
    o->with_mx = fi >= 0 && stc_result_fact_list_len(d, (size_t)fi) > 0;
    o->null_mx = fact_true(d, "null_mx");
    mtasts_sum(o, d);
    const struct stc_result *r = stc_result_find(d, "tls-rpt");
    o->tlsrpt = r != NULL && stc_result_status(r) == STC_STATUS_SUCCESS;
    const struct stc_result *dn = stc_result_find(d, "dane");
    long long auth = 0, hosts = 0;
    if (dn != NULL && stc_result_get_int(dn, "hosts_authenticated", &auth) && auth > 0) {
        o->dane_some = 1;
        o->dane_all = stc_result_get_int(dn, "hosts", &hosts) && auth >= hosts;
    }
    *out = o;
    return STC_OK;
}

stc_rc scan_agg_add_sum(struct scan_agg *a, const struct scan_agg_sum *o, struct stc_err *err)
{
    struct stc_scan_stats *st = &a->st;
    size_t connected = 0, tls = 0, valid = 0;
    st->attempted++;
    unsigned ds = (unsigned)o->domain_status;
    st->status[ds < 7 ? ds : 3]++;
    st->with_mx += (uint64_t)o->with_mx;
    st->null_mx += (uint64_t)o->null_mx;
    for (size_t i = 0; i < o->nhosts; i++) {
        const struct scan_agg_host *h = &o->hosts[i];
        int fresh = 0;
        stc_rc rc = scan_seen_add(&a->hosts, h->name, &fresh, err);
        if (rc != STC_OK)
            return rc;
        if (fresh)
            count_host(st, h);
        connected += (size_t)h->connected;
        tls += (size_t)h->starttls;
        valid += (size_t)h->valid_cert;
    }
    if (connected > 0) {
        st->connected++;
        st->starttls_all += (uint64_t)(tls == connected);
        st->valid_cert_all += (uint64_t)(valid == connected);
    }
    st->mtasts_testing += (uint64_t)o->mtasts_testing;
    st->mtasts_enforce += (uint64_t)o->mtasts_enforce;
    st->mtasts_valid += (uint64_t)o->mtasts_valid;
    st->tlsrpt += (uint64_t)o->tlsrpt;
    st->dane_some += (uint64_t)o->dane_some;
    st->dane_all += (uint64_t)o->dane_all;
    return STC_OK;
}

stc_rc scan_agg_add(struct scan_agg *a, const struct stc_result *d, struct stc_err *err)
{
    struct scan_agg_sum *o = NULL;
    stc_rc rc = scan_agg_sum_of(d, &o, err);
    if (rc == STC_OK)
        rc = scan_agg_add_sum(a, o, err);
    free(o);
    return rc;
}
