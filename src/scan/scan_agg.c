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
 *     accepted, DANE. Reads trees through the public accessors only. Used
 *     by the single writer thread; not locked.
 * LIMITS
 *     Memory: one name per unique MX host (scan_seen, exact).
 * DIAGNOSTICS
 *     scan_agg_add: STC_E_NOMEM.
 */
#include "scan_agg.h"

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

static void count_host(struct stc_scan_stats *st, const struct stc_result *h)
{
    st->unique_hosts++;
    if (!host_connected(h))
        return;
    st->hosts_connected++;
    if (!host_starttls(h))
        return;
    st->hosts_starttls++;
    st->hosts_valid_cert += (uint64_t)host_valid_cert(h);
    const struct stc_result *v = stc_result_find(h, "version");
    st->tls_versions[version_slot(v ? stc_result_get_str(v, "negotiated") : NULL)]++;
    const struct stc_result *c = stc_result_find(h, "cipher");
    st->hosts_weak_cipher += (uint64_t)(c != NULL && stc_result_status(c) >= STC_STATUS_WARNING);
    st->hosts_dane += (uint64_t)fact_true(stc_result_find(h, "dane"), "authenticated");
}

stc_rc scan_agg_add(struct scan_agg *a, const struct stc_result *d, struct stc_err *err)
{
    struct stc_scan_stats *st = &a->st;
    size_t connected = 0, tls = 0, valid = 0;
    st->attempted++;
    unsigned ds = (unsigned)stc_result_domain_status(d);
    st->status[ds < 7 ? ds : 3]++;
    long fi = stc_result_fact_index(d, "mx_hosts");
    if (fi >= 0 && stc_result_fact_list_len(d, (size_t)fi) > 0)
        st->with_mx++;
    st->null_mx += (uint64_t)fact_true(d, "null_mx");

    for (size_t i = 0; i < stc_result_child_count(d); i++) {
        const struct stc_result *h = stc_result_child(d, i);
        if (stc_result_kind(h) != STC_NODE_HOST)
            continue;
        int fresh = 0;
        stc_rc rc = scan_seen_add(&a->hosts, stc_result_name(h), &fresh, err);
        if (rc != STC_OK)
            return rc;
        if (fresh)
            count_host(st, h);
        if (!host_connected(h))
            continue;
        connected++;
        tls += (size_t)host_starttls(h);
        valid += (size_t)(host_starttls(h) && host_valid_cert(h));
    }
    if (connected > 0) {
        st->connected++;
        st->starttls_all += (uint64_t)(tls == connected);
        st->valid_cert_all += (uint64_t)(valid == connected);
    }

    const struct stc_result *m = stc_result_find(d, "mta_sts");
    if (m != NULL) {
        const char *mode = stc_result_get_str(m, "mode");
        if (mode == NULL)
            for (size_t i = 0; i < stc_result_child_count(m) && mode == NULL; i++)
                mode = stc_result_get_str(stc_result_child(m, i), "mode");
        if (mode != NULL && strcmp(mode, "testing") == 0)
            st->mtasts_testing++;
        if (mode != NULL && strcmp(mode, "enforce") == 0)
            st->mtasts_enforce++;
        st->mtasts_valid += (uint64_t)(mode != NULL && stc_result_status(m) <= STC_STATUS_WARNING);
    }
    const struct stc_result *r = stc_result_find(d, "tls-rpt");
    st->tlsrpt += (uint64_t)(r != NULL && stc_result_status(r) == STC_STATUS_SUCCESS);
    const struct stc_result *dn = stc_result_find(d, "dane");
    long long auth = 0, hosts = 0;
    if (dn != NULL && stc_result_get_int(dn, "hosts_authenticated", &auth) && auth > 0) {
        st->dane_some++;
        if (stc_result_get_int(dn, "hosts", &hosts) && auth >= hosts)
            st->dane_all++;
    }
    return STC_OK;
}
