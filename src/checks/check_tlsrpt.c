/*
 * NAME
 *     check_tlsrpt - the "tls-rpt" domain check (RFC 8460)
 * SYNOPSIS
 *     check_tlsrpt(&txt_obs, domain, root);
 * DESCRIPTION
 *     Judges the TXT RRset at _smtp._tls.DOMAIN (looked up by
 *     tlsrpt_observe, src/mtasts/mtasts_obs.c); records not starting with v=TLSRPTv1
 *     are ignored (and shown). Status rules (docs/checks-mtasts.md):
 *     no TLS-RPT record: warning, with the record to publish as the
 *     recommendation; more than one: failure (senders then use none);
 *     a record senders reject (syntax, no rua, a bad URI): failure with
 *     the reason; a DNSSEC-bogus answer: failure; a lookup that fails:
 *     error. Repeated fields and white space the grammar does not allow are
 *     warnings. Facts: record (str), rua (list of the valid URIs).
 * LIMITS
 *     A pure judge: the lookup and its time budget are tlsrpt_observe's.
 * DIAGNOSTICS
 *     None returned; see the status rules.
 */
#include <stdio.h>
#include <string.h>

#include "../mtasts/mtasts_obs.h"
#include "../mtasts/tlsrpt.h"
#include "../util/limits.h"
#include "checks.h"

static void add_findings(struct stc_result *c, const struct mtasts_findings *fx, const char *domain)
{
    if (fx->worst == MTASTS_WARN)
        result_recommend(c,
                         "Write the record exactly as RFC 8460 3 has it: \"v=TLSRPTv1;"
                         " rua=mailto:tls-reports@%s\", fields separated by \";\", each field once",
                         domain);
    for (size_t i = 0; i < fx->n; i++) {
        const struct mtasts_finding *f = &fx->f[i];
        if (f->sev == MTASTS_ERR)
            result_msg(c, STC_STATUS_FAILURE, "%s", f->msg);
        else if (f->sev == MTASTS_WARN)
            result_msg(c, STC_STATUS_WARNING, "%s", f->msg);
        else
            result_note(c, "%s", f->msg);
    }
    if (fx->dropped > 0)
        result_note(c, "%zu more finding%s not listed", fx->dropped, fx->dropped == 1 ? "" : "s");
}

static void parse_one(struct stc_result *c, const char *domain, const char *rec)
{
    struct tlsrpt_record r;
    struct stc_err e = {STC_OK, ""};
    result_fact_str(c, "record", rec);
    stc_rc rc = tlsrpt_parse(rec, strnlen(rec, STC_TXT_MAX + 1), &r, &e);
    add_findings(c, &r.fx, domain);
    result_fact_list(c, "rua");
    for (size_t i = 0; i < r.nrua; i++)
        result_fact_list_add(c, "rua", r.rua[i]);
    if (rc == STC_E_NOMEM) {
        result_msg(c, STC_STATUS_ERROR, "out of memory parsing the TLS-RPT record");
    } else if (rc != STC_OK) {
        result_msg(c, STC_STATUS_FAILURE, "senders ignore the record, so they send no TLS reports");
        result_recommend(c,
                         "Publish the record as \"v=TLSRPTv1; rua=mailto:tls-reports@%s\""
                         " (several URIs separated by commas; mailto: or https:)",
                         domain);
    } else {
        for (size_t i = 0; i < r.nrua; i++)
            result_note(c, "TLS reports go to %s", r.rua[i]);
    }
    tlsrpt_record_free(&r);
}

void check_tlsrpt(const struct txt_obs *o, const char *domain, struct stc_result *root)
{
    struct stc_result *c = result_add_check(
        root, CHECK_TLSRPT,
        "Does the domain publish one valid TLS-RPT record (RFC 8460) so senders report TLS"
        " failures?");
    const char *name = o->name;
    const struct dns_txt_set *set = &o->set;
    size_t nrpt = 0, pick = 0;
    if (c == NULL)
        return;

    if (!o->ok) {
        result_msg(c, STC_STATUS_ERROR, "could not look up TXT %s: %s", name, o->err.msg);
        result_recommend(c,
                         "Make the name servers of %s answer TXT queries for %s (with the"
                         " record, or NXDOMAIN/NODATA), then check again",
                         domain, name);
        goto out;
    }
    if (set->st.sec == DNS_BOGUS) {
        check_txt_bogus(c, name, set->st.why_bogus, "record");
        goto out;
    }
    for (size_t i = 0; i < set->n; i++) {
        if (tlsrpt_is_record(set->txt[i], strnlen(set->txt[i], STC_TXT_MAX + 1))) {
            if (nrpt++ == 0)
                pick = i;
        } else {
            result_note(c, "TXT record at %s that is not TLS-RPT, ignored: \"%s\"", name,
                        set->txt[i]);
        }
    }
    if (nrpt == 0) {
        result_msg(c, STC_STATUS_WARNING,
                   "no TLS-RPT record at %s: senders will not tell you when TLS to your MX hosts"
                   " fails",
                   name);
        result_recommend(c, "Publish the TXT record %s \"v=TLSRPTv1; rua=mailto:tls-reports@%s\"",
                         name, domain);
        goto out;
    }
    if (nrpt > 1) {
        result_msg(c, STC_STATUS_FAILURE,
                   "%s has %zu records starting with v=TLSRPTv1: senders need exactly one, so they"
                   " send no reports",
                   name, nrpt);
        for (size_t i = 0; i < set->n; i++)
            if (tlsrpt_is_record(set->txt[i], strnlen(set->txt[i], STC_TXT_MAX + 1)))
                result_note(c, "TLS-RPT record: \"%s\"", set->txt[i]);
        result_recommend(c, "Keep one record and list every report URI in its rua field,"
                            " separated by commas");
        goto out;
    }
    parse_one(c, domain, set->txt[pick]);
out:
    result_rollup(c);
}
