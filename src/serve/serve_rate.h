/* serve_rate.h - per-client rate limit for starting checks (token buckets). */
#ifndef STC_SERVE_RATE_H
#define STC_SERVE_RATE_H

#include <pthread.h>
#include <stdint.h>

#define SERVE_RATE_SLOTS 4096

struct serve_rate_slot {
    uint8_t key[16]; /* IPv4-mapped or the IPv6 /64 */
    double tokens;
    double last;     /* monotonic seconds */
    int used;
};

struct serve_rate {
    pthread_mutex_t mu;
    double per_sec;  /* refill */
    double burst;    /* bucket size */
    struct serve_rate_slot slot[SERVE_RATE_SLOTS];
};

/** per_min starts per client per minute, all of them at once at most. 0: no limit. */
void serve_rate_init(struct serve_rate *r, unsigned per_min);
void serve_rate_destroy(struct serve_rate *r);
/** 0 when addr (a struct sockaddr) may start a check now (a token taken), else the
 * seconds until it may (for Retry-After, >= 1). */
unsigned serve_rate_take(struct serve_rate *r, const void *sockaddr);

#endif
