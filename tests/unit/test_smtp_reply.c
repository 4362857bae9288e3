/* test_smtp_reply - smtp_reply_parse: well-formed, hostile and incremental input. */
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

/* Parse n bytes; on success the reply is kept in *rep and *used is the consumed length. */
static stc_rc parse_n(const void *p, size_t n, struct smtp_reply *rep, size_t *used,
                      struct stc_err *err)
{
    struct rd r;
    rd_init(&r, p, n);
    stc_err_clear(err);
    memset(rep, 0, sizeof *rep);
    stc_rc rc = smtp_reply_parse(&r, rep, err);
    if (used)
        *used = r.pos;
    if (rc != STC_OK)
        assert_int_equal(r.pos, 0); /* failure never consumes */
    return rc;
}

static stc_rc parse_s(const char *s, struct smtp_reply *rep, struct stc_err *err)
{
    return parse_n(s, strlen(s), rep, NULL, err);
}

static void test_single_line(void **state)
{
    (void)state;
    struct smtp_reply rep;
    struct stc_err err;
    size_t used;
    const char *s = "220 mx.example ESMTP ready\r\nEXTRA";
    assert_int_equal(parse_n(s, strlen(s), &rep, &used, &err), STC_OK);
    assert_int_equal(rep.code, 220);
    assert_int_equal(rep.nlines, 1);
    assert_string_equal(rep.first, "mx.example ESMTP ready");
    assert_string_equal(rep.text, "mx.example ESMTP ready");
    assert_int_equal(used, strlen("220 mx.example ESMTP ready\r\n"));
    smtp_reply_free(&rep);
    assert_null(rep.text);
    smtp_reply_free(&rep); /* twice is fine */
}

static void test_multi_line(void **state)
{
    (void)state;
    struct smtp_reply rep;
    struct stc_err err;
    assert_int_equal(parse_s("250-mx.example hello\r\n250-PIPELINING\r\n250-\r\n250 STARTTLS\r\n",
                             &rep, &err),
                     STC_OK);
    assert_int_equal(rep.code, 250);
    assert_int_equal(rep.nlines, 4);
    assert_string_equal(rep.first, "mx.example hello");
    assert_string_equal(rep.text, "mx.example hello\nPIPELINING\n\nSTARTTLS");
    smtp_reply_free(&rep);
}

static void test_bare_code(void **state)
{
    (void)state;
    struct smtp_reply rep;
    struct stc_err err;
    assert_int_equal(parse_s("354\r\n", &rep, &err), STC_OK);
    assert_int_equal(rep.code, 354);
    assert_int_equal(rep.nlines, 1);
    assert_string_equal(rep.first, "");
    assert_string_equal(rep.text, "");
    smtp_reply_free(&rep);
    /* Bare code ends a multi-line reply too; "DDD " with empty text as well. */
    assert_int_equal(parse_s("250-a\r\n250\r\n", &rep, &err), STC_OK);
    assert_int_equal(rep.nlines, 2);
    assert_string_equal(rep.text, "a\n");
    smtp_reply_free(&rep);
    assert_int_equal(parse_s("421 \r\n", &rep, &err), STC_OK);
    assert_int_equal(rep.code, 421);
    smtp_reply_free(&rep);
}

static void test_mixed_codes(void **state)
{
    (void)state;
    struct smtp_reply rep;
    struct stc_err err;
    assert_int_equal(parse_s("250-a\r\n251 b\r\n", &rep, &err), STC_E_PEER);
    assert_non_null(strstr(err.msg, "mixed"));
    /* Detected already on the partial second line. */
    assert_int_equal(parse_s("250-a\r\n221", &rep, &err), STC_E_PEER);
}

static void test_bad_separator(void **state)
{
    (void)state;
    struct smtp_reply rep;
    struct stc_err err;
    const char *bad[] = {"250_ok\r\n", "250x\r\n", "2500 ok\r\n", "250\tok\r\n", "25\r\n",
                         "\r\n",       " 250 ok\r\n", "250\r\r\n", NULL};
    for (size_t i = 0; bad[i]; i++) {
        assert_int_equal(parse_s(bad[i], &rep, &err), STC_E_PEER);
        assert_int_equal(err.code, STC_E_PEER);
    }
    assert_int_equal(parse_s("250_ok\r\n", &rep, &err), STC_E_PEER);
    assert_string_equal(err.msg, "not an SMTP reply: \"250_ok\"");
}

static void test_code_digits(void **state)
{
    (void)state;
    struct smtp_reply rep;
    struct stc_err err;
    const char *bad[] = {"2x0 ok\r\n", "600 ok\r\n", "099 ok\r\n", "199 ok\r\n", "abc ok\r\n",
                         "-250 ok\r\n", NULL};
    for (size_t i = 0; bad[i]; i++)
        assert_int_equal(parse_s(bad[i], &rep, &err), STC_E_PEER);
    const char *good[] = {"200 a\r\n", "599 b\r\n", "354 c\r\n", NULL};
    for (size_t i = 0; good[i]; i++) {
        assert_int_equal(parse_s(good[i], &rep, &err), STC_OK);
        smtp_reply_free(&rep);
    }
}

