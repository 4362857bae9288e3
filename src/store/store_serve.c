/*
 * NAME
 *     store_serve - finished checks of the web service (serve) in SQLite
 * SYNOPSIS
 *     store_serve_open("serve.db", &db, err);
 *     store_serve_put(db, &row, json, err);  store_serve_get(db, id, &row, err);
 *     store_serve_latest(db, domain, &row, err);  store_serve_history(db, domain, rows, 50, &n, err);
 * DESCRIPTION
 *     Table serve_checks (id primary key, domain, created, finished,
 *     status, json) with an index on (domain, finished). Every statement is
 *     prepared with bound parameters. The connection is opened
 *     SQLITE_OPEN_FULLMUTEX and shared by the HTTP and worker threads; a
 *     busy timeout of 5 s covers other processes on the same file.
 *     A postgresql:// URI (store_is_pg) selects PostgreSQL instead: the same
 *     table and operations in store_serve_pg.c.
 * LIMITS
 *     The JSON document is what the checker produced (bounded by the result
 *     limits); ids at most 39 bytes, domains 255.
 * DIAGNOSTICS
 *     STC_E_IO for SQLite errors (its message in err), STC_E_NOTFOUND,
 *     STC_E_NOMEM.
 */
#include "store_serve.h"
#include "store_serve_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "../util/err.h"
#include "../util/text.h"
#include "store.h"

struct store_serve {
    sqlite3 *h;             /* SQLite, or */
    struct store_serve_pg *pg; /* PostgreSQL (store_serve_pg.c) */
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS serve_checks (id TEXT PRIMARY KEY, domain TEXT NOT NULL,"
    " created INTEGER NOT NULL, finished INTEGER NOT NULL, status INTEGER NOT NULL,"
    " json TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS serve_checks_domain ON serve_checks (domain, finished);";

static stc_rc db_err(struct store_serve *db, const char *what, struct stc_err *err)
{
    return err_set(err, STC_E_IO, "database: %s: %s", what, sqlite3_errmsg(db->h));
}

stc_rc store_serve_open(const char *path, struct store_serve **out, struct stc_err *err)
{
    struct store_serve *db = calloc(1, sizeof *db);
    if (db == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    if (store_is_pg(path)) {
        stc_rc rc = store_serve_pg_open(path, &db->pg, err);
        if (rc != STC_OK) {
            free(db);
            return rc;
        }
        *out = db;
        return STC_OK;
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
        stc_rc rc = err_set(err, STC_E_IO, "cannot open the database %.100s: %s", path,
                            db->h ? sqlite3_errmsg(db->h) : "out of memory");
        store_serve_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db->h, 5000);
    if (sqlite3_exec(db->h, schema, NULL, NULL, NULL) != SQLITE_OK) {
        stc_rc rc = db_err(db, "schema", err);
        store_serve_close(db);
        return rc;
    }
    *out = db;
    return STC_OK;
}

void store_serve_close(struct store_serve *db)
{
    if (db == NULL)
        return;
    store_serve_pg_close(db->pg);
    sqlite3_close(db->h);
    free(db);
}

stc_rc store_serve_put(struct store_serve *db, const struct store_serve_row *row, const char *json,
                    struct stc_err *err)
{
    sqlite3_stmt *st = NULL;
    stc_rc rc = STC_OK;
    if (db->pg != NULL)
        return store_serve_pg_put(db->pg, row, json, err);
    if (sqlite3_prepare_v2(db->h,
                           "INSERT OR REPLACE INTO serve_checks VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_err(db, "prepare", err);
    sqlite3_bind_text(st, 1, row->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, row->domain, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, row->created);
    sqlite3_bind_int64(st, 4, row->finished);
    sqlite3_bind_int(st, 5, row->status);
    sqlite3_bind_text(st, 6, json, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_err(db, "insert", err);
    sqlite3_finalize(st);
    return rc;
}

static void fill(sqlite3_stmt *st, struct store_serve_row *row, int with_json)
{
    memset(row, 0, sizeof *row);
    snprintf(row->id, sizeof row->id, "%s", (const char *)sqlite3_column_text(st, 0));
    snprintf(row->domain, sizeof row->domain, "%s", (const char *)sqlite3_column_text(st, 1));
    row->created = sqlite3_column_int64(st, 2);
    row->finished = sqlite3_column_int64(st, 3);
    row->status = sqlite3_column_int(st, 4);
    if (with_json)
        row->json = text_dup((const char *)sqlite3_column_text(st, 5));
}

static stc_rc one(struct store_serve *db, const char *sql, const char *key, struct store_serve_row *row,
                  struct stc_err *err)
{
    sqlite3_stmt *st = NULL;
    stc_rc rc = STC_OK;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
        return db_err(db, "prepare", err);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        fill(st, row, 1);
        if (row->json == NULL)
            rc = err_set(err, STC_E_NOMEM, "out of memory");
    } else if (r == SQLITE_DONE) {
        rc = err_set(err, STC_E_NOTFOUND, "no such check");
    } else {
        rc = db_err(db, "select", err);
    }
    sqlite3_finalize(st);
    return rc;
}

stc_rc store_serve_get(struct store_serve *db, const char *id, struct store_serve_row *row,
                    struct stc_err *err)
{
    if (db->pg != NULL)
        return store_serve_pg_one(db->pg, 0, id, row, err);
    return one(db, "SELECT id, domain, created, finished, status, json FROM serve_checks"
                   " WHERE id = ?1",
               id, row, err);
}

stc_rc store_serve_latest(struct store_serve *db, const char *domain, struct store_serve_row *row,
                       struct stc_err *err)
{
    if (db->pg != NULL)
        return store_serve_pg_one(db->pg, 1, domain, row, err);
    return one(db, "SELECT id, domain, created, finished, status, json FROM serve_checks"
                   " WHERE domain = ?1 ORDER BY finished DESC, rowid DESC LIMIT 1",
               domain, row, err);
}

stc_rc store_serve_history(struct store_serve *db, const char *domain, struct store_serve_row *rows,
                        size_t max, size_t *n, struct stc_err *err)
{
    sqlite3_stmt *st = NULL;
    stc_rc rc = STC_OK;
    *n = 0;
    if (db->pg != NULL)
        return store_serve_pg_history(db->pg, domain, rows, max, n, err);
    if (sqlite3_prepare_v2(db->h,
                           "SELECT id, domain, created, finished, status FROM serve_checks"
                           " WHERE domain = ?1 ORDER BY finished DESC, rowid DESC LIMIT ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return db_err(db, "prepare", err);
    sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
    int r = SQLITE_DONE;
    while (*n < max && (r = sqlite3_step(st)) == SQLITE_ROW)
        fill(st, &rows[(*n)++], 0);
    if (*n < max && r != SQLITE_DONE)
        rc = db_err(db, "select", err);
    sqlite3_finalize(st);
    return rc;
}
