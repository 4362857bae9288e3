/* store.h - result stores and work queues: SQLite (a file) or PostgreSQL (a URI).
 *
 * The scan layer talks to one interface whatever the backend. store_open
 * picks it by the name: "postgresql://..." or "postgres://..." (or a libpq
 * "key=value" string starting with "host=", "dbname=" or "service=") is
 * PostgreSQL, anything else a SQLite file. The logical schema is the same
 * (domains, hosts, checks, host_cache; PostgreSQL adds scans, jobs,
 * rejects and a scan column: many scans share one database).
 */
#ifndef STC_STORE_H
#define STC_STORE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <starttls/error.h>
#include <starttls/result.h>
#include <starttls/scan.h>

struct store;

#define STORE_BUSY_MS 5000       /* SQLite: wait this long for another program's lock */
#define STORE_NAME_MAX 128       /* scan names (PostgreSQL) */
#define STORE_DEFAULT_NAME "default"

struct store_opts {
    int resume;             /* keep the rows already there; else the scan's rows are emptied */
    int keep;               /* open only: neither create a scan nor empty anything */
    const atomic_int *stop; /* may be NULL: non-zero cuts waits short */
    const char *name;       /* PostgreSQL scan name; NULL: STORE_DEFAULT_NAME */
    int nameless;           /* PostgreSQL: connect and make the schema, no scan row */
};

/** 1 when uri names a PostgreSQL database. */
int store_is_pg(const char *uri);

/** Open or create the store with its schema. STC_E_IO (message names the cause: a bad
 *  connection string, authentication, a missing database), STC_E_NOTFOUND for a scan
 *  name that does not exist with keep, STC_E_INVAL for a bad name, STC_E_NOMEM. */
stc_rc store_open(const char *uri, const struct store_opts *o, struct store **out,
                  struct stc_err *err);
/** Close; a transaction still open is rolled back. NULL is fine. STC_E_IO. */
stc_rc store_close(struct store *st, struct stc_err *err);
/** 1 for a store many processes share (PostgreSQL). */
int store_shared(const struct store *st);

/**
 * Visit every recorded domain of the scan: fn sets *keep to 0 to have the
 * domain's rows deleted (kept consistent with a JSON Lines file).
 * STC_E_IO, or fn's error.
 */
typedef stc_rc (*store_domain_fn)(void *ctx, const char *domain, int *keep, struct stc_err *err);
stc_rc store_load_done(struct store *st, store_domain_fn fn, void *ctx, uint64_t *deleted,
                       struct stc_err *err);

/** Visit host_cache rows made with options config (scan_ckey) at or after since (unix s). */
typedef stc_rc (*store_host_fn)(void *ctx, const char *host, const void *blob, size_t n,
                                int64_t checked_at, struct stc_err *err);
stc_rc store_load_hosts(struct store *st, const char *config, int64_t since, store_host_fn fn,
                        void *ctx, struct stc_err *err);

/**
 * A domain's rows, as one transaction: add_domain opens it (tree and json
 * must live until store_commit or store_rollback), store_commit makes it
 * durable (PostgreSQL: also marks the domain's job done; after a lost
 * connection it reconnects with back-off and writes the whole transaction
 * again). STC_E_IO; STC_E_INTERRUPTED when stopped while reconnecting.
 */
stc_rc store_add_domain(struct store *st, const struct stc_result *tree, const char *json,
                        int64_t checked_at, struct stc_err *err);
stc_rc store_commit(struct store *st, struct stc_err *err);
void store_rollback(struct store *st);

/** Record a host_cache row (result made with options config), its own transaction. */
stc_rc store_put_host(struct store *st, const char *host, const char *config, const void *blob,
                      size_t n, int64_t checked_at, struct stc_err *err);

#endif
