/* test_tls_name.c - tls_name_match (RFC 6125 DNS-ID matching) and
 * tls_version_name, including hostile names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tls/tls.h"

static void test_exact(void **state)
{
    (void)state;
    assert_true(tls_name_match("mx.example.com", "mx.example.com"));
    assert_true(tls_name_match("MX.Example.COM", "mx.example.com"));
    assert_true(tls_name_match("mx.example.com.", "mx.example.com"));
    assert_true(tls_name_match("mx.example.com", "MX.EXAMPLE.COM."));
    assert_false(tls_name_match("mx.example.com", "mx.example.co"));
    assert_false(tls_name_match("mx.example.co", "mx.example.com"));
    assert_false(tls_name_match("example.com", "mx.example.com"));
    assert_false(tls_name_match("mx.example.com..", "mx.example.com"));
}

static void test_wildcard(void **state)
{
    (void)state;
    assert_true(tls_name_match("mx.example.com", "*.example.com"));
    assert_true(tls_name_match("MX.EXAMPLE.com", "*.Example.Com"));
    assert_false(tls_name_match("a.mx.example.com", "*.example.com")); /* one label only */
    assert_false(tls_name_match("example.com", "*.example.com"));
    assert_false(tls_name_match(".example.com", "*.example.com")); /* empty label */
    assert_false(tls_name_match("example.com", "*.com"));          /* too broad */
    assert_false(tls_name_match("com", "*"));
    assert_false(tls_name_match("mx.example.com", "m*.example.com")); /* partial */
    assert_false(tls_name_match("mx.example.com", "*x.example.com"));
    assert_false(tls_name_match("mx.example.com", "mx.*.com")); /* not left-most */
    assert_false(tls_name_match("mx.example.com", "*.*.com"));
    assert_false(tls_name_match("mx.example.com", "**.example.com"));
    assert_false(tls_name_match("*.example.com", "*.example.com")); /* host is no pattern */
    assert_false(tls_name_match("xn--bcher-kva.example.com", "xn--*.example.com"));
    assert_true(tls_name_match("xn--bcher-kva.example.com", "*.example.com"));
}

static void test_hostile(void **state)
{
    (void)state;
    assert_false(tls_name_match(NULL, "a.b"));
    assert_false(tls_name_match("a.b", NULL));
    assert_false(tls_name_match("", ""));
    assert_false(tls_name_match("a.b", ""));
    assert_false(tls_name_match(".", "."));
    /* Too long: 300 bytes never match, even identical. */
    char big[301];
    memset(big, 'a', 300);
    big[300] = '\0';
    for (int i = 1; i < 300; i += 2)
        big[i] = '.';
    assert_false(tls_name_match(big, big));
    /* 253 is the limit and still works. */
    big[253] = '\0';
    big[252] = 'a';
    assert_true(tls_name_match(big, big));
    /* A presented name that escaped a NUL ("x\\x00y") is just text. */
    assert_false(tls_name_match("x", "x\\x00y.test"));
}

static void test_version_names(void **state)
{
    (void)state;
    assert_string_equal(tls_version_name(TLS_V_SSL3), "SSLv3");
    assert_string_equal(tls_version_name(TLS_V_1_0), "TLSv1");
    assert_string_equal(tls_version_name(TLS_V_1_1), "TLSv1.1");
    assert_string_equal(tls_version_name(TLS_V_1_2), "TLSv1.2");
    assert_string_equal(tls_version_name(TLS_V_1_3), "TLSv1.3");
    assert_string_equal(tls_version_name(0), "unknown");
    assert_string_equal(tls_version_name(0x0305), "unknown");
    assert_string_equal(tls_version_name(-1), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_wildcard),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_version_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
