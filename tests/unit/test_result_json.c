/* test_result_json.c - stc_result_to_json against docs/json.md: build trees
 * with the result_tree.h builders, serialize, parse back, check every key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <starttls/json.h>

#include "result/result_tree.h"

static struct stc_result *add_host(struct stc_result *root, const char *name, long long pref,
                                   const char *addr)
{
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, name, "MX host checks"));
    result_fact_str(h, "domain", "example.com");
    result_fact_str(h, "hostname", name);
    result_fact_int(h, "preference", pref);
    result_fact_str(h, "address", addr);
    result_fact_bool(h, "connected", 1);
    result_add_check(h, "connectivity", "TCP connection to port 25");
    return h;
}

/* example.com: two hosts (the second with an expired certificate and TLS 1.1),
 * MTA-STS with a nested node, TLS-RPT. */
static struct stc_result *sample_tree(void)
{
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    result_msg(root, STC_STATUS_FAILURE, "mx2.example.com has an expired certificate");
    result_note(root, "second root message");
    result_fact_list_add(root, "mx_hosts", "mx1.example.com");
    result_fact_list_add(root, "mx_hosts", "mx2.example.com");
    result_fact_list_add(root, "preferred_hostnames", "mx1.example.com");
    result_fact_bool(root, "implicit_mx", 0);
    result_fact_bool(root, "null_mx", 0);
    result_fact_bool(root, "dnssec", 1);
    result_set_domain_status(root, STC_DOMAIN_FAILURE);

    struct stc_result *h1 = add_host(root, "mx1.example.com", 10, "192.0.2.1");
    struct stc_result *c = result_add_check(h1, "starttls", "STARTTLS offered and working");
    result_fact_bool(c, "advertised", 1);
    result_fact_bool(c, "handshake", 1);
    c = result_add_check(h1, "certificate", "certificate valid for the host");
    result_fact_bool(c, "valid", 1);
    result_fact_int(c, "days_to_expiry", 80);
    c = result_add_check(h1, "version", "TLS version");
    result_fact_str(c, "negotiated", "TLSv1.3");
    result_fact_int(c, "negotiated_code", 0x0304);
    c = result_add_check(h1, "cipher", "cipher suite");
    result_fact_str(c, "negotiated", "TLS_AES_256_GCM_SHA384");

    struct stc_result *h2 = add_host(root, "mx2.example.com", 20, "192.0.2.2");
    c = result_add_check(h2, "starttls", "STARTTLS offered and working");
    result_fact_bool(c, "advertised", 1);
    c = result_add_check(h2, "certificate", "certificate valid for the host");
    result_msg(c, STC_STATUS_FAILURE, "certificate expired 3 days ago");
    result_set_type(c, "certificate-expired");
    result_recommend(c, "Renew the certificate of mx2.example.com.");
    result_fact_bool(c, "valid", 0);
    result_fact_int(c, "days_to_expiry", -3);
    c = result_add_check(h2, "version", "TLS version");
    result_msg(c, STC_STATUS_WARNING, "negotiated TLSv1.1");
    result_fact_str(c, "negotiated", "TLSv1.1");

    struct stc_result *m = result_add_check(root, "mta_sts", "MTA-STS (RFC 8461)");
    result_fact_str(m, "policy", "version: STSv1\r\nmode: enforce\r\n");
    result_fact_str(m, "mode", "enforce");
    result_fact_int(m, "max_age", 604800);
    result_fact_list_add(m, "mx", "*.example.com");
    result_fact_list(m, "empty_list");
    struct stc_result *p = result_add_check(m, "policy", "policy file");
    result_note(p, "policy fetched");

    struct stc_result *t = result_add_check(root, "tls-rpt", "TLS-RPT (RFC 8460)");
    result_msg(t, STC_STATUS_WARNING, "no TLS-RPT record");
    result_recommend(t, "Publish a TLS-RPT record.");

    result_rollup(root);
    assert_false(result_oom(root));
    return root;
}

