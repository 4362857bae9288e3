/*
 * NAME
 *     result_pack - a result tree as a compact byte string, and back
 * SYNOPSIS
 *     size_t len;
 *     void *bytes = result_pack(tree, pool, &len);         (result_tree.h)
 *     struct stc_result *copy = result_unpack(bytes, len, pool);
 * DESCRIPTION
 *     The scan's host cache keeps one result per MX host for the whole
 *     scan. As a tree (even a one-block copy) most of a host's 3 KB are
 *     node and fact structs and pointers; packed, a host takes a few
 *     hundred bytes, and each cache hit unpacks it into a copy of the same
 *     one-block layout stc_result_clone makes (result_block.c): every node,
 *     string and array in one allocation owned by the root, flags
 *     RESULT_NODE_IN_BLOCK | RESULT_FIELDS_IN_BLOCK, so the builders thaw
 *     what they change and stc_result_free frees it, as for a clone.
 *
 *     Encoding (private; the pool's ids make it valid for one pool only):
 *     a magic byte, then unsigned LEB128 varints: the unpacked block's size
 *     (so unpack allocates once, without a measuring pass) and the number
 *     of strings held inline; then the root node. A node: head (kind in
 *     bits 0-1; bits 2-6 say which of extra, messages, recommendations,
 *     facts, children follow), status, name, description; extra: domain
 *     status, dropped messages, result type; then counted lists of
 *     messages, recommendations, facts, children (each child a node). A
 *     fact: key, a head (type in bits 0-1; bit 2 the number is 1, bit 3 a
 *     zigzag number follows, bit 4 a counted list follows), then the string
 *     of a string fact. A string is one varint v: 0 is NULL (a result type
 *     only); odd is the pool's id v >> 1; 4n + 2 is n bytes inline (no
 *     NUL); 4k + 4 is the k-th inline string of this tree again. Each distinct string of a tree is
 *     offered to the pool once (result_strpool.c shares it from its second
 *     sighting on), so a host's own strings stay inline and are given once.
 *
 *     Every field round-trips: kind, name, description, status, domain
 *     status, result type, messages, dropped messages, recommendations,
 *     facts of every type with their number, string and list as they are,
 *     children in order. A tree must be one the builders can make (a name,
 *     description, key and item is never NULL; a fact has a string if and
 *     only if it is a string fact, items only if it is a list), so an
 *     unpacked tree, even of corrupt bytes, is safe for every reader. The
 *     oom mark does not round-trip: a tree marked OOM is incomplete and is
 *     not packed (the checker never returns one; the cache reports it as
 *     out of memory), so an unpacked tree is unmarked.
 * LIMITS
 *     RESULT_PACK_DEPTH_MAX levels; packed bytes up to PACK_MAX. Unpacking
 *     checks every read against len and every piece against the block
 *     size in the header (which must come out exact), so truncated or
 *     corrupt bytes give NULL and never a read or write out of bounds; an
 *     id must be one the pool has handed out. The block is at most
 *     BLOCK_PER_BYTE times len.
 * DIAGNOSTICS
 *     result_pack: NULL when out of memory, for a NULL or OOM-marked tree,
 *     a tree too deep, a kind or fact type outside the enums, or a tree the
 *     builders cannot make (above).
 *     result_unpack: NULL when out of memory or the bytes are not a packed
 *     tree.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/hash.h"
#include "result_int.h"
#include "result_tree.h"

#define MAGIC 0xb7u
#define PACK_MAX (64u << 20)
#define BLOCK_PER_BYTE 64u /* a node takes >= 4 bytes, 160 block bytes with its slot */
#define STACK_STRS 64u     /* inline strings unpack tracks without an allocation */

enum {
    HEAD_KIND = 3u,
    HEAD_EXTRA = 1u << 2,
    HEAD_MSGS = 1u << 3,
    HEAD_RECS = 1u << 4,
    HEAD_FACTS = 1u << 5,
    HEAD_KIDS = 1u << 6,
    HEAD_ALL = (1u << 7) - 1
};

