/* scan_exclude.h - the opt-out list of a scan: domains, addresses, CIDR ranges. */
#ifndef STC_SCAN_EXCLUDE_H
#define STC_SCAN_EXCLUDE_H

#include <starttls/error.h>

struct scan_exclude;

/** Read path (one entry a line, '#' comments). STC_E_PARSE naming the line, STC_E_IO,
 *  STC_E_NOMEM. */
stc_rc scan_exclude_load(const char *path, struct scan_exclude **out, struct stc_err *err);
void scan_exclude_free(struct scan_exclude *x);
/** 1 when name (normalized) or one of its parent domains is listed. x may be NULL. */
int scan_exclude_name(const struct scan_exclude *x, const char *name);
/** 1 when the address (IPv4 or IPv6 text) is listed or in a listed range. x may be NULL. */
int scan_exclude_addr(const struct scan_exclude *x, const char *addr);
/** stc_addr_allowed_fn over a list (ctx: const struct scan_exclude *): 0 when excluded. */
int scan_exclude_allows(void *ctx, const char *addr);

#endif
