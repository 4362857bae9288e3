/* serve_db.h - where serve keeps finished checks: SQLite (one file).
 *
 * One row per finished check: id, domain, created and finished times
 * (Unix seconds), domain status and the --json document. The history
 * page and the API read them back. Thread-safe (one connection, SQLite's
 * serialized mode).
 */
#ifndef STC_SERVE_DB_H
#define STC_SERVE_DB_H

#include <stddef.h>
#include <time.h>

#include <starttls/error.h>

struct serve_db;

struct serve_row {
    char id[40];
    char domain[256];
    long long created, finished;
    int status;
    char *json; /* malloc'd (serve_db_get only); NULL in history rows */
};

/** Open (create) path; ":memory:" for none. */
stc_rc serve_db_open(const char *path, struct serve_db **out, struct stc_err *err);
void serve_db_close(struct serve_db *db);
stc_rc serve_db_put(struct serve_db *db, const struct serve_row *row, const char *json,
                    struct stc_err *err);
/** By id; STC_E_NOTFOUND when none. row->json is the caller's to free. */
stc_rc serve_db_get(struct serve_db *db, const char *id, struct serve_row *row,
                    struct stc_err *err);
/** The latest check of domain; STC_E_NOTFOUND when none. */
stc_rc serve_db_latest(struct serve_db *db, const char *domain, struct serve_row *row,
                       struct stc_err *err);
/** Up to max rows of domain, newest first (json NULL); *n set. */
stc_rc serve_db_history(struct serve_db *db, const char *domain, struct serve_row *rows,
                        size_t max, size_t *n, struct stc_err *err);

#endif
