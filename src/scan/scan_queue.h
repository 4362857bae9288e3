/* scan_queue.h - a bounded blocking queue of pointers (reader -> workers -> writer). */
#ifndef STC_SCAN_QUEUE_H
#define STC_SCAN_QUEUE_H

#include <pthread.h>
#include <stddef.h>

#include <starttls/error.h>

struct scan_queue {
    void **items;
    size_t cap, head, n;
    size_t wake_at; /* a push wakes a popper once n reaches this (default 1) */
    size_t room_at; /* a pop wakes a pusher once n is down to this (default cap - 1) */
    int closed;
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
};

stc_rc scan_queue_init(struct scan_queue *q, size_t cap, struct stc_err *err);
/**
 * Hand-offs in batches: poppers are woken once wake_at items wait (a popper
 * that is asleep meanwhile wakes at its own timeout), pushers once no more
 * than room_at remain. For a single fast consumer (the writer) or a single
 * producer (the reader), so each hand-off is not a context switch.
 */
void scan_queue_set_batch(struct scan_queue *q, size_t wake_at, size_t room_at);
/** Destroy; items still queued are not freed (drain first). */
void scan_queue_destroy(struct scan_queue *q);
/**
 * Append item, waiting up to timeout_ms while the queue is full.
 * STC_E_TIMEOUT when still full, STC_E_INTERRUPTED when the queue is closed.
 */
stc_rc scan_queue_push(struct scan_queue *q, void *item, long timeout_ms, struct stc_err *err);
/**
 * Take the oldest item, waiting up to timeout_ms while the queue is empty.
 * STC_E_TIMEOUT when still empty, STC_E_NOTFOUND when closed and empty.
 */
stc_rc scan_queue_pop(struct scan_queue *q, void **item, long timeout_ms, struct stc_err *err);
/** No more pushes; poppers drain what is left, then get STC_E_NOTFOUND. */
void scan_queue_close(struct scan_queue *q);
size_t scan_queue_len(struct scan_queue *q);

/** Shared by the scan modules: a CLOCK_MONOTONIC condvar and an absolute time ms ahead. */
int scan_cond_init(pthread_cond_t *cv);
struct timespec scan_abstime(long ms);

#endif
