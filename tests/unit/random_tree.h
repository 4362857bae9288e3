/* random_tree.h - random result trees for tests, and comparisons (random_tree.c). */
#ifndef STC_TEST_RANDOM_TREE_H
#define STC_TEST_RANDOM_TREE_H

#include <stdint.h>

#include <starttls/result.h>

/** splitmix64 state: the seed. */
struct rng {
    uint64_t s;
};

uint64_t rng_next(struct rng *g);
/** Uniform in 0 .. n - 1. */
unsigned rng_below(struct rng *g, unsigned n);
/** A random tree (usually a domain root; sometimes a host or check), owned by
 * the caller; NULL only when out of memory. Some trees carry a "wide" list
 * fact on the root or its first child: the node with 33+ children. */
struct stc_result *random_tree(struct rng *g);

/** 1 when a and b give the same JSON bytes in this mode (STC_JSON_*), or fail
 * alike (same code and message). */
int tree_same_json(const struct stc_result *a, const struct stc_result *b, unsigned flags);
/** 1 when every field of every node is the same, JSON-visible or not. */
int tree_same_fields(const struct stc_result *a, const struct stc_result *b);

#endif
