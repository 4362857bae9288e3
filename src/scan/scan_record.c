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
 * DIAGNOSTICS
 *     NULL when out of memory.
 */
#include "scan_record.h"

#include "../result/result_tree.h"

struct stc_result *scan_record_error(const char *domain, const char *reason)
{
    struct stc_result *t = result_new(STC_NODE_DOMAIN, domain, "Mail transport security");
    if (t == NULL)
        return NULL;
    result_fact_bool(t, "implicit_mx", 0);
    result_fact_bool(t, "null_mx", 0);
    result_fact_list(t, "mx_hosts");
    result_fact_list(t, "preferred_hostnames");
    result_fact_str(t, "check_error", reason);
    result_raise(t, STC_STATUS_ERROR);
    result_set_domain_status(t, STC_DOMAIN_ERROR);
    result_verdict(t, "The check of %s could not complete: %s", domain, reason);
    if (result_oom(t)) {
        stc_result_free(t);
        return NULL;
    }
    return t;
}
