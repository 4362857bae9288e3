/*
 * NAME
 *     dns_parse - MX, A/AAAA, TXT and TLSA rdata to plain structs
 * SYNOPSIS
 *     #include "dns/dns_parse.h"
 *     stc_rc dns_parse_mx_rdata(const uint8_t *p, size_t n, struct dns_mx *out,
 *                               struct stc_err *err);
 *     stc_rc dns_parse_mx_set(char *const *data, const int *len, struct dns_mx_set *out, ...);
 * DESCRIPTION
 *     Pure functions over bytes: no resolver, no globals. Everything is read
 *     through struct rd, which never reads past the rdata length. Names come
 *     out in presentation form, so a hostile byte in a label can neither
 *     reach a terminal raw nor change the name's meaning ("\046" for a dot
 *     inside a label stays one label when the name is resolved again).
 *     The *_set functions own what they allocate until they return STC_OK;
 *     then the set belongs to the caller (dns_*_set_free).
 * LIMITS
 *     Names: labels 1..63 bytes, 255 bytes of wire form, no compression.
 *     MX: STC_MX_MAX entries kept. A/AAAA: STC_ADDR_MAX per family.
 *     TXT: STC_TXT_MAX bytes per joined record. Records per answer: 65535.
 * DIAGNOSTICS
 *     STC_E_PARSE for malformed rdata (truncated, trailing bytes, bad label,
 *     NUL in TXT, TLSA shorter than 3 bytes), STC_E_LIMIT for a TXT record
 *     or name text over its limit, STC_E_NOMEM.
 */
#include "dns_parse.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../util/err.h"
#include "../util/limits.h"
#include "../util/text.h"

#define RECORDS_MAX 65535

static size_t count_records(char *const *data)
{
    size_t n = 0;
    if (data == NULL)
        return 0;
    while (n < RECORDS_MAX && data[n] != NULL)
        n++;
    return n;
}

static stc_rc record_len(const int *len, size_t i, size_t *out, struct stc_err *err)
{
    if (len == NULL || len[i] < 0)
        return err_set(err, STC_E_PARSE, "record %zu has no valid length", i);
    *out = (size_t)len[i];
    return STC_OK;
}

static int plain_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

stc_rc dns_parse_name(struct rd *r, char *out, size_t outsz, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    size_t o = 0, wire = 0;
    STC_ENSURE(outsz > 0, err, STC_E_INTERNAL, "dns_parse_name: no output space");
    out[0] = '\0';
    for (;;) {
        uint8_t ll;
        const uint8_t *label;
        STC_ENSURE(rd_u8(r, &ll) == STC_OK, err, STC_E_PARSE, "truncated name");
        wire += 1u + ll;
        STC_ENSURE((ll & 0xC0) != 0xC0, err, STC_E_PARSE,
                   "compression pointer in uncompressed rdata");
        STC_ENSURE((ll & 0xC0) == 0, err, STC_E_PARSE, "unknown label type 0x%02x", ll);
        STC_ENSURE(wire <= DNS_WIRE_NAME_MAX, err, STC_E_PARSE, "name longer than %d bytes",
                   DNS_WIRE_NAME_MAX);
        if (ll == 0)
            break;
        STC_ENSURE(rd_bytes(r, ll, &label) == STC_OK, err, STC_E_PARSE, "truncated label");
        if (o > 0) {
            STC_ENSURE(o + 1 < outsz, err, STC_E_LIMIT, "name too long");
            out[o++] = '.';
        }
        for (size_t i = 0; i < ll; i++) {
            uint8_t c = label[i];
            c = (uint8_t)text_tolower(c);
            if (plain_char(c)) {
                STC_ENSURE(o + 1 < outsz, err, STC_E_LIMIT, "name too long");
                out[o++] = (char)c;
            } else {
                STC_ENSURE(o + 4 < outsz, err, STC_E_LIMIT, "name too long");
                snprintf(out + o, 5, "\\%03u", (unsigned)c);
                o += 4;
            }
        }
        out[o] = '\0';
    }
out:
    if (rc != STC_OK && outsz > 0)
        out[0] = '\0';
    return rc;
}

