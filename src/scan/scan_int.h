/* scan_int.h - the state of one bulk scan, shared by the engine, the workers and the writer. */
#ifndef STC_SCAN_INT_H
#define STC_SCAN_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <starttls/scan.h>

#include "../store/store.h"
#include "../util/err.h"

#include "scan_agg.h"
#include "scan_cache.h"
#include "scan_ckey.h"
#include "scan_gate.h"
#include "scan_jsonl.h"
#include "scan_queue.h"
#include "scan_seen.h"

#define SCAN_POLL_MS 200         /* queue waits between looks at the stop level */
#define WRITER_BATCH 32          /* results that wake the writer (else its poll wakes it) */
#define SCAN_CANCEL_GRACE_MS 300 /* after a cancel, how long run waits for workers */

/* Reader -> worker. */
struct scan_work {
    uint64_t lineno;
    char domain[256];
};

/* Worker -> writer. */
enum scan_done_kind { SCAN_DONE_DOMAIN, SCAN_DONE_HOST };
struct scan_done {
    enum scan_done_kind kind;
    struct stc_result *tree;  /* DOMAIN, kept only for a database (store rows) */
    struct scan_agg_sum *sum; /* DOMAIN: what the statistics need */
    char *json;               /* DOMAIN: compact JSON */
    char host[256];          /* HOST */
    uint8_t *blob;           /* HOST: scan_serial encoding */
    size_t bloblen;
    int64_t at;   /* unix seconds */
    int excluded; /* DOMAIN: on the --exclude list (counted apart, not aggregated) */
};

struct scan_counters {
    atomic_uint_fast64_t lines, done, resumed, rejected, duplicates, errors, in_flight;
    atomic_uint_fast64_t check_errors, host_checks, cache_hits, throttle_retries, excluded;
};

struct stc_scan {
    struct stc_scan_opts o;
    char *output, *db_path, *rejects_path; /* copies of the option strings */
    char *name, *worker_id;
    struct stc_checker *ck;
    char ckey[SCAN_CKEY_MAX]; /* the options host results depend on (scan_ckey) */
    struct scan_gate *gate;
    struct scan_cache *cache; /* NULL: no host cache */
    struct scan_exclude *exclude; /* --exclude; NULL: none */
    struct scan_queue work, done;
    int queues_ready;

    atomic_int stop;    /* enum stc_scan_stop_level */
    int gate_cancelled; /* reader thread only */
    atomic_int workers_alive;
    atomic_int writer_done;
    atomic_int refs; /* the owner's and one per worker thread (scan_unref) */
    struct scan_counters c;
    uint64_t total;
    int64_t start_ms;

    struct scan_seen seen;   /* input domains (reader thread) */
    struct scan_seen resume; /* already done (reader thread) */
    struct scan_jsonl jsonl;
    int has_jsonl;
    struct store *db;
    struct scan_shared *shared; /* PostgreSQL: shared host cache, locks (NULL otherwise) */
    FILE *rejects;
    int rejects_owned;
    pthread_mutex_t rejects_mu;

    struct scan_agg agg; /* writer thread while running */
    atomic_int failed;   /* set once by scan_fatal */
    pthread_mutex_t fail_mu;
    stc_rc fail_rc;      /* the first fatal error (read after the threads are joined) */
    struct stc_err fail_err;
    int ran;
};

/** Where a run's domains come from: feeds s->work until done or stopped. */
typedef stc_rc (*scan_source_fn)(struct stc_scan *s, void *ctx, int64_t *next,
                                 struct stc_err *err);
/** Start the writer and the workers, run source on this thread, drain, close the outputs. */
stc_rc scan_run_source(struct stc_scan *s, scan_source_fn source, void *ctx, struct stc_err *err);
/** Call the tick callback when due (*next), apply the stop level; returns the level. */
int scan_tick(struct stc_scan *s, int64_t *next, int force);
/** The shared (PostgreSQL) host hook around produce: see scan_shared.c. */
struct scan_shared;
stc_rc scan_shared_new(struct stc_scan *s, struct stc_err *err);
void scan_shared_free(struct scan_shared *sh);
/** A fresh host result another machine stored: STC_OK with *out, else STC_E_NOTFOUND. */
stc_rc scan_shared_get(struct stc_scan *s, const char *key, struct stc_result **out);
/** Single flight across machines: wait (bounded) for the host's advisory lock or a stored
 *  result; *locked 1 when this process must check and then call scan_shared_done. */
stc_rc scan_shared_begin(struct stc_scan *s, const char *key, struct stc_result **out,
                         int *locked);
/** Store the fresh result (unless NULL or status error) and release the host's lock. */
void scan_shared_done(struct stc_scan *s, const char *key, const struct stc_result *r,
                      int locked);
stc_rc scan_shared_gate_acquire(void *ctx, const char *addr, long timeout_ms);
void scan_shared_gate_release(void *ctx, const char *addr);

/** Worker thread body (arg: struct stc_scan *). */
void *scan_worker_main(void *arg);
/** Writer thread body (arg: struct stc_scan *). */
void *scan_writer_main(void *arg);
/** The stc_host_check_fn installed in the scan's checker (ctx: struct stc_scan *). */
stc_rc scan_worker_host_check(void *ctx, const struct stc_checker *ck, const char *domain,
                              const char *host, struct stc_result **out, struct stc_err *err);
/** Record the first fatal error (any thread) and stop the scan (STC_SCAN_STOP). */
void scan_fatal(struct stc_scan *s, stc_rc rc, const char *fmt, ...) STC_PRINTF(3, 4);
/** One line in the reject log (thread-safe). */
void scan_reject_log(struct stc_scan *s, uint64_t lineno, const char *reason, const char *text);
/** Push to a queue, waiting while full, giving up when the scan is cancelled or the queue closed.
 */
stc_rc scan_push_wait(struct stc_scan *s, struct scan_queue *q, void *item, int give_up_level);
void scan_done_free(struct scan_done *d);
/** Drop a reference; the last one frees the scan (stc_scan_free drops the owner's). */
void scan_unref(struct stc_scan *s);
int64_t scan_unix_now(void);

/* Hand a public struct that starts with its size member (full, full_size
 * bytes: the library's struct) to a caller whose struct has size bytes, an
 * older and smaller one too: copy what fits and say how much in its size. */
static inline void scan_give_sized(void *dst, size_t size, void *full, size_t full_size)
{
    size_t n = size < full_size ? size : full_size;
    memcpy(full, &n, sizeof n);
    memcpy(dst, full, n);
}

#endif
