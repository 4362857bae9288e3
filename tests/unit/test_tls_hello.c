/* test_tls_hello - the ClientHello builder, byte by byte: record and
 * handshake lengths, each extension's structure, the TLS 1.3 shape, the SSLv3
 * shape (SCSV, no extensions), an SSLv2 CLIENT-HELLO, and bad options. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "tls/tls_wire.h"

static uint8_t RND[32];

static void setup_random(void)
{
    for (int i = 0; i < 32; i++)
        RND[i] = (uint8_t)(0xa0 + i);
}

static unsigned u16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static unsigned u24(const uint8_t *p)
{
    return (unsigned)p[0] << 16 | (unsigned)p[1] << 8 | p[2];
}

/* Build into b (initialised here); the caller frees. */
static stc_rc build(const struct tls_hello_opts *o, struct buf *b)
{
    struct stc_err e;
    stc_err_clear(&e);
    buf_init(b, 65536);
    return tls_hello_build(o, b, &e);
}

/* Find extension `type` in the block at p (n bytes of type/len/data entries). */
static const uint8_t *find_ext(const uint8_t *p, size_t n, unsigned type, unsigned *len)
{
    size_t i = 0;
    while (i + 4 <= n) {
        unsigned t = u16(p + i), l = u16(p + i + 2);
        assert_true(i + 4 + l <= n); /* every extension fits its block */
        if (t == type) {
            *len = l;
            return p + i + 4;
        }
        i += 4 + l;
    }
    assert_int_equal(i, n); /* the entries tile the block exactly */
    return NULL;
}

/* Check the common TLS framing; returns the extensions block (and its size). */
static const uint8_t *check_frame(const struct buf *b, unsigned rec_version,
                                  unsigned client_version, const uint32_t *suites, size_t nsuites,
                                  int scsv, size_t *extlen)
{
    const uint8_t *p = b->data;
    assert_true(b->len > 9);
    assert_int_equal(p[0], 0x16);
    assert_int_equal(u16(p + 1), rec_version);
    assert_int_equal(u16(p + 3), b->len - 5); /* record length */
    assert_int_equal(p[5], 1);                /* client_hello */
    assert_int_equal(u24(p + 6), b->len - 9); /* handshake length */
    assert_int_equal(u16(p + 9), client_version);
    assert_memory_equal(p + 11, RND, 32);
    assert_int_equal(p[43], 0); /* empty session id */
    size_t cs = u16(p + 44);
    assert_int_equal(cs, 2 * (nsuites + (scsv ? 1 : 0)));
    for (size_t i = 0; i < nsuites; i++)
        assert_int_equal(u16(p + 46 + 2 * i), suites[i]);
    if (scsv)
        assert_int_equal(u16(p + 46 + 2 * nsuites), 0x00ff);
    size_t at = 46 + cs;
    assert_int_equal(p[at], 1);     /* one compression method */
    assert_int_equal(p[at + 1], 0); /* null */
    at += 2;
    if (at == b->len) {
        *extlen = 0;
        return NULL;
    }
    assert_int_equal(u16(p + at), b->len - at - 2); /* extensions length */
    *extlen = b->len - at - 2;
    return p + at + 2;
}

static void test_tls12_hello(void **state)
{
    (void)state;
    uint32_t suites[] = {0xc02f, 0x002f};
    uint16_t groups[] = {TLS_GROUP_X25519, TLS_GROUP_SECP256R1};
    struct tls_hello_opts o = {.version = TLS_V_1_2,
                               .suites = suites,
                               .nsuites = 2,
                               .sni = "mx.example.org",
                               .groups = groups,
                               .ngroups = 2,
                               .random = RND};
    struct buf b;
    size_t n = 0;
    unsigned len = 0;
    assert_int_equal(build(&o, &b), STC_OK);
    const uint8_t *ext = check_frame(&b, 0x0301, 0x0303, suites, 2, 0, &n);
    assert_non_null(ext);

    const uint8_t *sn = find_ext(ext, n, 0x0000, &len);
    assert_non_null(sn);
    assert_int_equal(len, 2 + 1 + 2 + 14);
    assert_int_equal(u16(sn), 1 + 2 + 14); /* server_name_list */
    assert_int_equal(sn[2], 0);            /* host_name */
    assert_int_equal(u16(sn + 3), 14);
    assert_memory_equal(sn + 5, "mx.example.org", 14);

    const uint8_t *g = find_ext(ext, n, 0x000a, &len);
    assert_non_null(g);
    assert_int_equal(len, 6);
    assert_int_equal(u16(g), 4);
    assert_int_equal(u16(g + 2), TLS_GROUP_X25519);
    assert_int_equal(u16(g + 4), TLS_GROUP_SECP256R1);

    const uint8_t *pf = find_ext(ext, n, 0x000b, &len);
    assert_non_null(pf);
    assert_int_equal(len, 2);
    assert_int_equal(pf[0], 1);
    assert_int_equal(pf[1], 0);

    const uint8_t *sa = find_ext(ext, n, 0x000d, &len);
    assert_non_null(sa);
    assert_int_equal(u16(sa), len - 2);
    assert_int_equal((len - 2) % 2, 0);
    assert_int_equal(u16(sa + 2), 0x0403); /* ecdsa_secp256r1_sha256 first */

    const uint8_t *ri = find_ext(ext, n, 0xff01, &len);
    assert_non_null(ri);
    assert_int_equal(len, 1);
    assert_int_equal(ri[0], 0); /* empty renegotiated_connection */

    assert_null(find_ext(ext, n, 0x002b, &len)); /* no supported_versions below 1.3 */
    assert_null(find_ext(ext, n, 0x0033, &len)); /* no key_share */
    buf_free(&b);
}