stc_rc dns_parse_mx_rdata(const uint8_t *p, size_t n, struct dns_mx *out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct rd r;
    rd_init(&r, p, n);
    STC_ENSURE(rd_u16(&r, &out->pref) == STC_OK, err, STC_E_PARSE, "MX record: truncated");
    STC_GUARD(dns_parse_name(&r, out->host, sizeof out->host, err));
    STC_ENSURE(rd_left(&r) == 0, err, STC_E_PARSE, "MX record: %zu bytes after the name",
               rd_left(&r));
out:
    return rc;
}

stc_rc dns_parse_addr_rdata(const uint8_t *p, size_t n, int family, char out[46],
                            struct stc_err *err)
{
    size_t want = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
    if (want == 0)
        return err_set(err, STC_E_INTERNAL, "address family %d", family);
    if (p == NULL || n != want)
        return err_set(err, STC_E_PARSE, "%s record of %zu bytes (want %zu)",
                       family == AF_INET ? "A" : "AAAA", n, want);
    if (inet_ntop(family, p, out, 46) == NULL)
        return err_set(err, STC_E_INTERNAL, "inet_ntop failed");
    return STC_OK;
}

stc_rc dns_parse_txt_rdata(const uint8_t *p, size_t n, char **out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct buf b;
    struct rd r;
    buf_init(&b, STC_TXT_MAX);
    rd_init(&r, p, n);
    *out = NULL;
    while (rd_left(&r) > 0) {
        uint8_t sl;
        const uint8_t *s;
        (void)rd_u8(&r, &sl);
        STC_ENSURE(rd_bytes(&r, sl, &s) == STC_OK, err, STC_E_PARSE,
                   "TXT record: truncated string (%u bytes announced, %zu left)", sl, rd_left(&r));
        STC_ENSURE(memchr(s, 0, sl) == NULL, err, STC_E_PARSE, "TXT record: NUL byte");
        STC_ENSURE(sl <= STC_TXT_MAX - b.len, err, STC_E_LIMIT, "TXT record longer than %d bytes",
                   STC_TXT_MAX);
        STC_GUARD(buf_append(&b, s, sl, err));
    }
    {
        char *s = malloc(b.len + 1);
        STC_ENSURE(s != NULL, err, STC_E_NOMEM, "out of memory");
        if (b.len > 0)
            memcpy(s, b.data, b.len);
        s[b.len] = '\0';
        *out = s;
    }
out:
    buf_free(&b);
    return rc;
}

stc_rc dns_parse_tlsa_rdata(const uint8_t *p, size_t n, struct dns_tlsa *out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct rd r;
    const uint8_t *data;
    rd_init(&r, p, n);
    out->data = NULL;
    out->len = 0;
    STC_ENSURE(n >= 3, err, STC_E_PARSE, "TLSA record of %zu bytes (at least 3 needed)", n);
    (void)rd_u8(&r, &out->usage);
    (void)rd_u8(&r, &out->selector);
    (void)rd_u8(&r, &out->mtype);
    out->len = rd_left(&r);
    (void)rd_bytes(&r, out->len, &data);
    out->data = malloc(out->len > 0 ? out->len : 1);
    STC_ENSURE(out->data != NULL, err, STC_E_NOMEM, "out of memory");
    if (out->len > 0)
        memcpy(out->data, data, out->len);
out:
    if (rc != STC_OK)
        out->len = 0;
    return rc;
}

static int mx_cmp(const void *a, const void *b)
{
    const struct dns_mx *x = a, *y = b;
    if (x->pref != y->pref)
        return x->pref < y->pref ? -1 : 1;
    return strcmp(x->host, y->host);
}

void dns_mx_sort_dedupe(struct dns_mx *mx, size_t *n)
{
    size_t kept = 0;
    if (*n == 0)
        return;
    qsort(mx, *n, sizeof *mx, mx_cmp);
    for (size_t i = 0; i < *n; i++) {
        int seen = 0;
        for (size_t j = 0; j < kept && !seen; j++)
            seen = strcmp(mx[j].host, mx[i].host) == 0;
        if (!seen)
            mx[kept++] = mx[i];
    }
    *n = kept;
}

