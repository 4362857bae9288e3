/*
 * NAME
 *     dns_sockpool - connected UDP sockets to a loopback resolver, kept for reuse
 * SYNOPSIS
 *     dns_sockpool_new(&pool, err);
 *     int fd = dns_sockpool_take(pool, &uses);     -1: open a new one
 *     dns_sockpool_give(pool, fd, uses + 1);       after a clean answer
 * DESCRIPTION
 *     A bulk scan asks three or four questions per domain; opening,
 *     connecting and closing a UDP socket for each was a third of the
 *     scan's system calls. For a resolver on loopback, where no off-path
 *     attacker can race the answer, a socket that carried a question and
 *     got its answer is kept and carries the next one (under a fresh
 *     random ID, answers still matched to ID and question). dns_stub.c
 *     gives back only sockets whose one question was answered with no
 *     resend outstanding; anything else is closed.
 * LIMITS
 *     At most POOL_MAX idle sockets; a socket is retired after
 *     USES_MAX questions, so the source port still changes.
 * DIAGNOSTICS
 *     new: STC_E_NOMEM, STC_E_INTERNAL (mutex).
 */
#include "dns_sockpool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define POOL_MAX 512
#define USES_MAX 256

struct dns_sockpool {
    pthread_mutex_t mu;
    size_t n;
    int fd[POOL_MAX];
    unsigned uses[POOL_MAX];
};

stc_rc dns_sockpool_new(struct dns_sockpool **out, struct stc_err *err)
{
    struct dns_sockpool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p);
        return err_set(err, STC_E_INTERNAL, "pthread_mutex_init failed");
    }
    *out = p;
    return STC_OK;
}

void dns_sockpool_free(struct dns_sockpool *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n; i++)
        close(p->fd[i]);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

int dns_sockpool_take(struct dns_sockpool *p, unsigned *uses)
{
    int fd = -1;
    pthread_mutex_lock(&p->mu);
    if (p->n > 0) {
        p->n--;
        fd = p->fd[p->n];
        *uses = p->uses[p->n];
    }
    pthread_mutex_unlock(&p->mu);
    return fd;
}

void dns_sockpool_give(struct dns_sockpool *p, int fd, unsigned uses)
{
    if (uses < USES_MAX) {
        pthread_mutex_lock(&p->mu);
        if (p->n < POOL_MAX) {
            p->fd[p->n] = fd;
            p->uses[p->n] = uses;
            p->n++;
            fd = -1;
        }
        pthread_mutex_unlock(&p->mu);
    }
    if (fd >= 0)
        close(fd);
}

size_t dns_sockpool_idle(struct dns_sockpool *p)
{
    pthread_mutex_lock(&p->mu);
    size_t n = p->n;
    pthread_mutex_unlock(&p->mu);
    return n;
}
