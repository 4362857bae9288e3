/*
 * NAME
 *     sample - a fixed domain result for callers' own tests
 * DESCRIPTION
 *     The original's NewSampleDomainResult: one domain with one MX host
 *     whose checks all succeed, so code that consumes results (renderers,
 *     stores) can be tested without a network.
 */
#include "../util/err.h"
#include "checks.h"

stc_rc stc_result_sample(const char *domain, struct stc_result **out, struct stc_err *err)
{
    const char *d = domain ? domain : "example.com";
    struct stc_result *root = result_new(STC_NODE_DOMAIN, d, "Mail transport security");
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, "mx.example.com",
                                                       "Checks of one MX host"));
    result_fact_bool(root, "implicit_mx", 0);
    result_fact_bool(root, "null_mx", 0);
    result_fact_list_add(root, "mx_hosts", "mx.example.com");
    result_fact_list_add(root, "preferred_hostnames", "mx.example.com");
    result_fact_str(h, "domain", d);
    result_fact_str(h, "hostname", "mx.example.com");
    result_fact_int(h, "preference", 10);
    result_fact_str(h, "address", "192.0.2.25");
    result_fact_bool(h, "connected", 1);
    result_add_check(h, CHECK_CONNECTIVITY, "Sample connectivity check");
    struct stc_result *st = result_add_check(h, CHECK_STARTTLS, "Sample STARTTLS check");
    result_fact_bool(st, "advertised", 1);
    result_fact_bool(st, "handshake", 1);
    struct stc_result *c = result_add_check(h, CHECK_CERTIFICATE, "Sample certificate check");
    result_fact_bool(c, "valid", 1);
    result_fact_int(c, "days_to_expiry", 60);
    struct stc_result *v = result_add_check(h, CHECK_VERSION, "Sample version check");
    result_fact_str(v, "negotiated", "TLSv1.3");
    struct stc_result *ci = result_add_check(h, CHECK_CIPHER, "Sample cipher check");
    result_fact_str(ci, "negotiated", "TLS_AES_256_GCM_SHA384");
    result_note(root, "1 of 1 MX host checked: STARTTLS with a valid certificate");
    result_set_domain_status(root, STC_DOMAIN_SUCCESS);
    result_rollup(root);
    if (root == NULL || result_oom(root)) {
        stc_result_free(root);
        return err_set(err, STC_E_NOMEM, "out of memory");
    }
    *out = root;
    return STC_OK;
}
