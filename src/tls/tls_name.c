/*
 * NAME
 *     tls_name - protocol version names and RFC 6125 host name matching
 * SYNOPSIS
 *     const char *tls_version_name(int v);
 *     int tls_name_match(const char *host, const char *presented);
 * DESCRIPTION
 *     tls_version_name() gives OpenSSL's spelling ("TLSv1.2") of a TLS_V_*
 *     value, "unknown" for anything else; the string is static.
 *
 *     tls_name_match() compares a DNS name we expect (host) with a DNS-ID
 *     presented in a certificate, both ASCII (A-labels for IDNs, no
 *     U-label processing), case-insensitively, each with one trailing dot
 *     ignored. A wildcard is allowed only as the complete left-most label
 *     ("*.example.com"), matches exactly one non-empty label, and needs at
 *     least two labels after it ("*.com" never matches). Partial wildcards
 *     ("w*.example.com", "*w.example.com") and a '*' anywhere else never
 *     match. This is what X509_check_host() does with
 *     X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, which tls_conn_info() uses.
 * LIMITS
 *     Names longer than 253 bytes (after the trailing dot) never match.
 * DIAGNOSTICS
 *     None: 1 for a match, 0 otherwise (also for NULL or empty names).
 */
#include <string.h>

#include "../util/limits.h"
#include "../util/text.h"
#include "tls.h"
#include "tls_wire.h"

/* The one table of protocol version names: OpenSSL's spelling, and a fact-key
 * spelling without dots. */
static const struct {
    int version;
    const char *name;
    const char *key;
} VERSIONS[] = {
    {TLS_V_SSL2, "SSLv2", "ssl2"},    {TLS_V_SSL3, "SSLv3", "ssl3"},
    {TLS_V_1_0, "TLSv1", "tls10"},    {TLS_V_1_1, "TLSv1.1", "tls11"},
    {TLS_V_1_2, "TLSv1.2", "tls12"},  {TLS_V_1_3, "TLSv1.3", "tls13"},
};

const char *tls_version_name(int v)
{
    for (size_t i = 0; i < sizeof VERSIONS / sizeof VERSIONS[0]; i++)
        if (VERSIONS[i].version == v)
            return VERSIONS[i].name;
    return "unknown";
}

const char *tls_version_key(int v)
{
    for (size_t i = 0; i < sizeof VERSIONS / sizeof VERSIONS[0]; i++)
        if (VERSIONS[i].version == v)
            return VERSIONS[i].key;
    return "unknown";
}

static int ieq(const char *a, const char *b, size_t n)
{
    return text_iequal(a, b, n);
}

/* Length without one trailing dot; 0 when too long or empty. */
static size_t name_len(const char *s)
{
    size_t n = strnlen(s, STC_DOMAIN_MAX + 2);
    if (n > 0 && s[n - 1] == '.')
        n--;
    return n <= STC_DOMAIN_MAX ? n : 0;
}

int tls_name_match(const char *host, const char *presented)
{
    if (host == NULL || presented == NULL)
        return 0;
    size_t hn = name_len(host), pn = name_len(presented);
    if (hn == 0 || pn == 0 || memchr(host, '*', hn) != NULL)
        return 0;
    if (pn >= 2 && presented[0] == '*' && presented[1] == '.') {
        const char *prest = presented + 1; /* ".example.com" */
        size_t prn = pn - 1;
        if (memchr(prest, '*', prn) != NULL || memchr(prest + 1, '.', prn - 1) == NULL)
            return 0;
        const char *dot = memchr(host, '.', hn);
        if (dot == NULL || dot == host)
            return 0;
        size_t hrn = hn - (size_t)(dot - host);
        return hrn == prn && ieq(dot, prest, prn);
    }
    if (memchr(presented, '*', pn) != NULL)
        return 0;
    return hn == pn && ieq(host, presented, hn);
}
