/*
 * NAME
 *     check_deep - grade the deep TLS analysis into the host's "tls_deep" node
 * SYNOPSIS
 *     void check_deep(&host_obs, host_node);     (obs->deep, when it ran)
 *     void deep_judge(&deep_obs, &host_obs, host_node);
 * DESCRIPTION
 *     One STC_NODE_CHECK "tls_deep" per host with seven children, each
 *     graded by the NCSC-NL TLS guidelines v2.1 (deep_grade.c): a child's
 *     status is its worst finding, good and sufficient being success,
 *     phase-out a warning, insufficient a failure.
 *
 *       versions            accepted/refused versions (guideline B1-1)
 *       ciphers             the accepted suites per version, each with its
 *                           grade; server order: a host that accepts
 *                           suites below "good" must enforce its own order
 *                           (B2-5), else a warning
 *       groups              key exchange groups and the DHE prime size
 *       certificate_key     the leaf's key type/size and signature hash
 *       renegotiation       RFC 5746 secure renegotiation signalled for
 *                           every accepted version below TLS 1.3, else a
 *                           warning (B8: insecure renegotiation must go)
 *       starttls_injection  CVE-2011-0411: a NOOP pipelined after STARTTLS
 *                           answered inside TLS is a failure; answered in
 *                           plaintext a warning (RFC 3207 violation)
 *       requiretls          RFC 8689 REQUIRETLS advertised after STARTTLS:
 *                           information only
 *
 *     Facts: "connections" (probe connections), "complete" (false when the
 *     analysis stopped early, with a note why); versions "accepted",
 *     "refused", "graded" ("TLSv1.2 (sufficient)"); ciphers "accepted"
 *     ("TLS_... (good)", all versions), per version "suites_tls12" etc.
 *     (IANA names) with "suites_tls12_count", "server_order_tls12";
 *     groups "accepted", "graded", "probed_at", "dh_suites" ("SUITE: N bits
 *     (grade)"), "dh_bits" and "dh_grade" (the smallest prime of an
 *     authenticated DHE suite: the grade), "dh_bits_anonymous" (anonymous
 *     suites: a note only, the cipher check judges them); certificate_key
 *     "key", "signature"; renegotiation "secure"; starttls_injection
 *     "tested", "vulnerable"; requiretls "advertised".
 *     Every finding below "sufficient" carries a Postfix/Exim fix.
 * DIAGNOSTICS
 *     None: a server that defeats a probe is a note, not an error.
 * LIMITS
 *     Facts list every accepted suite and group (at most DEEP_SUITES_MAX
 *     per version and DEEP_GROUPS_MAX, as observed); a pure judge of
 *     host_obs.deep, no I/O.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "deep_grade.h"
#include "../probe/deep_obs.h"
#include "../probe/host_obs.h"

#define FIX_VERSIONS                                                                               \
    "Offer TLS 1.3 and 1.2 only. Postfix: smtpd_tls_protocols = >=TLSv1.2 and "                    \
    "smtpd_tls_mandatory_protocols = >=TLSv1.2. Exim: openssl_options = +no_sslv2 +no_sslv3 "      \
    "+no_tlsv1 +no_tlsv1_1."
#define FIX_TLS13                                                                                  \
    "Enable TLS 1.3 (NCSC-NL: good; TLS 1.2 is only sufficient): OpenSSL 1.1.1 or newer with "     \
    "Postfix 3.4+ or Exim 4.92+."
#define FIX_CIPHERS                                                                                \
    "Offer only good and sufficient suites. Postfix: smtpd_tls_ciphers = high, "                   \
    "tls_high_cipherlist = ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:ECDHE+AES:"         \
    "DHE+AES:!SHA1:!aNULL, smtpd_tls_exclude_ciphers = aNULL, eNULL, EXPORT, DES, 3DES, RC4, "     \
    "MD5, PSK, SRP, CAMELLIA, ARIA, SEED, IDEA, kRSA. Exim: tls_require_ciphers = "                \
    "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:ECDHE+AES:DHE+AES:!SHA1:!aNULL."
#define FIX_ORDER                                                                                  \
    "Make the server choose by its own order (NCSC-NL B2-5). Postfix: tls_preempt_cipherlist = "   \
    "yes. Exim: openssl_options = +cipher_server_preference."
#define FIX_GROUPS                                                                                 \
    "Offer X25519, X448, secp256r1 and secp384r1, and ffdhe3072 or larger for DHE (RFC 7919). "    \
    "Postfix: tls_eecdh_auto_curves = X25519 X448 prime256v1 secp384r1 and (3.8+) "                \
    "tls_ffdhe_auto_groups = ffdhe3072 ffdhe4096, or smtpd_tls_dh1024_param_file = a 3072-bit "    \
    "RFC 7919 group. Exim: tls_dhparam = ffdhe3072."
#define FIX_KEY                                                                                    \
    "Use an ECDSA key on P-256 or P-384, or RSA with 3072 bits or more, signed with SHA-256 or "   \
    "better. Postfix: smtpd_tls_eccert_file/smtpd_tls_eckey_file beside the RSA pair. Exim: "      \
    "tls_certificate and tls_privatekey lists."
#define FIX_RENEG                                                                                  \
    "Upgrade the TLS library: every maintained one signals secure renegotiation (RFC 5746)."
#define FIX_INJECTION                                                                              \
    "Upgrade the MTA: after STARTTLS the server must discard plaintext received before the TLS "   \
    "handshake (CVE-2011-0411; fixed in Postfix 2.8.0/2.7.3, Exim, Sendmail 8.14.5 and others)."

static const char *ver_name(int v)
{
    return tls_version_name(v);
}

/* Fact-key spelling without dots: "ssl2", "ssl3", "tls10" ... "tls13". */
static const char *ver_key(int v)
{
    return tls_version_key(v);
}

