/*
 * NAME
 *     scan_seen - a set of names
 * SYNOPSIS
 *     struct scan_seen s; scan_seen_init(&s);
 *     scan_seen_add(&s, "example.com", &was_new, err);
 *     scan_seen_has(&s, "example.com");
 *     scan_seen_free(&s);
 * DESCRIPTION
 *     Exact: each name is kept (in 64 KiB arena chunks) beside its 64-bit
 *     hash, and a hash match is confirmed by comparing the names, so no
 *     crafted name can pass for another (a duplicate or an already-done
 *     domain). About 16 bytes of slot (at half load, 32) plus the name per
 *     entry: some 50 MB for a million domains. The caller owns the set; it
 *     is not locked (one thread at a time).
 * LIMITS
 *     Memory grows with the number of distinct names.
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

#define CHUNK_SIZE (64u * 1024)

struct seen_chunk {
    struct seen_chunk *next;
    size_t used, size;
    char data[];
};

void scan_seen_init(struct scan_seen *s)
{
    memset(s, 0, sizeof *s);
    s->hash = scan_hash;
}

void scan_seen_free(struct scan_seen *s)
{
    free(s->slots);
    for (struct seen_chunk *c = s->arena, *next; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    memset(s, 0, sizeof *s);
    s->hash = scan_hash;
}

/* A copy of key (n bytes + NUL) in the arena. */
static const char *keep(struct scan_seen *s, const char *key, size_t n)
{
    struct seen_chunk *c = s->arena;
    if (c == NULL || c->size - c->used < n + 1) {
        size_t size = n + 1 > CHUNK_SIZE ? n + 1 : CHUNK_SIZE;
        c = malloc(sizeof *c + size);
        if (c == NULL)
            return NULL;
        c->next = s->arena;
        c->used = 0;
        c->size = size;
        s->arena = c;
    }
    char *p = c->data + c->used;
    memcpy(p, key, n + 1);
    c->used += n + 1;
    return p;
}

/* The slot holding key, or the empty slot where it would go. */
static struct seen_slot *find(struct seen_slot *slots, size_t cap, uint64_t h, const char *key)
{
    size_t i = (size_t)h & (cap - 1);
    while (slots[i].h != 0 && (slots[i].h != h || strcmp(slots[i].name, key) != 0))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static stc_rc grow(struct scan_seen *s, struct stc_err *err)
{
    size_t ncap = s->cap ? s->cap * 2 : 1024;
    struct seen_slot *ns = calloc(ncap, sizeof *ns);
    if (ns == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory (seen set of %zu names)", s->n);
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i].h != 0)
            *find(ns, ncap, s->slots[i].h, s->slots[i].name) = s->slots[i];
    free(s->slots);
    s->slots = ns;
    s->cap = ncap;
    return STC_OK;
}

static uint64_t hash_of(const struct scan_seen *s, const char *key, size_t n)
{
    uint64_t h = (s->hash ? s->hash : scan_hash)(key, n);
    return h ? h : 1;
}

stc_rc scan_seen_add(struct scan_seen *s, const char *key, int *was_new, struct stc_err *err)
{
    if ((s->n + 1) * 2 > s->cap) {
        stc_rc rc = grow(s, err);
        if (rc != STC_OK)
            return rc;
    }
    size_t n = strlen(key);
    uint64_t h = hash_of(s, key, n);
    struct seen_slot *slot = find(s->slots, s->cap, h, key);
    int fresh = slot->h == 0;
    if (fresh) {
        const char *copy = keep(s, key, n);
        if (copy == NULL)
            return err_set(err, STC_E_NOMEM, "out of memory (seen set of %zu names)", s->n);
        slot->h = h;
        slot->name = copy;
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
    return find(s->slots, s->cap, hash_of(s, key, strlen(key)), key)->h != 0;
}
