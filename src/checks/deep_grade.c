/*
 * NAME
 *     deep_grade - NCSC-NL security levels for versions, suites, groups, keys
 * SYNOPSIS
 *     enum deep_grade g = deep_grade_suite(tls_suite_find(0xc02f));
 *     stc_status st = deep_grade_status(g);
 * DESCRIPTION
 *     The levels good / sufficient / phase-out / insufficient of the Dutch
 *     NCSC's "IT Security Guidelines for Transport Layer Security (TLS)",
 *     v2.1 (January 2021), as the internet.nl mail test applies them
 *     (internetstandards/Internet.nl, checks/tasks/tls_constants.py, the
 *     v2.1 lists). Anything the guideline does not list is insufficient.
 *
 *     Versions (guideline B1-1): TLS 1.3 good; TLS 1.2 sufficient (v2.1
 *       moved it down from good); TLS 1.1 and 1.0 phase-out; SSL 3.0 and
 *       2.0 insufficient.
 *     Suites (guidelines B2-1..B2-4 and appendix B):
 *       TLS 1.3: AES_256_GCM, CHACHA20_POLY1305, AES_128_GCM good;
 *         AES_128_CCM sufficient; AES_128_CCM_8 insufficient.
 *       ECDHE + ECDSA/RSA + AES-GCM or CHACHA20-POLY1305: good.
 *       ECDHE + AES-CBC (SHA-384/256/1) or AES-CCM: sufficient.
 *       DHE-RSA + AES-GCM, CHACHA20-POLY1305, AES-CCM or AES-CBC: sufficient
 *         (ffdhe group sizes decide the rest, see groups).
 *       3DES with ECDHE/DHE, and RSA key transport with AES or 3DES:
 *         phase-out.
 *       Everything else is insufficient: NULL, EXPORT, RC4, RC2, single
 *         DES, IDEA, SEED, anonymous suites, static (EC)DH, DSS
 *         authentication, MD5, CCM_8. CAMELLIA and ARIA with (EC)DHE are
 *         phase-out here, as internet.nl grades them since the 2025
 *         guideline; with RSA key transport they stay insufficient.
 *     Groups (B5-1, B6-1, table 10): secp384r1, secp256r1, x448, x25519
 *       good (secp521r1 too, as internet.nl has it); ffdhe4096 and
 *       ffdhe3072 (and the larger RFC 7919 groups) sufficient; ffdhe2048
 *       phase-out; anything else insufficient. A finite-field group seen
 *       only in a ServerKeyExchange is graded by its prime's size the same
 *       way (>= 3072 sufficient, >= 2048 phase-out).
 *     Certificate key (B3-1..B3-3): RSA >= 3072 bits good, 2048..3071
 *       sufficient, smaller insufficient; EC keys of 256 bits and more and
 *       Ed25519/Ed448 good, 224 bits phase-out, smaller insufficient; DSA
 *       insufficient. Signature hash: SHA-2 good, SHA-224 phase-out, SHA-1
 *       and MD5 insufficient.
 *
 *     Status mapping (the brief of the deep check): good and sufficient are
 *     success, phase-out is a warning, insufficient is a failure.
 * LIMITS
 *     A finite-field prime is graded by size, not compared with the RFC
 *     7919 primes; an EC certificate key by its size, not its curve.
 * DIAGNOSTICS
 *     None.
 */
#include "deep_grade.h"
#include "../util/text.h"

#include <stddef.h>
#include <string.h>

const char *deep_grade_name(enum deep_grade g)
{
    switch (g) {
    case DEEP_GOOD: return "good";
    case DEEP_SUFFICIENT: return "sufficient";
    case DEEP_PHASE_OUT: return "phase-out";
    case DEEP_INSUFFICIENT: return "insufficient";
    default: return "unknown";
    }
}

stc_status deep_grade_status(enum deep_grade g)
{
    switch (g) {
    case DEEP_GOOD:
    case DEEP_SUFFICIENT: return STC_STATUS_SUCCESS;
    case DEEP_PHASE_OUT: return STC_STATUS_WARNING;
    case DEEP_INSUFFICIENT: return STC_STATUS_FAILURE;
    default: return STC_STATUS_ERROR;
    }
}

enum deep_grade deep_grade_version(int version)
{
    switch (version) {
    case TLS_V_1_3: return DEEP_GOOD;
    case TLS_V_1_2: return DEEP_SUFFICIENT;
    case TLS_V_1_1:
    case TLS_V_1_0: return DEEP_PHASE_OUT;
    default: return DEEP_INSUFFICIENT; /* SSL 3.0, SSL 2.0, anything unknown */
    }
}

static int aead_good_cipher(uint8_t enc)
{
    return enc == TLS_ENC_AES_GCM || enc == TLS_ENC_CHACHA20;
}

