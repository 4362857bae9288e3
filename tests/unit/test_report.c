/* test_report - the HTML report layer: escaping, the script's CSP hash, reading results
 * back from JSON, classification, MX suffixes, charts, and whole pages with hostile text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <starttls/json.h>
#include <starttls/report.h>

#include "report/report_agg.h"
#include "report/report_assets.h"
#include "report/report_chart.h"
#include "report/report_class.h"
#include "report/report_out.h"
#include "result/result_tree.h"

/* Run fn into a memory stream; the caller frees the text. */
static char *capture(void (*fn)(struct rout *, const void *), const void *arg)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    struct rout o = {f, 0};
    fn(&o, arg);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(o.failed, 0);
    return buf;
}

static void do_html(struct rout *o, const void *s)
{
    ro_html(o, s);
}
static void do_jstr(struct rout *o, const void *s)
{
    ro_jstr(o, s);
}

static void test_escape(void **state)
{
    (void)state;
    char *s = capture(do_html, "<script>alert('x')</script> & \"q\"\x01\xff");
    assert_string_equal(s, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
                           "\\x01\\xff");
    free(s);
    s = capture(do_jstr, "</script><!-- \"\\ \n&\x7f");
    assert_string_equal(s, "\"\\u003c/script\\u003e\\u003c!-- \\\"\\\\ \\\\x0a\\u0026\\\\x7f\"");
    free(s);
    s = capture(do_jstr, NULL);
    assert_string_equal(s, "null");
    free(s);
}

/* The CSP names the script's SHA-256: editing the script needs the new hash. */
static void test_csp_hash(void **state)
{
    (void)state;
    unsigned char md[SHA256_DIGEST_LENGTH];
    unsigned char b64[64];
    char want[128];
    SHA256((const unsigned char *)report_js, strlen(report_js), md);
    EVP_EncodeBlock(b64, md, sizeof md);
    snprintf(want, sizeof want, "script-src 'sha256-%s'", (const char *)b64);
    if (strstr(report_csp, want) == NULL)
        fail_msg("report_csp in src/report/report_assets.c must say: %s", want);
    assert_non_null(strstr(report_csp, "default-src 'none'"));
    /* No inline handlers and no way to fetch anything in the script. */
    assert_null(strstr(report_js, "innerHTML"));
    assert_null(strstr(report_js, "fetch("));
    assert_null(strstr(report_js, "XMLHttpRequest"));
}

static const char GOOD[] =
    "{\"domain\":\"a.example\",\"status\":2,\"status_text\":\"failure\",\"message\":\"m\","
    "\"mx_hostnames\":[\"mx2.b.example\",\"mx1.a.example\"],\"preferred_hostnames\":[],"
    "\"implicit_mx\":false,\"null_mx\":false,\"results\":{"
    "\"mx1.a.example\":{\"name\":\"mx1.a.example\",\"hostname\":\"mx1.a.example\",\"preference\":"
    "10,\"address\":\"192.0.2.1\",\"status\":2,\"messages\":[],\"details\":{\"connected\":true},"
    "\"checks\":{\"starttls\":{\"name\":\"starttls\",\"status\":0,\"messages\":[],\"details\":"
    "{\"advertised\":true,\"handshake\":true}},\"certificate\":{\"name\":\"certificate\","
    "\"status\":2,\"result_type\":\"certificate-expired\",\"messages\":[\"expired\"],\"details\":"
    "{\"valid\":false,\"days_to_expiry\":-3}},\"version\":{\"name\":\"version\",\"status\":0,"
    "\"messages\":[],\"details\":{\"negotiated\":\"TLSv1.2\"}},\"cipher\":{\"name\":\"cipher\","
    "\"status\":0,\"messages\":[],\"details\":{\"negotiated\":"
    "\"TLS_RSA_WITH_AES_128_CBC_SHA\"}}}},"
    "\"mx2.b.example\":{\"name\":\"mx2.b.example\",\"hostname\":\"mx2.b.example\",\"preference\":"
    "5,\"status\":3,\"messages\":[],\"details\":{\"connected\":false},\"checks\":{}}},"
    "\"mta_sts\":{\"name\":\"mta_sts\",\"status\":0,\"messages\":[],\"details\":{\"mode\":"
    "\"testing\",\"active\":true}},\"extra_results\":{\"tls-rpt\":{\"name\":\"tls-rpt\","
    "\"status\":2,\"messages\":[\"bad\"],\"details\":{\"record\":\"v=TLSRPTv1; rua=x\"}}},"
    "\"details\":{\"dnssec_validated\":true,\"mx_dnssec\":\"insecure\"}}";

