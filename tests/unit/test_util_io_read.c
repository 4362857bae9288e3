/* test_util_io_read - the one read loop (io_read_parse) and rd_peek: chunks
 * arrive in pieces, the buffer never grows past its max, read errors and
 * parser errors come back unchanged, a peek never points past the data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/io.h"

/* A peer that sends `data` one byte per read, then closes. */
struct script {
    const char *data;
    size_t pos, reads;
};

static stc_rc s_read(struct io *io, uint8_t *p, size_t cap, size_t *got, struct deadline d,
                     struct stc_err *err)
{
    struct script *s = io->ctx;
    (void)d;
    s->reads++;
    if (s->data[s->pos] == '\0')
        return err_set(err, STC_E_PEER, "connection closed by peer");
    assert_true(cap > 0);
    p[0] = (uint8_t)s->data[s->pos++];
    *got = 1;
    return STC_OK;
}

static stc_rc s_write(struct io *io, const uint8_t *p, size_t n, struct deadline d,
                      struct stc_err *err)
{
    (void)io, (void)p, (void)n, (void)d, (void)err;
    return STC_OK;
}

static const struct io_ops OPS = {s_read, s_write};

/* Done at the first '\n'; "!" is a parse error. */
static stc_rc until_newline(void *ctx, const uint8_t *p, size_t n, struct stc_err *err)
{
    size_t *calls = ctx;
    (*calls)++;
    if (n > 0 && memchr(p, '!', n) != NULL)
        return err_set(err, STC_E_PEER, "bang");
    return n > 0 && memchr(p, '\n', n) != NULL ? STC_OK : STC_E_NOTFOUND;
}

static stc_rc run(const char *data, size_t max, size_t *calls, size_t *len, struct stc_err *err)
{
    struct script sc = {data, 0, 0};
    struct io io = {&OPS, &sc};
    struct buf in;
    buf_init(&in, max);
    *calls = 0;
    stc_rc rc = io_read_parse(&io, &in, 4, deadline_in(1000), until_newline, calls, err);
    *len = in.len;
    buf_free(&in);
    return rc;
}

static void test_loop(void **state)
{
    (void)state;
    size_t calls, len;
    struct stc_err err = {0};
    assert_int_equal(run("abc\nrest", 64, &calls, &len, &err), STC_OK);
    assert_int_equal(len, 4);   /* stops reading once the parser is satisfied */
    assert_int_equal(calls, 5); /* once before any read, then after each byte */
    stc_err_clear(&err);
    assert_int_equal(run("abcdefgh", 5, &calls, &len, &err), STC_E_LIMIT);
    assert_int_equal(len, 5); /* never past max */
    stc_err_clear(&err);
    assert_int_equal(run("ab", 64, &calls, &len, &err), STC_E_PEER);
    assert_string_equal(err.msg, "connection closed by peer");
    stc_err_clear(&err);
    assert_int_equal(run("a!", 64, &calls, &len, &err), STC_E_PEER);
    assert_string_equal(err.msg, "bang");
}

static void test_peek(void **state)
{
    (void)state;
    static const uint8_t data[] = "hello";
    struct rd r;
    const uint8_t *p;
    size_t n;
    rd_init(&r, data, 5);
    rd_peek(&r, 3, &p, &n);
    assert_int_equal(n, 3);
    assert_ptr_equal(p, data);
    assert_int_equal(r.pos, 0); /* nothing consumed */
    r.pos = 5;
    rd_peek(&r, 100, &p, &n);
    assert_int_equal(n, 0);
    assert_true(p >= data && p <= data + 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_loop), cmocka_unit_test(test_peek)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
