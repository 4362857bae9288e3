/*
 * NAME
 *     check_version - which TLS versions does the host negotiate and accept?
 * SYNOPSIS
 *     check_version(&host_obs, host_node);   (adds "version")
 * DESCRIPTION
 *     Warning when the negotiated version is below TLS 1.2, and when a
 *     second connection offering at most TLS 1.1 still succeeds: RFC 8996
 *     deprecates TLS 1.0 and 1.1. That connection offers both, so the
 *     server's pick says which one it accepts at least ("legacy_picked");
 *     the message says so rather than implying the other is refused.
 *     "legacy_refused" only when the server refused in TLS terms; a probe
 *     that got no TLS answer (421, timeout, reset, refused connect) is "not
 *     tested" (an error with the reason, "legacy_tested": false).
 * LIMITS
 *     One legacy probe connection (at most TLS 1.1) per host; --deep
 *     tests every version on its own.
 *     A pure judge: it reads the observation (src/probe/host_obs.h) and
 *     does no I/O.
 * DIAGNOSTICS
 *     None returned: a judge cannot fail. What the server did wrong is the
 *     node's status and messages; an allocation failure marks the tree
 *     (result_oom), which the checker turns into STC_E_NOMEM.
 */
#include <string.h>

#include "checks.h"
#include "../probe/host_obs.h"

#define FIX_VERSIONS                                                                               \
    "Disable TLS 1.0 and 1.1. Postfix: smtpd_tls_protocols = >=TLSv1.2 and "                      \
    "smtpd_tls_mandatory_protocols = >=TLSv1.2. Exim: openssl_options = +no_tlsv1 +no_tlsv1_1 "   \
    "(or tls_require_ciphers with a TLS 1.2 minimum)."

/* What the legacy probe saw: it offers TLS 1.0 and 1.1, so the server's pick
 * names one accepted version; with TLS 1.1 picked, TLS 1.0 is not known. */
static void judge_legacy(const struct host_obs *obs, const struct tls_info *in,
                         struct stc_result *c)
{
    const struct host_probe *p = &obs->legacy;
    if (!p->ran)
        return;
    int tested = p->tested || p->accepted;
    result_fact_bool(c, "legacy_tested", tested);
    if (!tested) {
        check_probe_not_tested(c, p, "TLS 1.0 and 1.1");
        return;
    }
    if (!p->accepted) {
        result_fact_bool(c, "legacy_refused", 1);
        return;
    }
    result_fact_str(c, "legacy_offered", "TLS 1.1 or older");
    result_fact_str(c, "legacy_picked", p->version);
    if (in->version >= TLS_V_1_2 || strcmp(in->version_name, p->version) != 0)
        result_fact_list_add(c, "legacy_accepted", p->version);
    if (strcmp(p->version, "TLSv1.1") == 0)
        result_msg(c, STC_STATUS_WARNING,
                   "Accepts TLS 1.1, deprecated by RFC 8996: offered TLS 1.1 or older, the server "
                   "picked TLSv1.1 (whether it also accepts TLS 1.0 is not tested without "
                   "--deep)");
    else
        result_msg(c, STC_STATUS_WARNING,
                   "Accepts %s, deprecated by RFC 8996: offered TLS 1.1 or older, the server "
                   "picked %s (so not TLS 1.1)",
                   p->version, p->version);
    result_recommend(c, FIX_VERSIONS);
}

void check_version(const struct host_obs *obs, struct stc_result *host)
{
    const struct tls_info *in = &obs->info;
    struct stc_result *c = result_add_check(host, CHECK_VERSION,
                                            "The host negotiates TLS 1.2 or newer and refuses "
                                            "TLS 1.0 and 1.1 (RFC 8996).");
    if (c == NULL)
        return;
    result_fact_str(c, "negotiated", in->version_name);
    result_fact_int(c, "negotiated_code", in->version);
    result_fact_list(c, "legacy_accepted");
    if (in->version < TLS_V_1_2) {
        result_msg(c, STC_STATUS_WARNING,
                   "Negotiated %s: the best the host offers is older than TLS 1.2",
                   in->version_name);
        result_recommend(c, "Upgrade the TLS library or MTA so that TLS 1.2 and 1.3 are offered "
                            "(OpenSSL 1.1.1 or newer). Postfix: smtpd_tls_protocols = >=TLSv1.2. "
                            "Exim: tls_require_ciphers without a protocol cap.");
        result_fact_list_add(c, "legacy_accepted", in->version_name);
    }
    judge_legacy(obs, in, c);
}
