/*
 * NAME
 *     scan_engine - stc_scan_new / stc_scan_run: a bulk scan from a list
 * SYNOPSIS
 *     stc_scan_opts_init(&o); ... stc_scan_new(cfg, &o, &s, err);
 *     stc_scan_run(s, fd, err); stc_scan_get_stats(s, &st); stc_scan_free(s);
 * DESCRIPTION
 *     The calling thread is the reader: it parses the list (scan_input),
 *     logs bad lines and duplicates to the reject log, skips domains already
 *     done (--resume) and feeds the bounded work queue, blocking while it is
 *     full, so memory does not grow with the input. A pool of workers
 *     (scan_worker, pthread stacks of stack_size) checks domains through
 *     one shared checker whose host hook is the host cache and whose
 *     connection gate is the per-IP cap; one writer thread (scan_writer)
 *     writes JSON Lines, SQLite and the aggregate.
 *
 *     Every SCAN_POLL_MS or so the reader calls the tick callback with the
 *     progress and reads the stop level (the callback's answer or
 *     stc_scan_stop): STOP reads no more and lets the domains in flight
 *     finish; CANCEL also makes the gate refuse new connections and drops
 *     results that finish afterwards. Either way the queues drain, the
 *     writer commits and the outputs are closed before run returns
 *     STC_E_INTERRUPTED.
 *
 *     Resume: the done set is the domains in the database and in the JSON
 *     file (their intersection when both are given: rows or lines only one
 *     of them has are removed from it and checked again); a torn last JSON
 *     line is cut. Without --resume the outputs start empty (the database
 *     keeps its host_cache table, which preloads the host cache within the
 *     TTL in both cases, with the rows made under the same options only
 *     (scan_ckey); --fresh skips the preload).
 * LIMITS
 *     threads <= STC_SCAN_MAX_THREADS; one run per scan object.
 * DIAGNOSTICS
 *     new: STC_E_INVAL (options), STC_E_IO (files, database), STC_E_NOMEM,
 *     STC_E_INTERNAL (threads). run: STC_E_INTERRUPTED when stopped,
 *     STC_E_IO (read or write error), STC_E_INTERNAL.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../checks/checker_int.h"
#include "../util/deadline.h"
#include "../util/err.h"
#include "../util/text.h"
#include "scan_exclude.h"
#include "scan_input.h"
#include "scan_int.h"
#include "scan_serial.h"

void stc_scan_opts_init_size(struct stc_scan_opts *o, size_t size)
{
    struct stc_scan_opts d;
    memset(&d, 0, sizeof d);
    d.cache_ttl_s = -1;
    d.column = -1;
    d.retry_delay_ms = -1;
    if (o == NULL || size < sizeof d.size)
        return;
    scan_give_sized(o, size, &d, sizeof d); /* a caller's older, smaller struct too */
}

static stc_rc set_defaults(struct stc_scan_opts *o, struct stc_err *err)
{
    if (o->threads == 0)
        o->threads = STC_SCAN_DEFAULT_THREADS;
    if (o->threads > STC_SCAN_MAX_THREADS)
        return err_set(err, STC_E_INVAL, "at most %d threads", STC_SCAN_MAX_THREADS);
    if (o->stack_size == 0)
        o->stack_size = STC_SCAN_DEFAULT_STACK;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    if (o->stack_size < 1024 * 1024)
        o->stack_size = 1024 * 1024; /* sanitizers need deeper stacks */
#endif
    if (o->per_ip == 0)
        o->per_ip = STC_SCAN_DEFAULT_PER_IP;
    if (o->cache_ttl_s < 0)
        o->cache_ttl_s = STC_SCAN_DEFAULT_CACHE_TTL_S;
    if (o->cache_max == 0)
        o->cache_max = STC_SCAN_DEFAULT_CACHE_MAX;
    if (o->queue_size == 0)
        o->queue_size = 2 * (size_t)o->threads;
    if (o->retry_delay_ms < 0)
        o->retry_delay_ms = STC_SCAN_DEFAULT_RETRY_DELAY_MS;
    if (o->tick_ms <= 0)
        o->tick_ms = SCAN_POLL_MS;
    if (o->column < -1)
        return err_set(err, STC_E_INVAL, "bad column %d", o->column);
    return STC_OK;
}

