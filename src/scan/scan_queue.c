/*
 * NAME
 *     scan_queue - bounded blocking queue between the reader, the workers
 *     and the writer
 * SYNOPSIS
 *     scan_queue_init(&q, 512, err);
 *     scan_queue_push(&q, item, 200, err);   reader, blocks while full
 *     scan_queue_pop(&q, &item, 1000, err);  worker
 *     scan_queue_close(&q);
 * DESCRIPTION
 *     A ring of cap pointers under one mutex with two CLOCK_MONOTONIC
 *     condition variables. Because push blocks when the ring is full, the
 *     reader never runs ahead of the workers: memory stays flat however
 *     long the input. Items are owned by the queue between push and pop.
 *     scan_queue_set_batch makes the hand-offs wake the other side in
 *     batches (the writer once per batch of results, the reader once the
 *     work queue is half empty) instead of one context switch per domain.
 * LIMITS
 *     Every wait is bounded by the caller's timeout; callers loop.
 * DIAGNOSTICS
 *     init: STC_E_NOMEM, STC_E_INTERNAL. push: STC_E_TIMEOUT,
 *     STC_E_INTERRUPTED (closed). pop: STC_E_TIMEOUT, STC_E_NOTFOUND (closed
 *     and drained).
 */
#include "scan_queue.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/err.h"

int scan_cond_init(pthread_cond_t *cv)
{
    pthread_condattr_t a;
    if (pthread_condattr_init(&a) != 0)
        return -1;
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    int r = pthread_cond_init(cv, &a);
    pthread_condattr_destroy(&a);
    return r;
}

struct timespec scan_abstime(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    if (ms < 0)
        ms = 0;
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

stc_rc scan_queue_init(struct scan_queue *q, size_t cap, struct stc_err *err)
{
    memset(q, 0, sizeof *q);
    q->items = calloc(cap ? cap : 1, sizeof *q->items);
    if (q->items == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    q->cap = cap ? cap : 1;
    q->wake_at = 1;
    q->room_at = q->cap - 1;
    if (pthread_mutex_init(&q->mu, NULL) != 0 || scan_cond_init(&q->not_empty) != 0 ||
        scan_cond_init(&q->not_full) != 0) {
        free(q->items);
        q->items = NULL;
        return err_set(err, STC_E_INTERNAL, "queue: pthread init failed");
    }
    return STC_OK;
}

void scan_queue_set_batch(struct scan_queue *q, size_t wake_at, size_t room_at)
{
    pthread_mutex_lock(&q->mu);
    q->wake_at = wake_at < 1 ? 1 : wake_at > q->cap ? q->cap : wake_at;
    q->room_at = room_at >= q->cap ? q->cap - 1 : room_at;
    pthread_mutex_unlock(&q->mu);
}

void scan_queue_destroy(struct scan_queue *q)
{
    if (q->items == NULL)
        return;
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
    free(q->items);
    q->items = NULL;
}

stc_rc scan_queue_push(struct scan_queue *q, void *item, long timeout_ms, struct stc_err *err)
{
    struct timespec until = scan_abstime(timeout_ms);
    stc_rc rc = STC_OK;
    pthread_mutex_lock(&q->mu);
    while (!q->closed && q->n == q->cap) {
        if (pthread_cond_timedwait(&q->not_full, &q->mu, &until) != 0 && q->n == q->cap &&
            !q->closed) {
            rc = err_set(err, STC_E_TIMEOUT, "queue full");
            goto out;
        }
    }
    if (q->closed) {
        rc = err_set(err, STC_E_INTERRUPTED, "queue closed");
        goto out;
    }
    q->items[(q->head + q->n) % q->cap] = item;
    q->n++;
    if (q->n >= q->wake_at)
        pthread_cond_signal(&q->not_empty);
out:
    pthread_mutex_unlock(&q->mu);
    return rc;
}

stc_rc scan_queue_pop(struct scan_queue *q, void **item, long timeout_ms, struct stc_err *err)
{
    struct timespec until = scan_abstime(timeout_ms);
    stc_rc rc = STC_OK;
    pthread_mutex_lock(&q->mu);
    while (q->n == 0 && !q->closed) {
        if (pthread_cond_timedwait(&q->not_empty, &q->mu, &until) != 0 && q->n == 0 && !q->closed) {
            rc = err_set(err, STC_E_TIMEOUT, "queue empty");
            goto out;
        }
    }
    if (q->n == 0) {
        rc = err_set(err, STC_E_NOTFOUND, "queue closed");
        goto out;
    }
    *item = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    if (q->n <= q->room_at)
        pthread_cond_signal(&q->not_full);
out:
    pthread_mutex_unlock(&q->mu);
    return rc;
}

void scan_queue_close(struct scan_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = 1;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->mu);
}

size_t scan_queue_len(struct scan_queue *q)
{
    pthread_mutex_lock(&q->mu);
    size_t n = q->n;
    pthread_mutex_unlock(&q->mu);
    return n;
}
