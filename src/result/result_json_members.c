/*
 * NAME
 *     result_json_members - one JSON object's members: each key once, first
 *     place, last value
 * SYNOPSIS
 *     #include "result_json_members.h"
 *     struct json_members ms;
 *     json_members_init(&ms, n, err);
 *     json_members_add(&ms, key, len, i);     (for each candidate, i rising)
 *     json_members_resolve(&ms);
 *     for each ms.m[k] whose value is not JSON_MEMBER_SKIP: write key, then
 *         the value of candidate ms.m[k].value
 *     json_members_free(&ms);
 * DESCRIPTION
 *     The result tree may hold two children of one node with the same name,
 *     two host nodes whose absolute names agree, two facts with one key: a
 *     JSON object holds each key once. The output keeps what the former
 *     jansson-built output did (json_object_set replaces a value in place):
 *     the key stays where it first appeared and holds the value of the last
 *     candidate with that key. The keys are compared as bytes; they are
 *     borrowed, not copied.
 *
 *     Up to JSON_MEMBERS_INLINE members live inside struct json_members (no
 *     allocation, the common case); more are malloc'd. A few members are
 *     compared pairwise; many are sorted, so a hostile tree with many
 *     siblings costs n log n, not n squared.
 * LIMITS
 *     None beyond memory.
 * DIAGNOSTICS
 *     json_members_init: STC_E_NOMEM. The others cannot fail.
 */
#include "result_json_members.h"

#include <stdlib.h>
#include <string.h>

/* Up to this many members are compared pairwise. */
#define JSON_MEMBERS_PAIRWISE 32

stc_rc json_members_init(struct json_members *ms, size_t cap, struct stc_err *err)
{
    ms->n = 0;
    ms->cap = cap;
    ms->m = ms->inline_m;
    if (cap <= JSON_MEMBERS_INLINE)
        return STC_OK;
    ms->m = cap > SIZE_MAX / sizeof *ms->m ? NULL : malloc(cap * sizeof *ms->m);
    if (ms->m == NULL) {
        ms->m = ms->inline_m;
        ms->cap = 0;
        return err_set(err, STC_E_NOMEM, "json: out of memory");
    }
    return STC_OK;
}

void json_members_add(struct json_members *ms, const char *key, size_t len, size_t item)
{
    if (ms->n >= ms->cap)
        return; /* the caller sized it; never reached */
    struct json_member *m = &ms->m[ms->n++];
    m->key = key;
    m->len = len;
    m->item = item;
    m->value = item;
}

static int same_key(const struct json_member *a, const struct json_member *b)
{
    return a->len == b->len && memcmp(a->key, b->key, a->len) == 0;
}

static int by_key_then_item(const void *pa, const void *pb)
{
    const struct json_member *a = pa, *b = pb;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    int c = memcmp(a->key, b->key, a->len);
    if (c != 0)
        return c;
    return a->item < b->item ? -1 : a->item > b->item;
}

static int by_item(const void *pa, const void *pb)
{
    const struct json_member *a = pa, *b = pb;
    return a->item < b->item ? -1 : a->item > b->item;
}

void json_members_resolve(struct json_members *ms)
{
    struct json_member *m = ms->m;
    size_t n = ms->n;
    if (n <= JSON_MEMBERS_PAIRWISE) {
        for (size_t i = 0; i < n; i++) {
            if (m[i].value == JSON_MEMBER_SKIP)
                continue;
            for (size_t j = i + 1; j < n; j++) {
                if (same_key(&m[i], &m[j])) {
                    m[i].value = m[j].item;
                    m[j].value = JSON_MEMBER_SKIP;
                }
            }
        }
        return;
    }
    /* Equal keys side by side, in candidate order: the first of each run
     * takes the last one's item. Then back into candidate order. */
    qsort(m, n, sizeof *m, by_key_then_item);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && same_key(&m[i], &m[j]))
            m[j++].value = JSON_MEMBER_SKIP;
        m[i].value = m[j - 1].item;
        i = j;
    }
    qsort(m, n, sizeof *m, by_item);
}

void json_members_free(struct json_members *ms)
{
    if (ms->m != ms->inline_m)
        free(ms->m);
    ms->m = ms->inline_m;
    ms->n = ms->cap = 0;
}