static void test_tls10_hello(void **state)
{
    (void)state;
    uint32_t suites[] = {0x002f};
    struct tls_hello_opts o = {.version = TLS_V_1_0, .suites = suites, .nsuites = 1, .random = RND};
    struct buf b;
    size_t n = 0;
    unsigned len = 0;
    assert_int_equal(build(&o, &b), STC_OK);
    const uint8_t *ext = check_frame(&b, 0x0301, 0x0301, suites, 1, 0, &n);
    assert_non_null(ext);
    assert_null(find_ext(ext, n, 0x0000, &len)); /* no SNI asked for */
    assert_null(find_ext(ext, n, 0x000d, &len)); /* signature_algorithms is 1.2+ */
    const uint8_t *g = find_ext(ext, n, 0x000a, &len);
    assert_non_null(g); /* default group list */
    assert_true(len > 10);
    assert_non_null(find_ext(ext, n, 0xff01, &len));
    buf_free(&b);
}

static const uint8_t X25519_ALICE[32] = {
    0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d, 0xdc, 0xb4, 0x3e, 0xf7, 0x5a,
    0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38, 0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a};

static void test_tls13_hello(void **state)
{
    (void)state;
    uint32_t suites[] = {0x1302, 0x1301};
    uint16_t groups[] = {TLS_GROUP_X25519, TLS_GROUP_X448, TLS_GROUP_SECP256R1};
    struct tls_hello_opts o = {.version = TLS_V_1_3,
                               .suites = suites,
                               .nsuites = 2,
                               .sni = "mx.example.org",
                               .groups = groups,
                               .ngroups = 3,
                               .random = RND};
    struct buf b;
    size_t n = 0;
    unsigned len = 0;
    assert_int_equal(build(&o, &b), STC_OK);
    const uint8_t *ext = check_frame(&b, 0x0301, 0x0303, suites, 2, 0, &n);
    assert_non_null(ext);
    const uint8_t *sv = find_ext(ext, n, 0x002b, &len);
    assert_non_null(sv);
    assert_int_equal(len, 3);
    assert_int_equal(sv[0], 2);
    assert_int_equal(u16(sv + 1), 0x0304); /* TLS 1.3 only */
    const uint8_t *ks = find_ext(ext, n, 0x0033, &len);
    assert_non_null(ks);
    /* x25519 (32-byte key) and secp256r1 (65-byte point); x448 has no share. */
    assert_int_equal(u16(ks), (4 + 32) + (4 + 65));
    assert_int_equal(len, 2 + (4 + 32) + (4 + 65));
    assert_int_equal(u16(ks + 2), TLS_GROUP_X25519);
    assert_int_equal(u16(ks + 4), 32);
    assert_memory_equal(ks + 6, X25519_ALICE, 32);
    assert_int_equal(u16(ks + 38), TLS_GROUP_SECP256R1);
    assert_int_equal(u16(ks + 40), 65);
    assert_int_equal(ks[42], 0x04); /* uncompressed point */
    assert_non_null(find_ext(ext, n, 0x000d, &len));
    assert_null(find_ext(ext, n, 0xff01, &len)); /* no renegotiation in 1.3 */
    assert_null(find_ext(ext, n, 0x000b, &len));
    buf_free(&b);
}

static void test_tls13_hello_no_share(void **state)
{
    (void)state;
    uint32_t suites[] = {0x1301};
    uint16_t groups[] = {TLS_GROUP_FFDHE2048};
    struct tls_hello_opts o = {.version = TLS_V_1_3,
                               .suites = suites,
                               .nsuites = 1,
                               .groups = groups,
                               .ngroups = 1,
                               .random = RND};
    struct buf b;
    size_t n = 0;
    unsigned len = 0;
    assert_int_equal(build(&o, &b), STC_OK);
    const uint8_t *ext = check_frame(&b, 0x0301, 0x0303, suites, 1, 0, &n);
    const uint8_t *ks = find_ext(ext, n, 0x0033, &len);
    assert_non_null(ks);
    assert_int_equal(len, 2);
    assert_int_equal(u16(ks), 0); /* empty client_shares: asks for a HelloRetryRequest */
    buf_free(&b);
}

