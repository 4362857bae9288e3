/* serve.h - the web service: a page and a JSON API over one checker.
 *
 * stc_serve_start() listens, starts the worker threads and returns; the
 * caller waits (for a signal) and ends it with stc_serve_stop(), which
 * stops accepting, cancels the checks still queued, lets the running ones
 * finish within their deadline and frees everything. docs/serve.md and
 * docs/openapi.yaml describe the pages and the API.
 */
#ifndef STARTTLS_SERVE_H
#define STARTTLS_SERVE_H

#include "checker.h"
#include "error.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

struct stc_serve;

struct stc_serve_opts {
    const char *listen;     /**< "ADDR:PORT" or "[ADDR6]:PORT" (default 127.0.0.1:8025; port 0: any) */
    const char *db;         /**< SQLite file of finished checks (default "starttls-serve.db") */
    int allow_private;      /**< connect to private, loopback, ... addresses (tests only) */
    unsigned max_running;   /**< checks at the same time (default 4) */
    unsigned queue_max;     /**< checks waiting for a worker (default 64); more: 503 */
    unsigned rate_per_min;  /**< check starts per client per minute (default 10); more: 429 */
    unsigned cache_s;       /**< a domain asked again within this returns the same check (300) */
    unsigned max_conns;     /**< HTTP connections at once (default 512) */
};

/** Fill o with the defaults. */
STC_EXPORT void stc_serve_opts_init(struct stc_serve_opts *o);

/**
 * Start the service: the checker is made from cfg, with the address filter
 * on (stc_config_set_public_only) unless o->allow_private. STC_E_INVAL for
 * a bad option, STC_E_IO when the address cannot be bound or the database
 * opened, STC_E_NOMEM.
 */
STC_EXPORT stc_rc stc_serve_start(const struct stc_serve_opts *o, struct stc_config *cfg,
                                  struct stc_serve **out, struct stc_err *err);

/** The TCP port the service listens on (useful with port 0). */
STC_EXPORT int stc_serve_port(const struct stc_serve *s);

/** Graceful stop (see above); s is freed. NULL is fine. */
STC_EXPORT void stc_serve_stop(struct stc_serve *s);

#ifdef __cplusplus
}
#endif
#endif
