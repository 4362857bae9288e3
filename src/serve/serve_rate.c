/*
 * NAME
 *     serve_rate - a token bucket per client address
 * SYNOPSIS
 *     serve_rate_init(&r, 10);   secs = serve_rate_take(&r, sa);   0: go
 * DESCRIPTION
 *     A client is its IPv4 address, or the /64 of its IPv6 address (one
 *     host usually has a whole /64). Buckets live in a fixed table hashed
 *     by the key with linear probing over 8 slots; when all 8 are taken the
 *     least recently used of them is reused, so memory stays fixed and a
 *     flood of addresses only forgets old clients. Each bucket holds up to
 *     per_min tokens and refills per_min per minute.
 * LIMITS
 *     SERVE_RATE_SLOTS clients remembered.
 * DIAGNOSTICS
 *     None.
 */
#include "serve_rate.h"

#include <math.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define PROBE 8

void serve_rate_init(struct serve_rate *r, unsigned per_min)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    r->burst = per_min;
    r->per_sec = per_min / 60.0;
}

void serve_rate_destroy(struct serve_rate *r)
{
    pthread_mutex_destroy(&r->mu);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void key_of(const void *sockaddr, uint8_t key[16])
{
    const struct sockaddr *sa = sockaddr;
    memset(key, 0, 16);
    if (sa == NULL)
        return;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = sockaddr;
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &in->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = sockaddr;
        memcpy(key, &in6->sin6_addr, 8); /* the /64 */
    }
}

static size_t hash(const uint8_t key[16])
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (int i = 0; i < 16; i++)
        h = (h ^ key[i]) * 16777619u;
    return h % SERVE_RATE_SLOTS;
}

unsigned serve_rate_take(struct serve_rate *r, const void *sockaddr)
{
    uint8_t key[16];
    if (r->burst <= 0)
        return 0;
    key_of(sockaddr, key);
    double t = now_s();
    unsigned wait = 0;
    pthread_mutex_lock(&r->mu);
    size_t h = hash(key), pick = SERVE_RATE_SLOTS;
    struct serve_rate_slot *s = NULL;
    for (size_t i = 0; i < PROBE; i++) {
        size_t idx = (h + i) % SERVE_RATE_SLOTS;
        struct serve_rate_slot *c = &r->slot[idx];
        if (c->used && memcmp(c->key, key, 16) == 0) {
            s = c;
            break;
        }
        if (pick == SERVE_RATE_SLOTS ||
            (r->slot[pick].used && (!c->used || c->last < r->slot[pick].last)))
            pick = idx; /* a free slot, else the least recently used */
    }
    if (s == NULL) {
        s = &r->slot[pick];
        memcpy(s->key, key, 16);
        s->used = 1;
        s->tokens = r->burst;
        s->last = t;
    }
    s->tokens = fmin(r->burst, s->tokens + (t - s->last) * r->per_sec);
    s->last = t;
    if (s->tokens >= 1.0)
        s->tokens -= 1.0;
    else
        wait = (unsigned)ceil((1.0 - s->tokens) / r->per_sec);
    pthread_mutex_unlock(&r->mu);
    return wait;
}
