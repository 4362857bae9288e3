/*
 * NAME
 *     dns_stub - questions straight to a trusted validating resolver, its AD
 *     bit taken as the DNSSEC verdict (--dnssec=resolver)
 * SYNOPSIS
 *     #include "dns_int.h"
 *     stc_rc dns_stub_addr(const char *resolver, int loopback_only, struct dns_stub *out,
 *                          struct stc_err *err);
 *     stc_rc dns_stub_pool(struct dns_stub *st, struct stc_err *err);
 *     stc_rc dns_stub_resolve(const struct dns_stub *st, struct dns_ask *asks, size_t n,
 *                             struct deadline d);
 *     stc_rc dns_stub_answer(const char *qname, int qtype, uint16_t id, const uint8_t *a,
 *                            size_t n, struct ub_result **out, struct stc_err *err);
 * DESCRIPTION
 *     The calling thread asks the resolver itself: one connected UDP socket
 *     per question (a fresh ephemeral port and a random ID each; for a
 *     resolver on loopback a socket whose question was answered cleanly is
 *     reused through dns_sockpool, a fresh ID each time), all
 *     questions of a batch in flight at once, poll() until every answer is
 *     in or d passes, one resend per second of silence; a truncated answer
 *     is asked again over TCP. No libunbound thread, no pipes, no local
 *     signature checks: a lookup costs the calling thread one sleep instead
 *     of the five or six context switches of libunbound's thread mode.
 *
 *     Each question carries RD, AD and EDNS0 with DO (RFC 6840 5.7): the
 *     resolver sets AD on an answer it validated as secure. A SERVFAIL is
 *     asked again with CD (checking disabled): when that one answers, the
 *     data exists and failed the resolver's validation, which is what a
 *     local validator calls bogus; the result says so (bogus, "the
 *     resolver's DNSSEC validation failed ...") and hands no data on.
 *
 *     The answer becomes a struct ub_result like libunbound's (malloc'd
 *     fields, freed by ub_resolve_free): the answer section's records of
 *     the asked type at the end of the CNAME chain from the question name,
 *     names inside MX data uncompressed, canonname the chain's end when
 *     there was a CNAME. So dns_lookup.c and dns_parse.c serve both paths.
 *
 *     dns_stub_validates asks ". SOA" once at start: a resolver that does
 *     not set AD on the signed root does not validate, and its AD bits
 *     (none) must not be read as "insecure".
 *
 *     dns_stub_answer is the answer parser on its own (what
 *     dns_stub_resolve calls on every answer; fuzz/fuzz_dns_stub.c).
 *
 *     Trust: the AD bit is only worth what the path to the resolver is
 *     worth. dns_stub_addr accepts a resolver on 127.0.0.0/8, ::1 or
 *     ::ffff:127.0.0.0/104 (IPv4-mapped loopback, sent over IPv4 loopback)
 *     when loopback_only, any address otherwise (the user named it trusted);
 *     NAT64 and IPv4-compatible forms of 127.x are not loopback. dns_stub_pool
 *     gives a stub on loopback, and only such a one, its socket pool.
 * LIMITS
 *     UDP answers up to 4096 bytes (EDNS size 1232 is asked), TCP answers
 *     up to 65535; at most 32 CNAME steps (a longer chain or a loop is
 *     STC_E_DNS, not an empty answer); owner names up to 255 bytes; a
 *     record of the asked type with empty rdata, or a CNAME or MX name that
 *     does not end exactly at the end of its rdata, makes the answer malformed.
 * DIAGNOSTICS
 *     dns_stub_addr: STC_E_INVAL for a malformed address or one that is
 *     not on loopback when loopback_only. dns_stub_resolve: per ask,
 *     STC_E_TIMEOUT when no answer came before d, STC_E_DNS for socket
 *     errors and answers that are not answers to the question, STC_E_INVAL
 *     for a name that cannot be put in a question, STC_E_NOMEM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../util/err.h"
#include "../util/io.h"
#include "../util/num.h"
#include "dns_int.h"
#include "dns_sockpool.h"

#define UDP_MAX 4096
#define Q_MAX 300
#define RESEND_MS 1000
#define CHAIN_MAX 32
#define VALIDATES_MS 5000 /* the start-up question ". SOA" */
#define T_CNAME 5
#define T_MX 15
#define F_QR 0x8000
#define F_TC 0x0200
#define F_RD 0x0100
#define F_AD 0x0020
#define F_CD 0x0010

