/*
 * NAME
 *     check_addresses - does every address of the host, IPv4 and IPv6, serve senders alike?
 * SYNOPSIS
 *     check_addresses(&obs, host);
 * DESCRIPTION
 *     A sender picks any address of an MX host, and many prefer IPv6. The
 *     host's other checks judge the first address that connected (the full
 *     check, obs->addrs[i].role HOST_ADDR_FULL); this node has one child per
 *     other address tried, named by the address, judged against it:
 *       - no connection or no greeting while the full address works:
 *         warning (senders preferring that address are delayed or fall
 *         back; those with only that family cannot deliver);
 *       - STARTTLS missing or failing while it works on the full address:
 *         failure (mail landing there travels in plaintext);
 *       - a certificate that does not verify while the full address's does:
 *         failure; a version below TLS 1.2 while the full one negotiates
 *         1.2 or later: warning;
 *       - a 421 (throttling) on the extra connection: noted, not judged.
 *     Addresses not tested (this machine has no route to them, or their
 *     family is off with --ipv4-only/--ipv6-only) are no children: they
 *     are listed in the fact "not_tested" and a message says why; they
 *     never count as a failure of the host. Facts: "ipv4", "ipv6" (all
 *     addresses), "full_check" (the fully checked address), "tested" (int),
 *     "not_tested" (list, "ADDRESS: reason"). Each child: "family",
 *     "role" ("full" or "session"), "connected", "starttls", "handshake",
 *     "tls_version", "cipher", "certificate_valid".
 * LIMITS
 *     A pure judge: it reads obs->addrs (src/probe/host_obs.h, at most
 *     2 x STC_ADDR_MAX addresses) and does no I/O.
 * DIAGNOSTICS
 *     None returned: a judge cannot fail. An allocation failure marks the
 *     tree (result_oom), which the checker turns into STC_E_NOMEM.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "../probe/host_obs.h"

#define DESCRIPTION                                                                                \
    "Every address of the host, IPv4 and IPv6, accepts SMTP and offers STARTTLS with a valid "   \
    "certificate, like the fully checked one."

static const char *family(const struct host_addr *a)
{
    return a->ipv6 ? "IPv6" : "IPv4";
}

/* Why an address was not tested, or NULL when it was. */
static const char *not_tested(const struct host_addr *a)
{
    if (a->role == HOST_ADDR_SKIPPED)
        return a->ipv6 ? "IPv6 is off (--ipv4-only)" : "IPv4 is off (--ipv6-only)";
    if (a->blocked)
        return "not a public address (--public-only)";
    if (a->no_route)
        return a->ipv6 ? "no IPv6 route from this machine" : "no IPv4 route from this machine";
    if (!a->tried)
        return "no time left";
    return NULL;
}

static void facts(struct stc_result *n, const struct host_addr *a)
{
    result_fact_str(n, "family", family(a));
    result_fact_str(n, "role", a->role == HOST_ADDR_FULL ? "full" : "session");
    result_fact_bool(n, "connected", a->connected);
    if (!a->connected)
        return;
    result_fact_bool(n, "starttls", a->advertised);
    result_fact_bool(n, "handshake", a->handshake_ok);
    if (a->handshake_ok) {
        result_fact_str(n, "tls_version", a->version);
        result_fact_str(n, "cipher", a->cipher);
        result_fact_bool(n, "certificate_valid",
                         a->cert_problem == TLS_CERT_OK || a->dane_authenticated);
    }
}

static int cert_ok(const struct host_addr *a)
{
    return a->cert_problem == TLS_CERT_OK || a->dane_authenticated;
}

/* Judge one address that got its own session against the full one (NULL
 * when no address connected). */
