/*
 * NAME
 *     check_certificate - does the certificate chain to a trusted root and
 *     name the MX host?
 * SYNOPSIS
 *     check_certificate(&host_obs, host_node);   (adds "certificate")
 * DESCRIPTION
 *     Every problem is reported, not only the first OpenSSL met: an
 *     untrusted chain (self-signed, unknown issuer, missing intermediate),
 *     dates (expired, not yet valid) and a name that is not the MX host
 *     (with the names the certificate does carry). Each is a failure with
 *     its TLS-RPT result type; expiry within WARN_DAYS is a warning.
 *
 *     A trusted chain with an RSA/DSA key under 2048 bits, an EC key under
 *     224 bits or an MD5/SHA-1 signature below the trust anchor is a
 *     failure too (tls_strength.c; facts "problem": "weak-key" or
 *     "weak-signature"): senders verifying at OpenSSL's default security
 *     level reject it, whatever level our own handshake used. A name found
 *     only in the subject CN, with no subjectAltName dNSName, is a warning
 *     (fact "name_in_san": false): RFC 8461 4.2 (MTA-STS) requires the SAN,
 *     RFC 9525 dropped the CN fallback, and modern senders reject it.
 * LIMITS
 *     WARN_DAYS (14) days before expiry is the warning threshold.
 *     A pure judge: it reads the observation (src/probe/host_obs.h) and
 *     does no I/O.
 * DIAGNOSTICS
 *     None returned: a judge cannot fail. What the server did wrong is the
 *     node's status and messages; an allocation failure marks the tree
 *     (result_oom), which the checker turns into STC_E_NOMEM.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "checks.h"
#include "../probe/host_obs.h"

#define WARN_DAYS 14

const char *check_cert_problem_text(int problem)
{
    switch ((enum tls_verify_problem)problem) {
    case TLS_CERT_OK: return "valid";
    case TLS_CERT_NO_CERT: return "no certificate was sent";
    case TLS_CERT_EXPIRED: return "the certificate has expired";
    case TLS_CERT_NOT_YET_VALID: return "the certificate is not yet valid";
    case TLS_CERT_SELF_SIGNED: return "the certificate is self-signed";
    case TLS_CERT_UNKNOWN_ISSUER: return "the chain ends at a root that is not trusted";
    case TLS_CERT_INCOMPLETE_CHAIN:
        return "the issuer of the certificate is unknown: an intermediate certificate is "
               "missing from the chain the server sends, or the CA is not trusted";
    case TLS_CERT_WEAK: return "the certificate chain uses a weak key or digest";
    case TLS_CERT_NAME_MISMATCH: return "the certificate does not name the MX host";
    case TLS_CERT_OTHER: return "the certificate failed verification";
    default: return "the certificate failed verification";
    }
}

static void names_joined(const struct tls_info *in, char *out, size_t outsz)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < in->nnames && o + 1 < outsz; i++) {
        int n = snprintf(out + o, outsz - o, "%s%s", i ? ", " : "", in->names[i]);
        if (n < 0)
            break;
        o += (size_t)n;
    }
    if (in->nnames == 0)
        snprintf(out, outsz, "(none)");
}

static void add_facts(struct stc_result *c, const struct tls_info *in)
{
    char when[32];
    time_t t = (time_t)in->not_after;
    struct tm tm;
    result_fact_str(c, "subject", in->subject);
    result_fact_str(c, "issuer", in->issuer);
    result_fact_list(c, "subject_names");
    for (size_t i = 0; i < in->nnames; i++)
        result_fact_list_add(c, "subject_names", in->names[i]);
    if (gmtime_r(&t, &tm) != NULL && strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
        result_fact_str(c, "not_after", when);
    result_fact_int(c, "days_to_expiry", in->days_to_expiry);
    result_fact_str(c, "key_type", in->key_type);
    result_fact_int(c, "key_bits", in->key_bits);
    result_fact_str(c, "signature_algorithm", in->sig_alg);
    result_fact_int(c, "chain_length", in->chain_len);
    result_fact_str(c, "spki_sha256", in->spki_sha256);
}

/* A trusted chain that modern senders still reject: weak key or digest. */
static void judge_weak(struct stc_result *c, const struct tls_info *in)
{
    int key = (in->weak & TLS_WEAK_KEY) != 0;
    result_msg(c, STC_STATUS_FAILURE, "Weak certificate: %s; senders that verify reject it",
               in->weak_text);
    result_fact_str(c, "problem", key ? "weak-key" : "weak-signature");
    result_set_type(c, "certificate-not-trusted");
    if (key)
        result_recommend(c, "Replace the certificate with one for an ECDSA P-256 key or an RSA "
                            "key of at least 2048 bits (3072 recommended), e.g. certbot "
                            "--key-type ecdsa, and reload the MTA.");
    if (in->weak & TLS_WEAK_DIGEST)
        result_recommend(c, "Have the certificate (and any intermediate signed with MD5 or "
                            "SHA-1) reissued with a SHA-256 signature, and serve the CA's "
                            "current intermediate.");
}

