/* Unit tests for the MTA-STS judge (check_mtasts.c) on hand-built
 * observations: the TXT answer, the policy host's addresses, the fetched
 * policy, and host nodes as the host checks leave them. Beside
 * test_check_domain_judges.c: severities (max_age), record sets, the MX
 * hosts against the policy, fetch failures. */
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

#define MAX_TXT 4

struct fixture {
    struct mtasts_obs obs;
    char *txt[MAX_TXT];
    char body[512];
};

/* A TXT answer (records), an address for mta-sts.example.com and, when
 * policy is not NULL, a fetched policy with this body. */
static void observe(struct fixture *f, const char *const *records, size_t nrec, const char *policy)
{
    memset(f, 0, sizeof *f);
    struct mtasts_obs *o = &f->obs;
    snprintf(o->txt.name, sizeof o->txt.name, "_mta-sts.example.com");
    o->txt.ok = 1;
    o->txt.set.st.sec = DNS_SECURE;
    for (size_t i = 0; i < nrec && i < MAX_TXT; i++)
        f->txt[i] = (char *)records[i];
    o->txt.set.txt = f->txt;
    o->txt.set.n = nrec;
    snprintf(o->host, sizeof o->host, "mta-sts.example.com");
    o->host_looked_up = 1;
    o->addr_rc = STC_OK;
    if (policy == NULL)
        return; /* no policy host */
    o->addrs.n = 1;
    o->fetched = 1;
    o->fetch_rc = STC_OK;
    o->body_text = 1;
    snprintf(o->res.url, sizeof o->res.url, "https://mta-sts.example.com/.well-known/mta-sts.txt");
    o->res.http_status = 200;
    snprintf(o->res.content_type, sizeof o->res.content_type, "text/plain");
    snprintf(f->body, sizeof f->body, "%s", policy);
    o->res.body.data = (uint8_t *)f->body;
    o->res.body.len = strlen(f->body);
    o->res.body.cap = sizeof f->body;
}

/* A host node: connected with STARTTLS over TLS 1.3 and a valid certificate. */
static void good_host(struct stc_result *root, const char *name)
{
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, name, NULL));
    result_fact_list_add(root, "mx_hosts", name);
    result_fact_bool(h, "connected", 1);
    result_add_check(h, CHECK_CONNECTIVITY, NULL);
    result_fact_bool(result_add_check(h, CHECK_STARTTLS, NULL), "handshake", 1);
    result_fact_int(result_add_check(h, CHECK_VERSION, NULL), "negotiated_code", 0x0304);
    struct stc_result *c = result_add_check(h, CHECK_CERTIFICATE, NULL);
    result_fact_bool(c, "valid", 1);
    result_fact_bool(c, "chain_trusted", 1);
    result_fact_bool(c, "name_matches", 1);
    result_fact_int(c, "days_to_expiry", 200);
}

static const struct stc_result *judge(struct fixture *f, struct stc_result *root)
{
    check_mtasts(&f->obs, "example.com", root);
    result_rollup(root);
    assert_false(result_oom(root));
    const struct stc_result *c = stc_result_find(root, CHECK_MTASTS);
    assert_non_null(c);
    return c;
}

static int has_text(const struct stc_result *c, int recs, const char *needle)
{
    size_t n = recs ? stc_result_recommendation_count(c) : stc_result_message_count(c);
    for (size_t i = 0; i < n; i++)
        if (strstr(recs ? stc_result_recommendation(c, i) : stc_result_message(c, i), needle))
            return 1;
    for (size_t i = 0; i < stc_result_child_count(c); i++)
        if (has_text(stc_result_child(c, i), recs, needle))
            return 1;
    return 0;
}

static long long fact(const struct stc_result *c, const char *key)
{
    long long v = -1;
    assert_true(stc_result_get_int(c, key, &v));
    return v;
}

static const char *const ONE[] = {"v=STSv1; id=20240101000000"};
#define POLICY(mode, age)                                                                          \
    "version: STSv1\nmode: " mode "\nmx: mx1.example.com\nmax_age: " age "\n"

static void lookup_failed_is_not_tested(void **state)
{
    (void)state;
    struct fixture f;
    observe(&f, NULL, 0, NULL);
    f.obs.txt.ok = 0;
    err_set(&f.obs.txt.err, STC_E_TIMEOUT, "timed out");
    f.obs.host_looked_up = 0;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    const struct stc_result *c = judge(&f, root);
    assert_int_equal(stc_result_status(c), STC_STATUS_ERROR);
    assert_true(has_text(c, 0, "could not look up TXT _mta-sts.example.com: timed out"));
    /* The policy check is there, as in the original, and says it could not run. */
    const struct stc_result *p = stc_result_find(c, "mta-sts-policy-file");
    assert_non_null(p);
    assert_int_equal(stc_result_status(p), STC_STATUS_ERROR);
    assert_int_equal(fact(c, "active"), 0);
    stc_result_free(root);
}

