/* store_serve_pg.h - serve's finished checks in PostgreSQL (see store_serve.h). */
#ifndef STC_STORE_SERVE_PG_H
#define STC_STORE_SERVE_PG_H

#include <stddef.h>

#include "store_serve.h"

struct store_serve_pg;

stc_rc store_serve_pg_open(const char *uri, struct store_serve_pg **out, struct stc_err *err);
void store_serve_pg_close(struct store_serve_pg *p);
stc_rc store_serve_pg_put(struct store_serve_pg *p, const struct store_serve_row *row,
                          const char *json, struct stc_err *err);
/** by_domain 0: the row with id key; 1: the latest row of domain key. */
stc_rc store_serve_pg_one(struct store_serve_pg *p, int by_domain, const char *key,
                          struct store_serve_row *row, struct stc_err *err);
stc_rc store_serve_pg_history(struct store_serve_pg *p, const char *domain,
                              struct store_serve_row *rows, size_t max, size_t *n,
                              struct stc_err *err);

#endif
