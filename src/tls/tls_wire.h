/* tls_wire.h - TLS on the wire without OpenSSL: the cipher suite table, a
 * ClientHello builder and a parser for the server's first flight.
 *
 * Probes that ask "would the server pick X?" do not need a finished
 * handshake: the ServerHello (or the alert) answers. Writing the ClientHello
 * ourselves lets a probe offer any suite or version, including those
 * OpenSSL 3 cannot speak any more (SSLv2, SSLv3, RC4, DES, EXPORT), and
 * name exactly one group. Nothing here touches a socket: the caller writes
 * the bytes through a struct io and feeds what comes back to the parser.
 *
 * Files: tls_suites.c (IANA suite table, group names), tls_hello.c
 * (ClientHello), tls_serverhello.c (ServerHello/alert/SSLv2 parser).
 */
#ifndef STC_TLS_TLS_WIRE_H
#define STC_TLS_TLS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <starttls/error.h>

#include "../util/buf.h"
#include "tls.h"

#define TLS_V_SSL2 0x0002 /* the SSLv2 version number (tls.h has SSLv3 and up) */

/* ---------------------------------------------------------------- suites */

enum tls_kex {
    TLS_KEX_RSA = 1, /* RSA key transport: no forward secrecy */
    TLS_KEX_DHE,     /* ephemeral finite-field DH */
    TLS_KEX_ECDHE,   /* ephemeral elliptic-curve DH */
    TLS_KEX_DH,      /* static DH (certificate key): no forward secrecy */
    TLS_KEX_ECDH,    /* static ECDH: no forward secrecy */
    TLS_KEX_TLS13,   /* TLS 1.3: the suite names no key exchange ((EC)DHE always) */
    TLS_KEX_SSL2     /* SSLv2 cipher kinds: RSA key transport */
};

enum tls_auth {
    TLS_AUTH_RSA = 1,
    TLS_AUTH_ECDSA,
    TLS_AUTH_DSS,
    TLS_AUTH_ANON, /* no certificate: no protection against an active attacker */
    TLS_AUTH_TLS13 /* negotiated by signature_algorithms */
};

enum tls_enc {
    TLS_ENC_NULL = 1,
    TLS_ENC_RC4,
    TLS_ENC_RC2,
    TLS_ENC_DES, /* single DES (56 bits, or 40 when exported) */
    TLS_ENC_3DES,
    TLS_ENC_IDEA,
    TLS_ENC_SEED,
    TLS_ENC_CAMELLIA_CBC,
    TLS_ENC_CAMELLIA_GCM,
    TLS_ENC_ARIA_CBC,
    TLS_ENC_ARIA_GCM,
    TLS_ENC_AES_CBC,
    TLS_ENC_AES_GCM,
    TLS_ENC_AES_CCM,
    TLS_ENC_AES_CCM8, /* CCM with an 8-byte tag */
    TLS_ENC_CHACHA20  /* ChaCha20-Poly1305 */
};

enum tls_mac {
    TLS_MAC_NULL = 1,
    TLS_MAC_MD5,
    TLS_MAC_SHA1,
    TLS_MAC_SHA256,
    TLS_MAC_SHA384,
    TLS_MAC_AEAD /* the cipher authenticates; the hash is only the PRF's */
};

/* Suite flags. */
#define TLS_SUITE_EXPORT 0x01 /* export-grade (40/56-bit) */
#define TLS_SUITE_TLS12 0x02  /* defined for TLS 1.2 only (SHA-256/384 MAC, AEAD) */
#define TLS_SUITE_TLS13 0x04  /* TLS 1.3 suite */
#define TLS_SUITE_SSL2 0x08   /* SSLv2 cipher kind (3-byte id, stored in id32) */

struct tls_suite {
    uint32_t id;      /* IANA value (2 bytes), or the 3-byte SSLv2 cipher kind */
    const char *name; /* IANA name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" */
    uint8_t kex;      /* enum tls_kex */
    uint8_t auth;     /* enum tls_auth */
    uint8_t enc;      /* enum tls_enc */
    uint8_t mac;      /* enum tls_mac */
    uint16_t bits;    /* effective key bits of the bulk cipher */
    uint8_t flags;    /* TLS_SUITE_* */
};

/** The whole table (TLS 1.3, TLS 1.2 and older, then SSLv2 kinds); *n entries. */
const struct tls_suite *tls_suites_all(size_t *n);
/** A TLS suite by its 2-byte id, NULL when unknown. */
const struct tls_suite *tls_suite_find(uint16_t id);
/** An SSLv2 cipher kind by its 3-byte id, NULL when unknown. */
const struct tls_suite *tls_suite_find_ssl2(uint32_t kind);
/** Does the suite exist for this version (TLS_V_*, or TLS_V_SSL2)? */
int tls_suite_for_version(const struct tls_suite *s, int version);
/** Broken encryption: NULL, RC4, RC2, single DES or export-grade. */
int tls_suite_is_broken(const struct tls_suite *s);
/** Anonymous (no authentication). */
int tls_suite_is_anon(const struct tls_suite *s);