void check_certificate(const struct host_obs *obs, struct stc_result *host)
{
    const struct tls_info *in = &obs->info;
    struct stc_result *c = result_add_check(
        host, CHECK_CERTIFICATE,
        "The certificate chains to a trusted root, is within its validity dates and names "
        "the MX host.");
    if (c == NULL)
        return;
    if (!in->have_cert) {
        result_msg(c, STC_STATUS_FAILURE, "The server sent no certificate");
        result_set_type(c, "certificate-not-trusted");
        result_recommend(c, "Configure a certificate for the MX host name. Postfix: "
                            "smtpd_tls_chain_files = /path/key.pem, /path/fullchain.pem. Exim: "
                            "tls_certificate = /path/fullchain.pem, tls_privatekey = /path/key.pem.");
        result_fact_bool(c, "valid", 0);
        return;
    }
    add_facts(c, in);
    int expired = in->days_to_expiry < 0 || in->problem == TLS_CERT_EXPIRED;
    int not_yet = in->problem == TLS_CERT_NOT_YET_VALID;
    int valid = in->chain_trusted && in->name_matches && !expired && !not_yet && !in->weak;
    result_fact_bool(c, "chain_trusted", in->chain_trusted);
    result_fact_bool(c, "name_matches", in->name_matches);
    result_fact_bool(c, "name_in_san", in->name_in_san);
    result_fact_bool(c, "valid", valid);

    if (!in->chain_trusted) {
        enum tls_verify_problem p = in->problem;
        if (p == TLS_CERT_OK || p == TLS_CERT_NAME_MISMATCH || p == TLS_CERT_EXPIRED ||
            p == TLS_CERT_NOT_YET_VALID || p == TLS_CERT_WEAK)
            p = TLS_CERT_OTHER;
        result_msg(c, STC_STATUS_FAILURE, "Untrusted certificate: %s%s%s%s", check_cert_problem_text(p),
                   in->verify_text[0] ? " (" : "", in->verify_text, in->verify_text[0] ? ")" : "");
        result_fact_str(c, "problem", p == TLS_CERT_SELF_SIGNED        ? "self-signed"
                                      : p == TLS_CERT_UNKNOWN_ISSUER   ? "unknown-issuer"
                                      : p == TLS_CERT_INCOMPLETE_CHAIN ? "incomplete-chain"
                                                                       : "untrusted");
        result_set_type(c, "certificate-not-trusted");
        if (p == TLS_CERT_INCOMPLETE_CHAIN)
            result_recommend(c, "Serve the full chain (certificate followed by its "
                                "intermediates). Postfix: smtpd_tls_chain_files = key.pem, "
                                "fullchain.pem. Exim: tls_certificate = fullchain.pem.");
        else
            result_recommend(c, "Use a certificate from a CA that senders trust (for example "
                                "Let's Encrypt) instead of a self-signed or private-CA one. "
                                "Postfix: smtpd_tls_chain_files = key.pem, fullchain.pem. Exim: "
                                "tls_certificate = fullchain.pem, tls_privatekey = key.pem.");
    }
    if (in->chain_trusted && in->weak)
        judge_weak(c, in);
    if (expired) {
        result_msg(c, STC_STATUS_FAILURE, "The certificate expired %ld day%s ago",
                   -in->days_to_expiry, in->days_to_expiry == -1 ? "" : "s");
        result_set_type(c, "certificate-expired");
        result_recommend(c, "Renew the certificate and automate renewal (e.g. certbot or "
                            "another ACME client) and reload the MTA after each renewal.");
    } else if (not_yet) {
        result_msg(c, STC_STATUS_FAILURE, "The certificate is not yet valid");
        result_set_type(c, "certificate-not-trusted");
        result_recommend(c, "Check the server's clock and the certificate's start date.");
    } else if (in->days_to_expiry <= WARN_DAYS) {
        result_msg(c, STC_STATUS_WARNING, "The certificate expires in %ld day%s",
                   in->days_to_expiry, in->days_to_expiry == 1 ? "" : "s");
        result_recommend(c, "Renew the certificate now and automate renewal (e.g. certbot with "
                            "a deploy hook that runs \"postfix reload\" or \"systemctl reload "
                            "exim4\").");
    }
    if (!in->name_matches) {
        char names[512];
        names_joined(in, names, sizeof names);
        result_msg(c, STC_STATUS_FAILURE, "The certificate is not valid for %s; it names: %s",
                   obs->host, names);
        result_set_type(c, "certificate-host-mismatch");
        result_recommend(c, "Get a certificate whose subject alternative names include the MX "
                            "host name exactly as the MX record gives it.");
    } else if (!in->name_in_san) {
        result_msg(c, STC_STATUS_WARNING,
                   "The certificate names %s only in its subject common name (CN), with no "
                   "subjectAltName: modern senders reject it, and MTA-STS (RFC 8461 4.2) "
                   "requires the name in a subjectAltName dNSName",
                   obs->host);
        result_recommend(c, "Get a certificate that lists the MX host name as a subject "
                            "alternative name (DNS). Every public CA issues such certificates; "
                            "for a private CA add subjectAltName = DNS:%s to the request.",
                         obs->host);
    }
}