struct preload_ctx {
    struct stc_scan *s;
    int64_t now;
};

static stc_rc preload_host(void *vctx, const char *host, const void *blob, size_t n,
                           int64_t checked_at, struct stc_err *err)
{
    struct preload_ctx *p = vctx;
    struct stc_result *r = NULL;
    struct stc_err e = {0};
    (void)err;
    if (scan_serial_decode(blob, n, &r, &e) != STC_OK)
        return STC_OK; /* a bad row is just not reused */
    int64_t age = p->now - checked_at;
    return scan_cache_put(p->s->cache, host, r, (age < 0 ? 0 : age) * 1000, &e) == STC_E_NOMEM
               ? err_set(err, STC_E_NOMEM, "out of memory")
               : STC_OK;
}

struct done_ctx {
    struct scan_seen *done;
    const struct scan_seen *filter; /* the JSON file's domains, or NULL */
    uint64_t n;
};

/* A domain in the database is done, unless the JSON file lacks it (then its rows go). */
static stc_rc load_done(void *vctx, const char *domain, int *keep, struct stc_err *err)
{
    struct done_ctx *dc = vctx;
    int fresh = 0, listed = 1;
    stc_rc rc = dc->filter != NULL ? scan_seen_find(dc->filter, domain, &listed, err) : STC_OK;
    if (rc != STC_OK)
        return rc;
    if (!listed) {
        *keep = 0;
        return STC_OK;
    }
    rc = scan_seen_add(dc->done, domain, &fresh, err);
    dc->n += (uint64_t)fresh;
    return rc;
}

/* Outputs, in the order that makes --resume consistent. */
static stc_rc open_outputs(struct stc_scan *s, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct scan_seen jset;
    uint64_t jn = 0, dn = 0, deleted = 0, dropped = 0;
    int jfile = s->output != NULL && strcmp(s->output, "-") != 0;
    scan_seen_init_spill(&jset); /* it may become the resume set */

    if (s->o.resume && jfile)
        STC_GUARD(scan_jsonl_load(s->output, &jset, &jn, err));
    if (s->db_path != NULL) {
        struct store_opts so = {.resume = s->o.resume, .keep = s->o.worker, .stop = &s->stop,
                                .name = s->o.name};
        STC_GUARD(store_open(s->db_path, &so, &s->db, err));
        if (store_shared(s->db))
            STC_GUARD(scan_shared_new(s, err));
        if (s->o.resume && !s->o.worker) {
            struct done_ctx dc = {&s->resume, jfile ? &jset : NULL, 0};
            STC_GUARD(store_load_done(s->db, load_done, &dc, &deleted, err));
            dn = dc.n;
        }
        if (s->o.resume && jfile && jn > dn)
            STC_GUARD(scan_jsonl_filter(s->output, &s->resume, &dropped, err));
        if (s->cache != NULL && !s->o.fresh) {
            struct preload_ctx p = {s, scan_unix_now()};
            STC_GUARD(store_load_hosts(s->db, s->ckey, p.now - s->o.cache_ttl_s, preload_host,
                                         &p, err));
        }
    } else if (s->o.resume) {
        scan_seen_free(&s->resume);
        s->resume = jset;
        scan_seen_init_spill(&jset);
    }
    if (s->output != NULL) {
        STC_GUARD(scan_jsonl_open(&s->jsonl, s->output, s->o.resume, err));
        s->has_jsonl = 1;
    }
    if (s->rejects_path != NULL && strcmp(s->rejects_path, "-") == 0) {
        s->rejects = stderr;
    } else if (s->rejects_path != NULL) {
        int fd = open(s->rejects_path,
                      O_WRONLY | O_CREAT | O_CLOEXEC | (s->o.resume ? O_APPEND : O_TRUNC), 0644);
        s->rejects = fd >= 0 ? fdopen(fd, s->o.resume ? "a" : "w") : NULL;
        if (s->rejects == NULL && fd >= 0)
            close(fd);
        STC_ENSURE(s->rejects != NULL, err, STC_E_IO, "%s: %s", s->rejects_path, strerror(errno));
        s->rejects_owned = 1;
    }
out:
    scan_seen_free(&jset);
    return rc;
}

