/* test_result_json_diff.c - stc_result_to_json against the test oracle
 * json_reference.c (the former jansson-based serializer), byte for byte, on
 * the generated trees of random_tree.c (hostile names and text, facts of
 * every type, statuses out of range, many siblings, chains deep enough to
 * reach both depth limits). Both modes; on failure, the same code and
 * message. Fixed seed: a failure is reproducible; the seed and the tree's
 * number are printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <starttls/json.h>

#include "json_reference.h"
#include "random_tree.h"
#include "result/result_tree.h"

#define TREES 4000
#define SEED 0x5eed5eedcafef00dULL

/* Both writers give the same bytes, or fail alike. */
static int same_output(const struct stc_result *r, unsigned flags, unsigned tree)
{
    char why[1024];
    if (json_reference_agrees(r, flags, why, sizeof why))
        return 1;
    fprintf(stderr, "tree %u (seed %#llx), %s\n", tree, (unsigned long long)SEED, why);
    return 0;
}

static void test_random_trees(void **state)
{
    (void)state;
    struct rng g = {SEED};
    unsigned failed = 0, ok_trees = 0, tree_limit = 0, text_limit = 0, wide = 0;
    for (unsigned t = 0; t < TREES; t++) {
        struct stc_result *r = random_tree(&g);
        assert_non_null(r);
        assert_false(result_oom(r));
        if (!same_output(r, 0, t) || !same_output(r, STC_JSON_COMPACT, t))
            failed++;
        wide += stc_result_fact_index(r, "wide") >= 0 ||
                (stc_result_child_count(r) > 0 &&
                 stc_result_fact_index(stc_result_child(r, 0), "wide") >= 0);
        char *s = NULL;
        struct stc_err e;
        stc_err_clear(&e);
        if (stc_result_to_json(r, STC_JSON_COMPACT, &s, &e) == STC_OK)
            ok_trees++;
        else if (e.code == STC_E_LIMIT && strstr(e.msg, "result tree") != NULL)
            tree_limit++; /* more than 32 check levels */
        else if (e.code == STC_E_LIMIT)
            text_limit++; /* within them, but more than 64 JSON levels */
        free(s);
        stc_result_free(r);
        if (failed >= 5)
            break;
    }
    fprintf(stderr, "%u trees (%u with many siblings): %u written, %u over the tree's and %u "
            "over the text's depth limit, %u differ\n", TREES, wide, ok_trees, tree_limit,
            text_limit, failed);
    assert_int_equal(failed, 0);
    /* The generator reaches every outcome. */
    assert_true(ok_trees > TREES / 2);
    assert_true(tree_limit > 20);
    assert_true(text_limit > 20);
    assert_true(wide > 100);
}

static int has_duplicate_children(const struct stc_result *r)
{
    size_t n = stc_result_child_count(r);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(stc_result_name(stc_result_child(r, i)),
                       stc_result_name(stc_result_child(r, j))) == 0)
                return 1;
    return 0;
}

/* The generator makes what the comparison needs: roots with children of
 * one name (so the differential test cannot pass for want of them). */
static void test_generator_makes_duplicates(void **state)
{
    (void)state;
    struct rng g = {SEED};
    unsigned dup_trees = 0;
    for (unsigned t = 0; t < 200; t++) {
        struct stc_result *r = random_tree(&g);
        assert_non_null(r);
        dup_trees += (unsigned)has_duplicate_children(r);
        stc_result_free(r);
    }
    assert_true(dup_trees > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_trees),
        cmocka_unit_test(test_generator_makes_duplicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
