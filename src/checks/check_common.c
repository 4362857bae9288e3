/*
 * NAME
 *     check_common - findings that several checks report the same way
 * SYNOPSIS
 *     check_txt_bogus(node, "_mta-sts.example.com", why, "policy");
 * DESCRIPTION
 *     A TXT answer that fails DNSSEC validation means validating senders see
 *     nothing at all; the finding and its fix are the same for MTA-STS and
 *     TLS-RPT, so they live here once.
 */
#include "checks.h"

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
