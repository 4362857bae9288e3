/*
 * NAME
 *     dns_ctx - one libunbound context shared by all threads, and the wait
 *     for answers bounded by a deadline
 * SYNOPSIS
 *     #include "dns/dns.h"
 *     stc_rc dns_ctx_new(const struct dns_config *cfg, struct dns_ctx **out, struct stc_err *err);
 *     void dns_ctx_free(struct dns_ctx *ctx);
 *     #include "dns/dns_int.h"
 *     stc_rc dns_ctx_resolve(struct dns_ctx *ctx, struct dns_ask *asks, size_t n,
 *                            struct deadline d);
 * DESCRIPTION
 *     libunbound runs in thread mode (ub_ctx_async(ctx, 1)): its resolver
 *     runs in one background thread of our process, sharing one cache. Fork
 *     mode is not used: forking a process with hundreds of worker threads
 *     (and sanitizers) copies locks held by other threads, and would double
 *     the memory of a bulk scan.
 *
 *     Answers come back through a pipe (ub_fd) and ub_process() runs the
 *     callbacks in whichever thread calls it. So that no caller ever runs a
 *     callback that belongs to another caller's stack, one delivery thread
 *     owned by the context polls ub_fd (and a stop pipe) and calls
 *     ub_process(); it never waits on the network itself. Callers submit
 *     with ub_resolve_async() and sleep on a condition variable until their
 *     answers are in or their deadline passes (pthread_cond_timedwait on
 *     CLOCK_MONOTONIC, the clock of struct deadline).
 *
 *     A caller that times out calls ub_cancel(). UB_NOERROR means libunbound
 *     marked the query cancelled before its answer was processed, so the
 *     callback will never run and the caller's wait record can go.
 *     UB_NOID means the answer is being delivered right now (libunbound
 *     removed it from its table before dropping its lock and calling us), so
 *     the caller waits the few instructions until the callback has marked it
 *     done, then frees the result. Either way no callback ever touches a
 *     freed wait record.
 *
 *     Forwarding: cfg->resolver ("ADDR" or "ADDR@PORT", libunbound's own
 *     syntax, checked here first for a clear message) or the nameservers of
 *     /etc/resolv.conf. /etc/hosts is not loaded: a check must see what DNS
 *     says. Forwarding to 127.0.0.0/8 works with libunbound's defaults
 *     (do-not-query-localhost filters iteration targets, not forwarders;
 *     checked against a resolver on 127.88.53.1), so that option stays at
 *     its safe default. The default local zone "test." (RFC 6761) is
 *     made transparent: libunbound would otherwise answer every *.test name
 *     itself with NXDOMAIN, and the test world lives under test. ("test.
 *     nodefault" set through ub_ctx_set_option did not take effect in
 *     libunbound 1.17.1; "transparent" does, checked by test_dns_live).
 *     The trust anchor file makes us validate locally: we see "bogus" with
 *     its reason even though the forwarder validates too.
 *
 *     With cfg->trust_resolver (--dnssec=resolver) there is no libunbound
 *     context and no delivery thread: each caller asks the resolver itself
 *     and takes its AD bit as the verdict (dns_stub.c). The resolver is
 *     cfg->resolver, else the first nameserver of /etc/resolv.conf.
 * LIMITS
 *     Every wait of a caller ends at its deadline (plus the time to cancel).
 *     The delivery thread blocks in poll() without a timeout: it waits for
 *     local events only (the answer pipe, the stop pipe).
 * DIAGNOSTICS
 *     dns_ctx_new: STC_E_INVAL for a malformed resolver address or an
 *     unreadable trust anchor file, STC_E_DNS when libunbound refuses an
 *     option, STC_E_NOMEM, STC_E_INTERNAL when threads or pipes fail.
 *     dns_ctx_resolve: see dns_int.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../util/err.h"
#include "../util/limits.h"
#include "../util/text.h"
#include "dns_int.h"
#include "dns_sockpool.h"

struct dns_ctx {
    struct ub_ctx *ub;
    pthread_t thread;
    int thread_started;
    int stop_pipe[2];
    pthread_mutex_t mu; /* guards every wait record and `broken` */
    int broken;         /* the delivery thread stopped on a libunbound error */
    char broken_why[96];
    int stub;           /* trust_resolver: ask stub_to from the calling thread */
    struct dns_stub stub_to;
};

/* What a waiting caller shares with the delivery thread (under ctx->mu). */
struct wait_group {
    pthread_cond_t cv;
    size_t pending;
};

struct pending_ask {
    struct wait_group *group;
    struct dns_ctx *ctx;
    int async_id;
    int submitted;
    int done;
    int ub_err;
    struct ub_result *res;
};

