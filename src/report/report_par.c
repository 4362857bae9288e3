/*
 * NAME
 *     report_par - parallel parsing of a scan's domain results, in order
 * SYNOPSIS
 *     #include "report_par.h"
 *     par_read_trees("scan.jsonl", on_tree, ctx, err);
 * DESCRIPTION
 *     Parsing each domain's JSON into a tree is most of the time a report
 *     takes, and each line is independent. The reading thread copies lines
 *     into a ring of PAR_RING batches of up to PAR_BATCH texts; worker
 *     threads (one per processor, at most PAR_THREADS_MAX) take filled
 *     batches and parse them; the reading thread hands the trees of the
 *     oldest batch to fn when it needs that slot again, and all of them at
 *     the end, so fn sees the domains in input order and runs on one
 *     thread only. Memory is bounded by the ring: PAR_RING x PAR_BATCH
 *     texts and trees at a time, whatever the size of the scan.
 *     States of a batch: FREE -> FILLED (reader) -> PARSING -> PARSED
 *     (worker) -> FREE (reader, after fn). One mutex and one condition
 *     variable guard the states; texts and trees of a batch belong to
 *     whoever set its state last.
 * LIMITS
 *     PAR_RING batches of PAR_BATCH texts; a text is as long as the reader
 *     passes (scan_read_each caps JSON lines at 16 MiB).
 * DIAGNOSTICS
 *     STC_E_NOMEM (a batch buffer, a thread), the reader's STC_E_IO, or the
 *     first error fn returns (the rest of the input is then skipped, every
 *     tree still freed).
 */
#include "report_par.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <starttls/json.h>

#include "../scan/scan_read.h"
#include "../util/err.h"

#define PAR_RING 6
#define PAR_BATCH 64
#define PAR_THREADS_MAX 4

enum { FREE, FILLED, PARSING, PARSED };

struct batch {
    int state;
    size_t n;
    char *buf; /* the texts, back to back */
    size_t len, cap;
    size_t off[PAR_BATCH + 1];
    struct stc_result *tree[PAR_BATCH];
    stc_rc rc[PAR_BATCH];
};

struct par {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch ring[PAR_RING];
    size_t head, tail; /* batches filled so far, handed to fn so far */
    int stop;
    par_tree_fn fn;
    void *ctx;
    stc_rc fn_rc; /* first error of fn: later trees are only freed */
    struct stc_err *err;
};

static void parse_batch(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        struct stc_err e = {0};
        b->tree[i] = NULL;
        b->rc[i] =
            stc_result_from_json(b->buf + b->off[i], b->off[i + 1] - b->off[i], &b->tree[i], &e);
    }
}

static void *worker(void *arg)
{
    struct par *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        struct batch *b = NULL;
        for (size_t k = p->tail; k < p->head && b == NULL; k++)
            if (p->ring[k % PAR_RING].state == FILLED)
                b = &p->ring[k % PAR_RING];
        if (b == NULL) {
            if (p->stop)
                break;
            pthread_cond_wait(&p->cv, &p->mu);
            continue;
        }
        b->state = PARSING;
        pthread_mutex_unlock(&p->mu);
        parse_batch(b);
        pthread_mutex_lock(&p->mu);
        b->state = PARSED;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Hand the oldest batch's trees to fn (waiting for its parse) and free the slot. */
static void drain_one(struct par *p)
{
    struct batch *b = &p->ring[p->tail % PAR_RING];
    pthread_mutex_lock(&p->mu);
    while (b->state != PARSED)
        pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < b->n; i++) {
        if (p->fn_rc == STC_OK)
            p->fn_rc = p->fn(p->ctx, b->tree[i], b->rc[i], p->err);
        else
            stc_result_free(b->tree[i]);
        b->tree[i] = NULL;
    }
    pthread_mutex_lock(&p->mu);
    b->state = FREE;
    b->n = b->len = 0;
    p->tail++;
    pthread_mutex_unlock(&p->mu);
}

static void publish(struct par *p)
{
    pthread_mutex_lock(&p->mu);
    p->ring[p->head % PAR_RING].state = FILLED;
    p->head++;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static stc_rc on_text(void *vctx, const char *json, size_t n, struct stc_err *err)
{
    struct par *p = vctx;
    if (p->fn_rc != STC_OK)
        return p->fn_rc; /* stop reading */
    if (p->head - p->tail == PAR_RING)
        drain_one(p);
    struct batch *b = &p->ring[p->head % PAR_RING];
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1u << 16;
        while (cap < b->len + n)
            cap *= 2;
        char *nb = realloc(b->buf, cap);
        if (nb == NULL)
            return err_set(err, STC_E_NOMEM, "report: out of memory");
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, json, n);
    b->off[b->n] = b->len;
    b->len += n;
    b->off[++b->n] = b->len;
    if (b->n == PAR_BATCH)
        publish(p);
    return STC_OK;
}

stc_rc par_read_trees(const char *path, par_tree_fn fn, void *ctx, struct stc_err *err)
{
    struct par p;
    pthread_t th[PAR_THREADS_MAX];
    size_t nth = 0;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t want = cpus < 1 ? 1 : cpus > PAR_THREADS_MAX ? PAR_THREADS_MAX : (size_t)cpus;
    memset(&p, 0, sizeof p);
    p.fn = fn;
    p.ctx = ctx;
    p.err = err;
    if (pthread_mutex_init(&p.mu, NULL) != 0)
        return err_set(err, STC_E_NOMEM, "report: cannot make a mutex");
    if (pthread_cond_init(&p.cv, NULL) != 0) {
        pthread_mutex_destroy(&p.mu);
        return err_set(err, STC_E_NOMEM, "report: cannot make a condition variable");
    }
    for (; nth < want; nth++)
        if (pthread_create(&th[nth], NULL, worker, &p) != 0)
            break;
    stc_rc rc = STC_OK;
    if (nth == 0)
        rc = err_set(err, STC_E_NOMEM, "report: cannot start a thread");
    if (rc == STC_OK)
        rc = scan_read_each(path, on_text, &p, err);
    if (p.ring[p.head % PAR_RING].state == FREE && p.ring[p.head % PAR_RING].n > 0)
        publish(&p);
    while (nth > 0 && p.tail < p.head)
        drain_one(&p);
    pthread_mutex_lock(&p.mu);
    p.stop = 1;
    pthread_cond_broadcast(&p.cv);
    pthread_mutex_unlock(&p.mu);
    for (size_t i = 0; i < nth; i++)
        pthread_join(th[i], NULL);
    for (size_t i = 0; i < PAR_RING; i++) {
        for (size_t k = 0; k < p.ring[i].n && p.ring[i].state != FREE; k++)
            stc_result_free(p.ring[i].tree[k]);
        free(p.ring[i].buf);
    }
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    if (rc == STC_OK)
        rc = p.fn_rc;
    return rc;
}
