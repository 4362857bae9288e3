/* test_tls_suites - the cipher suite table: unique ids, names that agree with
 * OpenSSL's IANA names for every suite OpenSSL knows, version rules, the
 * broken/anonymous classes, the group names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <openssl/ssl.h>

#include "tls/tls_wire.h"

static void test_unique_and_named(void **state)
{
    (void)state;
    size_t n = 0;
    const struct tls_suite *t = tls_suites_all(&n);
    assert_true(n > 150);
    for (size_t i = 0; i < n; i++) {
        int ssl2 = (t[i].flags & TLS_SUITE_SSL2) != 0;
        assert_true(strncmp(t[i].name, ssl2 ? "SSL_CK_" : "TLS_", ssl2 ? 7 : 4) == 0);
        assert_true(ssl2 ? t[i].id <= 0xffffff : t[i].id <= 0xffff);
        assert_true(t[i].kex != 0 && t[i].auth != 0 && t[i].enc != 0 && t[i].mac != 0);
        for (size_t k = i + 1; k < n; k++) {
            if (((t[k].flags & TLS_SUITE_SSL2) != 0) == ssl2)
                assert_true(t[i].id != t[k].id);
            assert_string_not_equal(t[i].name, t[k].name);
        }
        assert_ptr_equal(ssl2 ? tls_suite_find_ssl2(t[i].id) : tls_suite_find((uint16_t)t[i].id),
                         &t[i]);
    }
    assert_null(tls_suite_find(0x00ff)); /* the SCSV is not a suite */
    assert_null(tls_suite_find_ssl2(0x0000ff));
}

/* Every suite OpenSSL knows must carry OpenSSL's IANA name in the table. */
static void test_names_match_openssl(void **state)
{
    (void)state;
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    assert_non_null(ctx);
    SSL *ssl = SSL_new(ctx);
    assert_non_null(ssl);
    size_t n = 0, known = 0;
    const struct tls_suite *t = tls_suites_all(&n);
    for (size_t i = 0; i < n; i++) {
        if (t[i].flags & TLS_SUITE_SSL2)
            continue;
        unsigned char id[2] = {(unsigned char)(t[i].id >> 8), (unsigned char)t[i].id};
        const SSL_CIPHER *c = SSL_CIPHER_find(ssl, id);
        if (c == NULL)
            continue;
        known++;
        const char *std = SSL_CIPHER_standard_name(c);
        assert_non_null(std);
        if (strcmp(std, t[i].name) != 0)
            fail_msg("0x%04x: table says %s, OpenSSL %s", (unsigned)t[i].id, t[i].name, std);
    }
    assert_true(known >= 80); /* the comparison covered most of the table */
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static void test_versions(void **state)
{
    (void)state;
    const struct tls_suite *s13 = tls_suite_find(0x1301), *gcm = tls_suite_find(0xc02f),
                           *cbc = tls_suite_find(0x002f), *ck = tls_suite_find_ssl2(0x010080);
    assert_non_null(s13);
    assert_non_null(gcm);
    assert_non_null(cbc);
    assert_non_null(ck);
    assert_true(tls_suite_for_version(s13, TLS_V_1_3));
    assert_false(tls_suite_for_version(s13, TLS_V_1_2));
    assert_true(tls_suite_for_version(gcm, TLS_V_1_2));
    assert_false(tls_suite_for_version(gcm, TLS_V_1_1));
    assert_false(tls_suite_for_version(gcm, TLS_V_1_3));
    assert_true(tls_suite_for_version(cbc, TLS_V_SSL3));
    assert_true(tls_suite_for_version(cbc, TLS_V_1_2));
    assert_false(tls_suite_for_version(cbc, TLS_V_SSL2));
    assert_true(tls_suite_for_version(ck, TLS_V_SSL2));
    assert_false(tls_suite_for_version(ck, TLS_V_SSL3));
}

static void test_classes(void **state)
{
    (void)state;
    assert_true(tls_suite_is_broken(tls_suite_find(0x0002)));  /* NULL */
    assert_true(tls_suite_is_broken(tls_suite_find(0x0005)));  /* RC4 */
    assert_true(tls_suite_is_broken(tls_suite_find(0x0009)));  /* DES */
    assert_true(tls_suite_is_broken(tls_suite_find(0x0003)));  /* EXPORT RC4 40 */
    assert_false(tls_suite_is_broken(tls_suite_find(0x000a))); /* 3DES: weak, not broken */
    assert_false(tls_suite_is_broken(tls_suite_find(0x00a7)));
    assert_true(tls_suite_is_anon(tls_suite_find(0x00a7))); /* DH_anon AES-256-GCM */
    assert_true(tls_suite_is_anon(tls_suite_find(0xc018))); /* ECDH_anon */
    assert_false(tls_suite_is_anon(tls_suite_find(0xc02f)));
}

static void test_groups(void **state)
{
    (void)state;
    size_t n = 0;
    const uint16_t *g = tls_groups_probe(&n);
    assert_true(n >= 8 && n <= TLS_HELLO_GROUPS_MAX);
    assert_int_equal(g[0], TLS_GROUP_X25519);
    for (size_t i = 0; i < n; i++)
        assert_non_null(tls_group_name(g[i]));
    assert_string_equal(tls_group_name(TLS_GROUP_FFDHE2048), "ffdhe2048");
    assert_string_equal(tls_group_name(TLS_GROUP_SECP384R1), "secp384r1");
    assert_null(tls_group_name(0x1234));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unique_and_named), cmocka_unit_test(test_names_match_openssl),
        cmocka_unit_test(test_versions),         cmocka_unit_test(test_classes),
        cmocka_unit_test(test_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
