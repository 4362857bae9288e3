/*
 * NAME
 *     store_pg - the PostgreSQL backend of the result store (many machines, one database)
 * SYNOPSIS
 *     store_open("postgresql://user@host/db", &o, &st, err);  (store.c calls store_pg_open)
 *     store_add_domain(st, tree, json, now, err); store_commit(st, err);
 * DESCRIPTION
 *     Tables (docs/distributed.md has the schema and example queries):
 *       scans(id, name UNIQUE, created_at)
 *       domains(scan_id, domain, status, status_text, message, mx_count,
 *               mta_sts_mode, checked_at, worker, json)  PRIMARY KEY(scan_id, domain)
 *       hosts(scan_id, domain, hostname, ...as in SQLite)
 *       checks(scan_id, domain, hostname, "check", ...as in SQLite)
 *       host_cache(hostname, config, checked_at, result)  shared by all scans
 *       jobs(scan_id, domain, lineno, state, worker, lease_until, attempts, ...)
 *       rejects(scan_id, lineno, reason, text)
 *     The schema is made under an advisory transaction lock, so workers
 *     starting together do not race. A domain's transaction is assembled
 *     at commit as one text (deletes, an upsert keyed on (scan_id,
 *     domain), the hosts and checks rows, the job marked done) and sent
 *     in one round trip; a retried write replaces the rows, never adds.
 *     When the connection is lost (a server restart), pg_run reconnects
 *     with exponential back-off (PG_BACKOFF_MIN_MS..PG_BACKOFF_MAX_MS, for
 *     up to PG_RECONNECT_MS) and sends the whole statement again; a
 *     transaction is never left open across that, nor across any network
 *     wait of the scan (the connection is idle while hosts are checked).
 *     One thread per store object.
 * LIMITS
 *     A domain's transaction text is capped at PG_SQL_MAX.
 * DIAGNOSTICS
 *     STC_E_IO "postgresql: MESSAGE" (connection string, authentication,
 *     missing database: libpq's words; the password is never shown),
 *     STC_E_INTERRUPTED when stopped while reconnecting, STC_E_NOMEM.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/err.h"
#include "../util/text.h"
#include "store_pg_int.h"
#include "store_rows.h"

#define SCHEMA_LOCK "715100" /* advisory lock key serialising schema creation */

static const char SCHEMA[] =
    "BEGIN;"
    "SELECT pg_advisory_xact_lock(" SCHEMA_LOCK ");"
    "SET LOCAL client_min_messages = warning;"
    "CREATE TABLE IF NOT EXISTS scans(id bigserial PRIMARY KEY, name text NOT NULL UNIQUE,"
    " created_at timestamptz NOT NULL DEFAULT now());"
    "CREATE TABLE IF NOT EXISTS domains(scan_id bigint NOT NULL REFERENCES scans(id)"
    " ON DELETE CASCADE, domain text NOT NULL, status integer NOT NULL,"
    " status_text text NOT NULL, message text, mx_count integer, mta_sts_mode text,"
    " checked_at bigint NOT NULL, worker text, json json NOT NULL,"
    " PRIMARY KEY(scan_id, domain));"
    "CREATE TABLE IF NOT EXISTS hosts(scan_id bigint NOT NULL, domain text NOT NULL,"
    " hostname text NOT NULL, preference integer, status integer, status_text text,"
    " address text, connected integer, starttls integer, tls_version text, cipher text,"
    " cert_valid integer, PRIMARY KEY(scan_id, domain, hostname),"
    " FOREIGN KEY(scan_id, domain) REFERENCES domains ON DELETE CASCADE);"
    "CREATE INDEX IF NOT EXISTS hosts_hostname ON hosts(scan_id, hostname);"
    "CREATE TABLE IF NOT EXISTS checks(scan_id bigint NOT NULL, domain text NOT NULL,"
    " hostname text NOT NULL, \"check\" text NOT NULL, status integer, status_text text,"
    " result_type text, message text, PRIMARY KEY(scan_id, domain, hostname, \"check\"),"
    " FOREIGN KEY(scan_id, domain) REFERENCES domains ON DELETE CASCADE);"
    "CREATE TABLE IF NOT EXISTS host_cache(hostname text NOT NULL, config text NOT NULL,"
    " checked_at bigint NOT NULL, result bytea NOT NULL, PRIMARY KEY(hostname, config));"
    "CREATE TABLE IF NOT EXISTS jobs(scan_id bigint NOT NULL REFERENCES scans(id)"
    " ON DELETE CASCADE, domain text NOT NULL, lineno bigint NOT NULL,"
    " state text NOT NULL DEFAULT 'queued'"
    " CHECK (state IN ('queued','claimed','done','failed')),"
    " worker text, lease_until timestamptz, attempts integer NOT NULL DEFAULT 0,"
    " claimed_at timestamptz, done_at timestamptz, PRIMARY KEY(scan_id, domain));"
    "CREATE INDEX IF NOT EXISTS jobs_todo ON jobs(scan_id, lineno)"
    " WHERE state IN ('queued','claimed');"
    "CREATE TABLE IF NOT EXISTS rejects(scan_id bigint NOT NULL REFERENCES scans(id)"
    " ON DELETE CASCADE, lineno bigint NOT NULL, reason text NOT NULL, text text,"
    " PRIMARY KEY(scan_id, lineno));"
    "COMMIT;";

