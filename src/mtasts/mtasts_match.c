/*
 * NAME
 *     mtasts_match - MX host patterns: syntax (RFC 8461 3.2) and matching (appendix B)
 * SYNOPSIS
 *     int mtasts_pattern_match(const char *host, size_t hlen, const char *pat, size_t plen);
 *     int mtasts_pattern_valid(const char *pat, size_t n, const char **why);
 *     int mtasts_patterns_match(const char *host, char *const *pats, size_t npats);
 *     int stc_policy_matches(const char *host, const char *pattern);
 * DESCRIPTION
 *     A pattern is a host name, or "*." and a host name standing for exactly
 *     one more label on the left: "*.example.com" matches "mail.example.com"
 *     but neither "example.com" nor "a.b.example.com". Comparison is ASCII
 *     case-insensitive and ignores one trailing dot on either side. The
 *     original checker also took ".example.com" (the STARTTLS-Everywhere
 *     list's suffix form) with the same one-label meaning; matching accepts
 *     it, mtasts_pattern_valid does not (RFC 8461 has only "*.").
 *     stc_policy_matches (public) additionally drops a ":port" suffix from
 *     the host, as the original's PolicyMatches did.
 * LIMITS
 *     Names longer than 253 bytes (254 with the dot) never match.
 * DIAGNOSTICS
 *     None: the functions answer yes or no.
 */
#include "mtasts.h"
#include "../util/text.h"

#include <string.h>

#include <starttls/checker.h>

static int ieq(const char *a, const char *b, size_t n)
{
    return text_iequal(a, b, n);
}

static size_t strip_dot(const char *s, size_t n)
{
    return (n > 0 && s[n - 1] == '.') ? n - 1 : n;
}

int mtasts_pattern_match(const char *host, size_t hlen, const char *pat, size_t plen)
{
    if (host == NULL || pat == NULL)
        return 0;
    hlen = strip_dot(host, hlen);
    plen = strip_dot(pat, plen);
    if (hlen == 0 || plen == 0 || hlen > STC_DOMAIN_MAX || plen > STC_DOMAIN_MAX + 2)
        return 0;
    if (memchr(host, '\0', hlen) != NULL || memchr(pat, '\0', plen) != NULL)
        return 0;
    if (pat[0] == '*' || pat[0] == '.') {
        const char *suffix = pat[0] == '*' ? pat + 1 : pat; /* ".rest" */
        size_t slen = pat[0] == '*' ? plen - 1 : plen;
        if (slen < 2 || suffix[0] != '.')
            return 0;
        /* host = label "." rest: the first dot splits off exactly one label. */
        const char *dot = memchr(host, '.', hlen);
        if (dot == NULL || dot == host)
            return 0;
        size_t rest = hlen - (size_t)(dot - host);
        return rest == slen && ieq(dot, suffix, slen);
    }
    return hlen == plen && ieq(host, pat, hlen);
}

int mtasts_patterns_match(const char *host, char *const *pats, size_t npats)
{
    size_t hlen = strlen(host);
    for (size_t i = 0; i < npats; i++)
        if (mtasts_pattern_match(host, hlen, pats[i], strlen(pats[i])))
            return 1;
    return 0;
}

static int let_dig(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int mtasts_pattern_valid(const char *pat, size_t n, const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    *why = "";
    size_t max = STC_DOMAIN_MAX;
    if (n >= 2 && pat[0] == '*' && pat[1] == '.') {
        pat += 2;
        n -= 2;
        max = STC_DOMAIN_MAX - 2; /* room for the one label "*" stands for */
    } else if (n >= 1 && pat[0] == '.') {
        *why = "a leading \".\" is not RFC 8461 syntax; write \"*.\" for one label";
        return 0;
    } else if (memchr(pat, '*', n) != NULL) {
        *why = "\"*\" is only allowed as the whole leftmost label (\"*.example.com\")";
        return 0;
    }
    if (n == 0) {
        *why = "empty host name";
        return 0;
    }
    if (pat[n - 1] == '.') {
        *why = "a trailing dot is not allowed in a policy mx pattern";
        return 0;
    }
    if (n > max) {
        *why = max == STC_DOMAIN_MAX ? "longer than 253 characters"
                                     : "too long: no host name of 253 characters or fewer "
                                       "can match it";
        return 0;
    }
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char c = pat[i];
        if (c == '.') {
            if (label == 0) {
                *why = "empty label";
                return 0;
            }
            if (pat[i - 1] == '-') {
                *why = "a label ends with '-'";
                return 0;
            }
            label = 0;
            continue;
        }
        if (c == '*') {
            *why = "\"*\" is only allowed as the whole leftmost label (\"*.example.com\")";
            return 0;
        }
        if (!let_dig(c) && c != '-') {
            *why = "only letters, digits, '-' and '.' are allowed (IDNs as A-labels)";
            return 0;
        }
        if (label == 0 && c == '-') {
            *why = "a label starts with '-'";
            return 0;
        }
        if (++label > STC_LABEL_MAX) {
            *why = "a label is longer than 63 characters";
            return 0;
        }
    }
    if (pat[n - 1] == '-') {
        *why = "a label ends with '-'";
        return 0;
    }
    return 1;
}

STC_EXPORT int stc_policy_matches(const char *host, const char *pattern)
{
    if (host == NULL || pattern == NULL)
        return 0;
    size_t hlen = strnlen(host, STC_DOMAIN_MAX + 8);
    /* A URL-style "host:port" (the original accepted one): drop the port. */
    const char *colon = memchr(host, ':', hlen);
    if (colon != NULL && memchr(colon + 1, ':', hlen - (size_t)(colon - host) - 1) == NULL) {
        size_t i = (size_t)(colon - host) + 1;
        int digits = i < hlen;
        for (; i < hlen; i++)
            digits = digits && host[i] >= '0' && host[i] <= '9';
        if (digits)
            hlen = (size_t)(colon - host);
    }
    return mtasts_pattern_match(host, hlen, pattern, strnlen(pattern, STC_DOMAIN_MAX + 8));
}
