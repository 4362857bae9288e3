/* test_util_buf - struct buf growth and caps, struct rd bounds, rd_line edges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

static void test_buf_growth(void **state)
{
    (void)state;
    struct buf b;
    struct stc_err err;
    stc_err_clear(&err);
    buf_init(&b, 10000);
    assert_null(b.data);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_append(&b, "0123456789", 10, &err), STC_OK);
    assert_int_equal(b.len, 10000);
    assert_true(b.cap >= b.len && b.cap <= b.max + 1);
    assert_memory_equal(b.data + 9990, "0123456789", 10);
    /* Exactly full: one more byte is LIMIT, nothing changes. */
    assert_int_equal(buf_append(&b, "x", 1, &err), STC_E_LIMIT);
    assert_int_equal(err.code, STC_E_LIMIT);
    assert_int_equal(b.len, 10000);
    /* Terminating a full buffer still works (the extra byte). */
    assert_int_equal(buf_terminate(&b, NULL), STC_OK);
    assert_int_equal(b.data[10000], '\0');
    assert_int_equal(b.len, 10000);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_buf_limits(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 5);
    assert_int_equal(buf_append(&b, "123456", 6, NULL), STC_E_LIMIT);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_append(&b, "", 0, NULL), STC_OK);
    assert_int_equal(buf_append_str(&b, "12345", NULL), STC_OK);
    /* Huge n must not wrap around the limit check. */
    assert_int_equal(buf_reserve(&b, SIZE_MAX, NULL), STC_E_LIMIT);
    assert_int_equal(buf_reserve(&b, SIZE_MAX - 2, NULL), STC_E_LIMIT);
    buf_consume(&b, 2);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "345", 3);
    assert_int_equal(buf_append(&b, "ab", 2, NULL), STC_OK);
    buf_consume(&b, 100); /* more than len: empties */
    assert_int_equal(b.len, 0);
    buf_free(&b);

    buf_init(&b, 0); /* max 0: nothing fits, terminate still works */
    assert_int_equal(buf_append(&b, "x", 1, NULL), STC_E_LIMIT);
    assert_int_equal(buf_terminate(&b, NULL), STC_OK);
    assert_int_equal(b.data[0], '\0');
    buf_free(&b);
}

static void test_rd_bounds(void **state)
{
    (void)state;
    static const uint8_t d[] = {1, 2, 3, 4, 5, 6};
    struct rd r;
    uint8_t u8;
    uint16_t u16;
    uint32_t u24;
    const uint8_t *p;
    rd_init(&r, d, sizeof d);
    assert_int_equal(rd_u8(&r, &u8), STC_OK);
    assert_int_equal(u8, 1);
    assert_int_equal(rd_u16(&r, &u16), STC_OK);
    assert_int_equal(u16, 0x0203);
    assert_int_equal(rd_u24(&r, &u24), STC_OK);
    assert_int_equal(u24, 0x040506);
    assert_int_equal(rd_left(&r), 0);
    assert_int_equal(rd_u8(&r, &u8), STC_E_PARSE);
    assert_int_equal(rd_u16(&r, &u16), STC_E_PARSE);
    assert_int_equal(rd_u24(&r, &u24), STC_E_PARSE);
    assert_int_equal(rd_bytes(&r, 1, &p), STC_E_PARSE);
    assert_int_equal(rd_bytes(&r, 0, &p), STC_OK);

    rd_init(&r, d, 2);
    assert_int_equal(rd_u24(&r, &u24), STC_E_PARSE);
    assert_int_equal(r.pos, 0); /* failure consumes nothing */
    assert_int_equal(rd_bytes(&r, SIZE_MAX, &p), STC_E_PARSE);
    assert_int_equal(rd_bytes(&r, 2, &p), STC_OK);
    assert_ptr_equal(p, d);

    rd_init(&r, NULL, 100); /* NULL data is empty whatever the length */
    assert_int_equal(rd_left(&r), 0);
    assert_int_equal(rd_u8(&r, &u8), STC_E_PARSE);
    /* An unallocated struct buf (data NULL) is read without NULL + 0 (UBSan). */
    const uint8_t *line;
    size_t n;
    assert_int_equal(rd_bytes(&r, 0, &p), STC_OK);
    assert_null(p);
    assert_int_equal(rd_line(&r, 512, &line, &n), STC_E_NOTFOUND);
}

