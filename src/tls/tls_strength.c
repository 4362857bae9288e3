/*
 * NAME
 *     tls_strength - keys and signature digests a sender must not accept
 * SYNOPSIS
 *     unsigned w = tls_chain_weakness(chain, anchor_depth, why, sizeof why);
 * DESCRIPTION
 *     Judges the certificates of a verified chain by fixed rules, whatever
 *     OpenSSL security level the handshake ran at (the main session drops
 *     to level 0 so that it can offer TLS 1.0): an RSA, RSA-PSS or DSA key
 *     under TLS_MIN_RSA_BITS (2048) bits, an EC key under TLS_MIN_EC_BITS
 *     (224) bits, or a signature made with MD2, MD4, MD5 or SHA-1. These
 *     are OpenSSL's security level 2 (112-bit) rules, which a modern sender
 *     (Postfix, Exim with OpenSSL 3 defaults) applies when it verifies.
 *
 *     chain[0] is the leaf and chain[anchor_depth] the trust anchor (the
 *     root from the store, or the certificate a DANE-TA record matched;
 *     0 for DANE-EE). Keys are judged from the leaf up to the anchor,
 *     anchor included; signatures only below it (the anchor's own
 *     signature is not relied upon). The first problem met, leaf first,
 *     is described in why ("the leaf certificate has a 1024-bit RSA key
 *     (at least 2048 bits needed)").
 * LIMITS
 *     Keys of other types (Ed25519, Ed448) pass.
 * DIAGNOSTICS
 *     None: returns a set of TLS_WEAK_KEY (with TLS_WEAK_LEAF_KEY when the
 *     leaf's own key is weak) / TLS_WEAK_DIGEST, 0 when sound.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "tls_int.h"

static const char *where(int depth, int anchor_depth)
{
    if (depth == 0)
        return "the leaf certificate";
    return depth == anchor_depth ? "the trust anchor" : "an intermediate certificate";
}

static unsigned weak_key(X509 *x, int depth, int anchor, char *why, size_t whysz)
{
    EVP_PKEY *pk = X509_get0_pubkey(x);
    if (pk == NULL)
        return 0;
    int bits = EVP_PKEY_get_bits(pk);
    const char *type = NULL;
    int min = 0;
    switch (EVP_PKEY_get_base_id(pk)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS: type = "RSA"; min = TLS_MIN_RSA_BITS; break;
    case EVP_PKEY_DSA: type = "DSA"; min = TLS_MIN_RSA_BITS; break;
    case EVP_PKEY_EC: type = "EC"; min = TLS_MIN_EC_BITS; break;
    default: return 0;
    }
    if (bits >= min)
        return 0;
    if (why[0] == '\0')
        snprintf(why, whysz, "%s has a %d-bit %s key (at least %d bits needed)",
                 where(depth, anchor), bits, type, min);
    return depth == 0 ? TLS_WEAK_KEY | TLS_WEAK_LEAF_KEY : TLS_WEAK_KEY;
}

/* The digest of x's signature when it is broken ("MD5", "SHA1"), else NULL. */
static const char *broken_digest(X509 *x)
{
    int md = NID_undef;
    if (X509_get_signature_info(x, &md, NULL, NULL, NULL) == 1) {
        switch (md) {
        case NID_md2: return "MD2";
        case NID_md4: return "MD4";
        case NID_md5:
        case NID_md5_sha1: return "MD5";
        case NID_sha1: return "SHA-1";
        default: return NULL;
        }
    }
    switch (X509_get_signature_nid(x)) { /* algorithms OpenSSL cannot take apart */
    case NID_md2WithRSAEncryption: return "MD2";
    case NID_md5WithRSAEncryption: return "MD5";
    case NID_sha1WithRSAEncryption:
    case NID_ecdsa_with_SHA1:
    case NID_dsaWithSHA1: return "SHA-1";
    default: return NULL;
    }
}

static unsigned weak_digest(X509 *x, int depth, int anchor, char *why, size_t whysz)
{
    const char *md = broken_digest(x);
    if (md == NULL)
        return 0;
    const char *alg = OBJ_nid2ln(X509_get_signature_nid(x));
    if (why[0] == '\0')
        snprintf(why, whysz, "%s is signed with %s (%s), a broken digest", where(depth, anchor),
                 md, alg != NULL ? alg : "unknown algorithm");
    return TLS_WEAK_DIGEST;
}

unsigned tls_chain_weakness(STACK_OF(X509) * chain, int anchor_depth, char *why, size_t whysz)
{
    unsigned w = 0;
    why[0] = '\0';
    int n = chain != NULL ? sk_X509_num(chain) : 0;
    if (anchor_depth < 0 || anchor_depth >= n)
        anchor_depth = n - 1;
    for (int i = 0; i <= anchor_depth && i < n; i++) {
        X509 *x = sk_X509_value(chain, i);
        w |= weak_key(x, i, anchor_depth, why, whysz);
        if (i < anchor_depth)
            w |= weak_digest(x, i, anchor_depth, why, whysz);
    }
    return w;
}
