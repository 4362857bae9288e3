/* test_mtasts_txt - the _mta-sts TXT record (RFC 8461 3.1) and the shared k=v splitter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mtasts/mtasts.h"

static stc_rc parse(const char *rec, struct mtasts_txt *t, struct stc_err *err)
{
    stc_err_clear(err);
    return mtasts_txt_parse(rec, strlen(rec), t, err);
}

static int has(const struct mtasts_findings *fx, enum mtasts_sev sev, const char *needle)
{
    for (size_t i = 0; i < fx->n; i++)
        if (fx->f[i].sev == sev && strstr(fx->f[i].msg, needle) != NULL)
            return 1;
    return 0;
}

/* RFC 8461 3.1: _mta-sts.example.com. IN TXT "v=STSv1; id=20160831085700Z;" */
static void test_rfc_example(void **state)
{
    (void)state;
    struct mtasts_txt t;
    struct stc_err err;
    assert_int_equal(parse("v=STSv1; id=20160831085700Z;", &t, &err), STC_OK);
    assert_string_equal(t.id, "20160831085700Z");
    assert_int_equal(t.fx.worst, MTASTS_NOTE);
    assert_int_equal(t.fx.n, 0);
}

static void test_variants_ok(void **state)
{
    (void)state;
    struct mtasts_txt t;
    struct stc_err err;
    assert_int_equal(parse("v=STSv1;id=abc", &t, &err), STC_OK);
    assert_string_equal(t.id, "abc");
    assert_int_equal(parse("v=STSv1 ;\tid=abc ; ", &t, &err), STC_OK);
    assert_string_equal(t.id, "abc");
    /* 32 characters is the maximum. */
    assert_int_equal(parse("v=STSv1; id=0123456789abcdef0123456789ABCDEF", &t, &err), STC_OK);
    assert_int_equal(strlen(t.id), 32);
    /* Unknown fields are ignored, with a note. */
    assert_int_equal(parse("v=STSv1; id=1; ext=x-y.z", &t, &err), STC_OK);
    assert_true(has(&t.fx, MTASTS_NOTE, "unknown field \"ext\""));
}

static void test_id_rules(void **state)
{
    (void)state;
    struct mtasts_txt t;
    struct stc_err err;
    /* 33 characters */
    assert_int_equal(parse("v=STSv1; id=0123456789abcdef0123456789ABCDEFx", &t, &err), STC_E_PARSE);
    assert_non_null(strstr(err.msg, "1 to 32"));
    /* not alphanumeric (the testbed's badid case) */
    assert_int_equal(parse("v=STSv1; id=bad_id!abc", &t, &err), STC_E_PARSE);
    assert_true(has(&t.fx, MTASTS_ERR, "bad_id!abc"));
    assert_int_equal(parse("v=STSv1; id=", &t, &err), STC_E_PARSE);
    assert_int_equal(parse("v=STSv1; id=a b", &t, &err), STC_E_PARSE);
    /* missing */
    assert_int_equal(parse("v=STSv1;", &t, &err), STC_E_PARSE);
    assert_non_null(strstr(err.msg, "no id"));
    assert_int_equal(parse("v=STSv1", &t, &err), STC_E_PARSE);
    /* names are case-sensitive: "ID" is not "id" */
    assert_int_equal(parse("v=STSv1; ID=abc", &t, &err), STC_E_PARSE);
    assert_true(has(&t.fx, MTASTS_NOTE, "case-sensitive"));
    /* repeated: first wins, with a warning */
    assert_int_equal(parse("v=STSv1; id=first; id=second", &t, &err), STC_OK);
    assert_string_equal(t.id, "first");
    assert_true(has(&t.fx, MTASTS_WARN, "more than once"));
}

