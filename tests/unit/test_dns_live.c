/* test_dns_live.c - the dns layer against real servers on loopback.
 *
 * Starts tests/integration/dns/fixture.sh (NSD + validating unbound on a
 * /24 the fixture claims in 127.250.0.0/16, which no test world uses, with a
 * signed fake root) in a fresh temp dir, reads the resolver address from
 * DIR/resolver, runs the lookups, stops it. Two runs at once get two nets. Needs root and nsd/unbound/ldns-utils/dig; if the
 * fixture cannot start, the test fails (it does not skip).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "dns/dns.h"

struct world {
    char dir[64];
    char fixture[1024];
    char ta[128];
    char resolver[32]; /* unbound: NET.1 (from DIR/resolver) */
    char resolver53[40];
    char nsd[32];      /* NSD: NET.2 */
    char dead[40];     /* NET.9@5353: nothing listens */
    struct dns_ctx *ctx;   /* validating, trust anchor = fake root */
    struct dns_ctx *plain; /* no trust anchor: nothing is secure */
    struct dns_ctx *local; /* ctx while a stub test swaps it */
    struct dns_ctx *stub;  /* --dnssec=resolver: the resolver's AD bit */
};

static int run_fixture(struct world *w, const char *cmd)
{
    char line[1200];
    snprintf(line, sizeof line, "sh '%s' %s '%s' >/dev/null", w->fixture, cmd, w->dir);
    int st = system(line);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* DIR/resolver holds "127.250.N.1": derive the other addresses from it. */
static int read_resolver(struct world *w)
{
    char path[96];
    unsigned n = 0;
    snprintf(path, sizeof path, "%s/resolver", w->dir);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    int ok = fscanf(f, "127.250.%u.1", &n) == 1 && n >= 1 && n <= 255;
    fclose(f);
    if (!ok)
        return -1;
    snprintf(w->resolver, sizeof w->resolver, "127.250.%u.1", n);
    snprintf(w->resolver53, sizeof w->resolver53, "127.250.%u.1@53", n);
    snprintf(w->nsd, sizeof w->nsd, "127.250.%u.2", n);
    snprintf(w->dead, sizeof w->dead, "127.250.%u.9@5353", n);
    return 0;
}

static int setup(void **state)
{
    static struct world w;
    struct stc_err err = {0};
    const char *self = __FILE__;
    const char *cut = strstr(self, "unit/test_dns_live.c");
    if (cut == NULL)
        return -1;
    snprintf(w.fixture, sizeof w.fixture, "%.*sintegration/dns/fixture.sh", (int)(cut - self),
             self);
    snprintf(w.dir, sizeof w.dir, "/tmp/stc-dns-live.XXXXXX");
    if (mkdtemp(w.dir) == NULL)
        return -1;
    if (run_fixture(&w, "start") != 0) {
        fprintf(stderr, "fixture %s failed to start\n", w.fixture);
        run_fixture(&w, "stop");
        return -1;
    }
    snprintf(w.ta, sizeof w.ta, "%s/root.key", w.dir);
    if (read_resolver(&w) != 0) {
        fprintf(stderr, "fixture wrote no resolver address in %s/resolver\n", w.dir);
        run_fixture(&w, "stop");
        return -1;
    }
    struct dns_config cfg = {.resolver = w.resolver, .trust_anchor = w.ta};
    if (dns_ctx_new(&cfg, &w.ctx, &err) != STC_OK) {
        fprintf(stderr, "dns_ctx_new: %s\n", err.msg);
        return -1;
    }
    struct dns_config plain = {.resolver = w.resolver53};
    if (dns_ctx_new(&plain, &w.plain, &err) != STC_OK) {
        fprintf(stderr, "dns_ctx_new: %s\n", err.msg);
        return -1;
    }
    struct dns_config stub = {.resolver = w.resolver, .trust_resolver = 1};
    if (dns_ctx_new(&stub, &w.stub, &err) != STC_OK || !dns_ctx_trusts_resolver(w.stub)) {
        fprintf(stderr, "dns_ctx_new (resolver mode): %s\n", err.msg);
        return -1;
    }
    *state = &w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    if (w == NULL)
        return 0;
    dns_ctx_free(w->ctx);
    dns_ctx_free(w->plain);
    dns_ctx_free(w->stub);
    return run_fixture(w, "stop") == 0 ? 0 : -1;
}

static struct deadline soon(void)
{
    return deadline_in(5000);
}

static void test_mx(void **state)
{
    struct world *w = *state;
    struct dns_mx_set s;
    struct stc_err err = {0};
    assert_int_equal(dns_lookup_mx(w->ctx, "stc-sec", soon(), &s, &err), STC_OK);
    assert_int_equal(s.st.sec, DNS_SECURE);
    assert_int_equal(s.st.rcode, 0);
    assert_false(s.st.nxdomain);
    assert_false(s.st.nodata);
    assert_false(s.null_mx);
    /* zone: 20 mx2, 10 MX1, 10 a.mx, 30 mx1 -> mx1 kept once, at 10 */
    assert_int_equal(s.n, 3);
    assert_int_equal(s.mx[0].pref, 10);
    assert_string_equal(s.mx[0].host, "a.mx.stc-sec");
    assert_int_equal(s.mx[1].pref, 10);
    assert_string_equal(s.mx[1].host, "mx1.stc-sec");
    assert_int_equal(s.mx[2].pref, 20);
    assert_string_equal(s.mx[2].host, "mx2.stc-sec");
    dns_mx_set_free(&s);

    assert_int_equal(dns_lookup_mx(w->ctx, "nullmx.stc-sec.", soon(), &s, &err), STC_OK);
    assert_true(s.null_mx);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.mx[0].host, "");
    assert_int_equal(s.st.sec, DNS_SECURE);
    dns_mx_set_free(&s);

    /* NODATA: the name exists, no MX */
    assert_int_equal(dns_lookup_mx(w->ctx, "mx1.stc-sec", soon(), &s, &err), STC_OK);
    assert_true(s.st.nodata);
    assert_false(s.st.nxdomain);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.st.sec, DNS_SECURE);
    dns_mx_set_free(&s);
}

