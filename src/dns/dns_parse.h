/* dns_parse.h - bounds-checked parsers for the rdata libunbound hands us.
 *
 * libunbound returns each record's rdata uncompressed (it expands names when
 * it copies the answer), so a compression pointer inside rdata is malformed
 * here. Every parser takes (pointer, length) and never reads past it.
 * The *_set functions take the arrays of a struct ub_result (data[] ending
 * in NULL, len[]) so they can be tested without a resolver.
 */
#ifndef STC_DNS_DNS_PARSE_H
#define STC_DNS_DNS_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "../util/buf.h"
#include "dns.h"

/** Longest wire-format name (RFC 1035 3.1). */
#define DNS_WIRE_NAME_MAX 255

/**
 * Read a wire-format name at r's position into presentation text: ASCII
 * letters lower-cased, [a-z0-9-_] kept, every other byte as "\DDD", no
 * trailing dot, "" for the root. STC_E_PARSE on a truncated name, a label
 * over 63 bytes, a name over 255 bytes, a compression pointer or an unknown
 * label type; STC_E_LIMIT when the text does not fit in outsz.
 */
stc_rc dns_parse_name(struct rd *r, char *out, size_t outsz, struct stc_err *err);

/** MX rdata: preference + name, nothing after it. */
stc_rc dns_parse_mx_rdata(const uint8_t *p, size_t n, struct dns_mx *out, struct stc_err *err);

/** A (family AF_INET, 4 bytes) or AAAA (AF_INET6, 16 bytes) rdata to numeric text. */
stc_rc dns_parse_addr_rdata(const uint8_t *p, size_t n, int family, char out[46],
                            struct stc_err *err);

/**
 * TXT rdata: the character-strings joined with nothing between, as a
 * malloc'd C string in *out. STC_E_PARSE on a truncated string or a NUL
 * byte, STC_E_LIMIT past STC_TXT_MAX bytes.
 */
stc_rc dns_parse_txt_rdata(const uint8_t *p, size_t n, char **out, struct stc_err *err);

/** TLSA rdata: usage, selector, matching type, data (malloc'd, >= 1 byte allocated). */
stc_rc dns_parse_tlsa_rdata(const uint8_t *p, size_t n, struct dns_tlsa *out, struct stc_err *err);

/** Sort by preference then host, drop repeated hosts (the lowest preference stays). */
void dns_mx_sort_dedupe(struct dns_mx *mx, size_t *n);

/*
 * Whole answers. data/len as in struct ub_result (data NULL-terminated).
 * Each fills only the record fields of *out (n and the array); the caller
 * fills the status. On failure *out keeps no allocation.
 */

/**
 * MX set: sorted and deduplicated, at most STC_MX_MAX kept (lowest
 * preferences). A lone "." is a null MX (null_mx = 1, one entry with host
 * ""); a "." among other records stays as a "" entry with null_mx = 0 so the
 * caller can report the misconfiguration.
 */
stc_rc dns_parse_mx_set(char *const *data, const int *len, struct dns_mx_set *out,
                        struct stc_err *err);

/** Append the A or AAAA records to out (numerically sorted, at most STC_ADDR_MAX per family). */
stc_rc dns_parse_addr_set(char *const *data, const int *len, int family, struct dns_addr_set *out,
                          struct stc_err *err);

stc_rc dns_parse_txt_set(char *const *data, const int *len, struct dns_txt_set *out,
                         struct stc_err *err);

stc_rc dns_parse_tlsa_set(char *const *data, const int *len, struct dns_tlsa_set *out,
                          struct stc_err *err);

#endif
