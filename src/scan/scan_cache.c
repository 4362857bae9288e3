/*
 * NAME
 *     scan_cache - the host cache of a bulk scan
 * SYNOPSIS
 *     scan_cache_new(65536, 3600 * 1000, &c, err);
 *     scan_cache_get(c, "mx.example.com", check_host, ctx, wait_ms, &copy, &hit, err);
 * DESCRIPTION
 *     Many domains share MX hosts (a few providers carry most mail), so each
 *     host is checked once and its result reused for every domain that
 *     names it (the original's ScanStore). Single flight: the first caller
 *     for a key inserts a "pending" entry and produces the value outside the
 *     lock; concurrent callers for the key wait on the condition variable
 *     until it is ready (wait_ms < 0: as long as the production takes,
 *     which the producer's own deadlines bound; the scan waits so, since
 *     a --deep check or a retry after 421 legitimately takes long). A
 *     failed production removes the entry and wakes the waiters, one of
 *     which then produces. Values expire ttl_ms after
 *     they were made. The cache keeps at most max_entries: past that the
 *     least recently used ready entry goes (expired ones first come to the
 *     LRU tail since they are not used); pending entries are never evicted,
 *     so the count may pass the cap by the number of productions in flight.
 *     Callers get copies and own them; the cache owns what it stores,
 *     packed (result_pack.c: a few hundred bytes per host instead of a
 *     3 KB tree, one allocation, strings that recur across hosts shared
 *     through the cache's string pool), and a hit unpacks them into a
 *     one-block copy like stc_result_clone's. The producer's own tree goes
 *     to the caller that produced it. An entry holds its key in the same
 *     allocation, sized to it.
 * LIMITS
 *     Keys up to 255 bytes. Hash buckets: the next power of two >= 2 * cap
 *     (at most 2^20). Copies point into the cache's string pool: free them
 *     before the cache.
 * DIAGNOSTICS
 *     get: STC_E_NOMEM (also for a produced tree that cannot be packed:
 *     marked out of memory, or deeper than RESULT_PACK_DEPTH_MAX),
 *     STC_E_TIMEOUT (waited wait_ms >= 0 for another caller's production),
 *     STC_E_INVAL (key too long), or the producer's error.
 */
#include "scan_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../result/result_tree.h"
#include "../util/deadline.h"
#include "../util/err.h"
#include "scan_queue.h"
#include "scan_seen.h"

#define KEY_MAX 256
#define READY_STRIPES 64 /* a power of two */

struct entry {
    struct entry *hnext;       /* hash chain */
    struct entry *prev, *next; /* LRU list, most recent first */
    void *packed;              /* result_pack bytes; NULL while pending */
    size_t packed_len;
    int64_t expires_ms; /* monotonic */
    char key[];         /* NUL-terminated, under KEY_MAX bytes */
};

struct scan_cache {
    pthread_mutex_t mu;
    /* Waiters for a pending key sleep on its stripe, so a finished
     * production wakes the few waiting for keys of that stripe, not every
     * worker waiting on any host (hundreds, in a bulk scan). */
    pthread_cond_t ready[READY_STRIPES];
    size_t max, count, nbuckets;
    int64_t ttl_ms;
    struct entry **buckets;
    struct result_strpool *strings; /* strings the packed values share */
    struct entry *head, *tail;
};

stc_rc scan_cache_new(size_t max_entries, int64_t ttl_ms, struct scan_cache **out,
                      struct stc_err *err)
{
    struct scan_cache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    c->max = max_entries ? max_entries : 1;
    c->ttl_ms = ttl_ms;
    c->nbuckets = 16;
    while (c->nbuckets < 2 * c->max && c->nbuckets < (1u << 20))
        c->nbuckets *= 2;
    // NOLINTNEXTLINE(bugprone-sizeof-expression): buckets is an array of pointers
    c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
    c->strings = result_strpool_new();
    if (c->buckets == NULL || c->strings == NULL || pthread_mutex_init(&c->mu, NULL) != 0) {
        result_strpool_free(c->strings);
        free(c->buckets);
        free(c);
        return err_set(err, STC_E_NOMEM, "out of memory");
    }
    size_t inited = 0;
    while (inited < READY_STRIPES && scan_cond_init(&c->ready[inited]) == 0)
        inited++;
    if (inited < READY_STRIPES) {
        while (inited > 0)
            pthread_cond_destroy(&c->ready[--inited]);
        pthread_mutex_destroy(&c->mu);
        result_strpool_free(c->strings);
        free(c->buckets);
        free(c);
        return err_set(err, STC_E_INTERNAL, "cache: pthread_cond_init failed");
    }
    *out = c;
    return STC_OK;
}

void scan_cache_free(struct scan_cache *c)
{
    if (c == NULL)
        return;
    for (struct entry *e = c->head, *n; e != NULL; e = n) {
        n = e->next;
        free(e->packed);
        free(e);
    }
    for (size_t i = 0; i < READY_STRIPES; i++)
        pthread_cond_destroy(&c->ready[i]);
    pthread_mutex_destroy(&c->mu);
    result_strpool_free(c->strings); /* after the entries that name its strings */
    free(c->buckets);
    free(c);
}

static struct entry **chain(struct scan_cache *c, const char *key)
{
    struct entry **p = &c->buckets[scan_hash(key, strlen(key)) & (c->nbuckets - 1)];
    while (*p != NULL && strcmp((*p)->key, key) != 0)
        p = &(*p)->hnext;
    return p;
}

