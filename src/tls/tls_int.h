/* tls_int.h - the inside of struct tls_client and struct tls_conn, shared by
 * the files of src/tls/ only. */
#ifndef STC_TLS_TLS_INT_H
#define STC_TLS_TLS_INT_H

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include "../util/err.h"
#include "tls.h"

struct tls_client {
    SSL_CTX *ctx;         /* default library context: normal handshakes */
    X509_STORE *store;    /* ctx's trust store (not a separate reference) */
    OSSL_LIB_CTX *libctx; /* private: default + legacy providers; NULL if unavailable */
    OSSL_PROVIDER *prov_default;
    OSSL_PROVIDER *prov_legacy; /* NULL when the legacy provider could not be loaded */
    SSL_CTX *broken_ctx;        /* SSL_CTX in libctx for TLS_CIPHERS_BROKEN; NULL: use ctx */
    BIO_METHOD *bio_method;     /* socket BIO that sends with MSG_NOSIGNAL */
};

struct tls_conn {
    const struct tls_client *client;
    SSL *ssl;
    int fd;
    int usable;         /* handshake done and no fatal error since: close_notify allowed */
    char *verify_name;  /* copy of opts->verify_name, or NULL */
    size_t ntlsa;       /* TLSA records given */
    size_t dane_usable; /* of those, added to the SSL (DANE-TA/DANE-EE, well-formed) */
    struct io io;
};

/* tls_bio.c: a BIO over a non-blocking socket fd, no SIGPIPE. */
BIO_METHOD *tls_bio_method_new(void);
BIO *tls_bio_new(BIO_METHOD *m, int fd);
/* The errno of the BIO's last failed recv/send (0 when none). */
int tls_bio_errno(BIO *b);

/* tls_error.c: turn the OpenSSL error state after a failed SSL_* call (ret,
 * SSL_get_error() value) into an stc_rc + message; drains the error queue.
 * `stage` names the operation ("TLS handshake", "TLS read", ...); handshake
 * selects "connection closed during TLS handshake" over "connection closed
 * by peer". */
stc_rc tls_error_map(SSL *ssl, int sslerr, const char *stage, int handshake, struct stc_err *err);

/* tls_bio.c: poll for what SSL_get_error asked (WANT_READ/WANT_WRITE) until d.
 * STC_OK to retry, STC_E_TIMEOUT "<stage> timed out", STC_E_IO. */
stc_rc tls_wait(int fd, int sslerr, struct deadline d, const char *stage, struct stc_err *err);

/* tls_verify.c: PKIX verification of the peer chain, independent of the
 * handshake's own verification; fills chain_trusted, name_matches, problem
 * and verify_text of info (have_cert already set). */
stc_rc tls_verify_peer(const struct tls_conn *t, X509 *leaf, STACK_OF(X509) * chain,
                       struct tls_info *info, struct stc_err *err);

/* tls_strength.c: keys and digests below the minimum (TLS_WEAK_* bits, 0
 * when sound) in chain[0..anchor_depth]; why gets the first problem. */
#define TLS_MIN_RSA_BITS 2048 /* RSA, RSA-PSS and DSA */
#define TLS_MIN_EC_BITS 224
unsigned tls_chain_weakness(STACK_OF(X509) * chain, int anchor_depth, char *why, size_t whysz);

#endif
