/*
 * NAME
 *     scan_gate - per-IP connection cap for bulk scans
 * SYNOPSIS
 *     scan_gate_new(4, &g, err);
 *     stc_config_set_connect_gate(cfg, scan_gate_acquire, scan_gate_release, g, err);
 * DESCRIPTION
 *     Big providers host thousands of domains on a few addresses; without a
 *     cap a scan of a million domains would open hundreds of connections to
 *     the same host at once. acquire waits (bounded) until fewer than
 *     per_ip connections to addr are open; release frees the slot and wakes
 *     one waiter. One entry per address that has a connection or a waiter,
 *     in a chained hash table under one mutex, each with its own condition
 *     variable; an entry is freed when it is idle, so memory follows the
 *     connections in flight, not the number of hosts scanned.
 *
 *     Politeness: an address on the --exclude list is refused before any
 *     packet (STC_E_INVAL); with a rate (--rate N) every grant is also
 *     spaced 1/N s after the previous one across the whole scan, so new
 *     connections never exceed N in any second; a caller waits for its
 *     turn, bounded by its timeout, and a cancel wakes it.
 * LIMITS
 *     Addresses longer than 63 bytes are refused (STC_E_INVAL).
 * DIAGNOSTICS
 *     acquire: STC_E_TIMEOUT (no slot in time), STC_E_INTERRUPTED (cancelled),
 *     STC_E_NOMEM. The checker skips an address it may not connect to.
 */
#include "scan_gate.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/err.h"
#include "scan_exclude.h"
#include "scan_queue.h"
#include "scan_seen.h"

#define GATE_BUCKETS 1024
#define GATE_ADDR_MAX 64

struct gate_entry {
    struct gate_entry *next;
    char addr[GATE_ADDR_MAX];
    unsigned active, waiters;
    pthread_cond_t cv;
};

struct scan_gate {
    pthread_mutex_t mu;
    unsigned per_ip;
    const struct scan_exclude *exclude;
    int64_t step_us, next_us; /* --rate: spacing of grants, the next free turn */
    int cancelled;
    unsigned peak, entries;
    uint64_t connections;
    struct gate_entry *buckets[GATE_BUCKETS];
};

