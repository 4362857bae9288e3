/*
 * NAME
 *     tls_hello - build a ClientHello for one version and a list of suites
 * SYNOPSIS
 *     struct tls_hello_opts o = {.version = TLS_V_1_2, .suites = ids,
 *                                .nsuites = n, .sni = "mx.example.org"};
 *     stc_rc tls_hello_build(&o, &out, err);
 * DESCRIPTION
 *     Appends one handshake record holding a ClientHello (RFC 5246 7.4.1.2,
 *     RFC 8446 4.1.2) to out, or for SSLv2 a CLIENT-HELLO with a 2-byte
 *     record header (SSLv2 draft, "Client Only Protocol Messages"). The
 *     hello offers exactly one version, so the answer tells whether the
 *     server accepts that version:
 *
 *       SSLv2     version 0x0002, 3-byte cipher kinds, 16-byte challenge
 *       SSLv3     record/client version 0x0300, suites + the
 *                 TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 3.3), no
 *                 extensions
 *       TLS 1.0/1.1  record 0x0301, client version 0x0301/0x0302;
 *                 server_name, supported_groups, ec_point_formats,
 *                 renegotiation_info
 *       TLS 1.2   the same plus signature_algorithms
 *       TLS 1.3   legacy_version 0x0303 plus supported_versions {0x0304},
 *                 signature_algorithms, supported_groups and key_share
 *
 *     key_share holds an entry for each of x25519, secp256r1 and secp384r1
 *     that is in the group list, with a fixed valid public value (RFC 7748
 *     6.1's Alice key; the curves' generator points). The probe never
 *     derives keys, so a fixed point costs nothing; a server that wants a
 *     group without a share answers with a HelloRetryRequest naming it,
 *     which answers the probe just as well.
 *
 *     opts->random NULL takes 32 fresh bytes from OpenSSL's RAND_bytes.
 * LIMITS
 *     1..TLS_HELLO_SUITES_MAX suites, at most TLS_HELLO_GROUPS_MAX groups,
 *     a server name of 1..253 bytes. The record is at most HELLO_MAX bytes.
 * DIAGNOSTICS
 *     STC_E_INVAL for a version outside SSLv2..TLS 1.3, bad counts, a bad
 *     name or a suite id that does not fit the version (> 0xffff for TLS,
 *     > 0xffffff for SSLv2); STC_E_INTERNAL when RAND_bytes fails;
 *     STC_E_LIMIT / STC_E_NOMEM from appending to out.
 */
#include <string.h>

#include <openssl/rand.h>

#include "../util/err.h"
#include "../util/limits.h"
#include "tls_wire.h"

#define HELLO_MAX 8192
#define SCSV_RENEGOTIATION 0x00ff

#define EXT_SERVER_NAME 0x0000
#define EXT_SUPPORTED_GROUPS 0x000a
#define EXT_EC_POINT_FORMATS 0x000b
#define EXT_SIGNATURE_ALGORITHMS 0x000d
#define EXT_SUPPORTED_VERSIONS 0x002b
#define EXT_KEY_SHARE 0x0033
#define EXT_RENEGOTIATION_INFO 0xff01

/* A bounded writer: overflow sets a flag instead of writing. */
struct wr {
    uint8_t p[HELLO_MAX];
    size_t n;
    int over;
};

static void w8(struct wr *w, unsigned v)
{
    if (w->n + 1 > sizeof w->p) {
        w->over = 1;
        return;
    }
    w->p[w->n++] = (uint8_t)v;
}

static void w16(struct wr *w, unsigned v)
{
    w8(w, (v >> 8) & 0xff);
    w8(w, v & 0xff);
}

static void w24(struct wr *w, unsigned long v)
{
    w8(w, (unsigned)((v >> 16) & 0xff));
    w16(w, (unsigned)(v & 0xffff));
}

