/* test_mtasts_match - MX pattern matching (RFC 8461 appendix B) and pattern syntax. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <starttls/checker.h>

#include "mtasts/mtasts.h"

static int m(const char *host, const char *pat)
{
    return mtasts_pattern_match(host, strlen(host), pat, strlen(pat));
}

/* RFC 8461 appendix B (and 4.1): "*." matches exactly one leftmost label. */
static void test_appendix_b(void **state)
{
    (void)state;
    assert_true(m("mail.example.com", "*.example.com"));
    assert_false(m("example.com", "*.example.com"));
    assert_false(m("foo.bar.example.com", "*.example.com"));
    assert_true(m("mail.example.com", "mail.example.com"));
    assert_false(m("mail.example.com", "mail2.example.com"));
}

static void test_case_and_dots(void **state)
{
    (void)state;
    assert_true(m("MAIL.Example.COM", "mail.example.com"));
    assert_true(m("mail.example.com", "*.EXAMPLE.com"));
    assert_true(m("mail.example.com.", "mail.example.com"));
    assert_true(m("mail.example.com", "*.example.com."));
    assert_true(m("mail.example.com.", "*.example.com."));
    assert_false(m("mail.example.com..", "mail.example.com"));
    assert_false(m(".example.com", "*.example.com")); /* empty leftmost label */
    assert_false(m("mail.example.co", "*.example.com"));
    assert_false(m("mail.xexample.com", "*.example.com"));
}

static void test_odd_patterns(void **state)
{
    (void)state;
    /* the original's ".suffix" form: one label too */
    assert_true(m("mail.example.com", ".example.com"));
    assert_false(m("a.mail.example.com", ".example.com"));
    assert_false(m("example.com", ".example.com"));
    assert_false(m("mail.example.com", "*"));
    assert_false(m("mail.example.com", "*."));
    assert_false(m("mail.example.com", "*example.com"));
    assert_false(m("mail.example.com", ""));
    assert_false(m("", "*.example.com"));
    assert_false(m("", ""));
    assert_false(mtasts_pattern_match(NULL, 0, "a", 1));
    /* embedded NUL never matches */
    assert_false(mtasts_pattern_match("a\0b.example.com", 15, "a\0b.example.com", 15));
}

static void test_public_wrapper(void **state)
{
    (void)state;
    assert_true(stc_policy_matches("mail.example.com", "*.example.com"));
    assert_false(stc_policy_matches("example.com", "*.example.com"));
    assert_false(stc_policy_matches("foo.bar.example.com", "*.example.com"));
    assert_true(stc_policy_matches("mail.example.com:25", "mail.example.com"));
    assert_false(stc_policy_matches("mail.example.com:2x", "mail.example.com"));
    assert_false(stc_policy_matches(NULL, "a"));
    assert_false(stc_policy_matches("a", NULL));
    char *pats[] = {"a.example", "*.example.net"};
    assert_true(mtasts_patterns_match("x.example.net", pats, 2));
    assert_false(mtasts_patterns_match("b.example", pats, 2));
}

static void test_valid(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_true(mtasts_pattern_valid("mail.example.com", 16, &why));
    assert_true(mtasts_pattern_valid("*.example.com", 13, &why));
    assert_true(mtasts_pattern_valid("xn--bcher-kva.example", 21, &why));
    assert_true(mtasts_pattern_valid("localhost", 9, NULL));
    assert_true(mtasts_pattern_valid("1.2.3.4", 7, NULL));
    assert_false(mtasts_pattern_valid(".example.com", 12, &why));
    assert_non_null(strstr(why, "*."));
    assert_false(mtasts_pattern_valid("*", 1, &why));
    assert_false(mtasts_pattern_valid("*.", 2, &why));
    assert_false(mtasts_pattern_valid("**.example.com", 14, &why));
    assert_false(mtasts_pattern_valid("a.*.example.com", 15, &why));
    assert_false(mtasts_pattern_valid("*.*.example.com", 15, &why));
    assert_false(mtasts_pattern_valid("a..example", 10, &why));
    assert_false(mtasts_pattern_valid("-a.example", 10, &why));
    assert_false(mtasts_pattern_valid("a-.example", 10, &why));
    assert_false(mtasts_pattern_valid("a.example-", 10, &why));
    assert_false(mtasts_pattern_valid("a_b.example", 11, &why));
    assert_false(mtasts_pattern_valid("a b.example", 11, &why));
    assert_false(mtasts_pattern_valid("example.com.", 12, &why));
    assert_false(mtasts_pattern_valid("", 0, &why));
    char label[70];
    memset(label, 'a', 64);
    memcpy(label + 64, ".com", 5);
    assert_false(mtasts_pattern_valid(label, 68, &why));
    assert_true(mtasts_pattern_valid(label + 1, 67, &why));
    char longname[300];
    for (int i = 0; i < 300; i++)
        longname[i] = (i % 10 == 9) ? '.' : 'a';
    longname[253] = 'a';
    assert_true(mtasts_pattern_valid(longname, 253, &why));
    assert_false(mtasts_pattern_valid(longname, 254, &why));
    /* Found by fuzzing: "*." before a 253-character name can match no host
     * (the shortest would be 255 characters), so it is not a valid pattern;
     * with a 251-character rest it matches a 253-character host. */
    char wild[300];
    wild[0] = '*';
    wild[1] = '.';
    memcpy(wild + 2, longname, 253);
    assert_false(mtasts_pattern_valid(wild, 255, &why));
    assert_non_null(strstr(why, "too long"));
    longname[250] = 'a'; /* the 251-character rest must not end in '.' */
    memcpy(wild + 2, longname, 251);
    assert_true(mtasts_pattern_valid(wild, 253, &why));
    char host[260];
    host[0] = 'x';
    host[1] = '.';
    memcpy(host + 2, longname, 251);
    assert_true(mtasts_pattern_match(host, 253, wild, 253));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_appendix_b),   cmocka_unit_test(test_case_and_dots),
        cmocka_unit_test(test_odd_patterns), cmocka_unit_test(test_public_wrapper),
        cmocka_unit_test(test_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