static void on_answer(void *arg, int ub_err, struct ub_result *res)
{
    struct pending_ask *pa = arg;
    struct dns_ctx *ctx = pa->ctx;
    pthread_mutex_lock(&ctx->mu);
    pa->ub_err = ub_err;
    pa->res = res;
    pa->done = 1;
    pa->group->pending--;
    pthread_cond_signal(&pa->group->cv);
    pthread_mutex_unlock(&ctx->mu);
}

static void *deliver(void *arg)
{
    struct dns_ctx *ctx = arg;
    int ufd = ub_fd(ctx->ub);
    for (;;) {
        struct pollfd p[2] = {{.fd = ufd, .events = POLLIN, .revents = 0},
                              {.fd = ctx->stop_pipe[0], .events = POLLIN, .revents = 0}};
        int n = poll(p, 2, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            pthread_mutex_lock(&ctx->mu);
            ctx->broken = 1;
            snprintf(ctx->broken_why, sizeof ctx->broken_why, "poll: %s", strerror(errno));
            pthread_mutex_unlock(&ctx->mu);
            return NULL;
        }
        if (p[1].revents != 0)
            return NULL;
        if (p[0].revents != 0) {
            int r = ub_process(ctx->ub);
            if (r != 0) {
                pthread_mutex_lock(&ctx->mu);
                ctx->broken = 1;
                snprintf(ctx->broken_why, sizeof ctx->broken_why, "ub_process: %s", ub_strerror(r));
                pthread_mutex_unlock(&ctx->mu);
                return NULL;
            }
        }
    }
}

/* "ADDR" or "ADDR@PORT" with a numeric IPv4/IPv6 address and port 1..65535. */
static stc_rc check_resolver(const char *s, struct stc_err *err)
{
    char shown[80], addr[INET6_ADDRSTRLEN + 1];
    size_t n = strnlen(s, 128);
    const char *at = memchr(s, '@', n);
    size_t alen = at ? (size_t)(at - s) : n;
    unsigned char bin[16];
    text_escape(s, n, shown, sizeof shown);
    if (n >= 128 || alen == 0 || alen >= sizeof addr)
        return err_set(err, STC_E_INVAL, "invalid resolver \"%s\": want ADDR or ADDR@PORT", shown);
    memcpy(addr, s, alen);
    addr[alen] = '\0';
    if (inet_pton(AF_INET, addr, bin) != 1 && inet_pton(AF_INET6, addr, bin) != 1)
        return err_set(err, STC_E_INVAL, "invalid resolver \"%s\": not a numeric IP address",
                       shown);
    if (at != NULL) {
        const char *p = at + 1;
        size_t plen = n - alen - 1;
        unsigned long port = 0;
        if (plen == 0 || plen > 5)
            return err_set(err, STC_E_INVAL, "invalid resolver \"%s\": bad port", shown);
        for (size_t i = 0; i < plen; i++) {
            if (p[i] < '0' || p[i] > '9')
                return err_set(err, STC_E_INVAL, "invalid resolver \"%s\": bad port", shown);
            port = port * 10 + (unsigned long)(p[i] - '0');
        }
        if (port == 0 || port > 65535)
            return err_set(err, STC_E_INVAL, "invalid resolver \"%s\": port out of range", shown);
    }
    return STC_OK;
}

/* The first "nameserver ADDR" of /etc/resolv.conf. */
static stc_rc resolvconf_first(char *out, size_t cap, struct stc_err *err)
{
    char line[256];
    FILE *f = fopen("/etc/resolv.conf", "r");
    if (f == NULL)
        return err_set(err, STC_E_DNS, "reading /etc/resolv.conf: %s", strerror(errno));
    out[0] = '\0';
    while (out[0] == '\0' && fgets(line, sizeof line, f) != NULL) {
        char addr[64];
        if (sscanf(line, " nameserver %63s", addr) == 1)
            snprintf(out, cap, "%s", addr);
    }
    fclose(f);
    if (out[0] == '\0')
        return err_set(err, STC_E_DNS, "/etc/resolv.conf names no nameserver");
    return STC_OK;
}

static stc_rc set_option(struct ub_ctx *ub, const char *opt, const char *val, struct stc_err *err)
{
    int r = ub_ctx_set_option(ub, opt, val);
    if (r != 0)
        return err_set(err, STC_E_DNS, "libunbound option %s %s: %s", opt, val, ub_strerror(r));
    return STC_OK;
}

