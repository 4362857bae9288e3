/* random_tree.h - random result trees for tests (random_tree.c). */
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

#endif
