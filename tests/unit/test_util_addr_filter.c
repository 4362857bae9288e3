/* test_util_addr_filter - the address filter on address literals of every
 * blocked range and on public ones. Classification only: nothing here opens
 * a socket, so no packet goes anywhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "util/addr_filter.h"

struct want {
    const char *addr;
    const char *range; /* substring of the reason; NULL: public */
};

static const struct want cases[] = {
    /* IPv4: every blocked range, first and last address, and the edges outside. */
    {"0.0.0.0", "this network"},
    {"0.255.255.255", "this network"},
    {"10.0.0.0", "RFC 1918, 10.0.0.0/8"},
    {"10.255.255.255", "RFC 1918, 10.0.0.0/8"},
    {"9.255.255.255", NULL},
    {"11.0.0.0", NULL},
    {"100.64.0.0", "CGNAT"},
    {"100.127.255.255", "CGNAT"},
    {"100.63.255.255", NULL},
    {"100.128.0.0", NULL},
    {"127.0.0.1", "loopback"},
    {"127.89.0.25", "loopback"},
    {"127.255.255.255", "loopback"},
    {"128.0.0.1", NULL},
    {"169.254.0.1", "link-local"},
    {"169.254.255.255", "link-local"},
    {"169.254.169.254", "cloud metadata"},
    {"100.100.100.200", "cloud metadata"},
    {"192.0.0.192", "cloud metadata"},
    {"172.16.0.0", "RFC 1918, 172.16.0.0/12"},
    {"172.31.255.255", "RFC 1918, 172.16.0.0/12"},
    {"172.15.255.255", NULL},
    {"172.32.0.0", NULL},
    {"192.0.0.8", "IETF protocol assignments"},
    {"192.0.2.1", "TEST-NET-1"},
    {"192.88.99.1", "6to4 relay"},
    {"192.168.0.1", "RFC 1918, 192.168.0.0/16"},
    {"192.168.255.255", "RFC 1918, 192.168.0.0/16"},
    {"192.169.0.0", NULL},
    {"198.18.0.1", "benchmarking"},
    {"198.19.255.255", "benchmarking"},
    {"198.20.0.0", NULL},
    {"198.51.100.7", "TEST-NET-2"},
    {"203.0.113.9", "TEST-NET-3"},
    {"224.0.0.1", "multicast"},
    {"239.255.255.255", "multicast"},
    {"240.0.0.1", "reserved (240.0.0.0/4)"},
    {"255.255.255.254", "reserved (240.0.0.0/4)"},
    {"255.255.255.255", "broadcast"},
    {"8.8.8.8", NULL},
    {"1.1.1.1", NULL},
    {"223.255.255.255", NULL},
    /* IPv6. */
    {"::", "unspecified"},
    {"::1", "loopback (::1)"},
    {"::ffff:127.0.0.1", "loopback (127.0.0.0/8)"},
    {"::ffff:10.1.2.3", "RFC 1918"},
    {"::ffff:169.254.169.254", "cloud metadata"},
    {"::ffff:8.8.8.8", NULL},
    {"::127.0.0.1", "outside global unicast"},
    {"64:ff9b::10.0.0.1", "RFC 1918"},
    {"64:ff9b::7f00:1", "loopback"},
    {"64:ff9b::8.8.8.8", NULL},
    {"64:ff9b:1::1", "local-use NAT64"},
    {"100::1", "discard-only"},
    {"2001:db8::1", "documentation (2001:db8::/32)"},
    {"3fff::1", "documentation (3fff::/20)"},
    {"3fff:0fff:ffff::1", "documentation (3fff::/20)"},
    {"3fff:1000::1", NULL},
    {"2001::1", "IETF protocol assignments"},
    {"2001:1ff::1", "IETF protocol assignments"},
    {"2001:200::1", NULL},
    {"2002:7f00:1::1", "loopback"},
    {"2002:c0a8:101::1", "RFC 1918"},
    {"2002:808:808::1", NULL},
    {"fc00::1", "unique local"},
    {"fd00::25", "unique local"},
    {"fd00:ec2::254", "cloud metadata"},
    {"fe80::1", "link-local (fe80::/10)"},
    {"febf:ffff::1", "link-local (fe80::/10)"},
    {"fec0::1", "site-local"},
    {"ff02::1", "multicast"},
    {"4000::1", "outside global unicast"},
    {"1fff::1", "outside global unicast"},
    {"2a00:1450:4001::1", NULL},
    {"2606:4700::1111", NULL},
    /* Not numeric: refused. */
    {"", "not a numeric address"},
    {"localhost", "not a numeric address"},
    {"127.1", "not a numeric address"},
    {"[::1]", "not a numeric address"},
    {"fe80::1%lo", "not a numeric address"},
};

static void test_ranges(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *why = addr_blocked(cases[i].addr);
        if (cases[i].range == NULL) {
            if (why != NULL)
                fail_msg("%s: public, but refused as %s", cases[i].addr, why);
        } else if (why == NULL || strstr(why, cases[i].range) == NULL) {
            fail_msg("%s: want \"%s\", got %s", cases[i].addr, cases[i].range,
                     why ? why : "public");
        }
    }
}

static void test_check(void **state)
{
    (void)state;
    struct stc_err err = {STC_OK, ""};
    assert_int_equal(addr_filter_check(0, "127.0.0.1", &err), STC_E_BLOCKED);
    assert_string_equal(err.msg, "not tested: address 127.0.0.1 is loopback (127.0.0.0/8); this "
                                 "checker does not connect to such addresses");
    stc_err_clear(&err);
    assert_int_equal(addr_filter_check(1, "127.0.0.1", &err), STC_OK); /* --allow-private */
    assert_int_equal(addr_filter_check(0, "8.8.8.8", &err), STC_OK);
    assert_int_equal(addr_filter_check(0, NULL, &err), STC_E_BLOCKED);
    assert_int_equal(err.code, STC_E_BLOCKED);
    assert_string_equal(stc_rc_name(STC_E_BLOCKED), "address refused");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