static void test_nul(void **state)
{
    (void)state;
    struct smtp_reply rep;
    struct stc_err err;
    static const char a[] = "250 o\0k\r\n";
    assert_int_equal(parse_n(a, sizeof a - 1, &rep, NULL, &err), STC_E_PEER);
    assert_non_null(strstr(err.msg, "NUL"));
    /* NUL in an incomplete line is rejected at once, not after the LF. */
    static const char b[] = "250-ok\r\n250 x\0";
    assert_int_equal(parse_n(b, sizeof b - 1, &rep, NULL, &err), STC_E_PEER);
    static const char c[] = "25\0";
    assert_int_equal(parse_n(c, sizeof c - 1, &rep, NULL, &err), STC_E_PEER);
}

/* "250 " + filler up to total text length n, then CRLF. */
static char *line_of(size_t n, const char *prefix)
{
    char *s = malloc(n + 3);
    assert_non_null(s);
    memset(s, 'a', n);
    memcpy(s, prefix, strlen(prefix));
    memcpy(s + n, "\r\n", 3);
    return s;
}

static void test_line_length(void **state)
{
    (void)state;
    struct smtp_reply rep;
    struct stc_err err;
    char *s = line_of(512, "250 ");
    assert_int_equal(parse_s(s, &rep, &err), STC_OK);
    assert_int_equal(strlen(rep.text), 508);
    assert_int_equal(strlen(rep.first), 508);
    smtp_reply_free(&rep);
    free(s);

    s = line_of(513, "250 ");
    assert_int_equal(parse_s(s, &rep, &err), STC_E_LIMIT);
    assert_string_equal(err.msg, "reply line longer than 512 bytes");
    free(s);

    /* Long line without any LF yet: LIMIT once past the cap, NOTFOUND before. */
    s = line_of(600, "250 ");
    assert_int_equal(parse_n(s, 500, &rep, NULL, &err), STC_E_NOTFOUND);
    assert_int_equal(parse_n(s, 600, &rep, NULL, &err), STC_E_LIMIT);
    free(s);

    /* A 512-byte line of control bytes: kept exactly, whole, in text and first[]. */
    char ctl[520];
    memcpy(ctl, "250 ", 4);
    memset(ctl + 4, 0x01, 508);
    memcpy(ctl + 512, "\r\n", 2);
    assert_int_equal(parse_n(ctl, 514, &rep, NULL, &err), STC_OK);
    assert_int_equal(strlen(rep.text), 508);
    assert_int_equal(strlen(rep.first), 508);
    assert_memory_equal(rep.first, ctl + 4, 508);
    smtp_reply_free(&rep);
}

static char *many_lines(size_t n, int end)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    for (size_t i = 0; i < n; i++) {
        char l[48];
        snprintf(l, sizeof l, "250%c line %zu\r\n", (end && i == n - 1) ? ' ' : '-', i);
        assert_int_equal(buf_append_str(&b, l, NULL), STC_OK);
    }
    assert_int_equal(buf_terminate(&b, NULL), STC_OK);
    return (char *)b.data;
}

static void test_line_count(void **state)
{
    (void)state;
    struct smtp_reply rep;
    struct stc_err err;
    char *s = many_lines(STC_SMTP_REPLY_LINES_MAX, 1);
    assert_int_equal(parse_s(s, &rep, &err), STC_OK);
    assert_int_equal(rep.nlines, STC_SMTP_REPLY_LINES_MAX);
    smtp_reply_free(&rep);
    free(s);

    s = many_lines(STC_SMTP_REPLY_LINES_MAX + 1, 1);
    assert_int_equal(parse_s(s, &rep, &err), STC_E_LIMIT);
    assert_string_equal(err.msg, "reply has more than 100 lines");
    free(s);

    /* 100 continuation lines: LIMIT without waiting for a 101st line. */
    s = many_lines(STC_SMTP_REPLY_LINES_MAX, 0);
    assert_int_equal(parse_s(s, &rep, &err), STC_E_LIMIT);
    free(s);
}

static void test_byte_cap(void **state)
{
    (void)state;
    struct smtp_reply rep;
    struct stc_err err;
    /* 70 lines of 510 bytes: under the line cap, over the 32 KiB byte cap. */
    struct buf b;
    buf_init(&b, 1 << 20);
    for (int i = 0; i < 70; i++) {
        char *l = line_of(510, "250-");
        assert_int_equal(buf_append_str(&b, l, NULL), STC_OK);
        free(l);
    }
    struct rd r;
    rd_init(&r, b.data, b.len);
    stc_err_clear(&err);
    assert_int_equal(smtp_reply_parse(&r, &rep, &err), STC_E_LIMIT);
    assert_non_null(strstr(err.msg, "32768"));
    buf_free(&b);
}

