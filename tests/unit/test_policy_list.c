/* test_policy_list - loading EFF's STARTTLS-Everywhere policy list (policy.json). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mtasts/policy_list.h"

#define NOW 1767225600LL /* 2026-01-01T00:00:00Z */
#define FMT "{\"expires\": %s, \"policies\": {}}"

/* In the shape of EFF's list and the testbed's run/policylist.json. */
static const char *good_list =
    "{\n"
    " \"timestamp\": \"2026-01-01T00:00:00Z\",\n"
    " \"expires\": \"2036-01-01T00:00:00+00:00\",\n"
    " \"version\": \"0.1\",\n"
    " \"author\": \"Electronic Frontier Foundation https://eff.org\",\n"
    " \"pinsets\": {},\n"
    " \"policy-aliases\": {\n"
    "  \"gmail\": {\"mode\": \"testing\", \"mxs\": [\".mail.google.com\"],\n"
    "            \"report\": \"https://google.com/post/reports/here\"}\n"
    " },\n"
    " \"policies\": {\n"
    "  \"yahoo.com\": {\"mode\": \"enforce\", \"mxs\": [\".yahoodns.net\"]},\n"
    "  \"eff.org\": {\"mode\": \"enforce\", \"pin\": \"eff\", \"mxs\": [\".eff.org\"]},\n"
    "  \"gmail.com\": {\"policy-alias\": \"gmail\"},\n"
    "  \"Example.COM.\": {\"mta-sts\": true, \"mxs\": [\"Mail.Example.com\", \".example.net\"]}\n"
    " }\n"
    "}\n";

static stc_rc parse(const char *text, struct policy_list **pl, struct stc_err *err)
{
    stc_err_clear(err);
    *pl = NULL;
    return policy_list_parse(text, strlen(text), NOW, "policy.json", pl, err);
}

static void bad(const char *text, const char *needle)
{
    struct policy_list *pl;
    struct stc_err err;
    stc_rc rc = parse(text, &pl, &err);
    if (rc != STC_E_PARSE || strstr(err.msg, needle) == NULL) {
        fprintf(stderr, "text: %s\nrc %d: %s\n", text, rc, err.msg);
        fail();
    }
    assert_null(pl);
}

static void test_good(void **state)
{
    (void)state;
    struct policy_list *pl;
    struct stc_err err;
    assert_int_equal(parse(good_list, &pl, &err), STC_OK);
    assert_int_equal(policy_list_count(pl), 4);
    assert_int_equal(policy_list_expires(pl), 2082758400LL); /* 2036-01-01 */

    const struct policy_entry *e = policy_list_get(pl, "yahoo.com");
    assert_non_null(e);
    assert_string_equal(e->mode, "enforce");
    assert_int_equal(e->nmx, 1);
    assert_string_equal(e->mxs[0], ".yahoodns.net");
    assert_null(e->alias);

    e = policy_list_get(pl, "gmail.com");
    assert_non_null(e);
    assert_string_equal(e->mode, "testing");
    assert_string_equal(e->alias, "gmail");
    assert_string_equal(e->mxs[0], ".mail.google.com");

    /* names are lower-cased, trailing dots dropped; mode defaults to testing */
    e = policy_list_get(pl, "EXAMPLE.com.");
    assert_non_null(e);
    assert_string_equal(e->domain, "example.com");
    assert_string_equal(e->mode, "testing");
    assert_int_equal(e->nmx, 2);
    assert_string_equal(e->mxs[0], "mail.example.com");

    assert_null(policy_list_get(pl, "lists.eff.org")); /* exact match only */
    assert_null(policy_list_get(pl, "nosuch.example"));
    assert_null(policy_list_get(pl, ""));
    assert_null(policy_list_get(NULL, "eff.org"));
    policy_list_free(pl);
    policy_list_free(NULL);
}

static void test_times(void **state)
{
    (void)state;
    struct policy_list *pl;
    struct stc_err err;
    char buf[256];
    const char *ok[] = {"\"2036-01-01T00:00:00Z\"",
                        "\"2036-01-01t00:00:00z\"",
                        "\"2036-01-01 00:00:00Z\"",
                        "\"2036-01-01T01:00:00+01:00\"",
                        "\"2036-01-01T01:00:00+0100\"",
                        "\"2035-12-31T23:00:00-01:00\"",
                        "\"2036-01-01T00:00:00.123456Z\"",
                        "\"2036-01-01T00:00:00\"",
                        "2082758400"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        snprintf(buf, sizeof buf, FMT, ok[i]);
        assert_int_equal(parse(buf, &pl, &err), STC_OK);
        assert_int_equal(policy_list_expires(pl), 2082758400LL);
        assert_int_equal(policy_list_count(pl), 0);
        policy_list_free(pl);
    }
    /* leap day */
    snprintf(buf, sizeof buf, FMT, "\"2028-02-29T00:00:00Z\"");
    assert_int_equal(parse(buf, &pl, &err), STC_OK);
    assert_int_equal(policy_list_expires(pl), 1835395200LL);
    policy_list_free(pl);
    const char *badt[] = {"\"2027-02-29T00:00:00Z\"",
                          "\"2036-13-01T00:00:00Z\"",
                          "\"2036-01-01T24:00:00Z\"",
                          "\"2036-01-01\"",
                          "\"2036-01-01T00:00:00+1:00\"",
                          "\"2036-01-01T00:00:00Zjunk\"",
                          "\"2036-01-01T00:00:00.Z\"",
                          "\"tomorrow\"",
                          "true",
                          "null"};
    for (size_t i = 0; i < sizeof badt / sizeof badt[0]; i++) {
        snprintf(buf, sizeof buf, FMT, badt[i]);
        bad(buf, "RFC 3339");
    }
}

