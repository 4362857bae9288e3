/*
 * NAME
 *     result_block - copies of a result tree in one allocation
 * SYNOPSIS
 *     struct stc_result *copy = stc_result_clone(tree);   (public)
 *  *     result_thaw(node);                                  (result_int.h)
 * DESCRIPTION
 *     A bulk scan hands every domain a copy of each cached MX host result:
 *     hundreds of small strings and arrays per copy, built and freed once
 *     per domain, were a fifth of the scan's allocations and left the heap
 *     fragmented. stc_result_clone therefore measures the tree, takes one
 *     block, and lays every node, string and array of the copy out in it.
 *     Reading such a copy is reading any tree. Changing it stays possible:
 *     before a builder frees or grows one of a node's fields it calls
 *     result_thaw, which gives that node (only) heap copies of its fields;
 *     its children stay where they are. stc_result_free walks the tree as
 *     always, frees what is heap-owned and frees the block with the node
 *     that owns it (the copy's root), after its children. result_unpack
 *     (result_pack.c) makes copies of the same layout from packed bytes.
 * LIMITS
 *     A block is freed with its root: nodes of a block cannot outlive it,
 *     which holds since the builders cannot detach a child (result_remove
 *     frees it). Every piece is 8-byte aligned (result_piece).
 * DIAGNOSTICS
 *     stc_result_clone returns NULL on NULL input or when the block cannot
 *     be allocated; result_thaw sets the node's oom mark and returns -1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "result_int.h"
#include "result_tree.h"

static size_t piece(size_t n)
{
    return result_piece(n);
}

static size_t str_size(const char *s)
{
    return s ? piece(strlen(s) + 1) : 0;
}

static size_t strv_size(const struct strv *sv)
{
    size_t n = piece(sv->n * sizeof *sv->v);
    for (size_t i = 0; i < sv->n; i++)
        n += str_size(sv->v[i]);
    return n;
}

/* Bytes the block copy of r needs (r and everything below it). */
static size_t tree_size(const struct stc_result *r)
{
    size_t n = piece(sizeof *r) + str_size(r->name) + str_size(r->description) +
               str_size(r->type) + strv_size(&r->messages) + strv_size(&r->recs) +
               piece(r->nfacts * sizeof *r->facts);
    // NOLINTNEXTLINE(bugprone-sizeof-expression): children is an array of pointers
    n += piece(r->nchildren * sizeof *r->children);
    for (size_t i = 0; i < r->nfacts; i++) {
        const struct fact *f = &r->facts[i];
        n += str_size(f->key) + str_size(f->str) + piece(f->list_len * sizeof *f->list);
        for (size_t j = 0; j < f->list_len; j++)
            n += str_size(f->list[j]);
    }
    for (size_t i = 0; i < r->nchildren; i++)
        n += tree_size(r->children[i]);
    return n;
}

struct bump {
    unsigned char *at;
};

static void *take(struct bump *b, size_t n)
{
    void *p = b->at;
    b->at += piece(n);
    return p;
}

static char *put_str(struct bump *b, const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = take(b, n);
    memcpy(d, s, n);
    return d;
}

static void put_strv(struct bump *b, struct strv *dst, const struct strv *src)
{
    dst->n = src->n;
    dst->v = src->n ? take(b, src->n * sizeof *dst->v) : NULL;
    for (size_t i = 0; i < src->n; i++)
        dst->v[i] = put_str(b, src->v[i]);
}