stc_rc dns_parse_mx_set(char *const *data, const int *len, struct dns_mx_set *out,
                        struct stc_err *err)
{
    stc_rc rc = STC_OK;
    size_t n = count_records(data);
    struct dns_mx *mx = NULL;
    out->mx = NULL;
    out->n = 0;
    out->null_mx = 0;
    if (n == 0)
        return STC_OK;
    mx = calloc(n, sizeof *mx);
    STC_ENSURE(mx != NULL, err, STC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t rl = 0;
        STC_GUARD(record_len(len, i, &rl, err));
        STC_GUARD(dns_parse_mx_rdata((const uint8_t *)data[i], rl, &mx[i], err));
    }
    dns_mx_sort_dedupe(mx, &n);
    if (n > STC_MX_MAX)
        n = STC_MX_MAX;
    out->null_mx = n == 1 && mx[0].host[0] == '\0';
    out->mx = mx;
    out->n = n;
    mx = NULL;
out:
    free(mx);
    return rc;
}

static int addr_cmp4(const void *a, const void *b)
{
    return memcmp(a, b, 4);
}

static int addr_cmp6(const void *a, const void *b)
{
    return memcmp(a, b, 16);
}

stc_rc dns_parse_addr_set(char *const *data, const int *len, int family, struct dns_addr_set *out,
                          struct stc_err *err)
{
    stc_rc rc = STC_OK;
    size_t n = count_records(data), bin_len = family == AF_INET ? 4 : 16;
    uint8_t(*bin)[16] = NULL;
    char(*grown)[46] = NULL;
    STC_ENSURE(family == AF_INET || family == AF_INET6, err, STC_E_INTERNAL, "address family %d",
               family);
    if (n == 0)
        return STC_OK;
    bin = calloc(n, sizeof *bin);
    STC_ENSURE(bin != NULL, err, STC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t rl = 0;
        char tmp[46];
        STC_GUARD(record_len(len, i, &rl, err));
        /* Validates the length; the text is made again after sorting. */
        STC_GUARD(dns_parse_addr_rdata((const uint8_t *)data[i], rl, family, tmp, err));
        memcpy(bin[i], data[i], bin_len);
    }
    qsort(bin, n, sizeof *bin, family == AF_INET ? addr_cmp4 : addr_cmp6);
    if (n > STC_ADDR_MAX)
        n = STC_ADDR_MAX;
    grown = realloc(out->addr, (out->n + n) * sizeof *grown);
    STC_ENSURE(grown != NULL, err, STC_E_NOMEM, "out of memory");
    out->addr = grown;
    for (size_t i = 0; i < n; i++)
        STC_GUARD(dns_parse_addr_rdata(bin[i], bin_len, family, out->addr[out->n + i], err));
    out->n += n;
out:
    free(bin);
    return rc;
}

stc_rc dns_parse_txt_set(char *const *data, const int *len, struct dns_txt_set *out,
                         struct stc_err *err)
{
    stc_rc rc = STC_OK;
    size_t n = count_records(data), done = 0;
    char **txt = NULL;
    out->txt = NULL;
    out->n = 0;
    if (n == 0)
        return STC_OK;
    txt = calloc(n, sizeof *txt);
    STC_ENSURE(txt != NULL, err, STC_E_NOMEM, "out of memory");
    for (; done < n; done++) {
        size_t rl = 0;
        STC_GUARD(record_len(len, done, &rl, err));
        STC_GUARD(dns_parse_txt_rdata((const uint8_t *)data[done], rl, &txt[done], err));
    }
    out->txt = txt;
    out->n = n;
    txt = NULL;
out:
    if (txt != NULL) {
        for (size_t i = 0; i < done; i++)
            free(txt[i]);
        free(txt);
    }
    return rc;
}

stc_rc dns_parse_tlsa_set(char *const *data, const int *len, struct dns_tlsa_set *out,
                          struct stc_err *err)
{
    stc_rc rc = STC_OK;
    size_t n = count_records(data), done = 0;
    struct dns_tlsa *rr = NULL;
    out->rr = NULL;
    out->n = 0;
    if (n == 0)
        return STC_OK;
    rr = calloc(n, sizeof *rr);
    STC_ENSURE(rr != NULL, err, STC_E_NOMEM, "out of memory");
    for (; done < n; done++) {
        size_t rl = 0;
        STC_GUARD(record_len(len, done, &rl, err));
        STC_GUARD(dns_parse_tlsa_rdata((const uint8_t *)data[done], rl, &rr[done], err));
    }
    out->rr = rr;
    out->n = n;
    rr = NULL;
out:
    if (rr != NULL) {
        for (size_t i = 0; i < done; i++)
            free(rr[i].data);
        free(rr);
    }
    return rc;
}
