/*
 * NAME
 *     tls_serverhello - parse the server's answer to a probe's ClientHello
 * SYNOPSIS
 *     stc_rc tls_server_reply_parse(p, n, want_kex, &reply, err);
 *     const char *tls_alert_name(uint8_t desc);
 * DESCRIPTION
 *     p[0..n) is everything the server sent so far after our ClientHello.
 *     The parser is incremental in the smtp_reply_parse() sense: it starts
 *     from the first byte every time and answers STC_E_NOTFOUND until the
 *     bytes hold a complete answer. Three shapes are recognised:
 *
 *       TLS records (RFC 5246 6.2.1): an alert before any ServerHello is
 *         a refusal (TLS_REPLY_ALERT, level and description kept);
 *         handshake records are joined and split into handshake messages,
 *         which may span records. The first must be a ServerHello (RFC 5246
 *         7.4.1.3; RFC 8446 4.1.3), giving the version (supported_versions
 *         for TLS 1.3), the suite, the compression method, and from the
 *         extensions renegotiation_info (RFC 5746: secure renegotiation)
 *         and key_share. A ServerHello whose random is the RFC 8446 4.1.3
 *         HelloRetryRequest constant is TLS_REPLY_RETRY; its key_share
 *         names the group the server wants.
 *       With want_kex, a TLS 1.0-1.2 parse goes on: Certificate is noted,
 *         ServerKeyExchange is parsed for the negotiated suite (ECDHE:
 *         curve type 3 and the named curve, RFC 8422 5.4; DHE: the bit
 *         length of dh_p, RFC 5246 7.4.3) and ServerHelloDone ends it. An
 *         alert after the ServerHello also ends it (reported in out).
 *       An SSLv2 record (2-byte header, high bit set) holding SERVER-HELLO
 *         (its cipher kinds, at most TLS_SSL2_SPECS_MAX kept) or ERROR.
 *
 *     Everything is read through struct rd; nothing is trusted.
 * LIMITS
 *     A record over TLS_RECORD_MAX, a handshake message over
 *     TLS_REPLY_MAX, a session id over 32 bytes, a ServerHello with bytes
 *     after its extensions or a length running past its message: all
 *     STC_E_PEER. Handshake bytes are collected up to TLS_REPLY_MAX.
 * DIAGNOSTICS
 *     STC_OK complete; STC_E_NOTFOUND more bytes needed; STC_E_PEER with
 *     the field that is wrong ("not TLS: first byte 0x35 ('5')", "record
 *     length 40000 over the limit of 18432", "ServerHello truncated in
 *     the session id", "expected ServerHello, got handshake message 11");
 *     STC_E_NOMEM / STC_E_LIMIT from collecting handshake bytes.
 */
#include <string.h>

#include "../util/err.h"
#include "tls_wire.h"

#define REC_ALERT 0x15
#define REC_HANDSHAKE 0x16
#define REC_CCS 0x14
#define REC_APPDATA 0x17

#define HS_HELLO_REQUEST 0
#define HS_SERVER_HELLO 2
#define HS_CERTIFICATE 11
#define HS_SERVER_KEY_EXCHANGE 12
#define HS_SERVER_HELLO_DONE 14

#define EXT_SUPPORTED_VERSIONS 0x002b
#define EXT_KEY_SHARE 0x0033
#define EXT_RENEGOTIATION_INFO 0xff01

#define SSL2_MT_ERROR 0
#define SSL2_MT_SERVER_HELLO 4

/* RFC 8446 4.1.3: SHA-256("HelloRetryRequest"). */
static const uint8_t HRR_RANDOM[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

const char *tls_alert_name(uint8_t desc)
{
    switch (desc) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 22: return "record_overflow";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 47: return "illegal_parameter";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 100: return "no_renegotiation";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    default: return "alert";
    }
}

/* Bits of a big-endian unsigned number (leading zero bytes/bits dropped). */
static int bit_length(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] == 0)
        i++;
    if (i == n)
        return 0;
    int bits = (int)((n - i) * 8);
    for (uint8_t top = p[i]; (top & 0x80) == 0; top = (uint8_t)(top << 1))
        bits--;
    return bits;
}

static stc_rc peer(struct stc_err *err, const char *what)
{
    return err_set(err, STC_E_PEER, "%s", what);
}

