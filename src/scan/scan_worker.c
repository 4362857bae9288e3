/*
 * NAME
 *     scan_worker - the worker threads of a bulk scan and their host hook
 * SYNOPSIS
 *     pthread_create(&t, &attr, scan_worker_main, scan);
 *     stc_config_set_host_check(cfg, scan_worker_host_check, scan, err);
 * DESCRIPTION
 *     A worker takes a domain from the work queue, checks it with the shared
 *     checker (blocking, deadline-bounded), serializes the tree as compact
 *     JSON and hands both to the writer. Once the scan is stopped, queued
 *     domains are dropped unchecked (a --resume run picks them up); once it
 *     is cancelled, results finishing afterwards are dropped too, since
 *     their connections were refused.
 *
 *     The host hook puts the host cache in front of stc_checker_check_host:
 *     single flight per MX host name, copies for every domain (their
 *     "domain" fact set to the asking domain). A host that answered 421
 *     (fact "throttled" on connectivity, or on version or cipher when a
 *     probe connection got it) is checked once more after a back-off
 *     (retry_delay_ms); a retry whose session was throttled does not
 *     replace a first result whose session got through. Fresh host results also go to the writer for the
 *     database's host_cache table, unless a check of theirs could not run
 *     (status error: refused, timed out, reset, 421, DNS failure), so such
 *     transient outcomes are asked again by the next run.
 * LIMITS
 *     A cache waiter waits as long as the check in flight takes (its own
 *     deadlines bound it: --deep probes, the retry after 421), so no domain
 *     is dropped for waiting.
 * DIAGNOSTICS
 *     A check that returns an error (STC_E_NOMEM, a failing hook) is counted
 *     and still gives the domain its one record: status 3 with the reason
 *     (scan_record). When even that cannot be made, the scan stops with
 *     the error (scan_fatal), so no domain is silently missing.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <starttls/json.h>

#include "../result/result_tree.h"
#include "../util/deadline.h"
#include "../util/err.h"
#include "../util/text.h"
#include "scan_int.h"
#include "scan_exclude.h"
#include "scan_record.h"
#include "scan_serial.h"

/* A 421 stopped the session (connectivity) or a probe (version, cipher). */
static int throttled_in(const struct stc_result *host, const char *check)
{
    long long v = 0;
    const struct stc_result *c = stc_result_find(host, check);
    return c != NULL && stc_result_get_int(c, "throttled", &v) && v;
}

static int throttled(const struct stc_result *host)
{
    return throttled_in(host, "connectivity") || throttled_in(host, "version") ||
           throttled_in(host, "cipher");
}