stc_rc dns_stub_addr(const char *resolver, int loopback_only, struct dns_stub *out,
                     struct stc_err *err)
{
    char addr[INET6_ADDRSTRLEN + 1];
    const char *at = strchr(resolver, '@');
    size_t alen = at ? (size_t)(at - resolver) : strlen(resolver);
    memset(out, 0, sizeof *out);
    if (alen == 0 || alen >= sizeof addr)
        return err_set(err, STC_E_INVAL, "invalid resolver address");
    memcpy(addr, resolver, alen);
    addr[alen] = '\0';
    long port = 53;
    if (at != NULL && num_long(at + 1, 1, 65535, &port) != 0)
        return err_set(err, STC_E_INVAL, "invalid resolver port");
    struct sockaddr_in *v4 = (struct sockaddr_in *)&out->sa;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->sa;
    int loop;
    if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        out->salen = sizeof *v4;
        loop = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
    } else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        out->salen = sizeof *v6;
        /* IPv4-mapped ::ffff:127.x.y.z goes out over IPv4 loopback: loopback too */
        loop = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr) ||
               (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr) && v6->sin6_addr.s6_addr[12] == 127);
    } else {
        return err_set(err, STC_E_INVAL, "invalid resolver \"%s\": not a numeric IP address",
                       addr);
    }
    if (loopback_only && !loop)
        return err_set(err, STC_E_INVAL,
                       "--dnssec=resolver trusts the AD bit only from a resolver on loopback "
                       "(127.0.0.0/8, ::1, ::ffff:127.0.0.0/104), not %s; use "
                       "--dnssec=trusted-resolver to trust one elsewhere",
                       addr);
    snprintf(out->addr, sizeof out->addr, "%s", addr);
    out->port = port;
    out->loopback = loop;
    return STC_OK;
}

stc_rc dns_stub_pool(struct dns_stub *st, struct stc_err *err)
{
    st->pool = NULL;
    /* Reused sockets only where no off-path attacker can race an answer. */
    return st->loopback ? dns_sockpool_new(&st->pool, err) : STC_OK;
}

/* Presentation name to wire form (no escapes); 0 on a bad name. */
static size_t name_to_wire(const char *name, uint8_t *w, size_t cap)
{
    size_t n = 0, len = strlen(name);
    if (len > 0 && name[len - 1] == '.')
        len--;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && name[j] != '.')
            j++;
        if (j == i || j - i > 63 || n + 1 + (j - i) + 1 > cap)
            return 0;
        w[n++] = (uint8_t)(j - i);
        memcpy(w + n, name + i, j - i);
        n += j - i;
        i = j + 1;
    }
    if (n + 1 > cap || n + 1 > 255)
        return 0;
    w[n++] = 0;
    return n;
}

/* Read a possibly compressed name at *off into wire form (lower case). */
static int read_name(const uint8_t *p, size_t plen, size_t *off, uint8_t *out, size_t *outlen)
{
    size_t o = *off, n = 0;
    int jumped = 0, hops = 0;
    for (;;) {
        if (o >= plen)
            return -1;
        uint8_t c = p[o];
        if ((c & 0xc0) == 0xc0) {
            if (o + 1 >= plen || ++hops > 64)
                return -1;
            if (!jumped)
                *off = o + 2;
            jumped = 1;
            o = (size_t)((c & 0x3f) << 8 | p[o + 1]);
            continue;
        }
        if (c & 0xc0)
            return -1;
        if (o + 1 + c > plen || n + 1 + c > 255)
            return -1;
        out[n++] = c;
        for (size_t i = 0; i < c; i++) {
            uint8_t ch = p[o + 1 + i];
            out[n++] = ch >= 'A' && ch <= 'Z' ? (uint8_t)(ch + 32) : ch;
        }
        o += 1 + (size_t)c;
        if (c == 0)
            break;
    }
    if (!jumped)
        *off = o;
    *outlen = n;
    return 0;
}

/* Wire name to presentation form with a trailing dot (malloc'd). */
static char *wire_to_text(const uint8_t *w)
{
    char *s = malloc(1024), *q = s;
    if (s == NULL)
        return NULL;
    if (*w == 0)
        *q++ = '.';
    while (*w) {
        for (size_t i = 1; i <= *w; i++) {
            uint8_t c = w[i];
            if (c <= 0x20 || c >= 0x7f || c == '.' || c == '\\')
                q += sprintf(q, "\\%03u", c);
            else
                *q++ = (char)c;
        }
        *q++ = '.';
        w += 1 + *w;
    }
    *q = '\0';
    return s;
}