static json_t *to_json(const struct stc_result *r, unsigned flags, char **text)
{
    struct stc_err err = {0};
    char *s = NULL;
    assert_int_equal(stc_result_to_json(r, flags, &s, &err), STC_OK);
    assert_non_null(s);
    json_error_t jerr;
    json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, &jerr);
    if (j == NULL)
        fail_msg("output is not JSON: %s\n%s", jerr.text, s);
    if (text != NULL)
        *text = s;
    else
        free(s);
    return j;
}

static void assert_str_key(json_t *o, const char *key, const char *want)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL || !json_is_string(v))
        fail_msg("key %s missing or not a string", key);
    assert_string_equal(json_string_value(v), want);
}

static void assert_int_key(json_t *o, const char *key, long long want)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL || !json_is_integer(v))
        fail_msg("key %s missing or not an integer", key);
    assert_int_equal(json_integer_value(v), want);
}

static void assert_bool_key(json_t *o, const char *key, int want)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL || !json_is_boolean(v))
        fail_msg("key %s missing or not a boolean", key);
    assert_int_equal(json_is_true(v), want);
}

static void assert_str_array(json_t *a, size_t n, ...)
{
    assert_non_null(a);
    assert_true(json_is_array(a));
    assert_int_equal(json_array_size(a), n);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(a, i);
        assert_true(json_is_string(v));
        assert_string_equal(json_string_value(v), va_arg(ap, const char *));
    }
    va_end(ap);
}

/* The keys of o, in order, are exactly the NULL-terminated list. */
static void assert_keys(json_t *o, ...)
{
    va_list ap;
    va_start(ap, o);
    void *it = json_object_iter(o);
    const char *want;
    while ((want = va_arg(ap, const char *)) != NULL) {
        if (it == NULL)
            fail_msg("key %s missing", want);
        assert_string_equal(json_object_iter_key(it), want);
        it = json_object_iter_next(o, it);
    }
    va_end(ap);
    if (it != NULL)
        fail_msg("unexpected key %s", json_object_iter_key(it));
}