static void test_addrs(void **state)
{
    struct world *w = *state;
    struct dns_addr_set s;
    struct stc_err err = {0};
    assert_int_equal(dns_lookup_addrs(w->ctx, "mx1.stc-sec", soon(), &s, &err), STC_OK);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.addr[0], "127.88.53.10");
    assert_string_equal(s.addr[1], "127.88.53.11");
    assert_string_equal(s.addr[2], "2001:db8::10");
    assert_int_equal(s.st4.sec, DNS_SECURE);
    assert_int_equal(s.st6.sec, DNS_SECURE);
    dns_addr_set_free(&s);

    /* A only: AAAA is NODATA; CNAME shows in canonname */
    assert_int_equal(dns_lookup_addrs(w->ctx, "Alias.stc-sec", soon(), &s, &err), STC_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.addr[0], "127.88.53.12");
    assert_string_equal(s.st4.canonname, "mx2.stc-sec");
    assert_true(s.st6.nodata);
    dns_addr_set_free(&s);

    /* no CNAME: no canonname, whatever the case or trailing dot of the question */
    const char *same[] = {"mx2.stc-sec", "MX2.Stc-Sec.", "mx2.stc-sec."};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(dns_lookup_addrs(w->ctx, same[i], soon(), &s, &err), STC_OK);
        assert_string_equal(s.st4.canonname, "");
        assert_int_equal(s.n, 1);
        dns_addr_set_free(&s);
    }
    assert_int_equal(dns_lookup_addrs(w->ctx, "ALIAS.stc-sec.", soon(), &s, &err), STC_OK);
    assert_string_equal(s.st4.canonname, "mx2.stc-sec");
    dns_addr_set_free(&s);

    /* NXDOMAIN, proven by NSEC */
    assert_int_equal(dns_lookup_addrs(w->ctx, "nope.stc-sec", soon(), &s, &err), STC_OK);
    assert_true(s.st4.nxdomain);
    assert_int_equal(s.st4.rcode, 3);
    assert_true(s.st6.nxdomain);
    assert_int_equal(s.st4.sec, DNS_SECURE);
    assert_int_equal(s.n, 0);
    dns_addr_set_free(&s);
}