static const struct tls_suite *suite_of(const struct deep_version *v, size_t i)
{
    return v->version == TLS_V_SSL2 ? tls_suite_find_ssl2(v->suites[i])
                                    : tls_suite_find((uint16_t)v->suites[i]);
}

static void judge_versions(const struct deep_obs *d, struct stc_result *parent)
{
    struct stc_result *c = result_add_check(parent, "versions",
                                            "Accepted protocol versions (NCSC-NL B1-1: TLS 1.3 "
                                            "good, 1.2 sufficient, 1.1/1.0 phase-out, SSL "
                                            "insufficient).");
    if (c == NULL)
        return;
    result_fact_list(c, "accepted");
    result_fact_list(c, "refused");
    result_fact_list(c, "graded");
    for (int i = DEEP_NVERSIONS - 1; i >= 0; i--) {
        const struct deep_version *v = &d->v[i];
        char item[64];
        if (!v->tested)
            continue;
        if (!v->accepted) {
            result_fact_list_add(c, "refused", ver_name(v->version));
            continue;
        }
        enum deep_grade g = deep_grade_version(v->version);
        result_fact_list_add(c, "accepted", ver_name(v->version));
        snprintf(item, sizeof item, "%s (%s)", ver_name(v->version), deep_grade_name(g));
        result_fact_list_add(c, "graded", item);
        if (g >= DEEP_PHASE_OUT) {
            result_msg(c, deep_grade_status(g), "Accepts %s (%s)", ver_name(v->version),
                       deep_grade_name(g));
            result_recommend(c, FIX_VERSIONS);
        }
    }
    if (d->v[DEEP_TLS13].tested && !d->v[DEEP_TLS13].accepted) {
        result_note(c, "TLS 1.3 is not offered (%s)", d->v[DEEP_TLS13].refusal);
        result_recommend(c, FIX_TLS13);
    }
}

static void judge_suites_of(const struct deep_version *v, struct stc_result *c, size_t *counts)
{
    char key[48], item[128];
    snprintf(key, sizeof key, "suites_%s", ver_key(v->version));
    result_fact_list(c, key);
    for (size_t k = 0; k < v->nsuites; k++) {
        const struct tls_suite *s = suite_of(v, k);
        enum deep_grade g = deep_grade_suite(s);
        const char *name = s != NULL ? s->name : "unknown";
        result_fact_list_add(c, key, name);
        snprintf(item, sizeof item, "%s (%s)", name, deep_grade_name(g));
        result_fact_list_add(c, "accepted", item);
        counts[g]++;
        if (g >= DEEP_PHASE_OUT)
            result_msg(c, deep_grade_status(g), "%s: accepts %s (%s)", ver_name(v->version), name,
                       deep_grade_name(g));
    }
    snprintf(key, sizeof key, "suites_%s_count", ver_key(v->version));
    result_fact_int(c, key, (long long)v->nsuites);
    if (!v->complete)
        result_note(c, "%s: the list may be incomplete (enumeration stopped early)",
                    ver_name(v->version));
}