stc_rc stc_scan_new(struct stc_config *cfg, const struct stc_scan_opts *opts, struct stc_scan **out,
                    struct stc_err *err)
{
    stc_rc rc = STC_OK;
    if (opts->size < sizeof opts->size)
        return err_set(err, STC_E_INVAL, "scan options not initialised (stc_scan_opts_init)");
    struct stc_scan *s = calloc(1, sizeof *s);
    STC_ENSURE(s != NULL, err, STC_E_NOMEM, "out of memory");
    /* Members the caller's struct does not have keep their defaults. */
    stc_scan_opts_init(&s->o);
    memcpy(&s->o, opts, opts->size < sizeof s->o ? opts->size : sizeof s->o);
    s->o.size = sizeof s->o;
    atomic_init(&s->refs, 1);
    pthread_mutex_init(&s->rejects_mu, NULL);
    pthread_mutex_init(&s->fail_mu, NULL);
    scan_seen_init_spill(&s->seen); /* one name per input domain: spilled to $TMPDIR */
    scan_seen_init_spill(&s->resume);
    scan_agg_init(&s->agg);
    s->jsonl.fd = -1;
    STC_GUARD(set_defaults(&s->o, err));
    s->output = text_dup(opts->output);
    s->db_path = text_dup(opts->db);
    s->rejects_path = text_dup(opts->rejects);
    STC_ENSURE((!opts->output || s->output) && (!opts->db || s->db_path) &&
                   (!opts->rejects || s->rejects_path),
               err, STC_E_NOMEM, "out of memory");
    s->o.output = s->output;
    s->o.db = s->db_path;
    s->o.rejects = s->rejects_path;
    s->name = text_dup(opts->name);
    s->worker_id = text_dup(opts->worker_id);
    STC_ENSURE((!opts->name || s->name) && (!opts->worker_id || s->worker_id), err, STC_E_NOMEM,
               "out of memory");
    s->o.name = s->name;
    s->o.worker_id = s->worker_id;
    STC_ENSURE(!s->o.resume || s->db_path != NULL ||
                   (s->output != NULL && strcmp(s->output, "-") != 0),
               err, STC_E_INVAL, "--resume needs --db or an --output file");

    STC_GUARD(scan_gate_new(s->o.per_ip, &s->gate, err));
    if (opts->exclude != NULL)
        STC_GUARD(scan_exclude_load(opts->exclude, &s->exclude, err));
    scan_gate_set_exclude(s->gate, s->exclude);
    scan_gate_set_rate(s->gate, s->o.rate);
    s->o.exclude = NULL; /* not kept: the list is loaded */
    if (s->o.cache_ttl_s > 0)
        STC_GUARD(scan_cache_new(s->o.cache_max, (int64_t)s->o.cache_ttl_s * 1000, &s->cache, err));
    if (store_is_pg(s->db_path)) /* the per-IP cap holds across machines */
        STC_GUARD(stc_config_set_connect_gate(cfg, scan_shared_gate_acquire,
                                              scan_shared_gate_release, s, err));
    else
        STC_GUARD(stc_config_set_connect_gate(cfg, scan_gate_acquire, scan_gate_release, s->gate,
                                              err));
    STC_GUARD(stc_config_set_addr_allowed(cfg, s->exclude ? scan_exclude_allows : NULL, s->exclude,
                                          err));
    STC_GUARD(stc_config_set_host_check(cfg, scan_worker_host_check, s, err));
    STC_GUARD(stc_checker_new(cfg, &s->ck, err));
    STC_GUARD(scan_ckey(&s->ck->cfg, s->ckey, sizeof s->ckey, err));

