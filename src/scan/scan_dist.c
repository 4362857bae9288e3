/*
 * NAME
 *     scan_dist - one scan across many machines: enqueue, work, status, export
 * SYNOPSIS
 *     stc_scan_enqueue("postgresql://...", "top1m", fd, -1, 0, &q, err);
 *     stc_scan_new(cfg, &o, &s, err);  stc_scan_work(s, err);    (o.db, o.name)
 *     stc_scan_status_get(db, name, &st, err); stc_scan_db_stats(...); stc_scan_export(...);
 * DESCRIPTION
 *     Enqueue reads the list with the scan's own reader (scan_input): bad
 *     lines and repeated domains go to the rejects table, the domains to
 *     jobs (COPY). A worker is a scan whose source, instead of a file, is
 *     the jobs table: on its own connection it claims batches (keeping
 *     about `batch` domains claimed and unfinished here), renews their
 *     leases every lease/3 seconds, and, when nothing is claimable, waits
 *     for other workers' leases (a dead worker's jobs come back) until no
 *     job of the scan is left. The writer marks each job done in the
 *     domain's transaction. On a stop the jobs held are given back.
 * LIMITS
 *     One scan per stc_scan_work; the checker options are the worker's.
 * DIAGNOSTICS
 *     STC_E_INVAL (not PostgreSQL), STC_E_NOTFOUND (no such scan),
 *     STC_E_IO (database), STC_E_INTERRUPTED, STC_E_NOMEM.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../store/store_queue.h"
#include "../util/deadline.h"
#include "scan_input.h"
#include "scan_int.h"

#define WORK_IDLE_MS 500

static stc_rc open_pg(const char *db, const char *name, int keep, int resume, struct store **st,
                      struct stc_err *err)
{
    if (!store_is_pg(db))
        return err_set(err, STC_E_INVAL, "this needs a PostgreSQL database (--db postgresql://...)");
    struct store_opts o = {.keep = keep, .resume = resume, .name = name};
    return store_open(db, &o, st, err);
}

stc_rc stc_scan_enqueue(const char *db, const char *name, int fd, int column, int resume,
                        struct stc_scan_enqueued *out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct store *st = NULL;
    struct scan_input in;
    struct scan_line l;
    struct scan_seen seen;
    int have_in = 0;
    scan_seen_init(&seen);
    memset(out, 0, sizeof *out);
    STC_GUARD(open_pg(db, name, 0, resume, &st, err));
    STC_GUARD(scan_input_init(&in, fd, column, err));
    have_in = 1;
    STC_GUARD(store_enqueue_begin(st, err));
    for (;;) {
        STC_GUARD(scan_input_next(&in, &l, err));
        if (l.kind == SCAN_LINE_EOF)
            break;
        if (l.kind == SCAN_LINE_SKIP)
            continue;
        out->lines++;
        if (l.kind == SCAN_LINE_REJECT) {
            out->rejected++;
            STC_GUARD(store_enqueue_reject(st, l.lineno, l.reason, l.text, err));
            continue;
        }
        int fresh = 0;
        STC_GUARD(scan_seen_add(&seen, l.domain, &fresh, err));
        if (!fresh) {
            out->duplicates++;
            STC_GUARD(store_enqueue_reject(st, l.lineno, "duplicate domain (checked once)",
                                           l.domain, err));
            continue;
        }
        STC_GUARD(store_enqueue_job(st, l.domain, l.lineno, err));
    }
    STC_GUARD(store_enqueue_end(st, &out->added, err));
out:
    if (have_in)
        scan_input_free(&in);
    scan_seen_free(&seen);
    struct stc_err ignore = {0};
    store_close(st, &ignore);
    return rc;
}

struct work_ctx {
    struct stc_scan *s;
    struct store *q; /* the claiming connection (this thread only) */
    char id[128];
    uint64_t claimed;
};