const char *pg_msg(PGconn *c, char *out, size_t n)
{
    const char *m = c ? PQerrorMessage(c) : "out of memory";
    size_t len = strlen(m);
    while (len > 0 && (m[len - 1] == '\n' || m[len - 1] == ' '))
        len--;
    text_censor(m, len, out, n); /* one line: newlines become escapes */
    return out;
}

/* libpq quotes a URI it cannot parse: cut it out of the message (it may hold a password). */
static const char *redact(char *msg, const char *uri)
{
    char *at = strstr(msg, uri);
    if (at != NULL && strlen(uri) > 0) {
        static const char cut[] = "(the --db string)";
        size_t ulen = strlen(uri), rest = strlen(at + ulen);
        if (ulen >= sizeof cut - 1) {
            memcpy(at, cut, sizeof cut - 1);
            memmove(at + sizeof cut - 1, at + ulen, rest + 1);
        }
    }
    return msg;
}

stc_rc pg_of(struct store *st, struct pgstore **out, struct stc_err *err)
{
    if (st == NULL || st->kind != STORE_PG)
        return err_set(err, STC_E_INVAL, "this needs a PostgreSQL database (--db postgresql://...)");
    *out = (struct pgstore *)st;
    return STC_OK;
}

static int stopped(const struct pgstore *p)
{
    return p->stop != NULL && atomic_load(p->stop) != 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The connection is gone: PQreset with back-off until it is back, stopped or out of time. */
static stc_rc reconnect(struct pgstore *p, struct stc_err *err)
{
    long wait = PG_BACKOFF_MIN_MS, spent = 0;
    char m[STC_ERR_MSG_MAX];
    while (spent < PG_RECONNECT_MS) {
        if (stopped(p))
            return err_set(err, STC_E_INTERRUPTED, "postgresql: stopped while reconnecting");
        PQreset(p->c);
        if (PQstatus(p->c) == CONNECTION_OK)
            return STC_OK;
        /* sleep in short slices so a stop is seen */
        for (long t = 0; t < wait && !stopped(p); t += 50)
            sleep_ms(50);
        spent += wait;
        wait = wait * 2 > PG_BACKOFF_MAX_MS ? PG_BACKOFF_MAX_MS : wait * 2;
    }
    return err_set(err, STC_E_IO, "postgresql: connection lost: %s", pg_msg(p->c, m, sizeof m));
}

stc_rc pg_run(struct pgstore *p, const char *sql, int n, const char *const *params,
              PGresult **res, struct stc_err *err)
{
    char m[STC_ERR_MSG_MAX];
    for (;;) {
        PGresult *r = n > 0 ? PQexecParams(p->c, sql, n, NULL, params, NULL, NULL, 0)
                            : PQexec(p->c, sql);
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
            if (res != NULL)
                *res = r;
            else
                PQclear(r);
            return STC_OK;
        }
        PQclear(r);
        if (PQstatus(p->c) != CONNECTION_BAD) {
            stc_rc rc = err_set(err, STC_E_IO, "postgresql: %s", pg_msg(p->c, m, sizeof m));
            if (PQtransactionStatus(p->c) == PQTRANS_INERROR)
                PQclear(PQexec(p->c, "ROLLBACK"));
            return rc;
        }
        stc_rc rc = reconnect(p, err);
        if (rc != STC_OK)
            return rc;
    }
}

/* ---- the domain transaction ---- */

static stc_rc put(struct pgstore *p, const char *s, struct stc_err *err)
{
    return buf_append_str(&p->sql, s, err);
}

static stc_rc lit(struct pgstore *p, const char *s, struct stc_err *err)
{
    if (s == NULL)
        return put(p, "NULL", err);
    char *q = PQescapeLiteral(p->c, s, strlen(s));
    if (q == NULL)
        return err_set(err, STC_E_IO, "postgresql: cannot quote a value");
    stc_rc rc = put(p, q, err);
    PQfreemem(q);
    return rc;
}