static void wbytes(struct wr *w, const void *p, size_t n)
{
    if (n > sizeof w->p - w->n) {
        w->over = 1;
        return;
    }
    memcpy(w->p + w->n, p, n);
    w->n += n;
}

/* Reserve a length field of `width` bytes; returns where it starts. */
static size_t open_len(struct wr *w, int width)
{
    size_t at = w->n;
    for (int i = 0; i < width; i++)
        w8(w, 0);
    return at;
}

/* Fill the length field at `at` with the bytes written after it. */
static void close_len(struct wr *w, size_t at, int width)
{
    if (w->over)
        return;
    size_t len = w->n - at - (size_t)width;
    for (int i = width - 1; i >= 0; i--) {
        w->p[at + (size_t)i] = (uint8_t)(len & 0xff);
        len >>= 8;
    }
}

/* RFC 7748 6.1: Alice's X25519 public key. */
static const uint8_t X25519_PUB[32] = {
    0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d, 0xdc, 0xb4, 0x3e, 0xf7, 0x5a,
    0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38, 0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a};
/* SEC 2: the generator of secp256r1, uncompressed. */
static const uint8_t P256_G[65] = {0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc,
                                   0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d,
                                   0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
                                   0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb,
                                   0x4a, 0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31,
                                   0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5};
/* SEC 2: the generator of secp384r1, uncompressed. */
static const uint8_t P384_G[97] = {
    0x04, 0xaa, 0x87, 0xca, 0x22, 0xbe, 0x8b, 0x05, 0x37, 0x8e, 0xb1, 0xc7, 0x1e, 0xf3,
    0x20, 0xad, 0x74, 0x6e, 0x1d, 0x3b, 0x62, 0x8b, 0xa7, 0x9b, 0x98, 0x59, 0xf7, 0x41,
    0xe0, 0x82, 0x54, 0x2a, 0x38, 0x55, 0x02, 0xf2, 0x5d, 0xbf, 0x55, 0x29, 0x6c, 0x3a,
    0x54, 0x5e, 0x38, 0x72, 0x76, 0x0a, 0xb7, 0x36, 0x17, 0xde, 0x4a, 0x96, 0x26, 0x2c,
    0x6f, 0x5d, 0x9e, 0x98, 0xbf, 0x92, 0x92, 0xdc, 0x29, 0xf8, 0xf4, 0x1d, 0xbd, 0x28,
    0x9a, 0x14, 0x7c, 0xe9, 0xda, 0x31, 0x13, 0xb5, 0xf0, 0xb8, 0xc0, 0x0a, 0x60, 0xb1,
    0xce, 0x1d, 0x7e, 0x81, 0x9d, 0x7a, 0x43, 0x1d, 0x7c, 0x90, 0xea, 0x0e, 0x5f};

/* Without a caller's list: the probe groups plus older curves, so an old
 * server finds something it knows. */
static const uint16_t DEFAULT_GROUPS[] = {
    TLS_GROUP_X25519,
    TLS_GROUP_SECP256R1,
    TLS_GROUP_X448,
    TLS_GROUP_SECP384R1,
    TLS_GROUP_SECP521R1,
    0x001a,
    0x001b,
    0x001c,
    0x0015,
    TLS_GROUP_FFDHE2048,
    TLS_GROUP_FFDHE3072,
    TLS_GROUP_FFDHE4096,
    TLS_GROUP_FFDHE6144,
    TLS_GROUP_FFDHE8192,
};

/* Every scheme a server might sign with, SHA-1 ones last (RFC 8446 4.2.3;
 * RFC 5246 7.4.1.4.1 hash/signature pairs for DSA). */
static const uint16_t SIG_SCHEMES[] = {
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0401,
    0x0501, 0x0601, 0x0402, 0x0502, 0x0602, 0x0303, 0x0301, 0x0302, 0x0203, 0x0201, 0x0202,
};

