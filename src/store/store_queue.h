/* store_queue.h - the PostgreSQL work queue, shared host cache and locks of a scan. */
#ifndef STC_STORE_QUEUE_H
#define STC_STORE_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <starttls/error.h>
#include <starttls/scan.h>

#include "store.h"


/** The worker name recorded with each domain this store writes. */
void store_set_worker(struct store *st, const char *worker);

/* Enqueue: COPY the domains into the jobs table. begin, then job/reject per line, end. */
stc_rc store_enqueue_begin(struct store *st, struct stc_err *err);
stc_rc store_enqueue_job(struct store *st, const char *domain, uint64_t lineno,
                         struct stc_err *err);
stc_rc store_enqueue_reject(struct store *st, uint64_t lineno, const char *reason,
                            const char *text, struct stc_err *err);
/** Finish the COPY; *added counts the new jobs (a domain queued before is not queued again). */
stc_rc store_enqueue_end(struct store *st, uint64_t *added, struct stc_err *err);

/**
 * Claim up to max jobs for worker (queued ones, or claimed ones whose lease
 * ran out), each leased for lease_s seconds; fn is called per job.
 * STC_E_IO (after the reconnect attempts), STC_E_INTERRUPTED.
 */
typedef stc_rc (*store_job_fn)(void *ctx, const char *domain, uint64_t lineno,
                               struct stc_err *err);
stc_rc store_claim(struct store *st, const char *worker, long lease_s, unsigned max,
                   store_job_fn fn, void *ctx, unsigned *n, struct stc_err *err);
/** Extend the lease of every job worker holds. */
stc_rc store_heartbeat(struct store *st, const char *worker, long lease_s, struct stc_err *err);
/** Give back the jobs worker holds unfinished (a clean stop). */
stc_rc store_release(struct store *st, const char *worker, struct stc_err *err);
/** Jobs neither done nor failed (queued or claimed by anyone). */
stc_rc store_jobs_left(struct store *st, uint64_t *left, struct stc_err *err);

/** The name of the oldest scan with jobs left; STC_E_NOTFOUND when none. */
stc_rc store_pick_scan(const char *uri, char *name, size_t n, struct stc_err *err);

stc_rc store_status(struct store *st, struct stc_scan_status *out, struct stc_err *err);
/** The aggregate statistics of the scan's recorded domains, computed in SQL. */
stc_rc store_aggregate(struct store *st, struct stc_scan_stats *out, struct stc_err *err);
/** Every recorded domain's JSON, one line each, in input order. */
stc_rc store_export(struct store *st, FILE *out, struct stc_err *err);

/** A fresh host_cache row (*blob malloc'd, *n > 0), or STC_E_NOTFOUND. */
stc_rc store_get_host(struct store *st, const char *host, const char *config, int64_t since,
                      void **blob, size_t *n, int64_t *checked_at, struct stc_err *err);
/** Session-level advisory lock on (k1, k2), without waiting: *got 1 when taken. */
stc_rc store_try_lock(struct store *st, int32_t k1, int32_t k2, int *got, struct stc_err *err);
void store_unlock(struct store *st, int32_t k1, int32_t k2);

#endif
