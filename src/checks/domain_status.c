/*
 * NAME
 *     domain_status - the domain status code (and verdict) from the host
 *     nodes and the domain-level checks
 * SYNOPSIS
 *     #include "checks.h"
 *     stc_domain_status s = domain_status_hosts(root, expected_mx, msg, sizeof msg);
 *     s = domain_status_checks(root, s, msg, sizeof msg);
 * DESCRIPTION
 *     domain_status_hosts: the original checker's rules, over the host
 *     nodes of root in order. Hosts that cannot be connected are reported
 *     but do not count unless none connect (5 could_not_connect; 3 error
 *     "Not tested" when no host could even be tried from this machine: its
 *     connectivity fact "not_tested", no route to the family or the family
 *     off; or every MX name unusable as a host name, its connectivity
 *     fact "name_unusable": nothing could be tried); a
 *     connected host without working STARTTLS gives 4 no_starttls (a
 *     STARTTLS check that could not run, status error, is not a "no
 *     STARTTLS": that host counts with its error); a connected host outside
 *     the expected MX patterns gives 6 bad_hostname; when none connects
 *     and the address filter refused a host's every address (not tested),
 *     3 error rather than 5; otherwise the most
 *     severe connected host's status (0..3). Adds every connected host to
 *     the root's "preferred_hostnames" list (also past an early 4 or 6).
 *
 *     domain_status_checks: a domain-level check (mta_sts, tls-rpt, dane,
 *     policylist) that fails raises success or warning to 2 failure (mail
 *     can be lost: e.g. an enforced MTA-STS policy senders cannot satisfy;
 *     the first failing check names it); else one that could not run
 *     (error) raises them to 3 error (not tested is never a pass); warnings
 *     and advice change nothing. Codes 2..6 stay.
 *
 *     msg gets the one-line verdict for the status returned; it is left
 *     alone when domain_status_checks changes nothing.
 * DIAGNOSTICS
 *     None: statuses are results.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"

int domain_host_connected(const struct stc_result *host)
{
    const struct stc_result *c = stc_result_find(host, CHECK_CONNECTIVITY);
    return c != NULL && stc_result_status(c) == STC_STATUS_SUCCESS;
}

/* Did the address filter refuse every address of the host (not tested)? */
static int host_refused(const struct stc_result *host)
{
    const struct stc_result *c = stc_result_find(host, CHECK_CONNECTIVITY);
    long long b = 0;
    return c != NULL && stc_result_get_int(c, "address_refused", &b) && b;
}

/* Did STARTTLS work on the host (the original's couldSTARTTLS)? */
static int host_starttls(const struct stc_result *host)
{
    const struct stc_result *c = stc_result_find(host, CHECK_STARTTLS);
    long long hs = 0;
    return c != NULL && stc_result_get_int(c, "handshake", &hs) && hs;
}

static int matches_any(const char *host, const char *const *patterns)
{
    for (size_t i = 0; patterns[i] != NULL; i++)
        if (stc_policy_matches(host, patterns[i]))
            return 1;
    return 0;
}

