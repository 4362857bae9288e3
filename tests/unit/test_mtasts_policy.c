/* test_mtasts_policy - the MTA-STS policy parser (RFC 8461 3.2) and the per-host requirements. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtasts/mtasts.h"

static stc_rc parse_n(const char *body, size_t n, struct mtasts_policy *p, struct stc_err *err)
{
    stc_err_clear(err);
    return mtasts_policy_parse((const uint8_t *)body, n, p, err);
}

static stc_rc parse(const char *body, struct mtasts_policy *p, struct stc_err *err)
{
    return parse_n(body, strlen(body), p, err);
}

static int has(const struct mtasts_findings *fx, enum mtasts_sev sev, const char *needle)
{
    for (size_t i = 0; i < fx->n; i++)
        if (fx->f[i].sev == sev && strstr(fx->f[i].msg, needle) != NULL)
            return 1;
    return 0;
}

/* Expect STC_E_PARSE with an error finding containing needle. */
static void bad(const char *body, const char *needle)
{
    struct mtasts_policy p;
    struct stc_err err;
    stc_rc rc = parse(body, &p, &err);
    if (rc != STC_E_PARSE || !has(&p.fx, MTASTS_ERR, needle)) {
        fprintf(stderr, "body: %s\nrc %d, findings:\n", body, rc);
        for (size_t i = 0; i < p.fx.n; i++)
            fprintf(stderr, "  %d %s\n", p.fx.f[i].sev, p.fx.f[i].msg);
        fail();
    }
    assert_non_null(strstr(err.msg, "MTA-STS policy invalid"));
    mtasts_policy_free(&p);
}

/* RFC 8461 3.2, the example policy. */
static void test_rfc_example(void **state)
{
    (void)state;
    struct mtasts_policy p;
    struct stc_err err;
    const char *body = "version: STSv1\r\n"
                       "mode: enforce\r\n"
                       "mx: mail.example.com\r\n"
                       "mx: *.example.net\r\n"
                       "mx: backupmx.example.com\r\n"
                       "max_age: 604800\r\n";
    assert_int_equal(parse(body, &p, &err), STC_OK);
    assert_int_equal(p.mode, MTASTS_MODE_ENFORCE);
    assert_string_equal(mtasts_mode_name(p.mode), "enforce");
    assert_int_equal(p.max_age, 604800);
    assert_int_equal(p.nmx, 3);
    assert_string_equal(p.mx[0], "mail.example.com");
    assert_string_equal(p.mx[1], "*.example.net");
    assert_string_equal(p.mx[2], "backupmx.example.com");
    assert_int_equal(p.fx.n, 0);
    mtasts_policy_free(&p);
    mtasts_policy_free(&p); /* twice is fine */
}

static void test_lf_order_space(void **state)
{
    (void)state;
    struct mtasts_policy p;
    struct stc_err err;
    /* LF endings, any order, white space around the value, no final newline. */
    const char *body = "mx:mx1.example.org\nmax_age:   86400  \nmode:\ttesting\nversion: STSv1";
    assert_int_equal(parse(body, &p, &err), STC_OK);
    assert_int_equal(p.mode, MTASTS_MODE_TESTING);
    assert_int_equal(p.max_age, 86400);
    assert_int_equal(p.nmx, 1);
    assert_string_equal(p.mx[0], "mx1.example.org");
    /* a day is less than the weeks the RFC expects, and what the largest
     * providers publish: a note (advice), not a warning (issue 12) */
    assert_true(has(&p.fx, MTASTS_NOTE, "less than a week"));
    assert_int_equal(p.fx.worst, MTASTS_NOTE);
    mtasts_policy_free(&p);
}

