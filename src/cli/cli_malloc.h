/* cli_malloc.h - which allocator the command runs on, and how it is tuned. */
#ifndef STC_CLI_MALLOC_H
#define STC_CLI_MALLOC_H

#include <stddef.h>

/** One line for --version: the allocator and the settings in effect
 * (jemalloc's as MALLOC_CONF may have changed them). */
void cli_malloc_describe(char *buf, size_t n);

#endif