static void test_domain_object(void **state)
{
    (void)state;
    struct stc_result *root = sample_tree();
    json_t *j = to_json(root, 0, NULL);

    assert_keys(j, "domain", "status", "status_text", "message", "mx_hosts",
                "preferred_hostnames", "implicit_mx", "null_mx", "results", "mta_sts",
                "extra_results", "details", NULL);
    assert_str_key(j, "domain", "example.com");
    assert_int_key(j, "status", 2);
    assert_str_key(j, "status_text", "failure");
    assert_str_key(j, "message", "mx2.example.com has an expired certificate");
    /* Host names that key results are absolute, as the original writes them. */
    assert_str_array(json_object_get(j, "mx_hosts"), 2, "mx1.example.com.", "mx2.example.com.");
    assert_str_array(json_object_get(j, "preferred_hostnames"), 1, "mx1.example.com.");
    assert_bool_key(j, "implicit_mx", 0);
    assert_bool_key(j, "null_mx", 0);
    json_t *details = json_object_get(j, "details");
    assert_keys(details, "dnssec", NULL);
    assert_bool_key(details, "dnssec", 1);

    json_t *results = json_object_get(j, "results");
    assert_keys(results, "mx1.example.com.", "mx2.example.com.", NULL);

    json_t *h1 = json_object_get(results, "mx1.example.com.");
    assert_keys(h1, "name", "domain", "hostname", "preference", "address", "status", "status_text",
                "description", "messages", "details", "checks", NULL);
    assert_str_key(h1, "name", "hostnames");
    assert_str_key(h1, "domain", "example.com");
    assert_str_key(h1, "hostname", "mx1.example.com");
    assert_int_key(h1, "preference", 10);
    assert_str_key(h1, "address", "192.0.2.1");
    assert_int_key(h1, "status", 0);
    assert_str_key(h1, "status_text", "Success");
    assert_str_key(h1, "description", "MX host checks");
    assert_str_array(json_object_get(h1, "messages"), 0);
    assert_keys(json_object_get(h1, "details"), "connected", NULL);
    assert_bool_key(json_object_get(h1, "details"), "connected", 1);
    json_t *checks = json_object_get(h1, "checks");
    assert_keys(checks, "connectivity", "starttls", "certificate", "version", "cipher", NULL);

    json_t *conn = json_object_get(checks, "connectivity");
    assert_keys(conn, "name", "status", "status_text", "description", "messages", NULL);
    assert_str_key(conn, "name", "connectivity");
    assert_str_key(conn, "description", "TCP connection to port 25");

    json_t *st = json_object_get(checks, "starttls");
    assert_bool_key(json_object_get(st, "details"), "advertised", 1);
    assert_bool_key(json_object_get(st, "details"), "handshake", 1);
    json_t *cert = json_object_get(checks, "certificate");
    assert_bool_key(json_object_get(cert, "details"), "valid", 1);
    assert_int_key(json_object_get(cert, "details"), "days_to_expiry", 80);
    json_t *ver = json_object_get(checks, "version");
    assert_str_key(json_object_get(ver, "details"), "negotiated", "TLSv1.3");
    assert_int_key(json_object_get(ver, "details"), "negotiated_code", 0x0304);
    assert_str_key(json_object_get(json_object_get(checks, "cipher"), "details"), "negotiated",
                   "TLS_AES_256_GCM_SHA384");

    json_t *h2 = json_object_get(results, "mx2.example.com.");
    assert_int_key(h2, "preference", 20);
    assert_int_key(h2, "status", 2);
    assert_str_key(h2, "status_text", "Failure");
    cert = json_object_get(json_object_get(h2, "checks"), "certificate");
    assert_keys(cert, "name", "status", "status_text", "description", "messages", "result_type",
                "recommendations", "details", NULL);
    assert_int_key(cert, "status", 2);
    assert_str_key(cert, "result_type", "certificate-expired");
    assert_str_array(json_object_get(cert, "messages"), 1, "certificate expired 3 days ago");
    assert_str_array(json_object_get(cert, "recommendations"), 1,
                     "Renew the certificate of mx2.example.com.");
    assert_bool_key(json_object_get(cert, "details"), "valid", 0);
    assert_int_key(json_object_get(cert, "details"), "days_to_expiry", -3);
    ver = json_object_get(json_object_get(h2, "checks"), "version");
    assert_int_key(ver, "status", 1);
    assert_str_key(ver, "status_text", "Warning");

    json_t *m = json_object_get(j, "mta_sts");
    assert_true(json_is_object(m));
    /* The original's mta-sts node: policy, mode and mxs at its top level. */
    assert_keys(m, "name", "status", "status_text", "description", "messages", "policy", "mode",
                "mxs", "details", "checks", NULL);
    assert_str_key(m, "name", "mta-sts");
    assert_str_key(m, "policy", "version: STSv1\r\nmode: enforce\r\n");
    assert_str_key(m, "mode", "enforce");
    assert_str_array(json_object_get(m, "mxs"), 1, "*.example.com");
    json_t *md = json_object_get(m, "details");
    assert_keys(md, "max_age", "empty_list", NULL);
    assert_int_key(md, "max_age", 604800);
    assert_str_array(json_object_get(md, "empty_list"), 0);
    json_t *pol = json_object_get(json_object_get(m, "checks"), "policy");
    assert_str_array(json_object_get(pol, "messages"), 1, "policy fetched");

    json_t *extra = json_object_get(j, "extra_results");
    assert_keys(extra, "tls-rpt", NULL);
    json_t *t = json_object_get(extra, "tls-rpt");
    assert_int_key(t, "status", 1);
    assert_str_array(json_object_get(t, "recommendations"), 1, "Publish a TLS-RPT record.");

    json_decref(j);
    stc_result_free(root);
}

static void test_pretty_and_compact(void **state)
{
    (void)state;
    struct stc_result *root = sample_tree();
    char *pretty = NULL, *compact = NULL;
    json_t *a = to_json(root, 0, &pretty);
    json_t *b = to_json(root, STC_JSON_COMPACT, &compact);
    assert_true(json_equal(a, b));
    assert_null(strchr(compact, '\n'));
    assert_non_null(strstr(pretty, "\n  \"domain\": \"example.com\""));
    assert_true(strlen(compact) < strlen(pretty));
    free(pretty);
    free(compact);
    json_decref(a);
    json_decref(b);
    stc_result_free(root);
}

