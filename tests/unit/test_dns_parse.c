/* test_dns_parse.c - rdata parsers on hand-built bytes, including hostile ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dns/dns_parse.h"
#include "util/limits.h"

#define ARR(...) ((const uint8_t[]){__VA_ARGS__})

static stc_rc mx(const uint8_t *p, size_t n, struct dns_mx *out, struct stc_err *err)
{
    stc_err_clear(err);
    memset(out, 0x55, sizeof *out);
    return dns_parse_mx_rdata(p, n, out, err);
}

static void test_mx_ok(void **state)
{
    (void)state;
    struct dns_mx m;
    struct stc_err err;
    const uint8_t r1[] = {0, 10, 2, 'M', 'x', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 0};
    assert_int_equal(mx(r1, sizeof r1, &m, &err), STC_OK);
    assert_int_equal(m.pref, 10);
    assert_string_equal(m.host, "mx.example");
    const uint8_t root[] = {0, 0, 0};
    assert_int_equal(mx(root, sizeof root, &m, &err), STC_OK);
    assert_string_equal(m.host, "");
    assert_int_equal(m.pref, 0);
    /* odd bytes come out escaped, never raw */
    const uint8_t odd[] = {0xff, 0xff, 4, 'a', '.', 0x01, ' ', 3, 'c', '_', 'D', 0};
    assert_int_equal(mx(odd, sizeof odd, &m, &err), STC_OK);
    assert_int_equal(m.pref, 65535);
    assert_string_equal(m.host, "a\\046\\001\\032.c_d");
}

static void test_mx_hostile(void **state)
{
    (void)state;
    struct dns_mx m;
    struct stc_err err;
    /* truncated preference */
    assert_int_equal(mx(ARR(0), 1, &m, &err), STC_E_PARSE);
    assert_int_equal(mx(ARR(0), 0, &m, &err), STC_E_PARSE);
    /* no name at all */
    assert_int_equal(mx(ARR(0, 1), 2, &m, &err), STC_E_PARSE);
    /* label longer than the data */
    assert_int_equal(mx(ARR(0, 1, 5, 'a', 'b'), 5, &m, &err), STC_E_PARSE);
    assert_non_null(strstr(err.msg, "truncated"));
    /* missing root label */
    assert_int_equal(mx(ARR(0, 1, 1, 'a'), 4, &m, &err), STC_E_PARSE);
    /* compression pointer: rdata from libunbound is uncompressed */
    assert_int_equal(mx(ARR(0, 1, 0xC0, 0x0C), 4, &m, &err), STC_E_PARSE);
    assert_non_null(strstr(err.msg, "compression pointer"));
    assert_int_equal(mx(ARR(0, 1, 1, 'a', 0xC0, 0x0C), 6, &m, &err), STC_E_PARSE);
    /* extended label types 0x40, 0x80 */
    assert_int_equal(mx(ARR(0, 1, 0x41, 'a', 0), 5, &m, &err), STC_E_PARSE);
    assert_int_equal(mx(ARR(0, 1, 0x80, 0), 4, &m, &err), STC_E_PARSE);
    /* trailing garbage after the name */
    assert_int_equal(mx(ARR(0, 1, 1, 'a', 0, 'x'), 6, &m, &err), STC_E_PARSE);
    assert_non_null(strstr(err.msg, "after the name"));
    /* label of 64 bytes is impossible (0x40 is a label type), 63 is fine */
    uint8_t buf[600];
    buf[0] = 0;
    buf[1] = 5;
    buf[2] = 63;
    memset(buf + 3, 'a', 63);
    buf[66] = 0;
    assert_int_equal(mx(buf, 67, &m, &err), STC_OK);
    assert_int_equal(strlen(m.host), 63);
    /* name over 255 wire bytes: 5 labels of 63 */
    size_t o = 2;
    for (int i = 0; i < 5; i++) {
        buf[o++] = 63;
        memset(buf + o, 'b', 63);
        o += 63;
    }
    buf[o++] = 0;
    assert_int_equal(mx(buf, o, &m, &err), STC_E_PARSE);
    assert_non_null(strstr(err.msg, "longer than 255"));
    /* exactly 255 wire bytes: 3 x 63 + 61 + root (4 + 3*64 + 62 + 1 = 255) works */
    o = 2;
    for (int i = 0; i < 3; i++) {
        buf[o++] = 63;
        memset(buf + o, 'c', 63);
        o += 63;
    }
    buf[o++] = 61;
    memset(buf + o, 'd', 61);
    o += 61;
    buf[o++] = 0;
    assert_int_equal(o - 2, 255);
    assert_int_equal(mx(buf, o, &m, &err), STC_OK);
    assert_int_equal(strlen(m.host), 253);
    /* the same length of bytes needing escapes does not fit the text: LIMIT, not overflow */
    for (size_t i = 3; i < o - 1; i++)
        if (buf[i] == 'c')
            buf[i] = 0;
    assert_int_equal(mx(buf, o, &m, &err), STC_E_LIMIT);
    assert_string_equal(m.host, "");
}

