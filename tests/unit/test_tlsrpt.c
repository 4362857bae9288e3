/* test_tlsrpt - the TLS-RPT TXT record (RFC 8460 3) and report URIs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mtasts/tlsrpt.h"

static stc_rc parse(const char *rec, struct tlsrpt_record *r, struct stc_err *err)
{
    stc_err_clear(err);
    return tlsrpt_parse(rec, strlen(rec), r, err);
}

static int has(const struct mtasts_findings *fx, enum mtasts_sev sev, const char *needle)
{
    for (size_t i = 0; i < fx->n; i++)
        if (fx->f[i].sev == sev && strstr(fx->f[i].msg, needle) != NULL)
            return 1;
    return 0;
}

static void bad(const char *rec, const char *needle)
{
    struct tlsrpt_record r;
    struct stc_err err;
    stc_rc rc = parse(rec, &r, &err);
    if (rc != STC_E_PARSE || !has(&r.fx, MTASTS_ERR, needle)) {
        fprintf(stderr, "record: %s\nrc %d, findings:\n", rec, rc);
        for (size_t i = 0; i < r.fx.n; i++)
            fprintf(stderr, "  %d %s\n", r.fx.f[i].sev, r.fx.f[i].msg);
        fail();
    }
    assert_non_null(strstr(err.msg, "TLS-RPT record invalid"));
    tlsrpt_record_free(&r);
}

/* RFC 8460 3, both examples. */
static void test_rfc_examples(void **state)
{
    (void)state;
    struct tlsrpt_record r;
    struct stc_err err;
    assert_int_equal(parse("v=TLSRPTv1;rua=mailto:reports@example.com", &r, &err), STC_OK);
    assert_int_equal(r.nrua, 1);
    assert_string_equal(r.rua[0], "mailto:reports@example.com");
    assert_int_equal(r.fx.n, 0);
    tlsrpt_record_free(&r);
    assert_int_equal(parse("v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt", &r, &err),
                     STC_OK);
    assert_int_equal(r.nrua, 1);
    assert_string_equal(r.rua[0], "https://reporting.example.com/v1/tlsrpt");
    tlsrpt_record_free(&r);
    tlsrpt_record_free(&r); /* twice is fine */
}

static void test_lists_and_extensions(void **state)
{
    (void)state;
    struct tlsrpt_record r;
    struct stc_err err;
    assert_int_equal(
        parse("v=TLSRPTv1; rua=mailto:a@example.com , https://r.example.net:8443/x?y=1;"
              " ext=1",
              &r, &err),
        STC_OK);
    assert_int_equal(r.nrua, 2);
    assert_string_equal(r.rua[1], "https://r.example.net:8443/x?y=1");
    assert_true(has(&r.fx, MTASTS_NOTE, "unknown field \"ext\""));
    tlsrpt_record_free(&r);
    /* repeated rua: first wins */
    assert_int_equal(
        parse("v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", &r, &err), STC_OK);
    assert_int_equal(r.nrua, 1);
    assert_string_equal(r.rua[0], "mailto:a@example.com");
    assert_true(has(&r.fx, MTASTS_WARN, "more than once"));
    tlsrpt_record_free(&r);
    /* scheme case, percent-encoding, mailto hfields, IPv6 host */
    assert_int_equal(parse("v=TLSRPTv1; rua=MAILTO:tls%2Breports@example.com?subject=x,"
                           "https://[2001:db8::1]:443/r",
                           &r, &err),
                     STC_OK);
    assert_int_equal(r.nrua, 2);
    tlsrpt_record_free(&r);
}