enum {
    FACT_TYPE = 3u,
    FACT_ONE = 1u << 2,
    FACT_NUM = 1u << 3,
    FACT_LIST = 1u << 4,
    FACT_ALL = (1u << 5) - 1
};

/* ---- packing ---- */

/* A string of the tree being packed, and the varint that repeats it. */
struct seen {
    const char *s;
    uint64_t hash;
    uint64_t code;
};

struct packer {
    struct buf out;
    struct result_strpool *pool;
    struct seen *seen; /* open addressing, NULL s = free */
    size_t seen_cap, seen_n;
    size_t ninline;
    size_t block;
    int bad;
};

static void put_bytes(struct packer *p, const void *d, size_t n)
{
    struct stc_err err;
    if (!p->bad && buf_append(&p->out, d, n, &err) != STC_OK)
        p->bad = 1;
}

static size_t varint(uint8_t out[10], uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

static void put_varint(struct packer *p, uint64_t v)
{
    uint8_t b[10];
    put_bytes(p, b, varint(b, v));
}

/* The slot of s: its entry, or the free slot where it goes. */
static struct seen *seen_slot(struct seen *tab, size_t cap, const char *s, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (tab[i].s != NULL && (tab[i].hash != h || strcmp(tab[i].s, s) != 0))
        i = (i + 1) & (cap - 1);
    return &tab[i];
}

/* Remember s and its code; 0 or -1 when out of memory. */
static int seen_add(struct packer *p, const char *s, uint64_t h, uint64_t code)
{
    if (2 * (p->seen_n + 1) > p->seen_cap) {
        size_t cap = p->seen_cap ? 2 * p->seen_cap : 64;
        struct seen *tab = calloc(cap, sizeof *tab);
        if (tab == NULL)
            return -1;
        for (size_t i = 0; i < p->seen_cap; i++)
            if (p->seen[i].s != NULL)
                *seen_slot(tab, cap, p->seen[i].s, p->seen[i].hash) = p->seen[i];
        free(p->seen);
        p->seen = tab;
        p->seen_cap = cap;
    }
    *seen_slot(p->seen, p->seen_cap, s, h) = (struct seen){s, h, code};
    p->seen_n++;
    return 0;
}

/* A string the tree always has (a name, a key, a message): NULL is refused. */
static void put_str(struct packer *p, const char *s)
{
    if (s == NULL) {
        p->bad = 1;
        return;
    }
    size_t n = strlen(s);
    uint64_t h = hash_fnv1a(s, n);
    if (p->seen_cap > 0) {
        const struct seen *e = seen_slot(p->seen, p->seen_cap, s, h);
        if (e->s != NULL) {
            put_varint(p, e->code);
            return;
        }
    }
    long id = result_strpool_id(p->pool, s, n);
    uint64_t code = id >= 0 ? 2 * (uint64_t)id + 1 : 4 * (uint64_t)p->ninline + 4;
    if (id >= 0) {
        put_varint(p, code);
    } else {
        put_varint(p, 4 * (uint64_t)n + 2);
        put_bytes(p, s, n);
        p->block += result_piece(n + 1);
        p->ninline++;
    }
    if (seen_add(p, s, h, code) != 0)
        p->bad = 1;
}

/* A string that may be NULL (a result type). */
static void put_opt_str(struct packer *p, const char *s)
{
    if (s == NULL)
        put_varint(p, 0);
    else
        put_str(p, s);
}

static void put_strv(struct packer *p, const struct strv *sv)
{
    put_varint(p, sv->n);
    p->block += result_piece(sv->n * sizeof *sv->v);
    for (size_t i = 0; i < sv->n; i++)
        put_str(p, sv->v[i]);
}

static void put_fact(struct packer *p, const struct fact *f)
{
    /* What the builders make: a string for a string fact only, items for a list only. */
    if ((unsigned)f->type > STC_FACT_LIST || (f->type == STC_FACT_STR) != (f->str != NULL) ||
        (f->type != STC_FACT_LIST && f->list_len > 0)) {
        p->bad = 1;
        return;
    }
    unsigned head = (unsigned)f->type | (f->num == 1 ? FACT_ONE : f->num != 0 ? FACT_NUM : 0) |
                    (f->list_len > 0 ? FACT_LIST : 0);
    put_str(p, f->key);
    put_varint(p, head);
    if (f->type == STC_FACT_STR)
        put_str(p, f->str);
    if (head & FACT_NUM) { /* zigzag: small magnitudes of either sign stay short */
        uint64_t u = (uint64_t)f->num;
        put_varint(p, f->num < 0 ? ~(u << 1) : u << 1);
    }
    if (head & FACT_LIST) {
        put_varint(p, f->list_len);
        p->block += result_piece(f->list_len * sizeof *f->list);
        for (size_t j = 0; j < f->list_len; j++)
            put_str(p, f->list[j]);
    }
}

static void put_node(struct packer *p, const struct stc_result *r, unsigned depth)
{
    if (p->bad || depth > RESULT_PACK_DEPTH_MAX || (unsigned)r->kind > STC_NODE_CHECK) {
        p->bad = 1;
        return;
    }
    int extra = r->domain_status != 0 || r->dropped_messages != 0 || r->type != NULL;
    unsigned head = (unsigned)r->kind | (extra ? HEAD_EXTRA : 0) |
                    (r->messages.n ? HEAD_MSGS : 0) | (r->recs.n ? HEAD_RECS : 0) |
                    (r->nfacts ? HEAD_FACTS : 0) | (r->nchildren ? HEAD_KIDS : 0);
    put_varint(p, head);
    put_varint(p, (unsigned)r->status);
    put_str(p, r->name);
    put_str(p, r->description);
    p->block += result_piece(sizeof *r);
    if (extra) {
        put_varint(p, (unsigned)r->domain_status);
        put_varint(p, r->dropped_messages);
        put_opt_str(p, r->type);
    }
    if (head & HEAD_MSGS)
        put_strv(p, &r->messages);
    if (head & HEAD_RECS)
        put_strv(p, &r->recs);
    if (head & HEAD_FACTS) {
        put_varint(p, r->nfacts);
        p->block += result_piece(r->nfacts * sizeof *r->facts);
        for (size_t i = 0; i < r->nfacts; i++)
            put_fact(p, &r->facts[i]);
    }
    if (head & HEAD_KIDS) {
        put_varint(p, r->nchildren);
        // NOLINTNEXTLINE(bugprone-sizeof-expression): children is an array of pointers
        p->block += result_piece(r->nchildren * sizeof *r->children);
        for (size_t i = 0; i < r->nchildren; i++)
            put_node(p, r->children[i], depth + 1);
    }
}

void *result_pack(const struct stc_result *r, struct result_strpool *pool, size_t *len)
{
    if (r == NULL || result_oom(r))
        return NULL;
    struct packer p = {.pool = pool};
    buf_init(&p.out, PACK_MAX);
    put_node(&p, r, 1);
    uint8_t head[21];
    size_t hn = 0;
    head[hn++] = MAGIC;
    hn += varint(head + hn, p.block);
    hn += varint(head + hn, p.ninline);
    uint8_t *bytes = p.bad ? NULL : malloc(hn + p.out.len);
    if (bytes != NULL) {
        memcpy(bytes, head, hn);
        memcpy(bytes + hn, p.out.data, p.out.len);
        *len = hn + p.out.len;
    }
    buf_free(&p.out);
    free(p.seen);
    return bytes;
}

/* ---- unpacking ---- */

struct unpacker {
    struct rd in;
    unsigned char *block;
    size_t size, used;
    char **strs; /* the inline strings so far, for repeats */
    size_t nstrs, maxstrs;
    struct result_strpool *pool;
};

static int get_varint(struct unpacker *u, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (u->in.pos >= u->in.len)
            return -1;
        uint8_t b = u->in.p[u->in.pos++];
        if (shift == 63 && b > 1)
            return -1; /* past 64 bits */
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

/* A count of items that take at least one byte each: no more than remain. */
static int get_count(struct unpacker *u, size_t *n)
{
    uint64_t v;
    if (get_varint(u, &v) != 0 || v > rd_left(&u->in))
        return -1;
    *n = (size_t)v;
    return 0;
}

/* The next n bytes of the block, or NULL past its size. */
static void *take(struct unpacker *u, size_t n)
{
    size_t left = u->size - u->used;
    if (n > left || result_piece(n) > left)
        return NULL;
    void *p = u->block + u->used;
    u->used += result_piece(n);
    return p;
}

/* A string; NULL only where nullable (the result type). */
static int get_str_or_null(struct unpacker *u, char **out, int nullable)
{
    uint64_t v;
    if (get_varint(u, &v) != 0)
        return -1;
    if (v == 0) {
        *out = NULL;
        return nullable ? 0 : -1;
    } else if (v & 1) {
        /* The pool's strings are read-only, like the block's: thaw copies them. */
        *out = (char *)result_strpool_str(u->pool, v >> 1);
        return *out != NULL ? 0 : -1;
    } else if (v & 2) {
        const uint8_t *src;
        uint64_t n = v >> 2;
        if (n > rd_left(&u->in) || u->nstrs >= u->maxstrs ||
            rd_bytes(&u->in, (size_t)n, &src) != STC_OK || memchr(src, 0, (size_t)n) != NULL)
            return -1;
        char *d = take(u, (size_t)n + 1);
        if (d == NULL)
            return -1;
        memcpy(d, src, (size_t)n);
        d[n] = '\0';
        u->strs[u->nstrs++] = d;
        *out = d;
    } else {
        uint64_t k = (v >> 2) - 1;
        if (k >= u->nstrs)
            return -1;
        *out = u->strs[k];
    }
    return 0;
}

static int get_str(struct unpacker *u, char **out)
{
    return get_str_or_null(u, out, 0);
}

static int get_strv(struct unpacker *u, struct strv *sv)
{
    size_t n;
    if (get_count(u, &n) != 0 || (sv->v = take(u, n * sizeof *sv->v)) == NULL)
        return -1;
    sv->n = n;
    for (size_t i = 0; i < n; i++)
        if (get_str(u, &sv->v[i]) != 0)
            return -1;
    if (n == 0)
        sv->v = NULL;
    return 0;
}

static int get_fact(struct unpacker *u, struct fact *f)
{
    uint64_t head, z;
    memset(f, 0, sizeof *f);
    if (get_str(u, &f->key) != 0 || get_varint(u, &head) != 0 || head > FACT_ALL ||
        (head & (FACT_ONE | FACT_NUM)) == (FACT_ONE | FACT_NUM) ||
        ((head & FACT_LIST) && (head & FACT_TYPE) != STC_FACT_LIST))
        return -1;
    f->type = (stc_fact_type)(head & FACT_TYPE);
    if (f->type == STC_FACT_STR && get_str(u, &f->str) != 0)
        return -1;
    if (head & FACT_ONE)
        f->num = 1;
    if (head & FACT_NUM) {
        if (get_varint(u, &z) != 0)
            return -1;
        uint64_t m = (z & 1) ? ~(z >> 1) : z >> 1;
        memcpy(&f->num, &m, sizeof f->num); /* two's complement, as packed */
    }
    if (head & FACT_LIST) {
        struct strv items;
        if (get_strv(u, &items) != 0)
            return -1;
        f->list = items.v;
        f->list_len = items.n;
    }
    return 0;
}

static int get_enum(struct unpacker *u, unsigned *out)
{
    uint64_t v;
    if (get_varint(u, &v) != 0 || v > UINT_MAX)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static struct stc_result *get_node(struct unpacker *u, unsigned depth);

static int get_children(struct unpacker *u, struct stc_result *r, unsigned depth)
{
    size_t n;
    // NOLINTNEXTLINE(bugprone-sizeof-expression): children is an array of pointers
    if (get_count(u, &n) != 0 || (r->children = take(u, n * sizeof *r->children)) == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if ((r->children[i] = get_node(u, depth + 1)) == NULL)
            return -1;
        r->nchildren = i + 1;
    }
    if (n == 0)
        r->children = NULL;
    return 0;
}

static int get_facts(struct unpacker *u, struct stc_result *r)
{
    size_t n;
    if (get_count(u, &n) != 0 || (r->facts = take(u, n * sizeof *r->facts)) == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (get_fact(u, &r->facts[i]) != 0)
            return -1;
        r->nfacts = i + 1;
    }
    if (n == 0)
        r->facts = NULL;
    return 0;
}

static struct stc_result *get_node(struct unpacker *u, unsigned depth)
{
    uint64_t head;
    unsigned status, ds;
    if (depth > RESULT_PACK_DEPTH_MAX || get_varint(u, &head) != 0 || head > HEAD_ALL ||
        (head & HEAD_KIND) > STC_NODE_CHECK || get_enum(u, &status) != 0)
        return NULL;
    struct stc_result *r = take(u, sizeof *r);
    if (r == NULL)
        return NULL;
    memset(r, 0, sizeof *r);
    r->kind = (stc_node_kind)(head & HEAD_KIND);
    r->status = (stc_status)status;
    r->flags = RESULT_NODE_IN_BLOCK | RESULT_FIELDS_IN_BLOCK;
    if (get_str(u, &r->name) != 0 || get_str(u, &r->description) != 0)
        return NULL;
    if (head & HEAD_EXTRA) {
        uint64_t dropped;
        if (get_enum(u, &ds) != 0 || get_varint(u, &dropped) != 0 || dropped > SIZE_MAX ||
            get_str_or_null(u, &r->type, 1) != 0)
            return NULL;
        r->domain_status = (stc_domain_status)ds;
        r->dropped_messages = (size_t)dropped;
    }
    if (((head & HEAD_MSGS) && get_strv(u, &r->messages) != 0) ||
        ((head & HEAD_RECS) && get_strv(u, &r->recs) != 0) ||
        ((head & HEAD_FACTS) && get_facts(u, r) != 0) ||
        ((head & HEAD_KIDS) && get_children(u, r, depth) != 0))
        return NULL;
    return r;
}

struct stc_result *result_unpack(const void *bytes, size_t len, struct result_strpool *pool)
{
    struct unpacker u = {.pool = pool};
    uint64_t size, nstrs;
    uint8_t magic;
    char *stack[STACK_STRS];
    if (bytes == NULL)
        return NULL;
    rd_init(&u.in, bytes, len);
    if (rd_u8(&u.in, &magic) != STC_OK || magic != MAGIC || get_varint(&u, &size) != 0 ||
        get_varint(&u, &nstrs) != 0 || size == 0 || size / BLOCK_PER_BYTE > len ||
        nstrs > len)
        return NULL;
    u.size = (size_t)size;
    u.maxstrs = (size_t)nstrs;
    u.strs = u.maxstrs <= STACK_STRS ? stack : malloc(u.maxstrs * sizeof *u.strs);
    u.block = malloc(u.size);
    struct stc_result *r = NULL;
    if (u.strs != NULL && u.block != NULL)
        r = get_node(&u, 1);
    if (r == NULL || u.used != u.size || rd_left(&u.in) != 0 || u.nstrs != u.maxstrs) {
        free(u.block);
        r = NULL;
    } else {
        r->block = u.block; /* r is the block's first piece */
    }
    if (u.strs != stack)
        free(u.strs);
    return r;
}