static void test_from_json(void **state)
{
    (void)state;
    struct stc_result *r = NULL;
    struct stc_err err = {0};
    assert_int_equal(stc_result_from_json(GOOD, strlen(GOOD), &r, &err), STC_OK);
    assert_int_equal(stc_result_kind(r), STC_NODE_DOMAIN);
    assert_string_equal(stc_result_name(r), "a.example");
    assert_int_equal(stc_result_domain_status(r), STC_DOMAIN_FAILURE);
    assert_string_equal(stc_result_message(r, 0), "m");
    /* hosts in MX order, then mta_sts, then the extra results */
    assert_int_equal(stc_result_child_count(r), 4);
    assert_string_equal(stc_result_name(stc_result_child(r, 0)), "mx2.b.example");
    assert_string_equal(stc_result_name(stc_result_child(r, 2)), "mta_sts");
    long long pref = 0;
    assert_true(stc_result_get_int(stc_result_child(r, 1), "preference", &pref));
    assert_int_equal(pref, 10);
    assert_string_equal(stc_result_get_str(stc_result_child(r, 1), "address"), "192.0.2.1");

    struct rep_dom d;
    assert_int_equal(rep_dom_classify(r, &d), STC_OK);
    assert_int_equal(d.nhosts, 2);
    assert_int_equal(d.starttls, RS_ALL);
    assert_int_equal(d.hosts[1].cert, RC_EXPIRED);
    assert_int_equal(d.hosts[1].ver, RV_12);
    assert_int_equal(d.hosts[1].ciph, RCI_NOPFS);
    assert_int_equal(d.sts, RT_TESTING);
    assert_int_equal(d.rpt, RR_INVALID);
    assert_int_equal(d.dnssec, RD_INSECURE);
    assert_int_equal(d.dane, RDA_NODNSSEC);
    assert_true(d.expired);
    int seen_cert = 0, seen_rpt = 0;
    for (size_t i = 0; i < d.nfind; i++) {
        seen_cert |= strcmp(d.find[i].key, "certificate: certificate-expired") == 0;
        seen_rpt |= strcmp(d.find[i].key, "tls-rpt") == 0;
    }
    assert_true(seen_cert && seen_rpt);
    rep_dom_free(&d);

    /* Round trip: the JSON of the parsed tree parses to the same JSON. */
    char *j1 = NULL, *j2 = NULL;
    struct stc_result *r2 = NULL;
    assert_int_equal(stc_result_to_json(r, STC_JSON_COMPACT, &j1, &err), STC_OK);
    assert_int_equal(stc_result_from_json(j1, strlen(j1), &r2, &err), STC_OK);
    assert_int_equal(stc_result_to_json(r2, STC_JSON_COMPACT, &j2, &err), STC_OK);
    assert_string_equal(j1, j2);
    free(j1);
    free(j2);
    stc_result_free(r2);
    stc_result_free(r);
}

static void test_from_json_hostile(void **state)
{
    (void)state;
    struct stc_result *r = NULL;
    struct stc_err err = {0};
    static const char *const bad[] = {"", "[]", "{\"domain\":", "nul\x00l", "{\"a\":1,\"a\":2}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        stc_err_clear(&err);
        assert_int_equal(stc_result_from_json(bad[i], strlen(bad[i]), &r, &err), STC_E_PARSE);
    }
    /* Nesting beyond the limit. */
    char deep[4096] = "{\"name\":\"x\",\"status\":0";
    for (int i = 0; i < 40; i++)
        strcat(deep, ",\"checks\":{\"c\":{\"status\":0");
    for (int i = 0; i < 40; i++)
        strcat(deep, "}}");
    strcat(deep, "}");
    stc_err_clear(&err);
    assert_int_equal(stc_result_from_json(deep, strlen(deep), &r, &err), STC_E_LIMIT);
    /* Server text stays as it was sent (the views escape it); an out-of-range status is
     * an error; a lone surrogate (an invalid UTF-8 byte, PEP 383) reads as the text \xHH. */
    static const char ctl[] = "{\"domain\":\"x.example\",\"status\":9,\"message\":\"a\\u001b[2Jb"
                              "\\udc80\\\\udc81\",\"results\":{}}";
    assert_int_equal(stc_result_from_json(ctl, strlen(ctl), &r, &err), STC_OK);
    assert_string_equal(stc_result_message(r, 0), "a\x1b[2Jb\\x80\\udc81");
    assert_int_equal(stc_result_domain_status(r), STC_DOMAIN_ERROR); /* out of range */
    stc_result_free(r);
}

static void test_mx_suffix(void **state)
{
    (void)state;
    assert_string_equal(rep_mx_suffix("aspmx.l.google.com"), "google.com");
    assert_string_equal(rep_mx_suffix("mx1.example.co.uk"), "example.co.uk");
    assert_string_equal(rep_mx_suffix("mx.example.de"), "example.de");
    assert_string_equal(rep_mx_suffix("localhost"), "localhost");
    assert_string_equal(rep_mx_suffix("a.b"), "a.b");
}

