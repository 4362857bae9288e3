/* test_tls_handshake.c - handshake failures, version and cipher probes, and
 * the struct io stream of src/tls, against hostile and scripted servers on
 * 127.88.0.1 (tls_testsrv.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>

#include "tls_testrun.h"

static struct pki pki;
static struct tls_client *client;
static char cert[128], key[128];

static int group_setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN); /* the test server writes with write(2) */
    if (pki_make(&pki) != 0)
        return -1;
    pki_path(&pki, "good.chain.pem", cert, sizeof cert);
    pki_path(&pki, "good.key", key, sizeof key);
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

static const struct tls_handshake_opts plain_opts = {.sni = "mx.good.test",
                                                     .verify_name = "mx.good.test"};

static void expect_fail(enum srv_mode mode, stc_rc want, const char *msg_part, int64_t ms)
{
    struct run r;
    struct srv_cfg sc = {.mode = mode};
    assert_int_equal(run_start(&r, client, &sc, &plain_opts, ms), want);
    assert_null(r.t);
    print_message("    %s: %s (%lld ms)\n", stc_rc_name(r.rc), r.err.msg, (long long)r.elapsed_ms);
    if (msg_part != NULL && strstr(r.err.msg, msg_part) == NULL)
        fail_msg("error \"%s\" lacks \"%s\"", r.err.msg, msg_part);
    if (want != STC_E_TIMEOUT)
        assert_true(r.elapsed_ms < ms / 2); /* promptly, not at the deadline */
    run_end(&r);
}

static void test_plaintext_server(void **state)
{
    (void)state;
    expect_fail(SRV_GARBAGE, STC_E_TLS, "wrong version number", 5000);
}

static void test_bad_record_length(void **state)
{
    (void)state;
    expect_fail(SRV_BAD_RECORD, STC_E_TLS, "TLS handshake failed", 5000);
}

static void test_silent_server_times_out(void **state)
{
    (void)state;
    struct run r;
    struct srv_cfg sc = {.mode = SRV_SILENT};
    assert_int_equal(run_start(&r, client, &sc, &plain_opts, 400), STC_E_TIMEOUT);
    assert_string_equal(r.err.msg, "TLS handshake timed out");
    assert_true(r.elapsed_ms >= 300 && r.elapsed_ms < 2000);
    run_end(&r);
}

static void test_reset(void **state)
{
    (void)state;
    expect_fail(SRV_RESET, STC_E_PEER, "reset", 5000);
}

static void test_eof(void **state)
{
    (void)state;
    expect_fail(SRV_EOF, STC_E_PEER, "connection closed during TLS handshake", 5000);
}

static void test_truncated_server_hello(void **state)
{
    (void)state;
    expect_fail(SRV_TRUNCATED, STC_E_PEER, "connection closed during TLS handshake", 5000);
}

static struct srv_cfg tls_srv(void)
{
    struct srv_cfg sc = {.mode = SRV_TLS, .chain = cert, .key = key};
    return sc;
}

static void test_tls10_only_server_vs_default(void **state)
{
    (void)state;
    struct run r;
    struct srv_cfg sc = tls_srv();
    sc.min_version = sc.max_version = TLS1_VERSION;
    sc.seclevel0 = 1;
    sc.ciphers = "DEFAULT:@SECLEVEL=0";
    assert_int_equal(run_start(&r, client, &sc, &plain_opts, 5000), STC_E_TLS);
    print_message("    %s\n", r.err.msg);
    assert_true(strstr(r.err.msg, "protocol version") != NULL ||
                strstr(r.err.msg, "unsupported protocol") != NULL);
    run_end(&r);

    /* Asking for TLS 1.0 gets it. */
    struct tls_handshake_opts o = plain_opts;
    o.min_version = TLS_V_1_0;
    assert_int_equal(run_start(&r, client, &sc, &o, 5000), STC_OK);
    assert_int_equal(r.info.version, TLS_V_1_0);
    assert_string_equal(r.info.version_name, "TLSv1");
    assert_int_equal(r.info.problem, TLS_CERT_OK);
    run_end(&r);
}

static void test_max_version_probe(void **state)
{
    (void)state;
    struct run r;
    struct srv_cfg sc = tls_srv();
    sc.min_version = TLS1_VERSION;
    sc.seclevel0 = 1;
    sc.ciphers = "DEFAULT:@SECLEVEL=0";
    struct tls_handshake_opts o = plain_opts;
    o.min_version = TLS_V_1_0;
    o.max_version = TLS_V_1_1;
    assert_int_equal(run_start(&r, client, &sc, &o, 5000), STC_OK);
    assert_int_equal(r.info.version, TLS_V_1_1);
    assert_string_equal(r.info.version_name, "TLSv1.1");
    run_end(&r);

    /* The same server does TLS 1.2 by default and TLS 1.3 when allowed. */
    o.max_version = TLS_V_1_2;
    o.min_version = 0;
    assert_int_equal(run_start(&r, client, &sc, &o, 5000), STC_OK);
    assert_int_equal(r.info.version, TLS_V_1_2);
    assert_true(r.info.secure_renegotiation);
    run_end(&r);
}