static void judge_ciphers(const struct deep_obs *d, struct stc_result *parent)
{
    struct stc_result *c = result_add_check(parent, "ciphers",
                                            "Every accepted cipher suite, graded by NCSC-NL "
                                            "B2-1..B2-5; the server enforces its order when it "
                                            "accepts suites below good.");
    size_t counts[4] = {0, 0, 0, 0};
    if (c == NULL)
        return;
    result_fact_list(c, "accepted");
    for (int i = DEEP_NVERSIONS - 1; i >= 0; i--)
        if (d->v[i].accepted)
            judge_suites_of(&d->v[i], c, counts);
    if (counts[DEEP_PHASE_OUT] + counts[DEEP_INSUFFICIENT] > 0)
        result_recommend(c, FIX_CIPHERS);
    int weak_order = 0;
    for (int i = DEEP_NVERSIONS - 1; i >= 0; i--) {
        const struct deep_version *v = &d->v[i];
        char key[48];
        if (!v->accepted || v->server_order < 0)
            continue;
        snprintf(key, sizeof key, "server_order_%s", ver_key(v->version));
        result_fact_bool(c, key, v->server_order);
        int below_good = 0;
        for (size_t k = 0; k < v->nsuites; k++)
            below_good |= deep_grade_suite(suite_of(v, k)) != DEEP_GOOD;
        if (!v->server_order && below_good && v->version != TLS_V_1_3)
            weak_order = 1;
    }
    if (weak_order) {
        result_msg(c, STC_STATUS_WARNING,
                   "The server follows the client's order while it accepts suites below good");
        result_recommend(c, FIX_ORDER);
    }
}

/* Finite-field DH, per suite; the grade comes from the authenticated
 * suites: an anonymous suite protects nothing against an active attacker
 * whatever its prime, and the cipher check already judges it. Returns 1
 * when a graded prime is below sufficient. */
static int judge_dh(const struct deep_obs *d, struct stc_result *c)
{
    int auth_min = 0, anon_min = 0;
    char item[128];
    result_fact_list(c, "dh_suites");
    for (size_t i = 0; i < d->ndh; i++) {
        const struct tls_suite *s = tls_suite_find((uint16_t)d->dh[i].suite);
        int anon = s != NULL && s->auth == TLS_AUTH_ANON;
        int bits = d->dh[i].bits;
        snprintf(item, sizeof item, "%s: %d bits (%s)", s != NULL ? s->name : "unknown", bits,
                 anon ? "anonymous, not graded" : deep_grade_name(deep_grade_dh_bits(bits)));
        result_fact_list_add(c, "dh_suites", item);
        int *min = anon ? &anon_min : &auth_min;
        if (*min == 0 || bits < *min)
            *min = bits;
    }
    result_fact_int(c, "dh_bits", auth_min);
    if (anon_min > 0) {
        result_fact_int(c, "dh_bits_anonymous", anon_min);
        result_note(c, "Anonymous DH suites use a %d-bit prime; they are not graded here: without "
                       "authentication they give no protection against an active attacker "
                       "whatever the prime (see the cipher check)",
                    anon_min);
    }
    if (auth_min == 0)
        return 0;
    enum deep_grade g = deep_grade_dh_bits(auth_min);
    result_fact_str(c, "dh_grade", deep_grade_name(g));
    if (g < DEEP_PHASE_OUT)
        return 0;
    result_msg(c, deep_grade_status(g), "DHE suites use a %d-bit prime (%s)", auth_min,
               deep_grade_name(g));
    return 1;
}

static void judge_groups(const struct deep_obs *d, struct stc_result *parent)
{
    struct stc_result *c = result_add_check(parent, "groups",
                                            "Key exchange groups and DHE prime size (NCSC-NL "
                                            "B5-1, B6-1).");
    char item[64];
    int weak = 0;
    if (c == NULL)
        return;
    result_fact_list(c, "accepted");
    result_fact_list(c, "graded");
    result_fact_str(c, "probed_at", d->groups_version ? ver_name(d->groups_version) : "");
    for (size_t i = 0; i < d->ngroups; i++) {
        const char *name = tls_group_name(d->groups[i]);
        enum deep_grade g = deep_grade_group(d->groups[i]);
        result_fact_list_add(c, "accepted", name != NULL ? name : "unknown");
        snprintf(item, sizeof item, "%s (%s)", name != NULL ? name : "unknown", deep_grade_name(g));
        result_fact_list_add(c, "graded", item);
        if (g >= DEEP_PHASE_OUT) {
            result_msg(c, deep_grade_status(g), "Accepts the group %s (%s)",
                       name != NULL ? name : "unknown", deep_grade_name(g));
            weak = 1;
        }
    }
    weak |= judge_dh(d, c);
    if (weak)
        result_recommend(c, FIX_GROUPS);
    if (d->groups_version == 0)
        result_note(c, "No TLS 1.3 or ECDHE suite was accepted, so no named group could be "
                       "probed");
}

