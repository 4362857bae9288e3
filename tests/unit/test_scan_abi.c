/* test_scan_abi - the growing public structs of the scan API: a caller built
 * against an older, smaller struct (simulated by a smaller size and canary
 * bytes behind it) never has bytes past its size read or written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <starttls/starttls.h>

#define CANARY 0xa5

static int untouched(const unsigned char *p, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (p[i] != CANARY)
            return 0;
    return 1;
}

static void test_opts_init_old_caller(void **state)
{
    (void)state;
    union {
        struct stc_scan_opts o;
        unsigned char b[sizeof(struct stc_scan_opts)];
    } u;
    size_t old = offsetof(struct stc_scan_opts, output); /* an "old" struct ends here */
    memset(u.b, CANARY, sizeof u.b);
    stc_scan_opts_init_size(&u.o, old);
    assert_int_equal(u.o.size, old);
    assert_int_equal(u.o.column, -1); /* defaults inside the old size */
    assert_true(untouched(u.b, old, sizeof u.b));
    /* The macro passes the full size. */
    stc_scan_opts_init(&u.o);
    assert_int_equal(u.o.size, sizeof u.o);
    assert_null(u.o.output);
}

static void test_new_needs_init(void **state)
{
    (void)state;
    struct stc_config *cfg = NULL;
    struct stc_scan *s = NULL;
    struct stc_scan_opts o;
    struct stc_err err = {0};
    memset(&o, 0, sizeof o);
    assert_int_equal(stc_config_new(&cfg, &err), STC_OK);
    assert_int_equal(stc_scan_new(cfg, &o, &s, &err), STC_E_INVAL);
    assert_null(s);
    assert_non_null(strstr(err.msg, "stc_scan_opts_init"));
    stc_config_free(cfg);
}

static void test_stats_old_caller(void **state)
{
    (void)state;
    struct stc_config *cfg = NULL;
    struct stc_scan *s = NULL;
    struct stc_scan_opts o;
    struct stc_err err = {0};
    union {
        struct stc_scan_stats st;
        unsigned char b[sizeof(struct stc_scan_stats)];
    } u;
    size_t old = offsetof(struct stc_scan_stats, status);
    stc_scan_opts_init(&o);
    o.threads = 1;
    assert_int_equal(stc_config_new(&cfg, &err), STC_OK);
    assert_int_equal(stc_scan_new(cfg, &o, &s, &err), STC_OK);
    memset(u.b, CANARY, sizeof u.b);
    stc_scan_get_stats_size(s, &u.st, old);
    assert_int_equal(u.st.size, old);
    assert_int_equal(u.st.attempted, 0);
    assert_true(untouched(u.b, old, sizeof u.b));
    /* The views read no byte past size: the canaries count as zero. */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(stc_scan_stats_json(&u.st, f, &err), STC_OK);
    fclose(f);
    assert_non_null(strstr(text, "\"success\":0"));
    free(text);
    stc_scan_get_stats(s, &u.st);
    assert_int_equal(u.st.size, sizeof u.st);
    stc_scan_free(s);
    stc_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opts_init_old_caller),
        cmocka_unit_test(test_new_needs_init),
        cmocka_unit_test(test_stats_old_caller),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