static stc_rc num(struct pgstore *p, long long v, struct stc_err *err)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", v);
    return put(p, b, err);
}

/* ",VALUE": the next value of a VALUES row. */
static stc_rc and_lit(struct pgstore *p, const char *s, struct stc_err *err)
{
    stc_rc rc = put(p, ",", err);
    return rc == STC_OK ? lit(p, s, err) : rc;
}

static stc_rc and_num(struct pgstore *p, long long v, struct stc_err *err)
{
    stc_rc rc = put(p, ",", err);
    return rc == STC_OK ? num(p, v, err) : rc;
}

struct rows_ctx {
    struct pgstore *p;
    int nhosts, nchecks;
    struct buf checks; /* the checks VALUES, appended after the hosts */
};

static stc_rc host_row(void *vctx, const struct store_host_row *r, struct stc_err *err)
{
    struct rows_ctx *x = vctx;
    struct pgstore *p = x->p;
    stc_rc rc = STC_OK;
    STC_GUARD(put(p, x->nhosts++ ? ",(" : "INSERT INTO hosts VALUES(", err));
    STC_GUARD(put(p, p->scan_id_text, err));
    STC_GUARD(and_lit(p, r->domain, err));
    STC_GUARD(and_lit(p, r->hostname, err));
    STC_GUARD(and_num(p, r->preference, err));
    STC_GUARD(and_num(p, r->status, err));
    STC_GUARD(and_lit(p, r->status_text, err));
    STC_GUARD(and_lit(p, r->address, err));
    STC_GUARD(and_num(p, r->connected, err));
    STC_GUARD(and_num(p, r->starttls, err));
    STC_GUARD(and_lit(p, r->tls_version, err));
    STC_GUARD(and_lit(p, r->cipher, err));
    STC_GUARD(put(p, ",", err));
    STC_GUARD(r->has_cert ? num(p, r->cert_valid, err) : put(p, "NULL", err));
    STC_GUARD(put(p, ")", err));
out:
    return rc;
}

/* Checks rows go to their own buffer: swap it in, append, swap back. */
static stc_rc check_row(void *vctx, const struct store_check_row *r, struct stc_err *err)
{
    struct rows_ctx *x = vctx;
    struct pgstore *p = x->p;
    struct buf keep = p->sql;
    stc_rc rc = STC_OK;
    p->sql = x->checks;
    STC_GUARD(put(p, x->nchecks++ ? ",(" : "INSERT INTO checks VALUES(", err));
    STC_GUARD(put(p, p->scan_id_text, err));
    STC_GUARD(and_lit(p, r->domain, err));
    STC_GUARD(and_lit(p, r->hostname, err));
    STC_GUARD(and_lit(p, r->check, err));
    STC_GUARD(and_num(p, r->status, err));
    STC_GUARD(and_lit(p, r->status_text, err));
    STC_GUARD(and_lit(p, r->result_type, err));
    STC_GUARD(and_lit(p, r->message, err));
    STC_GUARD(put(p, ")", err));
out:
    x->checks = p->sql;
    p->sql = keep;
    return rc;
}

static const struct store_rows_sink rows_sink = {host_row, check_row};

/* The whole transaction of the pending domain as one text in p->sql. */
static stc_rc build(struct pgstore *p, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct store_domain_row d;
    struct rows_ctx x = {p, 0, 0, {0}};
    buf_init(&x.checks, PG_SQL_MAX);
    p->sql.len = 0;
    store_rows_domain(p->tree, &d);
    /* Deleting the domains row cascades to its hosts and checks rows. */
    STC_GUARD(put(p, "BEGIN;DELETE FROM domains WHERE scan_id=", err));
    STC_GUARD(put(p, p->scan_id_text, err));
    STC_GUARD(put(p, " AND domain=", err));
    STC_GUARD(lit(p, d.domain, err));
    STC_GUARD(put(p, ";INSERT INTO domains VALUES(", err));
    STC_GUARD(put(p, p->scan_id_text, err));
    STC_GUARD(and_lit(p, d.domain, err));
    STC_GUARD(and_num(p, d.status, err));
    STC_GUARD(and_lit(p, d.status_text, err));
    STC_GUARD(and_lit(p, d.message, err));
    STC_GUARD(and_num(p, d.mx_count, err));
    STC_GUARD(and_lit(p, d.mta_sts_mode, err));
    STC_GUARD(and_num(p, p->at, err));
    STC_GUARD(and_lit(p, p->worker[0] ? p->worker : NULL, err));
    STC_GUARD(and_lit(p, p->json, err));
    STC_GUARD(put(p, ");", err));
    STC_GUARD(store_rows_walk(p->tree, &rows_sink, &x, err));
    if (x.nhosts)
        STC_GUARD(put(p, " ON CONFLICT DO NOTHING;", err));
    if (x.nchecks) {
        STC_GUARD(buf_append(&p->sql, x.checks.data, x.checks.len, err));
        STC_GUARD(put(p, " ON CONFLICT DO NOTHING;", err));
    }
    STC_GUARD(put(p, "UPDATE jobs SET state='done',done_at=now(),lease_until=NULL WHERE scan_id=",
                  err));
    STC_GUARD(put(p, p->scan_id_text, err));
    STC_GUARD(put(p, " AND domain=", err));
    STC_GUARD(lit(p, d.domain, err));
    STC_GUARD(put(p, ";COMMIT;", err));
    STC_GUARD(buf_terminate(&p->sql, err));
out:
    buf_free(&x.checks);
    return rc;
}