/* A bare root: defaults for missing facts, mta_sts null, empty objects. */
static void test_empty_domain(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "empty.example", NULL);
    result_fact_bool(root, "null_mx", 1);
    result_set_domain_status(root, STC_DOMAIN_COULD_NOT_CONNECT);
    json_t *j = to_json(root, 0, NULL);
    assert_keys(j, "domain", "status", "status_text", "message", "mx_hosts",
                "preferred_hostnames", "implicit_mx", "null_mx", "results", "mta_sts",
                "extra_results", NULL);
    assert_int_key(j, "status", 5);
    assert_str_key(j, "status_text", "could_not_connect");
    assert_str_key(j, "message", "");
    assert_str_array(json_object_get(j, "mx_hosts"), 0);
    assert_str_array(json_object_get(j, "preferred_hostnames"), 0);
    assert_bool_key(j, "implicit_mx", 0);
    assert_bool_key(j, "null_mx", 1);
    assert_true(json_is_null(json_object_get(j, "mta_sts")));
    assert_int_equal(json_object_size(json_object_get(j, "results")), 0);
    assert_int_equal(json_object_size(json_object_get(j, "extra_results")), 0);
    json_decref(j);
    stc_result_free(root);
}

/* Host and check nodes serialize on their own too. */
static void test_host_and_check_alone(void **state)
{
    (void)state;
    struct stc_result *root = sample_tree();
    const struct stc_result *h2 = stc_result_find(root, "mx2.example.com");
    json_t *j = to_json(h2, 0, NULL);
    assert_str_key(j, "name", "hostnames");
    assert_str_key(j, "hostname", "mx2.example.com");
    assert_str_key(j, "domain", "example.com");
    assert_str_key(j, "address", "192.0.2.2");
    assert_int_key(j, "status", 2);
    json_decref(j);

    j = to_json(stc_result_find(h2, "certificate"), STC_JSON_COMPACT, NULL);
    assert_str_key(j, "name", "certificate");
    assert_str_key(j, "result_type", "certificate-expired");
    assert_null(json_object_get(j, "domain"));
    json_decref(j);
    stc_result_free(root);

    /* A host without a "domain" fact and without a root: no domain key. */
    struct stc_result *h = result_new(STC_NODE_HOST, "lonely.example", NULL);
    j = to_json(h, 0, NULL);
    assert_null(json_object_get(j, "domain"));
    assert_null(json_object_get(j, "preference"));
    assert_null(json_object_get(j, "address"));
    assert_null(json_object_get(j, "details"));
    assert_null(json_object_get(j, "checks"));
    json_decref(j);
    stc_result_free(h);
}

/* A host under a root takes the root's name when it has no "domain" fact. */
static void test_host_domain_from_root(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "root.example", NULL);
    result_add(root, result_new(STC_NODE_HOST, "mx.root.example", NULL));
    json_t *j = to_json(root, 0, NULL);
    json_t *h = json_object_get(json_object_get(j, "results"), "mx.root.example.");
    assert_str_key(h, "domain", "root.example");
    json_decref(j);
    stc_result_free(root);
}

/* Server text reaches the JSON exactly: CR LF, a tab, an ESC byte as JSON
 * escapes; bytes that are not UTF-8 as lone surrogates \udcXX (lossless);
 * the same for names and descriptions. The output stays ASCII without raw
 * control bytes. */