static stc_rc parse_extensions(struct rd *b, int hrr, struct tls_server_reply *out,
                               struct stc_err *err)
{
    uint16_t total = 0;
    if (rd_left(b) == 0)
        return STC_OK; /* no extensions at all (SSLv3, old servers) */
    if (rd_u16(b, &total) != STC_OK || rd_left(b) < total)
        return peer(err, "ServerHello truncated in the extensions");
    if (rd_left(b) != total)
        return peer(err, "ServerHello has bytes after its extensions");
    while (rd_left(b) > 0) {
        uint16_t type = 0, len = 0;
        const uint8_t *data = NULL;
        if (rd_u16(b, &type) != STC_OK || rd_u16(b, &len) != STC_OK ||
            rd_bytes(b, len, &data) != STC_OK)
            return peer(err, "ServerHello extension truncated");
        struct rd e;
        rd_init(&e, data, len);
        uint16_t v = 0;
        switch (type) {
        case EXT_RENEGOTIATION_INFO: out->secure_reneg = 1; break;
        case EXT_SUPPORTED_VERSIONS:
            if (rd_u16(&e, &v) != STC_OK || rd_left(&e) != 0)
                return peer(err, "ServerHello supported_versions malformed");
            out->ext_supported_versions = 1;
            out->version = v;
            break;
        case EXT_KEY_SHARE:
            /* ServerHello: group + key_exchange; HelloRetryRequest: group only. */
            if (rd_u16(&e, &v) != STC_OK)
                return peer(err, "ServerHello key_share malformed");
            if (!hrr) {
                uint16_t klen = 0;
                const uint8_t *key = NULL;
                if (rd_u16(&e, &klen) != STC_OK || rd_bytes(&e, klen, &key) != STC_OK)
                    return peer(err, "ServerHello key_share truncated");
            }
            out->group = v;
            break;
        default: break;
        }
    }
    return STC_OK;
}

static stc_rc parse_server_hello(const uint8_t *p, size_t n, struct tls_server_reply *out,
                                 struct stc_err *err)
{
    struct rd b;
    uint16_t version = 0, suite = 0;
    uint8_t sidlen = 0, comp = 0;
    const uint8_t *random = NULL, *sid = NULL;
    rd_init(&b, p, n);
    if (rd_u16(&b, &version) != STC_OK || rd_bytes(&b, 32, &random) != STC_OK)
        return peer(err, "ServerHello truncated before the session id");
    if ((version >> 8) != 3)
        return err_set(err, STC_E_PEER, "ServerHello version 0x%04x is not SSLv3/TLS",
                       (unsigned)version);
    if (rd_u8(&b, &sidlen) != STC_OK || sidlen > 32 || rd_bytes(&b, sidlen, &sid) != STC_OK)
        return peer(err, "ServerHello truncated in the session id");
    if (rd_u16(&b, &suite) != STC_OK || rd_u8(&b, &comp) != STC_OK)
        return peer(err, "ServerHello truncated in the cipher suite");
    int hrr = memcmp(random, HRR_RANDOM, sizeof HRR_RANDOM) == 0;
    out->kind = hrr ? TLS_REPLY_RETRY : TLS_REPLY_HELLO;
    out->version = version;
    out->suite = suite;
    out->compression = comp;
    return parse_extensions(&b, hrr, out, err);
}

/* ServerKeyExchange for the suite the ServerHello chose. */
static stc_rc parse_ske(const uint8_t *p, size_t n, struct tls_server_reply *out,
                        struct stc_err *err)
{
    const struct tls_suite *s = tls_suite_find(out->suite);
    struct rd b;
    rd_init(&b, p, n);
    out->have_kex = 1;
    if (s == NULL)
        return STC_OK;
    if (s->kex == TLS_KEX_ECDHE) {
        uint8_t curve_type = 0;
        uint16_t curve = 0;
        if (rd_u8(&b, &curve_type) != STC_OK)
            return peer(err, "ServerKeyExchange truncated");
        if (curve_type == 3) { /* named_curve */
            if (rd_u16(&b, &curve) != STC_OK)
                return peer(err, "ServerKeyExchange truncated in the curve");
            out->group = curve;
        }
    } else if (s->kex == TLS_KEX_DHE) {
        uint16_t plen = 0;
        const uint8_t *prime = NULL;
        if (rd_u16(&b, &plen) != STC_OK || plen == 0 || rd_bytes(&b, plen, &prime) != STC_OK)
            return peer(err, "ServerKeyExchange truncated in dh_p");
        out->dh_bits = bit_length(prime, plen);
    }
    return STC_OK;
}

