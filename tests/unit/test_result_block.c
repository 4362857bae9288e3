/* Unit tests for one-block tree copies: those of stc_result_clone
 * (result_block.c) and those result_unpack makes from packed bytes
 * (result_pack.c, with no pool and with a pool that shares the strings). A
 * copy reads like its original, every builder still works on it (thawing the
 * node it changes), and changes to a copy, or to a copy of a copy, never
 * reach the original. Every case runs on each kind of copy. Run under
 * ASan/UBSan, a field freed from the block or a block freed twice fails the
 * test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <starttls/json.h>

#include "result/result_int.h"
#include "result/result_tree.h"

/* A tree with every kind of field at two levels. */
static struct stc_result *sample(void)
{
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", "the domain");
    result_fact_list_add(root, "mx_hosts", "mx1.example.com");
    result_fact_list_add(root, "mx_hosts", "mx2.example.com");
    result_fact_bool(root, "null_mx", 0);
    result_fact_list(root, "preferred_hostnames");
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, "mx1.example.com", NULL));
    result_fact_str(h, "hostname", "mx1.example.com");
    result_fact_int(h, "preference", 10);
    struct stc_result *c = result_add_check(h, "certificate", "Certificate");
    result_msg(c, STC_STATUS_FAILURE, "expired \xff raw");
    result_note(c, "second");
    result_set_type(c, "certificate-expired");
    result_recommend(c, "renew it");
    result_fact_int(c, "days_to_expiry", -3);
    result_add_check(h, "starttls", "STARTTLS");
    result_set_domain_status(root, STC_DOMAIN_FAILURE);
    result_rollup(root);
    return root;
}

static char *json_of(const struct stc_result *r)
{
    char *j = NULL;
    struct stc_err e = {0};
    assert_int_equal(stc_result_to_json(r, STC_JSON_COMPACT, &j, &e), STC_OK);
    return j;
}

/* One way of copying a tree into one block. */
struct maker {
    struct stc_result *(*copy)(const struct stc_result *r, struct result_strpool *pool);
    struct result_strpool *pool;
};

static struct stc_result *clone_of(const struct stc_result *r, struct result_strpool *pool)
{
    (void)pool;
    return stc_result_clone(r);
}

/* Packed, then unpacked: with a pool, strings seen before come from it. */
static struct stc_result *unpacked_of(const struct stc_result *r, struct result_strpool *pool)
{
    size_t len = 0;
    void *bytes = result_pack(r, pool, &len);
    if (r != NULL)
        assert_non_null(bytes);
    struct stc_result *c = result_unpack(bytes, len, pool);
    free(bytes);
    return c;
}

static struct stc_result *copy_of(void **state, const struct stc_result *r)
{
    const struct maker *m = *state;
    struct stc_result *c = m->copy(r, m->pool);
    assert_non_null(c);
    return c;
}

static void copy_is_one_block_and_reads_alike(void **state)
{
    struct stc_result *root = sample();
    char *before = json_of(root);
    struct stc_result *copy = copy_of(state, root);
    assert_non_null(copy);
    /* every node of the copy lies in its one block */
    assert_non_null(copy->block);
    assert_true(copy->flags & RESULT_NODE_IN_BLOCK);
    const struct stc_result *h = stc_result_child(copy, 0);
    assert_true(h->flags & RESULT_FIELDS_IN_BLOCK);
    assert_null(h->block);
    stc_result_free(root); /* the copy shares nothing with it */
    char *after = json_of(copy);
    assert_string_equal(before, after);
    stc_free(before);
    stc_free(after);
    stc_result_free(copy);
}

/* The changes the checker makes to a cached host's copy: its domain and
 * preference facts, a flag on a check, a child added and one removed. */
static void builders_work_on_a_copy(void **state)
{
    struct stc_result *root = sample();
    char *orig = json_of(root);
    struct stc_result *copy = copy_of(state, root);
    struct stc_result *h = result_child_mut(copy, 0);
    result_fact_str(h, "domain", "other.example");
    result_fact_int(h, "preference", 20);
    assert_false(h->flags & RESULT_FIELDS_IN_BLOCK); /* thawed */
    struct stc_result *c = result_find_mut(h, "certificate");
    assert_true(c->flags & RESULT_FIELDS_IN_BLOCK); /* untouched children stay */
    result_fact_bool(c, "name_unusable", 1);
    result_msg(c, STC_STATUS_ERROR, "third");
    result_verdict(c, "first now");
    result_recommend(c, "renew it"); /* a duplicate: dropped */
    result_recommend(c, "and monitor it");
    result_fact_list_add(copy, "mx_hosts", "mx3.example.com");
    result_set_name(copy, "renamed.example");
    result_add_check(h, "dane", "DANE");
    result_remove(h, 1); /* starttls, a block node */
    result_rollup(copy);
    assert_false(result_oom(copy));

    long long v = 0;
    assert_string_equal(stc_result_get_str(h, "domain"), "other.example");
    assert_true(stc_result_get_int(h, "preference", &v));
    assert_int_equal(v, 20);
    assert_int_equal(stc_result_message_count(c), 4);
    assert_string_equal(stc_result_message(c, 0), "first now");
    assert_string_equal(stc_result_message(c, 1), "expired \xff raw");
    assert_int_equal(stc_result_recommendation_count(c), 2);
    assert_int_equal(stc_result_child_count(h), 2);
    assert_string_equal(stc_result_name(stc_result_child(h, 1)), "dane");
    assert_string_equal(stc_result_name(copy), "renamed.example");
    assert_int_equal(stc_result_fact_list_len(copy, (size_t)stc_result_fact_index(copy, "mx_hosts")),
                     3);
    assert_int_equal(stc_result_status(copy), STC_STATUS_ERROR);

    char *still = json_of(root); /* the original did not move */
    assert_string_equal(orig, still);
    stc_free(orig);
    stc_free(still);
    stc_result_free(root);
    stc_result_free(copy);
}

