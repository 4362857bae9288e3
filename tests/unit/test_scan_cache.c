/* test_scan_cache - the host cache: single flight under contention, copies, expiry,
 * the entry cap, failed productions, preloaded entries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include <starttls/json.h>

#include "result/result_tree.h"
#include "scan/scan_cache.h"

struct prod {
    atomic_int calls;
    int fail;
    long sleep_ms;
};

static stc_rc produce(void *ctx, const char *key, struct stc_result **out, struct stc_err *err)
{
    struct prod *p = ctx;
    atomic_fetch_add(&p->calls, 1);
    if (p->sleep_ms) {
        struct timespec ts = {0, p->sleep_ms * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (p->fail)
        return err_set(err, STC_E_PEER, "producer failed");
    *out = result_new(STC_NODE_HOST, key, "host");
    result_fact_str(*out, "domain", "first.test");
    return STC_OK;
}

struct worker {
    struct scan_cache *c;
    struct prod *p;
    const char *key;
    stc_rc rc;
    int hit;
    long wait_ms;
};

static void *ask(void *arg)
{
    struct worker *w = arg;
    struct stc_result *r = NULL;
    struct stc_err err = {0};
    w->rc = scan_cache_get(w->c, w->key, produce, w->p, w->wait_ms, &r, &w->hit, &err);
    if (w->rc == STC_OK && strcmp(stc_result_name(r), w->key) != 0)
        w->rc = STC_E_INTERNAL;
    stc_result_free(r);
    return NULL;
}

/* n threads ask for key at once (waiting up to wait_ms); all must succeed from
 * one production. */
static void ask_together(long sleep_ms, const char *key, long wait_ms, size_t *count)
{
    enum { N = 64 };
    struct scan_cache *c;
    struct stc_err err = {0};
    struct prod p = {0};
    p.sleep_ms = sleep_ms; /* everybody arrives while the first is producing */
    assert_int_equal(scan_cache_new(16, 60000, &c, &err), STC_OK);
    pthread_t t[N];
    struct worker w[N];
    for (int i = 0; i < N; i++) {
        w[i] = (struct worker){c, &p, key, STC_E_INTERNAL, 0, wait_ms};
        assert_int_equal(pthread_create(&t[i], NULL, ask, &w[i]), 0);
    }
    int hits = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].rc, STC_OK);
        hits += w[i].hit;
    }
    assert_int_equal(atomic_load(&p.calls), 1);
    assert_int_equal(hits, N - 1);
    *count = scan_cache_count(c);
    scan_cache_free(c);
}

static void test_single_flight(void **state)
{
    (void)state;
    size_t n = 0;
    ask_together(100, "mx.example.test", 10000, &n);
    assert_int_equal(n, 1);
}

/* A waiter waits as long as the production takes (a --deep check, a retry
 * after 421): none gives up with "waited too long". */
static void test_waiters_outlast_a_slow_production(void **state)
{
    (void)state;
    size_t n = 0;
    ask_together(400, "slow.example.test", -1, &n);
    assert_int_equal(n, 1);
}

static void test_copies_are_independent(void **state)
{
    (void)state;
    struct scan_cache *c;
    struct stc_err err = {0};
    struct prod p = {0};
    struct stc_result *a = NULL, *b = NULL;
    int hit;
    assert_int_equal(scan_cache_new(4, 60000, &c, &err), STC_OK);
    assert_int_equal(scan_cache_get(c, "h", produce, &p, 1000, &a, &hit, &err), STC_OK);
    assert_int_equal(hit, 0);
    result_fact_str(a, "domain", "changed.test");
    stc_result_free(a);
    assert_int_equal(scan_cache_get(c, "h", produce, &p, 1000, &b, &hit, &err), STC_OK);
    assert_int_equal(hit, 1);
    assert_string_equal(stc_result_get_str(b, "domain"), "first.test");
    stc_result_free(b);
    scan_cache_free(c);
}

/* A host result with every kind of field; what varies is the key. */
static stc_rc produce_rich(void *ctx, const char *key, struct stc_result **out,
                           struct stc_err *err)
{
    (void)ctx;
    (void)err;
    struct stc_result *h = result_new(STC_NODE_HOST, key, "Checks of one MX host");
    result_fact_str(h, "hostname", key);
    result_fact_int(h, "preference", -10);
    result_fact_bool(h, "connected", 1);
    struct stc_result *c = result_add_check(h, "certificate", "The certificate is valid.");
    result_msg(c, STC_STATUS_FAILURE, "expired for %s", key);
    result_recommend(c, "renew it");
    result_set_type(c, "certificate-expired");
    result_fact_list(c, "empty");
    result_fact_list_add(c, "subject_names", key);
    result_fact_list_add(c, "subject_names", "*.example.test");
    result_fact_str(c, "negotiated", "TLSv1.3");
    result_add_check(h, "starttls", "STARTTLS works.");
    result_rollup(h);
    *out = h;
    return STC_OK;
}

static char *json_of(const struct stc_result *r)
{
    char *j = NULL;
    struct stc_err e = {0};
    assert_int_equal(stc_result_to_json(r, 0, &j, &e), STC_OK);
    return j;
}

/* A hit is the tree that was stored: the same JSON as the producer's own,
 * also once the cache's string pool shares its strings with other hosts. */