struct q {
    const struct dns_ask *ask;
    uint8_t msg[Q_MAX];
    size_t mlen;
    uint8_t qwire[256];
    size_t qwlen;
    uint16_t id;
    int fd;
    unsigned uses; /* questions the socket carried before (a pooled one) */
    int sends;     /* datagrams sent on it for this question */
    int clean;     /* answered over UDP, nothing outstanding: the socket may be reused */
    int cd;
    int done;
    int64_t sent_ms;
    uint8_t ans[UDP_MAX];
    size_t alen;
    uint8_t *tcp; /* a TCP answer (malloc'd), else ans */
};

static int build(struct q *q, int cd)
{
    uint8_t *m = q->msg;
    uint16_t flags = F_RD | F_AD | (cd ? F_CD : 0);
    arc4random_buf(&q->id, sizeof q->id); /* glibc 2.36: from getrandom, cannot fail */
    q->cd = cd;
    memset(m, 0, 12);
    m[0] = (uint8_t)(q->id >> 8);
    m[1] = (uint8_t)q->id;
    m[2] = (uint8_t)(flags >> 8);
    m[3] = (uint8_t)flags;
    m[5] = 1;  /* QDCOUNT */
    m[11] = 1; /* ARCOUNT: OPT */
    memcpy(m + 12, q->qwire, q->qwlen);
    size_t n = 12 + q->qwlen;
    m[n++] = (uint8_t)(q->ask->rrtype >> 8);
    m[n++] = (uint8_t)q->ask->rrtype;
    m[n++] = 0;
    m[n++] = 1; /* IN */
    static const uint8_t opt[] = {0, 0, 41, 0x04, 0xd0 /* 1232 */, 0, 0, 0x80 /* DO */, 0, 0, 0};
    memcpy(m + n, opt, sizeof opt);
    q->mlen = n + sizeof opt;
    return 0;
}

static int64_t now_ms(void)
{
    return deadline_in(0).at_ms;
}

static stc_rc open_udp(const struct dns_stub *st, struct q *q, struct stc_err *err)
{
    if (st->pool != NULL && (q->fd = dns_sockpool_take(st->pool, &q->uses)) >= 0)
        return STC_OK;
    q->uses = 0;
    q->fd = socket(st->sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (q->fd < 0)
        return err_set(err, STC_E_DNS, "DNS socket: %s", strerror(errno));
    if (connect(q->fd, (const struct sockaddr *)&st->sa, st->salen) != 0)
        return err_set(err, STC_E_DNS, "DNS connect to %s: %s", st->addr, strerror(errno));
    return STC_OK;
}

static void send_udp(struct q *q)
{
    (void)send(q->fd, q->msg, q->mlen, MSG_NOSIGNAL);
    q->sends++;
    q->sent_ms = now_ms();
}

/* Header and question of answer a match a question (id, qwire, qtype). */
static int matches_q(uint16_t id, const uint8_t *qwire, size_t qwlen, int qtype, const uint8_t *a,
                     size_t n)
{
    if (n < 12 + qwlen + 4)
        return 0;
    if (((unsigned)a[0] << 8 | a[1]) != id || !(a[2] & 0x80) || (a[2] & 0x78) != 0)
        return 0;
    if (a[4] != 0 || a[5] != 1)
        return 0;
    size_t off = 12, wl = 0;
    uint8_t w[256];
    if (read_name(a, n, &off, w, &wl) != 0 || wl != qwlen)
        return 0;
    for (size_t i = 0; i < wl; i++) {
        uint8_t c = qwire[i];
        if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != w[i])
            return 0;
    }
    return off + 4 <= n && ((unsigned)a[off] << 8 | a[off + 1]) == (unsigned)qtype;
}

static int matches(const struct q *q, const uint8_t *a, size_t n)
{
    return matches_q(q->id, q->qwire, q->qwlen, q->ask->rrtype, a, n);
}

