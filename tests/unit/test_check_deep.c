/* test_check_deep - the tls_deep judge on hand-made deep observations: node
 * layout, facts, statuses from the grades, server order, renegotiation,
 * CVE-2011-0411, an analysis that stopped early. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "checks/checks.h"
#include "probe/deep_obs.h"
#include "probe/host_obs.h"
#include "tls/tls_wire.h"

static void host(struct host_obs *o, const char *key, int bits)
{
    memset(o, 0, sizeof *o);
    snprintf(o->host, sizeof o->host, "mx.example.com");
    o->handshake_ok = 1;
    o->info.have_cert = 1;
    snprintf(o->info.key_type, sizeof o->info.key_type, "%s", key);
    o->info.key_bits = bits;
    snprintf(o->info.sig_alg, sizeof o->info.sig_alg, "sha256WithRSAEncryption");
}

static void version(struct deep_obs *d, int i, int v, const uint32_t *suites, size_t n)
{
    d->v[i].version = v;
    d->v[i].tested = 1;
    d->v[i].accepted = n > 0;
    d->v[i].complete = 1;
    d->v[i].secure_reneg = 1;
    d->v[i].server_order = n > 1 ? 1 : -1;
    for (size_t k = 0; k < n; k++)
        d->v[i].suites[k] = suites[k];
    d->v[i].nsuites = n;
    if (n == 0)
        snprintf(d->v[i].refusal, sizeof d->v[i].refusal, "alert protocol_version");
}

static void modern(struct deep_obs *d)
{
    static const uint32_t s13[] = {0x1302, 0x1301}, s12[] = {0xc02f, 0xc030};
    static const int v[] = {TLS_V_SSL2, TLS_V_SSL3, TLS_V_1_0, TLS_V_1_1};
    memset(d, 0, sizeof *d);
    d->ran = 1;
    d->connections = 20;
    for (int i = 0; i < 4; i++)
        version(d, i, v[i], NULL, 0);
    version(d, DEEP_TLS12, TLS_V_1_2, s12, 2);
    version(d, DEEP_TLS13, TLS_V_1_3, s13, 2);
    d->groups_version = TLS_V_1_3;
    d->groups[0] = TLS_GROUP_X25519;
    d->groups[1] = TLS_GROUP_SECP256R1;
    d->ngroups = 2;
    d->injection_tested = 1;
    d->requiretls_known = 1;
    d->requiretls = 1;
}

static const struct stc_result *child(const struct stc_result *r, const char *name)
{
    const struct stc_result *c = stc_result_find(r, name);
    if (c == NULL)
        fail_msg("no node %s under %s", name, stc_result_name(r));
    return c;
}

static int list_has(const struct stc_result *r, const char *key, const char *item)
{
    long i = stc_result_fact_index(r, key);
    if (i < 0)
        return 0;
    for (size_t k = 0; k < stc_result_fact_list_len(r, (size_t)i); k++)
        if (strcmp(stc_result_fact_list_item(r, (size_t)i, k), item) == 0)
            return 1;
    return 0;
}

/* The judge sees the deep observations where the probe layer puts them. */
static struct stc_result *judge(const struct deep_obs *d, struct host_obs *o)
{
    struct stc_result *h = result_new(STC_NODE_HOST, o->host, NULL);
    o->deep = *d;
    check_deep(o, h);
    result_rollup(h);
    return h;
}

