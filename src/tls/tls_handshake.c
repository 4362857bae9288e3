/*
 * NAME
 *     tls_handshake - a TLS client handshake on a connected socket
 * SYNOPSIS
 *     stc_rc tls_handshake(const struct tls_client *c, int fd,
 *                          const struct tls_handshake_opts *opts,
 *                          struct deadline d, struct tls_conn **out,
 *                          struct stc_err *err);
 *     void tls_conn_free(struct tls_conn *t, struct deadline d);
 *     stc_rc tls_handshake_suites(c, opts, ids, max, &n, err);
 * DESCRIPTION
 *     Makes an SSL from the shared context and sets everything that differs
 *     between probes on it: SNI, version bounds, cipher set, security level,
 *     the name to verify and DANE TLSA records. Verification is evaluated,
 *     never enforced (SSL_VERIFY_NONE), so the handshake completes with a
 *     bad certificate and tls_conn_info() reports it.
 *
 *     Versions: min_version 0 means TLS 1.2. When min_version asks for
 *     TLS 1.1 or older the security level drops to 0, as OpenSSL 3 cannot
 *     sign with SHA-1/MD5 (needed below TLS 1.2) at level 1 and up.
 *     Cipher sets: DEFAULT is OpenSSL's default list (and TLS 1.3 suites);
 *     BROKEN offers only NULL/EXPORT/RC4/single-DES suites (those this
 *     OpenSSL has: RC4 and DES are usually compiled out, NULL is not) at
 *     level 0, at most TLS 1.2, from the private legacy context; ANON offers
 *     only anonymous suites at level 0, at most TLS 1.2.
 *
 *     DANE (RFC 7672): records with usage DANE-TA(2) and DANE-EE(3) are
 *     added; PKIX-TA(0)/PKIX-EE(1), unknown usages and malformed records
 *     are skipped (tls_info.dane_usable tells the caller how many were
 *     kept). The TLSA base name is opts->sni, else opts->verify_name; the
 *     other name, when different, is accepted too. DANE-EE skips name checks
 *     (DANE_FLAG_NO_DANE_EE_NAMECHECKS) and OpenSSL skips its dates.
 *
 *     tls_handshake_suites lists the suites (IANA ids, OpenSSL's order) the
 *     ClientHello of tls_handshake would offer with opts, without any
 *     connection: a raw probe (tls_hello.c) can offer exactly them.
 *
 *     The struct tls_conn owns the SSL and a copy of verify_name, not the
 *     fd. tls_conn_free() sends one close_notify without waiting for the
 *     peer's, within at most 200 ms of d.
 * LIMITS
 *     Names longer than 253 bytes and blocking fds are refused (STC_E_INVAL). OpenSSL caps
 *     the certificate list (100 KiB) and handshake messages; every wait is a
 *     poll bounded by d.
 * DIAGNOSTICS
 *     STC_E_TLS when the handshake fails ("peer sent alert handshake
 *     failure", "wrong version number", "no protocols available",
 *     "unsupported protocol", "no ciphers available", ...); STC_E_PEER
 *     "connection closed during TLS handshake" / "connection reset during
 *     TLS handshake"; STC_E_TIMEOUT "TLS handshake timed out"; STC_E_INVAL
 *     for bad options; STC_E_NOMEM.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "../util/limits.h"
#include "../util/text.h"
#include "tls_int.h"

#define BROKEN_CIPHERS "NULL:eNULL:EXPORT:RC4:DES:!3DES:!PSK:@SECLEVEL=0"
#define ANON_CIPHERS "aNULL:!PSK:!SRP:@SECLEVEL=0"
#define OLD_DEFAULT_CIPHERS "DEFAULT:@SECLEVEL=0"
#define STAGE "TLS handshake"
#define USAGE_DANE_TA 2 /* RFC 7218 mnemonics */
#define USAGE_DANE_EE 3

static int name_ok(const char *s)
{
    return s == NULL || (s[0] != '\0' && strnlen(s, STC_DOMAIN_MAX + 1) <= STC_DOMAIN_MAX);
}

/* DANE-TA(2) or DANE-EE(3); PKIX-TA(0)/PKIX-EE(1) are unusable for SMTP
 * (RFC 7672 3.1.3). Data pointer present when there is data. */
static int tlsa_candidate(const struct tls_tlsa *r)
{
    return (r->usage == USAGE_DANE_TA || r->usage == USAGE_DANE_EE) &&
           (r->data != NULL || r->len == 0);
}

static int version_ok(int v)
{
    return v == 0 || (v >= TLS_V_SSL3 && v <= TLS_V_1_3);
}

