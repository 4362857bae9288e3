/* hostname.h - the machine's own name, for EHLO. */
#ifndef STC_UTIL_HOSTNAME_H
#define STC_UTIL_HOSTNAME_H

#include <stddef.h>

#include "err.h"

/** Longest host name kept (RFC 1035: 253 octets plus NUL). */
#define HOSTNAME_MAX 254

/**
 * The machine's fully qualified name as Postfix derives myhostname:
 * gethostname(), and when that has no dot, the canonical name of it
 * (getaddrinfo AI_CANONNAME: /etc/hosts, then DNS) if that has one.
 * Never "localhost": STC_E_INVAL when the name is empty, "localhost" or
 * "localhost.*" (the caller must then be given a name).
 */
stc_rc hostname_fqdn(char *out, size_t outsz, struct stc_err *err);

/** Non-zero for "localhost", "localhost.ANYTHING" (any case) and "". */
int hostname_is_localhost(const char *name);

#endif