static void test_broken(void **state)
{
    (void)state;
    bad("v=TLSRPTv1; rua=not-a-uri", "not a URI"); /* the testbed's malformed case */
    bad("v=TLSRPTv1;", "no rua");
    bad("v=TLSRPTv1", "no rua");
    bad("v=TLSRPTv1; rua=", "empty");
    bad("v=TLSRPTv1; rua=mailto:", "local-part@domain");
    bad("v=TLSRPTv1; rua=mailto:reports", "local-part@domain");
    bad("v=TLSRPTv1; rua=mailto:@example.com", "local-part@domain");
    bad("v=TLSRPTv1; rua=mailto:a@", "no domain");
    bad("v=TLSRPTv1; rua=mailto:a@bad_host.example", "domain");
    bad("v=TLSRPTv1; rua=https:", "//host");
    bad("v=TLSRPTv1; rua=https://", "needs a host");
    bad("v=TLSRPTv1; rua=https://:443/x", "needs a host");
    bad("v=TLSRPTv1; rua=https://r.example:44x/", "port");
    bad("v=TLSRPTv1; rua=http://r.example/", "only mailto: and https:");
    bad("v=TLSRPTv1; rua=ftp://r.example/", "only mailto: and https:");
    bad("v=TLSRPTv1; rua=mailto:a!b@example.com", "'!'");
    bad("v=TLSRPTv1; rua=mailto:a@example.com,", "empty URI");
    bad("v=TLSRPTv1; rua=mailto:a@example.com,,mailto:b@example.com", "empty URI");
    bad("v=TLSRPTv1; rua=mailto:a%2@example.com", "'%'");
    bad("v=TLSRPTv1; rua=mailto:a\"b@example.com", "not allowed");
    bad("v=TLSRPTv1; rua=https://[2001:db8::1/", "IPv6");
    bad("v=TLSRPTv1; rua=https://[]:1", "IPv6");
    bad("v=TLSRPTv1; rua=https://[12]/", "IPv6");
    bad("v=TLSRPTv1;; rua=mailto:a@example.com", "empty field");
    bad("v=TLSRPTv2; rua=mailto:a@example.com", "does not start");
    bad("v=TLSRPTv1 x; rua=mailto:a@example.com", "exactly");
    bad("v=TLSRPTv1; rua=mailto:a@example.com\x7f", "0x7f");
    /* only rua URIs of a valid record are kept */
    struct tlsrpt_record r;
    struct stc_err err;
    assert_int_equal(parse("v=TLSRPTv1; rua=mailto:a@example.com,http://x.example/", &r, &err),
                     STC_E_PARSE);
    assert_int_equal(r.nrua, 1);
    tlsrpt_record_free(&r);
}

static void test_too_many(void **state)
{
    (void)state;
    char rec[4096] = "v=TLSRPTv1; rua=";
    for (int i = 0; i < TLSRPT_RUA_MAX + 2; i++) {
        char one[64];
        snprintf(one, sizeof one, "%smailto:r%d@example.com", i ? "," : "", i);
        strcat(rec, one);
    }
    bad(rec, "more than");
}

static void test_is_record(void **state)
{
    (void)state;
    assert_true(tlsrpt_is_record("v=TLSRPTv1;rua=x", 16));
    assert_true(tlsrpt_is_record("v=TLSRPTv1", 10));
    assert_true(tlsrpt_is_record("v=TLSRPTv1 ; rua=x", 18));
    assert_false(tlsrpt_is_record("v=TLSRPTv10;rua=x", 17));
    assert_false(tlsrpt_is_record("v=spf1", 6));
    assert_false(tlsrpt_is_record("", 0));
}

static void test_uri(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_true(tlsrpt_uri_valid("mailto:x@y.example", 18, &why));
    assert_true(tlsrpt_uri_valid("https://y.example", 17, &why));
    assert_true(tlsrpt_uri_valid("https://user@y.example/p#f", 26, &why));
    assert_false(tlsrpt_uri_valid("https://y.example/a b", 21, &why));
    assert_false(tlsrpt_uri_valid(":x", 2, &why));
    assert_false(tlsrpt_uri_valid("1https://y.example", 18, &why));
    assert_false(tlsrpt_uri_valid("mailto:x@y.example\0", 19, &why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc_examples), cmocka_unit_test(test_lists_and_extensions),
        cmocka_unit_test(test_broken),       cmocka_unit_test(test_too_many),
        cmocka_unit_test(test_is_record),    cmocka_unit_test(test_uri),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