static void test_mx_set(void **state)
{
    (void)state;
    struct stc_err err = {0};
    struct dns_mx_set s;
    /* 20 b.ex, 10 B.ex (dupe of b.ex at a lower pref), 10 a.ex, 20 a.ex (dupe), 5 c.ex */
    char r1[] = {0, 20, 1, 'b', 2, 'e', 'x', 0};
    char r2[] = {0, 10, 1, 'B', 2, 'e', 'x', 0};
    char r3[] = {0, 10, 1, 'a', 2, 'e', 'x', 0};
    char r4[] = {0, 20, 1, 'a', 2, 'E', 'X', 0};
    char r5[] = {0, 5, 1, 'c', 2, 'e', 'x', 0};
    char *data[] = {r1, r2, r3, r4, r5, NULL};
    int len[] = {8, 8, 8, 8, 8};
    memset(&s, 0, sizeof s);
    assert_int_equal(dns_parse_mx_set(data, len, &s, &err), STC_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.null_mx, 0);
    assert_int_equal(s.mx[0].pref, 5);
    assert_string_equal(s.mx[0].host, "c.ex");
    assert_int_equal(s.mx[1].pref, 10);
    assert_string_equal(s.mx[1].host, "a.ex");
    assert_int_equal(s.mx[2].pref, 10);
    assert_string_equal(s.mx[2].host, "b.ex");
    dns_mx_set_free(&s);

    /* null MX alone */
    char nul[] = {0, 0, 0};
    char *d2[] = {nul, NULL};
    int l2[] = {3};
    assert_int_equal(dns_parse_mx_set(d2, l2, &s, &err), STC_OK);
    assert_int_equal(s.null_mx, 1);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.mx[0].host, "");
    dns_mx_set_free(&s);
    /* "." among others: kept as "", not a null MX */
    char *d3[] = {r1, nul, NULL};
    int l3[] = {8, 3};
    assert_int_equal(dns_parse_mx_set(d3, l3, &s, &err), STC_OK);
    assert_int_equal(s.null_mx, 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.mx[0].host, "");
    dns_mx_set_free(&s);

    /* one bad record fails the whole set, nothing leaks */
    char bad[] = {0, 1, (char)0xC0, 0};
    char *d4[] = {r1, r2, bad, NULL};
    int l4[] = {8, 8, 4};
    assert_int_equal(dns_parse_mx_set(d4, l4, &s, &err), STC_E_PARSE);
    assert_null(s.mx);
    assert_int_equal(s.n, 0);
    /* negative length */
    char *d5[] = {r1, NULL};
    int l5[] = {-1};
    stc_err_clear(&err);
    assert_int_equal(dns_parse_mx_set(d5, l5, &s, &err), STC_E_PARSE);
    /* empty answer */
    char *d6[] = {NULL};
    assert_int_equal(dns_parse_mx_set(d6, l5, &s, &err), STC_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(dns_parse_mx_set(NULL, NULL, &s, &err), STC_OK);
}

static void test_mx_cap(void **state)
{
    (void)state;
    enum { N = STC_MX_MAX + 36 };
    static char rr[N][12];
    char *data[N + 1];
    int len[N];
    for (int i = 0; i < N; i++) {
        int pref = N - i; /* reverse order */
        rr[i][0] = (char)(pref >> 8);
        rr[i][1] = (char)(pref & 0xff);
        rr[i][2] = 3;
        rr[i][3] = (char)('0' + i / 100);
        rr[i][4] = (char)('0' + i / 10 % 10);
        rr[i][5] = (char)('0' + i % 10);
        rr[i][6] = 0;
        data[i] = rr[i];
        len[i] = 7;
    }
    data[N] = NULL;
    struct dns_mx_set s;
    struct stc_err err = {0};
    assert_int_equal(dns_parse_mx_set(data, len, &s, &err), STC_OK);
    assert_int_equal(s.n, STC_MX_MAX);
    assert_int_equal(s.mx[0].pref, 1);
    assert_int_equal(s.mx[STC_MX_MAX - 1].pref, STC_MX_MAX);
    for (size_t i = 1; i < s.n; i++)
        assert_true(s.mx[i - 1].pref < s.mx[i].pref);
    dns_mx_set_free(&s);
}

