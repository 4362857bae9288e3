/* test_scan_seen - the duplicate / resume / unique-host set is exact: names whose
 * hashes collide (here: every name, through a constant hash) stay distinct. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "scan/scan_seen.h"

static uint64_t same_hash(const void *p, size_t n)
{
    (void)p;
    (void)n;
    return 42;
}

static void test_colliding_names_stay_distinct(void **state)
{
    (void)state;
    struct scan_seen s;
    struct stc_err err = {0};
    int fresh = 0;
    scan_seen_init(&s);
    s.hash = same_hash; /* the worst case a crafted name could reach */
    assert_int_equal(scan_seen_add(&s, "victim.example", &fresh, &err), STC_OK);
    assert_int_equal(fresh, 1);
    assert_int_equal(scan_seen_add(&s, "crafted.example", &fresh, &err), STC_OK);
    assert_int_equal(fresh, 1);
    assert_int_equal(scan_seen_add(&s, "victim.example", &fresh, &err), STC_OK);
    assert_int_equal(fresh, 0);
    assert_true(scan_seen_has(&s, "crafted.example"));
    assert_false(scan_seen_has(&s, "other.example"));
    scan_seen_free(&s);
}

static void test_many_names_exact(void **state)
{
    (void)state;
    struct scan_seen s;
    struct stc_err err = {0};
    char name[64];
    int fresh = 0;
    scan_seen_init(&s);
    for (int i = 0; i < 50000; i++) {
        snprintf(name, sizeof name, "d%d.example", i);
        assert_int_equal(scan_seen_add(&s, name, &fresh, &err), STC_OK);
        assert_int_equal(fresh, 1);
    }
    for (int i = 0; i < 50000; i++) {
        snprintf(name, sizeof name, "d%d.example", i);
        assert_true(scan_seen_has(&s, name));
        assert_int_equal(scan_seen_add(&s, name, &fresh, &err), STC_OK);
        assert_int_equal(fresh, 0);
    }
    assert_false(scan_seen_has(&s, "d50000.example"));
    scan_seen_free(&s);
}

/* Names fill 64 KiB chunks without straddling them; the longest name that
 * fits one is kept, a longer one is refused (never truncated). */
static void test_chunk_edges(void **state)
{
    (void)state;
    struct scan_seen s;
    struct stc_err err = {0};
    int fresh = 0;
    static char big[64 * 1024 + 1];
    scan_seen_init(&s);
    assert_int_equal(scan_seen_add(&s, "first.example", &fresh, &err), STC_OK);
    memset(big, 'a', 64 * 1024 - 1); /* 65535 bytes + NUL: a whole chunk */
    big[64 * 1024 - 1] = '\0';
    assert_int_equal(scan_seen_add(&s, big, &fresh, &err), STC_OK);
    assert_int_equal(fresh, 1);
    assert_int_equal(scan_seen_add(&s, "after.example", &fresh, &err), STC_OK);
    assert_true(scan_seen_has(&s, big));
    assert_true(scan_seen_has(&s, "first.example"));
    assert_true(scan_seen_has(&s, "after.example"));
    memset(big, 'b', sizeof big - 1); /* 65536 bytes: too long */
    big[sizeof big - 1] = '\0';
    assert_int_equal(scan_seen_add(&s, big, &fresh, &err), STC_E_INVAL);
    assert_false(scan_seen_has(&s, big));
    assert_int_equal(s.n, 3);
    scan_seen_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_colliding_names_stay_distinct),
        cmocka_unit_test(test_many_names_exact),
        cmocka_unit_test(test_chunk_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
