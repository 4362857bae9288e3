/* Unit tests for reused DNS sockets (dns_sockpool.c through dns_stub_pool and
 * dns_stub_resolve), against a tiny UDP resolver run by the test on 127.0.0.1,
 * on ::1, and reached as ::ffff:127.0.0.1: an answered question leaves its
 * socket for the next one (same source port), a question that timed out or
 * needed a resend does not, and a stale answer still queued on a reused
 * socket is not taken for the next question. Which resolver addresses count
 * as loopback (and so get a pool) is checked on address literals alone, with
 * no packet sent: fd00::1, ::ffff:192.0.2.1 and the like get none. ::1 must
 * be up on lo (a machine without it fails these tests, it does not skip them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/dns_int.h"
#include "dns/dns_sockpool.h"
#include "util/deadline.h"

enum answer_mode { ANSWER, ANSWER_TWICE, SILENT_ONCE };

struct fake {
    int fd;
    int port;
    atomic_int stop;
    atomic_int mode;     /* enum answer_mode */
    atomic_int queries;  /* questions received */
    atomic_int last_src; /* source port of the last question */
    atomic_int rcode;    /* of the answers sent */
    pthread_t t;
};

/* Answer with the question echoed, QR and AD set, no records (NODATA). */
static void *serve(void *arg)
{
    struct fake *f = arg;
    while (!atomic_load(&f->stop)) {
        struct pollfd p = {.fd = f->fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0)
            continue;
        uint8_t m[512];
        struct sockaddr_storage from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(f->fd, m, sizeof m, 0, (struct sockaddr *)&from, &fl);
        if (n < 12)
            continue;
        atomic_fetch_add(&f->queries, 1);
        atomic_store(&f->last_src, from.ss_family == AF_INET6
                                       ? ntohs(((struct sockaddr_in6 *)&from)->sin6_port)
                                       : ntohs(((struct sockaddr_in *)&from)->sin_port));
        int mode = atomic_load(&f->mode);
        if (mode == SILENT_ONCE) {
            atomic_store(&f->mode, ANSWER);
            continue;
        }
        m[2] = 0x80 | (m[2] & 0x01); /* QR, RD echoed */
        m[3] = (uint8_t)(0x20 | atomic_load(&f->rcode)); /* AD, the rcode */
        m[11] = 0;                   /* no OPT record back */
        /* the question ends at the OPT record we drop: name + type + class */
        size_t q = 12;
        while (q < (size_t)n && m[q] != 0)
            q += 1 + m[q];
        size_t len = q + 5;
        for (int i = 0; i < (mode == ANSWER_TWICE ? 2 : 1); i++)
            sendto(f->fd, m, len, 0, (struct sockaddr *)&from, fl);
    }
    return NULL;
}

/* The fake resolver on 127.0.0.1 (AF_INET) or ::1 (AF_INET6), a free port. */
static void fake_start(struct fake *f, int family)
{
    struct sockaddr_storage ss = {.ss_family = (sa_family_t)family};
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    socklen_t al = family == AF_INET6 ? sizeof *a6 : sizeof *a4;
    memset(f, 0, sizeof *f);
    f->fd = socket(family, SOCK_DGRAM, 0);
    assert_true(f->fd >= 0);
    if (family == AF_INET6)
        a6->sin6_addr = in6addr_loopback;
    else
        a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* no ::1 on this machine is a failure here, not a skip */
    assert_int_equal(bind(f->fd, (struct sockaddr *)&ss, al), 0);
    assert_int_equal(getsockname(f->fd, (struct sockaddr *)&ss, &al), 0);
    f->port = ntohs(family == AF_INET6 ? a6->sin6_port : a4->sin_port);
    assert_int_equal(pthread_create(&f->t, NULL, serve, f), 0);
}

static void fake_stop(struct fake *f)
{
    atomic_store(&f->stop, 1);
    pthread_join(f->t, NULL);
    close(f->fd);
}

