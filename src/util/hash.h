/* hash.h - the one string hash the sets and pools share. */
#ifndef STC_UTIL_HASH_H
#define STC_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

/** FNV-1a over n bytes: fast for the short names and keys hashed here;
 * callers that need well-spread low bits add a finalizer. */
uint64_t hash_fnv1a(const void *p, size_t n);

#endif
