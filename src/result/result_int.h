/* result_int.h - the node layout, shared by the tree (result.c) and its
 * one-allocation copies (result_block.c); nothing outside src/result sees it.
 *
 * A node's pointers are either its own heap allocations (freed with it) or,
 * with RESULT_FIELDS_IN_BLOCK, pieces of a block made by stc_result_clone:
 * such a node is read like any other, and copies its fields out to the heap
 * (result_thaw) before the first change that would free or grow them.
 * Such fields may also point into a string pool (result_strpool.c) that
 * outlives the tree: read-only like the block.
 */
#ifndef STC_RESULT_INT_H
#define STC_RESULT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <starttls/result.h>

struct fact {
    char *key;
    stc_fact_type type;
    char *str;
    long long num;
    char **list;
    size_t list_len;
};

struct strv {
    char **v;
    size_t n;
};

enum {
    RESULT_NODE_IN_BLOCK = 1u << 0,  /* the struct itself lies in a block: never freed alone */
    RESULT_FIELDS_IN_BLOCK = 1u << 1 /* strings and arrays lie in a block: thaw before changing */
};

struct stc_result {
    stc_node_kind kind;
    char *name;
    char *description;
    stc_status status;
    stc_domain_status domain_status;
    char *type;
    struct strv messages;
    size_t dropped_messages;
    struct strv recs;
    struct fact *facts;
    size_t nfacts;
    struct stc_result **children;
    size_t nchildren;
    int oom;
    unsigned flags;
    void *block; /* set on the node that owns a block: freed with it */
};

/** Pieces of a block (result_block.c, result_pack.c) are 8-byte aligned. */
static inline size_t result_piece(size_t n)
{
    return (n + 7u) & ~(size_t)7u;
}

/** Give r heap copies of its block-held fields (not its children) so they
 * can be freed or grown. 0, or -1 (r->oom set, r unchanged) on OOM. */
int result_thaw(struct stc_result *r);

/** Free what a heap-owned node's fields point to (not children, not the node). */
void result_free_fields(struct stc_result *r);

#endif
