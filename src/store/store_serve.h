/* store_serve.h - where serve keeps finished checks: SQLite (one file).
 *
 * One row per finished check: id, domain, created and finished times
 * (Unix seconds), domain status and the --json document. The history
 * page and the API read them back. Thread-safe (one connection, SQLite's
 * serialized mode).
 */
#ifndef STC_STORE_SERVE_H
#define STC_STORE_SERVE_H

#include <stddef.h>
#include <time.h>

#include <starttls/error.h>

struct store_serve;

struct store_serve_row {
    char id[40];
    char domain[256];
    long long created, finished;
    int status;
    char *json; /* malloc'd (store_serve_get only); NULL in history rows */
};

/** Open (create) path; ":memory:" for none. */
stc_rc store_serve_open(const char *path, struct store_serve **out, struct stc_err *err);
void store_serve_close(struct store_serve *db);
stc_rc store_serve_put(struct store_serve *db, const struct store_serve_row *row, const char *json,
                    struct stc_err *err);
/** By id; STC_E_NOTFOUND when none. row->json is the caller's to free. */
stc_rc store_serve_get(struct store_serve *db, const char *id, struct store_serve_row *row,
                    struct stc_err *err);
/** The latest check of domain; STC_E_NOTFOUND when none. */
stc_rc store_serve_latest(struct store_serve *db, const char *domain, struct store_serve_row *row,
                       struct stc_err *err);
/** Up to max rows of domain, newest first (json NULL); *n set. */
stc_rc store_serve_history(struct store_serve *db, const char *domain, struct store_serve_row *rows,
                        size_t max, size_t *n, struct stc_err *err);

#endif