/* Named groups (supported_groups, key_share; IANA). */
#define TLS_GROUP_SECP256R1 0x0017
#define TLS_GROUP_SECP384R1 0x0018
#define TLS_GROUP_SECP521R1 0x0019
#define TLS_GROUP_X25519 0x001d
#define TLS_GROUP_X448 0x001e
#define TLS_GROUP_FFDHE2048 0x0100
#define TLS_GROUP_FFDHE3072 0x0101
#define TLS_GROUP_FFDHE4096 0x0102
#define TLS_GROUP_FFDHE6144 0x0103
#define TLS_GROUP_FFDHE8192 0x0104

/** The groups probes try one at a time (*n of them), strongest-known first. */
const uint16_t *tls_groups_probe(size_t *n);
/** "x25519", "secp256r1", "ffdhe2048", ...; NULL when unknown. */
const char *tls_group_name(uint16_t id);

/* ---------------------------------------------------------------- ClientHello */

#define TLS_HELLO_SUITES_MAX 512
#define TLS_HELLO_GROUPS_MAX 16

struct tls_hello_opts {
    int version;            /* TLS_V_SSL2 .. TLS_V_1_3: the one version offered */
    const uint32_t *suites; /* suite ids in preference order (3-byte kinds for SSLv2) */
    size_t nsuites;         /* 1..TLS_HELLO_SUITES_MAX */
    const char *sni;        /* server_name, or NULL (never for SSLv2/SSLv3) */
    const uint16_t *groups; /* supported_groups in order; NULL: a default list */
    size_t ngroups;
    const uint8_t *random; /* 32 bytes (SSLv2: the first 16 are the challenge); NULL: fixed */
};

/**
 * Append one ClientHello record to out (SSLv2: a 2-byte-header CLIENT-HELLO).
 * TLS 1.3 is offered as legacy_version 1.2 plus supported_versions {1.3},
 * with key shares for those of x25519/secp256r1/secp384r1 in groups (fixed,
 * valid public points: the probe never finishes the handshake) and none for
 * other groups, which makes a server that wants one answer with a
 * HelloRetryRequest naming it. TLS 1.0-1.2 hellos carry server_name,
 * supported_groups, ec_point_formats, signature_algorithms (1.2) and
 * renegotiation_info; SSLv3 carries renegotiation_info only.
 * STC_E_INVAL for bad options (version, counts, a name over 253 bytes),
 * STC_E_LIMIT / STC_E_NOMEM from the buffer.
 */
stc_rc tls_hello_build(const struct tls_hello_opts *o, struct buf *out, struct stc_err *err);

/* ---------------------------------------------------------------- server reply */

#define TLS_REPLY_MAX (64 * 1024)     /* bytes of the server's first flight read at most */
#define TLS_RECORD_MAX (16384 + 2048) /* TLSCiphertext.length limit (RFC 5246 6.2.3) */
#define TLS_SSL2_SPECS_MAX 16

enum tls_reply_kind {
    TLS_REPLY_NONE = 0,
    TLS_REPLY_HELLO,      /* ServerHello */
    TLS_REPLY_RETRY,      /* TLS 1.3 HelloRetryRequest */
    TLS_REPLY_ALERT,      /* an alert before any ServerHello */
    TLS_REPLY_SSL2_HELLO, /* SSLv2 SERVER-HELLO */
    TLS_REPLY_SSL2_ERROR  /* SSLv2 ERROR message */
};

struct tls_server_reply {
    enum tls_reply_kind kind;
    int record_version; /* of the first record */
    int version;        /* negotiated: ServerHello.version or supported_versions */
    uint16_t suite;     /* chosen suite (TLS) */
    int compression;    /* chosen compression method */
    int secure_reneg;   /* renegotiation_info present (RFC 5746) */
    int ext_supported_versions;
    uint16_t group;       /* key_share (1.3 ServerHello) or selected group (HRR),
                             or the named curve of an ECDHE ServerKeyExchange; 0 none */
    int dh_bits;          /* DHE: bits of p in ServerKeyExchange; 0 none */
    int have_certificate; /* a Certificate message came */
    int have_kex;         /* ServerKeyExchange parsed */
    int done;             /* ServerHelloDone seen */
    uint8_t alert_level, alert_desc;
    /* SSLv2. */
    uint32_t ssl2_specs[TLS_SSL2_SPECS_MAX];
    size_t ssl2_nspecs;       /* kept (the server may list more) */
    size_t ssl2_nspecs_total; /* listed */
    uint16_t ssl2_error;
};

/**
 * Parse the server's first flight in p[0..n) (everything received so far).
 * With want_kex the parse goes on past the ServerHello through Certificate
 * and ServerKeyExchange to ServerHelloDone, for the DH size or curve of an
 * (EC)DHE suite; TLS 1.3 and HelloRetryRequest end at the ServerHello.
 * STC_OK when out is complete, STC_E_NOTFOUND when more bytes are needed
 * (out undefined), STC_E_PEER for anything that is not a well-formed reply
 * (the message names the field: "record length 40000 over the 18432 limit",
 * "ServerHello truncated in extensions", "not TLS: first byte 0x32"), an
 * alert after the ServerHello ends the parse with STC_OK and the alert in
 * out. STC_E_NOMEM.
 */
stc_rc tls_server_reply_parse(const uint8_t *p, size_t n, int want_kex,
                              struct tls_server_reply *out, struct stc_err *err);

/** "handshake_failure", "protocol_version", ... or "alert N". */
const char *tls_alert_name(uint8_t desc);

#endif