static void test_mode_none(void **state)
{
    (void)state;
    struct mtasts_policy p;
    struct stc_err err;
    assert_int_equal(parse("version: STSv1\nmode: none\nmax_age: 0\n", &p, &err), STC_OK);
    assert_int_equal(p.mode, MTASTS_MODE_NONE);
    assert_int_equal(p.max_age, 0);
    assert_int_equal(p.nmx, 0);
    assert_true(has(&p.fx, MTASTS_NOTE, "retires"));
    mtasts_policy_free(&p);
}

static void test_unknown_and_repeated(void **state)
{
    (void)state;
    struct mtasts_policy p;
    struct stc_err err;
    const char *body = "version: STSv1\nmode: enforce\nmode: testing\nmx: a.example\n"
                       "mx: a.example\nmax_age: 604800\nmax_age: 5\nfoo: bar baz\n"
                       "Mode: none\n";
    assert_int_equal(parse(body, &p, &err), STC_OK);
    assert_int_equal(p.mode, MTASTS_MODE_ENFORCE); /* first wins */
    assert_int_equal(p.max_age, 604800);
    assert_int_equal(p.nmx, 1);
    assert_true(has(&p.fx, MTASTS_WARN, "line 3: mode repeated"));
    assert_true(has(&p.fx, MTASTS_WARN, "line 7: max_age repeated"));
    assert_true(has(&p.fx, MTASTS_NOTE, "listed twice"));
    assert_true(has(&p.fx, MTASTS_NOTE, "unknown field \"foo\""));
    assert_true(has(&p.fx, MTASTS_WARN, "case-sensitive"));
    mtasts_policy_free(&p);
    /* UTF-8 in an unknown field's value is allowed */
    assert_int_equal(
        parse("version: STSv1\nmode: none\nmax_age: 1000000\nnote: caf\xc3\xa9\n", &p, &err),
        STC_OK);
    mtasts_policy_free(&p);
}

static void test_broken(void **state)
{
    (void)state;
    bad("mode: enforce\nmx: a.example\nmax_age: 604800\n", "no version");
    bad("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 604800\n", "STSv2");
    bad("version: stsv1\nmode: enforce\nmx: a.example\nmax_age: 604800\n", "stsv1");
    bad("version: STSv1\nmode: sometimes\nmx: a.example\nmax_age: 604800\n", "sometimes");
    bad("version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 604800\n", "Enforce");
    bad("version: STSv1\nmx: a.example\nmax_age: 604800\n", "no mode");
    bad("version: STSv1\nmode: enforce\nmx: a.example\n", "no max_age");
    bad("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", "31557601");
    bad("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 99999999999\n", "10 digits");
    bad("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -5\n", "non-negative");
    bad("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1e6\n", "digits only");
    bad("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: +100\n", "digits only");
    bad("version: STSv1\nmode: enforce\nmax_age: 604800\n", "needs at least one");
    bad("version: STSv1\nmode: testing\nmx:\nmax_age: 604800\n", "no value");
    bad("version: STSv1\nmode: enforce\nmx: .example.com\nmax_age: 604800\n", "\"*.\"");
    bad("version: STSv1\nmode: enforce\nmx: a.*.example\nmax_age: 604800\n", "leftmost");
    bad("version: STSv1\nmode: enforce\nmx: a_b.example\nmax_age: 604800\n", "only letters");
    bad("version: STSv1\nmode: enforce\nmx: example.com.\nmax_age: 604800\n", "trailing dot");
    bad("version: STSv1\nmode: enforce\nmx a.example\nmax_age: 604800\n", "line 3 is not");
    bad("version: STSv1\nmode : enforce\nmx: a.example\nmax_age: 604800\n", "bad field name");
    bad(" version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 604800\n", "bad field name");
    bad("version: STSv1\nmode: enforce\nmx: a.example\x01\nmax_age: 604800\n", "control");
    bad("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 604800\nx: \xff\n", "UTF-8");
    /* the testbed's https=malformed body */
    bad("version: STSv2\r\nmode: sometimes\r\nmx mx1.x.test\r\nmax_age: -5\r\n", "line 3");
    /* CR-only line endings make one line with bare CRs */
    bad("version: STSv1\rmode: enforce\rmx: a.example\rmax_age: 604800\r", "bare CR");
    bad("", "empty");
}

