/* test_dns_name.c - dns_name_normalize / stc_domain_normalize: IDNA, case, dots, rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <starttls/checker.h>

#include "dns/dns.h"

static stc_rc norm(const char *in, int us, char *out, struct stc_err *err)
{
    stc_err_clear(err);
    return dns_name_normalize(in, us, out, 254, err);
}

static void expect_ok(const char *in, int us, const char *want)
{
    char out[254];
    struct stc_err err;
    stc_rc rc = norm(in, us, out, &err);
    if (rc != STC_OK)
        fail_msg("%s: %s", in, err.msg);
    assert_string_equal(out, want);
    assert_int_equal(err.code, STC_OK);
}

static void expect_bad(const char *in, int us, const char *msg_part)
{
    char out[254];
    struct stc_err err;
    memcpy(out, "junk", 5);
    assert_int_equal(norm(in, us, out, &err), STC_E_INVAL);
    assert_int_equal(err.code, STC_E_INVAL);
    assert_string_equal(out, "");
    if (strstr(err.msg, msg_part) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg_part);
    /* messages never carry raw control bytes */
    for (const char *p = err.msg; *p; p++)
        assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
}

static void test_ascii(void **state)
{
    (void)state;
    expect_ok("example.com", 0, "example.com");
    expect_ok("Mail.EXAMPLE.Com", 0, "mail.example.com");
    expect_ok("example.com.", 0, "example.com");
    expect_ok("localhost", 0, "localhost");
    expect_ok("a-b.c0-9.example", 0, "a-b.c0-9.example");
    expect_ok("xn--bcher-kva.example", 0, "xn--bcher-kva.example");
    expect_ok("XN--BCHER-KVA.example", 0, "xn--bcher-kva.example");
    /* A-labels are DNS names, taken as they are: an emoji domain registered
     * under IDNA 2003, which IDNA 2008 disallows, and a label that is not
     * even valid Punycode both resolve in the DNS */
    expect_ok("xn--ls8h.la", 0, "xn--ls8h.la");
    expect_ok("XN--LS8H.xn--ls8h.example.", 1, "xn--ls8h.xn--ls8h.example");
    expect_ok("xn--i-n3p.test", 0, "xn--i-n3p.test");
    expect_ok("xn--a.example", 0, "xn--a.example");
}

/* MX targets from DNS answers: what a resolver hands on, in presentation
 * form, checked as DNS names (allow_underscore = 1). */
static void test_dns_answer_names(void **state)
{
    (void)state;
    expect_ok("mx_1.example.com", 1, "mx_1.example.com");
    expect_ok("_mx.example.com.", 1, "_mx.example.com");
    expect_ok("xn--ls8h.emojimx.test", 1, "xn--ls8h.emojimx.test");
    expect_bad("-mx.example.com", 1, "invalid domain name \"-mx.example.com\": a label starts "
                                      "with a hyphen");
    /* other bytes come escaped; the message names the byte itself */
    expect_bad("mx\\042x.example", 1, "character '*' not allowed in a host name");
    expect_bad("mx\\032x.example", 1, "character ' ' not allowed");
    expect_bad("mx\\046x.example", 1, "character '.' not allowed");
    expect_bad("mx\\001x.example", 1, "character '\\x01' not allowed");
    expect_bad("mx\\", 1, "character '\\\\' not allowed");
}

static void test_idna(void **state)
{
    (void)state;
    expect_ok("B\xc3\xbc"
              "cher.example",
              0, "xn--bcher-kva.example");
    expect_ok("B\xc3\x9c"
              "CHER.EXAMPLE.",
              0, "xn--bcher-kva.example");
    /* non-transitional: sharp s stays (fass.de would be transitional) */
    expect_ok("fa\xc3\x9f.de", 0, "xn--fa-hia.de");
    /* NFC: u + combining diaeresis is the same name */
    expect_ok("Bu\xcc\x88"
              "cher.example",
              0, "xn--bcher-kva.example");
    /* ideographic full stop maps to a dot (UTS#46) */
    expect_ok("b\xc3\xbc"
              "cher\xe3\x80\x82"
              "example",
              0, "xn--bcher-kva.example");
    /* emoji U-labels: IDNA 2008 disallows them, UTS #46 processing as in
     * browsers (libidn2 transitional, as curl retries) maps them */
    expect_ok("\xf0\x9f\x92\xa9.la", 0, "xn--ls8h.la");
    expect_ok("i\xe2\x99\xa5.test", 0, "xn--i-n3p.test");
}

