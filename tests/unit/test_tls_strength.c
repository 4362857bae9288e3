/* test_tls_strength.c - tls_chain_weakness() on chains built in memory:
 * key sizes (RSA, EC) and signature digests (SHA-1, MD5) below the trust
 * anchor, the anchor's own signature ignored, DANE-EE (anchor = leaf). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tls/tls_int.h"

static EVP_PKEY *rsa1024, *rsa2048, *ec256, *ec192;

/* A certificate for key, signed by signer with md (self-signed when signer == key). */
static X509 *cert(EVP_PKEY *key, EVP_PKEY *signer, const EVP_MD *md, const char *cn)
{
    X509 *x = X509_new();
    assert_non_null(x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, n);
    X509_set_pubkey(x, key);
    assert_true(X509_sign(x, signer, md) > 0);
    return x;
}

static STACK_OF(X509) * chain2(X509 *leaf, X509 *root)
{
    STACK_OF(X509) *s = sk_X509_new_null();
    sk_X509_push(s, leaf);
    if (root != NULL)
        sk_X509_push(s, root);
    return s;
}

static void chain_free(STACK_OF(X509) * s)
{
    sk_X509_pop_free(s, X509_free);
}

static int setup(void **state)
{
    (void)state;
    rsa1024 = EVP_RSA_gen(1024);
    rsa2048 = EVP_RSA_gen(2048);
    ec256 = EVP_EC_gen("P-256");
    ec192 = EVP_EC_gen("P-192");
    return rsa1024 && rsa2048 && ec256 && ec192 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    EVP_PKEY_free(rsa1024);
    EVP_PKEY_free(rsa2048);
    EVP_PKEY_free(ec256);
    EVP_PKEY_free(ec192);
    return 0;
}

static void test_sound(void **state)
{
    (void)state;
    char why[160];
    STACK_OF(X509) *c = chain2(cert(rsa2048, ec256, EVP_sha256(), "leaf"),
                               cert(ec256, ec256, EVP_sha256(), "root"));
    assert_int_equal(tls_chain_weakness(c, 1, why, sizeof why), 0);
    assert_string_equal(why, "");
    /* -1: the last certificate is the anchor */
    assert_int_equal(tls_chain_weakness(c, -1, why, sizeof why), 0);
    chain_free(c);
}

static void test_weak_keys(void **state)
{
    (void)state;
    char why[160];
    STACK_OF(X509) *c = chain2(cert(rsa1024, ec256, EVP_sha256(), "leaf"),
                               cert(ec256, ec256, EVP_sha256(), "root"));
    assert_int_equal(tls_chain_weakness(c, 1, why, sizeof why), TLS_WEAK_KEY | TLS_WEAK_LEAF_KEY);
    assert_non_null(strstr(why, "leaf certificate has a 1024-bit RSA key"));
    chain_free(c);

    c = chain2(cert(ec192, ec256, EVP_sha256(), "leaf"), cert(ec256, ec256, EVP_sha256(), "r"));
    assert_int_equal(tls_chain_weakness(c, 1, why, sizeof why), TLS_WEAK_KEY | TLS_WEAK_LEAF_KEY);
    assert_non_null(strstr(why, "192-bit EC key"));
    chain_free(c);

    /* a weak key in the anchor counts too */
    c = chain2(cert(ec256, rsa1024, EVP_sha256(), "leaf"),
               cert(rsa1024, rsa1024, EVP_sha256(), "root"));
    assert_int_equal(tls_chain_weakness(c, 1, why, sizeof why), TLS_WEAK_KEY);
    assert_non_null(strstr(why, "trust anchor"));
    chain_free(c);
}

static void test_weak_digests(void **state)
{
    (void)state;
    char why[160];
    STACK_OF(X509) *c = chain2(cert(ec256, rsa2048, EVP_sha1(), "leaf"),
                               cert(rsa2048, rsa2048, EVP_sha256(), "root"));
    assert_int_equal(tls_chain_weakness(c, 1, why, sizeof why), TLS_WEAK_DIGEST);
    assert_non_null(strstr(why, "signed with SHA-1 (sha1WithRSAEncryption)"));
    chain_free(c);

    c = chain2(cert(ec256, rsa2048, EVP_md5(), "leaf"),
               cert(rsa2048, rsa2048, EVP_sha256(), "root"));
    assert_int_equal(tls_chain_weakness(c, 1, why, sizeof why), TLS_WEAK_DIGEST);
    assert_non_null(strstr(why, "MD5"));
    chain_free(c);

    /* both: the first problem (leaf key) is named, both bits set */
    c = chain2(cert(rsa1024, rsa2048, EVP_sha1(), "leaf"),
               cert(rsa2048, rsa2048, EVP_sha256(), "root"));
    assert_int_equal(tls_chain_weakness(c, 1, why, sizeof why), TLS_WEAK_KEY | TLS_WEAK_LEAF_KEY | TLS_WEAK_DIGEST);
    assert_non_null(strstr(why, "1024-bit RSA"));
    chain_free(c);
}

static void test_anchor_signature_ignored(void **state)
{
    (void)state;
    char why[160];
    /* a root self-signed with SHA-1 is fine: nobody relies on that signature */
    STACK_OF(X509) *c = chain2(cert(ec256, rsa2048, EVP_sha256(), "leaf"),
                               cert(rsa2048, rsa2048, EVP_sha1(), "root"));
    assert_int_equal(tls_chain_weakness(c, 1, why, sizeof why), 0);
    chain_free(c);

    /* DANE-EE: the leaf is the anchor; its signature is not relied on, its key is */
    c = chain2(cert(ec256, ec256, EVP_sha1(), "leaf"), NULL);
    assert_int_equal(tls_chain_weakness(c, 0, why, sizeof why), 0);
    chain_free(c);
    c = chain2(cert(rsa1024, rsa1024, EVP_sha256(), "leaf"), NULL);
    assert_int_equal(tls_chain_weakness(c, 0, why, sizeof why), TLS_WEAK_KEY | TLS_WEAK_LEAF_KEY);
    chain_free(c);

    /* DANE-TA at depth 1 of a longer chain: the certificate above is not judged */
    c = chain2(cert(ec256, rsa2048, EVP_sha256(), "leaf"),
               cert(rsa2048, rsa1024, EVP_sha1(), "ta"));
    sk_X509_push(c, cert(rsa1024, rsa1024, EVP_md5(), "root"));
    assert_int_equal(tls_chain_weakness(c, 1, why, sizeof why), 0);
    assert_int_equal(tls_chain_weakness(c, 2, why, sizeof why), TLS_WEAK_KEY | TLS_WEAK_DIGEST);
    chain_free(c);

    assert_int_equal(tls_chain_weakness(NULL, -1, why, sizeof why), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sound),
        cmocka_unit_test(test_weak_keys),
        cmocka_unit_test(test_weak_digests),
        cmocka_unit_test(test_anchor_signature_ignored),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
