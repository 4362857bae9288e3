/* test_cli_nagios.c - the --nagios view (src/cli/cli_nagios.c): the mapping
 * of domain status and certificate expiry to plugin states, and the exact
 * output format, on trees built with the result_tree.h builders.
 *
 * The CLI sources are not part of stc_core, so the files under test are
 * compiled into this test directly (as test_cli_text.c does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "result/result_tree.h"

#include "cli/cli_nagios.c"

static struct stc_result *add_host(struct stc_result *root, const char *name, long long days)
{
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, name, NULL));
    result_fact_int(h, "preference", 10);
    result_add_check(h, "connectivity", NULL);
    struct stc_result *c = result_add_check(h, "certificate", NULL);
    result_fact_int(c, "days_to_expiry", days);
    return h;
}

/* Two hosts with the given days; domain status d. */
static struct stc_result *tree(stc_domain_status d, long long days1, long long days2)
{
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    result_verdict(root, "verdict text");
    add_host(root, "mx1.example.com", days1);
    add_host(root, "mx2.example.com", days2);
    result_rollup(root);
    result_set_domain_status(root, d);
    assert_false(result_oom(root));
    return root;
}

static char *render(const struct stc_result *r, long warn, long crit, int *state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(cli_nagios_render(f, r, warn, crit, state), STC_OK);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void test_domain_mapping(void **state)
{
    (void)state;
    assert_int_equal(cli_nagios_from_domain(STC_DOMAIN_SUCCESS), CLI_NAGIOS_OK);
    assert_int_equal(cli_nagios_from_domain(STC_DOMAIN_WARNING), CLI_NAGIOS_WARNING);
    assert_int_equal(cli_nagios_from_domain(STC_DOMAIN_FAILURE), CLI_NAGIOS_CRITICAL);
    assert_int_equal(cli_nagios_from_domain(STC_DOMAIN_ERROR), CLI_NAGIOS_UNKNOWN);
    assert_int_equal(cli_nagios_from_domain(STC_DOMAIN_NO_STARTTLS), CLI_NAGIOS_CRITICAL);
    assert_int_equal(cli_nagios_from_domain(STC_DOMAIN_COULD_NOT_CONNECT), CLI_NAGIOS_CRITICAL);
    assert_int_equal(cli_nagios_from_domain(STC_DOMAIN_BAD_HOSTNAME), CLI_NAGIOS_CRITICAL);
    assert_int_equal(cli_nagios_from_domain((stc_domain_status)42), CLI_NAGIOS_UNKNOWN);
    assert_string_equal(cli_nagios_state_name(0), "OK");
    assert_string_equal(cli_nagios_state_name(1), "WARNING");
    assert_string_equal(cli_nagios_state_name(2), "CRITICAL");
    assert_string_equal(cli_nagios_state_name(3), "UNKNOWN");
    assert_string_equal(cli_nagios_state_name(-1), "UNKNOWN");
}

static void test_days_mapping(void **state)
{
    (void)state;
    static const struct {
        stc_domain_status d;
        long long days;
        long warn, crit;
        int want;
    } cases[] = {
        {STC_DOMAIN_SUCCESS, 100, 14, 7, CLI_NAGIOS_OK},
        {STC_DOMAIN_SUCCESS, 15, 14, 7, CLI_NAGIOS_OK},
        {STC_DOMAIN_SUCCESS, 14, 14, 7, CLI_NAGIOS_WARNING}, /* at the threshold */
        {STC_DOMAIN_SUCCESS, 8, 14, 7, CLI_NAGIOS_WARNING},
        {STC_DOMAIN_SUCCESS, 7, 14, 7, CLI_NAGIOS_CRITICAL},
        {STC_DOMAIN_SUCCESS, -3, 14, 7, CLI_NAGIOS_CRITICAL}, /* expired */
        {STC_DOMAIN_SUCCESS, 25, 30, 10, CLI_NAGIOS_WARNING}, /* custom thresholds */
        {STC_DOMAIN_SUCCESS, 1, 0, 0, CLI_NAGIOS_OK},
        {STC_DOMAIN_SUCCESS, 0, 0, 0, CLI_NAGIOS_CRITICAL},
        {STC_DOMAIN_WARNING, 100, 14, 7, CLI_NAGIOS_WARNING},
        {STC_DOMAIN_WARNING, 5, 14, 7, CLI_NAGIOS_CRITICAL},
        {STC_DOMAIN_ERROR, 100, 14, 7, CLI_NAGIOS_UNKNOWN},
        {STC_DOMAIN_ERROR, 10, 14, 7, CLI_NAGIOS_WARNING}, /* WARNING outranks UNKNOWN */
        {STC_DOMAIN_ERROR, 3, 14, 7, CLI_NAGIOS_CRITICAL},
        {STC_DOMAIN_FAILURE, 100, 14, 7, CLI_NAGIOS_CRITICAL},
        {STC_DOMAIN_FAILURE, 10, 14, 7, CLI_NAGIOS_CRITICAL}, /* never lowered */
        {STC_DOMAIN_COULD_NOT_CONNECT, 100, 14, 7, CLI_NAGIOS_CRITICAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* The lower of the two hosts counts. */
        struct stc_result *r = tree(cases[i].d, cases[i].days + 500, cases[i].days);
        int got = cli_nagios_state(r, cases[i].warn, cases[i].crit);
        if (got != cases[i].want)
            fail_msg("case %zu: state %d, want %d", i, got, cases[i].want);
        stc_result_free(r);
    }
    assert_int_equal(cli_nagios_state(NULL, 14, 7), CLI_NAGIOS_UNKNOWN);
}

static void test_ok_line(void **state)
{
    (void)state;
    int st = -1;
    struct stc_result *r = tree(STC_DOMAIN_SUCCESS, 3319, 4000);
    char *out = render(r, 14, 7, &st);
    assert_int_equal(st, CLI_NAGIOS_OK);
    assert_string_equal(out, "STARTTLS OK - example.com: 2/2 MX hosts pass | "
                             "days_to_expiry=3319;14;7 hosts_passing=2;;;0;2 hosts_total=2\n");
    free(out);
    stc_result_free(r);
}

static void test_problem_lines(void **state)
{
    (void)state;
    int st = -1;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    result_verdict(root, "mx2.example.com: problems found");
    add_host(root, "mx1.example.com", 80);
    struct stc_result *h2 = add_host(root, "mx2.example.com", -3);
    struct stc_result *c = result_find_mut(h2, "certificate");
    result_msg(c, STC_STATUS_FAILURE, "The certificate expired 3 days ago");
    struct stc_result *v = result_add_check(h2, "version", NULL);
    result_msg(v, STC_STATUS_WARNING, "Still accepts TLSv1");
    struct stc_result *t = result_add_check(root, "tls-rpt", NULL);
    result_msg(t, STC_STATUS_WARNING, "No TLS-RPT record");
    struct stc_result *ok = result_add_check(root, "dane", NULL);
    result_note(ok, "all good here");
    result_rollup(root);
    result_set_domain_status(root, STC_DOMAIN_FAILURE);
    char *out = render(root, 14, 7, &st);
    assert_int_equal(st, CLI_NAGIOS_CRITICAL);
    assert_string_equal(
        out,
        "STARTTLS CRITICAL - example.com: 1/2 MX hosts pass; failure: mx2.example.com: problems "
        "found; certificate of mx2.example.com expired 3 days ago | days_to_expiry=-3;14;7 "
        "hosts_passing=1;;;0;2 hosts_total=2\n"
        "mx2.example.com/certificate failure: The certificate expired 3 days ago\n"
        "mx2.example.com/version warning: Still accepts TLSv1\n"
        "tls-rpt warning: No TLS-RPT record\n");
    free(out);
    stc_result_free(root);
}

/* A stricter --warn-days than the library's: the reason gets a line of its own. */
static void test_stricter_threshold(void **state)
{
    (void)state;
    int st = -1;
    struct stc_result *r = tree(STC_DOMAIN_SUCCESS, 25, 300);
    char *out = render(r, 30, 10, &st);
    assert_int_equal(st, CLI_NAGIOS_WARNING);
    assert_non_null(strstr(out, "STARTTLS WARNING - example.com: 2/2 MX hosts pass; certificate of "
                                "mx1.example.com expires in 25 days | days_to_expiry=25;30;10 "));
    assert_non_null(strstr(out, "\nmx1.example.com/certificate warning: lowest days to "
                                "certificate expiry 25 (warning at 30, critical at 10)\n"));
    free(out);
    stc_result_free(r);
}

/* Server text cannot end the text part, forge perfdata or reach the terminal raw. */
static void test_hostile(void **state)
{
    (void)state;
    int st = -1;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    result_verdict(root, "evil | days_to_expiry=9999;1;1");
    struct stc_result *h = add_host(root, "mx1.example.com", 50);
    struct stc_result *c = result_add_check(h, "starttls", NULL);
    result_msg(c, STC_STATUS_FAILURE, "banner \x1b[31m|x=1\r\nSTARTTLS OK - fake");
    result_rollup(root);
    result_set_domain_status(root, STC_DOMAIN_FAILURE);
    char *out = render(root, 14, 7, &st);
    assert_int_equal(st, CLI_NAGIOS_CRITICAL);
    /* Exactly one '|' (the separator), two lines, no control bytes. */
    int bars = 0, lines = 0;
    for (const char *p = out; *p; p++) {
        bars += *p == '|';
        lines += *p == '\n';
        if (*p != '\n' && ((unsigned char)*p < 0x20 || *p == 0x7f))
            fail_msg("control byte in: %s", out);
    }
    assert_int_equal(bars, 1);
    assert_int_equal(lines, 2);
    assert_non_null(strstr(out, "evil / days_to_expiry=9999;1;1"));
    free(out);
    stc_result_free(root);
}

static void test_no_hosts_and_cap(void **state)
{
    (void)state;
    int st = -1;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "nomx.example", NULL);
    result_verdict(root, "no MX host could be checked");
    for (int i = 0; i < CLI_NAGIOS_MAX_LONG + 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "check%d", i);
        struct stc_result *c = result_add_check(root, name, NULL);
        result_msg(c, STC_STATUS_ERROR, "broken %d", i);
    }
    result_rollup(root);
    result_set_domain_status(root, STC_DOMAIN_ERROR);
    char *out = render(root, 14, 7, &st);
    assert_int_equal(st, CLI_NAGIOS_UNKNOWN);
    assert_non_null(strstr(out, "STARTTLS UNKNOWN - nomx.example: 0/0 MX hosts pass; error: no MX "
                                "host could be checked | hosts_passing=0;;;0;0 hosts_total=0\n"));
    assert_null(strstr(out, "days_to_expiry"));
    assert_non_null(strstr(out, "check0 error: broken 0\n"));
    assert_null(strstr(out, "broken 50"));
    assert_non_null(strstr(out, "\n... 5 more\n"));
    free(out);
    stc_result_free(root);
}

static void test_unknown_and_errors(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(cli_nagios_unknown(f, "bad\x01..name", "invalid | domain"), 3);
    assert_int_equal(fclose(f), 0);
    assert_string_equal(buf, "STARTTLS UNKNOWN - bad\\x01..name: invalid / domain\n");
    free(buf);

    int st;
    struct stc_result *r = tree(STC_DOMAIN_SUCCESS, 100, 100);
    f = fopen("/dev/full", "w");
    assert_non_null(f);
    assert_int_equal(cli_nagios_render(f, r, 14, 7, &st), STC_E_IO);
    fclose(f);
    assert_int_equal(cli_nagios_render(NULL, r, 14, 7, &st), STC_E_INVAL);
    assert_int_equal(cli_nagios_render(stdout, r, 14, 7, NULL), STC_E_INVAL);
    stc_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_domain_mapping),
        cmocka_unit_test(test_days_mapping),
        cmocka_unit_test(test_ok_line),
        cmocka_unit_test(test_problem_lines),
        cmocka_unit_test(test_stricter_threshold),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_no_hosts_and_cap),
        cmocka_unit_test(test_unknown_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