static void test_nul_and_size(void **state)
{
    (void)state;
    struct mtasts_policy p;
    struct stc_err err;
    const char nul[] = "version: STSv1\nmode: enforce\0\nmx: a.example\nmax_age: 604800\n";
    assert_int_equal(parse_n(nul, sizeof nul - 1, &p, &err), STC_E_PARSE);
    assert_true(has(&p.fx, MTASTS_ERR, "NUL byte at offset 28"));
    mtasts_policy_free(&p);

    /* exactly 64 KiB parses; one byte more does not */
    const char *head = "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 604800\n";
    char *big = malloc(STC_MTASTS_POLICY_MAX + 1);
    assert_non_null(big);
    size_t hl = strlen(head);
    memcpy(big, head, hl);
    for (size_t i = hl; i < STC_MTASTS_POLICY_MAX; i++)
        big[i] = (i - hl) % 64 == 63 ? '\n' : 'x';
    /* lines of 'x' have no ':' - make them an unknown field instead */
    for (size_t i = hl; i + 3 < STC_MTASTS_POLICY_MAX; i += 64)
        memcpy(big + i, "x: ", 3);
    assert_int_equal(parse_n(big, STC_MTASTS_POLICY_MAX, &p, &err), STC_OK);
    assert_int_equal(p.nmx, 1);
    assert_true(p.fx.dropped > 0); /* one note per unknown field, capped */
    mtasts_policy_free(&p);
    big[STC_MTASTS_POLICY_MAX] = '\n';
    assert_int_equal(parse_n(big, STC_MTASTS_POLICY_MAX + 1, &p, &err), STC_E_PARSE);
    assert_true(has(&p.fx, MTASTS_ERR, "larger than 64 KiB"));
    mtasts_policy_free(&p);
    free(big);
}

static void test_blank_lines_and_max_age(void **state)
{
    (void)state;
    struct mtasts_policy p;
    struct stc_err err;
    assert_int_equal(
        parse("version: STSv1\r\n\r\nmode: enforce\r\nmx: a.example\r\nmax_age: 3600\r\n\r\n", &p,
              &err),
        STC_OK);
    assert_true(has(&p.fx, MTASTS_WARN, "line 2 is blank"));
    assert_true(has(&p.fx, MTASTS_WARN, "line 6 is blank"));
    assert_true(has(&p.fx, MTASTS_WARN, "less than a day"));
    mtasts_policy_free(&p);
    /* one second below a day: still a warning; a week less a second: a note */
    assert_int_equal(
        parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 86399\n", &p, &err),
        STC_OK);
    assert_true(has(&p.fx, MTASTS_WARN, "less than a day"));
    assert_int_equal(p.fx.worst, MTASTS_WARN);
    mtasts_policy_free(&p);
    assert_int_equal(
        parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 604799\n", &p, &err),
        STC_OK);
    assert_true(has(&p.fx, MTASTS_NOTE, "less than a week"));
    assert_int_equal(p.fx.worst, MTASTS_NOTE);
    mtasts_policy_free(&p);
    assert_int_equal(
        parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557600\n", &p, &err),
        STC_OK);
    assert_int_equal(p.max_age, 31557600);
    assert_int_equal(p.fx.n, 0);
    mtasts_policy_free(&p);
    assert_int_equal(
        parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 0000604800\n", &p, &err),
        STC_OK);
    assert_int_equal(p.max_age, 604800);
    mtasts_policy_free(&p);
}

