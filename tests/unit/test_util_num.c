/* test_util_num - the one range-checked number parser: every spelling that
 * is not plain decimal is refused alike ("+5", " 5", "5 ", "0x10", "1e3"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/num.h"

static void test_long(void **state)
{
    (void)state;
    long v = 42;
    assert_int_equal(num_long("5", 0, 10, &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(num_long("0", 0, 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(num_long("65535", 1, 65535, &v), 0);
    assert_int_equal(num_long("-3", -5, 5, &v), 0);
    assert_int_equal(v, -3);
    v = 42;
    const char *bad[] = {"+5", " 5", "5 ", "\t5", "0x10", "1e3", "", "-", "5a", "-1", "11",
                         "99999999999999999999999", "--1", "5.0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(num_long(bad[i], 0, 10, &v), -1);
        assert_int_equal(v, 42); /* untouched */
    }
    assert_int_equal(num_long(NULL, 0, 10, &v), -1);
    assert_int_equal(num_long("65536", 1, 65535, &v), -1);
}

static void test_decimal(void **state)
{
    (void)state;
    double d = 0;
    assert_int_equal(num_decimal("2.5", 0, 10, &d), 0);
    assert_true(d > 2.49 && d < 2.51);
    assert_int_equal(num_decimal(".5", 0, 10, &d), 0);
    assert_int_equal(num_decimal("3600", 0, 3600, &d), 0);
    const char *bad[] = {"+5", " 5", "5 ", "1e3", "inf", "nan", "0x1p3", "", ".", "1.2.3", "-1",
                         "3601"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(num_decimal(bad[i], 0, 3600, &d), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_long), cmocka_unit_test(test_decimal)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
