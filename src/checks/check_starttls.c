/*
 * NAME
 *     check_starttls - does the host offer STARTTLS and complete a handshake?
 * SYNOPSIS
 *     check_starttls(&host_obs, host_node);   (adds "starttls")
 * DESCRIPTION
 *     Failure (TLS-RPT starttls-not-supported) when STARTTLS is not
 *     advertised or is refused; failure (validation-failure) when the TLS
 *     handshake fails. Plaintext sent after the 220 to STARTTLS is discarded
 *     by the client (CVE-2011-0411) and reported as a warning; so is an EHLO
 *     over TLS that fails (RFC 3207 requires the client to send it again).
 * LIMITS
 *     Injected plaintext is counted up to SMTP_STARTTLS_DRAIN_MAX bytes.
 *     A pure judge: it reads the observation (src/probe/host_obs.h) and
 *     does no I/O.
 * DIAGNOSTICS
 *     None returned: a judge cannot fail. What the server did wrong is the
 *     node's status and messages; an allocation failure marks the tree
 *     (result_oom), which the checker turns into STC_E_NOMEM.
 */
#include "checks.h"
#include "../probe/host_obs.h"

#define FIX_ENABLE_TLS                                                                             \
    "Enable STARTTLS with a certificate for this host name. Postfix: smtpd_tls_security_level "   \
    "= may, smtpd_tls_chain_files = /path/key.pem, /path/fullchain.pem. Exim: "                   \
    "tls_advertise_hosts = *, tls_certificate and tls_privatekey."

void check_starttls(const struct host_obs *obs, struct stc_result *host)
{
    struct stc_result *c =
        result_add_check(host, CHECK_STARTTLS, "The host advertises STARTTLS after EHLO and "
                                               "completes a TLS handshake.");
    if (c == NULL)
        return;
    result_fact_bool(c, "advertised", obs->ext.starttls);
    result_fact_bool(c, "handshake", obs->handshake_ok);
    if (!obs->ehlo_ok) {
        result_msg(c, STC_STATUS_ERROR, "EHLO failed, STARTTLS could not be checked: %s",
                   obs->session_err.msg);
        result_recommend(c, "Make the server answer EHLO with 250 and its extensions (RFC 5321 "
                            "4.1.1.1); Postfix: smtpd_helo_restrictions; Exim: acl_smtp_helo.");
        return;
    }
    if (!obs->ext.starttls) {
        result_msg(c, STC_STATUS_FAILURE, "%s does not advertise STARTTLS: mail to it travels "
                                          "in plaintext",
                   obs->host);
        result_set_type(c, "starttls-not-supported");
        result_recommend(c, FIX_ENABLE_TLS);
        return;
    }
    if (obs->starttls_code != 220) {
        if (obs->throttled)
            result_msg(c, STC_STATUS_ERROR, "STARTTLS answered 421 (throttling): %s",
                       obs->starttls_text);
        else if (obs->starttls_code != 0)
            result_msg(c, STC_STATUS_FAILURE, "STARTTLS is advertised but refused: %d %s",
                       obs->starttls_code, obs->starttls_text);
        else
            result_msg(c, STC_STATUS_ERROR, "STARTTLS got no valid answer: %s",
                       obs->session_err.msg);
        if (obs->throttled)
            result_recommend(c, "Nothing is wrong with TLS: the host is rate limiting; check "
                                "again later.");
        if (!obs->throttled) {
            result_set_type(c, "starttls-not-supported");
            result_recommend(c, "Check the server's TLS certificate and key configuration: a "
                                "server that advertises STARTTLS but answers 454 usually "
                                "cannot read its key or certificate (see its log).");
        }
        return;
    }
    if (obs->injected_bytes > 0) {
        result_msg(c, STC_STATUS_WARNING,
                   "The server sent %zu bytes after its 220 reply to STARTTLS; they were "
                   "discarded (plaintext injection, CVE-2011-0411)",
                   obs->injected_bytes);
        result_fact_int(c, "injected_bytes", (long long)obs->injected_bytes);
        result_recommend(c, "Find what sends data after the 220 reply to STARTTLS (a buggy "
                            "server or an SMTP proxy/firewall in front of it) and fix or remove "
                            "it: a client vulnerable to CVE-2011-0411 would take those bytes as "
                            "part of the TLS session.");
    }
    if (!obs->handshake_ok) {
        result_msg(c, STC_STATUS_FAILURE, "STARTTLS accepted, then: %s", obs->tls_err.msg);
        result_set_type(c, "validation-failure");
        result_recommend(c, "Make the TLS handshake work for modern clients: TLS 1.2 or 1.3, a "
                            "certificate and key that belong together, default cipher lists.");
        return;
    }
    if (!obs->ehlo_tls_ok) {
        result_msg(c, STC_STATUS_WARNING, "EHLO over TLS failed: %s", obs->ehlo_tls_err.msg);
        result_recommend(c, "Make the server answer EHLO again on the TLS session (RFC 3207 "
                            "4.2): senders repeat EHLO after the handshake; check the MTA's "
                            "TLS-only restrictions and its log.");
    }
}
