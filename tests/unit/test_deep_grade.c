/* test_deep_grade - the NCSC-NL v2.1 levels for versions, suites, groups, DH
 * sizes, certificate keys and signature hashes, and their status mapping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "checks/deep_grade.h"

static void test_versions(void **state)
{
    (void)state;
    assert_int_equal(deep_grade_version(TLS_V_1_3), DEEP_GOOD);
    assert_int_equal(deep_grade_version(TLS_V_1_2), DEEP_SUFFICIENT);
    assert_int_equal(deep_grade_version(TLS_V_1_1), DEEP_PHASE_OUT);
    assert_int_equal(deep_grade_version(TLS_V_1_0), DEEP_PHASE_OUT);
    assert_int_equal(deep_grade_version(TLS_V_SSL3), DEEP_INSUFFICIENT);
    assert_int_equal(deep_grade_version(TLS_V_SSL2), DEEP_INSUFFICIENT);
    assert_int_equal(deep_grade_version(0x7f12), DEEP_INSUFFICIENT);
}

struct want {
    uint16_t id;
    enum deep_grade g;
};

static void test_suites(void **state)
{
    (void)state;
    static const struct want w[] = {
        {0x1302, DEEP_GOOD},         /* TLS_AES_256_GCM_SHA384 */
        {0x1303, DEEP_GOOD},         /* TLS_CHACHA20_POLY1305_SHA256 */
        {0x1301, DEEP_GOOD},         /* TLS_AES_128_GCM_SHA256 */
        {0x1304, DEEP_SUFFICIENT},   /* TLS_AES_128_CCM_SHA256 */
        {0x1305, DEEP_INSUFFICIENT}, /* TLS_AES_128_CCM_8_SHA256 */
        {0xc02c, DEEP_GOOD},         /* ECDHE-ECDSA AES-256-GCM */
        {0xc02f, DEEP_GOOD},         /* ECDHE-RSA AES-128-GCM */
        {0xcca8, DEEP_GOOD},         /* ECDHE-RSA CHACHA20 */
        {0xc028, DEEP_SUFFICIENT},   /* ECDHE-RSA AES-256-CBC-SHA384 */
        {0xc013, DEEP_SUFFICIENT},   /* ECDHE-RSA AES-128-CBC-SHA */
        {0xc0ac, DEEP_SUFFICIENT},   /* ECDHE-ECDSA AES-128-CCM */
        {0x009f, DEEP_SUFFICIENT},   /* DHE-RSA AES-256-GCM */
        {0xccaa, DEEP_SUFFICIENT},   /* DHE-RSA CHACHA20 */
        {0x0033, DEEP_SUFFICIENT},   /* DHE-RSA AES-128-CBC-SHA */
        {0xc012, DEEP_PHASE_OUT},    /* ECDHE-RSA 3DES */
        {0x0016, DEEP_PHASE_OUT},    /* DHE-RSA 3DES */
        {0x009c, DEEP_PHASE_OUT},    /* RSA AES-128-GCM */
        {0x0035, DEEP_PHASE_OUT},    /* RSA AES-256-CBC-SHA */
        {0x000a, DEEP_PHASE_OUT},    /* RSA 3DES */
        {0xc061, DEEP_PHASE_OUT},    /* ECDHE-RSA ARIA-256-GCM */
        {0xc077, DEEP_PHASE_OUT},    /* ECDHE-RSA CAMELLIA-256-CBC */
        {0x0084, DEEP_INSUFFICIENT}, /* RSA CAMELLIA */
        {0x00a2, DEEP_INSUFFICIENT}, /* DHE-DSS AES-128-GCM */
        {0x00a7, DEEP_INSUFFICIENT}, /* DH_anon AES-256-GCM */
        {0xc018, DEEP_INSUFFICIENT}, /* ECDH_anon AES-128-CBC */
        {0xc031, DEEP_INSUFFICIENT}, /* static ECDH-RSA AES-128-GCM */
        {0x0005, DEEP_INSUFFICIENT}, /* RSA RC4-128-SHA */
        {0x0009, DEEP_INSUFFICIENT}, /* RSA DES */
        {0x0003, DEEP_INSUFFICIENT}, /* EXPORT RC4-40 */
        {0x0002, DEEP_INSUFFICIENT}, /* NULL-SHA */
        {0xc0a2, DEEP_INSUFFICIENT}, /* DHE-RSA AES-128-CCM-8 */
        {0x0096, DEEP_INSUFFICIENT}, /* RSA SEED */
    };
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        const struct tls_suite *s = tls_suite_find(w[i].id);
        assert_non_null(s);
        if (deep_grade_suite(s) != w[i].g)
            fail_msg("%s: %s, want %s", s->name, deep_grade_name(deep_grade_suite(s)),
                     deep_grade_name(w[i].g));
    }
    assert_int_equal(deep_grade_suite(tls_suite_find_ssl2(0x0700c0)), DEEP_INSUFFICIENT);
    assert_int_equal(deep_grade_suite(NULL), DEEP_INSUFFICIENT);
}

