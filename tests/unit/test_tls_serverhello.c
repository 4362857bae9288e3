/* test_tls_serverhello - the parser of the server's first flight, on bytes
 * recorded from OpenSSL 3.0 `openssl s_server` (answering ClientHellos made by
 * tls_hello_build: a TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256 handshake with an
 * X25519 ServerKeyExchange, a TLS 1.3 ServerHello followed by the encrypted
 * flight, a TLS 1.3 HelloRetryRequest asking for x448), and on hand-built
 * replies: SSLv3 ServerHello (RFC 6101 5.6.1.3), SSLv2 SERVER-HELLO and ERROR
 * (SSLv2 draft), a DHE ServerKeyExchange, fragmented records, alerts, and
 * hostile input: every truncation, garbage, oversized lengths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tls/tls_wire.h"

/* openssl s_server -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -groups X25519
 * (P-256 self-signed certificate): ServerHello, Certificate, ServerKeyExchange,
 * ServerHelloDone, one record each. */
static const char TLS12_FLIGHT[] = "16030300590200005503035eef0e8a2ce7c825941cd5ae05e550e60b86d4caf"
                                   "04dbc77a8e3e6b9779db6af20fb34fe9d"
                                   "29fec6ca1d697edb32c39744139dd1d63232f6390384d156c2762c97c02b000"
                                   "00dff01000100000b0004030001021603"
                                   "0301940b00019000018d00018a308201863082012da003020102021478851c6"
                                   "d7d48731d783a29771afd0fb6f39457b7"
                                   "300a06082a8648ce3d04030230193117301506035504030c0e6d782e6578616"
                                   "d706c652e6f7267301e170d3236313132"
                                   "393133313532315a170d3336313132363133313532315a30193117301506035"
                                   "504030c0e6d782e6578616d706c652e6f"
                                   "72673059301306072a8648ce3d020106082a8648ce3d03010703420004abd7f"
                                   "854e76d8fc0bfd18f6f88c3a8e517cc28"
                                   "be99728661ca05db0ac2adcc4e0320cdc654a10cf944642d7646b57395b2b6d"
                                   "b3dbddac8c5691c296cbe152088a35330"
                                   "51301d0603551d0e041604144875d1db1b2403bb0c84b8011c1b0288908869d"
                                   "0301f0603551d230418301680144875d1"
                                   "db1b2403bb0c84b8011c1b0288908869d0300f0603551d130101ff040530030"
                                   "101ff300a06082a8648ce3d0403020347"
                                   "00304402204b4376da686a05dd2135bf511098b3d9aca6c99838d6d4f7d6bf5"
                                   "231276628be022019a5d4b28a8a8d33ba"
                                   "e164c04c2471c27c8bab9435be7c4f3cb73817f8ee4b5d16030300740c00007"
                                   "003001d2059156ccf3f74f871976b3f46"
                                   "72c148d256e5fde81d1c449b174aca4926fcfe6e040300483046022100e97d0"
                                   "344ae8769db679604261d216323a59206"
                                   "c0e134284d0e70638dc51ccd8e022100f53cb35e4039bfdb6d4f0db847b1580"
                                   "f2fcf494f89c292caf5746d18bebf84f4"
                                   "16030300040e000000";

/* openssl s_server -tls1_3 -groups X25519: ServerHello (TLS_AES_128_GCM_SHA256,
 * key_share x25519), ChangeCipherSpec, then encrypted records. */
