/*
 * NAME
 *     report_agg - counting classified domains for the scan report
 * SYNOPSIS
 *     #include "report_agg.h"
 *     rep_agg_init(&a, 65536, 512);
 *     rep_agg_add(&a, &dom);            once per domain, in one pass
 *     n = rep_map_top(&a.suffix, 10, 0, top);
 *     rep_agg_free(&a);
 * DESCRIPTION
 *     Fixed counters per chart plus two bounded tables: MX suffixes (how
 *     many domains have an MX host under each; a domain counts once per
 *     suffix) and findings (how many domains have each finding, and how
 *     many at failure or error). Nothing per domain is kept, so memory
 *     does not grow with the scan beyond the tables' caps.
 *     Counting rules: domains by status, STARTTLS, MTA-STS, TLS-RPT,
 *     DNSSEC and DANE class; MX hosts (one per domain and host name) by
 *     certificate, version and cipher class when they completed a TLS
 *     handshake.
 * LIMITS
 *     A table holds at most its max keys (the load factor stays under
 *     3/4); later keys are counted in "other".
 * DIAGNOSTICS
 *     STC_E_NOMEM.
 */
#include "report_agg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static stc_rc map_init(struct rep_map *m, size_t max)
{
    memset(m, 0, sizeof *m);
    size_t cap = 16;
    while (cap < max + max / 3 + 1)
        cap *= 2;
    m->slot = calloc(cap, sizeof *m->slot);
    m->order = calloc(max ? max : 1, sizeof *m->order);
    if (m->slot == NULL || m->order == NULL)
        return STC_E_NOMEM;
    m->cap = cap;
    m->max = max;
    return STC_OK;
}

static void map_free(struct rep_map *m)
{
    for (size_t i = 0; m->slot != NULL && i < m->cap; i++)
        free(m->slot[i].key);
    free(m->slot);
    free(m->order);
    memset(m, 0, sizeof *m);
}

stc_rc rep_map_bump(struct rep_map *m, const char *key, int fail, long *idx)
{
    size_t i = (size_t)hash(key) & (m->cap - 1);
    while (m->slot[i].key != NULL && strcmp(m->slot[i].key, key) != 0)
        i = (i + 1) & (m->cap - 1);
    struct rep_count *c = &m->slot[i];
    if (c->key == NULL) {
        if (m->n >= m->max) {
            m->other++;
            if (idx)
                *idx = -1;
            return STC_OK;
        }
        c->key = strdup(key);
        if (c->key == NULL)
            return STC_E_NOMEM;
        c->order = m->n;
        m->order[m->n++] = i;
    }
    c->n++;
    c->fail += fail != 0;
    if (idx)
        *idx = (long)c->order;
    return STC_OK;
}

const struct rep_count *rep_map_at(const struct rep_map *m, size_t order)
{
    return order < m->n ? &m->slot[m->order[order]] : NULL;
}

size_t rep_map_top(const struct rep_map *m, size_t k, int by_fail, const struct rep_count **out)
{
    size_t got = 0;
    for (size_t j = 0; j < m->n; j++) {
        const struct rep_count *c = &m->slot[m->order[j]];
        unsigned long long v = by_fail ? c->fail : c->n;
        if (v == 0)
            continue;
        /* insert into the sorted top-k (stable: first seen wins ties) */
        size_t at = got;
        while (at > 0 && (by_fail ? out[at - 1]->fail : out[at - 1]->n) < v)
            at--;
        if (at >= k)
            continue;
        size_t last = got < k ? got : k - 1;
        for (size_t x = last; x > at; x--)
            out[x] = out[x - 1];
        out[at] = c;
        if (got < k)
            got++;
    }
    return got;
}

stc_rc rep_agg_init(struct rep_agg *a, size_t max_suffix, size_t max_find)
{
    memset(a, 0, sizeof *a);
    stc_rc rc = map_init(&a->suffix, max_suffix);
    if (rc == STC_OK)
        rc = map_init(&a->find, max_find);
    return rc;
}

void rep_agg_free(struct rep_agg *a)
{
    map_free(&a->suffix);
    map_free(&a->find);
}

stc_rc rep_agg_add(struct rep_agg *a, const struct rep_dom *d)
{
    stc_rc rc = STC_OK;
    a->domains++;
    a->status[d->status >= 0 && d->status < RST_N ? d->status : STC_DOMAIN_ERROR]++;
    a->starttls[d->starttls]++;
    a->sts[d->sts]++;
    a->rpt[d->rpt]++;
    a->dnssec[d->dnssec]++;
    a->dane[d->dane]++;
    a->with_mx += d->nhosts > 0;
    a->all_valid += (unsigned long long)d->all_valid_certs;
    for (size_t i = 0; i < d->nhosts; i++) {
        const struct rep_host *h = &d->hosts[i];
        a->hosts++;
        if (!h->tls)
            continue;
        a->hosts_tls++;
        a->cert[h->cert]++;
        a->ver[h->ver]++;
        a->ciph[h->ciph]++;
    }
    /* Each suffix once per domain. */
    for (size_t i = 0; i < d->nhosts && rc == STC_OK; i++) {
        const char *s = rep_mx_suffix(stc_result_name(d->hosts[i].node));
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(rep_mx_suffix(stc_result_name(d->hosts[k].node)), s) == 0;
        if (!seen)
            rc = rep_map_bump(&a->suffix, s, 0, NULL);
    }
    return rc;
}