static void judge(struct stc_result *n, const struct host_addr *a, const struct host_addr *full,
                  const char *host)
{
    const char *other = full != NULL ? full->address : NULL;
    if (!a->connected) {
        if (full == NULL) {
            result_msg(n, STC_STATUS_ERROR, "Could not connect: %s", a->err.msg);
            result_recommend(n, "Let %s accept connections on port 25 at %s (firewall; Postfix: "
                                "inet_interfaces = all; Exim: local_interfaces), or remove the "
                                "%s record if it no longer receives mail.",
                             host, a->address, a->ipv6 ? "AAAA" : "A");
            return;
        }
        result_msg(n, STC_STATUS_WARNING,
                   "Could not connect over %s (%s) while %s works: senders that try this "
                   "address first are delayed or fall back, and senders with only %s cannot "
                   "deliver",
                   family(a), a->err.msg, other, family(a));
        result_recommend(n, "Make %s accept SMTP on port 25 at %s like at %s (listen on the "
                            "address: Postfix inet_interfaces/inet_protocols = all, Exim "
                            "local_interfaces; open the firewall for %s), or remove the %s record.",
                         host, a->address, other, family(a), a->ipv6 ? "AAAA" : "A");
        return;
    }
    if (full == NULL) /* the first address that connects is the full one: not reached */
        return;
    if (a->throttled) {
        result_note(n, "%s answered 421 (throttling) to this extra connection; not judged",
                    a->address);
        return;
    }
    if (!a->banner_ok || !a->ehlo_ok) {
        result_msg(n, STC_STATUS_WARNING, "No SMTP session at %s: %s", a->address, a->err.msg);
        result_recommend(n, "Make the SMTP server at %s greet and answer EHLO as it does at %s.",
                         a->address, other);
        return;
    }
    if (!full->handshake_ok) {
        result_note(n, "STARTTLS does not work on %s either; see the host's starttls check",
                    other);
        return;
    }
    if (!a->handshake_ok) {
        result_msg(n, STC_STATUS_FAILURE,
                   a->advertised ? "STARTTLS fails at %s (%s) while it works at %s: mail that "
                                   "lands here travels in plaintext or bounces"
                                 : "STARTTLS is not offered at %s%s while it works at %s: mail "
                                   "that lands here travels in plaintext",
                   a->address, a->advertised ? a->err.msg : "", other);
        result_recommend(n, "Give the SMTP server at %s the same TLS configuration as at %s "
                            "(certificate, key, STARTTLS enabled).",
                         a->address, other);
        return;
    }
    if (!cert_ok(a) && cert_ok(full)) {
        result_msg(n, STC_STATUS_FAILURE,
                   "The certificate at %s does not verify (%s) while the one at %s does",
                   a->address, check_cert_problem_text((int)a->cert_problem), other);
        result_recommend(n, "Serve the same valid certificate chain at %s as at %s.", a->address,
                         other);
    }
    if (a->tls_version < TLS_V_1_2 && full->tls_version >= TLS_V_1_2) {
        result_msg(n, STC_STATUS_WARNING, "%s negotiates %s while %s negotiates %s", a->address,
                   a->version, other, full->version);
        result_recommend(n, "Enable TLS 1.2 and 1.3 at %s as at %s.", a->address, other);
    }
    if (stc_result_message_count(n) == 0)
        result_note(n, "STARTTLS with %s and %s certificate, as at %s", a->version,
                    cert_ok(a) ? "a valid" : "the same kind of", other);
}

void check_addresses(const struct host_obs *obs, struct stc_result *host)
{
    if (obs->naddr_obs == 0)
        return;
    struct stc_result *c = result_add_check(host, "addresses", DESCRIPTION);
    if (c == NULL)
        return;
    const struct host_addr *full = NULL;
    for (size_t i = 0; i < obs->naddr_obs; i++)
        if (obs->addrs[i].role == HOST_ADDR_FULL)
            full = &obs->addrs[i];
    result_fact_list(c, "ipv4");
    result_fact_list(c, "ipv6");
    result_fact_list(c, "not_tested");
    if (full != NULL)
        result_fact_str(c, "full_check", full->address);
    long long tested = 0;
    stc_status worst = STC_STATUS_SUCCESS;
    for (size_t i = 0; i < obs->naddr_obs; i++) {
        const struct host_addr *a = &obs->addrs[i];
        result_fact_list_add(c, a->ipv6 ? "ipv6" : "ipv4", a->address);
        const char *why = not_tested(a);
        if (why != NULL) {
            char item[128];
            snprintf(item, sizeof item, "%s: %s", a->address, why);
            result_fact_list_add(c, "not_tested", item);
            result_note(c, "Not tested: %s (%s)", a->address, why);
            continue;
        }
        tested++;
        struct stc_result *n = result_add_check(c, a->address, "One address of the host");
        if (n == NULL)
            return;
        facts(n, a);
        if (a->role == HOST_ADDR_FULL)
            result_note(n, "Fully checked here: see the host's other checks");
        else
            judge(n, a, full, obs->host);
        if (stc_result_status(n) > worst)
            worst = stc_result_status(n);
        if (stc_result_status(n) > STC_STATUS_SUCCESS && stc_result_message_count(n) > 0)
            result_msg(c, stc_result_status(n), "%s: %s", a->address, stc_result_message(n, 0));
    }
    result_fact_int(c, "tested", tested);
    if (tested > 1 && worst == STC_STATUS_SUCCESS)
        result_verdict(c, "All %lld tested addresses serve senders alike", tested);
}