    STC_GUARD(scan_queue_init(&s->work, s->o.queue_size, err));
    rc = scan_queue_init(&s->done, 2 * (size_t)s->o.threads + 64, err);
    if (rc != STC_OK) {
        scan_queue_destroy(&s->work);
        goto out;
    }
    /* The reader refills the work queue once half of it is taken, and the
     * writer wakes for a batch of results (or at its poll timeout): not one
     * context switch for each domain on either side. */
    scan_queue_set_batch(&s->work, 1, s->work.cap / 2);
    scan_queue_set_batch(&s->done, WRITER_BATCH, s->done.cap / 2);
    s->queues_ready = 1;
    STC_GUARD(open_outputs(s, err));
    *out = s;
    return STC_OK;
out:
    stc_scan_free(s);
    return rc;
}

void stc_scan_stop(struct stc_scan *s, int level)
{
    int cur = atomic_load(&s->stop);
    while (level > cur && !atomic_compare_exchange_weak(&s->stop, &cur, level))
        ;
}

static void progress(struct stc_scan *s, struct stc_scan_progress *p)
{
    memset(p, 0, sizeof *p);
    p->size = sizeof *p;
    p->total = s->total;
    p->lines = atomic_load(&s->c.lines);
    p->done = atomic_load(&s->c.done);
    p->resumed = atomic_load(&s->c.resumed);
    p->rejected = atomic_load(&s->c.rejected);
    p->duplicates = atomic_load(&s->c.duplicates);
    p->errors = atomic_load(&s->c.errors);
    p->in_flight = atomic_load(&s->c.in_flight);
    p->connections = scan_gate_connections(s->gate);
    p->elapsed_ms = deadline_now_ms() - s->start_ms;
}

/* Call the tick callback when due; apply the stop level. Returns the level. */
int scan_tick(struct stc_scan *s, int64_t *next, int force)
{
    int64_t now = deadline_now_ms();
    if (s->o.tick != NULL && (force || now >= *next)) {
        struct stc_scan_progress p;
        progress(s, &p);
        int level = s->o.tick(s->o.tick_ctx, &p);
        if (level > STC_SCAN_GO)
            stc_scan_stop(s, level > STC_SCAN_CANCEL ? STC_SCAN_CANCEL : level);
        *next = now + s->o.tick_ms;
    }
    int level = atomic_load(&s->stop);
    if (level >= STC_SCAN_CANCEL && !s->gate_cancelled) {
        scan_gate_cancel(s->gate);
        s->gate_cancelled = 1;
    }
    return level;
}