static void test_addr(void **state)
{
    (void)state;
    char out[46];
    struct stc_err err = {0};
    assert_int_equal(dns_parse_addr_rdata(ARR(192, 0, 2, 1), 4, AF_INET, out, &err), STC_OK);
    assert_string_equal(out, "192.0.2.1");
    assert_int_equal(dns_parse_addr_rdata(ARR(192, 0, 2), 3, AF_INET, out, &err), STC_E_PARSE);
    assert_int_equal(dns_parse_addr_rdata(ARR(192, 0, 2, 1, 5), 5, AF_INET, out, &err),
                     STC_E_PARSE);
    const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    assert_int_equal(dns_parse_addr_rdata(v6, 16, AF_INET6, out, &err), STC_OK);
    assert_string_equal(out, "2001:db8::1");
    assert_int_equal(dns_parse_addr_rdata(v6, 4, AF_INET6, out, &err), STC_E_PARSE);

    struct dns_addr_set s;
    memset(&s, 0, sizeof s);
    char a1[] = {10, 0, 0, 2}, a2[] = {10, 0, 0, 1}, a3[] = {9, 9, 9, 9};
    char *d4[] = {a1, a2, a3, NULL};
    int l4[] = {4, 4, 4};
    char b6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 7};
    char *d6[] = {b6, NULL};
    int l6[] = {16};
    assert_int_equal(dns_parse_addr_set(d4, l4, AF_INET, &s, &err), STC_OK);
    assert_int_equal(dns_parse_addr_set(d6, l6, AF_INET6, &s, &err), STC_OK);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.addr[0], "9.9.9.9");
    assert_string_equal(s.addr[1], "10.0.0.1");
    assert_string_equal(s.addr[2], "10.0.0.2");
    assert_string_equal(s.addr[3], "2001:db8::7");
    /* an AAAA answer with a 4-byte record is malformed */
    assert_int_equal(dns_parse_addr_set(d4, l4, AF_INET6, &s, &err), STC_E_PARSE);
    assert_int_equal(s.n, 4);
    dns_addr_set_free(&s);
    /* cap per family */
    static char many[40][4];
    char *dm[41];
    int lm[40];
    for (int i = 0; i < 40; i++) {
        many[i][0] = 10;
        many[i][1] = 1;
        many[i][2] = 0;
        many[i][3] = (char)(40 - i);
        dm[i] = many[i];
        lm[i] = 4;
    }
    dm[40] = NULL;
    memset(&s, 0, sizeof s);
    assert_int_equal(dns_parse_addr_set(dm, lm, AF_INET, &s, &err), STC_OK);
    assert_int_equal(s.n, STC_ADDR_MAX);
    assert_string_equal(s.addr[0], "10.1.0.1");
    dns_addr_set_free(&s);
}

static stc_rc txt(const uint8_t *p, size_t n, char **out, struct stc_err *err)
{
    stc_err_clear(err);
    return dns_parse_txt_rdata(p, n, out, err);
}

