/*
 * NAME
 *     scan_writer - the one thread that writes a scan's outputs
 * SYNOPSIS
 *     pthread_create(&t, NULL, scan_writer_main, scan);
 * DESCRIPTION
 *     Takes finished domains (and fresh host results) from the done queue
 *     and, in this order: writes the domain's rows in its own database
 *     transaction, writes the JSON line (one write()), commits, counts it
 *     in the aggregate. When any step fails (a failing insert, a full
 *     disk) the transaction is rolled back and the line cut off again, so
 *     the file and the database agree and hold the domain wholly or not at
 *     all. Because the line is written before the commit, after a crash
 *     the file may hold a line the database lacks; --resume reconciles
 *     them.
 *     Only this thread touches the JSON file descriptor, the database
 *     connection and the aggregate while the scan runs.
 * LIMITS
 *     Waits on the queue in SCAN_POLL_MS slices.
 * DIAGNOSTICS
 *     The first write error is kept (scan_fatal); the scan is
 *     then stopped (STC_SCAN_STOP) and later results are dropped unwritten.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/err.h"
#include "scan_int.h"

static void fail(struct stc_scan *s, stc_rc rc, const struct stc_err *e)
{
    scan_fatal(s, rc, "%s", e->msg[0] ? e->msg : stc_rc_name(rc));
}

/* One domain: its rows (open transaction), its JSON line, commit; undo both on any failure. */
static stc_rc write_domain(struct stc_scan *s, const struct scan_done *d, struct stc_err *e)
{
    long long start = -1;
    int wrote = 0;
    stc_rc rc = STC_OK;
    if (s->db != NULL)
        rc = store_add_domain(s->db, d->tree, d->json, d->at, e);
    if (rc == STC_OK && s->has_jsonl) {
        rc = scan_jsonl_write(&s->jsonl, d->json, &start, e);
        wrote = rc == STC_OK;
    }
    if (rc == STC_OK && s->db != NULL)
        rc = store_commit(s->db, e);
    if (rc != STC_OK) {
        struct stc_err ignore = {0};
        if (s->db != NULL)
            store_rollback(s->db);
        if (wrote)
            scan_jsonl_undo(&s->jsonl, start, &ignore);
    }
    return rc;
}

static void handle(struct stc_scan *s, struct scan_done *d)
{
    struct stc_err e = {0};
    stc_rc rc = STC_OK;
    if (atomic_load(&s->failed))
        return;
    if (d->kind == SCAN_DONE_HOST) {
        if (s->db != NULL)
            rc = store_put_host(s->db, d->host, s->ckey, d->blob, d->bloblen, d->at, &e);
        if (rc != STC_OK)
            fail(s, rc, &e);
        return;
    }
    rc = write_domain(s, d, &e);
    if (rc == STC_OK && d->excluded) {
        atomic_fetch_add(&s->c.excluded, 1); /* recorded, not part of the statistics */
        return;
    }
    if (rc == STC_OK)
        rc = scan_agg_add_sum(&s->agg, d->sum, &e);
    if (rc != STC_OK) {
        fail(s, rc, &e);
        return;
    }
    atomic_fetch_add(&s->c.done, 1);
    stc_domain_status ds = d->sum->domain_status;
    if (ds == STC_DOMAIN_ERROR || ds == STC_DOMAIN_COULD_NOT_CONNECT)
        atomic_fetch_add(&s->c.errors, 1);
}

void *scan_writer_main(void *arg)
{
    struct stc_scan *s = arg;
    for (;;) {
        void *item = NULL;
        struct stc_err e = {0};
        stc_rc rc = scan_queue_pop(&s->done, &item, SCAN_POLL_MS, &e);
        if (rc == STC_OK) {
            handle(s, item);
            scan_done_free(item);
        } else if (rc != STC_E_TIMEOUT) {
            break; /* closed and drained */
        }
    }
    atomic_store(&s->writer_done, 1);
    return NULL;
}