static void ext_server_name(struct wr *w, const char *sni, size_t len)
{
    w16(w, EXT_SERVER_NAME);
    size_t e = open_len(w, 2);
    size_t l = open_len(w, 2);
    w8(w, 0); /* host_name */
    w16(w, (unsigned)len);
    wbytes(w, sni, len);
    close_len(w, l, 2);
    close_len(w, e, 2);
}

static void ext_groups(struct wr *w, const uint16_t *g, size_t n)
{
    w16(w, EXT_SUPPORTED_GROUPS);
    size_t e = open_len(w, 2);
    size_t l = open_len(w, 2);
    for (size_t i = 0; i < n; i++)
        w16(w, g[i]);
    close_len(w, l, 2);
    close_len(w, e, 2);
}

static void ext_sigalgs(struct wr *w)
{
    w16(w, EXT_SIGNATURE_ALGORITHMS);
    size_t e = open_len(w, 2);
    size_t l = open_len(w, 2);
    for (size_t i = 0; i < sizeof SIG_SCHEMES / sizeof SIG_SCHEMES[0]; i++)
        w16(w, SIG_SCHEMES[i]);
    close_len(w, l, 2);
    close_len(w, e, 2);
}

static void ext_key_share(struct wr *w, const uint16_t *g, size_t n)
{
    w16(w, EXT_KEY_SHARE);
    size_t e = open_len(w, 2);
    size_t l = open_len(w, 2);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *key = NULL;
        size_t klen = 0;
        switch (g[i]) {
        case TLS_GROUP_X25519: key = X25519_PUB, klen = sizeof X25519_PUB; break;
        case TLS_GROUP_SECP256R1: key = P256_G, klen = sizeof P256_G; break;
        case TLS_GROUP_SECP384R1: key = P384_G, klen = sizeof P384_G; break;
        default: break; /* no share: the server may ask with a HelloRetryRequest */
        }
        if (key == NULL)
            continue;
        w16(w, g[i]);
        w16(w, (unsigned)klen);
        wbytes(w, key, klen);
    }
    close_len(w, l, 2);
    close_len(w, e, 2);
}

static void extensions(struct wr *w, const struct tls_hello_opts *o, size_t snilen,
                       const uint16_t *groups, size_t ngroups)
{
    size_t all = open_len(w, 2);
    if (snilen > 0)
        ext_server_name(w, o->sni, snilen);
    ext_groups(w, groups, ngroups);
    if (o->version <= TLS_V_1_2) {
        w16(w, EXT_EC_POINT_FORMATS);
        w16(w, 2);
        w8(w, 1);
        w8(w, 0); /* uncompressed */
    }
    if (o->version >= TLS_V_1_2)
        ext_sigalgs(w);
    if (o->version == TLS_V_1_3) {
        w16(w, EXT_SUPPORTED_VERSIONS);
        w16(w, 3);
        w8(w, 2);
        w16(w, TLS_V_1_3);
        ext_key_share(w, groups, ngroups);
    } else {
        w16(w, EXT_RENEGOTIATION_INFO);
        w16(w, 1);
        w8(w, 0); /* empty renegotiated_connection: initial handshake */
    }
    close_len(w, all, 2);
}

static void hello_ssl2(struct wr *w, const struct tls_hello_opts *o, const uint8_t *rnd)
{
    size_t body = 9 + 3 * o->nsuites + 16;
    w8(w, 0x80 | (unsigned)((body >> 8) & 0x7f));
    w8(w, body & 0xff);
    w8(w, 1); /* CLIENT-HELLO */
    w16(w, TLS_V_SSL2);
    w16(w, (unsigned)(3 * o->nsuites));
    w16(w, 0);  /* session id */
    w16(w, 16); /* challenge */
    for (size_t i = 0; i < o->nsuites; i++)
        w24(w, o->suites[i]);
    wbytes(w, rnd, 16);
}