/* Sleep ms in slices, returning early when the scan is cancelled. */
static void back_off(struct stc_scan *s, long ms)
{
    struct deadline d = deadline_in(ms);
    while (!deadline_expired(d) && atomic_load(&s->stop) < STC_SCAN_CANCEL) {
        long left = deadline_left_ms(d);
        long slice = left < 100 ? left : 100;
        struct timespec ts = {slice / 1000, (slice % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* Hand a fresh host result to the writer for the persistent cache. */
static void persist_host(struct stc_scan *s, const char *host, const struct stc_result *r)
{
    struct stc_err e = {0};
    struct buf b;
    buf_init(&b, 16u << 20);
    struct scan_done *d = calloc(1, sizeof *d);
    if (d == NULL || scan_serial_encode(r, &b, &e) != STC_OK) {
        free(d);
        buf_free(&b);
        return; /* the cache is an optimisation: nothing lost */
    }
    d->kind = SCAN_DONE_HOST;
    snprintf(d->host, sizeof d->host, "%s", host);
    d->blob = b.data;
    d->bloblen = b.len;
    d->at = scan_unix_now();
    if (scan_push_wait(s, &s->done, d, STC_SCAN_CANCEL) != STC_OK)
        scan_done_free(d);
}

struct produce_ctx {
    struct stc_scan *s;
    const struct stc_checker *ck;
    const char *domain;
};

static stc_rc check_host(struct produce_ctx *p, const char *host, struct stc_result **out,
                         struct stc_err *err);

/* The host cache's producer. With a shared store, another machine's stored result
 * is used, and the host's lock makes the check single-flight across machines. */
static stc_rc produce(void *vctx, const char *host, struct stc_result **out, struct stc_err *err)
{
    struct produce_ctx *p = vctx;
    struct stc_scan *s = p->s;
    int locked = 0;
    if (s->shared == NULL)
        return check_host(p, host, out, err);
    if (scan_shared_begin(s, host, out, &locked) == STC_OK) {
        atomic_fetch_add(&s->c.cache_hits, 1);
        result_fact_str(*out, "domain", p->domain);
        return STC_OK;
    }
    stc_rc rc = check_host(p, host, out, err);
    scan_shared_done(s, host, rc == STC_OK && atomic_load(&s->stop) < STC_SCAN_CANCEL ? *out : NULL,
                     locked);
    return rc;
}

static stc_rc check_host(struct produce_ctx *p, const char *host, struct stc_result **out,
                         struct stc_err *err)
{
    struct stc_scan *s = p->s;
    atomic_fetch_add(&s->c.host_checks, 1);
    stc_rc rc = stc_checker_check_host(p->ck, p->domain, host, out, err);
    if (rc == STC_OK && throttled(*out) && atomic_load(&s->stop) < STC_SCAN_CANCEL) {
        atomic_fetch_add(&s->c.throttle_retries, 1);
        back_off(s, s->o.retry_delay_ms);
        struct stc_result *again = NULL;
        atomic_fetch_add(&s->c.host_checks, 1);
        rc = stc_checker_check_host(p->ck, p->domain, host, &again, err);
        if (rc == STC_OK && throttled_in(again, "connectivity") &&
            !throttled_in(*out, "connectivity")) {
            stc_result_free(again); /* the first saw more: only its probes were throttled */
        } else if (rc == STC_OK) {
            stc_result_free(*out);
            *out = again;
        } else {
            stc_result_free(*out);
            *out = NULL;
        }
    }
    /* Error means a check could not run (refused, timeout, reset, 421, DNS
     * failure): worth asking again next run, so it is not stored. */
    if (rc == STC_OK && s->db != NULL && s->shared == NULL &&
        atomic_load(&s->stop) < STC_SCAN_CANCEL &&
        stc_result_status(*out) != STC_STATUS_ERROR)
        persist_host(s, host, *out);
    return rc;
}

stc_rc scan_worker_host_check(void *ctx, const struct stc_checker *ck, const char *domain,
                              const char *host, struct stc_result **out, struct stc_err *err)
{
    struct stc_scan *s = ctx;
    struct produce_ctx p = {s, ck, domain};
    char key[256];
    int hit = 0;
    snprintf(key, sizeof key, "%s", host);
    text_lower(key);
    if (scan_exclude_name(s->exclude, key)) {
        /* An opt-out: not resolved, not contacted, not cached. */
        *out = scan_record_excluded_host(domain, key);
        return *out ? STC_OK : err_set(err, STC_E_NOMEM, "out of memory");
    }
    if (s->cache == NULL)
        return produce(&p, host, out, err);
    /* Wait as long as the check in flight takes: it is deadline-bounded itself. */
    stc_rc rc = scan_cache_get(s->cache, key, produce, &p, -1, out, &hit, err);
    if (rc == STC_OK && hit) {
        atomic_fetch_add(&s->c.cache_hits, 1);
        result_fact_str(*out, "domain", domain);
    }
    return rc;
}

static void check_one(struct stc_scan *s, struct scan_work *w)
{
    struct stc_err e = {0};
    struct stc_result *tree = NULL;
    char *json = NULL;
    int excluded = scan_exclude_name(s->exclude, w->domain);
    atomic_fetch_add(&s->c.in_flight, 1);
    stc_rc rc = STC_OK;
    if (excluded) /* an opt-out: one record saying so, no packet */
        rc = (tree = scan_record_excluded(w->domain)) != NULL
                 ? STC_OK
                 : err_set(&e, STC_E_NOMEM, "out of memory");
    else
        rc = stc_checker_check_domain(s->ck, w->domain, NULL, &tree, &e);
    if (rc == STC_OK)
        rc = stc_result_to_json(tree, STC_JSON_COMPACT, &json, &e);
    atomic_fetch_sub(&s->c.in_flight, 1);
    if (atomic_load(&s->stop) >= STC_SCAN_CANCEL) {
        stc_result_free(tree);
        free(json);
        return;
    }
    if (rc != STC_OK) {
        /* Still one record: status 3 with the reason. */
        atomic_fetch_add(&s->c.check_errors, 1);
        stc_result_free(tree);
        free(json);
        json = NULL;
        tree = scan_record_error(w->domain, e.msg[0] ? e.msg : stc_rc_name(rc));
        if (tree == NULL || stc_result_to_json(tree, STC_JSON_COMPACT, &json, &e) != STC_OK) {
            stc_result_free(tree);
            scan_fatal(s, STC_E_NOMEM, "out of memory writing the record of a failed check");
            return;
        }
    }
    struct scan_done *d = calloc(1, sizeof *d);
    if (d == NULL) {
        stc_result_free(tree);
        free(json);
        scan_fatal(s, STC_E_NOMEM, "out of memory");
        return;
    }
    d->kind = SCAN_DONE_DOMAIN;
    d->excluded = excluded;
    d->json = json;
    /* The writer counts the summary; the tree goes along only for the
     * database's rows, else it is freed here, in the thread that built it. */
    if (scan_agg_sum_of(tree, &d->sum, &e) != STC_OK) {
        stc_result_free(tree);
        scan_done_free(d);
        scan_fatal(s, STC_E_NOMEM, "out of memory");
        return;
    }
    if (s->db != NULL)
        d->tree = tree;
    else
        stc_result_free(tree);
    d->at = scan_unix_now();
    if (scan_push_wait(s, &s->done, d, STC_SCAN_CANCEL) != STC_OK)
        scan_done_free(d);
}

void *scan_worker_main(void *arg)
{
    struct stc_scan *s = arg;
    for (;;) {
        void *item = NULL;
        struct stc_err e = {0};
        stc_rc rc = scan_queue_pop(&s->work, &item, 1000, &e);
        if (rc == STC_E_TIMEOUT)
            continue;
        if (rc != STC_OK)
            break;
        struct scan_work *w = item;
        if (atomic_load(&s->stop) == STC_SCAN_GO)
            check_one(s, w);
        free(w);
    }
    atomic_fetch_sub(&s->workers_alive, 1);
    scan_unref(s);
    return NULL;
}
