/*
 * NAME
 *     check_version - which TLS versions does the host negotiate and accept?
 * DESCRIPTION
 *     Warning when the negotiated version is below TLS 1.2, and when a
 *     second connection offering at most TLS 1.1 still succeeds: RFC 8996
 *     deprecates TLS 1.0 and 1.1.
 */
#include "checks.h"
#include "../probe/host_obs.h"

#define FIX_VERSIONS                                                                               \
    "Disable TLS 1.0 and 1.1. Postfix: smtpd_tls_protocols = >=TLSv1.2 and "                      \
    "smtpd_tls_mandatory_protocols = >=TLSv1.2. Exim: openssl_options = +no_tlsv1 +no_tlsv1_1 "   \
    "(or tls_require_ciphers with a TLS 1.2 minimum)."

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
    if (obs->legacy.accepted) {
        if (in->version >= TLS_V_1_2)
            result_fact_list_add(c, "legacy_accepted", obs->legacy.version);
        result_msg(c, STC_STATUS_WARNING, "Still accepts %s, deprecated by RFC 8996",
                   obs->legacy.version);
        result_recommend(c, FIX_VERSIONS);
    } else if (obs->legacy.ran) {
        result_fact_bool(c, "legacy_refused", 1);
    }
}
