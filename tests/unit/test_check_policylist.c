/* Unit tests for the policy-list judge (check_policylist.c): a list parsed
 * from memory and hand-built host nodes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "checks/checks.h"
#include "mtasts/policy_list.h"
#include "result/result_tree.h"

#define NOW 1767225600LL /* 2026-01-01 */

static const char *list =
    "{\"expires\": \"2036-01-01T00:00:00+00:00\",\n"
    " \"policy-aliases\": {\"prov\": {\"mode\": \"testing\", \"mxs\": [\".prov.test\"]}},\n"
    " \"policies\": {\n"
    "  \"enforced.test\": {\"mode\": \"enforce\", \"mxs\": [\"mx1.enforced.test\", \".mx.enforced.test\"]},\n"
    "  \"aliased.test\": {\"policy-alias\": \"prov\"}\n"
    " }}\n";

static int setup(void **state)
{
    struct stc_err err = {STC_OK, ""};
    struct policy_list *pl = NULL;
    stc_rc rc = policy_list_parse(list, strlen(list), NOW, "list", &pl, &err);
    *state = pl;
    return rc == STC_OK ? 0 : -1;
}

static int teardown(void **state)
{
    policy_list_free(*state);
    return 0;
}

static const struct policy_list *the_list; /* set by each test from its state */

static void host(struct stc_result *root, const char *name, int connected)
{
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, name, NULL));
    result_fact_bool(h, "connected", connected);
}

static const struct stc_result *judge(struct stc_result *root, const char *domain)
{
    check_policylist(the_list, domain, root);
    assert_false(result_oom(root));
    const struct stc_result *c = stc_result_find(root, CHECK_POLICYLIST);
    assert_non_null(c);
    return c;
}

static int has_msg(const struct stc_result *c, const char *needle)
{
    for (size_t i = 0; i < stc_result_message_count(c); i++)
        if (strstr(stc_result_message(c, i), needle) != NULL)
            return 1;
    return 0;
}

static void not_listed_is_a_note(void **state)
{
    the_list = *state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "other.test", NULL);
    host(root, "mx.other.test", 1);
    const struct stc_result *c = judge(root, "other.test");
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    assert_true(has_msg(c, "other.test is not on the policy list"));
    long long v = -1;
    assert_true(stc_result_get_int(c, "listed", &v));
    assert_int_equal(v, 0);
    stc_result_free(root);
}

static void matching_hosts_succeed(void **state)
{
    the_list = *state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "enforced.test", NULL);
    host(root, "mx1.enforced.test", 1);
    host(root, "a.mx.enforced.test", 1);
    host(root, "down.elsewhere.test", 0); /* not reached: noted, not judged */
    const struct stc_result *c = judge(root, "enforced.test");
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    assert_true(has_msg(c, "all 2 connected MX hosts match the listed patterns"));
    assert_true(has_msg(c, "down.elsewhere.test could not be reached and is not judged"));
    assert_string_equal(stc_result_get_str(c, "mode"), "enforce");
    assert_null(stc_result_type(c));
    stc_result_free(root);
}

static void outside_host_fails_in_enforce(void **state)
{
    the_list = *state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "enforced.test", NULL);
    host(root, "mx9.other.test", 1);
    const struct stc_result *c = judge(root, "enforced.test");
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_string_equal(stc_result_type(c), "validation-failure");
    assert_true(has_msg(c, "mx9.other.test matches none of the listed mxs"));
    assert_true(stc_result_recommendation_count(c) > 0);
    stc_result_free(root);
}

static void outside_host_warns_in_testing_alias(void **state)
{
    the_list = *state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "aliased.test", NULL);
    host(root, "mx.aliased.test", 1);
    const struct stc_result *c = judge(root, "aliased.test");
    assert_int_equal(stc_result_status(c), STC_STATUS_WARNING);
    assert_string_equal(stc_result_get_str(c, "alias"), "prov");
    assert_true(has_msg(c, "in enforce mode they would not deliver"));
    stc_result_free(root);

    root = result_new(STC_NODE_DOMAIN, "aliased.test", NULL);
    host(root, "mx1.prov.test", 1);
    c = judge(root, "aliased.test");
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    assert_true(has_msg(c, "the connected MX host matches the listed patterns"));
    stc_result_free(root);
}

static void nothing_connected(void **state)
{
    the_list = *state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "enforced.test", NULL);
    host(root, "mx9.other.test", 0);
    const struct stc_result *c = judge(root, "enforced.test");
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    assert_true(has_msg(c, "no MX host connected"));
    stc_result_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(not_listed_is_a_note),
        cmocka_unit_test(matching_hosts_succeed),
        cmocka_unit_test(outside_host_fails_in_enforce),
        cmocka_unit_test(outside_host_warns_in_testing_alias),
        cmocka_unit_test(nothing_connected),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