static const char TLS13_FLIGHT[] =
    "160303005a0200005603031ebd1a914ec6e0bd11789e4a859d9da8c38a05bc4795d54a29cbde9a8f418a8a00130100"
    "00"
    "2e002b0002030400330024001d0020df3ff08e9fa5287a1f8df12d67839716502f25c1ed69d0410c694752f2150370"
    "14"
    "03030001011703030017e5f304d8171f08dd144a98fb71f913d506bddadf4e0f8d17030301a8040d2a62426f4c7fda"
    "6a"
    "05f55898e7c9187570be6ae4e7a8b96e53afd81e12a439f7382b2a3c473a69285e8d5c39c1cde4b5908c68b5e93698"
    "24"
    "bf663930c79ac07bdb187447ade3ba0f372e6697c7359e518f9466b272cc9d8c1cccd3acdba7b76b589a6bd0f488a9"
    "71"
    "de03cc19fcdd074476edf0864efa56257ed3c4eb321dba041fb4348d9312b576b51325e83c8e1e4dc337d313df4081"
    "80"
    "2aa688707560806ebf7228707b59fd2fe795c823e2cffcab56aefce1d5181c974e5f32b2fd4095235152ecab2e064b"
    "41"
    "9056c33bc41d5ef44d21b223b992b08bbfb44013bc102292fab9d432e3b1cf75beef973cfbcd9d65edf862f174b0e4"
    "df"
    "3031c2546287edd8915d33f3877b0fd5c5ba65ab295c4c5e9305a78d376548c03d03bee872cf67903fc46eb673ec5c"
    "af"
    "21e29be30b621840187c86657e4af9decc12b211e116b86cf8a58aaa86938c086023b6e84d764d5e91679fc8705181"
    "29"
    "145ccee3f7ac7a31054131712922ce41e389f70d5437028cb110539f38f7ab09f722a5fb14b3a424cdf6c734664b82"
    "bc"
    "6e5119b55c109b17ec53553bdd239afe00ce6b414b51b4bf2d5efd45e2b71703030060281e70e967dbc3b649459067"
    "1b"
    "877e2a9d781094bb59cc826ca726f57bff3fd00b2a5707c8f166a7e341017907859e983083a4f9e5812628f694ba42"
    "a0"
    "84ca3ed6491b0b0b69904d3ff69795b8c4eccd87e21bca318290a4815c9c36383a7f8b1703030035a8f4ed73af26f0"
    "b8"
    "5c42eea42a580d3867d8a79a1183859b47b887350bf7083a9ee0312c319c6b091361272de06e5217fd86ca5762";

/* openssl s_server -tls1_3 -groups X448 to a hello offering x25519 (with a
 * share) and x448 (without): HelloRetryRequest selecting x448, then CCS. */
static const char TLS13_HRR[] = "1603030038020000340303cf21ad74e59a6111be1d8c021e65b891c2a211167abb"
                                "8c5e079e09e2c8a8339c0013010000"
                                "0c002b0002030400330002001e140303000101";

/* Hex to a malloc'd buffer of exactly the decoded size (ASan sees over-reads). */
static uint8_t *unhex(const char *h, size_t *n)
{
    size_t len = strlen(h) / 2;
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    for (size_t i = 0; i < len; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = h[2 * i + (size_t)k];
            v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        p[i] = (uint8_t)v;
    }
    *n = len;
    return p;
}

static stc_rc parse(const uint8_t *p, size_t n, int want_kex, struct tls_server_reply *r,
                    struct stc_err *e)
{
    /* Copy into an exact-size allocation, so reading past n is caught. */
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    if (n)
        memcpy(copy, p, n);
    stc_err_clear(e);
    stc_rc rc = tls_server_reply_parse(copy, n, want_kex, r, e);
    free(copy);
    return rc;
}

static stc_rc parse_hex(const char *h, int want_kex, struct tls_server_reply *r, struct stc_err *e)
{
    size_t n = 0;
    uint8_t *p = unhex(h, &n);
    stc_rc rc = parse(p, n, want_kex, r, e);
    free(p);
    return rc;
}

