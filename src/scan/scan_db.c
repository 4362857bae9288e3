/*
 * NAME
 *     scan_db - SQLite store of a bulk scan
 * SYNOPSIS
 *     scan_db_open("scan.db", resume, &db, err);
 *     scan_db_add_domain(db, tree, json, now, err);   ... scan_db_commit(db, err);
 *     scan_db_close(db, err);
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
 *     A write waits up to SCAN_DB_BUSY_MS for another program's lock, and
 *     not at all once the scan is being stopped (a signal is honoured
 *     promptly; the domain is then not recorded and --resume checks it).
 * DIAGNOSTICS
 *     STC_E_IO with SQLite's message; STC_E_NOMEM.
 */
#include "scan_db.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/err.h"

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
 * SCAN_DB_BUSY_MS, but give up at once when the scan is being stopped. */
static int busy(void *ctx, int count)
{
    const struct scan_db *db = ctx;
    if (count * 10 >= SCAN_DB_BUSY_MS || (db->stop != NULL && atomic_load(db->stop) != 0))
        return 0;
    struct timespec ts = {0, 10 * 1000000L};
    nanosleep(&ts, NULL);
    return 1;
}

stc_rc scan_db_open(const char *path, int resume, const atomic_int *stop, struct scan_db **out,
                    struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct scan_db *db = calloc(1, sizeof *db);
    STC_ENSURE(db != NULL, err, STC_E_NOMEM, "out of memory");
    db->stop = stop;
    if (sqlite3_open_v2(path, &db->h,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = err_set(err, STC_E_IO, "%s: %s", path, db->h ? sqlite3_errmsg(db->h) : "cannot open");
        goto out;
    }
    sqlite3_busy_handler(db->h, busy, db);
    STC_GUARD(drop_old_cache(db, err));
    STC_GUARD(exec(db, SCHEMA, err));
    if (!resume)
        STC_GUARD(exec(db,
                       "BEGIN; DELETE FROM domains; DELETE FROM hosts; DELETE FROM checks;"
                       " COMMIT;",
                       err));
    for (int i = 0; i < ST_N; i++)
        if (sqlite3_prepare_v2(db->h, stmt_sql[i], -1, &db->st[i], NULL) != SQLITE_OK) {
            rc = db_fail(db, err, "prepare");
            goto out;
        }
    *out = db;
    return STC_OK;
out:
    if (db != NULL) {
        struct stc_err ignore = {0};
        scan_db_close(db, &ignore);
    }
    return rc;
}

stc_rc scan_db_commit(struct scan_db *db, struct stc_err *err)
{
    if (!db->in_txn)
        return STC_OK;
    stc_rc rc = exec(db, "COMMIT", err);
    if (rc != STC_OK)
        scan_db_rollback(db);
    db->in_txn = 0;
    return rc;
}

void scan_db_rollback(struct scan_db *db)
{
    struct stc_err ignore = {0};
    /* SQLite may have rolled back already (SQLITE_FULL, SQLITE_IOERR). */
    if (db->in_txn && !sqlite3_get_autocommit(db->h))
        exec(db, "ROLLBACK", &ignore);
    db->in_txn = 0;
}

stc_rc scan_db_close(struct scan_db *db, struct stc_err *err)
{
    if (db == NULL)
        return STC_OK;
    stc_rc rc = STC_OK;
    if (db->h)
        scan_db_rollback(db); /* the writer commits what is complete */
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

static long long int_fact(const struct stc_result *r, const char *key, long long dflt)
{
    long long v = dflt;
    if (r != NULL)
        stc_result_get_int(r, key, &v);
    return v;
}

static const char *str_fact(const struct stc_result *r, const char *key)
{
    return r ? stc_result_get_str(r, key) : NULL;
}

static const char *first_msg(const struct stc_result *r)
{
    return stc_result_message_count(r) ? stc_result_message(r, 0) : NULL;
}

static stc_rc add_check(struct scan_db *db, const char *domain, const char *host,
                        const struct stc_result *c, struct stc_err *err)
{
    sqlite3_stmt *s = db->st[ST_CHECK];
    bt(s, 1, domain);
    bt(s, 2, host);
    bt(s, 3, stc_result_name(c));
    sqlite3_bind_int(s, 4, (int)stc_result_status(c));
    bt(s, 5, stc_status_text(stc_result_status(c)));
    bt(s, 6, stc_result_type(c));
    bt(s, 7, first_msg(c));
    return step(db, s, err);
}

static stc_rc add_host(struct scan_db *db, const char *domain, const struct stc_result *h,
                       struct stc_err *err)
{
    stc_rc rc = STC_OK;
    sqlite3_stmt *s = db->st[ST_HOST];
    const struct stc_result *st = stc_result_find(h, "starttls");
    const struct stc_result *v = stc_result_find(h, "version");
    const struct stc_result *ci = stc_result_find(h, "cipher");
    const struct stc_result *ce = stc_result_find(h, "certificate");
    bt(s, 1, domain);
    bt(s, 2, stc_result_name(h));
    sqlite3_bind_int64(s, 3, int_fact(h, "preference", 0));
    sqlite3_bind_int(s, 4, (int)stc_result_status(h));
    bt(s, 5, stc_status_text(stc_result_status(h)));
    bt(s, 6, str_fact(h, "address"));
    sqlite3_bind_int64(s, 7, int_fact(h, "connected", 0));
    sqlite3_bind_int64(s, 8, int_fact(st, "handshake", 0));
    bt(s, 9, str_fact(v, "negotiated"));
    bt(s, 10, str_fact(ci, "negotiated"));
    if (ce != NULL)
        sqlite3_bind_int64(s, 11, int_fact(ce, "valid", 0));
    STC_GUARD(step(db, s, err));
    for (size_t i = 0; i < stc_result_child_count(h); i++)
        STC_GUARD(add_check(db, domain, stc_result_name(h), stc_result_child(h, i), err));
out:
    return rc;
}

stc_rc scan_db_add_domain(struct scan_db *db, const struct stc_result *t, const char *json,
                          int64_t checked_at, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    const char *domain = stc_result_name(t);
    const struct stc_result *m = stc_result_find(t, "mta_sts");
    long fi = stc_result_fact_index(t, "mx_hosts");
    STC_GUARD(begin(db, err));
    for (int k = ST_DEL_HOSTS; k <= ST_DEL_CHECKS; k++) {
        bt(db->st[k], 1, domain);
        STC_GUARD(step(db, db->st[k], err));
    }
    sqlite3_stmt *s = db->st[ST_DOMAIN];
    stc_domain_status ds = stc_result_domain_status(t);
    bt(s, 1, domain);
    sqlite3_bind_int(s, 2, (int)ds);
    bt(s, 3, stc_domain_status_text(ds));
    bt(s, 4, first_msg(t));
    sqlite3_bind_int64(s, 5, fi >= 0 ? (long long)stc_result_fact_list_len(t, (size_t)fi) : 0);
    bt(s, 6, str_fact(m, "mode"));
    sqlite3_bind_int64(s, 7, checked_at);
    bt(s, 8, json);
    STC_GUARD(step(db, s, err));
    for (size_t i = 0; i < stc_result_child_count(t); i++) {
        const struct stc_result *c = stc_result_child(t, i);
        if (stc_result_kind(c) == STC_NODE_HOST)
            STC_GUARD(add_host(db, domain, c, err));
        else
            STC_GUARD(add_check(db, domain, "", c, err));
    }
out:
    return rc;
}

stc_rc scan_db_put_host(struct scan_db *db, const char *host, const char *config,
                        const void *blob, size_t n, int64_t checked_at, struct stc_err *err)
{
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
        return scan_db_commit(db, err);
    scan_db_rollback(db);
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

stc_rc scan_db_load_done(struct scan_db *db, struct scan_seen *done, const struct scan_seen *filter,
                         uint64_t *n, uint64_t *deleted, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    sqlite3_stmt *q = NULL;
    char **gone = NULL;
    size_t ngone = 0, capgone = 0;
    int r;
    *n = *deleted = 0;
    STC_GUARD(begin(db, err));
    if (sqlite3_prepare_v2(db->h, "SELECT domain FROM domains", -1, &q, NULL) != SQLITE_OK) {
        rc = db_fail(db, err, "read");
        goto out;
    }
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(q, 0);
        if (d == NULL)
            continue;
        if (filter != NULL && !scan_seen_has(filter, d)) {
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
            continue;
        }
        int fresh = 0;
        STC_GUARD(scan_seen_add(done, d, &fresh, err));
        *n += (uint64_t)fresh;
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
        rc = scan_db_commit(db, err);
    return rc;
}

stc_rc scan_db_load_hosts(struct scan_db *db, const char *config, int64_t since,
                          scan_db_host_fn fn, void *ctx, struct stc_err *err)
{
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