static void test_syntax_errors(void **state)
{
    (void)state;
    struct mtasts_txt t;
    struct stc_err err;
    assert_int_equal(parse("v=STSv1;; id=abc", &t, &err), STC_E_PARSE);
    assert_true(has(&t.fx, MTASTS_ERR, "empty field"));
    assert_int_equal(parse("v=STSv1; id", &t, &err), STC_E_PARSE);
    assert_int_equal(parse("v=STSv1; =abc; id=1", &t, &err), STC_E_PARSE);
    assert_int_equal(parse("v=STSv1; id=1; x=a b", &t, &err), STC_E_PARSE);
    assert_int_equal(parse("v=STSv1; id=1; _x=1", &t, &err), STC_E_PARSE);
    assert_int_equal(parse("v=STSv1 x; id=1", &t, &err), STC_E_PARSE);
    assert_int_equal(parse("v=STSv2; id=1", &t, &err), STC_E_PARSE);
    assert_int_equal(parse("V=STSv1; id=1", &t, &err), STC_E_PARSE);
    /* control bytes and non-ASCII */
    assert_int_equal(parse("v=STSv1; id=1\x01", &t, &err), STC_E_PARSE);
    assert_int_equal(parse("v=STSv1; id=\xc3\xa9", &t, &err), STC_E_PARSE);
    /* a NUL inside the given length */
    assert_int_equal(mtasts_txt_parse("v=STSv1; id=1\0x", 15, &t, &err), STC_E_PARSE);
    /* trailing white space without ';' is outside the grammar: a warning */
    assert_int_equal(parse("v=STSv1; id=abc  ", &t, &err), STC_OK);
    assert_true(has(&t.fx, MTASTS_WARN, "white space"));
    /* the error message is escaped */
    assert_int_equal(parse("v=STSv1; id=a\tb", &t, &err), STC_E_PARSE);
    for (const char *p = err.msg; *p; p++)
        assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
}

static void test_is_sts(void **state)
{
    (void)state;
    assert_true(mtasts_txt_is_sts("v=STSv1; id=1", 13));
    assert_true(mtasts_txt_is_sts("v=STSv1", 7));
    assert_true(mtasts_txt_is_sts("v=STSv1 ;id=1", 13));
    assert_false(mtasts_txt_is_sts("v=STSv10; id=1", 14));
    assert_false(mtasts_txt_is_sts("v=spf1 -all", 11));
    assert_false(mtasts_txt_is_sts(" v=STSv1; id=1", 14));
    assert_false(mtasts_txt_is_sts("v=stsv1; id=1", 13));
    assert_false(mtasts_txt_is_sts("v=STS", 5));
    assert_false(mtasts_txt_is_sts("", 0));
}

static void test_kv_split(void **state)
{
    (void)state;
    struct mtasts_kv kv[4];
    struct mtasts_findings fx;
    size_t n = 0;
    const char *r = "a=1; b=2 ;c=3;";
    mtasts_findings_init(&fx);
    mtasts_kv_split(r, strlen(r), kv, 4, &n, &fx);
    assert_int_equal(n, 3);
    assert_int_equal(fx.n, 0);
    assert_int_equal(kv[1].klen, 1);
    assert_memory_equal(kv[1].val, "2", 1);
    assert_int_equal(kv[1].vlen, 1);
    /* too many fields: kept up to max, then an error */
    r = "a=1;b=2;c=3;d=4;e=5";
    mtasts_findings_init(&fx);
    mtasts_kv_split(r, strlen(r), kv, 4, &n, &fx);
    assert_int_equal(n, 4);
    assert_int_equal(fx.worst, MTASTS_ERR);
    /* 33-character name */
    r = "v=1; abcdefghijklmnopqrstuvwxyz0123456=x";
    mtasts_findings_init(&fx);
    mtasts_kv_split(r, strlen(r), kv, 4, &n, &fx);
    assert_int_equal(n, 1);
    assert_int_equal(fx.worst, MTASTS_ERR);
    mtasts_findings_init(&fx);
    mtasts_kv_split("", 0, kv, 4, &n, &fx);
    assert_int_equal(n, 0);
    assert_int_equal(fx.worst, MTASTS_ERR);
}

static void test_findings_cap(void **state)
{
    (void)state;
    struct mtasts_findings fx;
    mtasts_findings_init(&fx);
    for (int i = 0; i < MTASTS_FINDINGS_MAX + 5; i++)
        mtasts_finding_add(&fx, i == MTASTS_FINDINGS_MAX + 3 ? MTASTS_ERR : MTASTS_NOTE, "n%d", i);
    assert_int_equal(fx.n, MTASTS_FINDINGS_MAX);
    assert_int_equal(fx.dropped, 5);
    assert_int_equal(fx.worst, MTASTS_ERR); /* a dropped error still counts */
    struct stc_err err;
    stc_err_clear(&err);
    assert_int_equal(mtasts_findings_rc(&fx, "x", &err), STC_E_PARSE);
    /* long messages are truncated, not overflowed */
    char big[1000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    mtasts_findings_init(&fx);
    mtasts_finding_add(&fx, MTASTS_WARN, "%s", big);
    assert_int_equal(strlen(fx.f[0].msg), MTASTS_FINDING_LEN - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc_example),  cmocka_unit_test(test_variants_ok),
        cmocka_unit_test(test_id_rules),     cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_is_sts),       cmocka_unit_test(test_kv_split),
        cmocka_unit_test(test_findings_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