static void test_hit_is_what_was_stored(void **state)
{
    (void)state;
    struct scan_cache *c;
    struct stc_err err = {0};
    struct stc_result *r = NULL;
    int hit;
    assert_int_equal(scan_cache_new(8, 60000, &c, &err), STC_OK);
    const char *keys[] = {"a.example.test", "b.example.test", "c.example.test"};
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(scan_cache_get(c, keys[k], produce_rich, NULL, 1000, &r, &hit, &err),
                         STC_OK);
        assert_int_equal(hit, 0);
        char *made = json_of(r);
        stc_result_free(r);
        for (int i = 0; i < 2; i++) {
            assert_int_equal(
                scan_cache_get(c, keys[k], produce_rich, NULL, 1000, &r, &hit, &err), STC_OK);
            assert_int_equal(hit, 1);
            char *got = json_of(r);
            assert_string_equal(made, got);
            stc_free(got);
            result_fact_str(r, "domain", "changed.test"); /* the copy is the caller's */
            stc_result_free(r);
        }
        stc_free(made);
    }
    /* So is a stored (preloaded) one. */
    assert_int_equal(produce_rich(NULL, "d.example.test", &r, &err), STC_OK);
    char *stored = json_of(r);
    assert_int_equal(scan_cache_put(c, "d.example.test", r, 0, &err), STC_OK);
    assert_int_equal(scan_cache_get(c, "d.example.test", produce_rich, NULL, 1000, &r, &hit, &err),
                     STC_OK);
    assert_int_equal(hit, 1);
    char *got = json_of(r);
    assert_string_equal(stored, got);
    stc_free(got);
    stc_free(stored);
    stc_result_free(r);
    scan_cache_free(c);
}

static void test_expiry(void **state)
{
    (void)state;
    struct scan_cache *c;
    struct stc_err err = {0};
    struct prod p = {0};
    struct stc_result *r = NULL;
    int hit;
    assert_int_equal(scan_cache_new(4, 50, &c, &err), STC_OK);
    assert_int_equal(scan_cache_get(c, "h", produce, &p, 1000, &r, &hit, &err), STC_OK);
    stc_result_free(r);
    assert_int_equal(scan_cache_get(c, "h", produce, &p, 1000, &r, &hit, &err), STC_OK);
    stc_result_free(r);
    assert_int_equal(atomic_load(&p.calls), 1);
    struct timespec ts = {0, 120 * 1000000L};
    nanosleep(&ts, NULL);
    assert_int_equal(scan_cache_get(c, "h", produce, &p, 1000, &r, &hit, &err), STC_OK);
    assert_int_equal(hit, 0);
    stc_result_free(r);
    assert_int_equal(atomic_load(&p.calls), 2);
    /* A preloaded entry older than the TTL is stale at once. */
    assert_int_equal(scan_cache_put(c, "old", result_new(STC_NODE_HOST, "old", NULL), 60, &err),
                     STC_OK);
    assert_int_equal(scan_cache_get(c, "old", produce, &p, 1000, &r, &hit, &err), STC_OK);
    assert_int_equal(hit, 0);
    stc_result_free(r);
    scan_cache_free(c);
}

static void test_cap_lru(void **state)
{
    (void)state;
    struct scan_cache *c;
    struct stc_err err = {0};
    struct prod p = {0};
    struct stc_result *r = NULL;
    int hit;
    char key[32];
    assert_int_equal(scan_cache_new(8, 60000, &c, &err), STC_OK);
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "h%d", i);
        assert_int_equal(scan_cache_get(c, key, produce, &p, 1000, &r, &hit, &err), STC_OK);
        stc_result_free(r);
        /* keep h0 recently used */
        assert_int_equal(scan_cache_get(c, "h0", produce, &p, 1000, &r, &hit, &err), STC_OK);
        stc_result_free(r);
        assert_true(scan_cache_count(c) <= 8);
    }
    int before = atomic_load(&p.calls);
    assert_int_equal(scan_cache_get(c, "h0", produce, &p, 1000, &r, &hit, &err), STC_OK);
    assert_int_equal(hit, 1);
    stc_result_free(r);
    assert_int_equal(scan_cache_get(c, "h1", produce, &p, 1000, &r, &hit, &err), STC_OK);
    assert_int_equal(hit, 0); /* evicted long ago */
    stc_result_free(r);
    assert_int_equal(atomic_load(&p.calls), before + 1);
    scan_cache_free(c);
}

static void test_failed_production(void **state)
{
    (void)state;
    struct scan_cache *c;
    struct stc_err err = {0};
    struct prod p = {0};
    struct stc_result *r = NULL;
    int hit;
    p.fail = 1;
    assert_int_equal(scan_cache_new(4, 60000, &c, &err), STC_OK);
    assert_int_equal(scan_cache_get(c, "h", produce, &p, 1000, &r, &hit, &err), STC_E_PEER);
    assert_int_equal(scan_cache_count(c), 0);
    p.fail = 0;
    stc_err_clear(&err);
    assert_int_equal(scan_cache_get(c, "h", produce, &p, 1000, &r, &hit, &err), STC_OK);
    assert_int_equal(hit, 0);
    stc_result_free(r);
    scan_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_flight),
        cmocka_unit_test(test_waiters_outlast_a_slow_production),
        cmocka_unit_test(test_copies_are_independent),
        cmocka_unit_test(test_hit_is_what_was_stored),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_cap_lru),
        cmocka_unit_test(test_failed_production),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