/* The same question over TCP (after TC). */
static stc_rc ask_tcp(const struct dns_stub *st, struct q *q, struct deadline d,
                      struct stc_err *err)
{
    int fd = -1;
    struct io_sock s;
    uint8_t len2[2];
    size_t got = 0;
    stc_rc rc = sock_connect(st->addr, st->port, d, &fd, err);
    if (rc != STC_OK)
        return rc;
    io_sock_init(&s, fd);
    uint8_t out[Q_MAX + 2];
    out[0] = (uint8_t)(q->mlen >> 8);
    out[1] = (uint8_t)q->mlen;
    memcpy(out + 2, q->msg, q->mlen);
    STC_GUARD(io_write(&s.io, out, q->mlen + 2, d, err));
    while (got < 2) {
        size_t k = 0;
        STC_GUARD(io_read(&s.io, len2 + got, 2 - got, &k, d, err));
        got += k;
    }
    size_t want = (size_t)len2[0] << 8 | len2[1];
    q->tcp = malloc(want ? want : 1);
    STC_ENSURE(q->tcp != NULL, err, STC_E_NOMEM, "out of memory");
    for (got = 0; got < want;) {
        size_t k = 0;
        STC_GUARD(io_read(&s.io, q->tcp + got, want - got, &k, d, err));
        got += k;
    }
    q->alen = want;
    STC_ENSURE(matches(q, q->tcp, want), err, STC_E_DNS, "DNS answer over TCP does not match");
out:
    sock_close(fd, 0);
    return rc;
}

/* Skip one RR's fixed part; sets type, rdata offset and length. */
static int rr_at(const uint8_t *a, size_t n, size_t *off, uint8_t *owner, size_t *olen,
                 unsigned *type, size_t *rd, size_t *rdlen)
{
    if (read_name(a, n, off, owner, olen) != 0 || *off + 10 > n)
        return -1;
    *type = (unsigned)a[*off] << 8 | a[*off + 1];
    *rdlen = (size_t)a[*off + 8] << 8 | a[*off + 9];
    *rd = *off + 10;
    if (*rd + *rdlen > n)
        return -1;
    *off = *rd + *rdlen;
    return 0;
}

/* Canonical RRset order (RFC 4034 6.3: rdata as octet strings), as a
 * validating libunbound hands records on. */
struct rdata_ref {
    char *p;
    int n;
};

static int rdata_cmp(const void *a, const void *b)
{
    const struct rdata_ref *x = a, *y = b;
    int m = memcmp(x->p, y->p, (size_t)(x->n < y->n ? x->n : y->n));
    return m != 0 ? m : (x->n > y->n) - (x->n < y->n);
}

/* Free a result this file built (what ub_resolve_free frees, field by
 * field, so that the analyzer sees every allocation of the error path go). */
static void result_free(struct ub_result *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; r->data != NULL && r->data[i] != NULL; i++)
        free(r->data[i]);
    free(r->data);
    free(r->len);
    free(r->qname);
    free(r->canonname);
    free(r);
}

static void sort_rdata(struct ub_result *r, size_t k)
{
    struct rdata_ref refs[64];
    if (k < 2 || k > 64)
        return;
    for (size_t i = 0; i < k; i++)
        refs[i] = (struct rdata_ref){r->data[i], r->len[i]};
    qsort(refs, k, sizeof refs[0], rdata_cmp);
    for (size_t i = 0; i < k; i++) {
        r->data[i] = refs[i].p;
        r->len[i] = refs[i].n;
    }
}