/* Classify one input line and queue it. Returns STC_OK, or an error to stop reading. */
static stc_rc feed(struct stc_scan *s, const struct scan_line *l, int64_t *next,
                   struct stc_err *err)
{
    int fresh = 0;
    stc_rc rc;
    if (l->kind == SCAN_LINE_REJECT) {
        atomic_fetch_add(&s->c.lines, 1);
        atomic_fetch_add(&s->c.rejected, 1);
        scan_reject_log(s, l->lineno, l->reason, l->text);
        return STC_OK;
    }
    atomic_fetch_add(&s->c.lines, 1);
    rc = scan_seen_add(&s->seen, l->domain, &fresh, err);
    if (rc != STC_OK)
        return rc;
    if (!fresh) {
        atomic_fetch_add(&s->c.duplicates, 1);
        scan_reject_log(s, l->lineno, "duplicate domain (checked once)", l->domain);
        return STC_OK;
    }
    if (s->o.resume) {
        int done = 0;
        rc = scan_seen_find(&s->resume, l->domain, &done, err);
        if (rc != STC_OK)
            return rc;
        if (done) {
            atomic_fetch_add(&s->c.resumed, 1);
            return STC_OK;
        }
    }
    struct scan_work *w = malloc(sizeof *w);
    if (w == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    w->lineno = l->lineno;
    memcpy(w->domain, l->domain, sizeof w->domain);
    for (;;) {
        struct stc_err e = {0};
        rc = scan_queue_push(&s->work, w, SCAN_POLL_MS, &e);
        if (rc == STC_OK)
            return STC_OK;
        if (rc != STC_E_TIMEOUT || scan_tick(s, next, 0) >= STC_SCAN_STOP) {
            free(w);
            return STC_OK; /* stopping: the caller sees the level */
        }
    }
}

static stc_rc read_all(struct stc_scan *s, int fd, int64_t *next, struct stc_err *err)
{
    struct scan_input in;
    struct scan_line l;
    stc_rc rc = scan_input_init(&in, fd, s->o.column, err);
    if (rc != STC_OK)
        return rc;
    in.wait_ms = SCAN_POLL_MS; /* a stalled pipe must not hide a stop */
    while (scan_tick(s, next, 0) == STC_SCAN_GO) {
        struct stc_err e = {0};
        rc = scan_input_next(&in, &l, &e);
        if (rc == STC_E_TIMEOUT) {
            rc = STC_OK;
            continue;
        }
        if (rc != STC_OK) {
            err_set(err, rc, "%s", e.msg);
            break;
        }
        if (l.kind == SCAN_LINE_EOF)
            break;
        if (l.kind == SCAN_LINE_SKIP)
            continue;
        rc = feed(s, &l, next, err);
        if (rc != STC_OK)
            break;
    }
    scan_input_free(&in);
    return rc;
}

static stc_rc close_outputs(struct stc_scan *s, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    if (s->has_jsonl) {
        stc_rc r = scan_jsonl_close(&s->jsonl, err);
        rc = rc ? rc : r;
        s->has_jsonl = 0;
    }
    if (s->db != NULL) {
        stc_rc r = store_close(s->db, err);
        rc = rc ? rc : r;
        s->db = NULL;
    }
    if (s->rejects_owned) {
        if (fclose(s->rejects) != 0 && rc == STC_OK)
            rc = err_set(err, STC_E_IO, "%s: write error", s->rejects_path);
        s->rejects_owned = 0;
    }
    s->rejects = NULL;
    return rc;
}

static stc_rc fd_source(struct stc_scan *s, void *ctx, int64_t *next, struct stc_err *err)
{
    return read_all(s, *(const int *)ctx, next, err);
}

stc_rc stc_scan_run(struct stc_scan *s, int fd, struct stc_err *err)
{
    if (s->ran)
        return err_set(err, STC_E_INVAL, "a scan runs once");
    struct stc_err ce = {0};
    if (scan_input_count(fd, &s->total, &ce) != STC_OK)
        s->total = 0;
    return scan_run_source(s, fd_source, &fd, err);
}

stc_rc scan_run_source(struct stc_scan *s, scan_source_fn source, void *ctx, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    pthread_t writer;
    unsigned started = 0;
    int64_t next = 0;
    if (s->ran)
        return err_set(err, STC_E_INVAL, "a scan runs once");
    s->ran = 1;
    s->start_ms = deadline_now_ms();

    if (pthread_create(&writer, NULL, scan_writer_main, s) != 0) {
        rc = err_set(err, STC_E_INTERNAL, "cannot start the writer thread");
        close_outputs(s, err);
        return rc;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, s->o.stack_size);
    /* Detached, each holding a reference: after a second stop signal the
     * run returns without waiting for workers still blocked on a slow host. */
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    atomic_store(&s->workers_alive, (int)s->o.threads);
    for (unsigned i = 0; i < s->o.threads; i++, started++) {
        pthread_t t;
        atomic_fetch_add(&s->refs, 1);
        if (pthread_create(&t, &attr, scan_worker_main, s) != 0) {
            atomic_fetch_sub(&s->refs, 1);
            break;
        }
    }
    pthread_attr_destroy(&attr);
    atomic_fetch_sub(&s->workers_alive, (int)(s->o.threads - started));

    if (started == 0)
        rc = err_set(err, STC_E_INTERNAL, "cannot start worker threads");
    else
        rc = source(s, ctx, &next, err);
    scan_queue_close(&s->work);
    int64_t give_up = 0;
    while (atomic_load(&s->workers_alive) > 0) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
        if (scan_tick(s, &next, 0) < STC_SCAN_CANCEL)
            continue;
        /* Cancelled: what is in flight is dropped anyway; give the workers a
         * moment to see it, then leave the stragglers to their deadlines. */
        if (give_up == 0)
            give_up = deadline_now_ms() + SCAN_CANCEL_GRACE_MS;
        else if (deadline_now_ms() >= give_up)
            break;
    }
    scan_queue_close(&s->done);
    /* Keep reading the stop level while the writer drains: it may wait for
     * a database lock, which a stop cuts short. */
    while (!atomic_load(&s->writer_done)) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
        scan_tick(s, &next, 0);
    }
    pthread_join(writer, NULL);
    scan_tick(s, &next, 1);

    if (rc == STC_OK && atomic_load(&s->failed))
        rc = err_set(err, s->fail_rc, "%s", s->fail_err.msg);
    stc_rc crc = close_outputs(s, err);
    if (rc == STC_OK)
        rc = crc;
    if (rc == STC_OK && atomic_load(&s->stop) != STC_SCAN_GO)
        rc = err_set(err, STC_E_INTERRUPTED, "scan stopped");
    s->agg.st.elapsed_ms = deadline_now_ms() - s->start_ms;
    return rc;
}