static void test_exact_text(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, "mx.example.com", NULL));
    struct stc_result *c = result_add_check(h, "starttls", "desc \xff\xfe end");
    result_msg(c, STC_STATUS_FAILURE, "banner: %s", "220 hi\t\x01\x1b[31m\xff\r\nX\\y\"");
    result_fact_str(c, "banner", "a\x7f\xc3\x28 \xe2\x82\xac \xf0\x9f\x98\x80 \xed\xa0\x80");
    result_fact_list_add(c, "lines", "v=STSv1;\tid=1\r\n");
    result_add_check(h, "bad\xffname\x01", NULL);
    assert_false(result_oom(root));

    char *text = NULL;
    struct stc_err err = {0};
    assert_int_equal(stc_result_to_json(root, STC_JSON_COMPACT, &text, &err), STC_OK);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < 0x20 || *p >= 0x7f)
            fail_msg("raw byte 0x%02x in output", *p);
    assert_non_null(
        strstr(text, "\"messages\":[\"banner: 220 hi\\t\\u0001\\u001b[31m\\udcff\\r\\nX\\\\y\\\"\"]"));
    assert_non_null(strstr(text, "\"description\":\"desc \\udcff\\udcfe end\""));
    /* DEL escaped; C3 28 is not UTF-8 (C3 alone); the euro sign and U+1F600
     * are valid; ED A0 80 (an encoded surrogate) is not. */
    assert_non_null(strstr(text, "\"banner\":\"a\\u007f\\udcc3( \\u20ac \\ud83d\\ude00 "
                                 "\\udced\\udca0\\udc80\""));
    assert_non_null(strstr(text, "\"lines\":[\"v=STSv1;\\tid=1\\r\\n\"]"));
    assert_non_null(strstr(text, "\"bad\\udcffname\\u0001\":{\"name\":\"bad\\udcffname\\u0001\""));
    free(text);

    /* Valid UTF-8 text round-trips through a strict parser unchanged. */
    struct stc_result *v = result_new(STC_NODE_CHECK, "v", NULL);
    result_note(v, "%s", "250 ok\r\n\tgr\xc3\xbc\xc3\x9f \x1b[0m");
    json_t *j = to_json(v, 0, NULL);
    assert_str_array(json_object_get(j, "messages"), 1, "250 ok\r\n\tgr\xc3\xbc\xc3\x9f \x1b[0m");
    json_decref(j);
    stc_result_free(v);
    stc_result_free(root);
}

/* Valid UTF-8 (e.g. a U-label in a description) keeps its meaning. */
static void test_utf8_passes(void **state)
{
    (void)state;
    struct stc_result *c = result_new(STC_NODE_CHECK, "x",
                                      "b\xc3\xbc"
                                      "cher \xc2\x9b");
    char *text = NULL;
    json_t *j = to_json(c, 0, &text);
    assert_str_key(j, "description",
                   "b\xc3\xbc"
                   "cher \xc2\x9b");
    /* Written as \u escapes: the output itself is ASCII (no raw C1 CSI). */
    assert_non_null(strstr(text, "b\\u00fccher \\u009b"));
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        assert_true(*p < 0x80);
    free(text);
    json_decref(j);
    stc_result_free(c);
}

static void test_bad_args(void **state)
{
    (void)state;
    struct stc_err err = {0};
    char *s = NULL;
    assert_int_equal(stc_result_to_json(NULL, 0, &s, &err), STC_E_INVAL);
    assert_int_equal(err.code, STC_E_INVAL);
    assert_null(s);
    struct stc_result *c = result_new(STC_NODE_CHECK, "x", NULL);
    stc_err_clear(&err);
    assert_int_equal(stc_result_to_json(c, 0, NULL, &err), STC_E_INVAL);
    stc_result_free(c);
}

/* A tree nested past the depth limit is refused, not overflowed. */
static void test_too_deep(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_CHECK, "n0", NULL);
    struct stc_result *n = root;
    for (int i = 1; i < 100; i++)
        n = result_add_check(n, "n", NULL);
    struct stc_err err = {0};
    char *s = NULL;
    assert_int_equal(stc_result_to_json(root, 0, &s, &err), STC_E_LIMIT);
    assert_null(s);
    assert_non_null(strstr(err.msg, "deeper"));
    stc_result_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_domain_object),
        cmocka_unit_test(test_pretty_and_compact),
        cmocka_unit_test(test_empty_domain),
        cmocka_unit_test(test_host_and_check_alone),
        cmocka_unit_test(test_host_domain_from_root),
        cmocka_unit_test(test_exact_text),
        cmocka_unit_test(test_utf8_passes),
        cmocka_unit_test(test_bad_args),
        cmocka_unit_test(test_too_deep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
