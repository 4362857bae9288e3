/*
 * NAME
 *     serve - start and stop the web service (include/starttls/serve.h)
 * SYNOPSIS
 *     struct stc_serve_opts o; stc_serve_opts_init(&o); o.listen = "127.0.0.1:8025";
 *     stc_serve_start(&o, cfg, &srv, err);  ...  stc_serve_stop(srv);
 * DESCRIPTION
 *     start: checks the options, turns the address filter on in cfg unless
 *     allow_private, makes the checker, opens the database, starts the
 *     workers (serve_jobs.c) and the HTTP daemon (serve_http.c). stop: the
 *     listening socket closes first (no new connection), then the jobs
 *     stop (queued ones cancelled, running ones finish within their
 *     deadline and are stored), then the daemon and the rest.
 * DIAGNOSTICS
 *     STC_E_INVAL bad options, STC_E_IO listen or database, STC_E_NOMEM,
 *     and what stc_checker_new returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/err.h"
#include "serve_int.h"

void stc_serve_opts_init(struct stc_serve_opts *o)
{
    memset(o, 0, sizeof *o);
    o->listen = "127.0.0.1:8025";
    o->db = "starttls-serve.db";
    o->max_running = 4;
    o->queue_max = 64;
    o->rate_per_min = 10;
    o->cache_s = 300;
    o->max_conns = 512;
}

static void destroy(struct stc_serve *s)
{
    serve_http_stop(s);
    serve_jobs_stop(s);
    store_serve_close(s->db);
    stc_checker_free(s->checker);
    serve_rate_destroy(&s->rate);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

stc_rc stc_serve_start(const struct stc_serve_opts *o, struct stc_config *cfg,
                       struct stc_serve **out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct stc_serve *s = NULL;
    STC_ENSURE(o != NULL && cfg != NULL && out != NULL, err, STC_E_INVAL, "serve: no options");
    STC_ENSURE(o->max_running >= 1 && o->max_running <= 256, err, STC_E_INVAL,
               "--max-checks must be 1..256");
    STC_ENSURE(o->queue_max + o->max_running <= SERVE_JOBS_MAX / 2, err, STC_E_INVAL,
               "--queue plus --max-checks must be at most %d", SERVE_JOBS_MAX / 2);
    STC_ENSURE(o->max_conns >= 1 && o->max_conns <= 65536, err, STC_E_INVAL,
               "--max-connections must be 1..65536");
    STC_ENSURE(o->listen != NULL && strlen(o->listen) < 300, err, STC_E_INVAL, "bad --listen");
    STC_ENSURE(o->db != NULL && strlen(o->db) < 4096, err, STC_E_INVAL, "bad --db");
    s = calloc(1, sizeof *s);
    STC_ENSURE(s != NULL, err, STC_E_NOMEM, "out of memory");
    s->opts = *o;
    snprintf(s->listen, sizeof s->listen, "%s", o->listen);
    snprintf(s->dbpath, sizeof s->dbpath, "%s", o->db);
    s->opts.listen = s->listen;
    s->opts.db = s->dbpath;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    serve_rate_init(&s->rate, o->rate_per_min);
    STC_GUARD(stc_config_set_public_only(cfg, !o->allow_private, err));
    STC_GUARD(stc_checker_new(cfg, &s->checker, err));
    STC_GUARD(store_serve_open(s->dbpath, &s->db, err));
    STC_GUARD(serve_jobs_start(s, err));
    STC_GUARD(serve_http_start(s, err));
    *out = s;
    return STC_OK;
out:
    if (s != NULL)
        destroy(s);
    return rc;
}

int stc_serve_port(const struct stc_serve *s)
{
    return s != NULL ? s->port : 0;
}

void stc_serve_stop(struct stc_serve *s)
{
    if (s == NULL)
        return;
    serve_http_quiesce(s); /* no new connection from here on */
    serve_jobs_stop(s);    /* queued: cancelled; running: finish and are stored */
    destroy(s);
}