/* A matching answer into a ub_result (see DESCRIPTION). */
static stc_rc to_result(const char *qname, const uint8_t *qwire, size_t qwlen, int qtype,
                        const uint8_t *a, size_t n, struct ub_result **out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct ub_result *r = calloc(1, sizeof *r);
    uint8_t cur[256], owner[256];
    size_t curlen = qwlen, olen, rd, rdlen, off;
    unsigned type;
    STC_ENSURE(r != NULL, err, STC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < qwlen; i++)
        cur[i] = qwire[i] >= 'A' && qwire[i] <= 'Z' ? qwire[i] + 32 : qwire[i];
    r->qname = strdup(qname);
    STC_ENSURE(r->qname != NULL, err, STC_E_NOMEM, "out of memory");
    r->qtype = qtype;
    r->qclass = 1;
    r->rcode = a[3] & 0x0f;
    r->nxdomain = r->rcode == 3;
    r->secure = (a[3] & F_AD) != 0 && (r->rcode == 0 || r->rcode == 3);
    unsigned an = (unsigned)a[6] << 8 | a[7];
    size_t first = 12;
    uint8_t tmp[256];
    size_t tl;
    if (read_name(a, n, &first, tmp, &tl) != 0)
        STC_ENSURE(0, err, STC_E_DNS, "malformed DNS answer");
    first += 4;
    /* follow the CNAME chain from the question name */
    int cname = 0;
    for (int step = 0;; step++) {
        int moved = 0;
        off = first;
        for (unsigned i = 0; i < an; i++) {
            if (rr_at(a, n, &off, owner, &olen, &type, &rd, &rdlen) != 0)
                STC_ENSURE(0, err, STC_E_DNS, "malformed DNS answer");
            if (type == T_CNAME && olen == curlen && memcmp(owner, cur, olen) == 0) {
                size_t p = rd;
                /* the target fills its rdata exactly (not read on past it) */
                if (read_name(a, n, &p, cur, &curlen) != 0 || p != rd + rdlen)
                    STC_ENSURE(0, err, STC_E_DNS, "malformed CNAME in DNS answer");
                moved = cname = 1;
                break;
            }
        }
        if (!moved)
            break;
        /* longer than libunbound follows, or a loop: not an empty answer */
        STC_ENSURE(step < CHAIN_MAX, err, STC_E_DNS,
                   "CNAME chain in DNS answer longer than %d steps (or a loop)", CHAIN_MAX);
    }
    if (cname) {
        r->canonname = wire_to_text(cur);
        STC_ENSURE(r->canonname != NULL, err, STC_E_NOMEM, "out of memory");
    }
    r->data = calloc(an + 1, sizeof *r->data);
    r->len = calloc(an + 1, sizeof *r->len);
    STC_ENSURE(r->data != NULL && r->len != NULL, err, STC_E_NOMEM, "out of memory");
    size_t k = 0;
    off = first;
    for (unsigned i = 0; i < an; i++) {
        if (rr_at(a, n, &off, owner, &olen, &type, &rd, &rdlen) != 0)
            STC_ENSURE(0, err, STC_E_DNS, "malformed DNS answer");
        if (type != (unsigned)qtype || olen != curlen || memcmp(owner, cur, olen) != 0)
            continue;
        /* no type asked has empty rdata; ub_result's len[] is never 0 */
        STC_ENSURE(rdlen > 0, err, STC_E_DNS, "empty rdata in DNS answer");
        uint8_t buf[2 + 256];
        const uint8_t *src = a + rd;
        size_t len = rdlen;
        if (type == T_MX) { /* preference + a name that may be compressed */
            size_t p = rd + 2, nl = 0;
            if (rdlen < 3 || read_name(a, n, &p, buf + 2, &nl) != 0 || p != rd + rdlen)
                STC_ENSURE(0, err, STC_E_DNS, "malformed MX in DNS answer");
            memcpy(buf, a + rd, 2);
            src = buf;
            len = 2 + nl;
        }
        r->data[k] = malloc(len ? len : 1);
        STC_ENSURE(r->data[k] != NULL, err, STC_E_NOMEM, "out of memory");
        memcpy(r->data[k], src, len);
        r->len[k++] = (int)len;
    }
    sort_rdata(r, k);
    r->havedata = k > 0;
    *out = r;
    r = NULL;
out:
    result_free(r);
    return rc;
}

stc_rc dns_stub_answer(const char *qname, int qtype, uint16_t id, const uint8_t *a, size_t n,
                       struct ub_result **out, struct stc_err *err)
{
    uint8_t qwire[256];
    size_t qwlen = name_to_wire(qname, qwire, sizeof qwire);
    *out = NULL;
    if (qwlen == 0)
        return err_set(err, STC_E_INVAL, "DNS lookup of %s: bad name", qname);
    if (!matches_q(id, qwire, qwlen, qtype, a, n))
        return err_set(err, STC_E_DNS, "DNS answer does not match the question");
    return to_result(qname, qwire, qwlen, qtype, a, n, out, err);
}

stc_rc dns_stub_validates(const struct dns_stub *st, struct stc_err *err)
{
    struct dns_ask a = {.name = ".", .rrtype = 6 /* SOA */};
    stc_err_clear(&a.err);
    stc_rc rc = dns_stub_resolve(st, &a, 1, deadline_in(VALIDATES_MS));
    if (rc != STC_OK) {
        rc = err_set(err, STC_E_DNS, "resolver %s: %s", st->addr, a.err.msg);
    } else if (!a.res->secure) {
        rc = err_set(err, STC_E_DNS,
                     "resolver %s does not validate DNSSEC (no AD bit on \". SOA\"): its "
                     "answers cannot be trusted for DNSSEC; use --dnssec=local",
                     st->addr);
    }
    ub_resolve_free(a.res);
    return rc;
}