static void test_txt_tlsa(void **state)
{
    struct world *w = *state;
    struct dns_txt_set t;
    struct dns_tlsa_set a;
    struct stc_err err = {0};
    assert_int_equal(dns_lookup_txt(w->ctx, "_mta-sts.stc-sec", soon(), &t, &err), STC_OK);
    assert_int_equal(t.n, 1);
    assert_string_equal(t.txt[0], "v=STSv1; id=20240101T000000");
    assert_int_equal(t.st.sec, DNS_SECURE);
    dns_txt_set_free(&t);
    assert_int_equal(dns_lookup_txt(w->ctx, "multi.stc-sec", soon(), &t, &err), STC_OK);
    assert_int_equal(t.n, 2);
    int one = 0, two = 0;
    for (size_t i = 0; i < t.n; i++) {
        one += strcmp(t.txt[i], "one") == 0;
        two += strcmp(t.txt[i], "two") == 0;
    }
    assert_int_equal(one, 1);
    assert_int_equal(two, 1);
    dns_txt_set_free(&t);

    assert_int_equal(dns_lookup_tlsa(w->ctx, "_25._tcp.mx1.stc-sec", soon(), &a, &err), STC_OK);
    assert_int_equal(a.st.sec, DNS_SECURE);
    assert_int_equal(a.n, 2);
    int seen311 = 0, seen200 = 0;
    for (size_t i = 0; i < a.n; i++) {
        if (a.rr[i].usage == 3 && a.rr[i].selector == 1 && a.rr[i].mtype == 1) {
            assert_int_equal(a.rr[i].len, 32);
            assert_int_equal(a.rr[i].data[0], 0x01);
            assert_int_equal(a.rr[i].data[31], 0xef);
            seen311++;
        }
        if (a.rr[i].usage == 2 && a.rr[i].selector == 0 && a.rr[i].mtype == 0) {
            assert_int_equal(a.rr[i].len, 4);
            assert_memory_equal(a.rr[i].data, "\xde\xad\xbe\xef", 4);
            seen200++;
        }
    }
    assert_int_equal(seen311, 1);
    assert_int_equal(seen200, 1);
    dns_tlsa_set_free(&a);
}