static stc_rc line_of(const char *s, size_t n, size_t max, size_t *got_n, size_t *pos)
{
    struct rd r;
    const uint8_t *line = NULL;
    rd_init(&r, s, n);
    stc_rc rc = rd_line(&r, max, &line, got_n);
    *pos = r.pos;
    if (rc == STC_OK)
        assert_ptr_equal(line, s);
    return rc;
}

static void test_rd_line(void **state)
{
    (void)state;
    size_t n, pos;
    /* CRLF and bare LF; only the CR just before LF is stripped. */
    assert_int_equal(line_of("abc\r\nx", 6, 10, &n, &pos), STC_OK);
    assert_int_equal(n, 3);
    assert_int_equal(pos, 5);
    assert_int_equal(line_of("abc\nx", 5, 10, &n, &pos), STC_OK);
    assert_int_equal(n, 3);
    assert_int_equal(pos, 4);
    assert_int_equal(line_of("a\rb\r\r\n", 6, 10, &n, &pos), STC_OK);
    assert_int_equal(n, 4);
    assert_int_equal(line_of("\n", 1, 10, &n, &pos), STC_OK);
    assert_int_equal(n, 0);

    /* Max-length line with CRLF fits exactly; max+1 is LIMIT, consuming nothing. */
    char l[64];
    memset(l, 'x', sizeof l);
    memcpy(l + 10, "\r\n", 2);
    assert_int_equal(line_of(l, 12, 10, &n, &pos), STC_OK);
    assert_int_equal(n, 10);
    memcpy(l + 10, "\n", 1);
    assert_int_equal(line_of(l, 11, 10, &n, &pos), STC_OK);
    memset(l, 'x', sizeof l);
    memcpy(l + 11, "\r\n", 2);
    assert_int_equal(line_of(l, 13, 10, &n, &pos), STC_E_LIMIT);
    assert_int_equal(pos, 0);
    memcpy(l + 11, "\n", 1);
    assert_int_equal(line_of(l, 12, 10, &n, &pos), STC_E_LIMIT);
    assert_int_equal(pos, 0);

    /* No LF: NOTFOUND while a max line could still complete, LIMIT after. */
    memset(l, 'x', sizeof l);
    assert_int_equal(line_of(l, 11, 10, &n, &pos), STC_E_NOTFOUND);
    l[10] = '\r';
    assert_int_equal(line_of(l, 11, 10, &n, &pos), STC_E_NOTFOUND); /* CR of a max line */
    assert_int_equal(line_of(l, 12, 10, &n, &pos), STC_E_LIMIT);
    assert_int_equal(line_of(l, 64, 10, &n, &pos), STC_E_LIMIT);
    assert_int_equal(line_of("", 0, 10, &n, &pos), STC_E_NOTFOUND);

    /* NUL anywhere in a complete line. */
    assert_int_equal(line_of("a\0b\r\n", 5, 10, &n, &pos), STC_E_PARSE);
    assert_int_equal(pos, 0);
    assert_int_equal(line_of("\0\n", 2, 10, &n, &pos), STC_E_PARSE);
    assert_int_equal(line_of("ab\r\0\n", 5, 10, &n, &pos), STC_E_PARSE);

    /* Huge max must not overflow. */
    assert_int_equal(line_of("abc\n", 4, SIZE_MAX, &n, &pos), STC_OK);
    assert_int_equal(line_of("abc", 3, SIZE_MAX, &n, &pos), STC_E_NOTFOUND);
    /* max 0: only empty lines. */
    assert_int_equal(line_of("\r\n", 2, 0, &n, &pos), STC_OK);
    assert_int_equal(line_of("a\n", 2, 0, &n, &pos), STC_E_LIMIT);
}

static void test_rd_line_sequence(void **state)
{
    (void)state;
    const char *s = "one\r\ntwo\nthree";
    struct rd r;
    const uint8_t *line;
    size_t n;
    rd_init(&r, s, strlen(s));
    assert_int_equal(rd_line(&r, 100, &line, &n), STC_OK);
    assert_memory_equal(line, "one", n);
    assert_int_equal(rd_line(&r, 100, &line, &n), STC_OK);
    assert_memory_equal(line, "two", n);
    assert_int_equal(rd_line(&r, 100, &line, &n), STC_E_NOTFOUND);
    assert_int_equal(rd_left(&r), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_growth), cmocka_unit_test(test_buf_limits),
        cmocka_unit_test(test_rd_bounds),  cmocka_unit_test(test_rd_line),
        cmocka_unit_test(test_rd_line_sequence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