static void test_incremental(void **state)
{
    (void)state;
    struct smtp_reply rep;
    struct stc_err err;
    const char *s = "250-first\r\n250-second\n250 third\r\nNEXT";
    size_t whole = strlen("250-first\r\n250-second\n250 third\r\n");
    for (size_t n = 0; n < whole; n++) {
        size_t used = 99;
        assert_int_equal(parse_n(s, n, &rep, &used, &err), STC_E_NOTFOUND);
        assert_int_equal(used, 0);
        assert_int_equal(err.code, STC_OK); /* NOTFOUND is not an error */
    }
    size_t used;
    assert_int_equal(parse_n(s, whole, &rep, &used, &err), STC_OK);
    assert_int_equal(used, whole);
    assert_int_equal(rep.nlines, 3);
    assert_string_equal(rep.text, "first\nsecond\nthird");
    smtp_reply_free(&rep);
    /* Extra bytes after a complete reply are left for the next parse. */
    assert_int_equal(parse_n(s, strlen(s), &rep, &used, &err), STC_OK);
    assert_int_equal(used, whole);
    smtp_reply_free(&rep);
}

static void test_crlf_lf(void **state)
{
    (void)state;
    struct smtp_reply rep;
    struct stc_err err;
    assert_int_equal(parse_s("220 lf only\n", &rep, &err), STC_OK);
    assert_string_equal(rep.first, "lf only");
    smtp_reply_free(&rep);
    /* A CR inside the text is kept as it is. */
    assert_int_equal(parse_s("220 a\rb\r\n", &rep, &err), STC_OK);
    assert_string_equal(rep.first, "a\rb");
    smtp_reply_free(&rep);
    /* "DDD\r" waiting for its LF is fine. */
    assert_int_equal(parse_s("220\r", &rep, &err), STC_E_NOTFOUND);
}

/* Server text is kept exactly (a tab, ESC, a backslash, invalid UTF-8): the
 * terminal views censor it, the JSON writer encodes it. */
static void test_exact_text(void **state)
{
    (void)state;
    struct smtp_reply rep;
    struct stc_err err;
    assert_int_equal(parse_s("220-\x1b[31mred\\ \xff\tx\r\n220 two\r\n", &rep, &err), STC_OK);
    assert_string_equal(rep.first, "\x1b[31mred\\ \xff\tx");
    assert_string_equal(rep.text, "\x1b[31mred\\ \xff\tx\ntwo");
    smtp_reply_free(&rep);
}

static void test_garbage(void **state)
{
    (void)state;
    struct smtp_reply rep;
    struct stc_err err;
    /* A TLS ServerHello / alert on port 25: rejected from the first byte. */
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x00, 0x2a};
    assert_int_equal(parse_n(tls, sizeof tls, &rep, NULL, &err), STC_E_PEER);
    assert_non_null(strstr(err.msg, "\\x16\\x03"));
    /* An HTTP server: rejected before any LF arrives. */
    assert_int_equal(parse_s("HTTP/1.1 400 Bad", &rep, &err), STC_E_PEER);
    /* Long garbage: the message quotes only a bounded, escaped prefix. */
    char junk[2000];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(0x80 + i % 100);
    junk[sizeof junk - 1] = '\n';
    assert_int_equal(parse_n(junk, sizeof junk, &rep, NULL, &err), STC_E_PEER);
    assert_true(strlen(err.msg) < 300);
    for (size_t i = 0; err.msg[i]; i++)
        assert_true(err.msg[i] >= 0x20 && err.msg[i] < 0x7f);
    /* Terminal escapes led by a NUL, complete line: garbage, quoted escaped. */
    static const char esc[] = "\0\x1b[2J\x1b]0;pwned\x07\r\n";
    assert_int_equal(parse_n(esc, sizeof esc - 1, &rep, NULL, &err), STC_E_PEER);
    assert_string_equal(err.msg, "not an SMTP reply: \"\\x00\\x1b[2J\\x1b]0;pwned\\x07\\x0d\\x0a\"");
    /* Over-long garbage line is reported as garbage, not as a long line. */
    memset(junk, 'x', sizeof junk);
    assert_int_equal(parse_n(junk, sizeof junk, &rep, NULL, &err), STC_E_PEER);
}

static void test_empty(void **state)
{
    (void)state;
    struct smtp_reply rep;
    struct stc_err err;
    assert_int_equal(parse_n("", 0, &rep, NULL, &err), STC_E_NOTFOUND);
    assert_int_equal(parse_n(NULL, 0, &rep, NULL, &err), STC_E_NOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_line),   cmocka_unit_test(test_multi_line),
        cmocka_unit_test(test_bare_code),     cmocka_unit_test(test_mixed_codes),
        cmocka_unit_test(test_bad_separator), cmocka_unit_test(test_code_digits),
        cmocka_unit_test(test_nul),           cmocka_unit_test(test_line_length),
        cmocka_unit_test(test_line_count),    cmocka_unit_test(test_byte_cap),
        cmocka_unit_test(test_incremental),   cmocka_unit_test(test_crlf_lf),
        cmocka_unit_test(test_exact_text),      cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
