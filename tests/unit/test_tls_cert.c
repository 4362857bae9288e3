/* test_tls_cert.c - certificate facts, verification verdicts and DANE of
 * src/tls against an in-process OpenSSL server on 127.88.0.1, with a test PKI
 * made by tls_certs.sh (see tls_testsrv.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tls_testrun.h"

static struct pki pki;
static struct tls_client *client;

static int group_setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN); /* the test server writes with write(2) */
    if (pki_make(&pki) != 0)
        return -1;
    char ca[128];
    struct tls_client_config cfg = {pki_path(&pki, "root.pem", ca, sizeof ca), NULL};
    struct stc_err err = {STC_OK, ""};
    return tls_client_new(&cfg, &client, &err) == STC_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    tls_client_free(client);
    pki_remove(&pki);
    return 0;
}

/* Serve <name>.chain.pem (or <name>.pem when !chain) with <name>.key. */
static stc_rc serve(struct run *r, const char *name, int chain, const struct tls_handshake_opts *o)
{
    static char cert[128], key[128];
    char f[64];
    snprintf(f, sizeof f, "%s%s", name, chain ? ".chain.pem" : ".pem");
    pki_path(&pki, f, cert, sizeof cert);
    snprintf(f, sizeof f, "%s.key", name);
    pki_path(&pki, f, key, sizeof key);
    struct srv_cfg sc = {.mode = SRV_TLS, .chain = cert, .key = key};
    stc_rc rc = run_start(r, client, &sc, o, 5000);
    if (rc != STC_OK)
        fprintf(stderr, "handshake: %s\n", r->err.msg);
    return rc;
}

static void hash_of(const char *file, unsigned char bin[32], char hex[65])
{
    assert_int_equal(pki_hash(&pki, file, bin, hex), 0);
}

static void test_good_chain(void **state)
{
    (void)state;
    struct run r;
    struct tls_handshake_opts o = {.sni = "mx.good.test", .verify_name = "mx.good.test"};
    assert_int_equal(serve(&r, "good", 1, &o), STC_OK);
    assert_int_equal(r.info_rc, STC_OK);
    struct tls_info *i = &r.info;
    print_message("    %s %s %d bits, group %s; %s; issuer %s\n", i->version_name, i->cipher,
                  i->cipher_bits, i->group, i->subject, i->issuer);
    assert_int_equal(i->version, TLS_V_1_3);
    assert_string_equal(i->version_name, "TLSv1.3");
    assert_true(strncmp(i->cipher, "TLS_", 4) == 0);
    assert_true(i->cipher_bits >= 128);
    assert_true(i->group[0] != '\0');
    assert_int_equal(i->have_cert, 1);
    assert_non_null(strstr(i->subject, "CN=mx.good.test"));
    assert_non_null(strstr(i->issuer, "CN=STC Test Intermediate"));
    assert_int_equal(i->nnames, 2);
    assert_string_equal(i->names[0], "mx.good.test");
    assert_string_equal(i->names[1], "*.wild.test");
    assert_int_equal(i->names_skipped, 0);
    assert_true(i->days_to_expiry == 364 || i->days_to_expiry == 365);
    assert_true(i->not_after - i->not_before == 365LL * 86400);
    assert_string_equal(i->key_type, "RSA");
    assert_int_equal(i->key_bits, 2048);
    assert_string_equal(i->sig_alg, "ecdsa-with-SHA256");
    assert_int_equal(i->chain_len, 2);
    unsigned char bin[32];
    char hex[65];
    hash_of("good.spki", bin, hex);
    assert_string_equal(i->spki_sha256, hex);
    hash_of("good.sha256", bin, hex);
    assert_string_equal(i->cert_sha256, hex);
    assert_int_equal(i->chain_trusted, 1);
    assert_int_equal(i->name_matches, 1);
    assert_int_equal(i->problem, TLS_CERT_OK);
    assert_string_equal(i->verify_text, "");
    assert_int_equal(i->dane_enabled, 0);
    assert_int_equal(i->dane_authenticated, 0);
    assert_int_equal(i->dane_depth, -1);
    run_end(&r);
    /* Our tls_conn_free sent close_notify. */
    assert_int_equal(r.srv.saw_close_notify, 1);
}

static void check_name(const char *name, int matches)
{
    struct run r;
    struct tls_handshake_opts o = {.sni = name, .verify_name = name};
    assert_int_equal(serve(&r, "good", 1, &o), STC_OK);
    assert_int_equal(r.info.chain_trusted, 1);
    assert_int_equal(r.info.name_matches, matches);
    assert_int_equal(r.info.problem, matches ? TLS_CERT_OK : TLS_CERT_NAME_MISMATCH);
    if (!matches)
        assert_true(r.info.verify_text[0] != '\0');
    run_end(&r);
}

