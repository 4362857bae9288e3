/* test_smtp_ehlo - smtp_ehlo_parse on raw reply bytes, friendly and hostile. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp.h"
#include "util/buf.h"

/* Raw reply bytes -> parsed reply -> extensions. */
static void ehlo_of(const char *raw, struct smtp_ehlo *ext)
{
    struct smtp_reply rep;
    struct stc_err err;
    struct rd r;
    stc_err_clear(&err);
    rd_init(&r, raw, strlen(raw));
    assert_int_equal(smtp_reply_parse(&r, &rep, &err), STC_OK);
    smtp_ehlo_parse(&rep, ext);
    smtp_reply_free(&rep);
}

static void test_typical(void **state)
{
    (void)state;
    struct smtp_ehlo e;
    ehlo_of("250-mx.example Hello STARTTLS friend\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
            "250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
            "250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n",
            &e);
    assert_true(e.starttls);
    assert_true(e.pipelining);
    assert_true(e.size_present);
    assert_int_equal(e.size, 10240000);
    assert_true(e.eightbitmime);
    assert_true(e.smtputf8);
    assert_true(e.chunking);
    assert_false(e.requiretls);
    assert_int_equal(e.nkeywords, 10);
    assert_string_equal(e.keywords[0], "PIPELINING");
    assert_string_equal(e.keywords[9], "CHUNKING");
}

static void test_greeting_line_ignored(void **state)
{
    (void)state;
    struct smtp_ehlo e;
    /* The first line is the server's name + greeting, never a keyword. */
    ehlo_of("250 STARTTLS\r\n", &e);
    assert_false(e.starttls);
    assert_int_equal(e.nkeywords, 0);
}

static void test_empty_greeting_line(void **state)
{
    (void)state;
    struct smtp_ehlo e;
    /* Found by fuzzing: a greeting line without text must still count as
     * the first line, so STARTTLS on the second is seen. */
    ehlo_of("250-\r\n250-STARTTLS\r\n250 SIZE\r\n", &e);
    assert_true(e.starttls);
    assert_true(e.size_present);
    assert_int_equal(e.nkeywords, 2);
}

static void test_case_and_spaces(void **state)
{
    (void)state;
    struct smtp_ehlo e;
    ehlo_of("250-mx\r\n250-starttls\r\n250-RequireTLS\r\n250 pipelining \r\n", &e);
    assert_true(e.starttls);
    assert_true(e.requiretls);
    assert_true(e.pipelining);
    assert_string_equal(e.keywords[0], "STARTTLS");
    assert_string_equal(e.keywords[1], "REQUIRETLS");
    ehlo_of("250-mx\r\n250 STARTTLS \r\n", &e);
    assert_true(e.starttls);
    /* Not STARTTLS: prefix, suffix, tab, leading space. */
    ehlo_of("250-mx\r\n250-STARTTLSX\r\n250-XSTARTTLS\r\n250-START TLS\r\n250-STARTTLS\t\r\n"
            "250  STARTTLS\r\n250 STARTTL\r\n",
            &e);
    assert_false(e.starttls);
}

static void test_size(void **state)
{
    (void)state;
    struct smtp_ehlo e;
    ehlo_of("250-mx\r\n250 SIZE\r\n", &e);
    assert_true(e.size_present);
    assert_int_equal(e.size, 0);
    ehlo_of("250-mx\r\n250 SIZE 99999999999999999999\r\n", &e);
    assert_true(e.size_present);
    assert_int_equal(e.size, -1);
    ehlo_of("250-mx\r\n250 SIZE 1000000000000000\r\n", &e);
    assert_int_equal(e.size, SMTP_SIZE_MAX);
    ehlo_of("250-mx\r\n250 SIZE 1000000000000001\r\n", &e);
    assert_int_equal(e.size, -1);
    ehlo_of("250-mx\r\n250 SIZE -5\r\n", &e);
    assert_int_equal(e.size, -1);
    ehlo_of("250-mx\r\n250 SIZE 12ab\r\n", &e);
    assert_int_equal(e.size, -1);
    ehlo_of("250-mx\r\n250-size 42\r\n250 SIZE 7\r\n", &e);
    assert_int_equal(e.size, 42); /* the first one counts */
    ehlo_of("250-mx\r\n250 PIPELINING\r\n", &e);
    assert_false(e.size_present);
}

static void test_keyword_cap(void **state)
{
    (void)state;
    struct buf b;
    struct smtp_ehlo e;
    buf_init(&b, 1 << 16);
    assert_int_equal(buf_append_str(&b, "250-mx\r\n", NULL), STC_OK);
    for (int i = 0; i < 90; i++) {
        char l[64];
        snprintf(l, sizeof l, "250%ckw%d\r\n", i == 89 ? ' ' : '-', i);
        assert_int_equal(buf_append_str(&b, l, NULL), STC_OK);
    }
    assert_int_equal(buf_terminate(&b, NULL), STC_OK);
    ehlo_of((const char *)b.data, &e);
    assert_int_equal(e.nkeywords, 64);
    assert_string_equal(e.keywords[63], "KW63");
    buf_free(&b);
    /* STARTTLS after the 64th keyword still sets the flag. */
    buf_init(&b, 1 << 16);
    assert_int_equal(buf_append_str(&b, "250-mx\r\n", NULL), STC_OK);
    for (int i = 0; i < 70; i++)
        assert_int_equal(buf_append_str(&b, "250-X\r\n", NULL), STC_OK);
    assert_int_equal(buf_append_str(&b, "250 STARTTLS\r\n", NULL), STC_OK);
    assert_int_equal(buf_terminate(&b, NULL), STC_OK);
    ehlo_of((const char *)b.data, &e);
    assert_true(e.starttls);
    assert_int_equal(e.nkeywords, 64);
    buf_free(&b);
}

static void test_long_and_hostile_keywords(void **state)
{
    (void)state;
    struct smtp_ehlo e;
    ehlo_of("250-mx\r\n250-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-LONG x\r\n"
            "250-AUTH=LOGIN\r\n250-\x1b[2J\r\n250-\\x41\r\n250-\r\n250 -X\r\n",
            &e);
    assert_int_equal(e.nkeywords, 1);
    assert_int_equal(strlen(e.keywords[0]), 31);
    assert_string_equal(e.keywords[0], "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234");
}

static void test_not_250(void **state)
{
    (void)state;
    struct smtp_ehlo e;
    memset(&e, 0x55, sizeof e);
    ehlo_of("502-not\r\n502 STARTTLS\r\n", &e);
    assert_false(e.starttls);
    assert_int_equal(e.nkeywords, 0);
    smtp_ehlo_parse(NULL, &e);
    assert_int_equal(e.nkeywords, 0);
    struct smtp_reply none = {.code = 250, .nlines = 1, .first = "", .text = NULL};
    smtp_ehlo_parse(&none, &e);
    assert_int_equal(e.nkeywords, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typical),    cmocka_unit_test(test_greeting_line_ignored),
        cmocka_unit_test(test_case_and_spaces), cmocka_unit_test(test_size),
        cmocka_unit_test(test_keyword_cap), cmocka_unit_test(test_long_and_hostile_keywords),
        cmocka_unit_test(test_not_250),    cmocka_unit_test(test_empty_greeting_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