static void test_modern_server_vs_old_client(void **state)
{
    (void)state;
    struct run r;
    struct srv_cfg sc = tls_srv();
    sc.min_version = TLS1_2_VERSION;
    struct tls_handshake_opts o = plain_opts;
    o.min_version = TLS_V_1_0;
    o.max_version = TLS_V_1_1;
    assert_int_equal(run_start(&r, client, &sc, &o, 5000), STC_E_TLS);
    run_end(&r);
}

static void test_broken_ciphers(void **state)
{
    (void)state;
    struct run r;
    struct srv_cfg sc = tls_srv();
    sc.seclevel0 = 1;
    sc.max_version = TLS1_2_VERSION;
    sc.ciphers = "NULL-SHA256:@SECLEVEL=0";
    struct tls_handshake_opts o = plain_opts;
    o.ciphers = TLS_CIPHERS_BROKEN;
    print_message("    legacy provider: %s\n", tls_client_has_legacy(client) ? "loaded" : "absent");
    assert_int_equal(run_start(&r, client, &sc, &o, 5000), STC_OK);
    assert_string_equal(r.info.cipher, "TLS_RSA_WITH_NULL_SHA256");
    assert_int_equal(r.info.cipher_bits, 0);
    assert_int_equal(r.info.version, TLS_V_1_2);
    assert_int_equal(r.info.have_cert, 1);
    run_end(&r);

    /* A sane server refuses every broken suite. */
    struct srv_cfg sane = tls_srv();
    assert_int_equal(run_start(&r, client, &sane, &o, 5000), STC_E_TLS);
    assert_non_null(strstr(r.err.msg, "alert"));
    run_end(&r);
}

static void test_anon_ciphers(void **state)
{
    (void)state;
    struct run r;
    struct srv_cfg sc = {.mode = SRV_TLS,
                         .seclevel0 = 1,
                         .max_version = TLS1_2_VERSION,
                         .ciphers = "aNULL:@SECLEVEL=0"};
    struct tls_handshake_opts o = plain_opts;
    o.ciphers = TLS_CIPHERS_ANON;
    assert_int_equal(run_start(&r, client, &sc, &o, 5000), STC_OK);
    assert_int_equal(r.info_rc, STC_OK);
    assert_int_equal(r.info.have_cert, 0);
    assert_int_equal(r.info.problem, TLS_CERT_NO_CERT);
    assert_int_equal(r.info.chain_trusted, 0);
    assert_int_equal(r.info.name_matches, 0);
    assert_int_equal(r.info.nnames, 0);
    assert_int_equal(r.info.chain_len, 0);
    assert_non_null(strstr(r.info.cipher, "anon"));
    run_end(&r);
}

static void test_bad_options(void **state)
{
    (void)state;
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    struct tls_tlsa rec = {3, 1, 1, (const uint8_t *)"x", 1};
    struct tls_handshake_opts bad[] = {
        {.sni = longname},
        {.verify_name = ""},
        {.min_version = TLS_V_1_3, .max_version = TLS_V_1_2},
        {.min_version = 0x0305},
        {.tlsa = &rec, .ntlsa = 1}, /* DANE without a name */
        {.ntlsa = 1},
        {.ciphers = (enum tls_cipher_set)7},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct run r;
        struct srv_cfg sc = {.mode = SRV_EOF};
        assert_int_equal(run_start(&r, client, &sc, &bad[i], 2000), STC_E_INVAL);
        assert_null(r.t);
        run_end(&r);
    }
}

static void test_blocking_fd_and_past_deadline(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct tls_conn *t = NULL;
    struct stc_err err = {STC_OK, ""};
    /* A blocking fd could wait past any deadline: refused. */
    assert_int_equal(tls_handshake(client, sv[0], &plain_opts, deadline_in(1000), &t, &err),
                     STC_E_INVAL);
    assert_null(t);
    /* A deadline already passed: no wait at all. */
    int fl = fcntl(sv[0], F_GETFL);
    assert_int_equal(fcntl(sv[0], F_SETFL, fl | O_NONBLOCK), 0);
    struct stc_err err2 = {STC_OK, ""};
    int64_t t0 = deadline_now_ms();
    assert_int_equal(tls_handshake(client, sv[0], &plain_opts, deadline_in(0), &t, &err2),
                     STC_E_TIMEOUT);
    assert_true(deadline_now_ms() - t0 < 500);
    assert_null(t);
    close(sv[0]);
    close(sv[1]);
}

/* ---- the stream ---- */

