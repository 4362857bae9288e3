/* scan_agg.h - aggregate statistics over the domain results of a scan. */
#ifndef STC_SCAN_AGG_H
#define STC_SCAN_AGG_H

#include <starttls/result.h>
#include <starttls/scan.h>

#include "scan_seen.h"

struct scan_agg {
    struct stc_scan_stats st;
    struct scan_seen hosts; /* unique MX host names */
};

/** The names of stc_scan_stats.tls_versions[i]: "TLSv1.3" .. "TLSv1", then "other". */
extern const char *const scan_tls_version_names[5];

void scan_agg_init(struct scan_agg *a);
void scan_agg_free(struct scan_agg *a);
/** One MX host of a domain as the statistics see it. */
struct scan_agg_host {
    const char *name;
    unsigned char connected, starttls, valid_cert, weak_cipher, dane;
    unsigned char version_slot; /* index into scan_tls_version_names */
};

/** What one domain adds to the statistics (one allocation: free()). */
struct scan_agg_sum {
    stc_domain_status domain_status;
    unsigned char with_mx, null_mx, mtasts_testing, mtasts_enforce, mtasts_valid, tlsrpt;
    unsigned char dane_some, dane_all;
    size_t nhosts;
    struct scan_agg_host *hosts;
};

/** Summarize one domain tree (STC_NODE_DOMAIN); STC_E_NOMEM. */
stc_rc scan_agg_sum_of(const struct stc_result *domain, struct scan_agg_sum **out,
                       struct stc_err *err);
/** Count one summary. STC_E_NOMEM from the host set. */
stc_rc scan_agg_add_sum(struct scan_agg *a, const struct scan_agg_sum *sum, struct stc_err *err);
/** Count one domain tree (summary and count at once). STC_E_NOMEM from the host set. */
stc_rc scan_agg_add(struct scan_agg *a, const struct stc_result *domain, struct stc_err *err);

#endif
