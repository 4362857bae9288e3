/*
 * NAME
 *     store_sqlite - the SQLite backend of the result store (a file; the default)
 * SYNOPSIS
 *     store_open("scan.db", &o, &st, err);    (store.c calls store_sqlite_open)
 *     store_add_domain(st, tree, json, now, err);   ... store_commit(st, err);
 *     store_close(st, err);
 * DESCRIPTION
 *     Tables (docs/scan.md has the full schema and example queries):
 *       domains(domain PRIMARY KEY, status, status_text, message, mx_count,
 *               mta_sts_mode, checked_at, json)
 *       hosts(domain, hostname, preference, status, status_text, address,
 *             connected, starttls, tls_version, cipher, cert_valid)
 *       checks(domain, hostname, "check", status, status_text, result_type,
 *              message)          hostname '' for domain-level checks
 *       host_cache(hostname, config, checked_at, result BLOB)
 *               config: the options the result was made with (scan_ckey);
 *               a table of the older form (no config column) is dropped
 *     WAL journal, synchronous=NORMAL (a commit appends to the WAL without
 *     an fsync, so one transaction per domain is cheap). Each domain's rows
 *     are one transaction: add_domain opens it, the writer commits it after
 *     the JSON line is out, or rolls it back when anything failed (a
 *     failing insert, a full disk), so a domain is in the store wholly or
 *     not at all, also after a crash, and --resume checks the absent ones
 *     again. A host_cache row is its own transaction. Only the writer thread
 *     touches the connection.
 * LIMITS
 *     A write waits up to STORE_BUSY_MS for another program's lock, and
 *     not at all once the scan is being stopped (a signal is honoured
 *     promptly; the domain is then not recorded and --resume checks it).
 * DIAGNOSTICS
 *     STC_E_IO with SQLite's message; STC_E_NOMEM.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/err.h"
#include "store_int.h"
#include "store_rows.h"

enum { ST_DOMAIN, ST_DEL_HOSTS, ST_DEL_CHECKS, ST_HOST, ST_CHECK, ST_CACHE, ST_N };

static const char *const stmt_sql[ST_N] = {
    "INSERT OR REPLACE INTO domains(domain,status,status_text,message,mx_count,mta_sts_mode,"
    "checked_at,json) VALUES(?,?,?,?,?,?,?,?)",
    "DELETE FROM hosts WHERE domain=?",
    "DELETE FROM checks WHERE domain=?",
    "INSERT OR REPLACE INTO hosts(domain,hostname,preference,status,status_text,address,"
    "connected,starttls,tls_version,cipher,cert_valid) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
    "INSERT OR REPLACE INTO checks(domain,hostname,\"check\",status,status_text,result_type,"
    "message) VALUES(?,?,?,?,?,?,?)",
    "INSERT OR REPLACE INTO host_cache(hostname,config,checked_at,result) VALUES(?,?,?,?)",
};

static const char SCHEMA[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS domains(domain TEXT PRIMARY KEY, status INTEGER NOT NULL,"
    " status_text TEXT NOT NULL, message TEXT, mx_count INTEGER, mta_sts_mode TEXT,"
    " checked_at INTEGER NOT NULL, json TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS hosts(domain TEXT NOT NULL, hostname TEXT NOT NULL,"
    " preference INTEGER, status INTEGER, status_text TEXT, address TEXT, connected INTEGER,"
    " starttls INTEGER, tls_version TEXT, cipher TEXT, cert_valid INTEGER,"
    " PRIMARY KEY(domain, hostname));"
    "CREATE INDEX IF NOT EXISTS hosts_hostname ON hosts(hostname);"
    "CREATE TABLE IF NOT EXISTS checks(domain TEXT NOT NULL, hostname TEXT NOT NULL,"
    " \"check\" TEXT NOT NULL, status INTEGER, status_text TEXT, result_type TEXT,"
    " message TEXT, PRIMARY KEY(domain, hostname, \"check\"));"
    "CREATE TABLE IF NOT EXISTS host_cache(hostname TEXT NOT NULL, config TEXT NOT NULL,"
    " checked_at INTEGER NOT NULL, result BLOB NOT NULL, PRIMARY KEY(hostname, config));";

struct scan_db {
    struct store base;
    sqlite3 *h;
    const atomic_int *stop;
    sqlite3_stmt *st[ST_N];
    int in_txn;
};

static stc_rc db_fail(struct scan_db *db, struct stc_err *err, const char *what)
{
    return err_set(err, STC_E_IO, "database: %s: %s", what, sqlite3_errmsg(db->h));
}

static stc_rc exec(struct scan_db *db, const char *sql, struct stc_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        stc_rc rc = err_set(err, STC_E_IO, "database: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return rc;
    }
    return STC_OK;
}

/* A host_cache without the config column holds results of unknown options: drop it. */
static stc_rc drop_old_cache(struct scan_db *db, struct stc_err *err)
{
    sqlite3_stmt *q = NULL;
    int exists = 0, keyed = 0;
    if (sqlite3_prepare_v2(db->h, "PRAGMA table_info(host_cache)", -1, &q, NULL) != SQLITE_OK)
        return db_fail(db, err, "read schema");
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *col = (const char *)sqlite3_column_text(q, 1);
        exists = 1;
        if (col != NULL && strcmp(col, "config") == 0)
            keyed = 1;
    }
    sqlite3_finalize(q);
    if (exists && !keyed)
        return exec(db, "DROP TABLE host_cache", err);
    return STC_OK;
}

