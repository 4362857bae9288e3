/*
 * NAME
 *     scan_seen - a set of names
 * SYNOPSIS
 *     struct scan_seen s; scan_seen_init(&s);
 *     scan_seen_add(&s, "example.com", &was_new, err);
 *     scan_seen_has(&s, "example.com");
 *     scan_seen_free(&s);
 * DESCRIPTION
 *     Exact: each name is kept (in 64 KiB arena chunks), its slot holding
 *     the high half of its 64-bit hash and its offset in the arena, and a
 *     tag match is confirmed by comparing the names, so no crafted name
 *     can pass for another (a duplicate or an already-done domain). An
 *     8-byte slot, the table at most 3/4 full (8 to 16 bytes a name), plus
 *     the name: some 30 MB for a million domains. The caller owns the set;
 *     it is not locked (one thread at a time).
 * LIMITS
 *     Memory grows with the number of distinct names; names up to 64 KiB - 1
 *     bytes (STC_E_INVAL past it), 4 GiB of names in all (STC_E_LIMIT).
 * DIAGNOSTICS
 *     scan_seen_add: STC_E_NOMEM when the table or arena cannot grow,
 *     STC_E_INVAL for a name past the limit, STC_E_LIMIT past 4 GiB of names.
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

#define SEEN_CHUNK (64u * 1024) /* a name is at most SEEN_CHUNK - 1 bytes */
#define OFF_MAX UINT32_MAX

void scan_seen_init(struct scan_seen *s)
{
    memset(s, 0, sizeof *s);
    s->hash = scan_hash;
}

void scan_seen_free(struct scan_seen *s)
{
    free(s->slots);
    for (size_t i = 0; i < s->nchunks; i++)
        free(s->chunks[i]);
    free(s->chunks);
    memset(s, 0, sizeof *s);
    s->hash = scan_hash;
}

static const char *name_at(const struct scan_seen *s, uint32_t off)
{
    return s->chunks[off / SEEN_CHUNK] + off % SEEN_CHUNK;
}

/* A copy of key (n bytes + NUL) in the arena; its offset in *off. */
static stc_rc keep(struct scan_seen *s, const char *key, size_t n, uint32_t *off,
                   struct stc_err *err)
{
    if (n + 1 > SEEN_CHUNK)
        return err_set(err, STC_E_INVAL, "name of %zu bytes too long for a set", n);
    if (s->nchunks == 0 || SEEN_CHUNK - s->used < n + 1) {
        if ((uint64_t)(s->nchunks + 1) * SEEN_CHUNK > (uint64_t)OFF_MAX + 1)
            return err_set(err, STC_E_LIMIT, "set of names past 4 GiB");
        char **c = realloc(s->chunks, (s->nchunks + 1) * sizeof *c);
        if (c == NULL)
            return err_set(err, STC_E_NOMEM, "out of memory (set of %zu names)", s->n);
        s->chunks = c;
        if ((c[s->nchunks] = malloc(SEEN_CHUNK)) == NULL)
            return err_set(err, STC_E_NOMEM, "out of memory (set of %zu names)", s->n);
        s->nchunks++;
        s->used = 0;
    }
    memcpy(s->chunks[s->nchunks - 1] + s->used, key, n + 1);
    *off = (uint32_t)((s->nchunks - 1) * SEEN_CHUNK + s->used);
    s->used += n + 1;
    return STC_OK;
}

static uint32_t tag_of(uint64_t h)
{
    uint32_t t = (uint32_t)(h >> 32);
    return t ? t : 1;
}

/* The slot holding key, or the empty slot where it would go. */
static struct seen_slot *find(const struct scan_seen *s, struct seen_slot *slots, size_t cap,
                              uint64_t h, const char *key)
{
    uint32_t tag = tag_of(h);
    size_t i = (size_t)h & (cap - 1);
    while (slots[i].tag != 0 &&
           (slots[i].tag != tag || strcmp(name_at(s, slots[i].off), key) != 0))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static uint64_t hash_of(const struct scan_seen *s, const char *key, size_t n)
{
    return (s->hash ? s->hash : scan_hash)(key, n);
}

static stc_rc grow(struct scan_seen *s, struct stc_err *err)
{
    size_t ncap = s->cap ? s->cap * 2 : 1024;
    struct seen_slot *ns = calloc(ncap, sizeof *ns);
    if (ns == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory (set of %zu names)", s->n);
    for (size_t i = 0; i < s->cap; i++) {
        if (s->slots[i].tag == 0)
            continue;
        const char *name = name_at(s, s->slots[i].off);
        *find(s, ns, ncap, hash_of(s, name, strlen(name)), name) = s->slots[i];
    }
    free(s->slots);
    s->slots = ns;
    s->cap = ncap;
    return STC_OK;
}

stc_rc scan_seen_add(struct scan_seen *s, const char *key, int *was_new, struct stc_err *err)
{
    if ((s->n + 1) * 4 > s->cap * 3) {
        stc_rc rc = grow(s, err);
        if (rc != STC_OK)
            return rc;
    }
    size_t n = strlen(key);
    uint64_t h = hash_of(s, key, n);
    struct seen_slot *slot = find(s, s->slots, s->cap, h, key);
    int fresh = slot->tag == 0;
    if (fresh) {
        uint32_t off = 0;
        stc_rc rc = keep(s, key, n, &off, err);
        if (rc != STC_OK)
            return rc;
        slot->tag = tag_of(h);
        slot->off = off;
        s->n++;
    }
    if (was_new != NULL)
        *was_new = fresh;
    return STC_OK;
}

int scan_seen_has(const struct scan_seen *s, const char *key)
{
    if (s->cap == 0)
        return 0;
    return find(s, s->slots, s->cap, hash_of(s, key, strlen(key)), key)->tag != 0;
}
