/* Unit tests for domain_status.c: the domain status code from hand-built
 * host nodes and domain-level checks (the rules of docs/checks.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "checks/checks.h"

enum host_kind {
    H_GOOD,        /* connected, STARTTLS, handshake */
    H_WARN,        /* as good, with a version warning */
    H_FAIL,        /* as good, with a certificate failure */
    H_REFUSED,     /* connectivity error */
    H_NO_STARTTLS, /* not advertised */
    H_TLS_FAILS,   /* advertised, handshake failed */
    H_EHLO_FAILED, /* starttls could not run (error) */
    H_BAD_NAME     /* MX name unusable: no connection tried (checker.c run_host) */
};

static void add_host(struct stc_result *root, const char *name, enum host_kind k)
{
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, name, NULL));
    struct stc_result *c = result_add_check(h, CHECK_CONNECTIVITY, NULL);
    if (k == H_BAD_NAME) {
        result_msg(c, STC_STATUS_ERROR, "The MX name cannot be used as a host name: x");
        result_fact_bool(c, "name_unusable", 1);
        result_rollup(h);
        return;
    }
    if (k == H_REFUSED) {
        result_msg(c, STC_STATUS_ERROR, "connection refused");
        result_rollup(h);
        return;
    }
    c = result_add_check(h, CHECK_STARTTLS, NULL);
    result_fact_bool(c, "advertised", k != H_NO_STARTTLS);
    result_fact_bool(c, "handshake", k != H_NO_STARTTLS && k != H_TLS_FAILS && k != H_EHLO_FAILED);
    if (k == H_NO_STARTTLS || k == H_TLS_FAILS)
        result_msg(c, STC_STATUS_FAILURE, "no STARTTLS");
    if (k == H_EHLO_FAILED)
        result_msg(c, STC_STATUS_ERROR, "EHLO rejected: 550");
    if (k == H_WARN)
        result_msg(result_add_check(h, CHECK_VERSION, NULL), STC_STATUS_WARNING, "TLS 1.0");
    if (k == H_FAIL)
        result_msg(result_add_check(h, CHECK_CERTIFICATE, NULL), STC_STATUS_FAILURE, "expired");
    result_rollup(h);
}

static struct stc_result *root_new(void)
{
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    assert_non_null(root);
    result_fact_list(root, "preferred_hostnames");
    return root;
}

static stc_domain_status hosts(struct stc_result *root, const char *const *expected, char *msg)
{
    msg[0] = '\0';
    stc_domain_status s = domain_status_hosts(root, expected, msg, 256);
    assert_false(result_oom(root));
    return s;
}

static void sound_hosts_succeed(void **state)
{
    (void)state;
    char msg[256];
    struct stc_result *root = root_new();
    add_host(root, "mx1.example.com", H_GOOD);
    assert_int_equal(hosts(root, NULL, msg), STC_DOMAIN_SUCCESS);
    assert_string_equal(msg, "1 of 1 MX host checked: STARTTLS with a valid certificate");
    long i = stc_result_fact_index(root, "preferred_hostnames");
    assert_int_equal(stc_result_fact_list_len(root, (size_t)i), 1);
    stc_result_free(root);
}

static void worst_connected_host_counts(void **state)
{
    (void)state;
    char msg[256];
    struct stc_result *root = root_new();
    add_host(root, "mx1.example.com", H_GOOD);
    add_host(root, "mx2.example.com", H_WARN);
    assert_int_equal(hosts(root, NULL, msg), STC_DOMAIN_WARNING);
    assert_string_equal(msg, "mx2.example.com: warnings found");
    add_host(root, "mx3.example.com", H_FAIL);
    assert_int_equal(hosts(root, NULL, msg), STC_DOMAIN_FAILURE);
    assert_string_equal(msg, "mx3.example.com: problems found");
    stc_result_free(root);
}

static void unreachable_hosts_do_not_count(void **state)
{
    (void)state;
    char msg[256];
    struct stc_result *root = root_new();
    add_host(root, "mx1.example.com", H_REFUSED);
    add_host(root, "mx2.example.com", H_GOOD);
    assert_int_equal(hosts(root, NULL, msg), STC_DOMAIN_SUCCESS);
    assert_string_equal(msg, "1 of 2 MX hosts checked: STARTTLS with a valid certificate");
    stc_result_free(root);

    root = root_new();
    add_host(root, "mx1.example.com", H_REFUSED);
    assert_int_equal(hosts(root, NULL, msg), STC_DOMAIN_COULD_NOT_CONNECT);
    assert_string_equal(msg, "Could not connect to the MX host");
    add_host(root, "mx2.example.com", H_REFUSED);
    assert_int_equal(hosts(root, NULL, msg), STC_DOMAIN_COULD_NOT_CONNECT);
    assert_string_equal(msg, "Could not connect to any of the 2 MX hosts");
    stc_result_free(root);
}

/* MX names that cannot name a host: no connection was even possible to try,
 * so a domain with only such names is 3 "not tested", never 5. */
static void unusable_mx_names_are_not_tested(void **state)
{
    (void)state;
    char msg[256];
    struct stc_result *root = root_new();
    add_host(root, "-mx.example.com", H_BAD_NAME);
    assert_int_equal(hosts(root, NULL, msg), STC_DOMAIN_ERROR);
    assert_non_null(strstr(msg, "Not tested"));
    assert_non_null(strstr(msg, "MX name"));
    add_host(root, "mx_2.example.com", H_BAD_NAME);
    assert_int_equal(hosts(root, NULL, msg), STC_DOMAIN_ERROR);
    assert_non_null(strstr(msg, "none of the 2 MX names"));
    /* with a host that was tried and refused: could not connect */
    add_host(root, "mx3.example.com", H_REFUSED);
    assert_int_equal(hosts(root, NULL, msg), STC_DOMAIN_COULD_NOT_CONNECT);
    /* with a good host: the unusable names do not count */
    add_host(root, "mx4.example.com", H_GOOD);
    assert_int_equal(hosts(root, NULL, msg), STC_DOMAIN_SUCCESS);
    stc_result_free(root);
}

