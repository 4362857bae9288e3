/* checker_int.h - the inside of struct stc_config and struct stc_checker. */
#ifndef STC_CHECKS_CHECKER_INT_H
#define STC_CHECKS_CHECKER_INT_H

#include <starttls/checker.h>

#include "../dns/dns.h"
#include "../tls/tls.h"
#include "../probe/probe.h"

struct policy_list; /* src/mtasts/policy_list.h */

struct stc_config {
    long timeout_ms;      /* whole-host budget */
    long domain_timeout_ms; /* whole-domain budget; 0: DOMAIN_BUDGET_FACTOR x timeout_ms */
    char *helo;
    char *resolver;
    char *trust_anchor;   /* NULL: no DNSSEC validation */
    char anchor_tried[256]; /* the default trust anchor looked for (config.c) */
    int dnssec_resolver;  /* 0 local; 1/2 the (loopback/trusted) resolver's AD bit; 3 auto */
    char *ca_file;
    char *ca_path;
    char *policy_list;
    int port;             /* SMTP */
    int https_port;       /* MTA-STS policy fetch */
    unsigned checks;      /* enum stc_check_flags */
    long probe_delay_ms;  /* pause before each probe connection to the same host */
    int public_only;      /* refuse non-public addresses (util/addr_filter.h) */
    unsigned families;    /* enum stc_family: which addresses to connect to */
    stc_host_check_fn host_check;
    void *host_check_ctx;
    stc_gate_acquire_fn gate_acquire;
    stc_gate_release_fn gate_release;
    void *gate_ctx;
    stc_addr_allowed_fn addr_allowed;
    void *addr_allowed_ctx;
};

struct stc_checker {
    struct stc_config cfg;        /* deep copy; strings owned */
    struct dns_ctx *dns;
    struct tls_client *tls;
    struct policy_list *plist;    /* NULL without --policy-list */
    struct probe_ctx probe;       /* the probes' view of cfg, dns and tls */
};

/** Deep copy of a config's strings (dst owns them); on failure dst's copies
 * made so far must still be freed with config_free_strings. */
stc_rc config_copy(struct stc_config *dst, const struct stc_config *src, struct stc_err *err);
void config_free_strings(struct stc_config *c);

#endif