static void judge_key(const struct host_obs *obs, struct stc_result *parent)
{
    struct stc_result *c = result_add_check(parent, "certificate_key",
                                            "The certificate's key and signature hash (NCSC-NL "
                                            "B3-1..B3-3).");
    const struct tls_info *in = &obs->info;
    char item[96];
    if (c == NULL)
        return;
    if (!in->have_cert) {
        result_note(c, "The server sent no certificate");
        return;
    }
    enum deep_grade kg = deep_grade_cert_key(in->key_type, in->key_bits);
    enum deep_grade sg = deep_grade_sig_alg(in->sig_alg);
    snprintf(item, sizeof item, "%s %d (%s)", in->key_type, in->key_bits, deep_grade_name(kg));
    result_fact_str(c, "key", item);
    snprintf(item, sizeof item, "%s (%s)", in->sig_alg, deep_grade_name(sg));
    result_fact_str(c, "signature", item);
    if (kg >= DEEP_PHASE_OUT)
        result_msg(c, deep_grade_status(kg), "%s key of %d bits (%s)", in->key_type, in->key_bits,
                   deep_grade_name(kg));
    if (sg >= DEEP_PHASE_OUT)
        result_msg(c, deep_grade_status(sg), "Signed with %s (%s)", in->sig_alg,
                   deep_grade_name(sg));
    if (kg >= DEEP_PHASE_OUT || sg >= DEEP_PHASE_OUT)
        result_recommend(c, FIX_KEY);
}

static void judge_reneg(const struct deep_obs *d, struct stc_result *parent)
{
    struct stc_result *c = result_add_check(parent, "renegotiation",
                                            "Secure renegotiation (RFC 5746) for every version "
                                            "below TLS 1.3.");
    int any = 0, secure = 1;
    if (c == NULL)
        return;
    for (int i = DEEP_SSL3; i <= DEEP_TLS12; i++) {
        const struct deep_version *v = &d->v[i];
        if (!v->accepted)
            continue;
        any = 1;
        if (!v->secure_reneg) {
            secure = 0;
            result_msg(c, STC_STATUS_WARNING,
                       "%s: no renegotiation_info in the ServerHello; if the server renegotiates "
                       "at all, it does so insecurely",
                       ver_name(v->version));
        }
    }
    result_fact_bool(c, "secure", any ? secure : 1);
    if (!any)
        result_note(c, "Only TLS 1.3 is accepted: it has no renegotiation");
    else if (!secure)
        result_recommend(c, FIX_RENEG);
}

static void judge_injection(const struct deep_obs *d, struct stc_result *parent)
{
    struct stc_result *c = result_add_check(parent, "starttls_injection",
                                            "Plaintext pipelined after STARTTLS is discarded, not "
                                            "executed inside TLS (CVE-2011-0411).");
    if (c == NULL)
        return;
    result_fact_bool(c, "tested", d->injection_tested);
    result_fact_bool(c, "vulnerable", d->injection_vulnerable);
    if (d->injection_vulnerable) {
        result_msg(c, STC_STATUS_FAILURE,
                   "A NOOP sent in plaintext together with STARTTLS was answered inside TLS: "
                   "an attacker can inject commands (CVE-2011-0411)");
        result_recommend(c, FIX_INJECTION);
    } else if (d->injection_plaintext) {
        result_msg(c, STC_STATUS_WARNING,
                   "A NOOP pipelined after STARTTLS was answered in plaintext before TLS "
                   "(RFC 3207: nothing may follow the 220)");
    } else if (!d->injection_tested) {
        result_note(c, "Not tested: %s",
                    d->injection_err.msg[0] ? d->injection_err.msg : "the analysis stopped early");
    }
}

static void judge_requiretls(const struct deep_obs *d, const struct host_obs *obs,
                             struct stc_result *parent)
{
    struct stc_result *c = result_add_check(parent, "requiretls",
                                            "REQUIRETLS (RFC 8689) advertised after STARTTLS "
                                            "(information).");
    if (c == NULL)
        return;
    int adv = d->requiretls_known ? d->requiretls : obs->ext.requiretls;
    result_fact_bool(c, "advertised", adv);
    result_note(c, "REQUIRETLS is %sadvertised%s", adv ? "" : "not ",
                d->requiretls_known ? "" : " (seen in the EHLO before STARTTLS)");
}

void deep_judge(const struct deep_obs *d, const struct host_obs *obs, struct stc_result *host)
{
    struct stc_result *c = result_add_check(host, CHECK_DEEP,
                                            "Deep TLS analysis: every version, suite and group "
                                            "the host accepts, graded by the NCSC-NL TLS "
                                            "guidelines v2.1.");
    if (c == NULL)
        return;
    result_fact_int(c, "connections", d->connections);
    result_fact_bool(c, "complete", !d->aborted);
    if (d->aborted)
        result_note(c, "The analysis stopped early: %s", d->abort_err.msg);
    judge_versions(d, c);
    judge_ciphers(d, c);
    judge_groups(d, c);
    judge_key(obs, c);
    judge_reneg(d, c);
    judge_injection(d, c);
    judge_requiretls(d, obs, c);
}

void check_deep(const struct host_obs *obs, struct stc_result *host)
{
    if (obs->deep.ran)
        deep_judge(&obs->deep, obs, host);
}
