/*
 * NAME
 *     check_cipher - is the negotiated suite sound, and are broken ones refused?
 * SYNOPSIS
 *     check_cipher(&host_obs, host_node);   (adds "cipher")
 * DESCRIPTION
 *     Failure when the host accepts a suite with broken encryption (NULL,
 *     EXPORT, RC4, single DES) when a client offers only those, or when the
 *     negotiated suite has under 128 bits. Anonymous (aNULL) suites are a
 *     warning: Postfix's defaults offer them for opportunistic TLS, and a
 *     validating sender never picks them. A weak-suite probe that got no
 *     TLS answer (421, timeout, reset, refused connect) is "not tested"
 *     ("weak_tested": false, an error with the reason), never a pass.
 * LIMITS
 *     One weak-suite probe connection (host_observe) decides what is
 *     "accepted"; when the server picks an anonymous suite from the mixed
 *     offer, broken suites were not tested on their own (--deep does).
 *     A pure judge: it reads the observation (src/probe/host_obs.h) and
 *     does no I/O.
 * DIAGNOSTICS
 *     None returned: a judge cannot fail. What the server did wrong is the
 *     node's status and messages; an allocation failure marks the tree
 *     (result_oom), which the checker turns into STC_E_NOMEM.
 */
#include "checks.h"
#include "../probe/host_obs.h"

void check_cipher(const struct host_obs *obs, struct stc_result *host)
{
    const struct tls_info *in = &obs->info;
    struct stc_result *c = result_add_check(host, CHECK_CIPHER,
                                            "The negotiated cipher suite is strong and suites "
                                            "with broken encryption are refused.");
    if (c == NULL)
        return;
    result_fact_str(c, "negotiated", in->cipher);
    result_fact_int(c, "bits", in->cipher_bits);
    if (in->group[0])
        result_fact_str(c, "group", in->group);
    result_fact_list(c, "weak_accepted");
    if (in->cipher_bits > 0 && in->cipher_bits < 128) {
        result_msg(c, STC_STATUS_FAILURE, "Negotiated %s with only %d-bit encryption",
                   in->cipher, in->cipher_bits);
        result_fact_list_add(c, "weak_accepted", in->cipher);
        result_recommend(c, "Prefer strong suites with at least 128-bit keys. Postfix: "
                            "smtpd_tls_ciphers = medium, tls_preempt_cipherlist = yes. Exim: "
                            "tls_require_ciphers = DEFAULT:!EXPORT:!LOW:!RC4:!DES.");
    }
    if (obs->broken.accepted) {
        result_msg(c, STC_STATUS_FAILURE,
                   "Accepts %s (%s) when a client offers only broken suites (NULL, EXPORT, RC4, "
                   "DES)",
                   obs->broken.cipher, obs->broken.version);
        result_fact_list_add(c, "weak_accepted", obs->broken.cipher);
        result_recommend(c, "Remove broken suites. Postfix: smtpd_tls_exclude_ciphers = NULL, "
                            "EXPORT, RC4, DES, MD5 (or tls_medium_cipherlist from the defaults). "
                            "Exim: tls_require_ciphers = DEFAULT:!NULL:!EXPORT:!RC4:!DES.");
    }
    if (obs->broken.ran || obs->anon.ran) {
        int tested = obs->broken.tested || obs->anon.tested || obs->broken.accepted ||
                     obs->anon.accepted;
        result_fact_bool(c, "weak_tested", tested);
        if (!tested)
            check_probe_not_tested(c, &obs->broken,
                                   "Broken and anonymous suites");
    }
    result_fact_bool(c, "anonymous_accepted", obs->anon.accepted);
    if (obs->anon.accepted) {
        result_msg(c, STC_STATUS_WARNING,
                   "Accepts anonymous suites (%s): no certificate, so no protection against an "
                   "active attacker; only senders that do not validate would pick them",
                   obs->anon.cipher);
        result_recommend(c, "Optional: exclude anonymous suites (Postfix: "
                            "smtpd_tls_exclude_ciphers = aNULL). Postfix offers them on purpose "
                            "for opportunistic TLS; validating senders never use them.");
    }
}
