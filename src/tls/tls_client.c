/*
 * NAME
 *     tls_client - the shared TLS client context: trust store, SSL_CTXs
 * SYNOPSIS
 *     stc_rc tls_client_new(const struct tls_client_config *cfg,
 *                           struct tls_client **out, struct stc_err *err);
 *     void tls_client_free(struct tls_client *c);
 *     int tls_client_has_legacy(const struct tls_client *c);
 * DESCRIPTION
 *     One struct tls_client is made per checker and shared read-only by all
 *     threads: after setup an SSL_CTX is only used for SSL_new(), which is
 *     thread-safe. Versions, ciphers and security level differ per
 *     handshake and are set on the SSL object, never on the shared context.
 *
 *     ctx lives in OpenSSL's default library context and holds the trust
 *     store (cfg->ca_file / cfg->ca_path, or the system default paths) with
 *     DANE enabled. For TLS_CIPHERS_BROKEN probes a second SSL_CTX is made
 *     in a private OSSL_LIB_CTX with the "default" and "legacy" providers
 *     loaded, so legacy algorithms never leak into the default context other
 *     code uses. If the legacy provider is missing the private context still
 *     works with "default" only (NULL-cipher suites need nothing legacy);
 *     tls_client_has_legacy() reports it. If even that fails, broken probes
 *     use ctx. Both contexts share the one trust store.
 *
 *     The caller owns *out and frees it with tls_client_free() after every
 *     struct tls_conn made from it is freed.
 * LIMITS
 *     No session cache: every handshake is a full one, so probes do not
 *     influence each other.
 * DIAGNOSTICS
 *     STC_E_TLS when a context cannot be made or the CA file/path cannot be
 *     loaded (with OpenSSL's reason), STC_E_NOMEM.
 */
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>

#include "tls_int.h"

static const char *last_reason(void)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;
    return r != NULL ? r : "unknown error";
}

static stc_rc ctx_setup(SSL_CTX *ctx, struct stc_err *err)
{
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET);
    if (SSL_CTX_dane_enable(ctx) <= 0)
        return err_set(err, STC_E_TLS, "cannot enable DANE: %s", last_reason());
    return STC_OK;
}

/* The private library context for broken-cipher probes; leaves c->broken_ctx
 * NULL when it cannot be made (not an error: probes fall back to c->ctx). */
static void make_broken_ctx(struct tls_client *c)
{
    c->libctx = OSSL_LIB_CTX_new();
    if (c->libctx == NULL)
        goto fail;
    c->prov_default = OSSL_PROVIDER_load(c->libctx, "default");
    if (c->prov_default == NULL)
        goto fail;
    c->prov_legacy = OSSL_PROVIDER_load(c->libctx, "legacy"); /* may be NULL */
    ERR_clear_error();
    c->broken_ctx = SSL_CTX_new_ex(c->libctx, NULL, TLS_client_method());
    if (c->broken_ctx == NULL || ctx_setup(c->broken_ctx, NULL) != STC_OK)
        goto fail;
    SSL_CTX_set1_cert_store(c->broken_ctx, c->store);
    return;
fail:
    SSL_CTX_free(c->broken_ctx);
    c->broken_ctx = NULL;
    if (c->prov_legacy != NULL)
        OSSL_PROVIDER_unload(c->prov_legacy);
    if (c->prov_default != NULL)
        OSSL_PROVIDER_unload(c->prov_default);
    c->prov_legacy = c->prov_default = NULL;
    OSSL_LIB_CTX_free(c->libctx);
    c->libctx = NULL;
    ERR_clear_error();
}

stc_rc tls_client_new(const struct tls_client_config *cfg, struct tls_client **out,
                      struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct tls_client *c = calloc(1, sizeof *c);
    STC_ENSURE(c != NULL, err, STC_E_NOMEM, "out of memory");
    ERR_clear_error();
    c->ctx = SSL_CTX_new(TLS_client_method());
    STC_ENSURE(c->ctx != NULL, err, STC_E_TLS, "cannot create TLS context: %s", last_reason());
    STC_GUARD(ctx_setup(c->ctx, err));
    const char *file = cfg != NULL ? cfg->ca_file : NULL;
    const char *path = cfg != NULL ? cfg->ca_path : NULL;
    if (file != NULL || path != NULL) {
        STC_ENSURE(SSL_CTX_load_verify_locations(c->ctx, file, path) == 1, err, STC_E_TLS,
                   "cannot load CA %s %.180s: %s", file != NULL ? "file" : "path",
                   file != NULL ? file : path, last_reason());
    } else {
        STC_ENSURE(SSL_CTX_set_default_verify_paths(c->ctx) == 1, err, STC_E_TLS,
                   "cannot load the system CA store: %s", last_reason());
    }
    c->store = SSL_CTX_get_cert_store(c->ctx);
    c->bio_method = tls_bio_method_new();
    STC_ENSURE(c->bio_method != NULL, err, STC_E_NOMEM, "cannot create BIO method");
    make_broken_ctx(c);
    *out = c;
    c = NULL;
out:
    ERR_clear_error();
    tls_client_free(c);
    return rc;
}

void tls_client_free(struct tls_client *c)
{
    if (c == NULL)
        return;
    SSL_CTX_free(c->broken_ctx);
    if (c->prov_legacy != NULL)
        OSSL_PROVIDER_unload(c->prov_legacy);
    if (c->prov_default != NULL)
        OSSL_PROVIDER_unload(c->prov_default);
    OSSL_LIB_CTX_free(c->libctx);
    SSL_CTX_free(c->ctx);
    BIO_meth_free(c->bio_method);
    free(c);
}

int tls_client_has_legacy(const struct tls_client *c)
{
    return c != NULL && c->prov_legacy != NULL && c->broken_ctx != NULL;
}