stc_rc dns_ctx_new(const struct dns_config *cfg, struct dns_ctx **out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct dns_ctx *ctx = NULL;
    int r;
    STC_ENSURE(out != NULL, err, STC_E_INVAL, "dns_ctx_new: no output");
    *out = NULL;
    ctx = calloc(1, sizeof *ctx);
    STC_ENSURE(ctx != NULL, err, STC_E_NOMEM, "out of memory");
    ctx->stop_pipe[0] = ctx->stop_pipe[1] = -1;
    STC_ENSURE(pthread_mutex_init(&ctx->mu, NULL) == 0, err, STC_E_INTERNAL,
               "pthread_mutex_init failed");
    if (cfg != NULL && cfg->trust_resolver) {
        char first[64];
        const char *to = cfg->resolver;
        if (to == NULL)
            STC_GUARD(resolvconf_first(first, sizeof first, err));
        else
            STC_GUARD(check_resolver(to, err));
        struct stc_err why = {0};
        int autom = cfg->trust_resolver == 3;
        rc = dns_stub_addr(to != NULL ? to : first, cfg->trust_resolver != 2, &ctx->stub_to,
                           autom ? &why : err);
        if (rc == STC_OK)
            rc = dns_stub_validates(&ctx->stub_to, autom ? &why : err);
        if (rc == STC_OK) /* reused sockets for a resolver on loopback only */
            rc = dns_stub_pool(&ctx->stub_to, err);
        if (rc == STC_OK) {
            ctx->stub = 1;
            *out = ctx;
            return STC_OK;
        }
        if (!autom)
            goto out;
        /* auto: validate locally instead (the stub's reason stays in why) */
    }
    ctx->ub = ub_ctx_create();
    STC_ENSURE(ctx->ub != NULL, err, STC_E_NOMEM, "ub_ctx_create failed");
    r = ub_ctx_async(ctx->ub, 1);
    STC_ENSURE(r == 0, err, STC_E_DNS, "ub_ctx_async: %s", ub_strerror(r));
    /* unbound serves "test." (RFC 6761) as an empty local zone by default;
     * the test world and real checks must see what DNS says. */
    STC_GUARD(set_option(ctx->ub, "local-zone:", "test. transparent", err));
    if (cfg != NULL && cfg->resolver != NULL) {
        STC_GUARD(check_resolver(cfg->resolver, err));
        r = ub_ctx_set_fwd(ctx->ub, cfg->resolver);
        STC_ENSURE(r == 0, err, STC_E_INVAL, "resolver %s: %s", cfg->resolver, ub_strerror(r));
    } else {
        r = ub_ctx_resolvconf(ctx->ub, NULL);
        STC_ENSURE(r == 0, err, STC_E_DNS, "reading /etc/resolv.conf: %s", ub_strerror(r));
    }
    if (cfg != NULL && cfg->trust_anchor != NULL) {
        FILE *f = fopen(cfg->trust_anchor, "r");
        STC_ENSURE(f != NULL, err, STC_E_INVAL, "trust anchor file %s: %s", cfg->trust_anchor,
                   strerror(errno));
        fclose(f);
        r = ub_ctx_add_ta_file(ctx->ub, cfg->trust_anchor);
        STC_ENSURE(r == 0, err, STC_E_DNS, "trust anchor file %s: %s", cfg->trust_anchor,
                   ub_strerror(r));
        /* Keep the validator's reason for a bogus answer (why_bogus). */
        STC_GUARD(set_option(ctx->ub, "val-log-level:", "2", err));
    }
    STC_ENSURE(pipe2(ctx->stop_pipe, O_CLOEXEC) == 0, err, STC_E_INTERNAL, "pipe: %s",
               strerror(errno));
    STC_ENSURE(pthread_create(&ctx->thread, NULL, deliver, ctx) == 0, err, STC_E_INTERNAL,
               "pthread_create failed");
    ctx->thread_started = 1;
    *out = ctx;
    ctx = NULL;
out:
    dns_ctx_free(ctx);
    return rc;
}

int dns_ctx_trusts_resolver(const struct dns_ctx *ctx)
{
    return ctx != NULL && ctx->stub;
}

void dns_ctx_free(struct dns_ctx *ctx)
{
    if (ctx == NULL)
        return;
    if (ctx->thread_started) {
        ssize_t w;
        do
            w = write(ctx->stop_pipe[1], "x", 1);
        while (w < 0 && errno == EINTR);
        pthread_join(ctx->thread, NULL);
    }
    if (ctx->ub != NULL)
        ub_ctx_delete(ctx->ub);
    for (int i = 0; i < 2; i++)
        if (ctx->stop_pipe[i] >= 0)
            close(ctx->stop_pipe[i]);
    dns_sockpool_free(ctx->stub_to.pool);
    pthread_mutex_destroy(&ctx->mu);
    free(ctx);
}

static struct timespec abstime(struct deadline d)
{
    struct timespec ts;
    int64_t at = d.at_ms > 0 ? d.at_ms : 0;
    ts.tv_sec = (time_t)(at / 1000);
    ts.tv_nsec = (long)(at % 1000) * 1000000L;
    return ts;
}

