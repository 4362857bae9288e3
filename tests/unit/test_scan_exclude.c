/* test_scan_exclude - the opt-out list: domains cover the names under them, addresses
 * and CIDR ranges (IPv4, IPv6, odd prefix lengths), comments, and bad lines named. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan/scan_exclude.h"

static stc_rc load(const char *text, struct scan_exclude **x, struct stc_err *err)
{
    char path[] = "/tmp/test_scan_exclude.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    stc_rc rc = scan_exclude_load(path, x, err);
    unlink(path);
    return rc;
}

static void test_entries(void **state)
{
    (void)state;
    struct scan_exclude *x = NULL;
    struct stc_err err = {0};
    assert_int_equal(load("# opt-outs\n  Example.COM  \n\n192.0.2.7\n198.51.100.0/23\n"
                          "2001:db8::/33\n10.0.0.0/0x\n",
                          &x, &err),
                     STC_E_PARSE);
    assert_non_null(strstr(err.msg, "line 7"));
    memset(&err, 0, sizeof err);
    assert_int_equal(load("# opt-outs\n  Example.COM  \n\n192.0.2.7\n198.51.100.0/23\n"
                          "2001:db8::/33\n",
                          &x, &err),
                     STC_OK);
    assert_true(scan_exclude_name(x, "example.com"));
    assert_true(scan_exclude_name(x, "mx1.mail.example.com"));
    assert_false(scan_exclude_name(x, "notexample.com"));
    assert_false(scan_exclude_name(x, "com"));
    assert_true(scan_exclude_addr(x, "192.0.2.7"));
    assert_false(scan_exclude_addr(x, "192.0.2.8"));
    assert_true(scan_exclude_addr(x, "198.51.100.1"));
    assert_true(scan_exclude_addr(x, "198.51.101.255"));
    assert_false(scan_exclude_addr(x, "198.51.102.0"));
    assert_true(scan_exclude_addr(x, "2001:db8:7fff::1"));
    assert_false(scan_exclude_addr(x, "2001:db8:8000::1"));
    assert_false(scan_exclude_addr(x, "not an address"));
    scan_exclude_free(x);
    assert_false(scan_exclude_name(NULL, "example.com"));
    assert_false(scan_exclude_addr(NULL, "192.0.2.7"));
}

/* IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are the IPv4 address: an IPv4
 * entry covers the mapped form, a mapped entry covers the IPv4 form. */
static void test_ipv4_mapped(void **state)
{
    (void)state;
    struct scan_exclude *x = NULL;
    struct stc_err err = {0};
    assert_int_equal(load("192.0.2.0/24\n::ffff:198.51.100.0/120\n::ffff:203.0.113.9\n"
                          "2001:db8::/32\n",
                          &x, &err),
                     STC_OK);
    assert_true(scan_exclude_addr(x, "::ffff:192.0.2.7"));
    assert_true(scan_exclude_addr(x, "::FFFF:c000:0201"));
    assert_false(scan_exclude_addr(x, "::ffff:192.0.3.7"));
    assert_true(scan_exclude_addr(x, "198.51.100.200"));
    assert_true(scan_exclude_addr(x, "::ffff:198.51.100.200"));
    assert_false(scan_exclude_addr(x, "198.51.101.1"));
    assert_true(scan_exclude_addr(x, "203.0.113.9"));
    assert_false(scan_exclude_addr(x, "203.0.113.10"));
    /* not mapped: an IPv4-compatible or other IPv6 address stays IPv6 */
    assert_false(scan_exclude_addr(x, "::192.0.2.7"));
    assert_false(scan_exclude_addr(x, "64:ff9b::192.0.2.7"));
    assert_true(scan_exclude_addr(x, "2001:db8::1"));
    scan_exclude_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entries),
        cmocka_unit_test(test_ipv4_mapped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