static void test_io_echo_then_close_notify(void **state)
{
    (void)state;
    struct run r;
    struct srv_cfg sc = tls_srv();
    sc.after = AFTER_ECHO;
    assert_int_equal(run_start(&r, client, &sc, &plain_opts, 5000), STC_OK);
    struct io *io = tls_conn_io(r.t);
    struct deadline d = deadline_in(3000);
    assert_int_equal(io_write(io, (const uint8_t *)"EHLO x\r\n", 8, d, &r.err), STC_OK);
    char buf[64];
    size_t got = 0, n = 0;
    while (got < 12) {
        assert_int_equal(io_read(io, (uint8_t *)buf + got, sizeof buf - got, &n, d, &r.err),
                         STC_OK);
        got += n;
    }
    assert_int_equal(got, 12);
    assert_memory_equal(buf, "250 EHLO x\r\n", 12);
    /* The server's close_notify is the end of the stream. */
    stc_rc rc = io_read(io, (uint8_t *)buf, sizeof buf, &n, d, &r.err);
    assert_int_equal(rc, STC_E_PEER);
    assert_string_equal(r.err.msg, "connection closed by peer");
    /* Further use fails cleanly. */
    struct stc_err e2 = {STC_OK, ""};
    assert_int_equal(io_write(io, (const uint8_t *)"x", 1, d, &e2), STC_E_PEER);
    run_end(&r);
    assert_string_equal(r.srv.line, "EHLO x\r\n");
}

static void test_io_eof_without_close_notify(void **state)
{
    (void)state;
    struct run r;
    struct srv_cfg sc = tls_srv();
    sc.after = AFTER_ECHO_FIN;
    assert_int_equal(run_start(&r, client, &sc, &plain_opts, 5000), STC_OK);
    struct io *io = tls_conn_io(r.t);
    struct deadline d = deadline_in(3000);
    assert_int_equal(io_write(io, (const uint8_t *)"NOOP\r\n", 6, d, &r.err), STC_OK);
    char buf[64];
    size_t n = 0;
    stc_rc rc;
    while ((rc = io_read(io, (uint8_t *)buf, sizeof buf, &n, d, &r.err)) == STC_OK)
        ;
    assert_int_equal(rc, STC_E_PEER);
    assert_string_equal(r.err.msg, "connection closed by peer");
    run_end(&r);
}

static void test_io_read_timeout(void **state)
{
    (void)state;
    struct run r;
    struct srv_cfg sc = tls_srv();
    assert_int_equal(run_start(&r, client, &sc, &plain_opts, 5000), STC_OK);
    struct io *io = tls_conn_io(r.t);
    uint8_t buf[16];
    size_t n = 0;
    int64_t t0 = deadline_now_ms();
    assert_int_equal(io_read(io, buf, sizeof buf, &n, deadline_in(300), &r.err), STC_E_TIMEOUT);
    int64_t el = deadline_now_ms() - t0;
    assert_true(el >= 250 && el < 2000);
    assert_string_equal(r.err.msg, "TLS read timed out");
    run_end(&r);
}

static void test_io_big_write(void **state)
{
    (void)state;
    enum { BIG = 4 * 1024 * 1024 };
    struct run r;
    struct srv_cfg sc = tls_srv();
    sc.after = AFTER_SINK;
    sc.sink_bytes = BIG;
    assert_int_equal(run_start(&r, client, &sc, &plain_opts, 5000), STC_OK);
    uint8_t *big = calloc(1, BIG);
    assert_non_null(big);
    struct io *io = tls_conn_io(r.t);
    struct deadline d = deadline_in(20000);
    assert_int_equal(io_write(io, big, BIG, d, &r.err), STC_OK);
    char buf[16];
    size_t n = 0;
    assert_int_equal(io_read(io, (uint8_t *)buf, sizeof buf, &n, d, &r.err), STC_OK);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "done\n", 5);
    free(big);
    run_end(&r);
    assert_int_equal(r.srv.sunk, BIG);
}

/* One shared tls_client, handshakes from several threads at once. */
struct par {
    struct run r;
    stc_rc rc;
};

static void *par_main(void *arg)
{
    struct par *p = arg;
    struct srv_cfg sc = tls_srv();
    p->rc = run_start(&p->r, client, &sc, &plain_opts, 10000);
    if (p->rc == STC_OK && p->r.info.problem != TLS_CERT_OK)
        p->rc = STC_E_INTERNAL;
    run_end(&p->r);
    return NULL;
}

static void test_shared_client_threads(void **state)
{
    (void)state;
    enum { N = 6 };
    struct par ps[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&th[i], NULL, par_main, &ps[i]), 0);
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++)
        assert_int_equal(ps[i].rc, STC_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plaintext_server),
        cmocka_unit_test(test_bad_record_length),
        cmocka_unit_test(test_silent_server_times_out),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_eof),
        cmocka_unit_test(test_truncated_server_hello),
        cmocka_unit_test(test_tls10_only_server_vs_default),
        cmocka_unit_test(test_max_version_probe),
        cmocka_unit_test(test_modern_server_vs_old_client),
        cmocka_unit_test(test_broken_ciphers),
        cmocka_unit_test(test_anon_ciphers),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_blocking_fd_and_past_deadline),
        cmocka_unit_test(test_io_echo_then_close_notify),
        cmocka_unit_test(test_io_eof_without_close_notify),
        cmocka_unit_test(test_io_read_timeout),
        cmocka_unit_test(test_io_big_write),
        cmocka_unit_test(test_shared_client_threads),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
