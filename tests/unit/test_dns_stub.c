/* test_dns_stub.c - dns_stub_answer on hand-built resolver answers, hostile ones included.
 *
 * Every answer is copied into an exact-size heap buffer, so the ASan build
 * sees any read past its end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns/dns_int.h"

#define ID 0x1234

struct msg {
    uint8_t b[8192];
    size_t n;
};

static void put(struct msg *m, const void *p, size_t n)
{
    assert_true(m->n + n <= sizeof m->b);
    memcpy(m->b + m->n, p, n);
    m->n += n;
}

static void u16(struct msg *m, unsigned v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(m, x, 2);
}

/* Presentation name (no escapes) in wire form, uncompressed. */
static void name(struct msg *m, const char *s)
{
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        uint8_t c = (uint8_t)l;
        put(m, &c, 1);
        put(m, s, l);
        s += l + (dot ? 1 : 0);
    }
    put(m, "", 1);
}

/* Header (QR RD RA, rcode, AD when ad) and one question. */
static void head(struct msg *m, uint16_t id, int rcode, int ad, unsigned an, const char *q,
                 unsigned qtype)
{
    m->n = 0;
    u16(m, id);
    u16(m, 0x8180 | (ad ? 0x20 : 0) | (unsigned)rcode);
    u16(m, 1);
    u16(m, an);
    u16(m, 0);
    u16(m, 0);
    name(m, q);
    u16(m, qtype);
    u16(m, 1);
}

/* An RR whose owner is a pointer to the question name (offset 12). */
static void rr_ptr(struct msg *m, unsigned type, const void *rd, size_t rdlen)
{
    u16(m, 0xc00c);
    u16(m, type);
    u16(m, 1);
    u16(m, 0);
    u16(m, 300);
    u16(m, (unsigned)rdlen);
    put(m, rd, rdlen);
}

static void rr_named(struct msg *m, const char *owner, unsigned type, const void *rd, size_t rdlen)
{
    name(m, owner);
    u16(m, type);
    u16(m, 1);
    u16(m, 0);
    u16(m, 300);
    u16(m, (unsigned)rdlen);
    put(m, rd, rdlen);
}

static void rr_cname(struct msg *m, const char *owner, const char *target)
{
    struct msg t = {.n = 0};
    name(&t, target);
    rr_named(m, owner, 5, t.b, t.n);
}

static stc_rc parse(const char *q, int qtype, const struct msg *m, size_t n, struct ub_result **out,
                    struct stc_err *err)
{
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, m->b, n);
    stc_err_clear(err);
    *out = (struct ub_result *)err; /* must be overwritten */
    stc_rc rc = dns_stub_answer(q, qtype, ID, copy, n, out, err);
    free(copy);
    if (rc != STC_OK) {
        assert_null(*out);
        assert_int_equal(err->code, rc);
        assert_true(err->msg[0] != '\0');
    }
    return rc;
}

static void expect_fail(const char *q, int qtype, const struct msg *m, size_t n)
{
    struct ub_result *r;
    struct stc_err err;
    assert_int_equal(parse(q, qtype, m, n, &r, &err), STC_E_DNS);
}

static void test_a_sorted_secure(void **state)
{
    (void)state;
    struct msg m;
    head(&m, ID, 0, 1, 2, "Example.COM", 1);
    rr_ptr(&m, 1, "\xc0\x00\x02\x02", 4);
    rr_ptr(&m, 1, "\xc0\x00\x02\x01", 4);
    struct ub_result *r;
    struct stc_err err;
    assert_int_equal(parse("example.com", 1, &m, m.n, &r, &err), STC_OK);
    assert_int_equal(r->havedata, 1);
    assert_int_equal(r->secure, 1);
    assert_int_equal(r->rcode, 0);
    assert_string_equal(r->qname, "example.com");
    assert_null(r->canonname);
    assert_int_equal(r->len[0], 4);
    assert_memory_equal(r->data[0], "\xc0\x00\x02\x01", 4);
    assert_memory_equal(r->data[1], "\xc0\x00\x02\x02", 4);
    assert_null(r->data[2]);
    ub_resolve_free(r);
}

static void test_servfail_nxdomain(void **state)
{
    (void)state;
    struct msg m;
    struct ub_result *r;
    struct stc_err err;
    head(&m, ID, 2, 0, 0, "example.com", 15);
    assert_int_equal(parse("example.com", 15, &m, m.n, &r, &err), STC_OK);
    assert_int_equal(r->rcode, 2);
    assert_int_equal(r->havedata, 0);
    assert_null(r->data[0]);
    ub_resolve_free(r);
    head(&m, ID, 3, 1, 0, "example.com", 15);
    assert_int_equal(parse("example.com", 15, &m, m.n, &r, &err), STC_OK);
    assert_int_equal(r->nxdomain, 1);
    assert_int_equal(r->secure, 1);
    ub_resolve_free(r);
}

