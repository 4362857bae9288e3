/*
 * NAME
 *     serve_jobs - the checks of the web service: queue, workers, progress
 * SYNOPSIS
 *     serve_jobs_start(s, err);   ...   serve_jobs_stop(s);
 *     serve_jobs_submit(s, "example.com", id, &fresh, err);
 *     serve_jobs_get(s, id, &copy, err);   ... free(copy.json);
 * DESCRIPTION
 *     A fixed table of SERVE_JOBS_MAX jobs and a FIFO of the queued ones;
 *     opts.max_running worker threads take jobs from it and run
 *     stc_checker_check_domain_progress, whose callback records each MX
 *     host's state in the job (the page and the API show it while the
 *     check runs). A finished check's --json document stays in its slot
 *     and goes to the database.
 *
 *     One check per domain at a time: submit returns the job of the same
 *     domain that is queued, running or finished less than opts.cache_s
 *     seconds ago instead of starting another. A new job needs a free
 *     place in the queue (opts.queue_max) and a slot not queued or
 *     running (the oldest finished one is reused).
 *
 *     serve_jobs_stop: no new jobs; queued ones are cancelled; running
 *     ones finish (every check is deadline-bounded) and are stored; the
 *     workers are joined.
 *
 *     Ids are 128 random bits (getrandom) in hex: not guessable, so a
 *     check's link is only known to whoever started it or finds it in the
 *     domain's history.
 * LIMITS
 *     SERVE_JOBS_MAX jobs in memory, SERVE_HOSTS_MAX hosts in a progress.
 * DIAGNOSTICS
 *     submit: STC_E_LIMIT (queue full), STC_E_INTERRUPTED (stopping),
 *     STC_E_IO (no randomness). get: STC_E_NOTFOUND, STC_E_NOMEM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <starttls/json.h>

#include "../util/err.h"
#include "../util/text.h"
#include "serve_int.h"

static stc_rc new_id(char *id, struct stc_err *err)
{
    unsigned char r[SERVE_ID_LEN / 2];
    static const char hex[] = "0123456789abcdef";
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        return err_set(err, STC_E_IO, "no randomness for a check id");
    for (size_t i = 0; i < sizeof r; i++) {
        id[2 * i] = hex[r[i] >> 4];
        id[2 * i + 1] = hex[r[i] & 15];
    }
    id[SERVE_ID_LEN] = '\0';
    return STC_OK;
}

/* Progress of the running check: the job is RUNNING, so its slot stays. */
static void on_progress(void *ctx, enum stc_progress_event ev, const char *host, size_t index,
                        size_t count, stc_status status)
{
    struct job *j = ((void **)ctx)[0];
    struct stc_serve *s = ((void **)ctx)[1];
    pthread_mutex_lock(&s->mu);
    switch (ev) {
    case STC_PROGRESS_MX:
        j->hosts_total = count;
        if (index < SERVE_HOSTS_MAX && host != NULL) {
            snprintf(j->host[index].name, sizeof j->host[index].name, "%s", host);
            j->host[index].state = HOST_PENDING;
            if (index + 1 > j->nhosts)
                j->nhosts = index + 1;
        }
        break;
    case STC_PROGRESS_HOST_START:
        if (index < j->nhosts)
            j->host[index].state = HOST_RUNNING;
        break;
    case STC_PROGRESS_HOST_DONE:
        if (index < j->nhosts) {
            j->host[index].state = HOST_DONE;
            j->host[index].status = (int)status;
        }
        break;
    case STC_PROGRESS_DOMAIN_CHECKS: j->domain_checks = 1; break;
    default: break;
    }
    pthread_mutex_unlock(&s->mu);
}