/* A copy of a (partly thawed) copy is a block of its own; freeing in any
 * order is clean. */
static void copies_of_copies(void **state)
{
    struct stc_result *src = sample();
    struct stc_result *b = copy_of(state, src);
    result_fact_str(result_child_mut(b, 0), "address", "192.0.2.1");
    struct stc_result *c = copy_of(state, b);
    char *jb = json_of(b), *jc = json_of(c);
    assert_string_equal(jb, jc);
    stc_result_free(b);
    stc_result_free(src);
    result_fact_str(result_child_mut(c, 0), "address", "192.0.2.2");
    assert_string_equal(stc_result_get_str(stc_result_child(c, 0), "address"), "192.0.2.2");
    stc_result_free(c);
    stc_free(jb);
    stc_free(jc);
}

/* A host copy added under a fresh domain root (what the scan does with a
 * cached host) is freed with that root. */
static void copy_owned_by_another_tree(void **state)
{
    struct stc_result *src = sample();
    struct stc_result *host = copy_of(state, stc_result_child(src, 0));
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "b.example", NULL);
    result_add(root, host);
    result_fact_str(host, "domain", "b.example");
    result_rollup(root);
    assert_int_equal(stc_result_status(root), STC_STATUS_FAILURE);
    stc_result_free(src);
    stc_result_free(root);
}

/* Unpacked copies point at the pool's one copy of each string seen in
 * more than one packed tree; a change to such a copy thaws it as usual; a
 * plain clone of one holds its own strings and outlives the pool. */
static void unpacked_copies_share_strings(void **state)
{
    (void)state;
    struct result_strpool *pool = result_strpool_new();
    assert_non_null(pool);
    struct stc_result *src = sample();
    struct stc_result *first = unpacked_of(src, pool); /* every string a first sighting */
    struct stc_result *a = unpacked_of(src, pool);
    struct stc_result *b = unpacked_of(src, pool);
    const struct stc_result *c1 = stc_result_find(stc_result_child(first, 0), "certificate");
    const struct stc_result *ca = stc_result_find(stc_result_child(a, 0), "certificate");
    const struct stc_result *cb = stc_result_find(stc_result_child(b, 0), "certificate");
    assert_ptr_not_equal(stc_result_description(c1), stc_result_description(ca));
    assert_ptr_equal(stc_result_description(ca), stc_result_description(cb));
    assert_ptr_equal(stc_result_fact_key(ca, 0), stc_result_fact_key(cb, 0));
    assert_ptr_equal(stc_result_name(ca), stc_result_name(cb));
    assert_ptr_equal(stc_result_message(ca, 0), stc_result_message(cb, 0));
    char *js = json_of(src), *ja = json_of(a), *j1 = json_of(first);
    assert_string_equal(js, ja);
    assert_string_equal(js, j1);
    /* a plain copy of a pooled copy holds its own strings */
    struct stc_result *c = stc_result_clone(a);
    const struct stc_result *cc = stc_result_find(stc_result_child(c, 0), "certificate");
    assert_ptr_not_equal(stc_result_description(cc), stc_result_description(ca));
    result_fact_str(result_child_mut(a, 0), "domain", "x.example"); /* thaws the host node */
    result_msg(result_find_mut(result_child_mut(b, 0), "certificate"), STC_STATUS_ERROR, "more");
    stc_result_free(first);
    stc_result_free(a);
    stc_result_free(b);
    result_strpool_free(pool); /* c does not depend on it */
    char *jc = json_of(c);
    assert_string_equal(js, jc);
    stc_free(js);
    stc_free(ja);
    stc_free(j1);
    stc_free(jc);
    stc_result_free(c);
    stc_result_free(src);
}

static void empty_and_null(void **state)
{
    const struct maker *m = *state;
    assert_null(m->copy(NULL, m->pool));
    struct stc_result *n = result_new(STC_NODE_CHECK, "", NULL);
    struct stc_result *c = copy_of(state, n);
    assert_non_null(c);
    assert_string_equal(stc_result_name(c), "");
    assert_int_equal(stc_result_child_count(c), 0);
    assert_int_equal(stc_result_fact_count(c), 0);
    assert_null(stc_result_type(c));
    stc_result_free(n);
    stc_result_free(c);
}

#define EACH(t)                                                                        \
    cmocka_unit_test_prestate(t, &clone), cmocka_unit_test_prestate(t, &unpacked),     \
        cmocka_unit_test_prestate(t, &unpacked_pooled)

int main(void)
{
    struct maker clone = {clone_of, NULL}, unpacked = {unpacked_of, NULL};
    struct maker unpacked_pooled = {unpacked_of, result_strpool_new()};
    const struct CMUnitTest tests[] = {
        EACH(copy_is_one_block_and_reads_alike),
        EACH(builders_work_on_a_copy),
        EACH(copies_of_copies),
        EACH(copy_owned_by_another_tree),
        EACH(empty_and_null),
        cmocka_unit_test(unpacked_copies_share_strings),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    result_strpool_free(unpacked_pooled.pool);
    return failed;
}