static stc_rc on_job(void *vctx, const char *domain, uint64_t lineno, struct stc_err *err)
{
    struct work_ctx *w = vctx;
    struct scan_work *item = malloc(sizeof *item);
    if (item == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    item->lineno = lineno;
    snprintf(item->domain, sizeof item->domain, "%s", domain);
    w->claimed++;
    atomic_fetch_add(&w->s->c.lines, 1);
    if (scan_push_wait(w->s, &w->s->work, item, STC_SCAN_STOP) != STC_OK)
        free(item); /* stopping: the lease runs out or the release gives it back */
    return STC_OK;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static stc_rc claim_source(struct stc_scan *s, void *ctx, int64_t *next, struct stc_err *err)
{
    struct work_ctx *w = ctx;
    stc_rc rc = STC_OK;
    int64_t beat = deadline_now_ms() + s->o.lease_s * 1000 / 3;
    while (scan_tick(s, next, 0) == STC_SCAN_GO && !atomic_load(&s->failed)) {
        if (deadline_now_ms() >= beat) {
            STC_GUARD(store_heartbeat(w->q, w->id, s->o.lease_s, err));
            beat = deadline_now_ms() + s->o.lease_s * 1000 / 3;
        }
        uint64_t finished = atomic_load(&s->c.done);
        uint64_t outstanding = w->claimed > finished ? w->claimed - finished : 0;
        unsigned n = 0;
        if (outstanding < s->o.batch)
            STC_GUARD(store_claim(w->q, w->id, s->o.lease_s, s->o.batch - (unsigned)outstanding,
                                  on_job, w, &n, err));
        if (n > 0)
            continue;
        if (outstanding == 0) {
            uint64_t left = 0;
            STC_GUARD(store_jobs_left(w->q, &left, err));
            if (left == 0)
                break; /* every job of the scan is done (or failed) */
        }
        sleep_ms(WORK_IDLE_MS / 5 > 0 && outstanding ? WORK_IDLE_MS / 5 : WORK_IDLE_MS);
    }
out:
    return rc;
}

stc_rc stc_scan_work(struct stc_scan *s, struct stc_err *err)
{
    struct work_ctx w = {.s = s};
    stc_rc rc = STC_OK;
    if (s->db == NULL || !store_shared(s->db))
        return err_set(err, STC_E_INVAL, "a worker needs --db postgresql://...");
    if (s->o.worker_id != NULL) {
        snprintf(w.id, sizeof w.id, "%s", s->o.worker_id);
    } else {
        char host[64] = "";
        gethostname(host, sizeof host - 1);
        snprintf(w.id, sizeof w.id, "%s:%ld", host, (long)getpid());
    }
    if (s->o.lease_s <= 0)
        s->o.lease_s = STC_SCAN_DEFAULT_LEASE_S;
    if (s->o.batch == 0)
        s->o.batch = s->o.queue_size > 0 ? (unsigned)s->o.queue_size : 2 * s->o.threads;
    store_set_worker(s->db, w.id);
    struct store_opts o = {.keep = 1, .stop = &s->stop, .name = s->o.name};
    STC_GUARD(store_open(s->db_path, &o, &w.q, err));
    rc = scan_run_source(s, claim_source, &w, err);
    if (rc != STC_OK) {
        /* Give back what was claimed and not written (a clean stop; a crash waits out the
         * lease). Jobs written before the stop stay done. */
        struct stc_err ignore = {0};
        store_release(w.q, w.id, &ignore);
    }
out:
    if (w.q != NULL) {
        struct stc_err ignore = {0};
        store_close(w.q, &ignore);
    }
    return rc;
}

stc_rc stc_scan_pick(const char *db, char *name, size_t n, struct stc_err *err)
{
    return store_pick_scan(db, name, n, err);
}

/* Open scan `name` of db, run fn on it into out, close. */
static stc_rc on_scan(const char *db, const char *name,
                      stc_rc (*fn)(struct store *st, void *out, struct stc_err *err), void *out,
                      struct stc_err *err)
{
    struct store *st = NULL;
    stc_rc rc = open_pg(db, name, 1, 1, &st, err);
    if (rc == STC_OK)
        rc = fn(st, out, err);
    struct stc_err ignore = {0};
    store_close(st, &ignore);
    return rc;
}

static stc_rc status_fn(struct store *st, void *out, struct stc_err *err)
{
    return store_status(st, out, err);
}

static stc_rc stats_fn(struct store *st, void *out, struct stc_err *err)
{
    return store_aggregate(st, out, err);
}

static stc_rc export_fn(struct store *st, void *out, struct stc_err *err)
{
    return store_export(st, out, err);
}

stc_rc stc_scan_status_get_size(const char *db, const char *name, struct stc_scan_status *dst,
                                size_t size, struct stc_err *err)
{
    struct stc_scan_status out;
    if (dst == NULL || size < sizeof out.size)
        return err_set(err, STC_E_INVAL, "no room for the status");
    stc_rc rc = on_scan(db, name, status_fn, &out, err);
    if (rc == STC_OK)
        scan_give_sized(dst, size, &out, sizeof out);
    return rc;
}

stc_rc stc_scan_db_stats_size(const char *db, const char *name, struct stc_scan_stats *dst,
                              size_t size, struct stc_err *err)
{
    struct stc_scan_stats out;
    if (dst == NULL || size < sizeof out.size)
        return err_set(err, STC_E_INVAL, "no room for the statistics");
    stc_rc rc = on_scan(db, name, stats_fn, &out, err);
    if (rc == STC_OK)
        scan_give_sized(dst, size, &out, sizeof out);
    return rc;
}

stc_rc stc_scan_export(const char *db, const char *name, FILE *out, struct stc_err *err)
{
    return on_scan(db, name, export_fn, out, err);
}
