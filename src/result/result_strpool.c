/*
 * NAME
 *     result_strpool - strings that many packed result trees share
 * SYNOPSIS
 *     struct result_strpool *pool = result_strpool_new();
 *     long id = result_strpool_id(pool, s, strlen(s));   (packing)
 *     const char *s = result_strpool_str(pool, id);       (unpacking)
 *     result_strpool_free(pool);
 * DESCRIPTION
 *     The host results a bulk scan caches repeat the same vocabulary:
 *     check names and descriptions, fact keys, and many values ("TLSv1.3",
 *     "insecure", a provider's certificate subject, a verdict message). A
 *     pool keeps one copy of each such string and names it by a small id
 *     (ids count up from 0 in the order strings came, so the vocabulary of
 *     the first hosts gets one-byte ids in result_pack's encoding).
 *
 *     A string is admitted on its second sighting: result_strpool_id
 *     remembers the hash of a string it sees for the first time (in a
 *     small direct-mapped table, so old single sightings are forgotten)
 *     and adds the string when it comes again. A string of one host only
 *     (its name, its address, the first domain that named it) is thus seen
 *     once and stays with that host's packed bytes, instead of filling the
 *     pool for good. result_pack asks once per distinct string of a tree,
 *     so repeats inside one tree do not count as a second sighting.
 *
 *     result_strpool_id takes the pool's lock. result_strpool_str does not:
 *     an id is only handed out after its string is in place (release store
 *     of the count), and a reader gets the id through bytes that reached it
 *     after that; an id not handed out yet reads as NULL.
 * LIMITS
 *     At most POOL_MAX strings and POOL_BYTES_MAX bytes, each under
 *     POOL_STR_MAX bytes; strings stay until the pool is freed, which must
 *     come after every tree that points into it. Past the limits strings are
 *     simply not shared.
 * DIAGNOSTICS
 *     result_strpool_new: NULL when out of memory. result_strpool_id: -1
 *     when the string is not shared (first sighting, too long, pool full,
 *     out of memory). result_strpool_str: NULL for an id not handed out.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/hash.h"
#include "result_int.h"
#include "result_tree.h"

#define POOL_MAX 4096u          /* strings; ids 0 .. POOL_MAX - 1 */
#define POOL_SLOTS 8192u        /* hash slots: a power of two, twice POOL_MAX */
#define POOL_STR_MAX 1024u      /* longer strings are not shared */
#define POOL_BYTES_MAX (1u << 20)
#define SEEN_SLOTS 4096u        /* first sightings remembered; a power of two */

struct result_strpool {
    pthread_mutex_t mu;
    atomic_size_t n;           /* ids handed out; by_id[i] is set before n passes i */
    size_t bytes;              /* held in by_id */
    char *by_id[POOL_MAX];
    uint16_t slot[POOL_SLOTS]; /* id + 1, 0 = free */
    uint64_t seen[SEEN_SLOTS]; /* hash | 1 of a string seen once, 0 = none */
};

struct result_strpool *result_strpool_new(void)
{
    struct result_strpool *p = calloc(1, sizeof *p);
    if (p != NULL && pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p);
        p = NULL;
    }
    return p;
}

void result_strpool_free(struct result_strpool *p)
{
    if (p == NULL)
        return;
    size_t n = atomic_load(&p->n);
    for (size_t i = 0; i < n; i++)
        free(p->by_id[i]);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

/* Add s as the next id. Lock held; the caller checked the limits. */
static long add(struct result_strpool *p, const char *s, size_t n)
{
    size_t id = atomic_load_explicit(&p->n, memory_order_relaxed);
    char *copy = malloc(n + 1);
    if (copy == NULL)
        return -1;
    memcpy(copy, s, n + 1);
    p->by_id[id] = copy;
    p->bytes += n + 1;
    atomic_store_explicit(&p->n, id + 1, memory_order_release);
    return (long)id;
}

long result_strpool_id(struct result_strpool *p, const char *s, size_t n)
{
    if (p == NULL || s == NULL || n >= POOL_STR_MAX)
        return -1;
    uint64_t h = hash_fnv1a(s, n);
    long id = -1;
    pthread_mutex_lock(&p->mu);
    size_t i = (size_t)(h ^ h >> 29) & (POOL_SLOTS - 1);
    while (p->slot[i] != 0 && strcmp(p->by_id[p->slot[i] - 1], s) != 0)
        i = (i + 1) & (POOL_SLOTS - 1);
    if (p->slot[i] != 0) {
        id = (long)p->slot[i] - 1;
    } else {
        uint64_t *seen = &p->seen[(size_t)(h >> 40) & (SEEN_SLOTS - 1)];
        if (*seen != (h | 1)) {
            *seen = h | 1; /* the first sighting: remembered, not shared yet */
        } else if (atomic_load_explicit(&p->n, memory_order_relaxed) < POOL_MAX &&
                   p->bytes + n + 1 <= POOL_BYTES_MAX && (id = add(p, s, n)) >= 0) {
            p->slot[i] = (uint16_t)(id + 1);
            *seen = 0;
        }
    }
    pthread_mutex_unlock(&p->mu);
    return id;
}

const char *result_strpool_str(struct result_strpool *p, uint64_t id)
{
    if (p == NULL || id >= atomic_load_explicit(&p->n, memory_order_acquire))
        return NULL;
    return p->by_id[id];
}