static void test_ssl3_hello(void **state)
{
    (void)state;
    uint32_t suites[] = {0x000a, 0x0005};
    struct tls_hello_opts o = {.version = TLS_V_SSL3,
                               .suites = suites,
                               .nsuites = 2,
                               .sni = "mx.example.org",
                               .random = RND};
    struct buf b;
    size_t n = 1;
    assert_int_equal(build(&o, &b), STC_OK);
    /* SNI is dropped: SSLv3 hellos carry no extensions, only the SCSV. */
    assert_null(check_frame(&b, 0x0300, 0x0300, suites, 2, 1, &n));
    assert_int_equal(n, 0);
    assert_int_equal(b.len, 5 + 4 + 2 + 32 + 1 + 2 + 6 + 2);
    buf_free(&b);
}

static void test_ssl2_hello(void **state)
{
    (void)state;
    uint32_t kinds[] = {0x0700c0, 0x010080};
    struct tls_hello_opts o = {.version = TLS_V_SSL2,
                               .suites = kinds,
                               .nsuites = 2,
                               .sni = "ignored.example",
                               .random = RND};
    struct buf b;
    assert_int_equal(build(&o, &b), STC_OK);
    uint8_t want[2 + 9 + 6 + 16] = {0x80, 9 + 6 + 16, /* 2-byte header, length 31 */
                                    0x01,             /* CLIENT-HELLO */
                                    0x00, 0x02,       /* version 2 */
                                    0x00, 0x06,       /* cipher specs length */
                                    0x00, 0x00,       /* session id length */
                                    0x00, 0x10,       /* challenge length */
                                    0x07, 0x00,       0xc0, 0x01, 0x00, 0x80};
    memcpy(want + 17, RND, 16); /* challenge: the first 16 random bytes */
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.data, want, sizeof want);
    buf_free(&b);
}

static void test_random_fresh(void **state)
{
    (void)state;
    uint32_t suites[] = {0x1301};
    struct tls_hello_opts o = {.version = TLS_V_1_3, .suites = suites, .nsuites = 1};
    struct buf a, b;
    assert_int_equal(build(&o, &a), STC_OK);
    assert_int_equal(build(&o, &b), STC_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_not_equal(a.data + 11, b.data + 11, 32);
    buf_free(&a);
    buf_free(&b);
}

static void test_bad_options(void **state)
{
    (void)state;
    uint32_t suites[TLS_HELLO_SUITES_MAX + 1];
    for (size_t i = 0; i < TLS_HELLO_SUITES_MAX + 1; i++)
        suites[i] = 0x002f;
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    struct tls_hello_opts o = {.version = 0x0305, .suites = suites, .nsuites = 1, .random = RND};
    struct buf b;
    struct stc_err e;

    assert_int_equal(build(&o, &b), STC_E_INVAL); /* unknown version */
    buf_free(&b);
    o.version = TLS_V_1_2;
    o.nsuites = 0;
    assert_int_equal(build(&o, &b), STC_E_INVAL);
    buf_free(&b);
    o.nsuites = TLS_HELLO_SUITES_MAX + 1;
    assert_int_equal(build(&o, &b), STC_E_INVAL);
    buf_free(&b);
    o.nsuites = TLS_HELLO_SUITES_MAX; /* the maximum itself fits */
    assert_int_equal(build(&o, &b), STC_OK);
    buf_free(&b);
    o.nsuites = 1;
    suites[0] = 0x10000; /* a 3-byte id in a TLS hello */
    assert_int_equal(build(&o, &b), STC_E_INVAL);
    buf_free(&b);
    suites[0] = 0x002f;
    o.sni = longname;
    assert_int_equal(build(&o, &b), STC_E_INVAL);
    buf_free(&b);
    o.sni = "";
    assert_int_equal(build(&o, &b), STC_E_INVAL);
    buf_free(&b);
    o.sni = NULL;
    o.ngroups = TLS_HELLO_GROUPS_MAX + 1;
    assert_int_equal(build(&o, &b), STC_E_INVAL);
    buf_free(&b);
    o.ngroups = 0;
    /* The output buffer's cap is respected. */
    stc_err_clear(&e);
    buf_init(&b, 20);
    assert_int_equal(tls_hello_build(&o, &b, &e), STC_E_LIMIT);
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

int main(void)
{
    setup_random();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls12_hello),  cmocka_unit_test(test_tls10_hello),
        cmocka_unit_test(test_tls13_hello),  cmocka_unit_test(test_tls13_hello_no_share),
        cmocka_unit_test(test_ssl3_hello),   cmocka_unit_test(test_ssl2_hello),
        cmocka_unit_test(test_random_fresh), cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
