/*
 * NAME
 *     scan_shared - what scanner processes on many machines share through PostgreSQL:
 *     the host cache, single flight per MX host, the per-IP connection cap
 * SYNOPSIS
 *     scan_shared_new(scan, err);                  (a second connection, "aux")
 *     scan_shared_begin(scan, key, &r, &locked);   ... check ... scan_shared_done(...)
 *     stc_config_set_connect_gate(cfg, scan_shared_gate_acquire, scan_shared_gate_release, scan)
 * DESCRIPTION
 *     In-process, the host cache and the gate already give single flight
 *     and the cap among a process's threads; this adds the other
 *     machines. Before checking a host a process looks for a fresh
 *     host_cache row made with the same options (scan_ckey), then takes a
 *     session-level advisory lock on (1, hash of host and options): the
 *     holder checks and stores the result before unlocking; the others
 *     poll for the row or the lock every SHARED_POLL_MS, up to
 *     SHARED_WAIT_MS, then check anyway (a lost holder must not stall the
 *     scan). With --fresh only rows stored since this process started are
 *     used (the results of the other workers of the same run). The per-IP cap: each connection takes one of per_ip advisory
 *     locks (2 + slot, hash of the address); the slots this process holds
 *     are listed locally, since a session's advisory locks are re-entrant.
 *     All lock work is on the aux connection under one mutex, held only
 *     for the SQL, never while a host is checked; no transaction is open
 *     meanwhile (session locks need none).
 * LIMITS
 *     Results whose checks could not run (status error) are not stored,
 *     so a waiting machine checks such a host itself once the lock is
 *     free. A reconnect of aux loses the session's locks (the server
 *     dropped them with the old session).
 * DIAGNOSTICS
 *     Database errors here are not fatal: the host is checked without the
 *     shared cache or lock (the cache is an optimisation; the local cap
 *     still holds).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../result/result_tree.h"
#include "../store/store_queue.h"
#include "../util/deadline.h"
#include "scan_int.h"
#include "scan_serial.h"

#define SHARED_POLL_MS 100
#define SHARED_WAIT_MS (150 * 1000)
#define LOCK_HOST 1
#define LOCK_IP_BASE 2

struct held {
    int32_t addr; /* hash of the address */
    int32_t slot;
};

struct scan_shared {
    struct store *aux;
    int64_t since_floor; /* --fresh: rows older than this process are not used */
    pthread_mutex_t mu;
    struct held *held;
    size_t nheld, capheld;
};