static void expect_peer(const char *h, int want_kex, const char *msg_part)
{
    struct tls_server_reply r;
    struct stc_err e;
    stc_rc rc = parse_hex(h, want_kex, &r, &e);
    if (rc != STC_E_PEER)
        fail_msg("%.60s...: rc %d, not STC_E_PEER", h, (int)rc);
    assert_int_equal(e.code, STC_E_PEER);
    if (strstr(e.msg, msg_part) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", e.msg, msg_part);
}

static void test_tls12_recorded(void **state)
{
    (void)state;
    struct tls_server_reply r;
    struct stc_err e;
    assert_int_equal(parse_hex(TLS12_FLIGHT, 1, &r, &e), STC_OK);
    assert_int_equal(r.kind, TLS_REPLY_HELLO);
    assert_int_equal(r.record_version, 0x0303);
    assert_int_equal(r.version, TLS_V_1_2);
    assert_int_equal(r.suite, 0xc02b);
    assert_int_equal(r.compression, 0);
    assert_true(r.secure_reneg);
    assert_false(r.ext_supported_versions);
    assert_true(r.have_certificate);
    assert_true(r.have_kex);
    assert_int_equal(r.group, TLS_GROUP_X25519); /* named curve of the ServerKeyExchange */
    assert_int_equal(r.dh_bits, 0);
    assert_true(r.done);
    /* Without want_kex the parse ends at the ServerHello. */
    assert_int_equal(parse_hex(TLS12_FLIGHT, 0, &r, &e), STC_OK);
    assert_int_equal(r.suite, 0xc02b);
    assert_false(r.have_certificate);
    assert_false(r.done);
}

static void test_tls12_every_truncation(void **state)
{
    (void)state;
    size_t n = 0;
    uint8_t *p = unhex(TLS12_FLIGHT, &n);
    struct tls_server_reply r;
    struct stc_err e;
    size_t sh_end = 5 + ((size_t)p[3] << 8 | p[4]); /* end of the ServerHello record */
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(parse(p, k, 1, &r, &e), STC_E_NOTFOUND);
        assert_int_equal(parse(p, k, 0, &r, &e), k < sh_end ? STC_E_NOTFOUND : STC_OK);
    }
    assert_int_equal(parse(p, n, 1, &r, &e), STC_OK);
    free(p);
}

static void test_tls13_recorded(void **state)
{
    (void)state;
    size_t n = 0;
    uint8_t *p = unhex(TLS13_FLIGHT, &n);
    struct tls_server_reply r;
    struct stc_err e;
    size_t sh_end = 5 + ((size_t)p[3] << 8 | p[4]);
    for (size_t k = 0; k < sh_end; k++)
        assert_int_equal(parse(p, k, 1, &r, &e), STC_E_NOTFOUND);
    for (size_t k = sh_end; k <= n; k++) {
        assert_int_equal(parse(p, k, 1, &r, &e), STC_OK);
        assert_int_equal(r.kind, TLS_REPLY_HELLO);
    }
    assert_int_equal(r.record_version, 0x0303);
    assert_int_equal(r.version, TLS_V_1_3); /* from supported_versions, not legacy_version */
    assert_true(r.ext_supported_versions);
    assert_int_equal(r.suite, 0x1301);
    assert_int_equal(r.group, TLS_GROUP_X25519);
    assert_false(r.secure_reneg);
    assert_false(r.have_kex);
    free(p);
}

static void test_tls13_hrr_recorded(void **state)
{
    (void)state;
    struct tls_server_reply r;
    struct stc_err e;
    assert_int_equal(parse_hex(TLS13_HRR, 1, &r, &e), STC_OK);
    assert_int_equal(r.kind, TLS_REPLY_RETRY);
    assert_int_equal(r.version, TLS_V_1_3);
    assert_int_equal(r.suite, 0x1301);
    assert_int_equal(r.group, TLS_GROUP_X448); /* the group the server asks for */
}

/* RFC 6101 5.6.1.3 by hand: version 3.0, random, no session id,
 * SSL_RSA_WITH_3DES_EDE_CBC_SHA, null compression, no extensions, followed by
 * ServerHelloDone in the same record. */
static const char SSL3_HELLO[] = "16030000"
                                 "2e"       /* record length 46 */
                                 "02000026" /* server_hello, 38 */
                                 "0300"
                                 "000102030405060708090a0b0c0d0e0f"
                                 "101112131415161718191a1b1c1d1e1f"
                                 "00"   /* session id */
                                 "000a" /* cipher suite */
                                 "00"   /* compression */
                                 "0e000000";

