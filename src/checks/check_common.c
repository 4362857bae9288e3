/*
 * NAME
 *     check_common - findings that several checks report the same way
 * SYNOPSIS
 *     check_txt_bogus(node, "_mta-sts.example.com", why, "policy");
 *     check_probe_not_tested(node, &obs->legacy, "TLS 1.0 and 1.1");
 * DESCRIPTION
 *     A TXT answer that fails DNSSEC validation means validating senders see
 *     nothing at all; the finding and its fix are the same for MTA-STS and
 *     TLS-RPT, so they live here once.
 *
 *     A probe connection that got no TLS answer (421, timeout, reset,
 *     refused connect) leaves its part of the version or cipher check "not
 *     tested": an error with the reason, never a pass; fact "throttled"
 *     when the reason was a 421, so that bulk scans retry the host.
 * LIMITS
 *     The DNSSEC reason is quoted as the resolver gave it (censored by the
 *     result tree).
 * DIAGNOSTICS
 *     None returned: a judge cannot fail. What the server did wrong is the
 *     node's status and messages; an allocation failure marks the tree
 *     (result_oom), which the checker turns into STC_E_NOMEM.
 */
#include "checks.h"
#include "../probe/host_obs.h"

void check_txt_bogus(struct stc_result *c, const char *name, const char *why, const char *what)
{
    result_msg(c, STC_STATUS_FAILURE,
               "the TXT answer for %s fails DNSSEC validation (%s): validating senders see no %s",
               name, why, what);
    result_recommend(c,
                     "Repair the DNSSEC chain of %s (expired signatures, a DS record that"
                     " matches no DNSKEY, missing RRSIGs); check with delv or dnsviz",
                     name);
}

void check_probe_not_tested(struct stc_result *c, const struct host_probe *p, const char *what)
{
    result_msg(c, STC_STATUS_ERROR, "%s not tested: the probe connection got no TLS answer (%s)",
               what, p->err.msg[0] ? p->err.msg : "it did not run");
    if (p->throttled) {
        result_fact_bool(c, "throttled", 1);
        result_recommend(c, "Nothing is known to be wrong: the host limits connections (421), so "
                            "this probe could not run; check again later, or scan with a longer "
                            "--retry-delay.");
    } else {
        result_recommend(c, "Check again later: the probe connection failed for a reason that "
                            "says nothing about TLS (see the message).");
    }
}
