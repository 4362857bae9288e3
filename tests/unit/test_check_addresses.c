/* test_check_addresses.c - the per-address judge (check_addresses.c) and the
 * "not tested" connectivity verdict, on hand-made observations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "checks/checks.h"
#include "probe/host_obs.h"

/* A working address: STARTTLS, TLS 1.3, a valid certificate. */
static void good_addr(struct host_addr *a, const char *addr, enum host_addr_role role)
{
    memset(a, 0, sizeof *a);
    snprintf(a->address, sizeof a->address, "%s", addr);
    a->ipv6 = strchr(addr, ':') != NULL;
    a->role = role;
    a->tried = a->connected = a->banner_ok = a->ehlo_ok = a->advertised = 1;
    a->handshake_ok = a->ehlo_tls_ok = 1;
    a->tls_version = TLS_V_1_3;
    snprintf(a->version, sizeof a->version, "TLSv1.3");
    snprintf(a->cipher, sizeof a->cipher, "TLS_AES_256_GCM_SHA384");
    a->cert_problem = TLS_CERT_OK;
}

/* A dual-stack host: the IPv4 address fully checked, the IPv6 one a session. */
static void dual(struct host_obs *o, struct host_addr a[2])
{
    memset(o, 0, sizeof *o);
    snprintf(o->host, sizeof o->host, "mx.example.com");
    snprintf(o->address, sizeof o->address, "127.77.1.2");
    o->resolved = o->connected = o->banner_ok = 1;
    o->naddrs = 2;
    good_addr(&a[0], "127.77.1.2", HOST_ADDR_FULL);
    good_addr(&a[1], "fd77::1:2", HOST_ADDR_SESSION);
    o->addrs = a;
    o->naddr_obs = 2;
}

static struct stc_result *judge(const struct host_obs *o)
{
    struct stc_result *h = result_new(STC_NODE_HOST, o->host, NULL);
    check_connectivity(o, h);
    check_addresses(o, h);
    result_rollup(h);
    return h;
}

static const struct stc_result *node(const struct stc_result *h, const char *a)
{
    const struct stc_result *c = stc_result_find(h, "addresses");
    assert_non_null(c);
    if (a == NULL)
        return c;
    const struct stc_result *n = stc_result_find(c, a);
    assert_non_null(n);
    return n;
}

static int has_msg(const struct stc_result *r, const char *part)
{
    for (size_t i = 0; i < stc_result_message_count(r); i++)
        if (strstr(stc_result_message(r, i), part) != NULL)
            return 1;
    return 0;
}

static long long fact(const struct stc_result *r, const char *key)
{
    long long v = -1;
    assert_true(stc_result_get_int(r, key, &v));
    return v;
}

static void all_alike_succeeds(void **state)
{
    (void)state;
    struct host_obs o;
    struct host_addr a[2];
    dual(&o, a);
    struct stc_result *h = judge(&o);
    assert_int_equal(stc_result_status(h), STC_STATUS_SUCCESS);
    assert_int_equal(fact(node(h, NULL), "tested"), 2);
    assert_int_equal(stc_result_child_count(node(h, NULL)), 2);
    assert_string_equal(stc_result_get_str(node(h, NULL), "full_check"), "127.77.1.2");
    assert_string_equal(stc_result_get_str(node(h, "fd77::1:2"), "family"), "IPv6");
    assert_string_equal(stc_result_get_str(node(h, "fd77::1:2"), "role"), "session");
    assert_true(has_msg(node(h, NULL), "All 2 tested addresses"));
    stc_result_free(h);
}

static void broken_ipv6_warns(void **state)
{
    (void)state;
    struct host_obs o;
    struct host_addr a[2];
    dual(&o, a);
    a[1].connected = a[1].banner_ok = a[1].ehlo_ok = a[1].handshake_ok = 0;
    err_set(&a[1].err, STC_E_PEER, "fd77::1:2 port 25: connection refused");
    struct stc_result *h = judge(&o);
    assert_int_equal(stc_result_status(h), STC_STATUS_WARNING);
    assert_int_equal(stc_result_status(stc_result_find(h, CHECK_CONNECTIVITY)), STC_STATUS_SUCCESS);
    const struct stc_result *n = node(h, "fd77::1:2");
    assert_int_equal(stc_result_status(n), STC_STATUS_WARNING);
    assert_true(has_msg(n, "Could not connect over IPv6"));
    assert_true(has_msg(n, "while 127.77.1.2 works"));
    assert_non_null(strstr(stc_result_recommendation(n, 0), "AAAA"));
    assert_true(has_msg(node(h, NULL), "fd77::1:2: Could not connect"));
    stc_result_free(h);
}

static void starttls_missing_on_ipv6_fails(void **state)
{
    (void)state;
    struct host_obs o;
    struct host_addr a[2];
    dual(&o, a);
    a[1].advertised = a[1].handshake_ok = 0;
    struct stc_result *h = judge(&o);
    assert_int_equal(stc_result_status(node(h, "fd77::1:2")), STC_STATUS_FAILURE);
    assert_true(has_msg(node(h, "fd77::1:2"), "STARTTLS is not offered at fd77::1:2"));
    stc_result_free(h);
}