static void test_mx_compressed(void **state)
{
    (void)state;
    struct msg m;
    head(&m, ID, 0, 0, 1, "example.com", 15);
    /* preference 10, "mx" then a pointer to "example.com" in the question */
    rr_ptr(&m, 15, "\x00\x0a\x02mx\xc0\x0c", 7);
    struct ub_result *r;
    struct stc_err err;
    assert_int_equal(parse("example.com", 15, &m, m.n, &r, &err), STC_OK);
    static const uint8_t want[] = {0,   10,  2,   'm', 'x', 7,   'e', 'x', 'a',
                                   'm', 'p', 'l', 'e', 3,   'c', 'o', 'm', 0};
    assert_int_equal(r->len[0], sizeof want);
    assert_memory_equal(r->data[0], want, sizeof want);
    ub_resolve_free(r);
    /* the MX name's pointer past the end, and an MX rdata too short */
    head(&m, ID, 0, 0, 1, "example.com", 15);
    rr_ptr(&m, 15, "\x00\x0a\x02mx\xc3\xff", 7);
    expect_fail("example.com", 15, &m, m.n);
    head(&m, ID, 0, 0, 1, "example.com", 15);
    rr_ptr(&m, 15, "\x00\x0a", 2);
    expect_fail("example.com", 15, &m, m.n);
    /* the MX name running on past its rdata, and bytes after it inside */
    head(&m, ID, 0, 0, 1, "example.com", 15);
    rr_ptr(&m, 15, "\x00\x0a\x02", 3);
    put(&m, "mx\0", 3);
    expect_fail("example.com", 15, &m, m.n);
    head(&m, ID, 0, 0, 1, "example.com", 15);
    rr_ptr(&m, 15, "\x00\x0a\x02mx\x00\x01", 7);
    expect_fail("example.com", 15, &m, m.n);
}

static void test_cname_chain(void **state)
{
    (void)state;
    struct msg m;
    head(&m, ID, 0, 0, 4, "www.example.com", 1);
    /* out of order on purpose; a record of another owner is skipped */
    rr_named(&m, "b.example.net", 1, "\x7f\x00\x00\x01", 4);
    rr_cname(&m, "a.example.org", "b.example.net");
    rr_named(&m, "www.example.com", 1, "\x7f\x00\x00\x09", 4);
    rr_cname(&m, "WWW.example.com", "a.example.org");
    struct ub_result *r;
    struct stc_err err;
    assert_int_equal(parse("www.example.com", 1, &m, m.n, &r, &err), STC_OK);
    assert_string_equal(r->canonname, "b.example.net.");
    assert_int_equal(r->havedata, 1);
    assert_memory_equal(r->data[0], "\x7f\x00\x00\x01", 4);
    assert_null(r->data[1]);
    ub_resolve_free(r);
}

static void test_cname_chain_too_long(void **state)
{
    (void)state;
    struct msg m;
    char a[32], b[32];
    /* 32 steps are followed, 33 are not: an error, not an empty answer */
    for (int len = 32; len <= 33; len++) {
        head(&m, ID, 0, 0, (unsigned)len + 1, "c0.example", 1);
        for (int i = 0; i < len; i++) {
            snprintf(a, sizeof a, "c%d.example", i);
            snprintf(b, sizeof b, "c%d.example", i + 1);
            rr_cname(&m, a, b);
        }
        rr_named(&m, b, 1, "\x7f\x00\x00\x01", 4);
        struct ub_result *r;
        struct stc_err err;
        if (len == 32) {
            assert_int_equal(parse("c0.example", 1, &m, m.n, &r, &err), STC_OK);
            assert_string_equal(r->canonname, "c32.example.");
            assert_int_equal(r->havedata, 1);
            ub_resolve_free(r);
        } else {
            assert_int_equal(parse("c0.example", 1, &m, m.n, &r, &err), STC_E_DNS);
            assert_non_null(strstr(err.msg, "CNAME"));
        }
    }
    /* a CNAME target running on past its rdata into the next record's
     * owner (b + "example." of the A record after it) */
    head(&m, ID, 0, 0, 2, "a.example", 1);
    rr_named(&m, "a.example", 5,
             "\x01"
             "b",
             2);
    rr_named(&m, "example", 1, "\x7f\x00\x00\x01", 4);
    expect_fail("a.example", 1, &m, m.n);
    /* a loop a -> b -> a */
    head(&m, ID, 0, 0, 2, "a.example", 1);
    rr_cname(&m, "a.example", "b.example");
    rr_cname(&m, "b.example", "a.example");
    expect_fail("a.example", 1, &m, m.n);
}