static stc_rc set_versions(SSL *ssl, const struct tls_handshake_opts *o, struct stc_err *err)
{
    int min = o->min_version != 0 ? o->min_version : TLS_V_1_2;
    int max = o->max_version;
    if (o->ciphers != TLS_CIPHERS_DEFAULT) {
        if (o->min_version == 0)
            min = TLS_V_1_0;
        if (max == 0 || max > TLS_V_1_2)
            max = TLS_V_1_2;
    }
    if (max != 0 && max < min)
        return err_set(err, STC_E_INVAL, "TLS version range empty (min %s, max %s)",
                       tls_version_name(min), tls_version_name(max));
    if (SSL_set_min_proto_version(ssl, min) != 1 || SSL_set_max_proto_version(ssl, max) != 1)
        return err_set(err, STC_E_TLS, "TLS version %s..%s not supported by this OpenSSL",
                       tls_version_name(min), max != 0 ? tls_version_name(max) : "highest");
    return STC_OK;
}

static stc_rc set_ciphers(SSL *ssl, const struct tls_handshake_opts *o, struct stc_err *err)
{
    const char *list = NULL;
    switch (o->ciphers) {
    case TLS_CIPHERS_DEFAULT:
        if (o->min_version != 0 && o->min_version < TLS_V_1_2)
            list = OLD_DEFAULT_CIPHERS;
        break;
    case TLS_CIPHERS_BROKEN: list = BROKEN_CIPHERS; break;
    case TLS_CIPHERS_ANON: list = ANON_CIPHERS; break;
    default: return err_set(err, STC_E_INVAL, "unknown cipher set %d", (int)o->ciphers);
    }
    if (list == NULL)
        return STC_OK;
    if (SSL_set_cipher_list(ssl, list) != 1)
        return err_set(err, STC_E_TLS, "no cipher matches \"%s\" in this OpenSSL", list);
    if (o->ciphers != TLS_CIPHERS_DEFAULT && SSL_set_ciphersuites(ssl, "") != 1)
        return err_set(err, STC_E_TLS, "cannot disable TLS 1.3 suites");
    return STC_OK;
}

/* PKIX names and DANE records. */
static stc_rc set_auth(struct tls_conn *t, const struct tls_handshake_opts *o, struct stc_err *err)
{
    SSL *ssl = t->ssl;
    const char *base = o->sni != NULL ? o->sni : o->verify_name;
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    t->ntlsa = o->ntlsa;
    size_t candidates = 0;
    for (size_t i = 0; i < o->ntlsa; i++)
        candidates += tlsa_candidate(&o->tlsa[i]) ? 1 : 0;
    if (candidates > 0) {
        if (SSL_dane_enable(ssl, base) <= 0)
            return err_set(err, STC_E_TLS, "cannot enable DANE for %.100s", base);
        SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
        for (size_t i = 0; i < o->ntlsa; i++) {
            const struct tls_tlsa *r = &o->tlsa[i];
            if (!tlsa_candidate(r))
                continue;
            /* > 0 added, 0 unsupported (e.g. unknown matching type), < 0 malformed. */
            if (SSL_dane_tlsa_add(ssl, r->usage, r->selector, r->mtype, r->data, r->len) > 0)
                t->dane_usable++;
            ERR_clear_error();
        }
        if (o->verify_name != NULL && strcmp(o->verify_name, base) != 0 &&
            SSL_add1_host(ssl, o->verify_name) != 1)
            return err_set(err, STC_E_TLS, "cannot set the name to verify");
    } else if (o->verify_name != NULL && SSL_set1_host(ssl, o->verify_name) != 1) {
        return err_set(err, STC_E_TLS, "cannot set the name to verify");
    }
    /* SSL_dane_enable with no record added leaves plain PKIX: fine. */
    return STC_OK;
}

static stc_rc conn_new(const struct tls_client *c, int fd, const struct tls_handshake_opts *o,
                       struct tls_conn **out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct tls_conn *t = calloc(1, sizeof *t);
    STC_ENSURE(t != NULL, err, STC_E_NOMEM, "out of memory");
    t->client = c;
    t->fd = fd;
    if (o->verify_name != NULL) {
        t->verify_name = text_dup(o->verify_name);
        STC_ENSURE(t->verify_name != NULL, err, STC_E_NOMEM, "out of memory");
    }
    SSL_CTX *ctx = c->ctx;
    if (o->ciphers == TLS_CIPHERS_BROKEN && c->broken_ctx != NULL)
        ctx = c->broken_ctx;
    t->ssl = SSL_new(ctx);
    STC_ENSURE(t->ssl != NULL, err, STC_E_NOMEM, "cannot create TLS connection");
    BIO *b = tls_bio_new(c->bio_method, fd);
    STC_ENSURE(b != NULL, err, STC_E_NOMEM, "out of memory");
    SSL_set_bio(t->ssl, b, b);
    SSL_set_connect_state(t->ssl);
    if (o->ciphers != TLS_CIPHERS_DEFAULT || (o->min_version != 0 && o->min_version < TLS_V_1_2))
        SSL_set_security_level(t->ssl, 0);
    STC_GUARD(set_versions(t->ssl, o, err));
    STC_GUARD(set_ciphers(t->ssl, o, err));
    if (o->sni != NULL)
        STC_ENSURE(SSL_set_tlsext_host_name(t->ssl, o->sni) == 1, err, STC_E_INVAL,
                   "cannot send server name %.100s", o->sni);
    STC_GUARD(set_auth(t, o, err));
    *out = t;
    t = NULL;
out:
    tls_conn_free(t, deadline_in(0));
    return rc;
}

