/*
 * NAME
 *     tls_info - facts of a completed handshake and of the peer certificate
 * SYNOPSIS
 *     stc_rc tls_conn_info(const struct tls_conn *t, struct tls_info *out,
 *                          struct stc_err *err);
 *     void tls_info_free(struct tls_info *info);
 * DESCRIPTION
 *     Fills *out from the SSL: version, cipher, key exchange group, the
 *     leaf certificate (subject, issuer, DNS names, dates, key, signature,
 *     SHA-256 of the SubjectPublicKeyInfo and of the certificate), the
 *     verification result (tls_verify.c) and the DANE outcome. A TLSA
 *     match over a chain with a weak key or digest (tls_strength.c) does
 *     not authenticate: dane_text says why.
 *
 *     Everything taken from the certificate is escaped with text_escape()
 *     before it lands in *out. DNS SANs with an embedded NUL are rejected
 *     and counted in names_skipped (Postfix's rule: such a name is an attack,
 *     not a name). The subject CN is reported only when the certificate has
 *     no DNS SAN at all (RFC 6125 6.4.4).
 *
 *     out->names is malloc'd and owned by the caller: tls_info_free() frees
 *     it (and is safe on a zeroed or already freed struct).
 * LIMITS
 *     STC_CERT_NAMES_MAX names; each escaped name is cut at 1 KiB;
 *     subject/issuer at the size of their fields.
 * DIAGNOSTICS
 *     STC_E_NOMEM; STC_E_INVAL without an established connection. A missing
 *     or odd certificate is not an error: it is described in *out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "../util/limits.h"
#include "../util/text.h"
#include "tls_int.h"

#define NAME_OUT_MAX 1024

static void hex(const unsigned char *p, size_t n, char *out, size_t outsz)
{
    static const char digits[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < n && o + 2 < outsz; i++) {
        out[o++] = digits[p[i] >> 4];
        out[o++] = digits[p[i] & 15];
    }
    out[o] = '\0';
}

static void name_line(const X509_NAME *name, char *out, size_t outsz)
{
    out[0] = '\0';
    BIO *b = BIO_new(BIO_s_mem());
    if (b == NULL)
        return;
    if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
        char *p = NULL;
        long n = BIO_get_mem_data(b, &p);
        if (n > 0 && p != NULL)
            text_escape(p, (size_t)n, out, outsz);
    }
    BIO_free(b);
}

static stc_rc add_name(struct tls_info *out, const unsigned char *p, size_t n, struct stc_err *err)
{
    if (memchr(p, '\0', n) != NULL || n == 0 || out->nnames >= STC_CERT_NAMES_MAX) {
        out->names_skipped++;
        return STC_OK;
    }
    char tmp[NAME_OUT_MAX];
    text_escape(p, n, tmp, sizeof tmp);
    char *s = text_dup(tmp);
    if (s == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    out->names[out->nnames++] = s;
    return STC_OK;
}

static stc_rc cert_names(X509 *x, struct tls_info *out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    int dns_sans = 0;
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    out->names = calloc(STC_CERT_NAMES_MAX, sizeof *out->names);
    STC_ENSURE(out->names != NULL, err, STC_E_NOMEM, "out of memory");
    for (int i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        if (g->type != GEN_DNS)
            continue;
        dns_sans++;
        const ASN1_STRING *s = g->d.dNSName;
        int n = ASN1_STRING_length(s);
        STC_GUARD(add_name(out, ASN1_STRING_get0_data(s), n > 0 ? (size_t)n : 0, err));
    }
    if (dns_sans == 0) {
        const X509_NAME *sub = X509_get_subject_name(x);
        for (int i = -1; (i = X509_NAME_get_index_by_NID(sub, NID_commonName, i)) >= 0;) {
            const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(sub, i));
            unsigned char *u = NULL;
            int n = ASN1_STRING_to_UTF8(&u, s);
            if (n >= 0)
                rc = add_name(out, u, (size_t)n, err);
            OPENSSL_free(u);
            if (rc != STC_OK)
                goto out;
        }
    }
out:
    GENERAL_NAMES_free(gens);
    return rc;
}

static long long asn1_unix(const ASN1_TIME *t)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return (long long)timegm(&tm);
}

static void key_facts(X509 *x, struct tls_info *out)
{
    EVP_PKEY *pk = X509_get0_pubkey(x);
    if (pk == NULL)
        return;
    const char *type;
    int id = EVP_PKEY_get_base_id(pk);
    switch (id) {
    case EVP_PKEY_RSA: type = "RSA"; break;
    case EVP_PKEY_RSA_PSS: type = "RSA-PSS"; break;
    case EVP_PKEY_EC: type = "EC"; break;
    case EVP_PKEY_ED25519: type = "ED25519"; break;
    case EVP_PKEY_ED448: type = "ED448"; break;
    case EVP_PKEY_DSA: type = "DSA"; break;
    default: type = OBJ_nid2sn(id); break;
    }
    snprintf(out->key_type, sizeof out->key_type, "%s", type != NULL ? type : "unknown");
    out->key_bits = EVP_PKEY_get_bits(pk);
}

static void digests(X509 *x, struct tls_info *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1)
        hex(md, mdlen, out->cert_sha256, sizeof out->cert_sha256);
    /* TLSA selector 1: the DER SubjectPublicKeyInfo, not just the key bits. */
    unsigned char *der = NULL;
    int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
    if (n > 0 && EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL) == 1)
        hex(md, mdlen, out->spki_sha256, sizeof out->spki_sha256);
    OPENSSL_free(der);
}