static void test_names(void **state)
{
    (void)state;
    check_name("MX.Good.Test", 1);
    check_name("a.wild.test", 1);
    check_name("b.a.wild.test", 0); /* a wildcard is one label */
    check_name("wild.test", 0);
    check_name("other.test", 0);
    check_name("good.test", 0);
}

static void test_no_verify_name(void **state)
{
    (void)state;
    struct run r;
    struct tls_handshake_opts o = {0};
    assert_int_equal(serve(&r, "good", 1, &o), STC_OK);
    assert_int_equal(r.info.name_matches, 1);
    assert_int_equal(r.info.problem, TLS_CERT_OK);
    run_end(&r);
}

static void test_missing_intermediate(void **state)
{
    (void)state;
    struct run r;
    struct tls_handshake_opts o = {.sni = "mx.good.test", .verify_name = "mx.good.test"};
    assert_int_equal(serve(&r, "good", 0, &o), STC_OK);
    assert_int_equal(r.info.chain_len, 1);
    assert_int_equal(r.info.chain_trusted, 0);
    assert_int_equal(r.info.name_matches, 1);
    assert_int_equal(r.info.problem, TLS_CERT_INCOMPLETE_CHAIN);
    assert_true(r.info.verify_text[0] != '\0');
    run_end(&r);
}

static void test_expired(void **state)
{
    (void)state;
    struct run r;
    struct tls_handshake_opts o = {.sni = "mx.good.test", .verify_name = "mx.good.test"};
    assert_int_equal(serve(&r, "expired", 1, &o), STC_OK);
    assert_int_equal(r.info.chain_trusted, 1); /* dates aside */
    assert_int_equal(r.info.name_matches, 1);
    assert_int_equal(r.info.problem, TLS_CERT_EXPIRED);
    assert_true(r.info.days_to_expiry < -365 * 4);
    assert_int_equal(r.info.not_before, 1577836800LL); /* 2020-01-01 */
    assert_int_equal(r.info.not_after, 1609459200LL);  /* 2021-01-01 */
    assert_string_equal(r.info.key_type, "EC");
    assert_int_equal(r.info.key_bits, 256);
    run_end(&r);

    /* Expired and the wrong name: expired first, but name_matches still says it. */
    struct tls_handshake_opts o2 = {.sni = "other.test", .verify_name = "other.test"};
    assert_int_equal(serve(&r, "expired", 1, &o2), STC_OK);
    assert_int_equal(r.info.problem, TLS_CERT_EXPIRED);
    assert_int_equal(r.info.name_matches, 0);
    assert_int_equal(r.info.chain_trusted, 1);
    run_end(&r);
}

static void test_not_yet_valid(void **state)
{
    (void)state;
    struct run r;
    struct tls_handshake_opts o = {.sni = "mx.good.test", .verify_name = "mx.good.test"};
    assert_int_equal(serve(&r, "future", 1, &o), STC_OK);
    assert_int_equal(r.info.problem, TLS_CERT_NOT_YET_VALID);
    assert_int_equal(r.info.chain_trusted, 1);
    assert_true(r.info.days_to_expiry > 365 * 70);
    run_end(&r);
}

static void test_self_signed(void **state)
{
    (void)state;
    struct run r;
    struct tls_handshake_opts o = {.sni = "other.test", .verify_name = "other.test"};
    assert_int_equal(serve(&r, "self", 0, &o), STC_OK);
    assert_int_equal(r.info.problem, TLS_CERT_SELF_SIGNED); /* before the name */
    assert_int_equal(r.info.chain_trusted, 0);
    assert_int_equal(r.info.name_matches, 0);
    assert_string_equal(r.info.subject, r.info.issuer);
    run_end(&r);
}

static void test_unknown_issuer(void **state)
{
    (void)state;
    struct run r;
    struct tls_handshake_opts o = {.sni = "mx.good.test", .verify_name = "mx.good.test"};
    assert_int_equal(serve(&r, "evil", 1, &o), STC_OK);
    assert_int_equal(r.info.chain_len, 2);
    assert_int_equal(r.info.problem, TLS_CERT_UNKNOWN_ISSUER);
    assert_int_equal(r.info.chain_trusted, 0);
    assert_int_equal(r.info.name_matches, 1);
    run_end(&r);
}