static void test_pointer_loop(void **state)
{
    (void)state;
    struct msg m;
    head(&m, ID, 0, 0, 1, "example.com", 1);
    size_t at = m.n;
    u16(&m, 0xc000 | (unsigned)at); /* owner: a pointer to itself */
    u16(&m, 1);
    u16(&m, 1);
    u16(&m, 0);
    u16(&m, 0);
    u16(&m, 4);
    put(&m, "\x01\x02\x03\x04", 4);
    expect_fail("example.com", 1, &m, m.n);
    /* two pointers to each other */
    head(&m, ID, 0, 0, 1, "example.com", 1);
    at = m.n;
    u16(&m, 0xc000 | (unsigned)(at + 2));
    u16(&m, 0xc000 | (unsigned)at);
    expect_fail("example.com", 1, &m, m.n);
    /* a label then a pointer back to it, for ever */
    head(&m, ID, 0, 0, 1, "example.com", 1);
    at = m.n;
    put(&m, "\x01x", 2);
    u16(&m, 0xc000 | (unsigned)at);
    expect_fail("example.com", 1, &m, m.n);
}

static void test_past_end(void **state)
{
    (void)state;
    struct msg m;
    /* pointer past the end */
    head(&m, ID, 0, 0, 1, "example.com", 1);
    u16(&m, 0xc000 | 0x3fff);
    expect_fail("example.com", 1, &m, m.n);
    /* half a pointer as the last byte */
    head(&m, ID, 0, 0, 1, "example.com", 1);
    put(&m, "\xc0", 1);
    expect_fail("example.com", 1, &m, m.n);
    /* a label longer than what is left */
    head(&m, ID, 0, 0, 1, "example.com", 1);
    put(&m,
        "\x3f"
        "abc",
        4);
    expect_fail("example.com", 1, &m, m.n);
    /* rdlength past the end, and the fixed part cut */
    head(&m, ID, 0, 0, 1, "example.com", 1);
    rr_ptr(&m, 1, "\x7f\x00\x00\x01", 4);
    expect_fail("example.com", 1, &m, m.n - 1);
    expect_fail("example.com", 1, &m, m.n - 5);
    /* more records announced than present */
    head(&m, ID, 0, 0, 2, "example.com", 1);
    rr_ptr(&m, 1, "\x7f\x00\x00\x01", 4);
    expect_fail("example.com", 1, &m, m.n);
    /* every cut of a good answer: error or a result, never a read past the end */
    head(&m, ID, 0, 0, 2, "example.com", 15);
    rr_ptr(&m, 15, "\x00\x0a\x02mx\xc0\x0c", 7);
    rr_ptr(&m, 15, "\x00\x14\x03mx2\xc0\x0c", 8);
    for (size_t n = 0; n < m.n; n++) {
        struct ub_result *r;
        struct stc_err err;
        stc_rc rc = parse("example.com", 15, &m, n, &r, &err);
        assert_int_equal(rc, STC_E_DNS);
    }
}

static void test_empty_rdata(void **state)
{
    (void)state;
    struct msg m;
    head(&m, ID, 0, 0, 1, "example.com", 1);
    rr_ptr(&m, 1, "", 0);
    expect_fail("example.com", 1, &m, m.n);
}

static void test_not_our_question(void **state)
{
    (void)state;
    struct msg m;
    struct ub_result *r;
    struct stc_err err;
    head(&m, ID + 1, 0, 0, 1, "example.com", 1);
    rr_ptr(&m, 1, "\x7f\x00\x00\x01", 4);
    expect_fail("example.com", 1, &m, m.n); /* wrong id */
    head(&m, ID, 0, 0, 1, "example.org", 1);
    rr_ptr(&m, 1, "\x7f\x00\x00\x01", 4);
    expect_fail("example.com", 1, &m, m.n); /* wrong name */
    head(&m, ID, 0, 0, 1, "example.com", 28);
    rr_ptr(&m, 1, "\x7f\x00\x00\x01", 4);
    expect_fail("example.com", 1, &m, m.n); /* wrong type */
    head(&m, ID, 0, 0, 1, "example.com", 1);
    rr_ptr(&m, 1, "\x7f\x00\x00\x01", 4);
    m.b[2] &= 0x7f;
    expect_fail("example.com", 1, &m, m.n); /* a query, not an answer */
    head(&m, ID, 0, 0, 1, "example.com", 1);
    m.b[5] = 2;
    expect_fail("example.com", 1, &m, m.n); /* two questions */
    expect_fail("example.com", 1, &m, 11);  /* no header */
    head(&m, ID, 0, 0, 0, "example.com", 1);
    assert_int_equal(parse("a..b", 1, &m, m.n, &r, &err), STC_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_sorted_secure),
        cmocka_unit_test(test_servfail_nxdomain),
        cmocka_unit_test(test_mx_compressed),
        cmocka_unit_test(test_cname_chain),
        cmocka_unit_test(test_cname_chain_too_long),
        cmocka_unit_test(test_pointer_loop),
        cmocka_unit_test(test_past_end),
        cmocka_unit_test(test_empty_rdata),
        cmocka_unit_test(test_not_our_question),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