/* A stub for the fake at resolver address addr (on loopback), given its pool the
 * way dns_ctx_new does (dns_stub_pool) or, for the unpooled case, none. */
static void stub_for(struct dns_stub *st, const struct fake *f, const char *addr, int pooled)
{
    char spec[96];
    struct stc_err e = {0};
    snprintf(spec, sizeof spec, "%s@%d", addr, f->port);
    assert_int_equal(dns_stub_addr(spec, 1, st, &e), STC_OK);
    assert_true(st->loopback);
    if (pooled) {
        assert_int_equal(dns_stub_pool(st, &e), STC_OK);
        assert_non_null(st->pool);
    }
}

static stc_rc ask(struct dns_stub *st, const char *name, long ms)
{
    struct dns_ask a = {.name = name, .rrtype = 1};
    stc_rc rc = dns_stub_resolve(st, &a, 1, deadline_in(ms));
    if (a.res != NULL)
        ub_resolve_free(a.res);
    return rc;
}

/* Each test gets a fake resolver and a stub aimed at it (with or without a pool). */
struct env {
    struct fake f;
    struct dns_stub st;
};

/* family: the fake's; addr: how the stub names it. */
static int setup(void **state, int family, const char *addr, int pooled)
{
    struct env *e = calloc(1, sizeof *e);
    assert_non_null(e);
    fake_start(&e->f, family);
    stub_for(&e->st, &e->f, addr, pooled);
    *state = e;
    return 0;
}

static int setup_pooled(void **state)
{
    return setup(state, AF_INET, "127.0.0.1", 1);
}

static int setup_pooled6(void **state)
{
    return setup(state, AF_INET6, "::1", 1);
}

/* IPv4-mapped: an AF_INET6 socket to ::ffff:127.0.0.1 reaches the IPv4 fake. */
static int setup_pooled_mapped(void **state)
{
    return setup(state, AF_INET, "::ffff:127.0.0.1", 1);
}

static int setup_plain(void **state)
{
    return setup(state, AF_INET, "127.0.0.1", 0);
}

static int teardown(void **state)
{
    struct env *e = *state;
    dns_sockpool_free(e->st.pool);
    fake_stop(&e->f);
    free(e);
    return 0;
}

static void answered_socket_is_reused(void **state)
{
    struct env *e = *state;
    assert_int_equal(ask(&e->st, "a.example", 3000), STC_OK);
    int first = atomic_load(&e->f.last_src);
    assert_int_equal(dns_sockpool_idle(e->st.pool), 1);
    assert_int_equal(ask(&e->st, "b.example", 3000), STC_OK);
    assert_int_equal(atomic_load(&e->f.last_src), first);
    assert_int_equal(dns_sockpool_idle(e->st.pool), 1);
}

/* The first datagram is not answered: the resend gets the answer, and the
 * socket (which might still see a late answer) is closed, not kept. */
static void resent_socket_is_closed(void **state)
{
    struct env *e = *state;
    atomic_store(&e->f.mode, SILENT_ONCE);
    assert_int_equal(ask(&e->st, "a.example", 4000), STC_OK);
    assert_int_equal(atomic_load(&e->f.queries), 2);
    assert_int_equal(dns_sockpool_idle(e->st.pool), 0);
}

/* No answer at all: a timeout, and the socket is not kept. */
static void timed_out_socket_is_closed(void **state)
{
    struct env *e = *state;
    atomic_store(&e->f.mode, SILENT_ONCE);
    assert_int_equal(ask(&e->st, "a.example", 300), STC_E_TIMEOUT);
    assert_int_equal(dns_sockpool_idle(e->st.pool), 0);
}

/* A duplicate answer to the first question waits on the kept socket; the
 * second question must get its own answer, not that one. */
