/* serve_int.h - the inside of struct stc_serve, shared by the serve files. */
#ifndef STC_SERVE_INT_H
#define STC_SERVE_INT_H

#include <pthread.h>
#include <time.h>

#include <starttls/checker.h>
#include <starttls/serve.h>

#include "../util/limits.h"
#include "../store/store_serve.h"
#include "serve_rate.h"

#define SERVE_ID_LEN 32         /* hex digits of a check id (128 random bits) */
#define SERVE_JOBS_MAX 1024     /* checks kept in memory (finished ones are in the db too) */
#define SERVE_HOSTS_MAX 16      /* MX hosts shown in the progress */

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_CANCELLED };
enum host_state { HOST_PENDING, HOST_RUNNING, HOST_DONE };

struct job_host {
    char name[STC_DOMAIN_MAX + 2];
    int state;  /* enum host_state */
    int status; /* stc_status when done */
};

struct job {
    char id[SERVE_ID_LEN + 1];
    char domain[STC_DOMAIN_MAX + 2];
    int state;               /* enum job_state */
    time_t created, finished;
    size_t nhosts, hosts_total;
    struct job_host host[SERVE_HOSTS_MAX];
    int domain_checks;       /* the domain-level checks began */
    int status;              /* domain status when done */
    char *json;              /* the --json document when done; owned */
    struct job *qnext;       /* queue link */
    int used;
};

struct stc_serve {
    struct stc_serve_opts opts;
    char listen[300];
    char dbpath[4096];
    struct stc_checker *checker;
    struct store_serve *db;
    struct serve_rate rate;
    void *httpd;             /* struct MHD_Daemon */
    int port;

    pthread_mutex_t mu;      /* guards everything below */
    pthread_cond_t cv;
    struct job *jobs;        /* SERVE_JOBS_MAX slots */
    size_t next_slot;
    struct job *qhead, *qtail;
    size_t queued, running;
    int stopping;
    pthread_t *workers;
    size_t nworkers;
};

/* serve_jobs.c */
stc_rc serve_jobs_start(struct stc_serve *s, struct stc_err *err);
void serve_jobs_stop(struct stc_serve *s);
/** Start (or find) the check of a normalized domain. *id gets its id;
 * *fresh whether it is new. STC_E_LIMIT when the queue is full, STC_E_INTERRUPTED
 * when stopping. */
stc_rc serve_jobs_submit(struct stc_serve *s, const char *domain, char *id, int *fresh,
                         struct stc_err *err);
/** A copy of job id (json duplicated, caller frees); STC_E_NOTFOUND if not in memory. */
stc_rc serve_jobs_get(struct stc_serve *s, const char *id, struct job *copy, struct stc_err *err);
/** Whether a recent or running job of domain exists (no new one may be needed). */
int serve_jobs_has_recent(struct stc_serve *s, const char *domain);

/* serve_http.c */
stc_rc serve_http_start(struct stc_serve *s, struct stc_err *err);
void serve_http_quiesce(struct stc_serve *s);
void serve_http_stop(struct stc_serve *s);

#endif