static void test_groups_and_dh(void **state)
{
    (void)state;
    assert_int_equal(deep_grade_group(TLS_GROUP_X25519), DEEP_GOOD);
    assert_int_equal(deep_grade_group(TLS_GROUP_X448), DEEP_GOOD);
    assert_int_equal(deep_grade_group(TLS_GROUP_SECP256R1), DEEP_GOOD);
    assert_int_equal(deep_grade_group(TLS_GROUP_SECP384R1), DEEP_GOOD);
    assert_int_equal(deep_grade_group(TLS_GROUP_FFDHE4096), DEEP_SUFFICIENT);
    assert_int_equal(deep_grade_group(TLS_GROUP_FFDHE3072), DEEP_SUFFICIENT);
    assert_int_equal(deep_grade_group(TLS_GROUP_FFDHE2048), DEEP_PHASE_OUT);
    assert_int_equal(deep_grade_group(0x0015), DEEP_INSUFFICIENT); /* secp224r1 */
    assert_int_equal(deep_grade_dh_bits(4096), DEEP_SUFFICIENT);
    assert_int_equal(deep_grade_dh_bits(3072), DEEP_SUFFICIENT);
    assert_int_equal(deep_grade_dh_bits(3071), DEEP_PHASE_OUT);
    assert_int_equal(deep_grade_dh_bits(2048), DEEP_PHASE_OUT);
    assert_int_equal(deep_grade_dh_bits(1024), DEEP_INSUFFICIENT);
}

static void test_keys(void **state)
{
    (void)state;
    assert_int_equal(deep_grade_cert_key("RSA", 4096), DEEP_GOOD);
    assert_int_equal(deep_grade_cert_key("RSA", 3072), DEEP_GOOD);
    assert_int_equal(deep_grade_cert_key("RSA", 2048), DEEP_SUFFICIENT);
    assert_int_equal(deep_grade_cert_key("RSA", 1024), DEEP_INSUFFICIENT);
    assert_int_equal(deep_grade_cert_key("EC", 256), DEEP_GOOD);
    assert_int_equal(deep_grade_cert_key("EC", 224), DEEP_PHASE_OUT);
    assert_int_equal(deep_grade_cert_key("EC", 192), DEEP_INSUFFICIENT);
    assert_int_equal(deep_grade_cert_key("ED25519", 253), DEEP_GOOD);
    assert_int_equal(deep_grade_cert_key("DSA", 2048), DEEP_INSUFFICIENT);
    assert_int_equal(deep_grade_cert_key(NULL, 0), DEEP_INSUFFICIENT);
    assert_int_equal(deep_grade_sig_alg("sha256WithRSAEncryption"), DEEP_GOOD);
    assert_int_equal(deep_grade_sig_alg("ecdsa-with-SHA384"), DEEP_GOOD);
    assert_int_equal(deep_grade_sig_alg("ED25519"), DEEP_GOOD);
    assert_int_equal(deep_grade_sig_alg("sha224WithRSAEncryption"), DEEP_PHASE_OUT);
    assert_int_equal(deep_grade_sig_alg("sha1WithRSAEncryption"), DEEP_INSUFFICIENT);
    assert_int_equal(deep_grade_sig_alg("ecdsa-with-SHA1"), DEEP_INSUFFICIENT);
    assert_int_equal(deep_grade_sig_alg("md5WithRSAEncryption"), DEEP_INSUFFICIENT);
    assert_int_equal(deep_grade_sig_alg("unknown"), DEEP_INSUFFICIENT);
}

static void test_status_map(void **state)
{
    (void)state;
    assert_int_equal(deep_grade_status(DEEP_GOOD), STC_STATUS_SUCCESS);
    assert_int_equal(deep_grade_status(DEEP_SUFFICIENT), STC_STATUS_SUCCESS);
    assert_int_equal(deep_grade_status(DEEP_PHASE_OUT), STC_STATUS_WARNING);
    assert_int_equal(deep_grade_status(DEEP_INSUFFICIENT), STC_STATUS_FAILURE);
    assert_string_equal(deep_grade_name(DEEP_PHASE_OUT), "phase-out");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_versions),      cmocka_unit_test(test_suites),
        cmocka_unit_test(test_groups_and_dh), cmocka_unit_test(test_keys),
        cmocka_unit_test(test_status_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