stc_rc scan_shared_new(struct stc_scan *s, struct stc_err *err)
{
    struct scan_shared *sh = calloc(1, sizeof *sh);
    if (sh == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    struct store_opts o = {.keep = 1, .stop = &s->stop, .name = s->o.name};
    stc_rc rc = store_open(s->db_path, &o, &sh->aux, err);
    if (rc != STC_OK) {
        free(sh);
        return rc;
    }
    pthread_mutex_init(&sh->mu, NULL);
    sh->since_floor = s->o.fresh ? scan_unix_now() : 0;
    s->shared = sh;
    return STC_OK;
}

void scan_shared_free(struct scan_shared *sh)
{
    if (sh == NULL)
        return;
    struct stc_err ignore = {0};
    store_close(sh->aux, &ignore);
    pthread_mutex_destroy(&sh->mu);
    free(sh->held);
    free(sh);
}

static int32_t hash32(const char *a, const char *b)
{
    uint64_t h = scan_hash(a, strlen(a)) * 0x9e3779b97f4a7c15ull ^ scan_hash(b, strlen(b));
    return (int32_t)(uint32_t)(h ^ (h >> 32));
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

stc_rc scan_shared_get(struct stc_scan *s, const char *key, struct stc_result **out)
{
    struct scan_shared *sh = s->shared;
    struct stc_err e = {0};
    void *blob = NULL;
    size_t n = 0;
    int64_t at = 0;
    int64_t since = scan_unix_now() - s->o.cache_ttl_s;
    if (since < sh->since_floor)
        since = sh->since_floor;
    pthread_mutex_lock(&sh->mu);
    stc_rc rc = store_get_host(sh->aux, key, s->ckey, since, &blob, &n, &at, &e);
    pthread_mutex_unlock(&sh->mu);
    if (rc != STC_OK)
        return STC_E_NOTFOUND;
    rc = scan_serial_decode(blob, n, out, &e);
    free(blob);
    return rc == STC_OK ? STC_OK : STC_E_NOTFOUND;
}

stc_rc scan_shared_begin(struct stc_scan *s, const char *key, struct stc_result **out,
                         int *locked)
{
    struct scan_shared *sh = s->shared;
    struct deadline d = deadline_in(SHARED_WAIT_MS);
    int32_t k = hash32(key, s->ckey);
    *locked = 0;
    for (;;) {
        if (scan_shared_get(s, key, out) == STC_OK)
            return STC_OK;
        struct stc_err e = {0};
        int got = 0;
        pthread_mutex_lock(&sh->mu);
        stc_rc rc = store_try_lock(sh->aux, LOCK_HOST, k, &got, &e);
        pthread_mutex_unlock(&sh->mu);
        if (rc != STC_OK || got) {
            *locked = got;
            /* it may have been stored between the look and the lock */
            if (got && scan_shared_get(s, key, out) == STC_OK) {
                scan_shared_done(s, key, NULL, 1);
                *locked = 0;
                return STC_OK;
            }
            return STC_E_NOTFOUND;
        }
        if (deadline_expired(d) || atomic_load(&s->stop) >= STC_SCAN_CANCEL)
            return STC_E_NOTFOUND;
        sleep_ms(SHARED_POLL_MS);
    }
}

void scan_shared_done(struct stc_scan *s, const char *key, const struct stc_result *r,
                      int locked)
{
    struct scan_shared *sh = s->shared;
    struct stc_err e = {0};
    struct buf b;
    buf_init(&b, 16u << 20);
    int store = r != NULL && stc_result_status(r) != STC_STATUS_ERROR &&
                scan_serial_encode(r, &b, &e) == STC_OK;
    pthread_mutex_lock(&sh->mu);
    if (store)
        store_put_host(sh->aux, key, s->ckey, b.data, b.len, scan_unix_now(), &e);
    if (locked)
        store_unlock(sh->aux, LOCK_HOST, hash32(key, s->ckey));
    pthread_mutex_unlock(&sh->mu);
    buf_free(&b);
}

/* ---- the per-IP cap across machines ---- */

static int held_by_us(const struct scan_shared *sh, int32_t a, int32_t slot)
{
    for (size_t i = 0; i < sh->nheld; i++)
        if (sh->held[i].addr == a && sh->held[i].slot == slot)
            return 1;
    return 0;
}

/* Take a free slot of address a; 1 when taken, 0 none free, -1 database error. */
static int take_slot(struct stc_scan *s, int32_t a)
{
    struct scan_shared *sh = s->shared;
    int taken = 0;
    pthread_mutex_lock(&sh->mu);
    if (sh->nheld == sh->capheld) {
        size_t cap = sh->capheld ? 2 * sh->capheld : 64;
        struct held *h = realloc(sh->held, cap * sizeof *h);
        if (h == NULL) {
            pthread_mutex_unlock(&sh->mu);
            return -1;
        }
        sh->held = h;
        sh->capheld = cap;
    }
    for (int32_t slot = 0; slot < (int32_t)s->o.per_ip && !taken; slot++) {
        struct stc_err e = {0};
        int got = 0;
        if (held_by_us(sh, a, slot))
            continue;
        if (store_try_lock(sh->aux, LOCK_IP_BASE + slot, a, &got, &e) != STC_OK) {
            taken = -1;
            break;
        }
        if (got) {
            sh->held[sh->nheld].addr = a;
            sh->held[sh->nheld].slot = slot;
            sh->nheld++;
            taken = 1;
        }
    }
    pthread_mutex_unlock(&sh->mu);
    return taken;
}

stc_rc scan_shared_gate_acquire(void *ctx, const char *addr, long timeout_ms)
{
    struct stc_scan *s = ctx;
    struct deadline d = deadline_in(timeout_ms);
    stc_rc rc = scan_gate_acquire(s->gate, addr, timeout_ms);
    if (rc != STC_OK || s->shared == NULL)
        return rc;
    int32_t a = hash32(addr, "ip");
    for (;;) {
        int t = take_slot(s, a);
        if (t != 0)
            return STC_OK; /* taken, or the database failed: the local cap still holds */
        if (atomic_load(&s->stop) >= STC_SCAN_CANCEL) {
            scan_gate_release(s->gate, addr);
            return STC_E_INTERRUPTED;
        }
        if (deadline_expired(d)) {
            scan_gate_release(s->gate, addr);
            return STC_E_TIMEOUT;
        }
        long left = deadline_left_ms(d);
        sleep_ms(left < 20 ? left : 20);
    }
}

void scan_shared_gate_release(void *ctx, const char *addr)
{
    struct stc_scan *s = ctx;
    struct scan_shared *sh = s->shared;
    if (sh != NULL) {
        int32_t a = hash32(addr, "ip");
        pthread_mutex_lock(&sh->mu);
        for (size_t i = 0; i < sh->nheld; i++)
            if (sh->held[i].addr == a) {
                store_unlock(sh->aux, LOCK_IP_BASE + sh->held[i].slot, a);
                sh->held[i] = sh->held[--sh->nheld];
                break;
            }
        pthread_mutex_unlock(&sh->mu);
    }
    scan_gate_release(s->gate, addr);
}