static void nothing_published_warns_with_what_to_publish(void **state)
{
    (void)state;
    struct fixture f;
    observe(&f, NULL, 0, NULL);
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    good_host(root, "mx1.example.com");
    const struct stc_result *c = judge(&f, root);
    assert_int_equal(stc_result_status(c), STC_STATUS_WARNING);
    assert_true(has_text(c, 0, "no MTA-STS record at _mta-sts.example.com"));
    assert_true(has_text(c, 1, "mx: mx1.example.com"));
    const struct stc_result *p = stc_result_find(c, "mta-sts-policy-file");
    assert_non_null(p);
    assert_int_equal(stc_result_status(p), STC_STATUS_WARNING);
    stc_result_free(root);
}

static void valid_enforced_policy_succeeds(void **state)
{
    (void)state;
    struct fixture f;
    observe(&f, ONE, 1, POLICY("enforce", "1209600"));
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    good_host(root, "mx1.example.com");
    const struct stc_result *c = judge(&f, root);
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    assert_int_equal(fact(c, "active"), 1);
    assert_int_equal(fact(c, "max_age"), 1209600);
    assert_string_equal(stc_result_get_str(c, "mode"), "enforce");
    assert_true(has_text(c, 0, "the MX host satisfies the policy"));
    assert_int_equal(stc_result_recommendation_count(c), 0);
    stc_result_free(root);
}

/* max_age: a day is advice (recommendation, status success); below is a warning. */
static void max_age_levels(void **state)
{
    (void)state;
    struct fixture f;
    observe(&f, ONE, 1, POLICY("enforce", "86400"));
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    good_host(root, "mx1.example.com");
    const struct stc_result *c = judge(&f, root);
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    assert_true(has_text(c, 1, "Raise max_age to at least 604800"));
    stc_result_free(root);

    observe(&f, ONE, 1, POLICY("enforce", "3600"));
    root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    good_host(root, "mx1.example.com");
    c = judge(&f, root);
    assert_int_equal(stc_result_status(c), STC_STATUS_WARNING);
    assert_true(has_text(c, 0, "less than a day"));
    assert_true(has_text(c, 1, "Raise max_age to at least 604800"));
    /* the policy's format is fine: no advice to rewrite it */
    assert_false(has_text(c, 1, "Write the policy exactly"));
    stc_result_free(root);

    /* A format warning still gets the format fix. */
    observe(&f, ONE, 1, "version: STSv1\nmode: enforce\n\nmx: mx1.example.com\nmax_age: 1209600\n");
    root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    good_host(root, "mx1.example.com");
    c = judge(&f, root);
    assert_int_equal(stc_result_status(c), STC_STATUS_WARNING);
    assert_true(has_text(c, 1, "Write the policy exactly"));
    stc_result_free(root);
}

static void two_records_fail(void **state)
{
    (void)state;
    static const char *const two[] = {"v=STSv1; id=1", "v=STSv1; id=2"};
    struct fixture f;
    observe(&f, two, 2, POLICY("enforce", "1209600"));
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    good_host(root, "mx1.example.com");
    const struct stc_result *c = judge(&f, root);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_true(has_text(c, 0, "has 2 records starting with v=STSv1"));
    assert_int_equal(fact(c, "active"), 0);
    stc_result_free(root);
}

static void host_outside_policy(void **state)
{
    (void)state;
    struct fixture f;
    observe(&f, ONE, 1, POLICY("enforce", "1209600"));
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    good_host(root, "mx1.example.com");
    good_host(root, "mx2.example.com");
    const struct stc_result *c = judge(&f, root);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_true(has_text(c, 0, "senders enforcing your policy will not deliver to mx2.example.com"));
    assert_non_null(stc_result_type(c));
    stc_result_free(root);

    /* In testing mode the same is a warning. */
    observe(&f, ONE, 1, POLICY("testing", "1209600"));
    root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    good_host(root, "mx1.example.com");
    good_host(root, "mx2.example.com");
    c = judge(&f, root);
    assert_int_equal(stc_result_status(c), STC_STATUS_WARNING);
    assert_true(has_text(c, 0, "in testing mode senders deliver anyway"));
    stc_result_free(root);
}

static void fetch_failure_fails(void **state)
{
    (void)state;
    struct fixture f;
    observe(&f, ONE, 1, "");
    f.obs.fetch_rc = STC_E_PEER;
    f.obs.res.http_status = 404;
    snprintf(f.obs.fetch_err.msg, sizeof f.obs.fetch_err.msg, "HTTP status 404");
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    good_host(root, "mx1.example.com");
    const struct stc_result *c = judge(&f, root);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_string_equal(stc_result_type(c), "sts-policy-fetch-error");
    assert_true(has_text(c, 0, "HTTP status 404"));
    stc_result_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lookup_failed_is_not_tested),
        cmocka_unit_test(nothing_published_warns_with_what_to_publish),
        cmocka_unit_test(valid_enforced_policy_succeeds),
        cmocka_unit_test(max_age_levels),
        cmocka_unit_test(two_records_fail),
        cmocka_unit_test(host_outside_policy),
        cmocka_unit_test(fetch_failure_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
