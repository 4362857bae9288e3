/* store_int.h - the backend table behind struct store (store.c dispatches through it). */
#ifndef STC_STORE_INT_H
#define STC_STORE_INT_H

#include "store.h"

enum store_kind { STORE_SQLITE, STORE_PG };

struct store_ops {
    stc_rc (*close)(struct store *st, struct stc_err *err);
    stc_rc (*load_done)(struct store *st, store_domain_fn fn, void *ctx, uint64_t *deleted,
                        struct stc_err *err);
    stc_rc (*load_hosts)(struct store *st, const char *config, int64_t since, store_host_fn fn,
                         void *ctx, struct stc_err *err);
    stc_rc (*add_domain)(struct store *st, const struct stc_result *tree, const char *json,
                         int64_t checked_at, struct stc_err *err);
    stc_rc (*commit)(struct store *st, struct stc_err *err);
    void (*rollback)(struct store *st);
    stc_rc (*put_host)(struct store *st, const char *host, const char *config, const void *blob,
                       size_t n, int64_t checked_at, struct stc_err *err);
};

/* The first member of every backend's struct. */
struct store {
    const struct store_ops *ops;
    enum store_kind kind;
};

stc_rc store_sqlite_open(const char *path, const struct store_opts *o, struct store **out,
                         struct stc_err *err);
stc_rc store_pg_open(const char *uri, const struct store_opts *o, struct store **out,
                     struct stc_err *err);

#endif