void stc_scan_get_stats_size(struct stc_scan *s, struct stc_scan_stats *dst, size_t size)
{
    struct stc_scan_stats st;
    struct stc_scan_stats *out = &st;
    if (dst == NULL || size < sizeof st.size)
        return;
    *out = s->agg.st;
    out->lines = atomic_load(&s->c.lines);
    out->rejected = atomic_load(&s->c.rejected);
    out->duplicates = atomic_load(&s->c.duplicates);
    out->resumed = atomic_load(&s->c.resumed);
    out->check_errors = atomic_load(&s->c.check_errors);
    out->excluded = atomic_load(&s->c.excluded);
    out->host_checks = atomic_load(&s->c.host_checks);
    out->cache_hits = atomic_load(&s->c.cache_hits);
    out->throttle_retries = atomic_load(&s->c.throttle_retries);
    out->connections = s->gate ? scan_gate_connections(s->gate) : 0;
    if (!s->ran || out->elapsed_ms == 0)
        out->elapsed_ms = s->ran ? deadline_now_ms() - s->start_ms : 0;
    scan_give_sized(dst, size, &st, sizeof st);
}

void stc_scan_free(struct stc_scan *s)
{
    if (s == NULL)
        return;
    struct stc_err ignore = {0};
    close_outputs(s, &ignore);
    scan_unref(s);
}

void scan_unref(struct stc_scan *s)
{
    struct stc_err ignore = {0};
    if (atomic_fetch_sub(&s->refs, 1) != 1)
        return; /* a worker still out after a cancel frees it */
    if (s->queues_ready) {
        void *item;
        while (scan_queue_pop(&s->work, &item, 0, &ignore) == STC_OK)
            free(item);
        while (scan_queue_pop(&s->done, &item, 0, &ignore) == STC_OK)
            scan_done_free(item);
        scan_queue_destroy(&s->work);
        scan_queue_destroy(&s->done);
    }
    stc_checker_free(s->ck);
    scan_cache_free(s->cache);
    scan_gate_free(s->gate);
    scan_exclude_free(s->exclude);
    scan_shared_free(s->shared);
    scan_seen_free(&s->seen);
    scan_seen_free(&s->resume);
    scan_agg_free(&s->agg);
    pthread_mutex_destroy(&s->rejects_mu);
    pthread_mutex_destroy(&s->fail_mu);
    free(s->output);
    free(s->db_path);
    free(s->rejects_path);
    free(s->name);
    free(s->worker_id);
    free(s);
}
