/*
 * NAME
 *     tlsrpt - parse the TLS-RPT TXT record (RFC 8460 3)
 * SYNOPSIS
 *     if (tlsrpt_is_record(rec, n)) rc = tlsrpt_parse(rec, n, &r, err);
 *     ... r.rua[0..nrua), r.fx ...
 *     tlsrpt_record_free(&r);
 * DESCRIPTION
 *     RFC 8460 3:
 *       tlsrpt-record  = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
 *       field-delim    = *WSP ";" *WSP
 *       tlsrpt-version = %s"v=TLSRPTv1"
 *       tlsrpt-rua     = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
 *       tlsrpt-uri     = URI (RFC 3986; "," and "!" must be percent-encoded)
 *       tlsrpt-extension = name "=" 1*(%x21-3A / %x3C / %x3E-7E)
 *     rua is required; its URIs are "mailto:" (an addr-spec) or "https:"
 *     (a host). Unknown fields are ignored (a note), a repeated field keeps
 *     its first value (a warning). The splitting into fields is the one
 *     MTA-STS uses (mtasts_kv_split). The record is borrowed; out->rua is
 *     allocated and owned by out.
 * LIMITS
 *     TLSRPT_RUA_MAX URIs (more are an error), MTASTS_KV_MAX fields.
 * DIAGNOSTICS
 *     tlsrpt_parse: STC_E_PARSE (the first error, escaped) when senders
 *     would reject the record; STC_E_NOMEM.
 */
#include "tlsrpt.h"

#include <stdlib.h>
#include <string.h>

#include "../util/text.h"

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int shown(size_t n)
{
    return (int)(n < MTASTS_EXCERPT_MAX ? n : MTASTS_EXCERPT_MAX);
}

int tlsrpt_is_record(const char *rec, size_t n)
{
    return mtasts_record_is(rec, n, "v=TLSRPTv1");
}

/* RFC 3986 characters (unreserved, reserved, "%" HEXDIG HEXDIG), minus "!" and ",". */
static int uri_chars_ok(const char *u, size_t n, const char **why)
{
    static const char other[] = "-._~:/?#[]@$&'()*+;=";
    for (size_t i = 0; i < n; i++) {
        char c = u[i];
        if (c == '%') {
            if (n - i < 3 || !is_hex(u[i + 1]) || !is_hex(u[i + 2])) {
                *why = "a '%' is not followed by two hex digits";
                return 0;
            }
            i += 2;
        } else if (c == '!') {
            *why = "'!' must be percent-encoded (%21) in a TLS-RPT URI";
            return 0;
        } else if (!is_alpha(c) && !is_digit(c) && memchr(other, c, sizeof other - 1) == NULL) {
            *why = "a character that is not allowed in a URI";
            return 0;
        }
    }
    return 1;
}

static int host_ok(const char *h, size_t n, const char **why)
{
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
        int colon = 0;
        for (size_t i = 1; i + 1 < n; i++) {
            if (!is_hex(h[i]) && h[i] != ':' && h[i] != '.') {
                *why = "a bad IPv6 literal";
                return 0;
            }
            colon |= h[i] == ':';
        }
        if (!colon) {
            *why = "an IPv6 literal needs at least one ':'";
            return 0;
        }
        return 1;
    }
    const char *w = NULL;
    if (!mtasts_pattern_valid(h, n, &w) || (n >= 1 && h[0] == '*')) {
        *why = "the host is not a valid host name";
        return 0;
    }
    return 1;
}

static int mailto_ok(const char *u, size_t n, const char **why)
{
    const char *q = memchr(u, '?', n);
    size_t an = q ? (size_t)(q - u) : n; /* the addr-spec, before any ?hfields */
    const char *at = NULL;
    for (size_t i = 0; i < an; i++)
        if (u[i] == '@')
            at = u + i;
    if (at == NULL || at == u) {
        *why = "a mailto: URI needs an address: local-part@domain";
        return 0;
    }
    size_t dn = an - (size_t)(at - u) - 1;
    if (dn == 0) {
        *why = "the mail address has no domain";
        return 0;
    }
    if (!host_ok(at + 1, dn, why)) {
        *why = "the mail address's domain is not a valid host name";
        return 0;
    }
    return 1;
}

static int https_ok(const char *u, size_t n, const char **why)
{
    if (n < 2 || u[0] != '/' || u[1] != '/') {
        *why = "an https: URI needs \"//host\"";
        return 0;
    }
    u += 2;
    n -= 2;
    size_t an = 0; /* authority: up to "/", "?" or "#" */
    while (an < n && u[an] != '/' && u[an] != '?' && u[an] != '#')
        an++;
    const char *at = NULL;
    for (size_t i = 0; i < an; i++)
        if (u[i] == '@')
            at = u + i;
    const char *host = at ? at + 1 : u;
    size_t hn = an - (size_t)(host - u);
    /* Split off ":port"; an IPv6 literal is bracketed. */
    const char *colon = NULL;
    if (hn > 0 && host[0] == '[') {
        const char *rb = memchr(host, ']', hn);
        if (rb == NULL) {
            *why = "an unterminated IPv6 literal";
            return 0;
        }
        if ((size_t)(rb - host) + 1 < hn) {
            if (rb[1] != ':') {
                *why = "junk after the IPv6 literal";
                return 0;
            }
            colon = rb + 1;
        }
    } else {
        for (size_t i = 0; i < hn; i++)
            if (host[i] == ':')
                colon = host + i;
    }
    if (colon != NULL) {
        size_t pn = hn - (size_t)(colon - host) - 1;
        for (size_t i = 0; i < pn; i++)
            if (!is_digit(colon[1 + i])) {
                *why = "the port is not a number";
                return 0;
            }
        hn = (size_t)(colon - host);
    }
    if (hn == 0) {
        *why = "an https: URI needs a host";
        return 0;
    }
    return host_ok(host, hn, why);
}