static void lru_unlink(struct scan_cache *c, struct entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_front(struct scan_cache *c, struct entry *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (c->tail == NULL)
        c->tail = e;
}

/* The condition a waiter for key sleeps on. */
static pthread_cond_t *ready_for(struct scan_cache *c, const char *key)
{
    return &c->ready[scan_hash(key, strlen(key)) & (READY_STRIPES - 1)];
}

/* Unlink e from hash and LRU and free it. Lock held. */
static void drop(struct scan_cache *c, struct entry *e)
{
    struct entry **p = chain(c, e->key);
    if (*p == e)
        *p = e->hnext;
    lru_unlink(c, e);
    free(e->packed);
    free(e);
    c->count--;
}

/* Evict ready entries from the LRU tail while over the cap. Lock held. */
static void evict(struct scan_cache *c)
{
    struct entry *e = c->tail;
    while (c->count > c->max && e != NULL) {
        struct entry *prev = e->prev;
        if (e->packed != NULL)
            drop(c, e);
        e = prev;
    }
}

static struct entry *insert_pending(struct scan_cache *c, const char *key)
{
    size_t n = strlen(key) + 1;
    struct entry *e = calloc(1, sizeof *e + n);
    if (e == NULL)
        return NULL;
    memcpy(e->key, key, n);
    struct entry **p = chain(c, key);
    e->hnext = *p;
    *p = e;
    lru_front(c, e);
    c->count++;
    evict(c);
    return e;
}

stc_rc scan_cache_get(struct scan_cache *c, const char *key, scan_produce_fn produce, void *ctx,
                      long wait_ms, struct stc_result **out, int *hit, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct timespec until = scan_abstime(wait_ms);
    *hit = 0;
    if (strlen(key) >= KEY_MAX)
        return err_set(err, STC_E_INVAL, "cache key too long");
    pthread_mutex_lock(&c->mu);
    for (;;) {
        struct entry *e = *chain(c, key);
        if (e != NULL && e->packed != NULL && e->expires_ms <= deadline_now_ms()) {
            drop(c, e);
            e = NULL;
        }
        if (e == NULL)
            break;
        if (e->packed != NULL) {
            lru_unlink(c, e);
            lru_front(c, e);
            *out = result_unpack(e->packed, e->packed_len, c->strings);
            *hit = 1;
            rc = *out ? STC_OK : err_set(err, STC_E_NOMEM, "out of memory");
            pthread_mutex_unlock(&c->mu);
            return rc;
        }
        /* Pending: somebody is producing it. */
        if (wait_ms < 0) {
            pthread_cond_wait(ready_for(c, key), &c->mu);
        } else if (pthread_cond_timedwait(ready_for(c, key), &c->mu, &until) != 0) {
            e = *chain(c, key);
            if (e != NULL && e->packed == NULL) {
                pthread_mutex_unlock(&c->mu);
                return err_set(err, STC_E_TIMEOUT, "waited too long for the check of %s", key);
            }
        }
    }
    struct entry *mine = insert_pending(c, key);
    pthread_mutex_unlock(&c->mu);
    if (mine == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");

    struct stc_result *value = NULL;
    rc = produce(ctx, key, &value, err);
    /* The cache keeps the packed bytes (long-lived, one small allocation);
     * the producer's tree goes to the caller. */
    void *kept = NULL;
    size_t kept_len = 0;
    if (rc == STC_OK) {
        kept = result_pack(value, c->strings, &kept_len);
        if (kept == NULL)
            rc = err_set(err, STC_E_NOMEM, "out of memory");
    }
    pthread_mutex_lock(&c->mu);
    if (rc == STC_OK) {
        mine->packed = kept;
        mine->packed_len = kept_len;
        mine->expires_ms = deadline_now_ms() + c->ttl_ms;
        evict(c);
    } else {
        stc_result_free(value);
        drop(c, mine);
    }
    pthread_cond_broadcast(ready_for(c, key));
    pthread_mutex_unlock(&c->mu);
    if (rc == STC_OK)
        *out = value;
    return rc;
}

stc_rc scan_cache_put(struct scan_cache *c, const char *key, struct stc_result *value,
                      int64_t age_ms, struct stc_err *err)
{
    if (strlen(key) >= KEY_MAX) {
        stc_result_free(value);
        return err_set(err, STC_E_INVAL, "cache key too long");
    }
    /* Stored packed, like the results the cache makes itself. */
    size_t len = 0;
    void *packed = result_pack(value, c->strings, &len);
    stc_result_free(value);
    if (packed == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    pthread_mutex_lock(&c->mu);
    struct entry *e = *chain(c, key);
    if (e != NULL && e->packed == NULL) { /* being produced: keep that one */
        pthread_mutex_unlock(&c->mu);
        free(packed);
        return STC_OK;
    }
    if (e != NULL)
        drop(c, e);
    e = insert_pending(c, key);
    if (e == NULL) {
        pthread_mutex_unlock(&c->mu);
        free(packed);
        return err_set(err, STC_E_NOMEM, "out of memory");
    }
    e->packed = packed;
    e->packed_len = len;
    e->expires_ms = deadline_now_ms() + c->ttl_ms - age_ms;
    pthread_cond_broadcast(ready_for(c, key));
    pthread_mutex_unlock(&c->mu);
    return STC_OK;
}

size_t scan_cache_count(struct scan_cache *c)
{
    pthread_mutex_lock(&c->mu);
    size_t n = c->count;
    pthread_mutex_unlock(&c->mu);
    return n;
}
