/* test_cli_options.c - command-line parsing of starttls-check (src/cli/cli_options.c).
 *
 * The CLI sources are not part of stc_core, so the files under test are
 * compiled into this test directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli_options.c"

#define ARGV(...) ((char *[]){"starttls-check", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"starttls-check", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(o, err, ...) cli_options_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (o), (err))

static void expect_fail(int argc, char **argv, const char *needle)
{
    struct cli_opts o;
    struct stc_err err = {0};
    assert_int_equal(cli_options_parse(argc, argv, &o, &err), STC_E_INVAL);
    assert_int_equal(err.code, STC_E_INVAL);
    if (strstr(err.msg, needle) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
    for (const char *p = err.msg; *p; p++)
        assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
    cli_options_free(&o);
}
#define EXPECT_FAIL(needle, ...) expect_fail(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (needle))

static void test_domains(void **state)
{
    (void)state;
    struct cli_opts o;
    struct stc_err err = {0};
    assert_int_equal(PARSE(&o, &err, "a.example", "-domain", "b.example", "--json",
                           "--domain=c.example", "d.example"),
                     STC_OK);
    assert_int_equal(o.ndomains, 4);
    /* Command-line order, however each was given. */
    assert_string_equal(o.domains[0], "a.example");
    assert_string_equal(o.domains[1], "b.example");
    assert_string_equal(o.domains[2], "c.example");
    assert_string_equal(o.domains[3], "d.example");
    assert_true(o.json);
    cli_options_free(&o);

    /* After "--" a word starting with "-" is a domain (main rejects it). */
    assert_int_equal(PARSE(&o, &err, "x.example", "--", "-foo", "--json"), STC_OK);
    assert_int_equal(o.ndomains, 3);
    assert_string_equal(o.domains[0], "x.example");
    assert_string_equal(o.domains[1], "-foo");
    assert_string_equal(o.domains[2], "--json");
    assert_false(o.json);
    cli_options_free(&o);

    assert_int_equal(PARSE(&o, &err, "--no-color"), STC_OK);
    assert_int_equal(o.ndomains, 0);
    assert_true(o.no_color);
    cli_options_free(&o);
}

static void test_all_options(void **state)
{
    (void)state;
    struct cli_opts o;
    struct stc_err err = {0};
    assert_int_equal(PARSE(&o, &err, "--timeout", "2.5", "--resolver", "127.0.0.1@5353",
                           "--trust-anchor", "/k", "--ca-file", "/ca.pem", "--ca-path", "/cas",
                           "--port", "2525", "--https-port", "8443", "--helo", "me.example", "--mx",
                           "mx1.example,*.b.example", "-mx", "mx3.example", "--policy-list",
                           "/pl.json", "--checks", "smtp,dane", "--checks", "mta_sts", "--no-dane",
                           "--no-color", "x.example"),
                     STC_OK);
    assert_int_equal(o.timeout_ms, 2500);
    assert_string_equal(o.resolver, "127.0.0.1@5353");
    assert_string_equal(o.trust_anchor, "/k");
    assert_string_equal(o.ca_file, "/ca.pem");
    assert_string_equal(o.ca_path, "/cas");
    assert_int_equal(o.port, 2525);
    assert_int_equal(o.https_port, 8443);
    assert_string_equal(o.helo, "me.example");
    assert_int_equal(o.nmx, 3);
    assert_string_equal(o.mx[0], "mx1.example");
    assert_string_equal(o.mx[1], "*.b.example");
    assert_string_equal(o.mx[2], "mx3.example");
    assert_null(o.mx[3]);
    assert_string_equal(o.policy_list, "/pl.json");
    assert_true(o.checks_set);
    assert_int_equal(o.checks, STC_CHECK_SMTP | STC_CHECK_DANE | STC_CHECK_MTASTS);
    assert_true(o.no_dane);
    assert_true(o.no_color);
    assert_int_equal(o.ndomains, 1);
    cli_options_free(&o);

    /* Single-dash long options and unambiguous abbreviations. */
    assert_int_equal(PARSE(&o, &err, "-json", "-time", "1", "--pol", "f", "x.example"), STC_OK);
    assert_true(o.json);
    assert_int_equal(o.timeout_ms, 1000);
    assert_string_equal(o.policy_list, "f");
    cli_options_free(&o);

    assert_int_equal(PARSE(&o, &err, "-h"), STC_OK);
    assert_true(o.help);
    cli_options_free(&o);
    assert_int_equal(PARSE(&o, &err, "-help"), STC_OK);
    assert_true(o.help);
    cli_options_free(&o);
    assert_int_equal(PARSE(&o, &err, "--version"), STC_OK);
    assert_true(o.version);
    cli_options_free(&o);
    assert_int_equal(PARSE(&o, &err, "-V"), STC_OK);
    assert_true(o.version);
    cli_options_free(&o);
}

static void test_bad_options(void **state)
{
    (void)state;
    EXPECT_FAIL("\"--bogus\"", "--bogus", "x.example");
    EXPECT_FAIL("\"-foo\"", "-foo");
    EXPECT_FAIL("\"-z\"", "-z");
    EXPECT_FAIL("\"--ca\"", "--ca", "x", "y.example"); /* ca-file or ca-path? */
    EXPECT_FAIL("needs an argument", "x.example", "--timeout");
    EXPECT_FAIL("needs an argument", "-domain");
    EXPECT_FAIL("\"--json=1\" takes no argument", "--json=1");
    EXPECT_FAIL("non-empty", "--ca-file", "", "x.example");
    EXPECT_FAIL("non-empty", "--resolver=", "x.example");
    /* Control bytes in the offending word are escaped in the message. */
    EXPECT_FAIL("\"--\\x1b[31m\"", "--\x1b[31m");
}