int tlsrpt_uri_valid(const char *u, size_t n, const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    *why = "";
    if (!uri_chars_ok(u, n, why))
        return 0;
    const char *colon = memchr(u, ':', n);
    if (colon == NULL || colon == u || !is_alpha(u[0])) {
        *why = "not a URI (expected mailto: or https:)";
        return 0;
    }
    size_t sl = (size_t)(colon - u);
    const char *rest = colon + 1;
    size_t rn = n - sl - 1;
    if (text_ieq(u, sl, "mailto"))
        return mailto_ok(rest, rn, why);
    if (text_ieq(u, sl, "https"))
        return https_ok(rest, rn, why);
    *why = "only mailto: and https: report URIs are defined";
    return 0;
}

static stc_rc parse_rua(const struct mtasts_kv *f, struct tlsrpt_record *out, struct stc_err *err)
{
    const char *v = f->val;
    size_t n = f->vlen;
    size_t i = 0;
    if (n == 0) {
        mtasts_finding_add(&out->fx, MTASTS_ERR, "rua is empty (one or more report URIs needed)");
        return STC_OK;
    }
    while (i <= n) {
        const char *comma = memchr(v + i, ',', n - i);
        size_t end = comma ? (size_t)(comma - v) : n;
        size_t s = i, e = end;
        while (s < e && mtasts_is_wsp(v[s]))
            s++;
        while (e > s && mtasts_is_wsp(v[e - 1]))
            e--;
        const char *why = NULL;
        if (s == e) {
            mtasts_finding_add(&out->fx, MTASTS_ERR, "rua has an empty URI (stray ',')");
        } else if (!tlsrpt_uri_valid(v + s, e - s, &why)) {
            mtasts_finding_add(&out->fx, MTASTS_ERR, "rua URI \"%.*s\" is not valid: %s",
                               shown(e - s), v + s, why);
        } else if (out->nrua >= TLSRPT_RUA_MAX) {
            mtasts_finding_add(&out->fx, MTASTS_ERR, "rua has more than %d URIs", TLSRPT_RUA_MAX);
            return STC_OK;
        } else {
            out->rua[out->nrua] = text_ndup(v + s, e - s);
            if (out->rua[out->nrua] == NULL)
                return err_set(err, STC_E_NOMEM, "out of memory");
            out->nrua++;
        }
        if (comma == NULL)
            break;
        i = end + 1;
    }
    return STC_OK;
}

stc_rc tlsrpt_parse(const char *rec, size_t n, struct tlsrpt_record *out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct mtasts_kv kv[MTASTS_KV_MAX];
    size_t nkv = 0;
    int have_rua = 0;
    memset(out, 0, sizeof *out);
    mtasts_findings_init(&out->fx);
    if (!tlsrpt_is_record(rec, n)) {
        mtasts_finding_add(&out->fx, MTASTS_ERR, "the record does not start with v=TLSRPTv1");
        goto done;
    }
    mtasts_kv_split(rec, n, kv, MTASTS_KV_MAX, &nkv, &out->fx);
    if (nkv > 0 && !(kv[0].klen == 1 && kv[0].key[0] == 'v' && kv[0].vlen == 8 &&
                     memcmp(kv[0].val, "TLSRPTv1", 8) == 0))
        mtasts_finding_add(&out->fx, MTASTS_ERR, "the version must be exactly \"v=TLSRPTv1\"");
    for (size_t i = 1; i < nkv; i++) {
        const struct mtasts_kv *f = &kv[i];
        if (mtasts_kv_seen_before(kv, i)) {
            mtasts_finding_add(&out->fx, MTASTS_WARN,
                               "field \"%.*s\" appears more than once; the first one is used",
                               (int)f->klen, f->key);
        } else if (f->klen == 3 && memcmp(f->key, "rua", 3) == 0) {
            have_rua = 1;
            STC_GUARD(parse_rua(f, out, err));
        } else {
            mtasts_kv_note_other(f, "rua", &out->fx);
        }
    }
    if (!have_rua && nkv > 0)
        mtasts_finding_add(&out->fx, MTASTS_ERR, "the record has no rua field (required)");
done:
    rc = mtasts_findings_rc(&out->fx, "TLS-RPT record invalid", err);
out:
    return rc;
}

void tlsrpt_record_free(struct tlsrpt_record *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nrua; i++)
        free(r->rua[i]);
    r->nrua = 0;
}
