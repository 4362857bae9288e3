/*
 * NAME
 *     mtasts_comply - what a sender applying a policy requires of one MX host
 * SYNOPSIS
 *     unsigned v = mtasts_host_violations(pol.mx, pol.nmx, &host);
 * DESCRIPTION
 *     RFC 8461 4.1 and 5: the MX host matches one of the policy's mx
 *     patterns, supports STARTTLS with TLS 1.2 or newer, and presents a
 *     PKIX certificate valid for the MX host name (trusted chain, in date,
 *     name matches per RFC 6125, as a subjectAltName dNSName: RFC 8461 4.2
 *     leaves no fallback to the subject CN). The host's observations come in as plain
 *     data (struct mtasts_host); the checks layer reads them from the
 *     result tree. A host that did not connect is only matched against the
 *     patterns: nothing else about it is known. An observation that is
 *     missing (-1: e.g. a replacement host check that sets no facts) is not
 *     held against the host.
 * DIAGNOSTICS
 *     None: returns a set of enum mtasts_violation (0: compliant).
 */
#include "mtasts.h"

#include <limits.h>

unsigned mtasts_host_violations(char *const *pats, size_t npats, const struct mtasts_host *h)
{
    unsigned v = 0;
    if (!mtasts_patterns_match(h->name, pats, npats))
        v |= MTASTS_V_PATTERN;
    if (h->connected != 1)
        return v;
    if (h->starttls == 0)
        return v | MTASTS_V_STARTTLS;
    if (h->tls_version > 0 && h->tls_version < 0x0303)
        v |= MTASTS_V_VERSION;
    if (h->name_in_cn_only == 1)
        v |= MTASTS_V_CERT_NO_SAN;
    if (h->cert_valid != 0)
        return v; /* valid, or not known (no certificate facts) */
    unsigned c = 0;
    if (h->cert_trusted == 0)
        c |= MTASTS_V_CERT_TRUST;
    if (h->name_matches == 0)
        c |= MTASTS_V_CERT_NAME;
    if (h->days_to_expiry != LLONG_MIN && h->days_to_expiry < 0)
        c |= MTASTS_V_CERT_EXPIRED;
    if (c == 0)
        c = MTASTS_V_CERT_OTHER;
    return v | c;
}