static void test_security_states(void **state)
{
    struct world *w = *state;
    struct dns_mx_set m;
    struct dns_addr_set s;
    struct dns_txt_set t;
    struct stc_err err = {0};
    /* unsigned zone under a signed root: insecure, data usable */
    assert_int_equal(dns_lookup_mx(w->ctx, "stc-insec", soon(), &m, &err), STC_OK);
    assert_int_equal(m.st.sec, DNS_INSECURE);
    assert_int_equal(m.n, 1);
    assert_string_equal(m.mx[0].host, "mx.stc-insec");
    dns_mx_set_free(&m);
    /* "test." is answered by DNS, not by libunbound's built-in local zone */
    assert_int_equal(dns_lookup_mx(w->ctx, "test", soon(), &m, &err), STC_OK);
    assert_int_equal(m.st.sec, DNS_INSECURE);
    assert_int_equal(m.n, 1);
    assert_string_equal(m.mx[0].host, "mx.test");
    dns_mx_set_free(&m);
    /* altered records: bogus, with a reason, and no data handed on */
    assert_int_equal(dns_lookup_addrs(w->ctx, "mx.stc-bogus", soon(), &s, &err), STC_OK);
    assert_int_equal(s.st4.sec, DNS_BOGUS);
    assert_true(strlen(s.st4.why_bogus) > 0);
    print_message("why_bogus: %s\n", s.st4.why_bogus);
    for (size_t i = 0; i < s.n; i++)
        assert_string_not_equal(s.addr[i], "127.88.53.31");
    dns_addr_set_free(&s);
    assert_int_equal(dns_lookup_txt(w->ctx, "stc-bogus", soon(), &t, &err), STC_OK);
    assert_int_equal(t.st.sec, DNS_BOGUS);
    assert_int_equal(t.n, 0);
    dns_txt_set_free(&t);
    /* without a trust anchor nothing is secure; the forwarder's SERVFAIL for bogus data shows */
    assert_int_equal(dns_lookup_mx(w->plain, "stc-sec", soon(), &m, &err), STC_OK);
    assert_int_equal(m.st.sec, DNS_INSECURE);
    assert_int_equal(m.n, 3);
    dns_mx_set_free(&m);
    stc_err_clear(&err);
    assert_int_equal(dns_lookup_txt(w->plain, "stc-bogus", soon(), &t, &err), STC_E_DNS);
    assert_non_null(strstr(err.msg, "SERVFAIL"));
    assert_int_equal(t.st.rcode, 2);
    assert_int_equal(t.n, 0);
    dns_txt_set_free(&t);
}

static void test_deadlines(void **state)
{
    struct world *w = *state;
    struct dns_mx_set m;
    struct stc_err err = {0};
    /* delegated to an address where nothing listens: our deadline ends it */
    int64_t t0 = deadline_now_ms();
    assert_int_equal(dns_lookup_mx(w->ctx, "x.stc-lame", deadline_in(1200), &m, &err),
                     STC_E_TIMEOUT);
    int64_t took = deadline_now_ms() - t0;
    print_message("lame delegation: %s after %lld ms\n", err.msg, (long long)took);
    assert_true(took >= 1150 && took <= 1200 + 300);
    dns_mx_set_free(&m);

    /* a resolver address where nothing listens */
    struct dns_ctx *dead = NULL;
    struct dns_config cfg = {.resolver = w->dead};
    stc_err_clear(&err);
    assert_int_equal(dns_ctx_new(&cfg, &dead, &err), STC_OK);
    stc_err_clear(&err);
    t0 = deadline_now_ms();
    stc_rc rc = dns_lookup_mx(dead, "stc-sec", deadline_in(1000), &m, &err);
    took = deadline_now_ms() - t0;
    print_message("dead resolver: rc %d %s after %lld ms\n", rc, err.msg, (long long)took);
    assert_true(rc == STC_E_TIMEOUT || rc == STC_E_DNS);
    assert_true(took <= 1000 + 300);
    /* a deadline already passed */
    stc_err_clear(&err);
    t0 = deadline_now_ms();
    assert_int_equal(dns_lookup_mx(dead, "stc-sec", deadline_in(0), &m, &err), STC_E_TIMEOUT);
    assert_true(deadline_now_ms() - t0 < 200);
    dns_ctx_free(dead); /* with cancelled queries still in flight */
}

