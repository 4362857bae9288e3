/* scan_db.h - the SQLite store of a scan: results, resume state, persistent host cache. */
#ifndef STC_SCAN_DB_H
#define STC_SCAN_DB_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <starttls/error.h>
#include <starttls/result.h>

#include "scan_seen.h"

struct scan_db;

#define SCAN_DB_BUSY_MS 5000

/** Open or create path with the schema. Without resume, the result tables are emptied
 *  (host_cache is kept). While another program holds a lock, a write waits up to
 *  SCAN_DB_BUSY_MS, less once *stop (may be NULL) is non-zero. STC_E_IO. */
stc_rc scan_db_open(const char *path, int resume, const atomic_int *stop, struct scan_db **out,
                    struct stc_err *err);
/** Close; a transaction still open is rolled back. STC_E_IO. */
stc_rc scan_db_close(struct scan_db *db, struct stc_err *err);

/**
 * Add every recorded domain to done (*n counts them). With filter non-NULL,
 * rows of domains not in filter are deleted instead (kept consistent with
 * the JSON Lines file). STC_E_IO, STC_E_NOMEM.
 */
stc_rc scan_db_load_done(struct scan_db *db, struct scan_seen *done, const struct scan_seen *filter,
                         uint64_t *n, uint64_t *deleted, struct stc_err *err);

/** Visit host_cache rows made with options config (scan_ckey) at or after since (unix s). */
typedef stc_rc (*scan_db_host_fn)(void *ctx, const char *host, const void *blob, size_t n,
                                  int64_t checked_at, struct stc_err *err);
stc_rc scan_db_load_hosts(struct scan_db *db, const char *config, int64_t since,
                          scan_db_host_fn fn, void *ctx, struct stc_err *err);

/** Open the domain's transaction and write its domains/hosts/checks rows; then
 *  scan_db_commit, or scan_db_rollback on any failure. STC_E_IO. */
stc_rc scan_db_add_domain(struct scan_db *db, const struct stc_result *tree, const char *json,
                          int64_t checked_at, struct stc_err *err);
/** Record a host_cache row (result made with options config), its own transaction. STC_E_IO. */
stc_rc scan_db_put_host(struct scan_db *db, const char *host, const char *config,
                        const void *blob, size_t n, int64_t checked_at, struct stc_err *err);
/** Commit the open transaction (no-op when none); rolled back when that fails. STC_E_IO. */
stc_rc scan_db_commit(struct scan_db *db, struct stc_err *err);
/** Roll back the open transaction, if any. */
void scan_db_rollback(struct scan_db *db);

#endif
