/*
 * NAME
 *     dns_status - the common status of a lookup, from a libunbound result
 * SYNOPSIS
 *     #include "dns/dns_int.h"
 *     void dns_status_fill(struct dns_status *st, const struct ub_result *res);
 *     stc_rc dns_status_check(const struct dns_status *st, const char *what,
 *                             const char *name, struct stc_err *err);
 *     const char *dns_security_text(enum dns_security s);
 * DESCRIPTION
 *     rcode, nxdomain, nodata (no data and NOERROR), DNSSEC state from
 *     secure/bogus, why_bogus and the canonical name (when it differs from
 *     the question) are copied through text_escape(): both can carry bytes
 *     from the network. canonname is lower case without a trailing dot.
 * LIMITS
 *     why_bogus and canonname are truncated (with "...") to their arrays;
 *     libunbound's strings are read at most 1024 bytes far.
 * DIAGNOSTICS
 *     dns_status_check: STC_E_DNS for any rcode other than NOERROR and
 *     NXDOMAIN, naming the rcode; a bogus answer passes (its rcode is what
 *     libunbound reports, usually SERVFAIL) so the caller can report it.
 */
#include <string.h>

#include "../util/err.h"
#include "../util/text.h"
#include "dns_int.h"

#define TEXT_MAX 1024

static const char *rcode_name(int rcode)
{
    switch (rcode) {
    case 0: return "NOERROR";
    case 1: return "FORMERR";
    case 2: return "SERVFAIL";
    case 3: return "NXDOMAIN";
    case 4: return "NOTIMP";
    case 5: return "REFUSED";
    default: return "rcode";
    }
}

/* Same name, ignoring ASCII case and one trailing dot on either side. */
static int same_name(const char *a, const char *b)
{
    size_t na = strnlen(a, TEXT_MAX), nb = strnlen(b, TEXT_MAX);
    if (na > 0 && a[na - 1] == '.')
        na--;
    if (nb > 0 && b[nb - 1] == '.')
        nb--;
    return na == nb && text_iequal(a, b, na);
}

void dns_status_fill(struct dns_status *st, const struct ub_result *res)
{
    memset(st, 0, sizeof *st);
    st->rcode = res->rcode;
    st->nxdomain = res->nxdomain != 0;
    st->nodata = !res->havedata && res->rcode == 0;
    st->sec = res->bogus ? DNS_BOGUS : res->secure ? DNS_SECURE : DNS_INSECURE;
    if (res->bogus && res->why_bogus != NULL)
        text_escape(res->why_bogus, strnlen(res->why_bogus, TEXT_MAX), st->why_bogus,
                    sizeof st->why_bogus);
    else if (res->bogus)
        text_escape("validation failed", 17, st->why_bogus, sizeof st->why_bogus);
    if (res->canonname != NULL && res->qname != NULL && !same_name(res->canonname, res->qname)) {
        size_t n = strnlen(res->canonname, TEXT_MAX);
        if (n > 1 && res->canonname[n - 1] == '.')
            n--;
        text_escape(res->canonname, n, st->canonname, sizeof st->canonname);
        text_lower(st->canonname);
    }
}

stc_rc dns_status_check(const struct dns_status *st, const char *what, const char *name,
                        struct stc_err *err)
{
    if (st->rcode == 0 || st->rcode == 3)
        return STC_OK;
    if (st->sec == DNS_BOGUS)
        return STC_OK; /* the caller reports the status; no data is used */
    return err_set(err, STC_E_DNS, "%s lookup of %s: %s (rcode %d)", what, name,
                   rcode_name(st->rcode), st->rcode);
}

const char *dns_security_text(enum dns_security s)
{
    switch (s) {
    case DNS_SECURE: return "secure";
    case DNS_BOGUS: return "bogus";
    case DNS_INSECURE: return "insecure";
    default: return "unknown";
    }
}
