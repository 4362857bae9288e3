/* Unit tests for the result tree: status combining, escaping, facts, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "result/result_tree.h"
#include "util/limits.h"

static void rollup_takes_most_severe(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, "mx", NULL));
    struct stc_result *a = result_add_check(h, "a", NULL);
    struct stc_result *b = result_add_check(h, "b", NULL);
    result_msg(a, STC_STATUS_WARNING, "w");
    assert_int_equal(result_rollup(root), STC_STATUS_WARNING);
    result_msg(b, STC_STATUS_FAILURE, "f");
    assert_int_equal(result_rollup(root), STC_STATUS_FAILURE);
    assert_int_equal(stc_result_status(h), STC_STATUS_FAILURE);
    /* A less severe finding never lowers a status (the original's SetStatus). */
    result_msg(b, STC_STATUS_SUCCESS, "ok");
    assert_int_equal(stc_result_status(b), STC_STATUS_FAILURE);
    result_msg(a, STC_STATUS_ERROR, "e");
    assert_int_equal(result_rollup(root), STC_STATUS_ERROR);
    assert_string_equal(stc_status_text(stc_result_status(root)), "error");
    assert_false(result_oom(root));
    stc_result_free(root);
}

/* Server text is kept exactly (the views censor it, the JSON encodes it). */
static void messages_keep_server_text(void **state)
{
    (void)state;
    struct stc_result *c = result_new(STC_NODE_CHECK, "c", NULL);
    result_note(c, "banner %s", "evil\x1b[31mred\r\n\xff");
    assert_int_equal(stc_result_message_count(c), 1);
    assert_string_equal(stc_result_message(c, 0), "banner evil\x1b[31mred\r\n\xff");
    result_fact_str(c, "banner", "a\tb");
    assert_string_equal(stc_result_get_str(c, "banner"), "a\tb");
    result_fact_list_add(c, "txt", "v=STSv1;\x01");
    assert_string_equal(stc_result_fact_list_item(c, (size_t)stc_result_fact_index(c, "txt"), 0),
                        "v=STSv1;\x01");
    stc_result_free(c);
}

static void facts_replace_and_lists_append(void **state)
{
    (void)state;
    struct stc_result *c = result_new(STC_NODE_CHECK, "c", NULL);
    long long v = 0;
    result_fact_int(c, "n", 1);
    result_fact_int(c, "n", 2);
    assert_int_equal(stc_result_fact_count(c), 1);
    assert_true(stc_result_get_int(c, "n", &v));
    assert_int_equal(v, 2);
    result_fact_bool(c, "b", 7);
    assert_true(stc_result_get_int(c, "b", &v));
    assert_int_equal(v, 1);
    assert_false(stc_result_get_int(c, "missing", &v));
    result_fact_list(c, "l");
    long i = stc_result_fact_index(c, "l");
    assert_true(i >= 0);
    assert_int_equal(stc_result_fact_list_len(c, (size_t)i), 0);
    result_fact_list_add(c, "l", "x");
    result_fact_list_add(c, "l", "y");
    assert_int_equal(stc_result_fact_list_len(c, (size_t)i), 2);
    assert_string_equal(stc_result_fact_list_item(c, (size_t)i, 1), "y");
    assert_null(stc_result_fact_list_item(c, (size_t)i, 2));
    /* A string fact replaced by an int changes type cleanly. */
    result_fact_str(c, "n", "text");
    assert_string_equal(stc_result_get_str(c, "n"), "text");
    assert_false(stc_result_get_int(c, "n", &v));
    stc_result_free(c);
}

static void recommendations_dedupe_and_type_first_wins(void **state)
{
    (void)state;
    struct stc_result *c = result_new(STC_NODE_CHECK, "c", NULL);
    result_recommend(c, "fix %d", 1);
    result_recommend(c, "fix %d", 1);
    result_recommend(c, "fix %d", 2);
    assert_int_equal(stc_result_recommendation_count(c), 2);
    assert_null(stc_result_type(c));
    result_set_type(c, "certificate-expired");
    result_set_type(c, "certificate-host-mismatch");
    assert_string_equal(stc_result_type(c), "certificate-expired");
    stc_result_free(c);
}