static void test_map_top(void **state)
{
    (void)state;
    struct rep_agg a;
    const struct rep_count *top[3];
    assert_int_equal(rep_agg_init(&a, 4, 4), STC_OK);
    const char *keys[] = {"a", "b", "b", "c", "c", "c", "d", "e", "e"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_int_equal(rep_map_bump(&a.suffix, keys[i], 0, NULL), STC_OK);
    assert_int_equal(a.suffix.n, 4);     /* capped */
    assert_int_equal(a.suffix.other, 2); /* "e" twice */
    assert_int_equal(rep_map_top(&a.suffix, 3, 0, top), 3);
    assert_string_equal(top[0]->key, "c");
    assert_string_equal(top[1]->key, "b");
    assert_string_equal(top[2]->key, "a");
    rep_agg_free(&a);
}

static void do_chart(struct rout *o, const void *arg)
{
    chart_bars(o, arg);
}

static void test_chart(void **state)
{
    (void)state;
    struct chart_bar b[] = {{"<b>x</b>", 3, CC_GOOD}, {"y", 1, CC_BAD}};
    struct chart c = {"c-t", "Title", "domains", 4, b, 2, NULL};
    char *s = capture(do_chart, &c);
    assert_non_null(strstr(s, "data-label=\"&lt;b&gt;x&lt;/b&gt;\" data-value=\"3\""));
    assert_non_null(strstr(s, ">3 (75.0%)</text>"));
    assert_non_null(strstr(s, ">1 (25.0%)</text>"));
    assert_null(strstr(s, "<b>x"));
    assert_non_null(strstr(s, "<title id=\"c-t-t\">Title</title>"));
    assert_non_null(strstr(s, ">domains</text>"));
    free(s);
}

/* A whole scan report of hostile records: nothing from them reaches the page unescaped. */
static void test_scan_page_hostile(void **state)
{
    (void)state;
    char path[] = "/tmp/test_report_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "%s\n", GOOD);
    fprintf(f, "{\"domain\":\"</script><script>alert(1)</script>\",\"status\":2,\"message\":"
               "\"<img src=x onerror=alert(2)>\",\"mx_hostnames\":[\"<svg onload=alert(3)>\"],"
               "\"results\":{\"<svg onload=alert(3)>\":{\"name\":\"<svg onload=alert(3)>\","
               "\"hostname\":\"h\",\"status\":2,\"checks\":{\"certificate\":{\"name\":"
               "\"certificate\",\"status\":2,\"result_type\":\"</script>x\",\"messages\":"
               "[\"<b>\"]}}}},\"mta_sts\":null,\"extra_results\":{}}\n");
    fprintf(f, "not json\n{\"x\":1}\n");
    fclose(f);
    char *buf = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&buf, &n);
    struct stc_err err = {0};
    assert_int_equal(stc_report_scan_html(path, NULL, out, &err), STC_OK);
    fclose(out);
    unlink(path);
    assert_null(strstr(buf, "<script>alert"));
    assert_null(strstr(buf, "<img"));
    assert_null(strstr(buf, "<svg onload"));
    assert_null(strstr(buf, "</script>x"));
    /* exactly the script blocks we write: meta, rows, the report script */
    size_t ends = 0;
    for (const char *p = buf; (p = strstr(p, "</script>")) != NULL; p++)
        ends++;
    assert_int_equal(ends, 3);
    assert_non_null(strstr(buf, "data-k=\"unreadable\""));
    assert_non_null(strstr(buf, "data-k=\"domains\" data-n=\"2\""));
    free(buf);
}

/* More domains than the parse ring holds: every one counted, the rows in input order. */
static void test_scan_page_many(void **state)
{
    (void)state;
    char path[] = "/tmp/test_report_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    const char *rest = strstr(GOOD, "\"status\":2");
    for (int i = 0; i < 1000; i++) {
        if (i % 97 == 0)
            fprintf(f, "garbage %d\n", i);
        fprintf(f, "{\"domain\":\"d%04d.example\",%s\n", i, rest);
    }
    fclose(f);
    char *buf = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&buf, &n);
    struct stc_err err = {0};
    assert_int_equal(stc_report_scan_html(path, path, out, &err), STC_OK);
    fclose(out);
    unlink(path);
    assert_non_null(strstr(buf, "data-k=\"domains\" data-n=\"1000\""));
    assert_non_null(strstr(buf, "11 input records were not domain results"));
    assert_non_null(strstr(buf, "id=\"worse\" data-n=\"0\""));
    const char *rows = strstr(buf, "id=\"stc-rows\"");
    assert_non_null(rows);
    const char *at = rows;
    for (int i = 0; i < 1000; i++) {
        char name[32];
        snprintf(name, sizeof name, "[\"d%04d.example\"", i);
        const char *p = strstr(at, name);
        if (p == NULL)
            fail_msg("row %d missing or out of order", i);
        at = p;
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),         cmocka_unit_test(test_csp_hash),
        cmocka_unit_test(test_from_json),      cmocka_unit_test(test_from_json_hostile),
        cmocka_unit_test(test_mx_suffix),      cmocka_unit_test(test_map_top),
        cmocka_unit_test(test_chart),          cmocka_unit_test(test_scan_page_hostile),
        cmocka_unit_test(test_scan_page_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