static stc_rc cert_facts(X509 *x, struct tls_info *out, struct stc_err *err)
{
    name_line(X509_get_subject_name(x), out->subject, sizeof out->subject);
    name_line(X509_get_issuer_name(x), out->issuer, sizeof out->issuer);
    out->not_before = asn1_unix(X509_get0_notBefore(x));
    out->not_after = asn1_unix(X509_get0_notAfter(x));
    long long left = out->not_after - (long long)time(NULL);
    long long days = left / 86400;
    if (left < 0 && left % 86400 != 0)
        days--; /* floor, not truncation */
    out->days_to_expiry = (long)days;
    key_facts(x, out);
    const char *sig = OBJ_nid2ln(X509_get_signature_nid(x));
    snprintf(out->sig_alg, sizeof out->sig_alg, "%s", sig != NULL ? sig : "unknown");
    digests(x, out);
    return cert_names(x, out, err);
}

static void group_name(SSL *ssl, struct tls_info *out)
{
    int nid = SSL_get_negotiated_group(ssl);
    const char *g = NULL;
    if (nid > 0)
        g = SSL_group_to_name(ssl, nid);
    if (g != NULL) {
        snprintf(out->group, sizeof out->group, "%s", g);
        return;
    }
    EVP_PKEY *pk = NULL;
    if (SSL_get_peer_tmp_key(ssl, &pk) == 1 && pk != NULL) {
        if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_DH)
            snprintf(out->group, sizeof out->group, "DH-%d", EVP_PKEY_get_bits(pk));
        else if (EVP_PKEY_get_group_name(pk, out->group, sizeof out->group, NULL) != 1)
            snprintf(out->group, sizeof out->group, "%s",
                     OBJ_nid2sn(EVP_PKEY_get_base_id(pk)) ? OBJ_nid2sn(EVP_PKEY_get_base_id(pk))
                                                          : "");
    }
    EVP_PKEY_free(pk);
}

static void dane_facts(const struct tls_conn *t, struct tls_info *out)
{
    out->dane_usage = out->dane_selector = out->dane_mtype = out->dane_depth = -1;
    out->dane_usable = (int)t->dane_usable;
    out->dane_enabled = t->dane_usable > 0;
    if (t->ntlsa == 0)
        return;
    if (!out->dane_enabled) {
        snprintf(out->dane_text, sizeof out->dane_text, "no usable TLSA records");
        return;
    }
    int depth = SSL_get0_dane_authority(t->ssl, NULL, NULL);
    if (depth >= 0) {
        uint8_t u = 0, s = 0, m = 0;
        out->dane_depth = depth;
        if (SSL_get0_dane_tlsa(t->ssl, &u, &s, &m, NULL, NULL) >= 0) {
            out->dane_usage = u;
            out->dane_selector = s;
            out->dane_mtype = m;
        }
        /* The handshake ran at the session's security level (0 when TLS 1.0
         * is offered): hold the chain up to the matched certificate to the
         * same rules as PKIX verification. */
        char why[sizeof out->dane_text];
        if (tls_chain_weakness(SSL_get0_verified_chain(t->ssl), depth, why, sizeof why) != 0) {
            snprintf(out->dane_text, sizeof out->dane_text, "TLSA record matched, but %.130s", why);
            return;
        }
        out->dane_authenticated = 1;
        return;
    }
    long v = SSL_get_verify_result(t->ssl);
    snprintf(out->dane_text, sizeof out->dane_text, "%s",
             v != X509_V_OK ? X509_verify_cert_error_string(v) : "no TLSA record matched");
}

stc_rc tls_conn_info(const struct tls_conn *t, struct tls_info *out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    X509 *leaf = NULL;
    memset(out, 0, sizeof *out);
    STC_ENSURE(t != NULL && t->ssl != NULL && SSL_is_init_finished(t->ssl), err, STC_E_INVAL,
               "no established TLS connection");
    ERR_clear_error();
    SSL *ssl = t->ssl;
    out->version = SSL_version(ssl);
    snprintf(out->version_name, sizeof out->version_name, "%s", tls_version_name(out->version));
    const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
    if (c != NULL) {
        const char *cn = SSL_CIPHER_standard_name(c);
        if (cn == NULL)
            cn = SSL_CIPHER_get_name(c);
        snprintf(out->cipher, sizeof out->cipher, "%s", cn != NULL ? cn : "");
        out->cipher_bits = SSL_CIPHER_get_bits(c, NULL);
    }
    group_name(ssl, out);
    leaf = SSL_get1_peer_certificate(ssl);
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    out->chain_len = chain != NULL ? sk_X509_num(chain) : 0;
    if (leaf != NULL) {
        out->have_cert = 1;
        STC_GUARD(cert_facts(leaf, out, err));
    }
    STC_GUARD(tls_verify_peer(t, leaf, chain, out, err));
    dane_facts(t, out);
    out->secure_renegotiation = SSL_get_secure_renegotiation_support(ssl) ? 1 : 0;
out:
    X509_free(leaf);
    ERR_clear_error();
    if (rc != STC_OK)
        tls_info_free(out);
    return rc;
}

void tls_info_free(struct tls_info *info)
{
    if (info == NULL)
        return;
    for (size_t i = 0; info->names != NULL && i < info->nnames; i++)
        free(info->names[i]);
    free(info->names);
    info->names = NULL;
    info->nnames = 0;
}
