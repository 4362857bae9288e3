/*
 * NAME
 *     store_serve_pg - serve's table of finished checks in PostgreSQL
 * SYNOPSIS
 *     store_serve_pg_open("postgresql://host/db", &p, err);  ... store_serve_pg_close(p);
 * DESCRIPTION
 *     The table serve_checks of store_serve.c (id text primary key, domain,
 *     created, finished, status, json) with an index on (domain, finished),
 *     made when missing, on the connection of a nameless PostgreSQL store
 *     (store_open with nameless: no scan row), so statements go through
 *     pg_run (a lost connection is re-established with back-off). The
 *     connection is shared by the service's threads under a mutex (a
 *     PGconn is not thread-safe); every value is a parameter.
 * DIAGNOSTICS
 *     STC_E_IO with the server's message (one line; the URI's password is
 *     never shown), STC_E_NOTFOUND, STC_E_NOMEM.
 */
#include "store_serve_pg.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store.h"
#include "store_pg_int.h"
#include "../util/err.h"
#include "../util/num.h"
#include "../util/text.h"

struct store_serve_pg {
    struct store *st;    /* a nameless PostgreSQL store: its connection, no scan */
    struct pgstore *pg;  /* the same, as the PostgreSQL backend */
    pthread_mutex_t mu;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS serve_checks (id text PRIMARY KEY, domain text NOT NULL,"
    " created bigint NOT NULL, finished bigint NOT NULL, status integer NOT NULL,"
    " json text NOT NULL);"
    "CREATE INDEX IF NOT EXISTS serve_checks_domain ON serve_checks (domain, finished)";

/* Under p->mu: pg_run (store_pg.c: reconnects with back-off on a lost connection). */
static stc_rc run(struct store_serve_pg *p, const char *sql, int n, const char *const *params,
                  PGresult **res, struct stc_err *err)
{
    return pg_run(p->pg, sql, n, params, res, err);
}

stc_rc store_serve_pg_open(const char *uri, struct store_serve_pg **out, struct stc_err *err)
{
    struct store_opts o = {.keep = 1, .nameless = 1};
    struct store_serve_pg *p = calloc(1, sizeof *p);
    if (p == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    pthread_mutex_init(&p->mu, NULL);
    stc_rc rc = store_open(uri, &o, &p->st, err);
    if (rc == STC_OK)
        rc = pg_of(p->st, &p->pg, err);
    if (rc == STC_OK)
        rc = run(p, schema, 0, NULL, NULL, err);
    if (rc != STC_OK) {
        store_serve_pg_close(p);
        return rc;
    }
    *out = p;
    return STC_OK;
}

void store_serve_pg_close(struct store_serve_pg *p)
{
    if (p == NULL)
        return;
    struct stc_err ignored = {STC_OK, ""};
    store_close(p->st, &ignored);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

stc_rc store_serve_pg_put(struct store_serve_pg *p, const struct store_serve_row *row,
                          const char *json, struct stc_err *err)
{
    char created[24], finished[24], status[16];
    snprintf(created, sizeof created, "%lld", row->created);
    snprintf(finished, sizeof finished, "%lld", row->finished);
    snprintf(status, sizeof status, "%d", row->status);
    const char *v[6] = {row->id, row->domain, created, finished, status, json};
    pthread_mutex_lock(&p->mu);
    stc_rc rc = run(p,
                    "INSERT INTO serve_checks VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id)"
                    " DO UPDATE SET finished = $4, status = $5, json = $6",
                    6, v, NULL, err);
    pthread_mutex_unlock(&p->mu);
    return rc;
}

static void fill(PGresult *r, int i, struct store_serve_row *row, int with_json)
{
    long v = 0;
    memset(row, 0, sizeof *row);
    snprintf(row->id, sizeof row->id, "%s", PQgetvalue(r, i, 0));
    snprintf(row->domain, sizeof row->domain, "%s", PQgetvalue(r, i, 1));
    row->created = num_long(PQgetvalue(r, i, 2), 0, LONG_MAX, &v) == 0 ? v : 0;
    row->finished = num_long(PQgetvalue(r, i, 3), 0, LONG_MAX, &v) == 0 ? v : 0;
    row->status = num_long(PQgetvalue(r, i, 4), 0, 99, &v) == 0 ? (int)v : 3;
    if (with_json)
        row->json = text_dup(PQgetvalue(r, i, 5));
}

stc_rc store_serve_pg_one(struct store_serve_pg *p, int by_domain, const char *key,
                          struct store_serve_row *row, struct stc_err *err)
{
    PGresult *r = NULL;
    const char *v[1] = {key};
    pthread_mutex_lock(&p->mu);
    stc_rc rc = run(p,
                    by_domain ? "SELECT id, domain, created, finished, status, json FROM"
                                " serve_checks WHERE domain = $1 ORDER BY finished DESC, id"
                                " LIMIT 1"
                              : "SELECT id, domain, created, finished, status, json FROM"
                                " serve_checks WHERE id = $1",
                    1, v, &r, err);
    pthread_mutex_unlock(&p->mu);
    if (rc != STC_OK)
        return rc;
    if (PQntuples(r) == 0) {
        rc = err_set(err, STC_E_NOTFOUND, "no such check");
    } else {
        fill(r, 0, row, 1);
        if (row->json == NULL)
            rc = err_set(err, STC_E_NOMEM, "out of memory");
    }
    PQclear(r);
    return rc;
}

stc_rc store_serve_pg_history(struct store_serve_pg *p, const char *domain,
                              struct store_serve_row *rows, size_t max, size_t *n,
                              struct stc_err *err)
{
    PGresult *r = NULL;
    char lim[24];
    snprintf(lim, sizeof lim, "%zu", max);
    const char *v[2] = {domain, lim};
    *n = 0;
    pthread_mutex_lock(&p->mu);
    stc_rc rc = run(p,
                    "SELECT id, domain, created, finished, status FROM serve_checks"
                    " WHERE domain = $1 ORDER BY finished DESC, id LIMIT $2::bigint",
                    2, v, &r, err);
    pthread_mutex_unlock(&p->mu);
    if (rc != STC_OK)
        return rc;
    for (int i = 0; i < PQntuples(r) && *n < max; i++)
        fill(r, i, &rows[(*n)++], 0);
    PQclear(r);
    return STC_OK;
}
