/* test_result_strpool.c - the string pool packed trees share
 * (result_strpool.c): a string is shared from its second sighting on, not
 * before, and never when too long; ids read back; threads packing and
 * unpacking random trees (random_tree.c) with one growing pool agree (run
 * under TSan too, by .ci/run). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pthread.h>

#include <starttls/json.h>

#include "random_tree.h"
#include "result/result_tree.h"

#define SEED 0x9ac4ed5eedULL

/* The pool shares a string once it was seen in two packed trees, not before. */
static void pool_admits_on_second_sighting(void **state)
{
    (void)state;
    struct result_strpool *pool = result_strpool_new();
    const char *desc = "The certificate chains to a trusted root.";
    struct stc_result *r = result_new(STC_NODE_CHECK, "certificate", desc);
    result_fact_str(r, "subject", "CN=mx.example");
    result_note(r, "CN=mx.example"); /* the same string twice in one tree */
    size_t len1 = 0, len2 = 0, len3 = 0;
    void *b1 = result_pack(r, pool, &len1);
    assert_int_equal(result_strpool_id(pool, "unrelated", 9), -1);
    assert_null(result_strpool_str(pool, 0)); /* one sighting each: nothing shared yet */
    void *b2 = result_pack(r, pool, &len2);
    void *b3 = result_pack(r, pool, &len3);
    assert_true(len2 < len1);
    assert_int_equal(len2, len3);
    assert_true(memcmp(b2, b3, len2) == 0);
    long id = result_strpool_id(pool, desc, strlen(desc));
    assert_true(id >= 0);
    assert_string_equal(result_strpool_str(pool, (uint64_t)id), desc);
    assert_null(result_strpool_str(pool, 4096));
    struct stc_result *u1 = result_unpack(b1, len1, pool), *u2 = result_unpack(b2, len2, pool);
    assert_ptr_equal(stc_result_description(u2), result_strpool_str(pool, (uint64_t)id));
    assert_ptr_not_equal(stc_result_description(u1), stc_result_description(u2));
    assert_true(tree_same_fields(u1, u2));
    /* a repeat inside one tree is the same string of the block */
    assert_ptr_equal(stc_result_get_str(u1, "subject"), stc_result_message(u1, 0));
    char longer[2000];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    assert_int_equal(result_strpool_id(pool, longer, strlen(longer)), -1);
    assert_int_equal(result_strpool_id(pool, longer, strlen(longer)), -1); /* too long to share */
    assert_int_equal(result_strpool_id(NULL, "x", 1), -1);
    stc_result_free(u1);
    stc_result_free(u2);
    free(b1);
    free(b2);
    free(b3);
    stc_result_free(r);
    result_strpool_free(pool);
}

struct worker {
    struct result_strpool *pool;
    uint64_t seed;
    unsigned bad;
};

static void *pack_many(void *arg)
{
    struct worker *w = arg;
    struct rng g = {w->seed};
    for (unsigned t = 0; t < 150; t++) {
        struct stc_result *r = random_tree(&g);
        size_t len = 0;
        void *b = result_pack(r, w->pool, &len);
        struct stc_result *u = b ? result_unpack(b, len, w->pool) : NULL;
        if (u == NULL || !tree_same_fields(r, u) || !tree_same_json(r, u, STC_JSON_COMPACT))
            w->bad++;
        free(b);
        stc_result_free(u);
        stc_result_free(r);
    }
    return NULL;
}

/* Threads pack and unpack with one pool while it grows. */
static void threads_share_a_pool(void **state)
{
    (void)state;
    enum { N = 4 };
    struct result_strpool *pool = result_strpool_new();
    pthread_t t[N];
    struct worker w[N];
    for (int i = 0; i < N; i++) {
        /* two seeds each used twice: the same strings race into the pool */
        w[i] = (struct worker){pool, SEED + (uint64_t)(i / 2), 0};
        assert_int_equal(pthread_create(&t[i], NULL, pack_many, &w[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < N; i++)
        assert_int_equal(w[i].bad, 0);
    result_strpool_free(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pool_admits_on_second_sighting),
        cmocka_unit_test(threads_share_a_pool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