static void worse_certificate_or_version_on_ipv6(void **state)
{
    (void)state;
    struct host_obs o;
    struct host_addr a[2];
    dual(&o, a);
    a[1].cert_problem = TLS_CERT_EXPIRED;
    a[1].tls_version = TLS_V_1_0;
    snprintf(a[1].version, sizeof a[1].version, "TLSv1");
    struct stc_result *h = judge(&o);
    const struct stc_result *n = node(h, "fd77::1:2");
    assert_int_equal(stc_result_status(n), STC_STATUS_FAILURE);
    assert_true(has_msg(n, "does not verify (the certificate has expired)"));
    assert_true(has_msg(n, "negotiates TLSv1 while 127.77.1.2 negotiates TLSv1.3"));
    /* the same problem on both addresses is the certificate check's, not a difference */
    a[0].cert_problem = TLS_CERT_EXPIRED;
    a[1].tls_version = TLS_V_1_3;
    stc_result_free(h);
    h = judge(&o);
    assert_int_equal(stc_result_status(node(h, "fd77::1:2")), STC_STATUS_SUCCESS);
    stc_result_free(h);
}

static void throttled_extra_connection_is_not_judged(void **state)
{
    (void)state;
    struct host_obs o;
    struct host_addr a[2];
    dual(&o, a);
    a[1].throttled = 1;
    a[1].banner_ok = a[1].handshake_ok = 0;
    struct stc_result *h = judge(&o);
    assert_int_equal(stc_result_status(h), STC_STATUS_SUCCESS);
    assert_true(has_msg(node(h, "fd77::1:2"), "421"));
    stc_result_free(h);
}

static void no_route_is_not_tested_not_failed(void **state)
{
    (void)state;
    struct host_obs o;
    struct host_addr a[2];
    dual(&o, a);
    memset(&a[1], 0, sizeof a[1]);
    snprintf(a[1].address, sizeof a[1].address, "fd77::ffff:1:2");
    a[1].ipv6 = a[1].tried = a[1].no_route = 1;
    struct stc_result *h = judge(&o);
    assert_int_equal(stc_result_status(h), STC_STATUS_SUCCESS);
    const struct stc_result *c = node(h, NULL);
    assert_int_equal(fact(c, "tested"), 1);
    assert_null(stc_result_find(c, "fd77::ffff:1:2"));
    long idx = stc_result_fact_index(c, "not_tested");
    assert_true(idx >= 0);
    assert_int_equal(stc_result_fact_list_len(c, (size_t)idx), 1);
    assert_string_equal(stc_result_fact_list_item(c, (size_t)idx, 0),
                        "fd77::ffff:1:2: no IPv6 route from this machine");
    assert_true(has_msg(c, "Not tested: fd77::ffff:1:2"));
    stc_result_free(h);
}

static void only_untestable_addresses(void **state)
{
    (void)state;
    struct host_obs o;
    struct host_addr a[2];
    dual(&o, a);
    o.connected = 0;
    o.address[0] = '\0';
    memset(a, 0, sizeof a);
    snprintf(a[0].address, sizeof a[0].address, "fd77::ffff:1:2");
    a[0].ipv6 = a[0].tried = a[0].no_route = 1;
    snprintf(a[1].address, sizeof a[1].address, "127.77.1.2");
    a[1].role = HOST_ADDR_SKIPPED;
    struct stc_result *h = judge(&o);
    const struct stc_result *c = stc_result_find(h, CHECK_CONNECTIVITY);
    assert_int_equal(stc_result_status(c), STC_STATUS_ERROR);
    assert_int_equal(fact(c, "not_tested"), 1);
    assert_true(has_msg(c, "Not tested: mx.example.com: no IPv6 route from this machine; IPv4 "
                           "is off (--ipv6-only)"));
    assert_int_equal(stc_result_recommendation_count(c), 1);
    assert_non_null(strstr(stc_result_recommendation(c, 0), "Nothing is known to be wrong"));
    stc_result_free(h);

    /* one address refused among them: a real connection failure, no "Not tested" */
    a[1].role = HOST_ADDR_SESSION;
    a[1].tried = 1;
    err_set(&a[1].err, STC_E_PEER, "refused");
    err_set(&o.conn_err, STC_E_PEER, "127.77.1.2 port 25: connection refused");
    h = judge(&o);
    c = stc_result_find(h, CHECK_CONNECTIVITY);
    assert_true(has_msg(c, "Could not connect to mx.example.com"));
    assert_false(stc_result_get_int(c, "not_tested", &(long long){0}));
    stc_result_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_alike_succeeds),
        cmocka_unit_test(broken_ipv6_warns),
        cmocka_unit_test(starttls_missing_on_ipv6_fails),
        cmocka_unit_test(worse_certificate_or_version_on_ipv6),
        cmocka_unit_test(throttled_extra_connection_is_not_judged),
        cmocka_unit_test(no_route_is_not_tested_not_failed),
        cmocka_unit_test(only_untestable_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