stc_rc dns_stub_resolve(const struct dns_stub *st, struct dns_ask *asks, size_t n,
                        struct deadline d)
{
    struct q qs[DNS_ASK_MAX];
    struct stc_err *e;
    stc_rc rc = STC_OK;
    size_t open = 0;
    memset(qs, 0, sizeof qs);
    for (size_t i = 0; i < n; i++) {
        struct q *q = &qs[i];
        q->ask = &asks[i];
        q->fd = -1;
        e = &asks[i].err;
        q->qwlen = name_to_wire(asks[i].name, q->qwire, sizeof q->qwire);
        if (q->qwlen == 0) {
            asks[i].rc = err_set(e, STC_E_INVAL, "DNS lookup of %s: bad name", asks[i].name);
            q->done = 1;
            continue;
        }
        build(q, 0);
        if ((asks[i].rc = open_udp(st, q, e)) != STC_OK) {
            q->done = 1;
            continue;
        }
        send_udp(q);
        open++;
    }
    while (open > 0) {
        struct pollfd p[DNS_ASK_MAX];
        size_t map[DNS_ASK_MAX], np = 0;
        int64_t now = now_ms(), wake = d.at_ms;
        for (size_t i = 0; i < n; i++) {
            if (qs[i].done)
                continue;
            if (now - qs[i].sent_ms >= RESEND_MS)
                send_udp(&qs[i]);
            if (qs[i].sent_ms + RESEND_MS < wake)
                wake = qs[i].sent_ms + RESEND_MS;
            p[np] = (struct pollfd){.fd = qs[i].fd, .events = POLLIN, .revents = 0};
            map[np++] = i;
        }
        if (deadline_expired(d)) {
            for (size_t i = 0; i < n; i++)
                if (!qs[i].done) {
                    asks[i].rc = err_set(&asks[i].err, STC_E_TIMEOUT,
                                         "DNS lookup of %s timed out", asks[i].name);
                    qs[i].done = 1;
                }
            break;
        }
        int64_t wait = wake - now;
        int r = poll(p, np, wait < 0 ? 0 : (int)wait);
        if (r < 0 && errno != EINTR) {
            for (size_t i = 0; i < n; i++)
                if (!qs[i].done) {
                    asks[i].rc = err_set(&asks[i].err, STC_E_DNS, "DNS poll: %s",
                                         strerror(errno));
                    qs[i].done = 1;
                }
            break;
        }
        for (size_t k = 0; r > 0 && k < np; k++) {
            struct q *q = &qs[map[k]];
            if (!(p[k].revents & (POLLIN | POLLERR)))
                continue;
            ssize_t got = recv(q->fd, q->ans, sizeof q->ans, 0);
            if (got < 0 || !matches(q, q->ans, (size_t)got))
                continue; /* ICMP refusal, a stray datagram: wait for the real one */
            q->alen = (size_t)got;
            e = &asks[map[k]].err;
            struct dns_ask *a = &asks[map[k]];
            if (q->ans[2] & (F_TC >> 8)) {
                a->rc = ask_tcp(st, q, d, e);
                if (a->rc != STC_OK) {
                    q->done = 1;
                    open--;
                    continue;
                }
            }
            const uint8_t *ans = q->tcp ? q->tcp : q->ans;
            if ((ans[3] & 0x0f) == 2 && !q->cd) {
                build(q, 1); /* SERVFAIL: does the data exist without validation? */
                free(q->tcp);
                q->tcp = NULL;
                send_udp(q);
                continue;
            }
            a->rc = dns_stub_answer(a->name, a->rrtype, q->id, ans, q->alen, &a->res, e);
            if (a->rc == STC_OK && q->cd) {
                int answered = a->res->rcode == 0 || a->res->rcode == 3;
                a->res->secure = 0;
                a->res->rcode = 2;
                a->res->nxdomain = 0;
                if (answered) {
                    a->res->bogus = 1;
                    a->res->why_bogus = strdup("the resolver's DNSSEC validation failed (it "
                                               "answers only with checking disabled)");
                }
            }
            q->clean = q->tcp == NULL && q->sends == 1;
            free(q->tcp);
            q->tcp = NULL;
            q->done = 1;
            open--;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (qs[i].fd >= 0 && st->pool != NULL && qs[i].clean)
            dns_sockpool_give(st->pool, qs[i].fd, qs[i].uses + 1);
        else if (qs[i].fd >= 0)
            close(qs[i].fd);
        free(qs[i].tcp);
        if (asks[i].rc != STC_OK && rc == STC_OK)
            rc = asks[i].rc;
    }
    return rc;
}