static void test_txt(void **state)
{
    (void)state;
    char *s = NULL;
    struct stc_err err;
    assert_int_equal(txt(ARR(3, 'v', '=', 'S', 4, 'T', 'S', 'v', '1'), 9, &s, &err), STC_OK);
    assert_string_equal(s, "v=STSv1");
    free(s);
    /* empty strings */
    assert_int_equal(txt(ARR(0, 0), 2, &s, &err), STC_OK);
    assert_string_equal(s, "");
    free(s);
    assert_int_equal(txt(ARR(0), 0, &s, &err), STC_OK);
    assert_string_equal(s, "");
    free(s);
    /* truncated */
    assert_int_equal(txt(ARR(5, 'a', 'b'), 3, &s, &err), STC_E_PARSE);
    assert_null(s);
    assert_int_equal(txt(ARR(1, 'a', 9), 3, &s, &err), STC_E_PARSE);
    assert_null(s);
    /* NUL byte anywhere */
    assert_int_equal(txt(ARR(3, 'a', 0, 'b'), 4, &s, &err), STC_E_PARSE);
    assert_non_null(strstr(err.msg, "NUL"));
    assert_null(s);
    assert_int_equal(txt(ARR(1, 'a', 1, 0), 4, &s, &err), STC_E_PARSE);
    /* a record near 64 KiB: over STC_TXT_MAX */
    size_t n = 65535, o = 0;
    uint8_t *big = malloc(n);
    assert_non_null(big);
    while (o + 256 <= n) {
        big[o] = 255;
        memset(big + o + 1, 'x', 255);
        o += 256;
    }
    assert_int_equal(txt(big, o, &s, &err), STC_E_LIMIT);
    assert_null(s);
    /* exactly STC_TXT_MAX joined is fine */
    size_t want = STC_TXT_MAX, got = 0;
    o = 0;
    while (got < want) {
        size_t k = want - got > 255 ? 255 : want - got;
        big[o] = (uint8_t)k;
        memset(big + o + 1, 'y', k);
        o += k + 1;
        got += k;
    }
    assert_int_equal(txt(big, o, &s, &err), STC_OK);
    assert_int_equal(strlen(s), STC_TXT_MAX);
    free(s);
    free(big);

    struct dns_txt_set set;
    char t1[] = {2, 'h', 'i'}, t2[] = {1, 'a', 1, 'b'}, t3[] = {2, 'x'};
    char *d[] = {t1, t2, NULL};
    int l[] = {3, 4};
    assert_int_equal(dns_parse_txt_set(d, l, &set, &err), STC_OK);
    assert_int_equal(set.n, 2);
    assert_string_equal(set.txt[0], "hi");
    assert_string_equal(set.txt[1], "ab");
    dns_txt_set_free(&set);
    char *db[] = {t1, t2, t3, NULL};
    int lb[] = {3, 4, 2};
    stc_err_clear(&err);
    assert_int_equal(dns_parse_txt_set(db, lb, &set, &err), STC_E_PARSE);
    assert_null(set.txt);
}

static void test_tlsa(void **state)
{
    (void)state;
    struct dns_tlsa t;
    struct stc_err err = {0};
    assert_int_equal(dns_parse_tlsa_rdata(ARR(3, 1, 1, 0xab, 0xcd), 5, &t, &err), STC_OK);
    assert_int_equal(t.usage, 3);
    assert_int_equal(t.selector, 1);
    assert_int_equal(t.mtype, 1);
    assert_int_equal(t.len, 2);
    assert_memory_equal(t.data, ARR(0xab, 0xcd), 2);
    free(t.data);
    assert_int_equal(dns_parse_tlsa_rdata(ARR(2, 0, 0), 3, &t, &err), STC_OK);
    assert_int_equal(t.len, 0);
    assert_non_null(t.data);
    free(t.data);
    stc_err_clear(&err);
    assert_int_equal(dns_parse_tlsa_rdata(ARR(3, 1), 2, &t, &err), STC_E_PARSE);
    assert_non_null(strstr(err.msg, "at least 3"));
    assert_null(t.data);
    assert_int_equal(dns_parse_tlsa_rdata(ARR(0), 0, &t, &err), STC_E_PARSE);

    struct dns_tlsa_set set;
    char r1[] = {3, 1, 1, 1, 2, 3}, r2[] = {2, 0, 1, 9}, r3[] = {3, 1};
    char *d[] = {r1, r2, NULL};
    int l[] = {6, 4};
    assert_int_equal(dns_parse_tlsa_set(d, l, &set, &err), STC_OK);
    assert_int_equal(set.n, 2);
    assert_int_equal(set.rr[1].usage, 2);
    assert_int_equal(set.rr[1].len, 1);
    dns_tlsa_set_free(&set);
    char *db[] = {r1, r3, NULL};
    int lb[] = {6, 2};
    assert_int_equal(dns_parse_tlsa_set(db, lb, &set, &err), STC_E_PARSE);
    assert_null(set.rr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mx_ok),  cmocka_unit_test(test_mx_hostile),
        cmocka_unit_test(test_mx_set), cmocka_unit_test(test_mx_cap),
        cmocka_unit_test(test_addr),   cmocka_unit_test(test_txt),
        cmocka_unit_test(test_tlsa),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