static void stale_answer_is_not_taken(void **state)
{
    struct env *e = *state;
    atomic_store(&e->f.mode, ANSWER_TWICE);
    atomic_store(&e->f.rcode, 3); /* NXDOMAIN: tells the stale answer from the fresh one */
    assert_int_equal(ask(&e->st, "a.example", 3000), STC_OK);
    usleep(100 * 1000); /* the duplicate is queued on the kept socket by now */
    assert_int_equal(dns_sockpool_idle(e->st.pool), 1);
    atomic_store(&e->f.mode, ANSWER);
    atomic_store(&e->f.rcode, 0);
    struct dns_ask a = {.name = "b.example", .rrtype = 1};
    assert_int_equal(dns_stub_resolve(&e->st, &a, 1, deadline_in(3000)), STC_OK);
    assert_non_null(a.res);
    assert_string_equal(a.res->qname, "b.example");
    assert_int_equal(a.res->rcode, 0);
    assert_false(a.res->nxdomain);
    ub_resolve_free(a.res);
}

/* Without a pool (a resolver that is not on loopback) nothing is kept. */
static void no_pool_no_reuse(void **state)
{
    struct env *e = *state;
    assert_null(e->st.pool);
    assert_int_equal(ask(&e->st, "a.example", 3000), STC_OK);
}

/* Which resolver addresses are loopback, and so get a pool: literals only, no
 * socket is opened and nothing is sent (dns_stub_addr parses, dns_stub_pool
 * allocates). An IPv4-mapped address is the IPv4 address it carries (the
 * kernel sends to ::ffff:127.0.0.1 over IPv4 loopback); NAT64 and the
 * deprecated IPv4-compatible form go through the network, so they are not. */
static void loopback_classification(void **state)
{
    (void)state;
    static const struct {
        const char *addr;
        int loopback;
    } cases[] = {
        {"127.0.0.1", 1},
        {"127.1.2.3", 1},
        {"::1", 1},
        {"::ffff:127.0.0.1", 1},
        {"::ffff:127.9.8.7", 1},
        {"0:0:0:0:0:0:0:1", 1},
        {"fd00::1", 0},
        {"::ffff:192.0.2.1", 0},
        {"::ffff:10.0.0.1", 0},
        {"64:ff9b::7f00:1", 0},
        {"::127.0.0.1", 0},
        {"::", 0},
        {"::2", 0},
        {"fe80::1", 0},
        {"2001:db8::1", 0},
        {"192.0.2.1", 0},
        {"::ffff:128.0.0.1", 0},
        {"::fffe:127.0.0.1", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char spec[96];
        struct dns_stub st;
        struct stc_err e = {0};
        snprintf(spec, sizeof spec, "%s@53", cases[i].addr);
        assert_int_equal(dns_stub_addr(spec, 0, &st, &e), STC_OK);
        if (st.loopback != cases[i].loopback)
            fail_msg("%s: loopback %d, want %d", cases[i].addr, st.loopback, cases[i].loopback);
        assert_int_equal(dns_stub_pool(&st, &e), STC_OK);
        if ((st.pool != NULL) != cases[i].loopback)
            fail_msg("%s: %s pool", cases[i].addr, st.pool != NULL ? "a" : "no");
        dns_sockpool_free(st.pool);
        /* --dnssec=resolver takes the AD bit from loopback only */
        stc_rc rc = dns_stub_addr(spec, 1, &st, &e);
        if (rc != (cases[i].loopback ? STC_OK : STC_E_INVAL))
            fail_msg("%s: loopback_only gives rc %d", cases[i].addr, (int)rc);
    }
}

#define POOLED(setup_fn)                                                                           \
    cmocka_unit_test_setup_teardown(answered_socket_is_reused, setup_fn, teardown),                \
        cmocka_unit_test_setup_teardown(resent_socket_is_closed, setup_fn, teardown),              \
        cmocka_unit_test_setup_teardown(timed_out_socket_is_closed, setup_fn, teardown),           \
        cmocka_unit_test_setup_teardown(stale_answer_is_not_taken, setup_fn, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        POOLED(setup_pooled),
        POOLED(setup_pooled6),
        POOLED(setup_pooled_mapped),
        cmocka_unit_test_setup_teardown(no_pool_no_reuse, setup_plain, teardown),
        cmocka_unit_test(loopback_classification),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
