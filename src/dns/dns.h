/* dns.h - DNS lookups on libunbound with the DNSSEC state of every answer.
 *
 * One struct dns_ctx is shared by all threads of a checker; every lookup is
 * bounded by a deadline. Answers are copied into plain structs the caller
 * owns and frees with the matching dns_*_free().
 */
#ifndef STC_DNS_DNS_H
#define STC_DNS_DNS_H

#include <stddef.h>
#include <stdint.h>

#include <starttls/error.h>

#include "../util/deadline.h"

enum dns_security {
    DNS_INSECURE = 0, /* no DNSSEC, or a provably unsigned zone */
    DNS_SECURE = 1,   /* validated (AD) */
    DNS_BOGUS = 2     /* validation failed: why_bogus says why */
};

struct dns_config {
    const char *resolver;     /* "ADDR" or "ADDR@PORT"; NULL: /etc/resolv.conf */
    const char *trust_anchor; /* file of DS/DNSKEY records; NULL: none (nothing is secure) */
    /* 0: libunbound validates locally with trust_anchor. 1: the resolver's
     * AD bit is the verdict (dns_stub.c), resolver on loopback only; 2: the
     * same for any resolver the user trusts; 3 (auto): as 1 when the
     * resolver is on loopback and validates, else as 0. Modes 1-3 first ask
     * ". SOA": a resolver that does not set AD on it does not validate
     * (modes 1 and 2 then fail with STC_E_DNS). */
    int trust_resolver;
};

struct dns_ctx;

stc_rc dns_ctx_new(const struct dns_config *cfg, struct dns_ctx **out, struct stc_err *err);
void dns_ctx_free(struct dns_ctx *ctx);
/** 1 when answers' DNSSEC states are the resolver's AD bit (trust_resolver took). */
int dns_ctx_trusts_resolver(const struct dns_ctx *ctx);

/* Common status of a lookup. A lookup that completes returns STC_OK even
 * for NXDOMAIN/NODATA/bogus; those are in the status. STC_E_DNS is for
 * SERVFAIL, REFUSED, malformed answers and resolver failures (the message
 * says which); STC_E_TIMEOUT when the deadline passes. */
struct dns_status {
    int rcode;               /* DNS rcode (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN) */
    int nxdomain;            /* the name does not exist */
    int nodata;              /* the name exists but has no record of this type */
    enum dns_security sec;   /* DNSSEC state of this answer */
    char why_bogus[160];     /* when sec == DNS_BOGUS */
    char canonname[256];     /* owner after CNAME expansion ("" when none) */
};

struct dns_mx {
    uint16_t pref;
    char host[256]; /* normalized: lower case, no trailing dot; "" for null MX "." */
};

struct dns_mx_set {
    struct dns_status st;
    int null_mx;            /* one MX with host "." (RFC 7505) */
    size_t n;
    struct dns_mx *mx;      /* sorted by pref, then name; duplicates removed */
};

struct dns_addr_set {
    struct dns_status st4;  /* A lookup */
    struct dns_status st6;  /* AAAA lookup */
    size_t n;
    char (*addr)[46];       /* numeric: IPv4 ones first, then IPv6 */
};

struct dns_txt_set {
    struct dns_status st;
    size_t n;
    char **txt;             /* each record's strings joined with nothing between (RFC 8461 3.1); NULs rejected */
};

struct dns_tlsa {
    uint8_t usage, selector, mtype;
    size_t len;
    uint8_t *data;
};

struct dns_tlsa_set {
    struct dns_status st;
    size_t n;
    struct dns_tlsa *rr;
};

stc_rc dns_lookup_mx(struct dns_ctx *ctx, const char *domain, struct deadline d,
                     struct dns_mx_set *out, struct stc_err *err);
/** A then AAAA; each lookup's status kept. Fails only if both lookups fail. */
stc_rc dns_lookup_addrs(struct dns_ctx *ctx, const char *host, struct deadline d,
                        struct dns_addr_set *out, struct stc_err *err);
stc_rc dns_lookup_txt(struct dns_ctx *ctx, const char *name, struct deadline d,
                      struct dns_txt_set *out, struct stc_err *err);
/** Two TXT lookups in one batch (one wait instead of two): each name gets
 * its own set, rc and err, as dns_lookup_txt would give it. */
void dns_lookup_txt2(struct dns_ctx *ctx, const char *const names[2], struct deadline d,
                     struct dns_txt_set out[2], stc_rc rc[2], struct stc_err err[2]);
stc_rc dns_lookup_tlsa(struct dns_ctx *ctx, const char *name, struct deadline d,
                       struct dns_tlsa_set *out, struct stc_err *err);

void dns_mx_set_free(struct dns_mx_set *s);
void dns_addr_set_free(struct dns_addr_set *s);
void dns_txt_set_free(struct dns_txt_set *s);
void dns_tlsa_set_free(struct dns_tlsa_set *s);

/** "secure", "insecure", "bogus". */
const char *dns_security_text(enum dns_security s);

/**
 * Normalize a domain or host name: ASCII names (A-labels too) as they are,
 * U-labels through UTS #46 (libidn2) to A-labels; ASCII lower case, one
 * trailing dot removed; total <= 253, labels 1..63, LDH characters only
 * (underscore allowed when allow_underscore, as for names from DNS
 * answers), no empty labels. out_size >= 254. STC_E_INVAL with a precise
 * message otherwise.
 */
stc_rc dns_name_normalize(const char *in, int allow_underscore, char *out, size_t out_size,
                          struct stc_err *err);

#endif