static void test_nul_san(void **state)
{
    (void)state;
    struct run r;
    struct tls_handshake_opts o = {.sni = "ok.test", .verify_name = "ok.test"};
    assert_int_equal(serve(&r, "nul", 1, &o), STC_OK);
    assert_int_equal(r.info.nnames, 1);
    assert_string_equal(r.info.names[0], "ok.test");
    assert_int_equal(r.info.names_skipped, 1);
    assert_int_equal(r.info.problem, TLS_CERT_OK);
    run_end(&r);
    /* The NUL name matches neither of its halves. */
    struct tls_handshake_opts o2 = {.sni = "x", .verify_name = "x"};
    assert_int_equal(serve(&r, "nul", 1, &o2), STC_OK);
    assert_int_equal(r.info.name_matches, 0);
    run_end(&r);
}

static void test_cn_only(void **state)
{
    (void)state;
    struct run r;
    struct tls_handshake_opts o = {.sni = "cn.good.test", .verify_name = "cn.good.test"};
    assert_int_equal(serve(&r, "cn", 1, &o), STC_OK);
    assert_int_equal(r.info.nnames, 1);
    assert_string_equal(r.info.names[0], "cn.good.test");
    assert_int_equal(r.info.name_matches, 1);
    assert_int_equal(r.info.problem, TLS_CERT_OK);
    run_end(&r);
}

/* ---- DANE ---- */

static void test_dane_ee(void **state)
{
    (void)state;
    unsigned char h[32];
    char hex[65];
    const char *leaves[] = {"self", "expired"};
    for (int k = 0; k < 2; k++) {
        char f[32];
        snprintf(f, sizeof f, "%s.spki", leaves[k]);
        hash_of(f, h, hex);
        struct tls_tlsa rec = {3, 1, 1, h, 32};
        struct run r;
        /* Wrong name, self-signed or expired: DANE-EE does not care. */
        struct tls_handshake_opts o = {
            .sni = "wrong.test", .verify_name = "wrong.test", .tlsa = &rec, .ntlsa = 1};
        assert_int_equal(serve(&r, leaves[k], k == 1, &o), STC_OK);
        assert_int_equal(r.info.dane_enabled, 1);
        assert_int_equal(r.info.dane_usable, 1);
        assert_int_equal(r.info.dane_authenticated, 1);
        assert_int_equal(r.info.dane_usage, 3);
        assert_int_equal(r.info.dane_selector, 1);
        assert_int_equal(r.info.dane_mtype, 1);
        assert_int_equal(r.info.dane_depth, 0);
        assert_string_equal(r.info.dane_text, "");
        /* PKIX facts are still independent. */
        assert_int_equal(r.info.name_matches, 0);
        assert_int_equal(r.info.problem, k == 0 ? TLS_CERT_SELF_SIGNED : TLS_CERT_EXPIRED);
        run_end(&r);
    }
}

static void test_dane_ee_cert_hash(void **state)
{
    (void)state;
    unsigned char h[32];
    char hex[65];
    hash_of("good.sha256", h, hex);
    struct tls_tlsa rec = {3, 0, 1, h, 32};
    struct run r;
    struct tls_handshake_opts o = {
        .sni = "mx.good.test", .verify_name = "mx.good.test", .tlsa = &rec, .ntlsa = 1};
    assert_int_equal(serve(&r, "good", 1, &o), STC_OK);
    assert_int_equal(r.info.dane_authenticated, 1);
    assert_int_equal(r.info.dane_selector, 0);
    run_end(&r);
}

static void test_dane_wrong(void **state)
{
    (void)state;
    unsigned char h[32];
    char hex[65];
    hash_of("good.spki", h, hex);
    h[0] ^= 0xff;
    struct tls_tlsa rec = {3, 1, 1, h, 32};
    struct run r;
    struct tls_handshake_opts o = {
        .sni = "mx.good.test", .verify_name = "mx.good.test", .tlsa = &rec, .ntlsa = 1};
    assert_int_equal(serve(&r, "good", 1, &o), STC_OK); /* evaluated, not enforced */
    assert_int_equal(r.info.dane_enabled, 1);
    assert_int_equal(r.info.dane_authenticated, 0);
    assert_int_equal(r.info.dane_depth, -1);
    assert_int_equal(r.info.dane_usage, -1);
    assert_true(r.info.dane_text[0] != '\0');
    /* PKIX is fine and reported as such. */
    assert_int_equal(r.info.problem, TLS_CERT_OK);
    run_end(&r);
}