static void test_ssl3_hand_built(void **state)
{
    (void)state;
    struct tls_server_reply r;
    struct stc_err e;
    assert_int_equal(parse_hex(SSL3_HELLO, 1, &r, &e), STC_OK);
    assert_int_equal(r.kind, TLS_REPLY_HELLO);
    assert_int_equal(r.record_version, TLS_V_SSL3);
    assert_int_equal(r.version, TLS_V_SSL3);
    assert_int_equal(r.suite, 0x000a);
    assert_false(r.secure_reneg);
    assert_true(r.done);
    assert_false(r.have_certificate);
}

/* SSLv2 draft: 2-byte header (0x80 | length), SERVER-HELLO with a 3-byte
 * certificate, two cipher kinds, a 16-byte connection id. */
static const char SSL2_HELLO[] = "8024"
                                 "04"   /* SERVER-HELLO */
                                 "00"   /* session id hit */
                                 "01"   /* X.509 certificate */
                                 "0002" /* version */
                                 "0003" /* certificate length */
                                 "0006" /* cipher specs length */
                                 "0010" /* connection id length */
                                 "616263"
                                 "0700c0010080"
                                 "000102030405060708090a0b0c0d0e0f";

static void test_ssl2_hand_built(void **state)
{
    (void)state;
    struct tls_server_reply r;
    struct stc_err e;
    assert_int_equal(parse_hex(SSL2_HELLO, 1, &r, &e), STC_OK);
    assert_int_equal(r.kind, TLS_REPLY_SSL2_HELLO);
    assert_int_equal(r.version, TLS_V_SSL2);
    assert_int_equal(r.ssl2_nspecs, 2);
    assert_int_equal(r.ssl2_nspecs_total, 2);
    assert_int_equal(r.ssl2_specs[0], 0x0700c0);
    assert_int_equal(r.ssl2_specs[1], 0x010080);
    assert_true(r.have_certificate);
    assert_non_null(tls_suite_find_ssl2(r.ssl2_specs[0]));
    /* Every truncation needs more bytes; nothing is read past the end. */
    size_t n = 0;
    uint8_t *p = unhex(SSL2_HELLO, &n);
    for (size_t k = 0; k < n; k++)
        assert_int_equal(parse(p, k, 1, &r, &e), STC_E_NOTFOUND);
    free(p);
    /* ERROR message: NO-CIPHER-ERROR. */
    assert_int_equal(parse_hex("8003000001", 1, &r, &e), STC_OK);
    assert_int_equal(r.kind, TLS_REPLY_SSL2_ERROR);
    assert_int_equal(r.ssl2_error, 1);
    expect_peer("8000", 1, "empty");
    expect_peer("800402000000", 1, "not SERVER-HELLO");
    /* specs length 4: not a multiple of 3 */
    expect_peer("800f0400010002000000040000"
                "0700c001",
                1, "multiple of 3");
    /* lengths that run past the record */
    expect_peer("800f"
                "04000100020000"
                "00ff"
                "0000"
                "00000000",
                1, "run past");
}

/* A DHE suite: the ServerKeyExchange's dh_p gives the group size. */
static void test_dhe_kex(void **state)
{
    (void)state;
    char h[4096];
    struct tls_server_reply r;
    struct stc_err e;
    /* ServerHello(0x009e) in one record; SKE with a 256-byte p (top bit set),
     * g = 2, Ys = 1 byte, no signature (the parser stops at dh_p); SHD. */
    strcpy(h, "160303002a"
              "02000026"
              "0303"
              "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
              "00"
              "009e"
              "00");
    strcat(h, "160303010c"
              "0c000108"
              "0100");
    for (int i = 0; i < 256; i++)
        strcat(h, i == 0 ? "c9" : "ab");
    strcat(h, "000102"
              "000107"
              "16030300040e000000");
    assert_int_equal(parse_hex(h, 1, &r, &e), STC_OK);
    assert_int_equal(r.suite, 0x009e);
    assert_int_equal(r.dh_bits, 2048);
    assert_true(r.have_kex);
    assert_true(r.done);
    /* A prime with a leading zero byte and a 0x01 top byte: 8 * 128 + 1 - 8 = 1017 bits. */
    strcpy(h, "160303002a"
              "02000026"
              "0303"
              "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
              "00"
              "0033"
              "00");
    strcat(h, "1603030086"
              "0c000082"
              "0080");
    for (int i = 0; i < 128; i++)
        strcat(h, i == 0 ? "00" : i == 1 ? "01" : "ff");
    strcat(h, "16030300040e000000");
    assert_int_equal(parse_hex(h, 1, &r, &e), STC_OK);
    assert_int_equal(r.dh_bits, 1 + 8 * 126);
    /* dh_p longer than the message. */
    strcpy(h, "160303002a"
              "02000026"
              "0303"
              "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
              "00"
              "009e"
              "00"
              "1603030008"
              "0c000004"
              "0100ffff");
    expect_peer(h, 1, "dh_p");
}

