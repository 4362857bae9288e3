/*
 * NAME
 *     dns_name - normalize and validate domain and host names
 * SYNOPSIS
 *     #include "dns/dns.h"
 *     stc_rc dns_name_normalize(const char *in, int allow_underscore, char *out,
 *                               size_t out_size, struct stc_err *err);
 *     stc_rc stc_domain_normalize(const char *in, char *out, size_t out_size,
 *                                 struct stc_err *err);
 * DESCRIPTION
 *     ASCII names are DNS names and are taken as they are: A-labels
 *     ("xn--...") are not decoded nor judged by IDNA 2008, so an emoji
 *     domain registered under IDNA 2003 (xn--ls8h) is checked like any
 *     other. Names with non-ASCII bytes (U-labels, user input) go through
 *     UTS #46 processing as browsers do: libidn2 non-transitional with NFC
 *     input; when that refuses a character IDNA 2008 disallows (emoji),
 *     libidn2's transitional processing is tried, as curl does. Then the
 *     ASCII result is lower-cased, one trailing dot is dropped and the
 *     label syntax is checked (RFC 1035/1123: letters, digits, hyphens; no
 *     hyphen at either end of a label). Underscores pass only when
 *     allow_underscore: host names from DNS answers (an MX target
 *     "mx_1.example" resolves and receives mail) and SRV/TLSA owner names
 *     ("_25._tcp.mx.example"). Names from DNS answers arrive in
 *     presentation form (dns_parse.c), where any other byte is "\DDD":
 *     the message names that byte. The caller owns out; nothing is kept.
 *     stc_domain_normalize is the public form without underscores.
 * LIMITS
 *     Input up to 1024 bytes; result 1..253 bytes, labels 1..63 bytes.
 *     A name mixing U-labels with an A-label IDNA 2008 disallows is judged
 *     as a whole by libidn2 (write it all in A-labels). The transitional
 *     retry maps "ß" to "ss" in a name that also holds such a character.
 * DIAGNOSTICS
 *     STC_E_INVAL with a message naming the escaped input and the rule, e.g.
 *     `invalid domain name "a..b": empty label`. STC_E_NOMEM.
 */
#include <stdlib.h>
#include <string.h>

#include <idn2.h>
#include <starttls/checker.h>

#include "../util/err.h"
#include "../util/limits.h"
#include "../util/text.h"
#include "dns.h"

#define INPUT_MAX 1024
#define SHOWN_MAX 80


/* The byte a presentation-form escape "\DDD" (or "\X") at p stands for. */
static unsigned char escaped_byte(const char *p, size_t left)
{
    if (left >= 4 && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' && p[3] >= '0' &&
        p[3] <= '9') {
        int v = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
        return v <= 255 ? (unsigned char)v : (unsigned char)'\\';
    }
    return left >= 2 ? (unsigned char)p[1] : (unsigned char)'\\';
}

/* Check the host name rules on an ASCII, lower-case name without trailing dot. */
static stc_rc check_ldh(const char *name, size_t n, int allow_underscore, const char *shown,
                        struct stc_err *err)
{
    if (n == 0)
        return err_set(err, STC_E_INVAL, "invalid domain name \"%s\": empty name", shown);
    if (n > STC_DOMAIN_MAX)
        return err_set(err, STC_E_INVAL,
                       "invalid domain name \"%s\": %zu bytes long (at most %d allowed)", shown, n,
                       STC_DOMAIN_MAX);
    size_t start = 0;
    while (start <= n) {
        const char *dot = memchr(name + start, '.', n - start);
        size_t end = dot ? (size_t)(dot - name) : n;
        size_t ll = end - start;
        const char *label = name + start;
        if (ll == 0)
            return err_set(err, STC_E_INVAL, "invalid domain name \"%s\": empty label", shown);
        if (ll > STC_LABEL_MAX)
            return err_set(err, STC_E_INVAL,
                           "invalid domain name \"%s\": label of %zu bytes (at most %d allowed)",
                           shown, ll, STC_LABEL_MAX);
        for (size_t i = 0; i < ll; i++) {
            unsigned char c = (unsigned char)label[i];
            int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                     (c == '_' && allow_underscore);
            if (!ok) {
                char cs[8];
                if (c == '\\')
                    c = escaped_byte(label + i, ll - i);
                text_escape(&c, 1, cs, sizeof cs);
                return err_set(err, STC_E_INVAL,
                               "invalid domain name \"%s\": character '%s' not allowed in a "
                               "host name",
                               shown, cs);
            }
        }
        if (label[0] == '-')
            return err_set(err, STC_E_INVAL,
                           "invalid domain name \"%s\": a label starts with a hyphen", shown);
        if (label[ll - 1] == '-')
            return err_set(err, STC_E_INVAL,
                           "invalid domain name \"%s\": a label ends with a hyphen", shown);
        start = end + 1;
    }
    return STC_OK;
}