static void test_bad_input(void **state)
{
    struct world *w = *state;
    struct dns_mx_set m;
    struct dns_addr_set s;
    struct stc_err err = {0};
    assert_int_equal(dns_lookup_mx(w->ctx, "a..b", soon(), &m, &err), STC_E_INVAL);
    print_message("a..b: %s\n", err.msg);
    stc_err_clear(&err);
    assert_int_equal(dns_lookup_mx(w->ctx, "bad name", soon(), &m, &err), STC_E_INVAL);
    stc_err_clear(&err);
    assert_int_equal(dns_lookup_addrs(w->ctx, "x\n", soon(), &s, &err), STC_E_INVAL);
    stc_err_clear(&err);
    assert_int_equal(dns_lookup_mx(w->ctx, "", soon(), &m, &err), STC_E_INVAL);
    char lab[80];
    memset(lab, 'a', 70);
    lab[70] = '\0';
    stc_err_clear(&err);
    assert_int_equal(dns_lookup_mx(w->ctx, lab, soon(), &m, &err), STC_E_INVAL);
    print_message("70-byte label: %s\n", err.msg);

    struct dns_ctx *c = NULL;
    const char *bad[] = {"not-an-ip",  "1.2.3.4@", "1.2.3.4@0", "1.2.3.4@65536",
                         "1.2.3.4@5x", "@53",      "1.2.3.4 ",  "example.com@53"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct dns_config cfg = {.resolver = bad[i]};
        stc_err_clear(&err);
        assert_int_equal(dns_ctx_new(&cfg, &c, &err), STC_E_INVAL);
        assert_null(c);
    }
    struct dns_config v6 = {.resolver = "::1@5353"};
    stc_err_clear(&err);
    assert_int_equal(dns_ctx_new(&v6, &c, &err), STC_OK);
    dns_ctx_free(c);
    struct dns_config nota = {.resolver = w->resolver, .trust_anchor = "/nonexistent/root.key"};
    stc_err_clear(&err);
    assert_int_equal(dns_ctx_new(&nota, &c, &err), STC_E_INVAL);
    assert_non_null(strstr(err.msg, "/nonexistent/root.key"));
}

/* 8 threads x 50 lookups on one ctx, with short deadlines mixed in so that
 * cancellations race with deliveries. */
struct worker {
    struct dns_ctx *ctx;
    int id;
    int failures;
    char why[300];
};

static void *work(void *arg)
{
    struct worker *wk = arg;
    for (int i = 0; i < 50; i++) {
        struct stc_err err = {0};
        int k = (wk->id + i) % 5;
        if (k == 0) {
            struct dns_mx_set m;
            if (dns_lookup_mx(wk->ctx, "stc-sec", deadline_in(5000), &m, &err) != STC_OK ||
                m.n != 3 || strcmp(m.mx[2].host, "mx2.stc-sec") != 0 || m.st.sec != DNS_SECURE) {
                wk->failures++;
                snprintf(wk->why, sizeof wk->why, "mx: %s", err.msg);
            }
            dns_mx_set_free(&m);
        } else if (k == 1) {
            struct dns_addr_set s;
            if (dns_lookup_addrs(wk->ctx, "mx1.stc-sec", deadline_in(5000), &s, &err) != STC_OK ||
                s.n != 3) {
                wk->failures++;
                snprintf(wk->why, sizeof wk->why, "addrs: %s", err.msg);
            }
            dns_addr_set_free(&s);
        } else if (k == 2) {
            struct dns_txt_set t;
            if (dns_lookup_txt(wk->ctx, "_mta-sts.stc-sec", deadline_in(5000), &t, &err) !=
                    STC_OK ||
                t.n != 1) {
                wk->failures++;
                snprintf(wk->why, sizeof wk->why, "txt: %s", err.msg);
            }
            dns_txt_set_free(&t);
        } else if (k == 3) {
            /* tiny deadline: either an answer (cached) or a clean timeout */
            struct dns_tlsa_set a;
            stc_rc rc =
                dns_lookup_tlsa(wk->ctx, "_25._tcp.mx1.stc-sec", deadline_in(i % 3), &a, &err);
            if (!(rc == STC_E_TIMEOUT || (rc == STC_OK && a.n == 2))) {
                wk->failures++;
                snprintf(wk->why, sizeof wk->why, "tlsa: rc %d %s", rc, err.msg);
            }
            dns_tlsa_set_free(&a);
        } else {
            struct dns_mx_set m;
            stc_rc rc = dns_lookup_mx(wk->ctx, "y.stc-lame", deadline_in(20), &m, &err);
            if (rc != STC_E_TIMEOUT) {
                wk->failures++;
                snprintf(wk->why, sizeof wk->why, "lame: rc %d %s", rc, err.msg);
            }
            dns_mx_set_free(&m);
        }
    }
    return NULL;
}

