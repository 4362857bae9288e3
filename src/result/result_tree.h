/* result_tree.h - building result trees (the public read side is include/starttls/result.h).
 *
 * Builders never fail loudly: an allocation failure marks the node (and the
 * tree, through result_oom()) so check code stays a straight line; the
 * checker turns a marked tree into STC_E_NOMEM before handing it out.
 * Messages and string facts keep server text exactly (bounded, not censored): the JSON
 * writer encodes it losslessly, the terminal views (text, Nagios) censor it.
 */
#ifndef STC_CHECKS_RESULT_TREE_H
#define STC_CHECKS_RESULT_TREE_H

#include <stddef.h>
#include <stdint.h>

#include <starttls/result.h>

#include "../util/err.h"

/** New node, or NULL on allocation failure. description may be NULL. */
struct stc_result *result_new(stc_node_kind kind, const char *name, const char *description);
/** Append child (ownership moves to parent; NULL child marks parent OOM). Returns child. */
struct stc_result *result_add(struct stc_result *parent, struct stc_result *child);
/** New STC_NODE_CHECK child of parent; returns it (NULL on OOM). */
struct stc_result *result_add_check(struct stc_result *parent, const char *name,
                                    const char *description);

/** Raise the node's own status to s if s is more severe. */
void result_raise(struct stc_result *r, stc_status s);
/** Add a finding with its status: raises the status and appends the message. */
void result_msg(struct stc_result *r, stc_status s, const char *fmt, ...) STC_PRINTF(3, 4);
/** Append a message without changing the status. */
void result_note(struct stc_result *r, const char *fmt, ...) STC_PRINTF(2, 3);
/** Put a message first (the one-line verdict), whatever was added before. */
void result_verdict(struct stc_result *r, const char *fmt, ...) STC_PRINTF(2, 3);
/** Append a recommendation (how to fix). Duplicates are dropped. */
void result_recommend(struct stc_result *r, const char *fmt, ...) STC_PRINTF(2, 3);
/** Set the RFC 8460 result type; the first one set stays. */
void result_set_type(struct stc_result *r, const char *tlsrpt_type);
void result_set_domain_status(struct stc_result *r, stc_domain_status s);
void result_set_name(struct stc_result *r, const char *name);

/** Facts; setting an existing key replaces its value (list_add appends). */
void result_fact_str(struct stc_result *r, const char *key, const char *val);
void result_fact_int(struct stc_result *r, const char *key, long long val);
void result_fact_bool(struct stc_result *r, const char *key, int val);
void result_fact_list_add(struct stc_result *r, const char *key, const char *item);
/** Make an empty list fact (so JSON shows [] rather than nothing). */
void result_fact_list(struct stc_result *r, const char *key);

/** Recompute statuses bottom-up: a parent is at least its worst child. Returns the root's. */
stc_status result_rollup(struct stc_result *r);
/** Non-zero when any node of the tree failed an allocation. */
int result_oom(const struct stc_result *r);

/** Mutable child access for the checker. */
struct stc_result *result_child_mut(struct stc_result *r, size_t i);
struct stc_result *result_find_mut(struct stc_result *r, const char *name);
/** Detach and free child i. */
void result_remove(struct stc_result *r, size_t i);

/** Strings shared by packed trees (result_strpool.c); thread-safe. */
struct result_strpool;
struct result_strpool *result_strpool_new(void);
/** Free the pool; every tree unpacked with it must be freed first. NULL is fine. */
void result_strpool_free(struct result_strpool *p);
/** The id of s (n = strlen(s)) when the pool shares it, adding it on its second
 * sighting; -1 when it does not (yet). */
long result_strpool_id(struct result_strpool *p, const char *s, size_t n);
/** The string of an id handed out, or NULL. */
const char *result_strpool_str(struct result_strpool *p, uint64_t id);

/** Deepest tree result_pack takes (levels of nodes, the root is level 1). */
#define RESULT_PACK_DEPTH_MAX 64

/** A compact byte string of tree r (result_pack.c), malloc'd, its size in *len;
 * strings repeated across trees become ids of pool (may be NULL). NULL when
 * out of memory or when r cannot be packed: marked OOM (result_oom), deeper
 * than RESULT_PACK_DEPTH_MAX, or a kind, type or count outside the encoding. */
void *result_pack(const struct stc_result *r, struct result_strpool *pool, size_t *len);
/** The tree of bytes made by result_pack with the same pool, as one block like
 * stc_result_clone's (the caller frees it; it points into pool, so it must go
 * before the pool). NULL when out of memory or when the bytes are not a whole
 * packed tree (truncated, corrupt, an id the pool never gave). */
struct stc_result *result_unpack(const void *bytes, size_t len, struct result_strpool *pool);

#endif