static void test_underscore(void **state)
{
    (void)state;
    expect_ok("_25._tcp.mx.example", 1, "_25._tcp.mx.example");
    expect_ok("_MTA-STS.Example.com", 1, "_mta-sts.example.com");
    expect_bad("_25._tcp.mx.example", 0, "character '_' not allowed");
    char out[254];
    struct stc_err err;
    stc_err_clear(&err);
    assert_int_equal(stc_domain_normalize("_dmarc.example", out, sizeof out, &err), STC_E_INVAL);
    stc_err_clear(&err);
    assert_int_equal(stc_domain_normalize("Example.ORG.", out, sizeof out, &err), STC_OK);
    assert_string_equal(out, "example.org");
}

static void test_structure(void **state)
{
    (void)state;
    expect_bad("", 0, "empty name");
    expect_bad(".", 0, "empty name");
    expect_bad("a..b", 0, "invalid domain name \"a..b\": empty label");
    expect_bad(".example", 0, "empty label");
    expect_bad("example..", 0, "empty label");
    expect_bad("-a.example", 0, "starts with a hyphen");
    expect_bad("a-.example", 0, "ends with a hyphen");
    expect_bad("a b.example", 0, "space");
    expect_bad("exa mple", 1, "space");
    expect_bad("a/b.example", 0, "'/' not allowed");
    expect_bad("a*b.example", 0, "'*' not allowed");
    expect_bad("xn--zz-invalid!.example", 0, "invalid domain name");
}

static void test_lengths(void **state)
{
    (void)state;
    char l63[64], l64[65], name[400];
    memset(l63, 'a', 63);
    l63[63] = '\0';
    memset(l64, 'b', 64);
    l64[64] = '\0';
    snprintf(name, sizeof name, "%s.example", l63);
    expect_ok(name, 0, name);
    snprintf(name, sizeof name, "%s.example", l64);
    expect_bad(name, 0, "label of 64 bytes");
    /* 253 is the limit: 4 x 63 + 1 = 253 with a one-byte label */
    snprintf(name, sizeof name, "%s.%s.%s.%.61s", l63, l63, l63, l63);
    assert_int_equal(strlen(name), 253);
    expect_ok(name, 0, name);
    char dotted[402];
    snprintf(dotted, sizeof dotted, "%s.", name);
    expect_ok(dotted, 0, name);
    snprintf(name, sizeof name, "%s.%s.%s.%.62s", l63, l63, l63, l63);
    expect_bad(name, 0, "254 bytes long");
    /* huge input is refused before any work */
    char huge[5000];
    memset(huge, 'a', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    expect_bad(huge, 0, "longer than 1024 bytes");
    /* IDN that grows past 253 only after conversion: 8 labels of 30 u-umlauts */
    char u[600] = "";
    for (int i = 0; i < 8; i++) {
        for (int j = 0; j < 30; j++)
            strcat(u, "\xc3\xbc");
        strcat(u, ".");
    }
    strcat(u, "example");
    assert_true(strlen(u) < 1024);
    expect_bad(u, 0, "invalid domain name");
    char out[254];
    struct stc_err err;
    stc_err_clear(&err);
    assert_int_equal(norm(u, 0, out, &err), STC_E_INVAL);
    print_message("long IDN: %s\n", err.msg);
}

static void test_hostile(void **state)
{
    (void)state;
    expect_bad("a\x01"
               "b.example",
               0, "invalid domain name \"a\\x01b.example\": control character");
    expect_bad("mx.example\r\nRCPT TO:<x>", 0, "control character");
    expect_bad("a\x7f.example", 0, "control character");
    expect_bad("\xff\xfe.example", 0, "invalid domain name \"\\xff\\xfe.example\"");
    expect_bad("\xc3.example", 0, "invalid domain name");
    char out[254], small[100];
    struct stc_err err;
    stc_err_clear(&err);
    assert_int_equal(dns_name_normalize(NULL, 0, out, sizeof out, &err), STC_E_INVAL);
    stc_err_clear(&err);
    assert_int_equal(dns_name_normalize("example.com", 0, small, sizeof small, &err), STC_E_INVAL);
    /* first writer wins */
    stc_err_clear(&err);
    err.code = STC_E_IO;
    strcpy(err.msg, "earlier");
    assert_int_equal(dns_name_normalize("a..b", 0, out, sizeof out, &err), STC_E_INVAL);
    assert_string_equal(err.msg, "earlier");
}

static void test_security_text(void **state)
{
    (void)state;
    assert_string_equal(dns_security_text(DNS_SECURE), "secure");
    assert_string_equal(dns_security_text(DNS_INSECURE), "insecure");
    assert_string_equal(dns_security_text(DNS_BOGUS), "bogus");
    assert_string_equal(dns_security_text((enum dns_security)42), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii),         cmocka_unit_test(test_idna),
        cmocka_unit_test(test_underscore),    cmocka_unit_test(test_structure),
        cmocka_unit_test(test_lengths),       cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_security_text), cmocka_unit_test(test_dns_answer_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