stc_rc dns_name_normalize(const char *in, int allow_underscore, char *out, size_t out_size,
                          struct stc_err *err)
{
    stc_rc rc = STC_OK;
    char shown[SHOWN_MAX];
    char *idn = NULL;
    const char *name;
    size_t n;
    STC_ENSURE(in != NULL, err, STC_E_INVAL, "no domain name given");
    STC_ENSURE(out != NULL && out_size > STC_DOMAIN_MAX, err, STC_E_INVAL,
               "dns_name_normalize: output buffer of %zu bytes (at least %d needed)", out_size,
               STC_DOMAIN_MAX + 1);
    out[0] = '\0';
    n = strnlen(in, INPUT_MAX + 1);
    text_escape(in, n, shown, sizeof shown);
    STC_ENSURE(n <= INPUT_MAX, err, STC_E_INVAL, "invalid domain name \"%s\": longer than %d bytes",
               shown, INPUT_MAX);
    int non_ascii = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        STC_ENSURE(c >= 0x20 && c != 0x7f, err, STC_E_INVAL,
                   "invalid domain name \"%s\": control character", shown);
        STC_ENSURE(c != ' ', err, STC_E_INVAL, "invalid domain name \"%s\": space", shown);
        non_ascii |= c >= 0x80;
    }
    name = in;
    if (non_ascii) {
        int r = idn2_to_ascii_8z(in, &idn, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
        if (r == IDN2_DISALLOWED)
            r = idn2_to_ascii_8z(in, &idn, IDN2_TRANSITIONAL | IDN2_NFC_INPUT);
        STC_ENSURE(r != IDN2_MALLOC, err, STC_E_NOMEM, "out of memory");
        STC_ENSURE(r == IDN2_OK, err, STC_E_INVAL, "invalid domain name \"%s\": %s", shown,
                   idn2_strerror(r));
        name = idn;
        n = strnlen(idn, INPUT_MAX + 1);
        STC_ENSURE(n <= INPUT_MAX, err, STC_E_INVAL,
                   "invalid domain name \"%s\": longer than %d bytes", shown, INPUT_MAX);
    }
    if (n > 0 && name[n - 1] == '.')
        n--;
    STC_ENSURE(n <= STC_DOMAIN_MAX, err, STC_E_INVAL,
               "invalid domain name \"%s\": %zu bytes long (at most %d allowed)", shown, n,
               STC_DOMAIN_MAX);
    for (size_t i = 0; i < n; i++)
        out[i] = (char)text_tolower((unsigned char)name[i]);
    out[n] = '\0';
    rc = check_ldh(out, n, allow_underscore, shown, err);
out:
    if (rc != STC_OK && out != NULL && out_size > 0)
        out[0] = '\0';
    idn2_free(idn);
    return rc;
}

stc_rc stc_domain_normalize(const char *in, char *out, size_t out_size, struct stc_err *err)
{
    return dns_name_normalize(in, 0, out, out_size, err);
}
