/* test_serve_rate - the per-client token buckets of serve (no network). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve_rate.h"

static struct sockaddr_in v4(const char *a)
{
    struct sockaddr_in s;
    memset(&s, 0, sizeof s);
    s.sin_family = AF_INET;
    inet_pton(AF_INET, a, &s.sin_addr);
    return s;
}

static struct sockaddr_in6 v6(const char *a)
{
    struct sockaddr_in6 s;
    memset(&s, 0, sizeof s);
    s.sin6_family = AF_INET6;
    inet_pton(AF_INET6, a, &s.sin6_addr);
    return s;
}

static void test_burst_then_wait(void **state)
{
    (void)state;
    struct serve_rate *r = malloc(sizeof *r);
    assert_non_null(r);
    serve_rate_init(r, 3);
    struct sockaddr_in a = v4("192.0.2.1"), b = v4("192.0.2.2");
    for (int i = 0; i < 3; i++)
        assert_int_equal(serve_rate_take(r, &a), 0);
    unsigned w = serve_rate_take(r, &a);
    assert_true(w >= 1 && w <= 20); /* 3 a minute: one token in 20 s */
    assert_int_equal(serve_rate_take(r, &b), 0); /* its own bucket */
    serve_rate_destroy(r);
    free(r);
}

static void test_ipv6_slash64(void **state)
{
    (void)state;
    struct serve_rate *r = malloc(sizeof *r);
    assert_non_null(r);
    serve_rate_init(r, 1);
    struct sockaddr_in6 a = v6("2001:db8:1:2::1"), b = v6("2001:db8:1:2:ffff::9"),
                        c = v6("2001:db8:1:3::1");
    assert_int_equal(serve_rate_take(r, &a), 0);
    assert_true(serve_rate_take(r, &b) > 0); /* the same /64 */
    assert_int_equal(serve_rate_take(r, &c), 0);
    serve_rate_destroy(r);
    free(r);
}

static void test_unlimited_and_many_clients(void **state)
{
    (void)state;
    struct serve_rate *r = malloc(sizeof *r);
    assert_non_null(r);
    serve_rate_init(r, 0);
    struct sockaddr_in a = v4("192.0.2.1");
    for (int i = 0; i < 100; i++)
        assert_int_equal(serve_rate_take(r, &a), 0);
    serve_rate_destroy(r);
    /* More clients than slots: the table stays fixed, new clients still get a bucket. */
    serve_rate_init(r, 2);
    for (uint32_t i = 0; i < 3 * SERVE_RATE_SLOTS; i++) {
        struct sockaddr_in s = v4("10.0.0.0");
        s.sin_addr.s_addr = htonl(0x0a000000u + i);
        assert_int_equal(serve_rate_take(r, &s), 0);
    }
    serve_rate_destroy(r);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_wait),
        cmocka_unit_test(test_ipv6_slash64),
        cmocka_unit_test(test_unlimited_and_many_clients),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
