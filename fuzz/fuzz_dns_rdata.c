/*
 * NAME
 *     fuzz_dns_rdata - libFuzzer harness for the rdata parsers (src/dns/dns_parse.c)
 * DESCRIPTION
 *     libunbound hands us each record's rdata; a hostile authoritative
 *     server chooses those bytes. The first input byte picks the parser:
 *       0 name (dns_parse_name, with a large or a small output buffer)
 *       1 MX  2 A  3 AAAA  4 TXT  5 TLSA      (one rdata: the rest)
 *       6 MX set  7 A set  8 AAAA set  9 TXT set  10 TLSA set
 *     For the sets the rest is split into records, each one length byte
 *     then that many bytes, copied into exact-size buffers (as ub_result's
 *     data[]/len[]), so ASan sees any read past a record. Checked:
 *       name   the text converts back to exactly the wire bytes consumed
 *              (lower-cased), and is printable [a-z0-9-_.\\] only;
 *       MX     as name, nothing after it; A/AAAA  inet_pton round trip;
 *       TXT    the strings joined, NUL-free, <= STC_TXT_MAX;
 *       TLSA   fields and data copied exactly;
 *       sets   MX sorted by preference then host, no repeated host,
 *              <= STC_MX_MAX, null_mx only for a lone "."; addresses
 *              sorted, <= STC_ADDR_MAX; TXT/TLSA one entry per record;
 *       always a failure leaves a printable message and no allocation.
 */
#include "fuzz_common.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include "dns/dns_parse.h"
#include "util/limits.h"

