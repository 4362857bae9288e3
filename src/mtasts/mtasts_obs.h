/* mtasts_obs.h - what the domain-level lookups observed: the MTA-STS TXT
 * record, the policy host and its policy, the TLS-RPT TXT record.
 *
 * mtasts_observe() and tlsrpt_observe() do the DNS and HTTPS work and keep
 * the raw answers; check_mtasts() and check_tlsrpt() (src/checks) judge
 * them without any I/O, so every verdict can be tested on hand-made
 * observations. The caller owns an observation and frees it with its
 * _free function (also after a failed call).
 */
#ifndef STC_MTASTS_MTASTS_OBS_H
#define STC_MTASTS_MTASTS_OBS_H

#include "../dns/dns.h"
#include "../util/limits.h"
#include "mtasts.h"


/* One TXT RRset at a fixed name (_mta-sts.DOMAIN, _smtp._tls.DOMAIN). */
struct txt_obs {
    char name[STC_DOMAIN_MAX + 16];
    int ok;                 /* the lookup completed: set is valid (maybe empty) */
    struct dns_txt_set set; /* owned */
    struct stc_err err;     /* why the lookup failed, when !ok */
};

struct mtasts_obs {
    struct txt_obs txt;    /* _mta-sts.DOMAIN */
    /* The policy host mta-sts.DOMAIN: looked up unless the TXT lookup failed. */
    char host[STC_DOMAIN_MAX + 16];
    int host_looked_up;
    stc_rc addr_rc;           /* of the address lookup */
    struct stc_err addr_err;
    struct dns_addr_set addrs; /* owned */
    /* The policy: fetched when the host has an address. */
    int fetched;
    stc_rc fetch_rc;              /* of mtasts_fetch */
    struct stc_err fetch_err;
    struct mtasts_fetch_res res;  /* owned; res.body is NUL-terminated when body_text */
    int body_text;
};

/* Where and how the policy is fetched. Borrowed pointers. */
struct mtasts_obs_req {
    struct dns_ctx *dns;
    int https_port;  /* <= 0: 443 */
    const char *ca_file;
    const char *ca_path;
    int public_only; /* fetch only from public addresses (util/addr_filter.h) */
    int (*addr_allowed)(void *ctx, const char *addr); /* NULL, or 0 refuses (opt-out list) */
    void *addr_allowed_ctx;
};

/** Look up _mta-sts.DOMAIN, mta-sts.DOMAIN and fetch the policy, within d.
 * A failing server or name is recorded in o; returns STC_OK. */
stc_rc mtasts_observe(const struct mtasts_obs_req *q, const char *domain, struct deadline d,
                      struct mtasts_obs *o);
void mtasts_obs_free(struct mtasts_obs *o);
/** mtasts_observe and tlsrpt_observe at once: both TXT records are asked in
 * one batch (one wait, not two), then the policy host and policy. */
stc_rc mtasts_tlsrpt_observe(const struct mtasts_obs_req *q, const char *domain,
                             struct deadline d, struct mtasts_obs *o, struct txt_obs *r);

/** Look up the TLS-RPT record _smtp._tls.DOMAIN within d. Returns STC_OK. */
stc_rc tlsrpt_observe(struct dns_ctx *dns, const char *domain, struct deadline d,
                      struct txt_obs *o);
void txt_obs_free(struct txt_obs *o);

#endif