static void message_count_is_capped(void **state)
{
    (void)state;
    struct stc_result *c = result_new(STC_NODE_CHECK, "c", NULL);
    for (int i = 0; i < STC_MESSAGES_MAX + 50; i++)
        result_note(c, "line %d", i);
    assert_int_equal(stc_result_message_count(c), STC_MESSAGES_MAX);
    /* A huge message is cut, not overflowed. */
    char big[8192];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    struct stc_result *d = result_new(STC_NODE_CHECK, "d", NULL);
    result_note(d, "%s", big);
    assert_true(strlen(stc_result_message(d, 0)) < STC_MSG_MAX);
    /* A string fact keeps a whole 64 KiB policy exactly, and is capped past that. */
    static char policy[STC_MTASTS_POLICY_MAX + 1];
    memset(policy, 'p', STC_MTASTS_POLICY_MAX);
    policy[STC_MTASTS_POLICY_MAX - 1] = '\n';
    result_fact_str(d, "policy", policy);
    assert_string_equal(stc_result_get_str(d, "policy"), policy);
    static char huge[STC_FACT_STR_MAX + 100];
    memset(huge, 1, sizeof huge - 1);
    result_fact_str(d, "huge", huge);
    assert_true(strlen(stc_result_get_str(d, "huge")) < STC_FACT_STR_MAX);
    stc_result_free(c);
    stc_result_free(d);
}

static void find_and_remove_children(void **state)
{
    (void)state;
    struct stc_result *h = result_new(STC_NODE_HOST, "mx", NULL);
    result_add_check(h, "one", NULL);
    result_add_check(h, "two", NULL);
    assert_non_null(stc_result_find(h, "two"));
    assert_null(stc_result_find(h, "three"));
    result_remove(h, 0);
    assert_int_equal(stc_result_child_count(h), 1);
    assert_string_equal(stc_result_name(stc_result_child(h, 0)), "two");
    assert_int_equal(stc_result_kind(stc_result_child(h, 0)), STC_NODE_CHECK);
    stc_result_free(h);
}

static void domain_status_texts(void **state)
{
    (void)state;
    assert_string_equal(stc_domain_status_text(STC_DOMAIN_NO_STARTTLS), "no_starttls");
    assert_string_equal(stc_domain_status_text(STC_DOMAIN_COULD_NOT_CONNECT),
                        "could_not_connect");
    assert_string_equal(stc_domain_status_text(STC_DOMAIN_BAD_HOSTNAME), "bad_hostname");
    assert_string_equal(stc_domain_status_text((stc_domain_status)99), "error");
}

static void verdict_goes_first(void **state)
{
    (void)state;
    struct stc_result *r = result_new(STC_NODE_DOMAIN, "d", NULL);
    result_note(r, "earlier note");
    result_verdict(r, "the verdict %d", 1);
    assert_int_equal(stc_result_message_count(r), 2);
    assert_string_equal(stc_result_message(r, 0), "the verdict 1");
    assert_string_equal(stc_result_message(r, 1), "earlier note");
    stc_result_free(r);
}

static void clone_is_deep_and_equal(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", "d");
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, "mx", NULL));
    struct stc_result *c = result_add_check(h, "certificate", "desc");
    result_msg(c, STC_STATUS_FAILURE, "expired");
    result_set_type(c, "certificate-expired");
    result_recommend(c, "renew");
    result_fact_int(c, "days_to_expiry", -3);
    result_fact_list_add(c, "subject_names", "mx.example.com");
    result_set_domain_status(root, STC_DOMAIN_FAILURE);
    result_rollup(root);
    struct stc_result *copy = stc_result_clone(root);
    assert_non_null(copy);
    stc_result_free(root); /* the copy must not share anything */
    const struct stc_result *cc = stc_result_find(stc_result_child(copy, 0), "certificate");
    assert_non_null(cc);
    assert_int_equal(stc_result_status(copy), STC_STATUS_FAILURE);
    assert_int_equal(stc_result_domain_status(copy), STC_DOMAIN_FAILURE);
    assert_string_equal(stc_result_message(cc, 0), "expired");
    assert_string_equal(stc_result_type(cc), "certificate-expired");
    assert_string_equal(stc_result_recommendation(cc, 0), "renew");
    long long v = 0;
    assert_true(stc_result_get_int(cc, "days_to_expiry", &v));
    assert_int_equal(v, -3);
    long i = stc_result_fact_index(cc, "subject_names");
    assert_string_equal(stc_result_fact_list_item(cc, (size_t)i, 0), "mx.example.com");
    assert_string_equal(stc_result_description(cc), "desc");
    stc_result_free(copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rollup_takes_most_severe),
        cmocka_unit_test(messages_keep_server_text),
        cmocka_unit_test(facts_replace_and_lists_append),
        cmocka_unit_test(recommendations_dedupe_and_type_first_wins),
        cmocka_unit_test(message_count_is_capped),
        cmocka_unit_test(find_and_remove_children),
        cmocka_unit_test(domain_status_texts),
        cmocka_unit_test(clone_is_deep_and_equal),
        cmocka_unit_test(verdict_goes_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
