/* test_util_text - text_escape (control bytes, truncation) and bounded compares. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/text.h"

static void test_escape_bytes(void **state)
{
    (void)state;
    char out[128];
    assert_int_equal(text_escape("plain text ~", 12, out, sizeof out), 12);
    assert_string_equal(out, "plain text ~");
    static const uint8_t in[] = {0x00, 0x1b, '[', '2', 'J', '\\', 0x7f, 0x80, 0xff, '\r', '\n', '\t'};
    size_t n = text_escape(in, sizeof in, out, sizeof out);
    assert_string_equal(out, "\\x00\\x1b[2J\\\\\\x7f\\x80\\xff\\x0d\\x0a\\x09");
    assert_int_equal(n, strlen(out));
    for (size_t i = 0; out[i]; i++)
        assert_true(out[i] >= 0x20 && out[i] < 0x7f);
    assert_int_equal(text_escape("", 0, out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(text_escape(NULL, 0, out, sizeof out), 0);
}

static void test_escape_truncation(void **state)
{
    (void)state;
    char out[64];
    /* Exactly fits: no "..." */
    assert_int_equal(text_escape("abcd", 4, out, 5), 4);
    assert_string_equal(out, "abcd");
    /* One byte short: cut with "..." and never overflow. */
    memset(out, '#', sizeof out);
    assert_int_equal(text_escape("abcdef", 6, out, 6), 5);
    assert_string_equal(out, "ab...");
    assert_int_equal(out[6], '#');
    /* A cut never splits an escape: "\x0..." would misreport the byte. */
    static const uint8_t ctl[] = {1, 2, 3, 4};
    for (size_t sz = 1; sz <= 17; sz++) {
        memset(out, '#', sizeof out);
        size_t n = text_escape(ctl, sizeof ctl, out, sz);
        assert_int_equal(n, strlen(out));
        assert_true(n < sz);
        assert_int_equal(out[sz], '#'); /* nothing written past outsz */
        size_t body = n;
        if (n >= 3 && strcmp(out + n - 3, "...") == 0)
            body = n - 3;
        assert_int_equal(body % 4, 0);
        for (size_t i = 0; i < body; i += 4)
            assert_memory_equal(out + i, "\\x0", 3);
    }
    /* Escaped backslash is never cut in half. */
    assert_int_equal(text_escape("a\\\\", 3, out, 5), 4);
    assert_string_equal(out, "a...");
    assert_int_equal(text_escape("\\\\\\\\", 4, out, 7), 5); /* 4 backslashes */
    assert_string_equal(out, "\\\\..."); /* one escaped backslash + "..." */
    /* Tiny buffers: always NUL-terminated. */
    assert_int_equal(text_escape("abc", 3, out, 1), 0);
    assert_string_equal(out, "");
    assert_int_equal(text_escape("abc", 3, out, 3), 0);
    assert_string_equal(out, "");
    assert_int_equal(text_escape("abcdef", 6, out, 4), 3);
    assert_string_equal(out, "...");
    memset(out, '#', sizeof out);
    assert_int_equal(text_escape("abc", 3, out, 0), 0);
    assert_int_equal(out[0], '#');
}

static void test_compare(void **state)
{
    (void)state;
    assert_true(text_ieq("STARTTLS", 8, "starttls"));
    assert_true(text_ieq("StartTls", 8, "STARTTLS"));
    assert_false(text_ieq("STARTTLS", 7, "STARTTLS"));
    assert_false(text_ieq("STARTTLSX", 9, "STARTTLS"));
    assert_false(text_ieq("STARTTLS\0", 9, "STARTTLS"));
    /* Bytes beyond n are never looked at (no NUL needed). */
    char nonul[4] = {'s', 'i', 'z', 'e'};
    assert_true(text_ieq(nonul, 4, "SIZE"));
    assert_true(text_iprefix(nonul, 4, "SI"));
    assert_false(text_iprefix(nonul, 1, "SI"));
    assert_true(text_iprefix(nonul, 0, ""));
    /* Only ASCII letters fold: '@' (0x40) is not '`' (0x60), 0xc1 not 0xe1. */
    assert_false(text_ieq("@", 1, "`"));
    assert_false(text_ieq("\xc1", 1, "\xe1"));
}

static void test_dup_lower(void **state)
{
    (void)state;
    char *s = text_ndup("ab\0cd", 5);
    assert_non_null(s);
    assert_memory_equal(s, "ab\0cd", 6);
    free(s);
    assert_null(text_dup(NULL));
    s = text_dup("MiXeD.Example");
    text_lower(s);
    assert_string_equal(s, "mixed.example");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_bytes), cmocka_unit_test(test_escape_truncation),
        cmocka_unit_test(test_compare), cmocka_unit_test(test_dup_lower),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
