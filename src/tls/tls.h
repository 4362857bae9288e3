/* tls.h - TLS client on a connected socket (OpenSSL 3): handshake, peer
 * certificate facts, verification against a trust store and DANE TLSA.
 *
 * A struct tls_client (SSL_CTX and trust store) is made once per checker and
 * shared by threads. Each handshake makes a struct tls_conn, which owns its
 * SSL but not the socket. OpenSSL runs non-blocking; every wait is a
 * deadline_poll(). The handshake always completes when the peer allows it
 * (verification is evaluated, not enforced) so a bad certificate is a
 * finding, not a failed connection.
 */
#ifndef STC_TLS_TLS_H
#define STC_TLS_TLS_H

#include <stddef.h>
#include <stdint.h>

#include <starttls/error.h>

#include "../util/deadline.h"
#include "../util/io.h"

/* Protocol versions as on the wire. */
#define TLS_V_SSL3 0x0300
#define TLS_V_1_0 0x0301
#define TLS_V_1_1 0x0302
#define TLS_V_1_2 0x0303
#define TLS_V_1_3 0x0304

struct tls_client_config {
    const char *ca_file; /* NULL and ca_path NULL: the system default store */
    const char *ca_path;
};

struct tls_client;

stc_rc tls_client_new(const struct tls_client_config *cfg, struct tls_client **out,
                      struct stc_err *err);
void tls_client_free(struct tls_client *c);
/** 1 when broken-cipher probes run with OpenSSL's legacy provider loaded;
 * 0 when it was unavailable (probes then offer only what "default" has, i.e.
 * the NULL-cipher suites; RC4/DES also need an OpenSSL built with them). */
int tls_client_has_legacy(const struct tls_client *c);

/* One TLSA record given as data (the dns layer's records are copied in). */
struct tls_tlsa {
    uint8_t usage, selector, mtype;
    const uint8_t *data;
    size_t len;
};

enum tls_cipher_set {
    TLS_CIPHERS_DEFAULT = 0, /* what a modern MTA offers (OpenSSL defaults, TLS 1.2/1.3) */
    TLS_CIPHERS_BROKEN,      /* only NULL, EXPORT, RC4, DES (single), at SECLEVEL 0 */
    TLS_CIPHERS_ANON         /* only anonymous (aNULL) suites */
};

struct tls_handshake_opts {
    const char *sni;         /* server name to send (MX host name or TLSA base name); NULL: none */
    const char *verify_name; /* name the certificate must match (MX host name); NULL: no name check */
    int min_version;         /* TLS_V_*; 0: library default */
    int max_version;         /* TLS_V_*; 0: highest */
    enum tls_cipher_set ciphers;
    /* DANE (RFC 7672): when ntlsa > 0 the handshake is also authenticated
     * against these records with SSL_dane_*; DANE-EE (3) ignores names and
     * dates, DANE-TA (2) checks verify_name. */
    const struct tls_tlsa *tlsa;
    size_t ntlsa;
};

struct tls_conn;

/**
 * TLS handshake on fd (connected, non-blocking). STC_E_TLS with the alert or
 * OpenSSL reason ("peer sent alert handshake failure", "no protocols
 * available", "wrong version number", ...) when the handshake fails,
 * STC_E_PEER when the peer closes or resets, STC_E_TIMEOUT.
 */
stc_rc tls_handshake(const struct tls_client *c, int fd, const struct tls_handshake_opts *opts,
                     struct deadline d, struct tls_conn **out, struct stc_err *err);
/** The suites (IANA ids) tls_handshake would offer with opts; at most max. */
stc_rc tls_handshake_suites(const struct tls_client *c, const struct tls_handshake_opts *opts,
                            uint32_t *ids, size_t max, size_t *n, struct stc_err *err);
/** Best-effort close_notify within d, then free (the fd stays open). */
void tls_conn_free(struct tls_conn *t, struct deadline d);
/** The stream to hand to smtp_set_io(); lives as long as t. */
struct io *tls_conn_io(struct tls_conn *t);

enum tls_verify_problem {
    TLS_CERT_OK = 0,
    TLS_CERT_NO_CERT,       /* server sent no certificate (anonymous suite) */
    TLS_CERT_EXPIRED,
    TLS_CERT_NOT_YET_VALID,
    TLS_CERT_SELF_SIGNED,   /* leaf is self-signed */
    TLS_CERT_UNKNOWN_ISSUER,/* chain ends at a self-signed root that is not trusted */
    TLS_CERT_INCOMPLETE_CHAIN, /* issuer of a served certificate not found: intermediate missing */
    TLS_CERT_WEAK,          /* trusted and in date, but a key or digest below the minimum */
    TLS_CERT_NAME_MISMATCH, /* chain fine, name does not match verify_name */
    TLS_CERT_OTHER          /* any other verification error: see verify_text */
};