static stc_rc pg_add_domain(struct store *st, const struct stc_result *tree, const char *json,
                            int64_t checked_at, struct stc_err *err)
{
    struct pgstore *p = (struct pgstore *)st;
    p->tree = tree;
    p->json = json;
    p->at = checked_at;
    p->pending = 1;
    (void)err;
    return STC_OK;
}

static stc_rc pg_commit(struct store *st, struct stc_err *err)
{
    struct pgstore *p = (struct pgstore *)st;
    if (!p->pending)
        return STC_OK;
    p->pending = 0;
    stc_rc rc = build(p, err);
    if (rc == STC_OK)
        rc = pg_run(p, (const char *)p->sql.data, 0, NULL, NULL, err);
    if (p->sql.cap > 1u << 20) { /* do not keep a huge buffer after a huge domain */
        buf_free(&p->sql);
        buf_init(&p->sql, PG_SQL_MAX);
    }
    return rc;
}

static void pg_rollback(struct store *st)
{
    ((struct pgstore *)st)->pending = 0; /* nothing was sent yet */
}

static stc_rc pg_put_host(struct store *st, const char *host, const char *config,
                          const void *blob, size_t n, int64_t checked_at, struct stc_err *err)
{
    struct pgstore *p = (struct pgstore *)st;
    char at[24], m[STC_ERR_MSG_MAX];
    snprintf(at, sizeof at, "%" PRId64, checked_at);
    const char *v[4] = {host, config, at, blob};
    int len[4] = {0, 0, 0, (int)n}, fmt[4] = {0, 0, 0, 1};
    for (;;) {
        PGresult *r = PQexecParams(
            p->c,
            "INSERT INTO host_cache(hostname,config,checked_at,result) VALUES($1,$2,$3,$4)"
            " ON CONFLICT(hostname,config) DO UPDATE SET checked_at=EXCLUDED.checked_at,"
            " result=EXCLUDED.result",
            4, NULL, v, len, fmt, 0);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (ok)
            return STC_OK;
        if (PQstatus(p->c) != CONNECTION_BAD)
            return err_set(err, STC_E_IO, "postgresql: %s", pg_msg(p->c, m, sizeof m));
        stc_rc rc = reconnect(p, err);
        if (rc != STC_OK)
            return rc;
    }
}

static stc_rc pg_load_done(struct store *st, store_domain_fn fn, void *ctx, uint64_t *deleted,
                           struct stc_err *err)
{
    struct pgstore *p = (struct pgstore *)st;
    PGresult *r = NULL;
    stc_rc rc = STC_OK;
    const char *v[2] = {p->scan_id_text, NULL};
    *deleted = 0;
    STC_GUARD(pg_run(p, "SELECT domain FROM domains WHERE scan_id=$1", 1, v, &r, err));
    for (int i = 0; i < PQntuples(r); i++) {
        int keep = 1;
        v[1] = PQgetvalue(r, i, 0);
        STC_GUARD(fn(ctx, v[1], &keep, err));
        if (!keep) {
            STC_GUARD(pg_run(p, "DELETE FROM domains WHERE scan_id=$1 AND domain=$2", 2, v, NULL,
                             err));
            ++*deleted;
        }
    }
out:
    PQclear(r);
    return rc;
}

