/*
 * NAME
 *     tls_verify - PKIX verdict on the peer certificate, one fact at a time
 * SYNOPSIS
 *     stc_rc tls_verify_peer(const struct tls_conn *t, X509 *leaf,
 *                            STACK_OF(X509) *chain, struct tls_info *info,
 *                            struct stc_err *err);
 * DESCRIPTION
 *     OpenSSL's handshake verification stops at the first error, and with
 *     DANE enabled it reports the DANE outcome instead. So the chain the
 *     server sent is verified again here against the client's trust store
 *     (purpose "ssl_server", no host name, X509_STORE_CTX), in two passes:
 *       1. without time checks: chain_trusted, and the trust problem;
 *       2. with time checks, only when pass 1 succeeded: expired / not yet
 *          valid (for any certificate of the chain).
 *     The chain pass 1 built is then judged by tls_chain_weakness() (keys
 *     and digests, whatever security level the handshake ran at): weak
 *     and weak_text. name_matches comes from X509_check_host() with
 *     X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS (DNS SANs, else the CN);
 *     name_in_san from the same call with X509_CHECK_FLAG_NEVER_CHECK_SUBJECT.
 *
 *     info->problem is the most fundamental problem:
 *       NO_CERT > SELF_SIGNED > UNKNOWN_ISSUER > INCOMPLETE_CHAIN >
 *       OTHER (other chain errors) > EXPIRED > NOT_YET_VALID > WEAK >
 *       NAME_MISMATCH
 *     so an expired self-signed certificate with a wrong name is
 *     SELF_SIGNED, while chain_trusted = 0, days_to_expiry < 0 and
 *     name_matches = 0 still say everything.
 *
 *     Missing intermediate versus unknown root: without fetching AIA URLs
 *     the two cannot always be told apart. When the leaf's issuer is
 *     neither among the served certificates nor in the store (the chain
 *     that could be built stops at the leaf) it is INCOMPLETE_CHAIN; when
 *     the chain stops at a served certificate above the leaf, or ends in a
 *     served self-signed root, it is UNKNOWN_ISSUER. A leaf issued directly
 *     by an unknown private root, served alone, is therefore reported as
 *     INCOMPLETE_CHAIN.
 * LIMITS
 *     No revocation checks (no CRL/OCSP fetching), no AIA chasing.
 * DIAGNOSTICS
 *     STC_E_NOMEM when a verification context cannot be made. Verification
 *     failures are findings in *info, not errors.
 */
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls_int.h"

/* Verify leaf with the served chain as untrusted helpers. *depth gets the
 * error depth; built (may be NULL) the chain built, when verification
 * succeeded (the caller frees it). STC_OK with *code set, STC_E_NOMEM. */
static stc_rc verify(X509_STORE *store, X509 *leaf, STACK_OF(X509) * chain, int check_time,
                     int *code, int *depth, STACK_OF(X509) * *built, struct stc_err *err)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (ctx == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    stc_rc rc = STC_OK;
    if (X509_STORE_CTX_init(ctx, store, leaf, chain) != 1 ||
        X509_STORE_CTX_set_default(ctx, "ssl_server") != 1) {
        rc = err_set(err, STC_E_NOMEM, "cannot set up certificate verification");
        goto out;
    }
    if (!check_time)
        X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx), X509_V_FLAG_NO_CHECK_TIME);
    int ok = X509_verify_cert(ctx);
    *code = X509_STORE_CTX_get_error(ctx);
    *depth = X509_STORE_CTX_get_error_depth(ctx);
    if (ok != 1 && *code == X509_V_OK)
        *code = X509_V_ERR_UNSPECIFIED;
    if (ok == 1 && built != NULL)
        *built = X509_STORE_CTX_get1_chain(ctx);
out:
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
    return rc;
}

static enum tls_verify_problem trust_problem(int code, int depth)
{
    switch (code) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: return TLS_CERT_SELF_SIGNED;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: return TLS_CERT_UNKNOWN_ISSUER;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return depth <= 0 ? TLS_CERT_INCOMPLETE_CHAIN : TLS_CERT_UNKNOWN_ISSUER;
    default: return TLS_CERT_OTHER;
    }
}

static void set_problem(struct tls_info *info, enum tls_verify_problem p, const char *text)
{
    info->problem = p;
    snprintf(info->verify_text, sizeof info->verify_text, "%s", text != NULL ? text : "");
}

stc_rc tls_verify_peer(const struct tls_conn *t, X509 *leaf, STACK_OF(X509) * chain,
                       struct tls_info *info, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    info->chain_trusted = 0;
    info->name_matches = 0;
    if (leaf == NULL) {
        set_problem(info, TLS_CERT_NO_CERT, "no certificate");
        return STC_OK;
    }
    const unsigned flags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
    info->name_matches = t->verify_name == NULL ||
                         X509_check_host(leaf, t->verify_name, 0, flags, NULL) == 1;
    info->name_in_san = t->verify_name == NULL ||
                        X509_check_host(leaf, t->verify_name, 0,
                                        flags | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL) == 1;
    ERR_clear_error();
    int code = X509_V_OK, depth = -1;
    STACK_OF(X509) *built = NULL;
    STC_GUARD(verify(t->client->store, leaf, chain, 0, &code, &depth, &built, err));
    if (code != X509_V_OK) {
        set_problem(info, trust_problem(code, depth), X509_verify_cert_error_string(code));
        goto out;
    }
    info->chain_trusted = 1;
    info->weak = tls_chain_weakness(built, -1, info->weak_text, sizeof info->weak_text);
    sk_X509_pop_free(built, X509_free);
    STC_GUARD(verify(t->client->store, leaf, chain, 1, &code, &depth, NULL, err));
    if (code == X509_V_ERR_CERT_HAS_EXPIRED)
        set_problem(info, TLS_CERT_EXPIRED, X509_verify_cert_error_string(code));
    else if (code == X509_V_ERR_CERT_NOT_YET_VALID)
        set_problem(info, TLS_CERT_NOT_YET_VALID, X509_verify_cert_error_string(code));
    else if (code != X509_V_OK)
        set_problem(info, TLS_CERT_OTHER, X509_verify_cert_error_string(code));
    else if (info->weak)
        set_problem(info, TLS_CERT_WEAK, info->weak_text);
    else if (!info->name_matches)
        set_problem(info, TLS_CERT_NAME_MISMATCH,
                    X509_verify_cert_error_string(X509_V_ERR_HOSTNAME_MISMATCH));
    else
        set_problem(info, TLS_CERT_OK, "");
out:
    return rc;
}