/* Why a certificate chain is too weak to trust (struct tls_info.weak). */
#define TLS_WEAK_KEY 1u    /* RSA/DSA key under 2048 bits, EC key under 224 bits */
#define TLS_WEAK_DIGEST 2u /* signed with MD5 or SHA-1 below the trust anchor */
#define TLS_WEAK_LEAF_KEY 4u /* with TLS_WEAK_KEY: the leaf's own key is the weak one */

struct tls_info {
    int version;                 /* negotiated TLS_V_* */
    char version_name[16];       /* "TLSv1.3" */
    char cipher[64];             /* "TLS_AES_256_GCM_SHA384" (IANA-ish OpenSSL name) */
    int cipher_bits;
    char group[32];              /* key exchange group, OpenSSL's name: "x25519", "secp256r1",
                                    "ffdhe2048" (or "DH-<bits>"); "" if unknown */

    /* Peer certificate (leaf). */
    int have_cert;
    char subject[256];           /* one-line, escaped */
    char issuer[256];
    char **names;                /* DNS SANs (or CN when no SAN), escaped; malloc'd */
    size_t nnames;
    int names_skipped;           /* DNS SANs rejected (embedded NUL) or over STC_CERT_NAMES_MAX */
    long long not_before;        /* Unix time */
    long long not_after;
    long days_to_expiry;         /* floor((not_after - now) / 86400), negative when expired */
    char key_type[16];           /* "RSA", "EC", "ED25519" */
    int key_bits;
    char sig_alg[48];
    int chain_len;               /* certificates the server sent */
    char spki_sha256[65];        /* hex SHA-256 of the leaf's SubjectPublicKeyInfo (for "3 1 1") */
    char cert_sha256[65];        /* hex SHA-256 of the whole leaf (for "3 0 1") */

    /* Verification against the trust store and verify_name. */
    int chain_trusted;           /* chain verifies to a trusted root (names aside) */
    int name_matches;            /* a name matches verify_name (RFC 6125; wildcard = one label);
                                    1 when verify_name was NULL, 0 without a certificate */
    int name_in_san;             /* verify_name matches a subjectAltName dNSName, not only the
                                    subject CN (RFC 8461 4.2); as name_matches otherwise */
    unsigned weak;               /* TLS_WEAK_* of the verified chain (tls_strength.c) */
    char weak_text[160];         /* the first weakness: "the leaf certificate has a 1024-bit
                                    RSA key (at least 2048 bits needed)", or "" */
    enum tls_verify_problem problem; /* the most fundamental problem, TLS_CERT_OK when none; order:
                                        NO_CERT, SELF_SIGNED, UNKNOWN_ISSUER, INCOMPLETE_CHAIN,
                                        OTHER (chain), EXPIRED, NOT_YET_VALID, WEAK,
                                        NAME_MISMATCH */
    char verify_text[160];       /* OpenSSL's text for the verify error, or "" */

    /* DANE, when TLSA records were given. */
    int dane_enabled;            /* DANE was used: at least one usable record was added */
    int dane_usable;             /* records given that were usable (DANE-TA/-EE, well-formed) */
    int dane_authenticated;      /* the handshake matched a usable TLSA record and the chain up
                                    to the matched certificate passes tls_strength.c's rules */
    int dane_usage, dane_selector, dane_mtype; /* of the matching record, -1 when none */
    int dane_depth;              /* depth of the matching certificate, -1 when none */
    char dane_text[160];         /* why DANE failed, "" on success */

    int secure_renegotiation;
};

/** Facts of the completed handshake; free with tls_info_free(). */
stc_rc tls_conn_info(const struct tls_conn *t, struct tls_info *out, struct stc_err *err);
void tls_info_free(struct tls_info *info);

/** "TLSv1.2" etc. for a TLS_V_* value (or TLS_V_SSL2: "SSLv2"); "unknown" otherwise. */
const char *tls_version_name(int v);
/** The same without dots, for fact keys: "ssl2", "ssl3", "tls10" .. "tls13"; "unknown". */
const char *tls_version_key(int v);
/** RFC 6125 matching of a DNS name against a presented name (wildcard left-most label only). */
int tls_name_match(const char *host, const char *presented);

#endif