/* SQLite's busy handler: wait for another program's lock in 10 ms steps, up to
 * STORE_BUSY_MS, but give up at once when the scan is being stopped. */
static int busy(void *ctx, int count)
{
    const struct scan_db *db = ctx;
    if (count * 10 >= STORE_BUSY_MS || (db->stop != NULL && atomic_load(db->stop) != 0))
        return 0;
    struct timespec ts = {0, 10 * 1000000L};
    nanosleep(&ts, NULL);
    return 1;
}

static stc_rc sq_close(struct store *st, struct stc_err *err);
static void sq_rollback(struct store *st);

static stc_rc sq_commit(struct store *st, struct stc_err *err)
{
    struct scan_db *db = (struct scan_db *)st;
    if (!db->in_txn)
        return STC_OK;
    stc_rc rc = exec(db, "COMMIT", err);
    if (rc != STC_OK)
        sq_rollback(st);
    db->in_txn = 0;
    return rc;
}

static void sq_rollback(struct store *st)
{
    struct scan_db *db = (struct scan_db *)st;
    struct stc_err ignore = {0};
    /* SQLite may have rolled back already (SQLITE_FULL, SQLITE_IOERR). */
    if (db->in_txn && !sqlite3_get_autocommit(db->h))
        exec(db, "ROLLBACK", &ignore);
    db->in_txn = 0;
}

static stc_rc sq_close(struct store *st, struct stc_err *err)
{
    struct scan_db *db = (struct scan_db *)st;
    stc_rc rc = STC_OK;
    if (db->h)
        sq_rollback(st); /* the writer commits what is complete */
    for (int i = 0; i < ST_N; i++)
        sqlite3_finalize(db->st[i]);
    if (db->h && sqlite3_close(db->h) != SQLITE_OK && rc == STC_OK)
        rc = err_set(err, STC_E_IO, "database: close failed");
    free(db);
    return rc;
}

static stc_rc begin(struct scan_db *db, struct stc_err *err)
{
    if (db->in_txn)
        return STC_OK;
    stc_rc rc = exec(db, "BEGIN", err);
    if (rc == STC_OK)
        db->in_txn = 1;
    return rc;
}

