/* test_check_domain_judges - the mta_sts and tls-rpt judges on hand-made
 * observations (struct mtasts_obs, struct txt_obs): no DNS, no HTTPS. */
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

static void txt(struct txt_obs *t, const char *name, char **recs, size_t n)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->ok = 1;
    t->set.st.sec = DNS_INSECURE;
    t->set.txt = recs;
    t->set.n = n;
}

static const struct stc_result *judge_sts(const struct mtasts_obs *o, struct stc_result **root)
{
    *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    check_mtasts(o, "example.com", *root);
    result_rollup(*root);
    return stc_result_find(*root, CHECK_MTASTS);
}

/* The TXT lookup failed: an error, and nothing said about a policy. */
static void test_sts_lookup_failed(void **state)
{
    (void)state;
    struct mtasts_obs o;
    struct stc_result *root;
    memset(&o, 0, sizeof o);
    snprintf(o.txt.name, sizeof o.txt.name, "_mta-sts.example.com");
    err_set(&o.txt.err, STC_E_TIMEOUT, "timed out");
    const struct stc_result *n = judge_sts(&o, &root);
    assert_non_null(n);
    assert_int_equal(stc_result_status(n), STC_STATUS_ERROR);
    /* The policy check is there, as in the original, saying it could not run. */
    const struct stc_result *p = stc_result_find(n, "mta-sts-policy-file");
    assert_non_null(p);
    assert_int_equal(stc_result_status(p), STC_STATUS_ERROR);
    assert_non_null(strstr(stc_result_message(p, 0), "not tested"));
    stc_result_free(root);
}

/* No record and no policy host: a warning with what to publish. */
static void test_sts_none(void **state)
{
    (void)state;
    struct mtasts_obs o;
    struct stc_result *root;
    memset(&o, 0, sizeof o);
    txt(&o.txt, "_mta-sts.example.com", NULL, 0);
    o.host_looked_up = 1;
    o.addr_rc = STC_OK; /* no address */
    const struct stc_result *n = judge_sts(&o, &root);
    assert_int_equal(stc_result_status(n), STC_STATUS_WARNING);
    const struct stc_result *p = stc_result_find(n, "mta-sts-policy-file");
    assert_non_null(p);
    assert_int_equal(stc_result_status(p), STC_STATUS_WARNING);
    assert_true(stc_result_recommendation_count(n) > 0);
    stc_result_free(root);
}

/* A record and a valid enforce policy fetched: active, facts from the policy. */
static void test_sts_policy(void **state)
{
    (void)state;
    static char rec[] = "v=STSv1; id=20240101";
    static char *recs[] = {rec};
    static char body[] = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.com\r\n"
                         "max_age: 604800\r\n";
    struct mtasts_obs o;
    struct stc_result *root;
    long long active = 0, max_age = 0;
    memset(&o, 0, sizeof o);
    txt(&o.txt, "_mta-sts.example.com", recs, 1);
    o.host_looked_up = 1;
    o.addrs.n = 1;
    o.fetched = 1;
    o.fetch_rc = STC_OK;
    o.body_text = 1;
    snprintf(o.res.url, sizeof o.res.url, "https://mta-sts.example.com/.well-known/mta-sts.txt");
    snprintf(o.res.content_type, sizeof o.res.content_type, "text/plain");
    o.res.http_status = 200;
    o.res.body.data = (uint8_t *)body;
    o.res.body.len = sizeof body - 1;
    o.res.body.cap = sizeof body;
    const struct stc_result *n = judge_sts(&o, &root);
    assert_int_equal(stc_result_status(stc_result_find(n, "mta-sts-text")), STC_STATUS_SUCCESS);
    assert_int_equal(stc_result_status(stc_result_find(n, "mta-sts-policy-file")), STC_STATUS_SUCCESS);
    assert_string_equal(stc_result_get_str(n, "mode"), "enforce");
    assert_true(stc_result_get_int(n, "max_age", &max_age));
    assert_int_equal(max_age, 604800);
    assert_true(stc_result_get_int(n, "active", &active));
    assert_true(active);
    stc_result_free(root);
}

/* The fetch failed on the certificate: sts-webpki-invalid failure. */
static void test_sts_fetch_tls(void **state)
{
    (void)state;
    static char rec[] = "v=STSv1; id=1";
    static char *recs[] = {rec};
    struct mtasts_obs o;
    struct stc_result *root;
    memset(&o, 0, sizeof o);
    txt(&o.txt, "_mta-sts.example.com", recs, 1);
    o.host_looked_up = 1;
    o.addrs.n = 1;
    o.fetched = 1;
    o.fetch_rc = STC_E_TLS;
    err_set(&o.fetch_err, STC_E_TLS, "certificate has expired");
    const struct stc_result *n = judge_sts(&o, &root);
    const struct stc_result *p = stc_result_find(n, "mta-sts-policy-file");
    assert_int_equal(stc_result_status(p), STC_STATUS_FAILURE);
    assert_string_equal(stc_result_type(p), "sts-webpki-invalid");
    stc_result_free(root);
}

static const struct stc_result *judge_rpt(const struct txt_obs *o, struct stc_result **root)
{
    *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    check_tlsrpt(o, "example.com", *root);
    return stc_result_find(*root, CHECK_TLSRPT);
}

static void test_rpt(void **state)
{
    (void)state;
    static char one[] = "v=TLSRPTv1; rua=mailto:tls@example.com";
    static char two[] = "v=TLSRPTv1; rua=mailto:other@example.com";
    static char *good[] = {one};
    static char *dup[] = {one, two};
    struct txt_obs o;
    struct stc_result *root;
    txt(&o, "_smtp._tls.example.com", good, 1);
    assert_int_equal(stc_result_status(judge_rpt(&o, &root)), STC_STATUS_SUCCESS);
    stc_result_free(root);
    txt(&o, "_smtp._tls.example.com", dup, 2);
    assert_int_equal(stc_result_status(judge_rpt(&o, &root)), STC_STATUS_FAILURE);
    stc_result_free(root);
    txt(&o, "_smtp._tls.example.com", NULL, 0);
    assert_int_equal(stc_result_status(judge_rpt(&o, &root)), STC_STATUS_WARNING);
    stc_result_free(root);
    memset(&o, 0, sizeof o);
    err_set(&o.err, STC_E_PEER, "SERVFAIL");
    assert_int_equal(stc_result_status(judge_rpt(&o, &root)), STC_STATUS_ERROR);
    stc_result_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sts_lookup_failed), cmocka_unit_test(test_sts_none),
        cmocka_unit_test(test_sts_policy),        cmocka_unit_test(test_sts_fetch_tls),
        cmocka_unit_test(test_rpt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
