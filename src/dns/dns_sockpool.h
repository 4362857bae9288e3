/* dns_sockpool.h - connected UDP sockets to a loopback resolver, kept for reuse. */
#ifndef STC_DNS_SOCKPOOL_H
#define STC_DNS_SOCKPOOL_H

#include <stddef.h>

#include "../util/err.h"

struct dns_sockpool;

/** An empty pool (for one loopback resolver). STC_E_NOMEM, STC_E_INTERNAL. */
stc_rc dns_sockpool_new(struct dns_sockpool **out, struct stc_err *err);
/** Close the idle sockets and free the pool (no socket may be out). NULL is fine. */
void dns_sockpool_free(struct dns_sockpool *p);
/** An idle socket and the questions it has carried, or -1 when none is idle. */
int dns_sockpool_take(struct dns_sockpool *p, unsigned *uses);
/** Keep fd (which has carried uses questions, each answered) for the next
 * question, or close it when the pool is full or the socket is worn out. */
void dns_sockpool_give(struct dns_sockpool *p, int fd, unsigned uses);

/** Idle sockets in the pool (for tests). */
size_t dns_sockpool_idle(struct dns_sockpool *p);

#endif