/* Bind helpers: NULL text binds SQL NULL. */
static void bt(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

static stc_rc step(struct scan_db *db, sqlite3_stmt *s, struct stc_err *err)
{
    int r = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return r == SQLITE_DONE ? STC_OK : db_fail(db, err, "write");
}

static stc_rc add_check(void *ctx, const struct store_check_row *r, struct stc_err *err)
{
    struct scan_db *db = ctx;
    sqlite3_stmt *s = db->st[ST_CHECK];
    bt(s, 1, r->domain);
    bt(s, 2, r->hostname);
    bt(s, 3, r->check);
    sqlite3_bind_int(s, 4, r->status);
    bt(s, 5, r->status_text);
    bt(s, 6, r->result_type);
    bt(s, 7, r->message);
    return step(db, s, err);
}

static stc_rc add_host(void *ctx, const struct store_host_row *r, struct stc_err *err)
{
    struct scan_db *db = ctx;
    sqlite3_stmt *s = db->st[ST_HOST];
    bt(s, 1, r->domain);
    bt(s, 2, r->hostname);
    sqlite3_bind_int64(s, 3, r->preference);
    sqlite3_bind_int(s, 4, r->status);
    bt(s, 5, r->status_text);
    bt(s, 6, r->address);
    sqlite3_bind_int64(s, 7, r->connected);
    sqlite3_bind_int64(s, 8, r->starttls);
    bt(s, 9, r->tls_version);
    bt(s, 10, r->cipher);
    if (r->has_cert)
        sqlite3_bind_int64(s, 11, r->cert_valid);
    return step(db, s, err);
}

static const struct store_rows_sink sink = {add_host, add_check};

static stc_rc sq_add_domain(struct store *st, const struct stc_result *t, const char *json,
                            int64_t checked_at, struct stc_err *err)
{
    struct scan_db *db = (struct scan_db *)st;
    stc_rc rc = STC_OK;
    struct store_domain_row d;
    store_rows_domain(t, &d);
    STC_GUARD(begin(db, err));
    for (int k = ST_DEL_HOSTS; k <= ST_DEL_CHECKS; k++) {
        bt(db->st[k], 1, d.domain);
        STC_GUARD(step(db, db->st[k], err));
    }
    sqlite3_stmt *s = db->st[ST_DOMAIN];
    bt(s, 1, d.domain);
    sqlite3_bind_int(s, 2, d.status);
    bt(s, 3, d.status_text);
    bt(s, 4, d.message);
    sqlite3_bind_int64(s, 5, d.mx_count);
    bt(s, 6, d.mta_sts_mode);
    sqlite3_bind_int64(s, 7, checked_at);
    bt(s, 8, json);
    STC_GUARD(step(db, s, err));
    STC_GUARD(store_rows_walk(t, &sink, db, err));
out:
    return rc;
}

static stc_rc sq_put_host(struct store *st, const char *host, const char *config,
                          const void *blob, size_t n, int64_t checked_at, struct stc_err *err)
{
    struct scan_db *db = (struct scan_db *)st;
    stc_rc rc = begin(db, err);
    if (rc != STC_OK)
        return rc;
    sqlite3_stmt *s = db->st[ST_CACHE];
    bt(s, 1, host);
    bt(s, 2, config);
    sqlite3_bind_int64(s, 3, checked_at);
    sqlite3_bind_blob(s, 4, blob, (int)n, SQLITE_TRANSIENT);
    rc = step(db, s, err);
    if (rc == STC_OK)
        return sq_commit(st, err);
    sq_rollback(st);
    return rc;
}

/* Delete one domain's rows (inside the open transaction). */
static stc_rc delete_domain(struct scan_db *db, const char *d, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    for (int k = ST_DEL_HOSTS; k <= ST_DEL_CHECKS; k++) {
        bt(db->st[k], 1, d);
        STC_GUARD(step(db, db->st[k], err));
    }
    char *sql = sqlite3_mprintf("DELETE FROM domains WHERE domain=%Q", d);
    STC_ENSURE(sql != NULL, err, STC_E_NOMEM, "out of memory");
    rc = exec(db, sql, err);
    sqlite3_free(sql);
out:
    return rc;
}

static stc_rc sq_load_done(struct store *st, store_domain_fn fn, void *ctx, uint64_t *deleted,
                           struct stc_err *err)
{
    struct scan_db *db = (struct scan_db *)st;
    stc_rc rc = STC_OK;
    sqlite3_stmt *q = NULL;
    char **gone = NULL;
    size_t ngone = 0, capgone = 0;
    int r;
    *deleted = 0;
    STC_GUARD(begin(db, err));
    if (sqlite3_prepare_v2(db->h, "SELECT domain FROM domains", -1, &q, NULL) != SQLITE_OK) {
        rc = db_fail(db, err, "read");
        goto out;
    }
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(q, 0);
        int keep = 1;
        if (d == NULL)
            continue;
        STC_GUARD(fn(ctx, d, &keep, err));
        if (!keep) {
            /* In the database but not in the JSON file: drop, check again. */
            if (ngone == capgone) {
                capgone = capgone ? capgone * 2 : 64;
                char **g = realloc(gone, capgone * sizeof *g);
                STC_ENSURE(g != NULL, err, STC_E_NOMEM, "out of memory");
                gone = g;
            }
            gone[ngone] = strdup(d);
            STC_ENSURE(gone[ngone] != NULL, err, STC_E_NOMEM, "out of memory");
            ngone++;
        }
    }
    if (r != SQLITE_DONE) {
        rc = db_fail(db, err, "read");
        goto out;
    }
    sqlite3_finalize(q);
    q = NULL;
    for (size_t i = 0; i < ngone; i++)
        STC_GUARD(delete_domain(db, gone[i], err));
    *deleted = ngone;
out:
    sqlite3_finalize(q);
    for (size_t i = 0; i < ngone; i++)
        free(gone[i]);
    free(gone);
    if (rc == STC_OK)
        rc = sq_commit(st, err);
    else
        sq_rollback(st);
    return rc;
}

