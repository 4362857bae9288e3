/* test_scan_gate - the per-IP connection cap: never more than N at once under
 * contention, separate addresses independent, timeouts, cancel, idle entries freed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan/scan_exclude.h"
#include "scan/scan_gate.h"

enum { CAP = 3, THREADS = 48, ROUNDS = 40 };

static atomic_int active[2], worst[2], failures;

struct arg {
    struct scan_gate *g;
    int which;
};

static void *hammer(void *vp)
{
    struct arg *a = vp;
    const char *addr = a->which ? "127.0.0.2" : "::1";
    for (int i = 0; i < ROUNDS; i++) {
        if (scan_gate_acquire(a->g, addr, 30000) !=
            STC_OK) { /* no cmocka asserts off the main thread */
            atomic_fetch_add(&failures, 1);
            continue;
        }
        int now = atomic_fetch_add(&active[a->which], 1) + 1;
        int w = atomic_load(&worst[a->which]);
        while (now > w && !atomic_compare_exchange_weak(&worst[a->which], &w, now))
            ;
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
        atomic_fetch_sub(&active[a->which], 1);
        scan_gate_release(a->g, addr);
    }
    return NULL;
}

static void test_cap_under_contention(void **state)
{
    (void)state;
    struct scan_gate *g;
    struct stc_err err = {0};
    assert_int_equal(scan_gate_new(CAP, &g, &err), STC_OK);
    pthread_t t[THREADS];
    struct arg a[THREADS];
    for (int i = 0; i < THREADS; i++) {
        a[i] = (struct arg){g, i % 2};
        assert_int_equal(pthread_create(&t[i], NULL, hammer, &a[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&failures), 0);
    assert_true(atomic_load(&worst[0]) <= CAP);
    assert_true(atomic_load(&worst[1]) <= CAP);
    assert_int_equal(atomic_load(&worst[0]), CAP); /* the cap was actually reached */
    assert_int_equal(scan_gate_peak(g), CAP);
    assert_int_equal(scan_gate_connections(g), (uint64_t)THREADS * ROUNDS);
    assert_int_equal(scan_gate_entries(g), 0); /* idle entries are freed */
    scan_gate_free(g);
}

static void test_timeout_and_cancel(void **state)
{
    (void)state;
    struct scan_gate *g;
    struct stc_err err = {0};
    assert_int_equal(scan_gate_new(1, &g, &err), STC_OK);
    assert_int_equal(scan_gate_acquire(g, "127.0.0.9", 100), STC_OK);
    assert_int_equal(scan_gate_acquire(g, "127.0.0.9", 50), STC_E_TIMEOUT);
    assert_int_equal(scan_gate_acquire(g, "127.0.0.10", 50), STC_OK); /* other address */
    scan_gate_release(g, "127.0.0.10");
    scan_gate_release(g, "127.0.0.9");
    assert_int_equal(scan_gate_acquire(g, "127.0.0.9", 50), STC_OK);
    scan_gate_release(g, "127.0.0.9");
    scan_gate_release(g, "127.0.0.9"); /* an extra release is harmless */
    scan_gate_cancel(g);
    assert_int_equal(scan_gate_acquire(g, "127.0.0.9", 50), STC_E_INTERRUPTED);
    assert_int_equal(scan_gate_entries(g), 0);
    scan_gate_free(g);
}

/* --rate: a turn that comes after the caller's timeout is refused, not waited for;
 * --exclude: an excluded address is refused before any connection. */
static void test_rate_and_exclude(void **state)
{
    (void)state;
    struct scan_gate *g;
    struct scan_exclude *x = NULL;
    struct stc_err err = {0};
    char path[] = "/tmp/test_scan_gate.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "192.0.2.0/24\n", 13), 13);
    close(fd);
    assert_int_equal(scan_exclude_load(path, &x, &err), STC_OK);
    unlink(path);
    assert_int_equal(scan_gate_new(4, &g, &err), STC_OK);
    scan_gate_set_exclude(g, x);
    scan_gate_set_rate(g, 1); /* one new connection a second */
    assert_int_equal(scan_gate_acquire(g, "192.0.2.9", 1000), STC_E_INVAL);
    assert_int_equal(scan_gate_acquire(g, "198.51.100.1", 1000), STC_OK);
    /* The next turn is a second away: a caller with 100 ms left gets no slot. */
    assert_int_equal(scan_gate_acquire(g, "198.51.100.2", 100), STC_E_TIMEOUT);
    assert_int_equal(scan_gate_connections(g), 1);
    scan_gate_release(g, "198.51.100.1");
    assert_int_equal(scan_gate_entries(g), 0);
    scan_gate_free(g);
    scan_exclude_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap_under_contention),
        cmocka_unit_test(test_timeout_and_cancel),
        cmocka_unit_test(test_rate_and_exclude),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