static void run_job(struct stc_serve *s, struct job *j)
{
    struct stc_result *r = NULL;
    struct stc_err e = {STC_OK, ""};
    char *json = NULL;
    void *ctx[2] = {j, s};
    int status = STC_DOMAIN_ERROR;
    if (stc_checker_check_domain_progress(s->checker, j->domain, NULL, on_progress, ctx, &r,
                                          &e) == STC_OK) {
        status = (int)stc_result_domain_status(r);
        if (stc_result_to_json(r, STC_JSON_COMPACT, &json, &e) != STC_OK)
            json = NULL;
    }
    if (json == NULL) { /* the check itself failed (out of memory): say so as a document */
        char buf[STC_ERR_MSG_MAX * 4 + STC_DOMAIN_MAX + 128];
        char esc[STC_ERR_MSG_MAX * 4];
        text_escape(e.msg, strlen(e.msg), esc, sizeof esc);
        for (char *p = esc; *p; p++)
            if (*p == '"' || *p == '\\')
                *p = '?';
        snprintf(buf, sizeof buf, "{\"domain\":\"%s\",\"status\":3,\"status_text\":\"error\","
                                  "\"message\":\"%s\"}", j->domain, esc);
        json = text_dup(buf);
    }
    stc_result_free(r);
    time_t now = time(NULL);
    if (json != NULL) {
        struct store_serve_row row = {.created = j->created, .finished = now, .status = status};
        snprintf(row.id, sizeof row.id, "%s", j->id);
        snprintf(row.domain, sizeof row.domain, "%s", j->domain);
        struct stc_err dbe = {STC_OK, ""};
        if (store_serve_put(s->db, &row, json, &dbe) != STC_OK)
            fprintf(stderr, "serve: %s\n", dbe.msg);
    }
    pthread_mutex_lock(&s->mu);
    j->json = json;
    j->status = status;
    j->finished = now;
    j->state = JOB_DONE;
    s->running--;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

static void *worker(void *arg)
{
    struct stc_serve *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (s->qhead == NULL && !s->stopping)
            pthread_cond_wait(&s->cv, &s->mu);
        if (s->qhead == NULL)
            break; /* stopping and nothing queued (queued jobs were cancelled) */
        struct job *j = s->qhead;
        s->qhead = j->qnext;
        if (s->qhead == NULL)
            s->qtail = NULL;
        j->qnext = NULL;
        s->queued--;
        s->running++;
        j->state = JOB_RUNNING;
        pthread_mutex_unlock(&s->mu);
        run_job(s, j);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

stc_rc serve_jobs_start(struct stc_serve *s, struct stc_err *err)
{
    s->jobs = calloc(SERVE_JOBS_MAX, sizeof *s->jobs);
    s->workers = calloc(s->opts.max_running, sizeof *s->workers);
    if (s->jobs == NULL || s->workers == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < s->opts.max_running; i++) {
        if (pthread_create(&s->workers[i], NULL, worker, s) != 0)
            return err_set(err, STC_E_INTERNAL, "cannot start a worker thread");
        s->nworkers++;
    }
    return STC_OK;
}

void serve_jobs_stop(struct stc_serve *s)
{
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    for (struct job *j = s->qhead; j != NULL; j = j->qnext)
        j->state = JOB_CANCELLED;
    s->qhead = s->qtail = NULL;
    s->queued = 0;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    for (size_t i = 0; i < s->nworkers; i++)
        pthread_join(s->workers[i], NULL);
    s->nworkers = 0;
    for (size_t i = 0; s->jobs != NULL && i < SERVE_JOBS_MAX; i++)
        free(s->jobs[i].json);
    free(s->jobs);
    free(s->workers);
    s->jobs = NULL;
    s->workers = NULL;
}

/* Under s->mu: the job of domain that answers a new request, or NULL. */
static struct job *recent(struct stc_serve *s, const char *domain, time_t now)
{
    struct job *best = NULL;
    for (size_t i = 0; i < SERVE_JOBS_MAX; i++) {
        struct job *j = &s->jobs[i];
        if (!j->used || strcmp(j->domain, domain) != 0)
            continue;
        if (j->state == JOB_QUEUED || j->state == JOB_RUNNING)
            return j;
        if (j->state == JOB_DONE && now - j->finished < (time_t)s->opts.cache_s &&
            (best == NULL || j->finished > best->finished))
            best = j;
    }
    return best;
}

int serve_jobs_has_recent(struct stc_serve *s, const char *domain)
{
    pthread_mutex_lock(&s->mu);
    int r = recent(s, domain, time(NULL)) != NULL;
    pthread_mutex_unlock(&s->mu);
    return r;
}

/* Under s->mu: a slot neither queued nor running, the oldest finished first. */
static struct job *free_slot(struct stc_serve *s)
{
    struct job *pick = NULL;
    for (size_t i = 0; i < SERVE_JOBS_MAX; i++) {
        struct job *j = &s->jobs[(s->next_slot + i) % SERVE_JOBS_MAX];
        if (!j->used)
            return j;
        if ((j->state == JOB_DONE || j->state == JOB_CANCELLED) &&
            (pick == NULL || j->finished < pick->finished))
            pick = j;
    }
    return pick;
}

stc_rc serve_jobs_submit(struct stc_serve *s, const char *domain, char *id, int *fresh,
                         struct stc_err *err)
{
    stc_rc rc = STC_OK;
    time_t now = time(NULL);
    *fresh = 0;
    pthread_mutex_lock(&s->mu);
    struct job *j = recent(s, domain, now);
    if (j != NULL) {
        memcpy(id, j->id, SERVE_ID_LEN + 1);
        goto out;
    }
    STC_ENSURE(!s->stopping, err, STC_E_INTERRUPTED, "the service is shutting down");
    STC_ENSURE(s->queued < s->opts.queue_max, err, STC_E_LIMIT,
               "too many checks waiting (%zu); try again in a minute", s->queued);
    j = free_slot(s);
    STC_ENSURE(j != NULL, err, STC_E_LIMIT, "too many checks in progress");
    STC_GUARD(new_id(id, err));
    free(j->json);
    memset(j, 0, sizeof *j);
    j->used = 1;
    memcpy(j->id, id, SERVE_ID_LEN + 1);
    snprintf(j->domain, sizeof j->domain, "%s", domain);
    j->state = JOB_QUEUED;
    j->created = now;
    s->next_slot = (size_t)(j - s->jobs + 1) % SERVE_JOBS_MAX;
    if (s->qtail != NULL)
        s->qtail->qnext = j;
    else
        s->qhead = j;
    s->qtail = j;
    s->queued++;
    *fresh = 1;
    pthread_cond_signal(&s->cv);
out:
    pthread_mutex_unlock(&s->mu);
    return rc;
}

stc_rc serve_jobs_get(struct stc_serve *s, const char *id, struct job *copy, struct stc_err *err)
{
    stc_rc rc = STC_E_NOTFOUND;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < SERVE_JOBS_MAX; i++) {
        struct job *j = &s->jobs[i];
        if (!j->used || strcmp(j->id, id) != 0)
            continue;
        *copy = *j;
        copy->qnext = NULL;
        copy->json = NULL;
        rc = STC_OK;
        if (j->json != NULL && (copy->json = text_dup(j->json)) == NULL)
            rc = err_set(err, STC_E_NOMEM, "out of memory");
        break;
    }
    pthread_mutex_unlock(&s->mu);
    if (rc == STC_E_NOTFOUND)
        err_set(err, rc, "no such check");
    return rc;
}