static void no_starttls(void **state)
{
    (void)state;
    char msg[256];
    struct stc_result *root = root_new();
    add_host(root, "mx1.example.com", H_GOOD);
    add_host(root, "mx2.example.com", H_NO_STARTTLS);
    assert_int_equal(hosts(root, NULL, msg), STC_DOMAIN_NO_STARTTLS);
    assert_string_equal(msg, "mx2.example.com does not support STARTTLS");
    stc_result_free(root);

    root = root_new();
    add_host(root, "mx1.example.com", H_TLS_FAILS);
    assert_int_equal(hosts(root, NULL, msg), STC_DOMAIN_NO_STARTTLS);
    assert_string_equal(msg, "STARTTLS fails on mx1.example.com");
    stc_result_free(root);
}

/* EHLO rejected: STARTTLS was not tested, so the host is an error, not a
 * "no STARTTLS" (and never a success). */
static void starttls_not_run_is_an_error(void **state)
{
    (void)state;
    char msg[256];
    struct stc_result *root = root_new();
    add_host(root, "mx1.example.com", H_EHLO_FAILED);
    assert_int_equal(hosts(root, NULL, msg), STC_DOMAIN_ERROR);
    assert_string_equal(msg, "mx1.example.com: checks that could not run found");
    stc_result_free(root);
}

static void expected_mx_patterns(void **state)
{
    (void)state;
    char msg[256];
    const char *const ok[] = {"*.example.com", NULL};
    const char *const other[] = {"mx.example.net", "*.example.org", NULL};
    struct stc_result *root = root_new();
    add_host(root, "mx1.example.com", H_GOOD);
    assert_int_equal(hosts(root, ok, msg), STC_DOMAIN_SUCCESS);
    assert_int_equal(hosts(root, other, msg), STC_DOMAIN_BAD_HOSTNAME);
    assert_string_equal(msg, "mx1.example.com does not match the expected MX hosts");
    stc_result_free(root);

    /* An unreachable host outside the patterns does not count. */
    root = root_new();
    add_host(root, "mx1.elsewhere.test", H_REFUSED);
    add_host(root, "mx1.example.com", H_GOOD);
    assert_int_equal(hosts(root, ok, msg), STC_DOMAIN_SUCCESS);
    stc_result_free(root);
}

static struct stc_result *domain_check(struct stc_result *root, const char *name, stc_status s)
{
    struct stc_result *c = result_add_check(root, name, NULL);
    if (s != STC_STATUS_SUCCESS)
        result_msg(c, s, "%s finding", name);
    else
        result_note(c, "%s advice", name);
    return c;
}

static void domain_checks_raise(void **state)
{
    (void)state;
    char msg[256] = "verdict";
    struct stc_result *root = root_new();
    /* Advice and warnings change nothing. */
    struct stc_result *c = domain_check(root, CHECK_MTASTS, STC_STATUS_SUCCESS);
    result_recommend(c, "Raise max_age to a week");
    domain_check(root, CHECK_TLSRPT, STC_STATUS_WARNING);
    assert_int_equal(domain_status_checks(root, STC_DOMAIN_SUCCESS, msg, sizeof msg),
                     STC_DOMAIN_SUCCESS);
    assert_string_equal(msg, "verdict");
    assert_int_equal(domain_status_checks(root, STC_DOMAIN_WARNING, msg, sizeof msg),
                     STC_DOMAIN_WARNING);
    /* A check that could not run: error, never a pass. */
    domain_check(root, CHECK_POLICYLIST, STC_STATUS_ERROR);
    assert_int_equal(domain_status_checks(root, STC_DOMAIN_SUCCESS, msg, sizeof msg),
                     STC_DOMAIN_ERROR);
    assert_string_equal(msg, "policylist check could not run");
    /* A failure wins over an error, and names the check. */
    domain_check(root, CHECK_DANE, STC_STATUS_FAILURE);
    assert_int_equal(domain_status_checks(root, STC_DOMAIN_WARNING, msg, sizeof msg),
                     STC_DOMAIN_FAILURE);
    assert_string_equal(msg, "dane check failed");
    /* The host codes 2..6 stay. */
    for (int s = STC_DOMAIN_FAILURE; s <= STC_DOMAIN_BAD_HOSTNAME; s++) {
        snprintf(msg, sizeof msg, "host verdict");
        assert_int_equal(domain_status_checks(root, (stc_domain_status)s, msg, sizeof msg), s);
        assert_string_equal(msg, "host verdict");
    }
    /* Host nodes are not domain checks. */
    struct stc_result *r2 = root_new();
    add_host(r2, "mx1.example.com", H_FAIL);
    assert_int_equal(domain_status_checks(r2, STC_DOMAIN_SUCCESS, msg, sizeof msg),
                     STC_DOMAIN_SUCCESS);
    stc_result_free(r2);
    stc_result_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sound_hosts_succeed),
        cmocka_unit_test(worst_connected_host_counts),
        cmocka_unit_test(unreachable_hosts_do_not_count),
        cmocka_unit_test(no_starttls),
        cmocka_unit_test(starttls_not_run_is_an_error),
        cmocka_unit_test(expected_mx_patterns),
        cmocka_unit_test(domain_checks_raise),
        cmocka_unit_test(unusable_mx_names_are_not_tested),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
