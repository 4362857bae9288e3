/* addr_filter.h - is an address one a public checker may connect to?
 *
 * A checker exposed to the Internet (serve) must not be turned into a probe
 * of its own network: every address taken from DNS is classified before
 * any packet, and connections to loopback, private, link-local, CGNAT,
 * multicast, reserved, documentation and cloud-metadata addresses are
 * refused unless the configuration allows private addresses.
 */
#ifndef STC_UTIL_ADDR_FILTER_H
#define STC_UTIL_ADDR_FILTER_H

#include <stddef.h>

#include <starttls/error.h>

/**
 * Classify a numeric address (IPv4 dotted quad or IPv6 text, no brackets,
 * no zone). Returns NULL for a public unicast address, else a static
 * description of the range, e.g. "loopback (127.0.0.0/8)". An address that
 * does not parse is "not a numeric address" (refused too). IPv4-mapped,
 * NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses are judged by the
 * IPv4 address they carry.
 */
const char *addr_blocked(const char *addr);

/** Same on raw bytes: family AF_INET (4 bytes) or AF_INET6 (16 bytes). */
const char *addr_blocked_raw(int family, const void *bytes);

/**
 * The gate every connection passes: STC_OK when allow_private is set or the
 * address is public; else STC_E_BLOCKED with "not tested: address X is
 * <range>; this checker does not connect to such addresses" in err.
 */
stc_rc addr_filter_check(int allow_private, const char *addr, struct stc_err *err);

#endif
