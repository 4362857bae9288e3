/*
 * NAME
 *     store - open a result store by name and dispatch to its backend
 * SYNOPSIS
 *     store_open("scan.db", &o, &st, err);              SQLite
 *     store_open("postgresql://host/db", &o, &st, err); PostgreSQL
 *     store_add_domain(st, tree, json, now, err); store_commit(st, err);
 *     store_close(st, err);
 * DESCRIPTION
 *     The scan layer's one interface to its result store (store.h). The
 *     name picks the backend (store_is_pg); each backend keeps the same
 *     logical schema and the same promise: a domain's rows are one
 *     transaction, in the store wholly or not at all.
 * DIAGNOSTICS
 *     The backend's: STC_E_IO with the database's message, STC_E_NOMEM.
 */
#include <string.h>

#include "store_int.h"

int store_is_pg(const char *uri)
{
    static const char *const prefixes[] = {"postgresql://", "postgres://", "host=",
                                           "dbname=",       "service=",    "user="};
    if (uri == NULL)
        return 0;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(uri, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

stc_rc store_open(const char *uri, const struct store_opts *o, struct store **out,
                  struct stc_err *err)
{
    return store_is_pg(uri) ? store_pg_open(uri, o, out, err)
                            : store_sqlite_open(uri, o, out, err);
}

stc_rc store_close(struct store *st, struct stc_err *err)
{
    return st ? st->ops->close(st, err) : STC_OK;
}

int store_shared(const struct store *st)
{
    return st != NULL && st->kind == STORE_PG;
}

stc_rc store_load_done(struct store *st, store_domain_fn fn, void *ctx, uint64_t *deleted,
                       struct stc_err *err)
{
    return st->ops->load_done(st, fn, ctx, deleted, err);
}

stc_rc store_load_hosts(struct store *st, const char *config, int64_t since, store_host_fn fn,
                        void *ctx, struct stc_err *err)
{
    return st->ops->load_hosts(st, config, since, fn, ctx, err);
}

stc_rc store_add_domain(struct store *st, const struct stc_result *tree, const char *json,
                        int64_t checked_at, struct stc_err *err)
{
    return st->ops->add_domain(st, tree, json, checked_at, err);
}

stc_rc store_commit(struct store *st, struct stc_err *err)
{
    return st->ops->commit(st, err);
}

void store_rollback(struct store *st)
{
    st->ops->rollback(st);
}

stc_rc store_put_host(struct store *st, const char *host, const char *config, const void *blob,
                      size_t n, int64_t checked_at, struct stc_err *err)
{
    return st->ops->put_host(st, host, config, blob, n, checked_at, err);
}