/* The recorded TLS 1.2 flight re-framed: the ServerHello split over two
 * records, then all the other messages packed into one record. */
static void test_fragmented_records(void **state)
{
    (void)state;
    size_t n = 0;
    uint8_t *p = unhex(TLS12_FLIGHT, &n);
    uint8_t *q = malloc(n + 64);
    assert_non_null(q);
    size_t rec1 = (size_t)p[3] << 8 | p[4];
    size_t half = rec1 / 2, w = 0;
    q[w++] = 0x16, q[w++] = 3, q[w++] = 3, q[w++] = 0, q[w++] = (uint8_t)half;
    memcpy(q + w, p + 5, half), w += half;
    q[w++] = 0x16, q[w++] = 3, q[w++] = 3, q[w++] = 0, q[w++] = (uint8_t)(rec1 - half);
    memcpy(q + w, p + 5 + half, rec1 - half), w += rec1 - half;
    size_t len_at = w + 3, rest = 0;
    q[w++] = 0x16, q[w++] = 3, q[w++] = 3, q[w++] = 0, q[w++] = 0;
    for (size_t i = 5 + rec1; i < n;) {
        size_t l = (size_t)p[i + 3] << 8 | p[i + 4];
        memcpy(q + w, p + i + 5, l), w += l, rest += l;
        i += 5 + l;
    }
    q[len_at] = (uint8_t)(rest >> 8), q[len_at + 1] = (uint8_t)rest;
    struct tls_server_reply r;
    struct stc_err e;
    for (size_t k = 0; k < w; k++)
        assert_int_equal(parse(q, k, 1, &r, &e), STC_E_NOTFOUND);
    assert_int_equal(parse(q, w, 1, &r, &e), STC_OK);
    assert_int_equal(r.suite, 0xc02b);
    assert_int_equal(r.group, TLS_GROUP_X25519);
    assert_true(r.done);
    free(q);
    free(p);
}

static void test_alerts(void **state)
{
    (void)state;
    struct tls_server_reply r;
    struct stc_err e;
    assert_int_equal(parse_hex("15030300020228", 1, &r, &e), STC_OK);
    assert_int_equal(r.kind, TLS_REPLY_ALERT);
    assert_int_equal(r.alert_level, 2);
    assert_int_equal(r.alert_desc, 40);
    assert_string_equal(tls_alert_name(r.alert_desc), "handshake_failure");
    assert_int_equal(parse_hex("15030000020246", 1, &r, &e), STC_OK); /* SSLv3 record */
    assert_string_equal(tls_alert_name(r.alert_desc), "protocol_version");
    assert_int_equal(parse_hex("150303000202", 1, &r, &e), STC_E_NOTFOUND);
    expect_peer("150303000102", 1, "alert record");
    /* An alert after the ServerHello ends the parse with the hello kept. */
    size_t n = 0;
    uint8_t *p = unhex(TLS12_FLIGHT, &n);
    size_t sh_end = 5 + ((size_t)p[3] << 8 | p[4]);
    uint8_t *q = malloc(sh_end + 7);
    assert_non_null(q);
    memcpy(q, p, sh_end);
    memcpy(q + sh_end, "\x15\x03\x03\x00\x02\x02\x50", 7);
    assert_int_equal(parse(q, sh_end + 7, 1, &r, &e), STC_OK);
    assert_int_equal(r.kind, TLS_REPLY_HELLO);
    assert_int_equal(r.alert_desc, 80);
    assert_false(r.done);
    free(q);
    free(p);
}