static void hello_tls(struct wr *w, const struct tls_hello_opts *o, const uint8_t *rnd,
                      size_t snilen, const uint16_t *groups, size_t ngroups)
{
    w8(w, 0x16); /* handshake */
    w16(w, o->version == TLS_V_SSL3 ? TLS_V_SSL3 : TLS_V_1_0);
    size_t rec = open_len(w, 2);
    w8(w, 1); /* client_hello */
    size_t hs = open_len(w, 3);
    w16(w, o->version == TLS_V_1_3 ? TLS_V_1_2 : (unsigned)o->version);
    wbytes(w, rnd, 32);
    w8(w, 0); /* no session id */
    size_t cs = open_len(w, 2);
    for (size_t i = 0; i < o->nsuites; i++)
        w16(w, o->suites[i]);
    if (o->version == TLS_V_SSL3)
        w16(w, SCSV_RENEGOTIATION);
    close_len(w, cs, 2);
    w8(w, 1);
    w8(w, 0); /* compression: null only */
    if (o->version != TLS_V_SSL3)
        extensions(w, o, snilen, groups, ngroups);
    close_len(w, hs, 3);
    close_len(w, rec, 2);
}

stc_rc tls_hello_build(const struct tls_hello_opts *o, struct buf *out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct wr w;
    uint8_t rnd[32];
    size_t snilen = 0;
    w.n = 0;
    w.over = 0;
    STC_ENSURE(o != NULL && out != NULL, err, STC_E_INVAL, "tls_hello_build: bad arguments");
    STC_ENSURE(o->version == TLS_V_SSL2 || (o->version >= TLS_V_SSL3 && o->version <= TLS_V_1_3),
               err, STC_E_INVAL, "ClientHello: unknown version 0x%04x", (unsigned)o->version);
    STC_ENSURE(o->suites != NULL && o->nsuites > 0 && o->nsuites <= TLS_HELLO_SUITES_MAX, err,
               STC_E_INVAL, "ClientHello: between 1 and %d suites, not %zu", TLS_HELLO_SUITES_MAX,
               o->nsuites);
    STC_ENSURE(o->ngroups <= TLS_HELLO_GROUPS_MAX && (o->groups != NULL || o->ngroups == 0), err,
               STC_E_INVAL, "ClientHello: at most %d groups", TLS_HELLO_GROUPS_MAX);
    uint32_t idmax = o->version == TLS_V_SSL2 ? 0xffffffu : 0xffffu;
    for (size_t i = 0; i < o->nsuites; i++)
        STC_ENSURE(o->suites[i] <= idmax, err, STC_E_INVAL,
                   "ClientHello: suite id 0x%x too large for this version", (unsigned)o->suites[i]);
    if (o->sni != NULL && o->version != TLS_V_SSL2 && o->version != TLS_V_SSL3) {
        snilen = strnlen(o->sni, STC_DOMAIN_MAX + 1);
        STC_ENSURE(snilen > 0 && snilen <= STC_DOMAIN_MAX, err, STC_E_INVAL,
                   "ClientHello: server name empty or longer than %d bytes", STC_DOMAIN_MAX);
    }
    if (o->random != NULL)
        memcpy(rnd, o->random, sizeof rnd);
    else
        STC_ENSURE(RAND_bytes(rnd, sizeof rnd) == 1, err, STC_E_INTERNAL,
                   "no random bytes for the ClientHello");
    const uint16_t *groups = o->groups;
    size_t ngroups = o->ngroups;
    if (groups == NULL) {
        groups = DEFAULT_GROUPS;
        ngroups = sizeof DEFAULT_GROUPS / sizeof DEFAULT_GROUPS[0];
    }
    if (o->version == TLS_V_SSL2)
        hello_ssl2(&w, o, rnd);
    else
        hello_tls(&w, o, rnd, snilen, groups, ngroups);
    STC_ENSURE(!w.over, err, STC_E_LIMIT, "ClientHello longer than %d bytes", HELLO_MAX);
    STC_GUARD(buf_append(out, w.p, w.n, err));
out:
    return rc;
}