/* One handshake message after the ServerHello; *end set when the parse is over. */
static stc_rc after_hello(uint8_t type, const uint8_t *body, size_t len,
                          struct tls_server_reply *out, int *end, struct stc_err *err)
{
    switch (type) {
    case HS_CERTIFICATE: out->have_certificate = 1; return STC_OK;
    case HS_SERVER_KEY_EXCHANGE: return parse_ske(body, len, out, err);
    case HS_SERVER_HELLO_DONE:
        out->done = 1;
        *end = 1;
        return STC_OK;
    default: return STC_OK; /* CertificateStatus, CertificateRequest, ... */
    }
}

/* Split the joined handshake bytes into messages. *end set when finished. */
static stc_rc handshake_messages(const struct buf *hs, int want_kex, struct tls_server_reply *out,
                                 int *end, struct stc_err *err)
{
    struct rd r;
    rd_init(&r, hs->data, hs->len);
    int got_hello = 0;
    while (rd_left(&r) >= 4) {
        uint8_t type = 0;
        uint32_t len = 0;
        const uint8_t *body = NULL;
        (void)rd_u8(&r, &type);
        (void)rd_u24(&r, &len);
        if (len > TLS_REPLY_MAX)
            return err_set(err, STC_E_PEER, "handshake message of %lu bytes over the limit of %d",
                           (unsigned long)len, TLS_REPLY_MAX);
        if (rd_bytes(&r, len, &body) != STC_OK)
            return STC_E_NOTFOUND;
        if (!got_hello) {
            if (type == HS_HELLO_REQUEST && len == 0)
                continue;
            if (type != HS_SERVER_HELLO)
                return err_set(err, STC_E_PEER, "expected ServerHello, got handshake message %u",
                               (unsigned)type);
            stc_rc rc = parse_server_hello(body, len, out, err);
            if (rc != STC_OK)
                return rc;
            got_hello = 1;
            if (!want_kex || out->kind == TLS_REPLY_RETRY || out->version >= TLS_V_1_3) {
                *end = 1;
                return STC_OK;
            }
            continue;
        }
        stc_rc rc = after_hello(type, body, len, out, end, err);
        if (rc != STC_OK || *end)
            return rc;
    }
    return STC_E_NOTFOUND;
}

static stc_rc parse_ssl2(struct rd *r, struct tls_server_reply *out, struct stc_err *err)
{
    uint8_t h0 = 0, h1 = 0, mt = 0;
    const uint8_t *body = NULL;
    (void)rd_u8(r, &h0);
    if (rd_u8(r, &h1) != STC_OK)
        return STC_E_NOTFOUND;
    size_t len = ((size_t)(h0 & 0x7f) << 8) | h1;
    if (len == 0)
        return peer(err, "SSLv2 record is empty");
    if (rd_bytes(r, len, &body) != STC_OK)
        return STC_E_NOTFOUND;
    struct rd b;
    rd_init(&b, body, len);
    (void)rd_u8(&b, &mt);
    out->record_version = TLS_V_SSL2;
    if (mt == SSL2_MT_ERROR) {
        if (rd_u16(&b, &out->ssl2_error) != STC_OK)
            return peer(err, "SSLv2 ERROR truncated");
        out->kind = TLS_REPLY_SSL2_ERROR;
        return STC_OK;
    }
    if (mt != SSL2_MT_SERVER_HELLO)
        return err_set(err, STC_E_PEER, "SSLv2 message type %u is not SERVER-HELLO", (unsigned)mt);
    uint8_t hit = 0, ctype = 0;
    uint16_t version = 0, certlen = 0, specslen = 0, cidlen = 0;
    const uint8_t *cert = NULL, *specs = NULL, *cid = NULL;
    if (rd_u8(&b, &hit) != STC_OK || rd_u8(&b, &ctype) != STC_OK ||
        rd_u16(&b, &version) != STC_OK || rd_u16(&b, &certlen) != STC_OK ||
        rd_u16(&b, &specslen) != STC_OK || rd_u16(&b, &cidlen) != STC_OK)
        return peer(err, "SSLv2 SERVER-HELLO truncated in its header");
    if (rd_bytes(&b, certlen, &cert) != STC_OK || rd_bytes(&b, specslen, &specs) != STC_OK ||
        rd_bytes(&b, cidlen, &cid) != STC_OK)
        return peer(err, "SSLv2 SERVER-HELLO lengths run past the record");
    if (specslen % 3 != 0)
        return err_set(err, STC_E_PEER, "SSLv2 cipher specs length %u is not a multiple of 3",
                       (unsigned)specslen);
    out->kind = TLS_REPLY_SSL2_HELLO;
    out->version = version;
    out->have_certificate = certlen > 0;
    out->ssl2_nspecs_total = specslen / 3u;
    for (size_t i = 0; i < out->ssl2_nspecs_total && i < TLS_SSL2_SPECS_MAX; i++) {
        out->ssl2_specs[i] =
            ((uint32_t)specs[3 * i] << 16) | ((uint32_t)specs[3 * i + 1] << 8) | specs[3 * i + 2];
        out->ssl2_nspecs++;
    }
    return STC_OK;
}

