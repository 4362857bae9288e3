/*
 * NAME
 *     cli_malloc - the command's allocator settings
 * SYNOPSIS
 *     cli_malloc_describe(line, sizeof line);   (for --version)
 * DESCRIPTION
 *     A bulk scan runs hundreds of worker threads that mostly wait on the
 *     network. glibc's malloc gives each thread a cache of freed blocks
 *     (tcache) that nothing trims: some 16 MiB over 256 threads, growing
 *     with the run. The command is therefore linked with jemalloc
 *     (STC_JEMALLOC, the default outside sanitizer builds; the library
 *     itself uses whatever malloc its program has), with one arena per CPU
 *     instead of one per thread, freed pages returned after about a second
 *     (dirty_decay_ms), and thread caches kept tiny: at most 4 blocks of a
 *     size, none over 1 KiB. Without them a scan takes 5 MiB less, but the
 *     web service answers 10-15% fewer requests for cached results; with
 *     jemalloc's default caches a scan takes 20 MiB more
 *     (docs/performance.md). jemalloc reads malloc_conf before main runs;
 *     MALLOC_CONF in the environment still overrides any of it.
 * LIMITS
 *     malloc_conf must be defined in the executable, which jemalloc's own
 *     weak definition then yields to; a library cannot set it.
 * DIAGNOSTICS
 *     None; a setting jemalloc cannot read back is left out of the line.
 */
#include "cli_malloc.h"

#include <stdio.h>

#ifdef STC_JEMALLOC
#include <stdbool.h>
#include <jemalloc/jemalloc.h>

const char *malloc_conf = "percpu_arena:percpu,tcache_max:1024,tcache_nslots_small_min:1,"
                          "tcache_nslots_small_max:4,tcache_nslots_large:1,"
                          "dirty_decay_ms:1000,muzzy_decay_ms:0";

void cli_malloc_describe(char *buf, size_t n)
{
    /* mallctl writes string settings as a const char * into these. */
    const char *version = "?", *percpu = "?";
    const size_t str_size = sizeof(const char *);
    bool tcache = true;
    unsigned narenas = 0, nslots = 0;
    size_t tcache_max = 0;
    size_t sz = str_size;
    mallctl("version", &version, &sz, NULL, 0);
    sz = sizeof tcache;
    mallctl("opt.tcache", &tcache, &sz, NULL, 0);
    sz = sizeof tcache_max;
    mallctl("opt.tcache_max", &tcache_max, &sz, NULL, 0);
    sz = sizeof nslots;
    mallctl("opt.tcache_nslots_small_max", &nslots, &sz, NULL, 0);
    sz = str_size;
    mallctl("opt.percpu_arena", &percpu, &sz, NULL, 0);
    sz = sizeof narenas;
    mallctl("arenas.narenas", &narenas, &sz, NULL, 0);
    char caches[96] = "off";
    if (tcache)
        snprintf(caches, sizeof caches, "of up to %u blocks a size, %zu bytes at most", nslots,
                 tcache_max);
    snprintf(buf, n, "memory: jemalloc %s, thread caches %s, arenas %s (%u)", version, caches,
             percpu, narenas);
}
#else
void cli_malloc_describe(char *buf, size_t n)
{
    snprintf(buf, n, "memory: the C library's malloc");
}
#endif
