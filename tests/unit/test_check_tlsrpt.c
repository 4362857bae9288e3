/* Unit tests for the TLS-RPT judge (check_tlsrpt.c) on hand-built TXT
 * answers (struct txt_obs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "checks/checks.h"
#include "mtasts/mtasts_obs.h"
#include "result/result_tree.h"

static const struct stc_result *judge(struct stc_result *root, const char *const *txt, size_t n,
                                      enum dns_security sec)
{
    char *v[4];
    struct txt_obs t;
    memset(&t, 0, sizeof t);
    snprintf(t.name, sizeof t.name, "_smtp._tls.example.com");
    t.ok = 1;
    for (size_t i = 0; i < n && i < 4; i++)
        v[i] = (char *)txt[i];
    t.set.txt = v;
    t.set.n = n;
    t.set.st.sec = sec;
    if (sec == DNS_BOGUS)
        snprintf(t.set.st.why_bogus, sizeof t.set.st.why_bogus, "signature expired");
    check_tlsrpt(&t, "example.com", root);
    assert_false(result_oom(root));
    const struct stc_result *c = stc_result_find(root, CHECK_TLSRPT);
    assert_non_null(c);
    return c;
}

static int has(const struct stc_result *c, int recs, const char *needle)
{
    size_t n = recs ? stc_result_recommendation_count(c) : stc_result_message_count(c);
    for (size_t i = 0; i < n; i++)
        if (strstr(recs ? stc_result_recommendation(c, i) : stc_result_message(c, i), needle))
            return 1;
    return 0;
}

static void valid_record(void **state)
{
    (void)state;
    static const char *const t[] = {"v=spf1 -all",
                                    "v=TLSRPTv1; rua=mailto:tls@example.com,https://r.example/x"};
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    const struct stc_result *c = judge(root, t, 2, DNS_SECURE);
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    assert_true(has(c, 0, "TLS reports go to mailto:tls@example.com"));
    assert_true(has(c, 0, "that is not TLS-RPT, ignored"));
    long i = stc_result_fact_index(c, "rua");
    assert_true(i >= 0);
    assert_int_equal(stc_result_fact_list_len(c, (size_t)i), 2);
    assert_int_equal(stc_result_recommendation_count(c), 0);
    stc_result_free(root);
}

static void missing_warns_with_the_record(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    const struct stc_result *c = judge(root, NULL, 0, DNS_INSECURE);
    assert_int_equal(stc_result_status(c), STC_STATUS_WARNING);
    assert_true(has(c, 1, "_smtp._tls.example.com \"v=TLSRPTv1; rua=mailto:tls-reports@example.com\""));
    stc_result_free(root);
}

static void two_records_fail(void **state)
{
    (void)state;
    static const char *const t[] = {"v=TLSRPTv1; rua=mailto:a@example.com",
                                    "v=TLSRPTv1; rua=mailto:b@example.com"};
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    const struct stc_result *c = judge(root, t, 2, DNS_SECURE);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_true(has(c, 0, "has 2 records starting with v=TLSRPTv1"));
    assert_true(has(c, 1, "Keep one record"));
    stc_result_free(root);
}

static void malformed_fails(void **state)
{
    (void)state;
    static const char *const t[] = {"v=TLSRPTv1; rua=ftp://example.com/"};
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    const struct stc_result *c = judge(root, t, 1, DNS_SECURE);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_true(has(c, 0, "senders ignore the record"));
    stc_result_free(root);
}

static void bogus_fails_and_lookup_error_is_not_tested(void **state)
{
    (void)state;
    static const char *const t[] = {"v=TLSRPTv1; rua=mailto:a@example.com"};
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    const struct stc_result *c = judge(root, t, 1, DNS_BOGUS);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_true(has(c, 0, "fails DNSSEC validation (signature expired)"));
    stc_result_free(root);

    root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    struct txt_obs failed;
    memset(&failed, 0, sizeof failed);
    snprintf(failed.name, sizeof failed.name, "_smtp._tls.example.com");
    err_set(&failed.err, STC_E_TIMEOUT, "timed out after 10000 ms");
    check_tlsrpt(&failed, "example.com", root);
    c = stc_result_find(root, CHECK_TLSRPT);
    assert_int_equal(stc_result_status(c), STC_STATUS_ERROR);
    assert_true(has(c, 0, "could not look up TXT _smtp._tls.example.com: timed out"));
    stc_result_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_record),
        cmocka_unit_test(missing_warns_with_the_record),
        cmocka_unit_test(two_records_fail),
        cmocka_unit_test(malformed_fails),
        cmocka_unit_test(bogus_fails_and_lookup_error_is_not_tested),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
