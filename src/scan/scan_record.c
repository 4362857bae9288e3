/*
 * NAME
 *     scan_record - the record of a domain whose check could not complete
 * SYNOPSIS
 *     struct stc_result *t = scan_record_error("example.com", "out of memory");
 * DESCRIPTION
 *     A scan writes one record per valid input domain, also when the
 *     checker returned an error instead of a tree (out of memory, a hook
 *     that failed): a domain node with the usual top-level facts, domain
 *     status 3 (error), the fact "check_error" and the message "The check
 *     of DOMAIN could not complete: REASON". It goes to the JSON file and
 *     the database like any other domain, so the counts add up and
 *     --resume does not check it again; a later run without --resume does.
 *     An input domain on the --exclude list gets a record of the same
 *     shape with the fact "excluded" (nothing looked up), and an excluded
 *     MX host name a host node saying so (nothing resolved or contacted).
 * DIAGNOSTICS
 *     NULL when out of memory.
 */
#include "scan_record.h"

#include "../result/result_tree.h"

/* A domain node with the usual top-level facts and nothing checked. */
static struct stc_result *empty_domain(const char *domain)
{
    struct stc_result *t = result_new(STC_NODE_DOMAIN, domain, "Mail transport security");
    if (t == NULL)
        return NULL;
    result_fact_bool(t, "implicit_mx", 0);
    result_fact_bool(t, "null_mx", 0);
    result_fact_list(t, "mx_hosts");
    result_fact_list(t, "preferred_hostnames");
    result_raise(t, STC_STATUS_ERROR);
    result_set_domain_status(t, STC_DOMAIN_ERROR);
    return t;
}

static struct stc_result *done(struct stc_result *t)
{
    if (t != NULL && result_oom(t)) {
        stc_result_free(t);
        return NULL;
    }
    return t;
}

struct stc_result *scan_record_error(const char *domain, const char *reason)
{
    struct stc_result *t = empty_domain(domain);
    result_fact_str(t, "check_error", reason);
    result_verdict(t, "The check of %s could not complete: %s", domain, reason);
    return done(t);
}

struct stc_result *scan_record_excluded(const char *domain)
{
    struct stc_result *t = empty_domain(domain);
    result_fact_bool(t, "excluded", 1);
    result_verdict(t, "Not tested: %s is on the exclusion list (--exclude), so it was neither "
                      "looked up nor contacted",
                   domain);
    return done(t);
}

struct stc_result *scan_record_excluded_host(const char *domain, const char *host)
{
    struct stc_result *h = result_new(STC_NODE_HOST, host, "Checks of one MX host");
    if (h == NULL)
        return NULL;
    result_fact_str(h, "domain", domain);
    result_fact_str(h, "hostname", host);
    struct stc_result *c = result_add_check(h, "connectivity",
                                            "The MX host resolves, accepts a TCP connection on "
                                            "the SMTP port and greets with 220.");
    result_msg(c, STC_STATUS_ERROR,
               "Not tested: %s is on the exclusion list (--exclude), so it was neither resolved "
               "nor contacted",
               host);
    result_fact_bool(h, "connected", 0);
    result_fact_int(h, "connections", 0);
    result_fact_bool(h, "excluded", 1);
    result_rollup(h);
    return done(h);
}
