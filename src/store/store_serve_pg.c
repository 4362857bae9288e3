/*
 * NAME
 *     store_serve_pg - serve's table of finished checks in PostgreSQL
 * SYNOPSIS
 *     store_serve_pg_open("postgresql://host/db", &p, err);  ... store_serve_pg_close(p);
 * DESCRIPTION
 *     The table serve_checks of store_serve.c (id text primary key, domain,
 *     created, finished, status, json) with an index on (domain, finished),
 *     made when missing. One connection shared by the service's threads
 *     under a mutex (a PGconn is not thread-safe); every statement has its
 *     values as parameters. A lost connection is reset once per statement.
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

#include "../util/err.h"
#include "../util/num.h"
#include "../util/text.h"

struct store_serve_pg {
    PGconn *c;
    pthread_mutex_t mu;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS serve_checks (id text PRIMARY KEY, domain text NOT NULL,"
    " created bigint NOT NULL, finished bigint NOT NULL, status integer NOT NULL,"
    " json text NOT NULL);"
    "CREATE INDEX IF NOT EXISTS serve_checks_domain ON serve_checks (domain, finished)";

static stc_rc pg_fail(PGconn *c, const char *what, struct stc_err *err)
{
    char m[STC_ERR_MSG_MAX];
    snprintf(m, sizeof m, "%s", PQerrorMessage(c));
    for (char *q = m; *q; q++)
        if (*q == '\n' || *q == '\r')
            *q = ' ';
    return err_set(err, STC_E_IO, "postgresql: %s: %s", what, m);
}

/* Run under p->mu; *res (may be NULL) to PQclear. One reset on a lost connection. */
static stc_rc run(struct store_serve_pg *p, const char *sql, int n, const char *const *params,
                  PGresult **res, struct stc_err *err)
{
    for (int attempt = 0; attempt < 2; attempt++) {
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
        if (PQstatus(p->c) != CONNECTION_BAD || attempt > 0)
            break;
        PQreset(p->c);
    }
    return pg_fail(p->c, "query", err);
}

stc_rc store_serve_pg_open(const char *uri, struct store_serve_pg **out, struct stc_err *err)
{
    struct store_serve_pg *p = calloc(1, sizeof *p);
    if (p == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    pthread_mutex_init(&p->mu, NULL);
    p->c = PQconnectdb(uri);
    stc_rc rc = STC_OK;
    if (p->c == NULL || PQstatus(p->c) != CONNECTION_OK)
        rc = p->c ? pg_fail(p->c, "cannot connect", err)
                  : err_set(err, STC_E_NOMEM, "out of memory");
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
    if (p->c != NULL)
        PQfinish(p->c);
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