/* Presentation text back to wire form; returns the wire length or 0 on bad text. */
static size_t to_wire(const char *s, uint8_t *w, size_t wsz)
{
    size_t o = 0;
    if (*s == '\0') {
        w[0] = 0;
        return 1;
    }
    while (*s) {
        size_t lp = o++;
        uint8_t ll = 0;
        while (*s && *s != '.') {
            uint8_t c;
            if (*s == '\\') {
                if (!(s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' && s[3] >= '0' &&
                      s[3] <= '9'))
                    return 0;
                unsigned v = (unsigned)((s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'));
                if (v > 255)
                    return 0;
                c = (uint8_t)v;
                s += 4;
            } else {
                c = (uint8_t)*s++;
            }
            if (o + 1 >= wsz)
                return 0;
            w[o++] = c;
            ll++;
        }
        w[lp] = ll;
        if (*s == '.')
            s++;
    }
    w[o++] = 0;
    return o;
}

static void check_name_text(const char *name, size_t cap)
{
    FUZZ_CHECK(fuzz_terminated(name, cap));
    for (const char *c = name; *c; c++)
        FUZZ_CHECK((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' ||
                   *c == '_' || *c == '.' || *c == '\\');
}

static void check_name_roundtrip(const char *name, const uint8_t *wire, size_t wn)
{
    uint8_t back[600];
    size_t bn = to_wire(name, back, sizeof back);
    FUZZ_CHECK(bn == wn);
    for (size_t i = 0; i < wn; i++) {
        uint8_t c = wire[i];
        /* Length bytes are < 64, so lower-casing only touches label bytes. */
        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c + 32);
        FUZZ_CHECK(back[i] == c);
    }
}

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    FUZZ_CHECK(c != NULL);
    if (n)
        memcpy(c, p, n);
    return c;
}

static void one_name(const uint8_t *p, size_t n, size_t outsz)
{
    char *out = malloc(outsz); /* exact size: ASan sees a write past outsz */
    struct rd r;
    FUZZ_CHECK(out != NULL);
    struct stc_err err;
    stc_err_clear(&err);
    rd_init(&r, p, n);
    stc_rc rc = dns_parse_name(&r, out, outsz, &err);
    fuzz_check_err(&err, rc, STC_OK);
    FUZZ_CHECK(r.pos <= n);
    if (rc != STC_OK) {
        FUZZ_CHECK(rc == STC_E_PARSE || rc == STC_E_LIMIT);
        FUZZ_CHECK(out[0] == '\0');
        free(out);
        return;
    }
    FUZZ_CHECK(r.pos >= 1 && r.pos <= DNS_WIRE_NAME_MAX);
    check_name_text(out, outsz);
    check_name_roundtrip(out, p, r.pos);
    free(out);
}

static void one_rdata(int kind, const uint8_t *p, size_t n)
{
    struct stc_err err;
    stc_err_clear(&err);
    stc_rc rc;
    switch (kind) {
    case 1: {
        struct dns_mx mx;
        rc = dns_parse_mx_rdata(p, n, &mx, &err);
        if (rc == STC_OK) {
            check_name_text(mx.host, sizeof mx.host);
            FUZZ_CHECK(n >= 3 && mx.pref == (uint16_t)((p[0] << 8) | p[1]));
            check_name_roundtrip(mx.host, p + 2, n - 2);
        }
        break;
    }
    case 2:
    case 3: {
        int fam = kind == 2 ? AF_INET : AF_INET6;
        char out[46];
        uint8_t back[16];
        rc = dns_parse_addr_rdata(p, n, fam, out, &err);
        if (rc == STC_OK) {
            FUZZ_CHECK(fuzz_terminated(out, sizeof out));
            FUZZ_CHECK(inet_pton(fam, out, back) == 1);
            FUZZ_CHECK(memcmp(back, p, n) == 0);
        }
        break;
    }
    case 4: {
        char *txt = (char *)&err; /* must be reset to NULL or a string */
        rc = dns_parse_txt_rdata(p, n, &txt, &err);
        if (rc == STC_OK) {
            FUZZ_CHECK(txt != NULL);
            size_t tl = strlen(txt), k = 0;
            FUZZ_CHECK(tl <= STC_TXT_MAX);
            for (size_t i = 0; i < n;) {
                size_t sl = p[i++];
                FUZZ_CHECK(i + sl <= n && k + sl <= tl);
                FUZZ_CHECK(memcmp(txt + k, p + i, sl) == 0);
                k += sl;
                i += sl;
            }
            FUZZ_CHECK(k == tl);
        } else {
            FUZZ_CHECK(txt == NULL);
        }
        free(txt);
        break;
    }
    case 5: {
        struct dns_tlsa t;
        rc = dns_parse_tlsa_rdata(p, n, &t, &err);
        if (rc == STC_OK) {
            FUZZ_CHECK(n >= 3 && t.usage == p[0] && t.selector == p[1] && t.mtype == p[2]);
            FUZZ_CHECK(t.len == n - 3 && t.data != NULL);
            FUZZ_CHECK(t.len == 0 || memcmp(t.data, p + 3, t.len) == 0);
        } else {
            FUZZ_CHECK(t.data == NULL && t.len == 0);
        }
        free(t.data);
        break;
    }
    default:
        return;
    }
    fuzz_check_err(&err, rc, STC_OK);
    FUZZ_CHECK(rc == STC_OK || rc == STC_E_PARSE || rc == STC_E_LIMIT);
}

static void one_set(int kind, const uint8_t *p, size_t n)
{
    char *data[64];
    int len[64];
    size_t nrec = 0;
    for (size_t i = 0; i < n && nrec < 63;) {
        size_t l = p[i++];
        if (l > n - i)
            l = n - i;
        data[nrec] = (char *)dup_exact(p + i, l);
        len[nrec++] = (int)l;
        i += l;
    }
    data[nrec] = NULL;
    struct stc_err err;
    stc_err_clear(&err);
    stc_rc rc = STC_OK;
    switch (kind) {
    case 6: {
        struct dns_mx_set s;
        memset(&s, 0, sizeof s);
        rc = dns_parse_mx_set(data, len, &s, &err);
        if (rc == STC_OK) {
            FUZZ_CHECK(s.n <= STC_MX_MAX && s.n <= nrec && (s.n == 0) == (nrec == 0));
            for (size_t i = 0; i < s.n; i++) {
                check_name_text(s.mx[i].host, sizeof s.mx[i].host);
                for (size_t j = 0; j < i; j++)
                    FUZZ_CHECK(strcmp(s.mx[i].host, s.mx[j].host) != 0);
                if (i > 0)
                    FUZZ_CHECK(s.mx[i - 1].pref < s.mx[i].pref ||
                               (s.mx[i - 1].pref == s.mx[i].pref &&
                                strcmp(s.mx[i - 1].host, s.mx[i].host) < 0));
            }
            FUZZ_CHECK(s.null_mx == (s.n == 1 && s.mx[0].host[0] == '\0'));
        } else {
            FUZZ_CHECK(s.mx == NULL && s.n == 0);
        }
        free(s.mx);
        break;
    }
    case 7:
    case 8: {
        int fam = kind == 7 ? AF_INET : AF_INET6;
        struct dns_addr_set s;
        memset(&s, 0, sizeof s);
        rc = dns_parse_addr_set(data, len, fam, &s, &err);
        if (rc == STC_OK) {
            FUZZ_CHECK(s.n <= STC_ADDR_MAX && s.n <= nrec);
            uint8_t prev[16], cur[16];
            for (size_t i = 0; i < s.n; i++) {
                FUZZ_CHECK(inet_pton(fam, s.addr[i], cur) == 1);
                if (i > 0)
                    FUZZ_CHECK(memcmp(prev, cur, fam == AF_INET ? 4 : 16) <= 0);
                memcpy(prev, cur, sizeof cur);
            }
        }
        free(s.addr);
        break;
    }
    case 9: {
        struct dns_txt_set s;
        memset(&s, 0, sizeof s);
        rc = dns_parse_txt_set(data, len, &s, &err);
        if (rc == STC_OK) {
            FUZZ_CHECK(s.n == nrec);
            for (size_t i = 0; i < s.n; i++)
                FUZZ_CHECK(s.txt[i] != NULL && strlen(s.txt[i]) <= (size_t)len[i]);
        } else {
            FUZZ_CHECK(s.txt == NULL && s.n == 0);
        }
        dns_txt_set_free(&s);
        break;
    }
    case 10: {
        struct dns_tlsa_set s;
        memset(&s, 0, sizeof s);
        rc = dns_parse_tlsa_set(data, len, &s, &err);
        if (rc == STC_OK) {
            FUZZ_CHECK(s.n == nrec);
            for (size_t i = 0; i < s.n; i++)
                FUZZ_CHECK(s.rr[i].len + 3 == (size_t)len[i]);
        } else {
            FUZZ_CHECK(s.rr == NULL && s.n == 0);
        }
        dns_tlsa_set_free(&s);
        break;
    }
    default:
        break;
    }
    fuzz_check_err(&err, rc, STC_OK);
    for (size_t i = 0; i < nrec; i++)
        free(data[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int kind = data[0] % 11;
    uint8_t *rest = dup_exact(data + 1, size - 1);
    size_t n = size - 1;
    if (kind == 0) {
        one_name(rest, n, 1100);
        one_name(rest, n, 1 + (data[0] / 11) % 64); /* small buffers: STC_E_LIMIT, never overflow */
    } else if (kind <= 5) {
        one_rdata(kind, rest, n);
    } else {
        one_set(kind, rest, n);
    }
    free(rest);
    return 0;
}