static void test_threads(void **state)
{
    struct world *w = *state;
    pthread_t th[8];
    struct worker wk[8];
    for (int i = 0; i < 8; i++) {
        wk[i] = (struct worker){.ctx = w->ctx, .id = i};
        assert_int_equal(pthread_create(&th[i], NULL, work, &wk[i]), 0);
    }
    for (int i = 0; i < 8; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 8; i++) {
        if (wk[i].failures)
            fail_msg("thread %d: %d failures, last: %s", i, wk[i].failures, wk[i].why);
    }
}

/* Run a test with the stub context in place of the validating one: the
 * same answers and DNSSEC states, from the resolver's AD bit. */
static void with_stub(void **state, void (*test)(void **))
{
    struct world *w = *state;
    w->local = w->ctx;
    w->ctx = w->stub;
    test(state);
    w->ctx = w->local;
}

static void test_stub_mx(void **state) { with_stub(state, test_mx); }
static void test_stub_addrs(void **state) { with_stub(state, test_addrs); }
static void test_stub_txt_tlsa(void **state) { with_stub(state, test_txt_tlsa); }
static void test_stub_security_states(void **state) { with_stub(state, test_security_states); }
static void test_stub_threads(void **state) { with_stub(state, test_threads); }

static void test_stub_setup(void **state)
{
    struct world *w = *state;
    struct dns_ctx *c = NULL;
    struct stc_err err = {0};
    struct dns_mx_set m;
    /* not on loopback: refused before any packet is sent */
    struct dns_config far = {.resolver = "192.0.2.53", .trust_resolver = 1};
    assert_int_equal(dns_ctx_new(&far, &c, &err), STC_E_INVAL);
    assert_non_null(strstr(err.msg, "loopback"));
    /* NSD answers without validating: no AD on ". SOA", so no trust */
    struct dns_config nsd = {.resolver = w->nsd, .trust_resolver = 1};
    stc_err_clear(&err);
    assert_int_equal(dns_ctx_new(&nsd, &c, &err), STC_E_DNS);
    assert_non_null(strstr(err.msg, "does not validate"));
    /* auto falls back to local validation there */
    nsd.trust_resolver = 3;
    stc_err_clear(&err);
    assert_int_equal(dns_ctx_new(&nsd, &c, &err), STC_OK);
    assert_false(dns_ctx_trusts_resolver(c));
    dns_ctx_free(c);
    /* auto on the validating resolver trusts it */
    struct dns_config ub = {.resolver = w->resolver, .trust_resolver = 3};
    assert_int_equal(dns_ctx_new(&ub, &c, &err), STC_OK);
    assert_true(dns_ctx_trusts_resolver(c));
    /* a lame delegation: our deadline ends the wait */
    int64_t t0 = deadline_now_ms();
    assert_int_equal(dns_lookup_mx(c, "x.stc-lame", deadline_in(1200), &m, &err), STC_E_TIMEOUT);
    int64_t took = deadline_now_ms() - t0;
    assert_true(took >= 1150 && took <= 1200 + 300);
    dns_mx_set_free(&m);
    dns_ctx_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mx),        cmocka_unit_test(test_addrs),
        cmocka_unit_test(test_txt_tlsa),  cmocka_unit_test(test_security_states),
        cmocka_unit_test(test_deadlines), cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_stub_mx),   cmocka_unit_test(test_stub_addrs),
        cmocka_unit_test(test_stub_txt_tlsa), cmocka_unit_test(test_stub_security_states),
        cmocka_unit_test(test_stub_threads), cmocka_unit_test(test_stub_setup),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
