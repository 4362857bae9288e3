/*
 * NAME
 *     scan_writer - the one thread that writes a scan's outputs
 * SYNOPSIS
 *     pthread_create(&t, NULL, scan_writer_main, scan);
 * DESCRIPTION
 *     Takes finished domains (and fresh host results) from the done queue
 *     and, in this order: writes the JSON line (one write()), adds the
 *     domain's rows to the open database batch, counts it in the
 *     aggregate. The batch is committed every SCAN_COMMIT_DOMAINS domains or
 *     SCAN_COMMIT_MS, whichever comes first, and at the end. Because the
 *     line is written before the rows are committed, after a crash the
 *     JSON file holds a superset of the database; --resume reconciles them.
 *     Only this thread touches the JSON file descriptor, the database
 *     connection and the aggregate while the scan runs.
 * LIMITS
 *     Waits on the queue in SCAN_POLL_MS slices.
 * DIAGNOSTICS
 *     The first write error is kept in writer_rc / writer_err; the scan is
 *     then stopped (STC_SCAN_STOP) and later results are dropped unwritten.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/deadline.h"
#include "../util/err.h"
#include "scan_int.h"

static void fail(struct stc_scan *s, stc_rc rc, const struct stc_err *e)
{
    if (s->writer_rc != STC_OK)
        return;
    s->writer_rc = rc;
    s->writer_err = *e;
    int go = STC_SCAN_GO;
    atomic_compare_exchange_strong(&s->stop, &go, STC_SCAN_STOP);
}

static void handle(struct stc_scan *s, struct scan_done *d)
{
    struct stc_err e = {0};
    stc_rc rc = STC_OK;
    if (s->writer_rc != STC_OK)
        return;
    if (d->kind == SCAN_DONE_HOST) {
        if (s->db != NULL)
            rc = scan_db_put_host(s->db, d->host, s->ckey, d->blob, d->bloblen, d->at, &e);
        if (rc != STC_OK)
            fail(s, rc, &e);
        return;
    }
    if (s->has_jsonl)
        rc = scan_jsonl_write(&s->jsonl, d->json, &e);
    if (rc == STC_OK && s->db != NULL)
        rc = scan_db_add_domain(s->db, d->tree, d->json, d->at, &e);
    if (rc == STC_OK)
        rc = scan_agg_add(&s->agg, d->tree, &e);
    if (rc != STC_OK) {
        fail(s, rc, &e);
        return;
    }
    atomic_fetch_add(&s->c.done, 1);
    stc_domain_status ds = stc_result_domain_status(d->tree);
    if (ds == STC_DOMAIN_ERROR || ds == STC_DOMAIN_COULD_NOT_CONNECT)
        atomic_fetch_add(&s->c.errors, 1);
}

void *scan_writer_main(void *arg)
{
    struct stc_scan *s = arg;
    int64_t last_commit = deadline_now_ms();
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
        if (s->db != NULL && s->writer_rc == STC_OK &&
            (scan_db_pending(s->db) >= SCAN_COMMIT_DOMAINS ||
             deadline_now_ms() - last_commit >= SCAN_COMMIT_MS)) {
            struct stc_err ce = {0};
            stc_rc crc = scan_db_commit(s->db, &ce);
            if (crc != STC_OK)
                fail(s, crc, &ce);
            last_commit = deadline_now_ms();
        }
    }
    if (s->db != NULL && s->writer_rc == STC_OK) {
        struct stc_err ce = {0};
        stc_rc crc = scan_db_commit(s->db, &ce);
        if (crc != STC_OK)
            fail(s, crc, &ce);
    }
    return NULL;
}