static stc_rc sq_load_hosts(struct store *st, const char *config, int64_t since,
                            store_host_fn fn, void *ctx, struct stc_err *err)
{
    struct scan_db *db = (struct scan_db *)st;
    stc_rc rc = STC_OK;
    sqlite3_stmt *q = NULL;
    int r;
    if (sqlite3_prepare_v2(
            db->h,
            "SELECT hostname, result, checked_at FROM host_cache WHERE config=? AND checked_at>=?",
            -1, &q, NULL) != SQLITE_OK)
        return db_fail(db, err, "read host cache");
    bt(q, 1, config);
    sqlite3_bind_int64(q, 2, since);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        const char *h = (const char *)sqlite3_column_text(q, 0);
        const void *b = sqlite3_column_blob(q, 1);
        int bn = sqlite3_column_bytes(q, 1);
        if (h == NULL || b == NULL || bn <= 0)
            continue;
        STC_GUARD(fn(ctx, h, b, (size_t)bn, sqlite3_column_int64(q, 2), err));
    }
    if (r != SQLITE_DONE)
        rc = db_fail(db, err, "read host cache");
out:
    sqlite3_finalize(q);
    return rc;
}

static const struct store_ops sqlite_ops = {
    sq_close, sq_load_done, sq_load_hosts, sq_add_domain, sq_commit, sq_rollback, sq_put_host,
};

stc_rc store_sqlite_open(const char *path, const struct store_opts *o, struct store **out,
                         struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct scan_db *db = calloc(1, sizeof *db);
    STC_ENSURE(db != NULL, err, STC_E_NOMEM, "out of memory");
    db->base.ops = &sqlite_ops;
    db->base.kind = STORE_SQLITE;
    db->stop = o->stop;
    if (sqlite3_open_v2(path, &db->h,
                        SQLITE_OPEN_READWRITE | (o->keep ? 0 : SQLITE_OPEN_CREATE) |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = err_set(err, STC_E_IO, "%s: %s", path, db->h ? sqlite3_errmsg(db->h) : "cannot open");
        goto out;
    }
    sqlite3_busy_handler(db->h, busy, db);
    STC_GUARD(drop_old_cache(db, err));
    STC_GUARD(exec(db, SCHEMA, err));
    if (!o->resume && !o->keep)
        STC_GUARD(exec(db,
                       "BEGIN; DELETE FROM domains; DELETE FROM hosts; DELETE FROM checks;"
                       " COMMIT;",
                       err));
    for (int i = 0; i < ST_N; i++)
        if (sqlite3_prepare_v2(db->h, stmt_sql[i], -1, &db->st[i], NULL) != SQLITE_OK) {
            rc = db_fail(db, err, "prepare");
            goto out;
        }
    *out = &db->base;
    return STC_OK;
out:
    if (db != NULL) {
        struct stc_err ignore = {0};
        sq_close(&db->base, &ignore);
    }
    return rc;
}
