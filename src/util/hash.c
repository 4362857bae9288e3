/*
 * NAME
 *     hash - FNV-1a, the string hash of the seen sets and string pools
 * SYNOPSIS
 *     uint64_t h = hash_fnv1a(name, strlen(name));
 * DESCRIPTION
 *     One definition for the sets of names (scan_seen.c, which adds a
 *     finalizer) and the result string pool (result_strpool.c, result_pack.c).
 *     Not keyed: tables that hold names from the network confirm every
 *     match by comparing the names.
 * LIMITS
 *     None.
 * DIAGNOSTICS
 *     None.
 */
#include "hash.h"

uint64_t hash_fnv1a(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}
