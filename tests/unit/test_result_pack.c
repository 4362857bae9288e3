/* test_result_pack.c - packed result trees (result_pack.c): thousands of
 * random trees (random_tree.c) come back from result_unpack with the same
 * JSON, in both modes, and the same fields, with and without a string pool;
 * every field round-trips; what cannot be packed is refused; truncated,
 * bit-flipped, extended and foreign bytes give NULL or a valid tree
 * (ASan/UBSan watch every read). The builders on unpacked copies are tested
 * in test_result_block.c, the pool in test_result_strpool.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <starttls/json.h>

#include "random_tree.h"
#include "result/result_int.h"
#include "result/result_tree.h"
#include "util/limits.h"

#define TREES 4000
#define SEED 0x9ac4ed5eedULL

/* Every node of t lies in the block its root owns. */
static int one_block(const struct stc_result *t, const struct stc_result *root)
{
    if (t->flags != (RESULT_NODE_IN_BLOCK | RESULT_FIELDS_IN_BLOCK) || t->oom ||
        (t == root) != (t->block != NULL) || (t == root && t->block != (void *)t))
        return 0;
    for (size_t i = 0; i < t->nchildren; i++)
        if (!one_block(t->children[i], root))
            return 0;
    return 1;
}

/* pack + unpack; the copy is checked against t and returned. */
static struct stc_result *round_trip(const struct stc_result *t, struct result_strpool *pool,
                                     size_t *len)
{
    void *bytes = result_pack(t, pool, len);
    assert_non_null(bytes);
    struct stc_result *u = result_unpack(bytes, *len, pool);
    free(bytes);
    assert_non_null(u);
    assert_true(one_block(u, u));
    assert_true(tree_same_fields(t, u));
    assert_true(tree_same_json(t, u, 0));
    assert_true(tree_same_json(t, u, STC_JSON_COMPACT));
    return u;
}

static void random_trees_round_trip(void **state)
{
    (void)state;
    struct rng g = {SEED};
    struct result_strpool *pool = result_strpool_new();
    assert_non_null(pool);
    size_t plain_bytes = 0, pooled_bytes = 0;
    for (unsigned t = 0; t < TREES; t++) {
        struct stc_result *r = random_tree(&g);
        assert_non_null(r);
        size_t plain_len = 0, pooled_len = 0;
        struct stc_result *u = round_trip(r, NULL, &plain_len);
        stc_result_free(round_trip(r, pool, &pooled_len));
        /* Without a pool the bytes depend on the tree only: a copy packs alike. */
        size_t l1 = 0, l2 = 0;
        void *b1 = result_pack(r, NULL, &l1), *b2 = result_pack(u, NULL, &l2);
        assert_true(l1 == l2 && memcmp(b1, b2, l1) == 0);
        free(b1);
        free(b2);
        plain_bytes += plain_len;
        pooled_bytes += pooled_len;
        stc_result_free(u);
        stc_result_free(r);
    }
    fprintf(stderr, "%u trees: %zu bytes packed alone, %zu with a pool\n", TREES, plain_bytes,
            pooled_bytes);
    assert_true(pooled_bytes < plain_bytes); /* the pool was used */
    result_strpool_free(pool);
}

/* Fields the random trees leave alone or JSON does not show. */
static void every_field(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    result_set_domain_status(root, STC_DOMAIN_BAD_HOSTNAME);
    result_set_type(root, "validation-failure");
    for (int i = 0; i < STC_MESSAGES_MAX + 7; i++)
        result_note(root, "note %d", i); /* 7 dropped */
    result_recommend(root, "%s", "");
    result_fact_int(root, "num_then_str", -42);
    result_fact_str(root, "num_then_str", "kept"); /* a string fact that keeps its number */
    result_fact_int(root, "min", -9223372036854775807LL - 1);
    result_fact_int(root, "max", 9223372036854775807LL);
    result_fact_int(root, "one", 1);
    result_fact_bool(root, "yes", 1);
    result_fact_bool(root, "no", 0);
    result_fact_list(root, "empty");
    result_fact_list_add(root, "items", "a");
    result_fact_list_add(root, "items", "");
    result_fact_list_add(root, "items", "a");
    result_fact_str(root, "empty_str", "");
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, "mx.example.com", NULL));
    result_raise(h, (stc_status)250);
    result_add_check(h, "x", "x");
    assert_int_equal(root->dropped_messages, 7);
    size_t len = 0;
    struct result_strpool *pool = result_strpool_new();
    for (int pass = 0; pass < 3; pass++)
        stc_result_free(round_trip(root, pass ? pool : NULL, &len));
    result_strpool_free(pool);
    stc_result_free(root);
}