static void test_dane_ta(void **state)
{
    (void)state;
    unsigned char h[32];
    char hex[65];
    hash_of("int.spki", h, hex);
    struct tls_tlsa rec = {2, 1, 1, h, 32};
    struct run r;
    struct tls_handshake_opts o = {
        .sni = "mx.good.test", .verify_name = "mx.good.test", .tlsa = &rec, .ntlsa = 1};
    assert_int_equal(serve(&r, "good", 1, &o), STC_OK);
    assert_int_equal(r.info.dane_authenticated, 1);
    assert_int_equal(r.info.dane_usage, 2);
    assert_int_equal(r.info.dane_depth, 1);
    run_end(&r);

    /* DANE-TA checks the name. */
    struct tls_handshake_opts o2 = {
        .sni = "other.test", .verify_name = "other.test", .tlsa = &rec, .ntlsa = 1};
    assert_int_equal(serve(&r, "good", 1, &o2), STC_OK);
    assert_int_equal(r.info.dane_authenticated, 0);
    assert_true(r.info.dane_text[0] != '\0');
    run_end(&r);

    /* The TLSA base name (sni) may differ from the MX name: either matches. */
    struct tls_handshake_opts o3 = {
        .sni = "other.test", .verify_name = "mx.good.test", .tlsa = &rec, .ntlsa = 1};
    assert_int_equal(serve(&r, "good", 1, &o3), STC_OK);
    assert_int_equal(r.info.dane_authenticated, 1);
    run_end(&r);
}

static void test_dane_unusable(void **state)
{
    (void)state;
    unsigned char h[32];
    char hex[65];
    hash_of("good.spki", h, hex);
    struct tls_tlsa recs[] = {
        {0, 1, 1, h, 32},                      /* PKIX-TA: unusable for SMTP */
        {1, 1, 1, h, 32},                      /* PKIX-EE: unusable for SMTP */
        {3, 1, 1, h, 5},                       /* SHA-256 of the wrong length */
        {3, 1, 1, NULL, 32}, {4, 1, 1, h, 32}, /* unknown usage */
    };
    struct run r;
    struct tls_handshake_opts o = {
        .sni = "mx.good.test", .verify_name = "mx.good.test", .tlsa = recs, .ntlsa = 5};
    assert_int_equal(serve(&r, "good", 1, &o), STC_OK);
    assert_int_equal(r.info.dane_enabled, 0);
    assert_int_equal(r.info.dane_usable, 0);
    assert_int_equal(r.info.dane_authenticated, 0);
    assert_string_equal(r.info.dane_text, "no usable TLSA records");
    assert_int_equal(r.info.problem, TLS_CERT_OK);
    run_end(&r);

    /* Garbage next to a good record: the good one counts. */
    struct tls_tlsa mixed[] = {{3, 1, 1, h, 5}, {3, 1, 1, h, 32}, {3, 9, 9, h, 32}};
    struct tls_handshake_opts o2 = {
        .sni = "mx.good.test", .verify_name = "mx.good.test", .tlsa = mixed, .ntlsa = 3};
    assert_int_equal(serve(&r, "good", 1, &o2), STC_OK);
    assert_int_equal(r.info.dane_enabled, 1);
    assert_int_equal(r.info.dane_authenticated, 1);
    run_end(&r);
}

static void test_client_bad_ca(void **state)
{
    (void)state;
    struct tls_client *c = NULL;
    struct stc_err err = {STC_OK, ""};
    struct tls_client_config cfg = {"/nonexistent/ca.pem", NULL};
    assert_int_equal(tls_client_new(&cfg, &c, &err), STC_E_TLS);
    assert_null(c);
    assert_non_null(strstr(err.msg, "/nonexistent/ca.pem"));
    /* A file that is not PEM. */
    char path[128];
    struct stc_err err2 = {STC_OK, ""};
    struct tls_client_config cfg2 = {pki_path(&pki, "index.txt", path, sizeof path), NULL};
    assert_int_equal(tls_client_new(&cfg2, &c, &err2), STC_E_TLS);
    /* The system store loads. */
    struct stc_err err3 = {STC_OK, ""};
    assert_int_equal(tls_client_new(NULL, &c, &err3), STC_OK);
    tls_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_chain),     cmocka_unit_test(test_names),
        cmocka_unit_test(test_no_verify_name), cmocka_unit_test(test_missing_intermediate),
        cmocka_unit_test(test_expired),        cmocka_unit_test(test_not_yet_valid),
        cmocka_unit_test(test_self_signed),    cmocka_unit_test(test_unknown_issuer),
        cmocka_unit_test(test_nul_san),        cmocka_unit_test(test_cn_only),
        cmocka_unit_test(test_dane_ee),        cmocka_unit_test(test_dane_ee_cert_hash),
        cmocka_unit_test(test_dane_wrong),     cmocka_unit_test(test_dane_ta),
        cmocka_unit_test(test_dane_unusable),  cmocka_unit_test(test_client_bad_ca),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