static stc_rc pg_load_hosts(struct store *st, const char *config, int64_t since,
                            store_host_fn fn, void *ctx, struct stc_err *err)
{
    struct pgstore *p = (struct pgstore *)st;
    PGresult *r = NULL;
    stc_rc rc = STC_OK;
    char s[24];
    snprintf(s, sizeof s, "%" PRId64, since);
    const char *v[2] = {config, s};
    STC_GUARD(pg_run(p,
                     "SELECT hostname, result, checked_at FROM host_cache"
                     " WHERE config=$1 AND checked_at>=$2",
                     2, v, &r, err));
    for (int i = 0; i < PQntuples(r); i++) {
        size_t n = 0;
        unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, 1), &n);
        STC_ENSURE(b != NULL, err, STC_E_NOMEM, "out of memory");
        rc = n > 0 ? fn(ctx, PQgetvalue(r, i, 0), b, n, strtoll(PQgetvalue(r, i, 2), NULL, 10),
                        err)
                   : STC_OK;
        PQfreemem(b);
        if (rc != STC_OK)
            goto out;
    }
out:
    PQclear(r);
    return rc;
}

static stc_rc pg_close(struct store *st, struct stc_err *err)
{
    struct pgstore *p = (struct pgstore *)st;
    (void)err;
    if (p->c != NULL)
        PQfinish(p->c);
    buf_free(&p->sql);
    free(p->uri);
    free(p);
    return STC_OK;
}

static const struct store_ops pg_ops = {
    pg_close, pg_load_done, pg_load_hosts, pg_add_domain, pg_commit, pg_rollback, pg_put_host,
};

static stc_rc valid_name(const char *name, struct stc_err *err)
{
    size_t n = strlen(name);
    if (n == 0 || n >= STORE_NAME_MAX)
        return err_set(err, STC_E_INVAL, "a scan name has 1 to %d characters", STORE_NAME_MAX - 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x21 || (unsigned char)name[i] == 0x7f)
            return err_set(err, STC_E_INVAL, "a scan name has no spaces or control characters");
    return STC_OK;
}

/* Find (keep) or make the scan row; without resume or keep, empty the scan. */
static stc_rc scan_row(struct pgstore *p, const struct store_opts *o, struct stc_err *err)
{
    PGresult *r = NULL;
    stc_rc rc = STC_OK;
    const char *v[1] = {p->name};
    if (!o->keep)
        STC_GUARD(pg_run(p, "INSERT INTO scans(name) VALUES($1) ON CONFLICT(name) DO NOTHING", 1,
                         v, NULL, err));
    STC_GUARD(pg_run(p, "SELECT id FROM scans WHERE name=$1", 1, v, &r, err));
    STC_ENSURE(PQntuples(r) == 1, err, STC_E_NOTFOUND, "postgresql: no scan named %s", p->name);
    p->scan_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    snprintf(p->scan_id_text, sizeof p->scan_id_text, "%" PRId64, p->scan_id);
    if (!o->resume && !o->keep) {
        const char *id[1] = {p->scan_id_text};
        /* One statement, so a reconnect cannot split it. */
        STC_GUARD(pg_run(p,
                         "WITH j AS (DELETE FROM jobs WHERE scan_id=$1),"
                         " r AS (DELETE FROM rejects WHERE scan_id=$1)"
                         " DELETE FROM domains WHERE scan_id=$1",
                         1, id, NULL, err));
    }
out:
    PQclear(r);
    return rc;
}

stc_rc store_pg_open(const char *uri, const struct store_opts *o, struct store **out,
                     struct stc_err *err)
{
    stc_rc rc = STC_OK;
    char m[STC_ERR_MSG_MAX];
    struct pgstore *p = calloc(1, sizeof *p);
    STC_ENSURE(p != NULL, err, STC_E_NOMEM, "out of memory");
    p->base.ops = &pg_ops;
    p->base.kind = STORE_PG;
    p->stop = o->stop;
    buf_init(&p->sql, PG_SQL_MAX);
    snprintf(p->name, sizeof p->name, "%s", o->name ? o->name : STORE_DEFAULT_NAME);
    STC_GUARD(valid_name(o->name ? o->name : STORE_DEFAULT_NAME, err));
    p->uri = text_dup(uri);
    STC_ENSURE(p->uri != NULL, err, STC_E_NOMEM, "out of memory");
    p->c = PQconnectdb(uri);
    STC_ENSURE(p->c != NULL && PQstatus(p->c) == CONNECTION_OK, err, STC_E_IO, "postgresql: %s",
               (pg_msg(p->c, m, sizeof m), redact(m, uri)));
    PQclear(PQexec(p->c, "SET client_min_messages = warning"));
    STC_GUARD(pg_run(p, SCHEMA, 0, NULL, NULL, err));
    if (!o->nameless)
        STC_GUARD(scan_row(p, o, err));
    *out = &p->base;
    return STC_OK;
out:
    if (p != NULL) {
        struct stc_err ignore = {0};
        pg_close(&p->base, &ignore);
    }
    return rc;
}