static stc_rc not_tls(uint8_t c, struct stc_err *err)
{
    if (c >= 0x20 && c < 0x7f)
        return err_set(err, STC_E_PEER, "not TLS: first byte 0x%02x ('%c')", c, (char)c);
    return err_set(err, STC_E_PEER, "not TLS: first byte 0x%02x", c);
}

stc_rc tls_server_reply_parse(const uint8_t *p, size_t n, int want_kex,
                              struct tls_server_reply *out, struct stc_err *err)
{
    stc_rc rc = STC_E_NOTFOUND;
    struct buf hs;
    struct rd r;
    int end = 0, got_hello = 0;
    memset(out, 0, sizeof *out);
    buf_init(&hs, TLS_REPLY_MAX);
    rd_init(&r, p, n);
    if (n == 0)
        goto out;
    if ((p[0] & 0x80) != 0) {
        rc = parse_ssl2(&r, out, err);
        goto out;
    }
    if (p[0] != REC_HANDSHAKE && p[0] != REC_ALERT) {
        rc = not_tls(p[0], err);
        goto out;
    }
    while (rd_left(&r) >= 5) {
        uint8_t type = 0;
        uint16_t version = 0, len = 0;
        const uint8_t *body = NULL;
        (void)rd_u8(&r, &type);
        (void)rd_u16(&r, &version);
        (void)rd_u16(&r, &len);
        STC_ENSURE((version >> 8) == 3, err, STC_E_PEER, "record version 0x%04x is not SSLv3/TLS",
                   (unsigned)version);
        STC_ENSURE(len <= TLS_RECORD_MAX, err, STC_E_PEER, "record length %u over the limit of %d",
                   (unsigned)len, TLS_RECORD_MAX);
        if (rd_bytes(&r, len, &body) != STC_OK)
            break; /* record incomplete */
        if (out->record_version == 0)
            out->record_version = version;
        switch (type) {
        case REC_ALERT:
            STC_ENSURE(len >= 2, err, STC_E_PEER, "alert record of %u bytes", (unsigned)len);
            out->alert_level = body[0];
            out->alert_desc = body[1];
            if (!got_hello)
                out->kind = TLS_REPLY_ALERT;
            rc = STC_OK;
            goto out;
        case REC_HANDSHAKE:
            STC_ENSURE(len > 0, err, STC_E_PEER, "empty handshake record");
            STC_GUARD(buf_append(&hs, body, len, err));
            rc = handshake_messages(&hs, want_kex, out, &end, err);
            if (rc == STC_OK && end)
                goto out;
            if (rc != STC_E_NOTFOUND)
                goto out;
            got_hello = out->kind != TLS_REPLY_NONE;
            break;
        case REC_CCS:
            STC_ENSURE(got_hello, err, STC_E_PEER, "ChangeCipherSpec before the ServerHello");
            break;
        default:
            rc = err_set(err, STC_E_PEER, "unexpected record type %u %s", (unsigned)type,
                         got_hello ? "after the ServerHello" : "before the ServerHello");
            goto out;
        }
    }
    rc = STC_E_NOTFOUND;
out:
    buf_free(&hs);
    return rc;
}
