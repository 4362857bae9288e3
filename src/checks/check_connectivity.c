/*
 * NAME
 *     check_connectivity - can a sender reach the host and get an SMTP greeting?
 * SYNOPSIS
 *     check_connectivity(&host_obs, host_node);   (adds "connectivity")
 * DESCRIPTION
 *     Success needs an address, a TCP connection and a 220 greeting. A 421
 *     greeting is throttling, reported as such: it says nothing about
 *     STARTTLS. A host that fails here is reported but, as in the original
 *     checker, does not count towards the domain's status unless no host
 *     connects (spam traps, nolisting). A host whose every address the
 *     address filter refused (public addresses only: loopback, private,
 *     ...) is "not tested", an error (fact address_refused) whose fix is to
 *     publish a public address;
 *     a domain with only such hosts is an error, not could_not_connect.
 *     When no address could even be tried from here for another reason
 *     (this machine has no route to its family, --ipv4-only/--ipv6-only
 *     left none, the filter refused the rest), the check says "Not tested"
 *     with the reasons and sets the fact "not_tested": an error of the
 *     check, never a failure of the host; the fix says so.
 * LIMITS
 *     The banner shown is the first STC_SMTP_BANNER_SHOW_MAX bytes, censored.
 *     A pure judge: it reads the observation (src/probe/host_obs.h) and
 *     does no I/O.
 * DIAGNOSTICS
 *     None returned: a judge cannot fail. What the server did wrong is the
 *     node's status and messages; an allocation failure marks the tree
 *     (result_oom), which the checker turns into STC_E_NOMEM.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "../probe/host_obs.h"

#define FIX_THROTTLE                                                                               \
    "Nothing is wrong with TLS: check again later. If legitimate senders are throttled too, "     \
    "raise the limits (Postfix: smtpd_client_connection_rate_limit, postscreen; Exim: "          \
    "smtp_accept_max_per_host, smtp_ratelimit_hosts)."

/* Why none of the host's addresses could be tried from here, or NULL when
 * at least one was (refused, timed out, ...). */
static const char *untestable(const struct host_obs *obs, char *buf, size_t bufsz)
{
    int noroute4 = 0, noroute6 = 0, off4 = 0, off6 = 0, filtered = 0;
    for (size_t i = 0; i < obs->naddr_obs; i++) {
        const struct host_addr *a = &obs->addrs[i];
        if (a->role == HOST_ADDR_SKIPPED)
            a->ipv6 ? off6++ : off4++;
        else if (a->no_route)
            a->ipv6 ? noroute6++ : noroute4++;
        else if (a->blocked)
            filtered++;
        else
            return NULL;
    }
    if (obs->naddr_obs == 0)
        return NULL;
    const char *why[5] = {noroute6 ? "no IPv6 route from this machine" : NULL,
                          noroute4 ? "no IPv4 route from this machine" : NULL,
                          off6 ? "IPv6 is off (--ipv4-only)" : NULL,
                          off4 ? "IPv4 is off (--ipv6-only)" : NULL,
                          filtered ? "the other addresses are not public (--public-only)" : NULL};
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < 5; i++)
        if (why[i] != NULL && o < bufsz)
            o += (size_t)snprintf(buf + o, bufsz - o, "%s%s", o ? "; " : "", why[i]);
    return buf;
}

void check_connectivity(const struct host_obs *obs, struct stc_result *host)
{
    char why[256];
    struct stc_result *c = result_add_check(host, CHECK_CONNECTIVITY,
                                            "The MX host resolves, accepts a TCP connection on "
                                            "the SMTP port and greets with 220.");
    if (c == NULL)
        return;
    result_fact_int(c, "addresses", (long long)obs->naddrs);
    if (!obs->resolved) {
        result_msg(c, STC_STATUS_ERROR, "Could not resolve %s: %s", obs->host, obs->dns_err.msg);
        result_recommend(c, "Publish A (and AAAA) records for every MX host name; an MX must "
                            "name a host, never a CNAME target chain that ends nowhere.");
        return;
    }
    if (obs->blocked > 0)
        result_fact_int(c, "addresses_refused", (long long)obs->blocked);
    if (!obs->connected && obs->blocked == obs->naddrs) {
        /* The address filter (public addresses only) refused every address:
         * nothing was sent, so nothing is known about this host. */
        result_fact_bool(c, "address_refused", 1);
        result_msg(c, STC_STATUS_ERROR, "%s: %s", obs->host, obs->blocked_err.msg);
        result_recommend(c, "If %s receives mail from the Internet, publish its public "
                            "address in its A (and AAAA) records: senders cannot reach a "
                            "private, loopback or reserved address.",
                         obs->host);
        return;
    }
    if (!obs->connected && untestable(obs, why, sizeof why) != NULL) {
        result_msg(c, STC_STATUS_ERROR, "Not tested: %s: %s", obs->host, why);
        result_fact_bool(c, "not_tested", 1);
        result_recommend(c, "Nothing is known to be wrong with %s: check it from a network "
                            "that reaches its addresses (with IPv6, or without --ipv4-only / "
                            "--ipv6-only).",
                         obs->host);
        return;
    }
    if (!obs->connected) {
        result_msg(c, STC_STATUS_ERROR, "Could not connect to %s: %s", obs->host,
                   obs->conn_err.msg);
        result_recommend(c, "Let %s accept connections on port 25 from the Internet (firewall; "
                            "Postfix: inet_interfaces = all; Exim: local_interfaces), or remove "
                            "it from the MX records if it no longer receives mail.",
                         obs->host);
        return;
    }
    result_fact_str(c, "address", obs->address);
    if (obs->throttled) {
        result_msg(c, STC_STATUS_ERROR,
                   "%s is throttling connections (421: %s); this is rate limiting, not a "
                   "STARTTLS problem: check again later",
                   obs->host, obs->banner);
        result_fact_bool(c, "throttled", 1);
        result_recommend(c, FIX_THROTTLE);
        return;
    }
    if (!obs->banner_ok) {
        result_msg(c, STC_STATUS_ERROR, "Connected to %s but got no SMTP greeting: %s",
                   obs->address, obs->session_err.msg);
        result_recommend(c, "Make the SMTP server on %s send its 220 greeting within seconds "
                            "(Postfix: check master.cf and postscreen_greet_wait; Exim: "
                            "smtp_banner, and that no proxy holds the connection open).",
                         obs->host);
        return;
    }
    result_fact_str(c, "banner", obs->banner);
}