/* A chain of depth nodes. */
static struct stc_result *chain(unsigned depth)
{
    struct stc_result *root = result_new(STC_NODE_CHECK, "c", "d"), *r = root;
    for (unsigned i = 1; i < depth; i++)
        r = result_add_check(r, "c", "d");
    return root;
}

static void refused(void **state)
{
    (void)state;
    size_t len = 0;
    assert_null(result_pack(NULL, NULL, &len));
    struct stc_result *r = chain(RESULT_PACK_DEPTH_MAX);
    stc_result_free(round_trip(r, NULL, &len));
    stc_result_free(r);
    r = chain(RESULT_PACK_DEPTH_MAX + 1);
    assert_null(result_pack(r, NULL, &len));
    stc_result_free(r);
    /* a tree an allocation failed in is incomplete: never cached */
    r = chain(3);
    result_child_mut(r, 0)->oom = 1;
    assert_null(result_pack(r, NULL, &len));
    result_child_mut(r, 0)->oom = 0;
    r->kind = (stc_node_kind)3;
    assert_null(result_pack(r, NULL, &len));
    r->kind = STC_NODE_CHECK;
    result_fact_int(r, "k", 1);
    r->facts[0].type = (stc_fact_type)4;
    assert_null(result_pack(r, NULL, &len));
    r->facts[0].type = STC_FACT_STR; /* a string fact without its string */
    assert_null(result_pack(r, NULL, &len));
    r->facts[0].type = STC_FACT_INT;
    stc_result_free(round_trip(r, NULL, &len));
    char *d = r->description; /* NULL where the builders never leave one */
    r->description = NULL;
    assert_null(result_pack(r, NULL, &len));
    r->description = d;
    stc_result_free(r);
}

/* Unpacking these bytes gives NULL or a tree that reads and frees cleanly. */
static unsigned try_unpack(const uint8_t *b, size_t n, struct result_strpool *pool)
{
    struct stc_result *u = result_unpack(b, n, pool);
    if (u == NULL)
        return 0;
    assert_true(one_block(u, u));
    char *j = NULL;
    struct stc_err e;
    stc_err_clear(&e);
    (void)stc_result_to_json(u, STC_JSON_COMPACT, &j, &e);
    stc_free(j);
    result_fact_str(u, "domain", "changed.example"); /* thaws the root */
    stc_result_free(u);
    return 1;
}

static void corrupt_bytes(void **state)
{
    (void)state;
    struct rng g = {SEED ^ 0xbadULL};
    struct result_strpool *pool = result_strpool_new(), *other = result_strpool_new();
    unsigned trees = 0, flips = 0, survived = 0;
    while (trees < 80) {
        struct stc_result *r = random_tree(&g);
        size_t len = 0;
        uint8_t *b = result_pack(r, pool, &len);
        stc_result_free(r);
        assert_non_null(b);
        if (len > 3000) { /* keep the quadratic work bounded */
            free(b);
            continue;
        }
        trees++;
        /* Every strict prefix is refused: unpacking needs every byte. */
        for (size_t n = 0; n < len; n++)
            assert_null(result_unpack(b, n, pool));
        /* So is one byte more. */
        uint8_t *longer = malloc(len + 1);
        memcpy(longer, b, len);
        longer[len] = 0;
        assert_null(result_unpack(longer, len + 1, pool));
        free(longer);
        /* Flips: NULL or a valid tree. */
        for (size_t i = 0; i < len; i++) {
            for (int k = 0; k < 2; k++) {
                uint8_t bit = (uint8_t)(1u << rng_below(&g, 8));
                b[i] ^= bit;
                survived += try_unpack(b, len, pool);
                survived += try_unpack(b, len, other); /* ids of another pool */
                b[i] ^= bit;
                flips++;
            }
        }
        /* The bytes themselves still unpack. */
        assert_int_equal(try_unpack(b, len, pool), 1);
        free(b);
    }
    /* Random bytes behind a right magic byte. */
    uint8_t junk[64];
    for (unsigned t = 0; t < 20000; t++) {
        size_t n = 1 + rng_below(&g, sizeof junk);
        for (size_t i = 0; i < n; i++)
            junk[i] = (uint8_t)rng_next(&g);
        junk[0] = 0xb7;
        survived += try_unpack(junk, n, pool);
    }
    assert_null(result_unpack(NULL, 0, pool));
    fprintf(stderr, "%u trees, %u flipped bytes: %u unpacked to a valid tree\n", trees, flips,
            survived);
    result_strpool_free(pool);
    result_strpool_free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_trees_round_trip),
        cmocka_unit_test(every_field),
        cmocka_unit_test(refused),
        cmocka_unit_test(corrupt_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