static void test_errors_are_listed_all(void **state)
{
    (void)state;
    struct mtasts_policy p;
    struct stc_err err;
    assert_int_equal(parse("version: STSv9\nmode: x\nmax_age: y\n", &p, &err), STC_E_PARSE);
    assert_true(has(&p.fx, MTASTS_ERR, "STSv9"));
    assert_true(has(&p.fx, MTASTS_ERR, "mode \"x\""));
    assert_true(has(&p.fx, MTASTS_ERR, "max_age \"y\""));
    /* err holds the first one */
    assert_non_null(strstr(err.msg, "STSv9"));
    mtasts_policy_free(&p);
}

/* ---- the per-host requirements ---- */

static struct mtasts_host good_host(const char *name)
{
    struct mtasts_host h = {name, 1, 1, 0x0304, 1, 1, 1, 90, 0};
    return h;
}

static void test_host_violations(void **state)
{
    (void)state;
    char *pats[] = {"mx1.example.com", "*.example.net"};
    struct mtasts_host h = good_host("mx1.example.com");
    assert_int_equal(mtasts_host_violations(pats, 2, &h), 0);
    h = good_host("a.example.net");
    assert_int_equal(mtasts_host_violations(pats, 2, &h), 0);
    h = good_host("mx2.example.com");
    assert_int_equal(mtasts_host_violations(pats, 2, &h), MTASTS_V_PATTERN);
    h.connected = 0; /* not reached: only the name is judged */
    h.starttls = 0;
    assert_int_equal(mtasts_host_violations(pats, 2, &h), MTASTS_V_PATTERN);
    h = good_host("mx1.example.com");
    h.starttls = 0;
    h.cert_valid = 0;
    assert_int_equal(mtasts_host_violations(pats, 2, &h), MTASTS_V_STARTTLS);
    h = good_host("mx1.example.com");
    h.tls_version = 0x0301;
    assert_int_equal(mtasts_host_violations(pats, 2, &h), MTASTS_V_VERSION);
    h = good_host("mx1.example.com");
    h.cert_valid = 0;
    h.days_to_expiry = -3;
    assert_int_equal(mtasts_host_violations(pats, 2, &h), MTASTS_V_CERT_EXPIRED);
    h = good_host("mx1.example.com");
    h.cert_valid = 0;
    h.name_matches = 0;
    h.cert_trusted = 0;
    assert_int_equal(mtasts_host_violations(pats, 2, &h), MTASTS_V_CERT_NAME | MTASTS_V_CERT_TRUST);
    h = good_host("mx1.example.com");
    h.cert_valid = 0; /* e.g. not yet valid */
    assert_int_equal(mtasts_host_violations(pats, 2, &h), MTASTS_V_CERT_OTHER);
    /* RFC 8461 4.2: the name must be a subjectAltName dNSName; a CN-only
     * certificate that legacy matching accepts does not satisfy a policy */
    h = good_host("mx1.example.com");
    h.name_in_cn_only = 1;
    assert_int_equal(mtasts_host_violations(pats, 2, &h), MTASTS_V_CERT_NO_SAN);
    h.cert_valid = 0;
    h.days_to_expiry = -3;
    assert_int_equal(mtasts_host_violations(pats, 2, &h),
                     MTASTS_V_CERT_NO_SAN | MTASTS_V_CERT_EXPIRED);
    /* unknown observations are not held against the host */
    struct mtasts_host u = {"mx1.example.com", 1, -1, 0, -1, -1, -1, LLONG_MIN, -1};
    assert_int_equal(mtasts_host_violations(pats, 2, &u), 0);
    /* no patterns: nothing matches */
    h = good_host("mx1.example.com");
    assert_int_equal(mtasts_host_violations(NULL, 0, &h), MTASTS_V_PATTERN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc_example),
        cmocka_unit_test(test_lf_order_space),
        cmocka_unit_test(test_mode_none),
        cmocka_unit_test(test_unknown_and_repeated),
        cmocka_unit_test(test_broken),
        cmocka_unit_test(test_nul_and_size),
        cmocka_unit_test(test_blank_lines_and_max_age),
        cmocka_unit_test(test_errors_are_listed_all),
        cmocka_unit_test(test_host_violations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
