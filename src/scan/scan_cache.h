/* scan_cache.h - shared, single-flight, expiring, capped cache of host results. */
#ifndef STC_SCAN_CACHE_H
#define STC_SCAN_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <starttls/error.h>
#include <starttls/result.h>

struct scan_cache;

/** Makes the value for key (e.g. checks a host); *out is handed to the cache. */
typedef stc_rc (*scan_produce_fn)(void *ctx, const char *key, struct stc_result **out,
                                  struct stc_err *err);

/** max_entries: cap (LRU eviction past it); ttl_ms: how long a value stays fresh. */
stc_rc scan_cache_new(size_t max_entries, int64_t ttl_ms, struct scan_cache **out,
                      struct stc_err *err);
void scan_cache_free(struct scan_cache *c);

/**
 * A copy (one block, like stc_result_clone's, pointing into the cache's string
 * pool: free it before the cache) of the fresh value for key. When there is none,
 * the first caller runs produce(ctx, key) while later callers for the same
 * key wait for it (single flight), bounded by wait_ms (< 0: as long as the
 * production takes; the producer must be deadline-bounded). *hit is 1 when the
 * value came from the cache or another caller's production.
 * STC_E_TIMEOUT when the wait ran out, the producer's error, STC_E_NOMEM.
 */
stc_rc scan_cache_get(struct scan_cache *c, const char *key, scan_produce_fn produce, void *ctx,
                      long wait_ms, struct stc_result **out, int *hit, struct stc_err *err);

/** Store value (ownership moves) as age_ms old, e.g. loaded from a database. */
stc_rc scan_cache_put(struct scan_cache *c, const char *key, struct stc_result *value,
                      int64_t age_ms, struct stc_err *err);

/** Entries held (fresh, expired not yet dropped, and in production). */
size_t scan_cache_count(struct scan_cache *c);

#endif