stc_domain_status domain_status_hosts(struct stc_result *root, const char *const *expected,
                                      char *msg, size_t msgsz)
{
    size_t hosts = 0, connected = 0, refused = 0, untested = 0, unusable = 0;
    stc_status worst = STC_STATUS_SUCCESS;
    const char *worst_host = NULL;
    /* Every host that connected, as the original lists them (not only the
     * ones the status loop below reaches before it returns). */
    for (size_t i = 0; i < stc_result_child_count(root); i++) {
        const struct stc_result *h = stc_result_child(root, i);
        if (stc_result_kind(h) == STC_NODE_HOST && domain_host_connected(h))
            result_fact_list_add(root, "preferred_hostnames", stc_result_name(h));
    }
    for (size_t i = 0; i < stc_result_child_count(root); i++) {
        const struct stc_result *h = stc_result_child(root, i);
        if (stc_result_kind(h) != STC_NODE_HOST)
            continue;
        hosts++;
        if (!domain_host_connected(h)) {
            refused += host_refused(h);
            long long nt = 0;
            const struct stc_result *c = stc_result_find(h, CHECK_CONNECTIVITY);
            untested += c != NULL && stc_result_get_int(c, "not_tested", &nt) && nt;
            nt = 0;
            unusable += c != NULL && stc_result_get_int(c, "name_unusable", &nt) && nt;
            continue;
        }
        connected++;
        const struct stc_result *st = stc_result_find(h, CHECK_STARTTLS);
        if (!host_starttls(h) && !(st && stc_result_status(st) == STC_STATUS_ERROR)) {
            long long adv = 0;
            int advertised = st && stc_result_get_int(st, "advertised", &adv) && adv;
            snprintf(msg, msgsz, advertised ? "STARTTLS fails on %s" : "%s does not support STARTTLS",
                     stc_result_name(h));
            return STC_DOMAIN_NO_STARTTLS;
        }
        if (expected != NULL && !matches_any(stc_result_name(h), expected)) {
            snprintf(msg, msgsz, "%s does not match the expected MX hosts", stc_result_name(h));
            return STC_DOMAIN_BAD_HOSTNAME;
        }
        if (stc_result_status(h) > worst) {
            worst = stc_result_status(h);
            worst_host = stc_result_name(h);
        }
    }
    if (connected == 0 && refused > 0) {
        /* Not tested is never a verdict on the domain: an error. */
        if (refused == hosts && hosts == 1)
            snprintf(msg, msgsz, "Not tested: the MX host has no public address");
        else if (refused == hosts)
            snprintf(msg, msgsz, "Not tested: none of the %zu MX hosts has a public address",
                     hosts);
        else
            snprintf(msg, msgsz,
                     "Not tested: %zu of the %zu MX hosts have no public address, the others "
                     "could not be connected",
                     refused, hosts);
        return STC_DOMAIN_ERROR;
    }
    if (connected == 0 && hosts > 0 && unusable == hosts) {
        /* No connection was even possible to try: not tested, not 5. */
        if (hosts == 1)
            snprintf(msg, msgsz, "Not tested: the MX name cannot be used as a host name (see "
                                 "connectivity)");
        else
            snprintf(msg, msgsz, "Not tested: none of the %zu MX names can be used as a host "
                                 "name (see connectivity)",
                     hosts);
        return STC_DOMAIN_ERROR;
    }
    if (connected == 0 && untested + unusable == hosts) {
        /* Not a failure of the domain: this machine could not try. */
        if (hosts == 1)
            snprintf(msg, msgsz, "Not tested: the MX host could not be tried from this "
                                 "machine (see connectivity)");
        else
            snprintf(msg, msgsz, "Not tested: none of the %zu MX hosts could be tried from "
                                 "this machine (see connectivity)",
                     hosts);
        return STC_DOMAIN_ERROR;
    }
    if (connected == 0) {
        if (hosts == 1)
            snprintf(msg, msgsz, "Could not connect to the MX host");
        else
            snprintf(msg, msgsz, "Could not connect to any of the %zu MX hosts", hosts);
        return STC_DOMAIN_COULD_NOT_CONNECT;
    }
    if (worst == STC_STATUS_SUCCESS)
        snprintf(msg, msgsz, "%zu of %zu MX host%s checked: STARTTLS with a valid certificate",
                 connected, hosts, hosts == 1 ? "" : "s");
    else
        snprintf(msg, msgsz, "%s: %s found", worst_host,
                 worst == STC_STATUS_WARNING ? "warnings"
                 : worst == STC_STATUS_ERROR ? "checks that could not run"
                                             : "problems");
    return (stc_domain_status)worst;
}

stc_domain_status domain_status_checks(const struct stc_result *root, stc_domain_status status,
                                       char *msg, size_t msgsz)
{
    const struct stc_result *failed = NULL, *not_run = NULL;
    if (status > STC_DOMAIN_WARNING)
        return status;
    for (size_t i = 0; i < stc_result_child_count(root); i++) {
        const struct stc_result *c = stc_result_child(root, i);
        if (stc_result_kind(c) != STC_NODE_CHECK)
            continue;
        if (stc_result_status(c) == STC_STATUS_FAILURE && failed == NULL)
            failed = c;
        else if (stc_result_status(c) == STC_STATUS_ERROR && not_run == NULL)
            not_run = c;
    }
    if (failed != NULL) {
        snprintf(msg, msgsz, "%s check failed", stc_result_name(failed));
        return STC_DOMAIN_FAILURE;
    }
    if (not_run != NULL) {
        snprintf(msg, msgsz, "%s check could not run", stc_result_name(not_run));
        return STC_DOMAIN_ERROR;
    }
    return status;
}