static enum deep_grade grade_tls13(const struct tls_suite *s)
{
    if (aead_good_cipher(s->enc))
        return DEEP_GOOD;
    return s->enc == TLS_ENC_AES_CCM ? DEEP_SUFFICIENT : DEEP_INSUFFICIENT;
}

/* (EC)DHE with RSA/ECDSA authentication, by bulk cipher. */
static enum deep_grade grade_ephemeral(const struct tls_suite *s)
{
    int ecdhe = s->kex == TLS_KEX_ECDHE;
    switch (s->enc) {
    case TLS_ENC_AES_GCM:
    case TLS_ENC_CHACHA20: return ecdhe ? DEEP_GOOD : DEEP_SUFFICIENT;
    case TLS_ENC_AES_CCM:
    case TLS_ENC_AES_CBC: return DEEP_SUFFICIENT;
    case TLS_ENC_3DES:
    case TLS_ENC_CAMELLIA_CBC:
    case TLS_ENC_CAMELLIA_GCM:
    case TLS_ENC_ARIA_CBC:
    case TLS_ENC_ARIA_GCM: return DEEP_PHASE_OUT;
    default: return DEEP_INSUFFICIENT;
    }
}

enum deep_grade deep_grade_suite(const struct tls_suite *s)
{
    if (s == NULL)
        return DEEP_INSUFFICIENT;
    if (s->flags & TLS_SUITE_TLS13)
        return grade_tls13(s);
    if ((s->flags & (TLS_SUITE_EXPORT | TLS_SUITE_SSL2)) || s->mac == TLS_MAC_MD5 ||
        s->auth == TLS_AUTH_ANON || s->auth == TLS_AUTH_DSS)
        return DEEP_INSUFFICIENT;
    switch (s->kex) {
    case TLS_KEX_ECDHE:
    case TLS_KEX_DHE: return grade_ephemeral(s);
    case TLS_KEX_RSA:
        return s->enc == TLS_ENC_AES_GCM || s->enc == TLS_ENC_AES_CBC || s->enc == TLS_ENC_3DES
                   ? DEEP_PHASE_OUT
                   : DEEP_INSUFFICIENT;
    default: return DEEP_INSUFFICIENT; /* static (EC)DH */
    }
}

enum deep_grade deep_grade_group(uint16_t group)
{
    switch (group) {
    case TLS_GROUP_X25519:
    case TLS_GROUP_X448:
    case TLS_GROUP_SECP256R1:
    case TLS_GROUP_SECP384R1:
    case TLS_GROUP_SECP521R1: return DEEP_GOOD;
    case TLS_GROUP_FFDHE3072:
    case TLS_GROUP_FFDHE4096:
    case TLS_GROUP_FFDHE6144:
    case TLS_GROUP_FFDHE8192: return DEEP_SUFFICIENT;
    case TLS_GROUP_FFDHE2048: return DEEP_PHASE_OUT;
    default: return DEEP_INSUFFICIENT;
    }
}

enum deep_grade deep_grade_dh_bits(int bits)
{
    if (bits >= 3072)
        return DEEP_SUFFICIENT;
    return bits >= 2048 ? DEEP_PHASE_OUT : DEEP_INSUFFICIENT;
}

static int has(const char *s, const char *needle)
{
    for (size_t left = strlen(s); left > 0; s++, left--)
        if (text_iprefix(s, left, needle))
            return 1;
    return 0;
}

enum deep_grade deep_grade_cert_key(const char *key_type, int bits)
{
    if (key_type == NULL)
        return DEEP_INSUFFICIENT;
    if (strcmp(key_type, "RSA") == 0 || strcmp(key_type, "RSA-PSS") == 0) {
        if (bits >= 3072)
            return DEEP_GOOD;
        return bits >= 2048 ? DEEP_SUFFICIENT : DEEP_INSUFFICIENT;
    }
    if (strcmp(key_type, "EC") == 0) {
        if (bits >= 256)
            return DEEP_GOOD;
        return bits >= 224 ? DEEP_PHASE_OUT : DEEP_INSUFFICIENT;
    }
    if (strcmp(key_type, "ED25519") == 0 || strcmp(key_type, "ED448") == 0)
        return DEEP_GOOD;
    return DEEP_INSUFFICIENT; /* DSA and anything unknown */
}

enum deep_grade deep_grade_sig_alg(const char *sig_alg)
{
    if (sig_alg == NULL || has(sig_alg, "md5") || has(sig_alg, "md2") || has(sig_alg, "md4") ||
        has(sig_alg, "sha1"))
        return DEEP_INSUFFICIENT;
    if (has(sig_alg, "sha224"))
        return DEEP_PHASE_OUT;
    if (has(sig_alg, "sha256") || has(sig_alg, "sha384") || has(sig_alg, "sha512") ||
        has(sig_alg, "ed25519") || has(sig_alg, "ed448") || has(sig_alg, "pss"))
        return DEEP_GOOD;
    return DEEP_INSUFFICIENT;
}