stc_rc tls_handshake_suites(const struct tls_client *c, const struct tls_handshake_opts *opts,
                            uint32_t *ids, size_t max, size_t *n, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct tls_conn *t = NULL;
    STACK_OF(SSL_CIPHER) *sk = NULL;
    *n = 0;
    STC_ENSURE(version_ok(opts->min_version) && version_ok(opts->max_version), err, STC_E_INVAL,
               "unknown TLS version");
    STC_GUARD(conn_new(c, -1, opts, &t, err));
    sk = SSL_get1_supported_ciphers(t->ssl);
    STC_ENSURE(sk != NULL, err, STC_E_TLS, "no cipher suite for these TLS versions");
    for (int i = 0; i < sk_SSL_CIPHER_num(sk) && *n < max; i++)
        ids[(*n)++] = SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(sk, i));
    STC_ENSURE(*n > 0, err, STC_E_TLS, "no cipher suite for these TLS versions");
out:
    sk_SSL_CIPHER_free(sk);
    tls_conn_free(t, deadline_in(0));
    ERR_clear_error();
    return rc;
}

stc_rc tls_handshake(const struct tls_client *c, int fd, const struct tls_handshake_opts *opts,
                     struct deadline d, struct tls_conn **out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct tls_conn *t = NULL;
    ERR_clear_error();
    STC_ENSURE(c != NULL && opts != NULL && out != NULL && fd >= 0, err, STC_E_INVAL,
               "tls_handshake: bad arguments");
    int fl = fcntl(fd, F_GETFL);
    STC_ENSURE(fl != -1 && (fl & O_NONBLOCK) != 0, err, STC_E_INVAL,
               "tls_handshake: fd is not a non-blocking socket");
    STC_ENSURE(name_ok(opts->sni) && name_ok(opts->verify_name), err, STC_E_INVAL,
               "TLS server name empty or longer than %d bytes", STC_DOMAIN_MAX);
    STC_ENSURE(version_ok(opts->min_version) && version_ok(opts->max_version), err, STC_E_INVAL,
               "unknown TLS version");
    STC_ENSURE(opts->ntlsa == 0 || opts->tlsa != NULL, err, STC_E_INVAL, "TLSA records missing");
    STC_ENSURE(opts->ntlsa == 0 || opts->sni != NULL || opts->verify_name != NULL, err, STC_E_INVAL,
               "DANE needs a TLSA base name (sni or verify_name)");
    STC_GUARD(conn_new(c, fd, opts, &t, err));
    for (;;) {
        int r = SSL_connect(t->ssl);
        if (r == 1)
            break;
        int e = SSL_get_error(t->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            STC_GUARD(tls_wait(fd, e, d, STAGE, err));
            continue;
        }
        rc = tls_error_map(t->ssl, e, STAGE, 1, err);
        goto out;
    }
    t->usable = 1;
    *out = t;
    t = NULL;
out:
    tls_conn_free(t, deadline_in(0));
    ERR_clear_error();
    return rc;
}

void tls_conn_free(struct tls_conn *t, struct deadline d)
{
    if (t == NULL)
        return;
    if (t->ssl != NULL && t->usable) {
        /* One close_notify; we do not wait for the peer's. */
        struct deadline sd = deadline_sub(d, 200);
        for (int tries = 0; tries < 2; tries++) {
            int r = SSL_shutdown(t->ssl);
            if (r >= 0)
                break;
            int e = SSL_get_error(t->ssl, r);
            if (e != SSL_ERROR_WANT_WRITE || tls_wait(t->fd, e, sd, "TLS shutdown", NULL) != STC_OK)
                break;
        }
    }
    ERR_clear_error();
    SSL_free(t->ssl);
    free(t->verify_name);
    free(t);
}
