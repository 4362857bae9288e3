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
/** Count one domain tree (STC_NODE_DOMAIN). STC_E_NOMEM from the host set. */
stc_rc scan_agg_add(struct scan_agg *a, const struct stc_result *domain, struct stc_err *err);

#endif
