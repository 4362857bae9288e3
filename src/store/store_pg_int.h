/* store_pg_int.h - the PostgreSQL backend's connection, shared by store_pg and store_pgqueue. */
#ifndef STC_STORE_PG_INT_H
#define STC_STORE_PG_INT_H

#include <libpq-fe.h>

#include "../util/buf.h"
#include "store_int.h"

#define PG_RECONNECT_MS (120 * 1000) /* keep trying to reconnect this long */
#define PG_BACKOFF_MIN_MS 100
#define PG_BACKOFF_MAX_MS 5000
#define PG_SQL_MAX (64u << 20) /* one domain's transaction text */

struct pgstore {
    struct store base;
    PGconn *c;
    char *uri;
    const atomic_int *stop;
    int64_t scan_id;
    char name[STORE_NAME_MAX];
    char scan_id_text[24];
    /* the domain transaction being assembled (add_domain .. commit) */
    const struct stc_result *tree;
    const char *json;
    int64_t at;
    int pending;
    struct buf sql;
    char worker[128]; /* recorded with each domain; "" when not a worker */
};

/** Run sql (params as text, NULL = SQL NULL); on a lost connection reconnect with
 *  back-off and run it again. *res (may be NULL) gets the result to PQclear.
 *  STC_E_IO with the server's message, STC_E_INTERRUPTED when stopped. */
stc_rc pg_run(struct pgstore *p, const char *sql, int n, const char *const *params,
              PGresult **res, struct stc_err *err);
/** The connection's last error, one line, for messages. */
const char *pg_msg(PGconn *c, char *out, size_t n);
/** The store as a pgstore, or STC_E_INVAL "needs PostgreSQL" for SQLite. */
stc_rc pg_of(struct store *st, struct pgstore **out, struct stc_err *err);

#endif