static void test_modern_host(void **state)
{
    (void)state;
    struct deep_obs d;
    struct host_obs o;
    long long v = 0;
    modern(&d);
    host(&o, "RSA", 3072);
    struct stc_result *h = judge(&d, &o);
    const struct stc_result *t = child(h, CHECK_DEEP);
    assert_int_equal(stc_result_status(t), STC_STATUS_SUCCESS);
    assert_true(stc_result_get_int(t, "connections", &v) && v == 20);
    assert_true(stc_result_get_int(t, "complete", &v) && v == 1);
    const struct stc_result *vs = child(t, "versions");
    assert_true(list_has(vs, "accepted", "TLSv1.3"));
    assert_true(list_has(vs, "accepted", "TLSv1.2"));
    assert_true(list_has(vs, "refused", "SSLv3"));
    assert_true(list_has(vs, "graded", "TLSv1.2 (sufficient)"));
    const struct stc_result *cs = child(t, "ciphers");
    assert_int_equal(stc_result_status(cs), STC_STATUS_SUCCESS);
    assert_true(list_has(cs, "accepted", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (good)"));
    assert_true(list_has(cs, "suites_tls13", "TLS_AES_256_GCM_SHA384"));
    assert_true(stc_result_get_int(cs, "suites_tls12_count", &v) && v == 2);
    assert_true(stc_result_get_int(cs, "server_order_tls12", &v) && v == 1);
    const struct stc_result *gs = child(t, "groups");
    assert_true(list_has(gs, "graded", "x25519 (good)"));
    assert_string_equal(stc_result_get_str(gs, "probed_at"), "TLSv1.3");
    assert_int_equal(stc_result_status(child(t, "certificate_key")), STC_STATUS_SUCCESS);
    assert_string_equal(stc_result_get_str(child(t, "certificate_key"), "key"), "RSA 3072 (good)");
    assert_int_equal(stc_result_status(child(t, "renegotiation")), STC_STATUS_SUCCESS);
    assert_int_equal(stc_result_status(child(t, "starttls_injection")), STC_STATUS_SUCCESS);
    assert_true(stc_result_get_int(child(t, "requiretls"), "advertised", &v) && v == 1);
    stc_result_free(h);
}

static void test_old_host(void **state)
{
    (void)state;
    struct deep_obs d;
    struct host_obs o;
    long long v = 0;
    static const uint32_t s3[] = {0x0005}, s12[] = {0xc02f, 0x0035};
    modern(&d);
    version(&d, DEEP_SSL3, TLS_V_SSL3, s3, 1);
    version(&d, DEEP_TLS12, TLS_V_1_2, s12, 2);
    d.v[DEEP_TLS12].server_order = 0; /* follows the client with a phase-out suite */
    d.v[DEEP_TLS12].secure_reneg = 0;
    d.dh[d.ndh++] = (struct deep_dh){0x0033, 1024}; /* DHE-RSA-AES128-SHA */
    d.injection_vulnerable = 1;
    host(&o, "RSA", 1024);
    struct stc_result *h = judge(&d, &o);
    const struct stc_result *t = child(h, CHECK_DEEP);
    assert_int_equal(stc_result_status(t), STC_STATUS_FAILURE);
    assert_int_equal(stc_result_status(child(t, "versions")), STC_STATUS_FAILURE);
    assert_true(list_has(child(t, "versions"), "graded", "SSLv3 (insufficient)"));
    const struct stc_result *cs = child(t, "ciphers");
    assert_int_equal(stc_result_status(cs), STC_STATUS_FAILURE); /* RC4 */
    assert_true(list_has(cs, "accepted", "TLS_RSA_WITH_RC4_128_SHA (insufficient)"));
    assert_true(list_has(cs, "accepted", "TLS_RSA_WITH_AES_256_CBC_SHA (phase-out)"));
    assert_true(stc_result_get_int(cs, "server_order_tls12", &v) && v == 0);
    int order_msg = 0;
    for (size_t i = 0; i < stc_result_message_count(cs); i++)
        order_msg |= strstr(stc_result_message(cs, i), "client's order") != NULL;
    assert_true(order_msg);
    assert_true(stc_result_recommendation_count(cs) >= 2);
    assert_int_equal(stc_result_status(child(t, "groups")), STC_STATUS_FAILURE); /* DH 1024 */
    assert_int_equal(stc_result_status(child(t, "certificate_key")), STC_STATUS_FAILURE);
    const struct stc_result *rn = child(t, "renegotiation");
    assert_int_equal(stc_result_status(rn), STC_STATUS_WARNING);
    assert_true(stc_result_get_int(rn, "secure", &v) && v == 0);
    const struct stc_result *inj = child(t, "starttls_injection");
    assert_int_equal(stc_result_status(inj), STC_STATUS_FAILURE);
    assert_true(stc_result_get_int(inj, "vulnerable", &v) && v == 1);
    assert_true(stc_result_recommendation_count(inj) == 1);
    stc_result_free(h);
}

/* Issue 12: the DH grade comes from the authenticated suites; an anonymous
 * suite's small prime is a note (the cipher check judges anonymous suites). */
static void test_dh_per_suite(void **state)
{
    (void)state;
    struct deep_obs d;
    struct host_obs o;
    long long v = 0;
    static const uint32_t s12[] = {0x009f, 0x009e, 0x00a6};
    modern(&d);
    version(&d, DEEP_TLS12, TLS_V_1_2, s12, 3);
    d.dh[d.ndh++] = (struct deep_dh){0x009f, 2048}; /* DHE-RSA-AES256-GCM */
    d.dh[d.ndh++] = (struct deep_dh){0x009e, 2048};
    d.dh[d.ndh++] = (struct deep_dh){0x00a6, 1024}; /* DH_anon-AES128-GCM */
    host(&o, "RSA", 2048);
    struct stc_result *h = judge(&d, &o);
    const struct stc_result *g = child(child(h, CHECK_DEEP), "groups");
    assert_int_equal(stc_result_status(g), STC_STATUS_WARNING);
    assert_true(stc_result_get_int(g, "dh_bits", &v) && v == 2048);
    assert_true(stc_result_get_int(g, "dh_bits_anonymous", &v) && v == 1024);
    assert_string_equal(stc_result_get_str(g, "dh_grade"), "phase-out");
    assert_true(list_has(g, "dh_suites", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256: 2048 bits (phase-out)"));
    assert_true(list_has(g, "dh_suites",
                         "TLS_DH_anon_WITH_AES_128_GCM_SHA256: 1024 bits (anonymous, not graded)"));
    stc_result_free(h);

    /* only anonymous DHE: no DH grade at all */
    modern(&d);
    d.dh[d.ndh++] = (struct deep_dh){0x00a6, 1024};
    h = judge(&d, &o);
    g = child(child(h, CHECK_DEEP), "groups");
    assert_int_equal(stc_result_status(g), STC_STATUS_SUCCESS);
    assert_true(stc_result_get_int(g, "dh_bits", &v) && v == 0);
    stc_result_free(h);
}

static void test_partial(void **state)
{
    (void)state;
    struct deep_obs d;
    struct host_obs o;
    long long v = 1;
    modern(&d);
    d.aborted = 1;
    err_set(&d.abort_err, STC_E_PEER, "server is throttling connections: 421");
    d.injection_tested = 0;
    d.v[DEEP_TLS12].complete = 0;
    host(&o, "EC", 256);
    struct stc_result *h = judge(&d, &o);
    const struct stc_result *t = child(h, CHECK_DEEP);
    /* An analysis cut short is a note, not a finding. */
    assert_int_equal(stc_result_status(t), STC_STATUS_SUCCESS);
    assert_true(stc_result_get_int(t, "complete", &v) && v == 0);
    assert_true(strstr(stc_result_message(t, 0), "throttling") != NULL);
    assert_true(stc_result_get_int(child(t, "starttls_injection"), "tested", &v) && v == 0);
    stc_result_free(h);
}

/* No deep analysis ran (no --deep, or STARTTLS failed): no tls_deep node. */
static void test_not_run(void **state)
{
    (void)state;
    struct host_obs o;
    host(&o, "RSA", 3072);
    struct stc_result *h = result_new(STC_NODE_HOST, o.host, NULL);
    check_deep(&o, h);
    assert_null(stc_result_find(h, CHECK_DEEP));
    assert_int_equal(stc_result_child_count(h), 0);
    stc_result_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modern_host),
        cmocka_unit_test(test_old_host),
        cmocka_unit_test(test_dh_per_suite),
        cmocka_unit_test(test_partial),
        cmocka_unit_test(test_not_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