stc_rc scan_gate_new(unsigned per_ip, struct scan_gate **out, struct stc_err *err)
{
    struct scan_gate *g = calloc(1, sizeof *g);
    if (g == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    if (pthread_mutex_init(&g->mu, NULL) != 0) {
        free(g);
        return err_set(err, STC_E_INTERNAL, "gate: pthread_mutex_init failed");
    }
    g->per_ip = per_ip ? per_ip : 1;
    *out = g;
    return STC_OK;
}

void scan_gate_set_exclude(struct scan_gate *g, const struct scan_exclude *x)
{
    g->exclude = x;
}

void scan_gate_set_rate(struct scan_gate *g, unsigned per_sec)
{
    g->step_us = per_sec ? 1000000 / (int64_t)per_sec : 0;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* With a rate: take the next turn (lock held) and wait for it outside the lock,
 * in slices that look at the cancel flag. STC_E_TIMEOUT when the turn comes
 * after timeout_ms (the turn is not taken). */
static stc_rc wait_turn(struct scan_gate *g, long timeout_ms)
{
    int64_t now = now_us();
    int64_t at = g->next_us > now ? g->next_us : now;
    if (at - now > (int64_t)timeout_ms * 1000)
        return STC_E_TIMEOUT;
    g->next_us = at + g->step_us;
    pthread_mutex_unlock(&g->mu);
    for (int64_t left = at - now_us(); left > 0; left = at - now_us()) {
        int64_t slice = left < 50000 ? left : 50000;
        struct timespec ts = {0, (long)slice * 1000};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&g->mu);
        int cancelled = g->cancelled;
        pthread_mutex_unlock(&g->mu);
        if (cancelled)
            break;
    }
    pthread_mutex_lock(&g->mu);
    return g->cancelled ? STC_E_INTERRUPTED : STC_OK;
}

void scan_gate_free(struct scan_gate *g)
{
    if (g == NULL)
        return;
    for (size_t i = 0; i < GATE_BUCKETS; i++) {
        struct gate_entry *e = g->buckets[i], *next;
        for (; e != NULL; e = next) {
            next = e->next;
            pthread_cond_destroy(&e->cv);
            free(e);
        }
    }
    pthread_mutex_destroy(&g->mu);
    free(g);
}

static struct gate_entry **slot_of(struct scan_gate *g, const char *addr)
{
    struct gate_entry **p = &g->buckets[scan_hash(addr, strlen(addr)) % GATE_BUCKETS];
    while (*p != NULL && strcmp((*p)->addr, addr) != 0)
        p = &(*p)->next;
    return p;
}

/* Free the entry at *p when nobody uses or waits for it. Lock held. */
static void maybe_drop(struct scan_gate *g, struct gate_entry **p)
{
    struct gate_entry *e = *p;
    if (e == NULL || e->active > 0 || e->waiters > 0)
        return;
    *p = e->next;
    pthread_cond_destroy(&e->cv);
    free(e);
    g->entries--;
}

stc_rc scan_gate_acquire(void *ctx, const char *addr, long timeout_ms)
{
    struct scan_gate *g = ctx;
    if (strlen(addr) >= GATE_ADDR_MAX || scan_exclude_addr(g->exclude, addr))
        return STC_E_INVAL;
    struct timespec until = scan_abstime(timeout_ms);
    stc_rc rc = STC_OK;
    pthread_mutex_lock(&g->mu);
    struct gate_entry **p = slot_of(g, addr);
    if (*p == NULL) {
        struct gate_entry *e = calloc(1, sizeof *e);
        if (e == NULL || scan_cond_init(&e->cv) != 0) {
            free(e);
            rc = STC_E_NOMEM;
            goto out;
        }
        memcpy(e->addr, addr, strlen(addr) + 1);
        *p = e;
        g->entries++;
    }
    struct gate_entry *e = *p;
    // cppcheck-suppress nullPointerRedundantCheck ; *p was set just above when it was NULL
    e->waiters++;
    while (!g->cancelled && e->active >= g->per_ip) {
        if (pthread_cond_timedwait(&e->cv, &g->mu, &until) != 0 && e->active >= g->per_ip &&
            !g->cancelled) {
            rc = STC_E_TIMEOUT;
            break;
        }
    }
    if (rc == STC_OK && g->cancelled)
        rc = STC_E_INTERRUPTED;
    if (rc == STC_OK && g->step_us > 0) {
        e->active++; /* hold the slot while waiting for the turn */
        int64_t left_us = ((int64_t)until.tv_sec * 1000000 + until.tv_nsec / 1000) - now_us();
        rc = wait_turn(g, left_us > 0 ? (long)(left_us / 1000) : 0);
        e->active--;
    }
    e->waiters--;
    if (rc == STC_OK) {
        e->active++;
        g->connections++;
        if (e->active > g->peak)
            g->peak = e->active;
    } else {
        maybe_drop(g, slot_of(g, addr));
    }
out:
    pthread_mutex_unlock(&g->mu);
    return rc;
}

void scan_gate_release(void *ctx, const char *addr)
{
    struct scan_gate *g = ctx;
    pthread_mutex_lock(&g->mu);
    struct gate_entry **p = slot_of(g, addr);
    if (*p != NULL && (*p)->active > 0) {
        (*p)->active--;
        if ((*p)->waiters > 0)
            pthread_cond_signal(&(*p)->cv);
        maybe_drop(g, p);
    }
    pthread_mutex_unlock(&g->mu);
}

void scan_gate_cancel(struct scan_gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->cancelled = 1;
    for (size_t i = 0; i < GATE_BUCKETS; i++)
        for (struct gate_entry *e = g->buckets[i]; e != NULL; e = e->next)
            pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&g->mu);
}

uint64_t scan_gate_connections(struct scan_gate *g)
{
    pthread_mutex_lock(&g->mu);
    uint64_t n = g->connections;
    pthread_mutex_unlock(&g->mu);
    return n;
}

unsigned scan_gate_peak(struct scan_gate *g)
{
    pthread_mutex_lock(&g->mu);
    unsigned n = g->peak;
    pthread_mutex_unlock(&g->mu);
    return n;
}

unsigned scan_gate_entries(struct scan_gate *g)
{
    pthread_mutex_lock(&g->mu);
    unsigned n = g->entries;
    pthread_mutex_unlock(&g->mu);
    return n;
}