static void test_expired(void **state)
{
    (void)state;
    bad("{\"expires\": \"2020-01-01T00:00:00Z\", \"policies\": {}}",
        "expired on 2020-01-01T00:00:00Z");
    bad("{\"expires\": 1767225600, \"policies\": {}}", "expired"); /* expires == now */
    bad("{\"policies\": {}}", "no \"expires\"");
}

static void test_malformed(void **state)
{
    (void)state;
    bad("", "policy.json:");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\",\n \"policies\": {,}}", "policy.json:2:");
    bad("[]", "top level");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\"}", "no \"policies\"");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policies\": []}", "no \"policies\"");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"expires\": \"2037-01-01T00:00:00Z\","
        " \"policies\": {}}",
        "duplicate");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"timestamp\": \"x\", \"policies\": {}}",
        "\"timestamp\"");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"version\": 1, \"policies\": {}}", "version");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policies\": {\"a.example\": 5}}",
        "policies.\"a.example\" must be an object");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policies\": {\"a.example\": {\"mode\": "
        "\"strict\", \"mxs\": [\"a\"]}}}",
        "policies.\"a.example\".mode");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policies\": {\"a.example\": {\"mode\": "
        "\"enforce\"}}}",
        ".mxs must be a list");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policies\": {\"a.example\": {\"mxs\": []}}}",
        ".mxs is empty");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policies\": {\"a.example\": {\"mxs\": "
        "[\"a\", 3]}}}",
        ".mxs[1] is not a string");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policies\": {\"a.example\": {\"mxs\": "
        "[\"a b\"]}}}",
        ".mxs[0] is not a host pattern");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policies\": {\"a.example\": {\"policy-alias\":"
        " \"nope\"}}}",
        "\"nope\", which is not in");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policy-aliases\": {\"x\": {\"policy-alias\": "
        "\"y\", \"mxs\": [\"a\"]}}, \"policies\": {}}",
        "another alias");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policy-aliases\": 3, \"policies\": {}}",
        "policy-aliases");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policies\": {\"A.example\": {\"mxs\": [\"a\"]},"
        " \"a.example.\": {\"mxs\": [\"b\"]}}}",
        "listed twice");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policies\": {\"\": {\"mxs\": [\"a\"]}}}",
        "not a domain");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policies\": {\"a.example\": {\"mxs\": "
        "[\"mx..example\"]}}}",
        ".mxs[0] is not a host pattern");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policies\": {\"a.example\": {\"mxs\": "
        "[\"mx.example..\"]}}}",
        ".mxs[0] is not a host pattern");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policies\": {\"a.example\": {\"mxs\": "
        "[\".\"]}}}",
        ".mxs[0] is not a host pattern");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policies\": {\".a.example\": {\"mxs\": "
        "[\"a\"]}}}",
        "not a domain");
    /* a NUL inside a key (jansson refuses it) */
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policies\": {\"a\\u0000.evil\": {\"mxs\": "
        "[\"a\"]}}}",
        "NUL");
    bad("{\"expires\": \"2036-01-01T00:00:00Z\", \"policy-aliases\": {\"x\": {\"mxs\": [\"a\"]}},"
        " \"policies\": {\"a.example\": {\"policy-alias\": \"x\\u0000y\"}}}",
        "NUL");
    /* a control character in a key is escaped in the message */
    struct policy_list *pl;
    struct stc_err err;
    assert_int_equal(parse("{\"expires\": \"2036-01-01T00:00:00Z\", \"policies\": {\"a\\u0001b\":"
                           " 1}}",
                           &pl, &err),
                     STC_E_PARSE);
    assert_non_null(strstr(err.msg, "a\\x01b"));
}

static void test_load_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/stc-plist-XXXXXX";
    char path[64];
    struct policy_list *pl = NULL;
    struct stc_err err;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/policy.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(good_list, f);
    fclose(f);
    stc_err_clear(&err);
    assert_int_equal(policy_list_load(path, &pl, &err), STC_OK);
    assert_int_equal(policy_list_count(pl), 4);
    policy_list_free(pl);

    /* an expired list names the file */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"expires\": \"2001-01-01T00:00:00Z\", \"policies\": {}}", f);
    fclose(f);
    stc_err_clear(&err);
    pl = NULL;
    assert_int_equal(policy_list_load(path, &pl, &err), STC_E_PARSE);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "expired"));
    assert_null(pl);
    unlink(path);

    stc_err_clear(&err);
    assert_int_equal(policy_list_load(path, &pl, &err), STC_E_IO);
    assert_non_null(strstr(err.msg, "No such file"));
    stc_err_clear(&err);
    assert_int_equal(policy_list_load(dir, &pl, &err), STC_E_IO); /* a directory */
    stc_err_clear(&err);
    assert_int_equal(policy_list_load(NULL, &pl, &err), STC_E_INVAL);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),      cmocka_unit_test(test_times),
        cmocka_unit_test(test_expired),   cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_load_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