static void test_garbage(void **state)
{
    (void)state;
    struct tls_server_reply r;
    struct stc_err e;
    expect_peer("35303020352e352e3120756e6b6e6f776e0d0a", 1, "('5')"); /* "500 5.5.1 unknown" */
    expect_peer("00", 1, "first byte 0x00");
    expect_peer("1703030005aabbccddee", 1, "first byte 0x17");
    expect_peer("1602000005020000010a", 1, "record version 0x0200");
    expect_peer("160303ffff", 1, "record length 65535 over");
    expect_peer("160303480102", 1, "over the limit");
    expect_peer("1603030000", 1, "empty handshake record");
    expect_peer("1603030004"
                "0b000000",
                1, "expected ServerHello, got handshake message 11");
    expect_peer("1603030004"
                "02ffffff",
                1, "handshake message of 16777215 bytes");
    expect_peer("140303000101", 1, "first byte 0x14");
    /* A CCS record between a partial ServerHello and its rest. */
    expect_peer("1603030004"
                "02000026"
                "140303000101",
                1, "ChangeCipherSpec before");
    /* Session id length 33. */
    expect_peer("1603030027"
                "02000023"
                "0303"
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                "21",
                1, "session id");
    /* ServerHello version 2.0. */
    expect_peer("160303002a"
                "02000026"
                "0200"
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                "00"
                "002f"
                "00",
                1, "not SSLv3/TLS");
    /* Extensions length larger than what follows. */
    expect_peer("160303002c"
                "02000028"
                "0303"
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                "00"
                "002f"
                "00"
                "0010",
                1, "truncated in the extensions");
    /* Bytes after the extensions. */
    expect_peer("1603030032"
                "0200002e"
                "0303"
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                "00"
                "002f"
                "00"
                "0005"
                "ff01000100"
                "aa",
                1, "after its extensions");
    /* One extension whose length runs past the block. */
    expect_peer("1603030030"
                "0200002c"
                "0303"
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                "00"
                "002f"
                "00"
                "0004"
                "ff010009",
                1, "extension truncated");
    /* An empty input needs more bytes. */
    assert_int_equal(parse(NULL, 0, 1, &r, &e), STC_E_NOTFOUND);
}

/* Mutations of the recorded flight: any result but a crash or an over-read. */
static void test_mutations(void **state)
{
    (void)state;
    size_t n = 0;
    uint8_t *p = unhex(TLS12_FLIGHT, &n);
    uint32_t x = 12345;
    struct tls_server_reply r;
    struct stc_err e;
    for (int round = 0; round < 3000; round++) {
        uint8_t *q = malloc(n);
        assert_non_null(q);
        memcpy(q, p, n);
        for (int k = 0; k < 1 + round % 4; k++) {
            x = x * 1103515245u + 12345u;
            q[(x >> 8) % n] = (uint8_t)(x >> 20);
        }
        x = x * 1103515245u + 12345u;
        size_t len = (x >> 4) % (n + 1);
        stc_rc rc = parse(q, len, round & 1, &r, &e);
        assert_true(rc == STC_OK || rc == STC_E_NOTFOUND || rc == STC_E_PEER);
        free(q);
    }
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls12_recorded),  cmocka_unit_test(test_tls12_every_truncation),
        cmocka_unit_test(test_tls13_recorded),  cmocka_unit_test(test_tls13_hrr_recorded),
        cmocka_unit_test(test_ssl3_hand_built), cmocka_unit_test(test_ssl2_hand_built),
        cmocka_unit_test(test_dhe_kex),         cmocka_unit_test(test_fragmented_records),
        cmocka_unit_test(test_alerts),          cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