static struct stc_result *put_tree(struct bump *b, const struct stc_result *r)
{
    struct stc_result *c = take(b, sizeof *c);
    *c = *r;
    c->flags = RESULT_NODE_IN_BLOCK | RESULT_FIELDS_IN_BLOCK;
    c->block = NULL;
    c->oom = 0;
    c->name = put_str(b, r->name);
    c->description = put_str(b, r->description);
    c->type = put_str(b, r->type);
    put_strv(b, &c->messages, &r->messages);
    put_strv(b, &c->recs, &r->recs);
    c->facts = r->nfacts ? take(b, r->nfacts * sizeof *c->facts) : NULL;
    for (size_t i = 0; i < r->nfacts; i++) {
        const struct fact *f = &r->facts[i];
        struct fact *g = &c->facts[i];
        *g = *f;
        g->key = put_str(b, f->key);
        g->str = put_str(b, f->str);
        g->list = f->list_len ? take(b, f->list_len * sizeof *g->list) : NULL;
        for (size_t j = 0; j < f->list_len; j++)
            g->list[j] = put_str(b, f->list[j]);
    }
    // NOLINTNEXTLINE(bugprone-sizeof-expression): children is an array of pointers
    c->children = r->nchildren ? take(b, r->nchildren * sizeof *c->children) : NULL;
    for (size_t i = 0; i < r->nchildren; i++)
        c->children[i] = put_tree(b, r->children[i]);
    return c;
}

struct stc_result *stc_result_clone(const struct stc_result *r)
{
    if (r == NULL)
        return NULL;
    size_t n = tree_size(r);
    void *block = malloc(n);
    if (block == NULL)
        return NULL;
    struct bump b = {block};
    struct stc_result *c = put_tree(&b, r);
    c->block = block; /* c is the block's first piece */
    return c;
}

static char *heap_str(const char *s, int *bad)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d == NULL)
        *bad = 1;
    else
        memcpy(d, s, n);
    return d;
}

static void heap_strv(struct strv *dst, const struct strv *src, int *bad)
{
    dst->n = 0;
    dst->v = src->n ? calloc(src->n, sizeof *dst->v) : NULL;
    if (src->n && dst->v == NULL) {
        *bad = 1;
        return;
    }
    dst->n = src->n;
    for (size_t i = 0; i < src->n; i++)
        dst->v[i] = heap_str(src->v[i], bad);
}

static void heap_facts(struct stc_result *dst, const struct stc_result *src, int *bad)
{
    dst->nfacts = 0;
    dst->facts = src->nfacts ? calloc(src->nfacts, sizeof *dst->facts) : NULL;
    if (src->nfacts && dst->facts == NULL) {
        *bad = 1;
        return;
    }
    dst->nfacts = src->nfacts;
    for (size_t i = 0; i < src->nfacts; i++) {
        const struct fact *f = &src->facts[i];
        struct fact *g = &dst->facts[i];
        g->type = f->type;
        g->num = f->num;
        g->key = heap_str(f->key, bad);
        g->str = heap_str(f->str, bad);
        g->list = f->list_len ? calloc(f->list_len, sizeof *g->list) : NULL;
        if (f->list_len && g->list == NULL) {
            *bad = 1;
            continue;
        }
        g->list_len = f->list_len;
        for (size_t j = 0; j < f->list_len; j++)
            g->list[j] = heap_str(f->list[j], bad);
    }
}

int result_thaw(struct stc_result *r)
{
    if (!(r->flags & RESULT_FIELDS_IN_BLOCK))
        return 0;
    /* Build the heap copies beside the block ones; swap only when all were made. */
    struct stc_result h = *r;
    int bad = 0;
    h.name = heap_str(r->name, &bad);
    h.description = heap_str(r->description, &bad);
    h.type = heap_str(r->type, &bad);
    heap_strv(&h.messages, &r->messages, &bad);
    heap_strv(&h.recs, &r->recs, &bad);
    heap_facts(&h, r, &bad);
    // NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers
    h.children = r->nchildren ? malloc(r->nchildren * sizeof *h.children) : NULL;
    if (r->nchildren && h.children == NULL)
        bad = 1;
    else if (r->nchildren)
        // NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers
        memcpy(h.children, r->children, r->nchildren * sizeof *h.children);
    if (bad) {
        result_free_fields(&h);
        r->oom = 1;
        return -1;
    }
    r->name = h.name;
    r->description = h.description;
    r->type = h.type;
    r->messages = h.messages;
    r->recs = h.recs;
    r->facts = h.facts;
    r->children = h.children;
    r->flags &= ~(unsigned)RESULT_FIELDS_IN_BLOCK;
    return 0;
}