static void test_timeout(void **state)
{
    (void)state;
    struct stc_err err = {0};
    long ms = 0;
    assert_int_equal(cli_parse_timeout("30", &ms, &err), STC_OK);
    assert_int_equal(ms, 30000);
    assert_int_equal(cli_parse_timeout("0.25", &ms, &err), STC_OK);
    assert_int_equal(ms, 250);
    assert_int_equal(cli_parse_timeout("0.0001", &ms, &err), STC_OK);
    assert_int_equal(ms, 1);
    assert_int_equal(cli_parse_timeout("3600", &ms, &err), STC_OK);
    assert_int_equal(ms, 3600000);
    const char *bad[] = {"0", "-1", "", "abc", "5s", "3601", "inf", "nan", "1e400", " ", NULL};
    for (size_t i = 0; bad[i]; i++) {
        stc_err_clear(&err);
        if (cli_parse_timeout(bad[i], &ms, &err) != STC_E_INVAL)
            fail_msg("timeout \"%s\" accepted", bad[i]);
        assert_non_null(strstr(err.msg, "--timeout"));
    }
    EXPECT_FAIL("--timeout", "--timeout", "0", "x.example");
}

static void test_ports(void **state)
{
    (void)state;
    struct stc_err err = {0};
    int port = 0;
    assert_int_equal(cli_parse_port("1", "--port", &port, &err), STC_OK);
    assert_int_equal(port, 1);
    assert_int_equal(cli_parse_port("65535", "--port", &port, &err), STC_OK);
    assert_int_equal(port, 65535);
    const char *bad[] = {"0", "65536", "-25", "+25", " 25", "25x", "", "99999999999999999999",
                         NULL};
    for (size_t i = 0; bad[i]; i++) {
        stc_err_clear(&err);
        if (cli_parse_port(bad[i], "--port", &port, &err) != STC_E_INVAL)
            fail_msg("port \"%s\" accepted", bad[i]);
    }
    EXPECT_FAIL("--https-port", "--https-port", "0", "x.example");
}

static void test_checks(void **state)
{
    (void)state;
    struct stc_err err = {0};
    unsigned f = 0;
    assert_int_equal(cli_parse_checks("all", &f, &err), STC_OK);
    assert_int_equal(f, STC_CHECK_DEFAULT);
    assert_int_equal(cli_parse_checks("smtp,mta-sts,tls-rpt,dane,policylist,legacy-tls,"
                                      "weak-ciphers",
                                      &f, &err),
                     STC_OK);
    assert_int_equal(f, STC_CHECK_DEFAULT);
    assert_int_equal(cli_parse_checks("tls_rpt", &f, &err), STC_OK);
    assert_int_equal(f, STC_CHECK_TLSRPT);
    const char *bad[] = {"", "smtp,", ",smtp", "smtp,,dane", "SMTP", "smtpx", "none", NULL};
    for (size_t i = 0; bad[i]; i++) {
        stc_err_clear(&err);
        if (cli_parse_checks(bad[i], &f, &err) != STC_E_INVAL)
            fail_msg("checks \"%s\" accepted", bad[i]);
        assert_non_null(strstr(err.msg, "unknown check"));
    }
    EXPECT_FAIL("\"bogus\"", "--checks", "smtp,bogus", "x.example");
}

static void test_mx(void **state)
{
    (void)state;
    EXPECT_FAIL("empty pattern", "--mx", "a.example,,b.example", "x.example");
    EXPECT_FAIL("empty pattern", "--mx", ",", "x.example");
    EXPECT_FAIL("empty pattern", "--mx", "a.example,", "x.example");
}

static void test_families(void **state)
{
    (void)state;
    struct cli_opts o;
    struct stc_err err = {0};
    assert_int_equal(PARSE(&o, &err, "x.example"), STC_OK);
    assert_int_equal(o.families, 0); /* both */
    cli_options_free(&o);
    assert_int_equal(PARSE(&o, &err, "--ipv4-only", "x.example"), STC_OK);
    assert_int_equal(o.families, STC_FAMILY_IPV4);
    cli_options_free(&o);
    assert_int_equal(PARSE(&o, &err, "-ipv6-only", "--ipv6-only", "x.example"), STC_OK);
    assert_int_equal(o.families, STC_FAMILY_IPV6);
    cli_options_free(&o);
    EXPECT_FAIL("exclude each other", "--ipv4-only", "--ipv6-only", "x.example");
}

static void test_usage_mentions_every_option(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    cli_usage(f);
    fclose(f);
    for (size_t i = 0; long_options[i].name != NULL; i++) {
        char want[64];
        snprintf(want, sizeof want, "--%s", long_options[i].name);
        if (strstr(buf, want) == NULL)
            fail_msg("usage lacks %s", want);
    }
    for (const char *p = buf; *p; p++)
        assert_true(*p == '\n' || ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f));
    /* Readable in 80 columns. */
    for (const char *p = buf; *p;) {
        const char *e = strchr(p, '\n');
        assert_non_null(e);
        if (e - p > 80)
            fail_msg("usage line longer than 80: %.*s", (int)(e - p), p);
        p = e + 1;
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_domains),     cmocka_unit_test(test_all_options),
        cmocka_unit_test(test_bad_options), cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_ports),       cmocka_unit_test(test_checks),
        cmocka_unit_test(test_mx),          cmocka_unit_test(test_usage_mentions_every_option),
        cmocka_unit_test(test_families),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