static stc_rc finish_ask(struct dns_ask *a, struct pending_ask *pa, int timed_out)
{
    if (!pa->done) {
        a->rc = timed_out ? err_set(&a->err, STC_E_TIMEOUT, "DNS lookup of %s timed out", a->name)
                          : err_set(&a->err, STC_E_INTERNAL, "DNS lookup of %s lost", a->name);
        return a->rc;
    }
    if (pa->ub_err != 0 || pa->res == NULL) {
        a->rc = err_set(&a->err, pa->ub_err == UB_SYNTAX ? STC_E_INVAL : STC_E_DNS,
                        "DNS lookup of %s failed: %s", a->name, ub_strerror(pa->ub_err));
        ub_resolve_free(pa->res);
        return a->rc;
    }
    a->res = pa->res;
    a->rc = STC_OK;
    return STC_OK;
}

/* Every ask fails with STC_E_INTERNAL: callers read each ask's own rc (and
 * its res only when that is STC_OK), so none may be left looking answered. */
static stc_rc fail_all(struct dns_ask *asks, size_t n, const char *why)
{
    for (size_t i = 0; i < n; i++)
        asks[i].rc = err_set(&asks[i].err, STC_E_INTERNAL, "%s", why);
    return STC_E_INTERNAL;
}

stc_rc dns_ctx_resolve(struct dns_ctx *ctx, struct dns_ask *asks, size_t n, struct deadline d)
{
    stc_rc rc = STC_OK;
    struct wait_group g;
    struct pending_ask pa[DNS_ASK_MAX];
    pthread_condattr_t ca;
    int timed_out = 0;
    if (n == 0)
        return STC_OK;
    for (size_t i = 0; i < n; i++) {
        asks[i].res = NULL;
        asks[i].rc = STC_OK;
        stc_err_clear(&asks[i].err);
    }
    if (ctx == NULL || n > sizeof pa / sizeof pa[0])
        return fail_all(asks, n, "dns_ctx_resolve: bad call");
    if (ctx->stub)
        return dns_stub_resolve(&ctx->stub_to, asks, n, d);
    if (pthread_condattr_init(&ca) != 0)
        return fail_all(asks, n, "pthread_condattr_init failed");
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int cv_ok = pthread_cond_init(&g.cv, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!cv_ok)
        return fail_all(asks, n, "pthread_cond_init failed");
    g.pending = 0;
    memset(pa, 0, sizeof pa);

    pthread_mutex_lock(&ctx->mu);
    int broken = ctx->broken;
    pthread_mutex_unlock(&ctx->mu);
    for (size_t i = 0; i < n; i++) {
        pa[i].group = &g;
        pa[i].ctx = ctx;
        if (broken) {
            asks[i].rc = err_set(&asks[i].err, STC_E_DNS, "resolver stopped: %s", ctx->broken_why);
            continue;
        }
        /* Count it before submitting: the answer may arrive before we look again. */
        pthread_mutex_lock(&ctx->mu);
        g.pending++;
        pthread_mutex_unlock(&ctx->mu);
        int r = ub_resolve_async(ctx->ub, asks[i].name, asks[i].rrtype, 1 /* IN */, &pa[i],
                                 on_answer, &pa[i].async_id);
        if (r != 0) {
            pthread_mutex_lock(&ctx->mu);
            g.pending--;
            pthread_mutex_unlock(&ctx->mu);
            asks[i].rc = err_set(&asks[i].err, r == UB_SYNTAX ? STC_E_INVAL : STC_E_DNS,
                                 "DNS lookup of %s: %s", asks[i].name, ub_strerror(r));
            continue;
        }
        pa[i].submitted = 1;
    }

    struct timespec ts = abstime(d);
    pthread_mutex_lock(&ctx->mu);
    while (g.pending > 0 && !timed_out) {
        int w = pthread_cond_timedwait(&g.cv, &ctx->mu, &ts);
        if (w == ETIMEDOUT)
            timed_out = 1;
    }
    pthread_mutex_unlock(&ctx->mu);

    for (size_t i = 0; i < n; i++) {
        if (!pa[i].submitted)
            continue;
        pthread_mutex_lock(&ctx->mu);
        int done = pa[i].done;
        pthread_mutex_unlock(&ctx->mu);
        if (!done && ub_cancel(ctx->ub, pa[i].async_id) != 0) {
            /* UB_NOID: the answer is being delivered; its callback is next. */
            pthread_mutex_lock(&ctx->mu);
            while (!pa[i].done)
                pthread_cond_wait(&g.cv, &ctx->mu);
            pthread_mutex_unlock(&ctx->mu);
        }
        pthread_mutex_lock(&ctx->mu);
        finish_ask(&asks[i], &pa[i], 1);
        pthread_mutex_unlock(&ctx->mu);
    }
    pthread_cond_destroy(&g.cv);
    for (size_t i = 0; i < n; i++)
        if (asks[i].rc != STC_OK && rc == STC_OK)
            rc = asks[i].rc;
    return rc;
}
