/* report_agg.h - the counts behind a scan report, gathered in one pass. */
#ifndef STC_REPORT_AGG_H
#define STC_REPORT_AGG_H

#include <stddef.h>

#include "report_class.h"

struct rep_count {
    char *key;
    unsigned long long n;    /* domains */
    unsigned long long fail; /* of them, at failure or error */
    size_t order;            /* first-seen index */
};

/* A bounded string -> count table (open addressing); keys past the cap go to other. */
struct rep_map {
    struct rep_count *slot;
    size_t cap, n, max;
    size_t *order; /* slot index by first-seen order */
    unsigned long long other;
};

struct rep_agg {
    unsigned long long domains, hosts, hosts_tls, with_mx, all_valid;
    unsigned long long status[RST_N];
    unsigned long long starttls[RS_N], cert[RC_N], ver[RV_N], ciph[RCI_N];
    unsigned long long sts[RT_N], rpt[RR_N], dnssec[RD_N], dane[RDA_N];
    struct rep_map suffix; /* MX suffix -> domains depending on it */
    struct rep_map find;   /* finding key -> domains with it */
};

/** Empty counts; maps hold at most max_suffix / max_find keys. STC_E_NOMEM. */
stc_rc rep_agg_init(struct rep_agg *a, size_t max_suffix, size_t max_find);
void rep_agg_free(struct rep_agg *a);
/** Count one classified domain. STC_E_NOMEM. */
stc_rc rep_agg_add(struct rep_agg *a, const struct rep_dom *d);

/** Find or add key; *idx its first-seen order (-1 when the table is full). STC_E_NOMEM. */
stc_rc rep_map_bump(struct rep_map *m, const char *key, int fail, long *idx);
/** The k entries with the largest n (by_fail: fail), largest first; returns how many. */
size_t rep_map_top(const struct rep_map *m, size_t k, int by_fail, const struct rep_count **out);
/** Entry by first-seen index. */
const struct rep_count *rep_map_at(const struct rep_map *m, size_t order);

#endif
