/*
 * NAME
 *     scan_seen - a set of name hashes
 * SYNOPSIS
 *     struct scan_seen s; scan_seen_init(&s);
 *     scan_seen_add(&s, "example.com", &was_new, err);
 *     scan_seen_has(&s, "example.com");
 *     scan_seen_free(&s);
 * DESCRIPTION
 *     Keeps only a 64-bit hash per name (8-16 bytes per entry with the load
 *     factor), so a million-domain input costs about 16 MB. The caller owns
 *     the set; it is not locked (one thread at a time).
 * LIMITS
 *     Two different names share a hash with probability ~n^2/2^65 (about
 *     3e-8 for a million names); such a name would count as a duplicate.
 * DIAGNOSTICS
 *     scan_seen_add: STC_E_NOMEM when the table cannot grow.
 */
#include "scan_seen.h"

#include <stdlib.h>
#include <string.h>

#include "../util/err.h"

uint64_t scan_hash(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    /* splitmix64 finalizer: spread FNV's low bits. */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h ? h : 1;
}

void scan_seen_init(struct scan_seen *s)
{
    memset(s, 0, sizeof *s);
}

void scan_seen_free(struct scan_seen *s)
{
    free(s->slots);
    memset(s, 0, sizeof *s);
}

static int insert(uint64_t *slots, size_t cap, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (slots[i] != 0) {
        if (slots[i] == h)
            return 0;
        i = (i + 1) & (cap - 1);
    }
    slots[i] = h;
    return 1;
}

static stc_rc grow(struct scan_seen *s, struct stc_err *err)
{
    size_t ncap = s->cap ? s->cap * 2 : 1024;
    uint64_t *ns = calloc(ncap, sizeof *ns);
    if (ns == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory (seen set of %zu names)", s->n);
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i] != 0)
            insert(ns, ncap, s->slots[i]);
    free(s->slots);
    s->slots = ns;
    s->cap = ncap;
    return STC_OK;
}

stc_rc scan_seen_add(struct scan_seen *s, const char *key, int *was_new, struct stc_err *err)
{
    if ((s->n + 1) * 2 > s->cap) {
        stc_rc rc = grow(s, err);
        if (rc != STC_OK)
            return rc;
    }
    int fresh = insert(s->slots, s->cap, scan_hash(key, strlen(key)));
    s->n += (size_t)fresh;
    if (was_new != NULL)
        *was_new = fresh;
    return STC_OK;
}

int scan_seen_has(const struct scan_seen *s, const char *key)
{
    if (s->cap == 0)
        return 0;
    uint64_t h = scan_hash(key, strlen(key));
    size_t i = (size_t)h & (s->cap - 1);
    while (s->slots[i] != 0) {
        if (s->slots[i] == h)
            return 1;
        i = (i + 1) & (s->cap - 1);
    }
    return 0;
}
