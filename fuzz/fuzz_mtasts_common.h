/* fuzz_mtasts_common.h - checks on struct mtasts_findings (MTA-STS and TLS-RPT harnesses). */
#ifndef STC_FUZZ_MTASTS_COMMON_H
#define STC_FUZZ_MTASTS_COMMON_H

#include "fuzz_common.h"

#include "mtasts/mtasts.h"

/* Findings are well formed, and rc says STC_E_PARSE exactly when one is an error. */
static inline void fuzz_check_findings(const struct mtasts_findings *fx, stc_rc rc,
                                       const struct stc_err *err)
{
    enum mtasts_sev worst = MTASTS_NOTE;
    FUZZ_CHECK(fx->n <= MTASTS_FINDINGS_MAX);
    FUZZ_CHECK(fx->dropped == 0 || fx->n == MTASTS_FINDINGS_MAX);
    for (size_t i = 0; i < fx->n; i++) {
        const struct mtasts_finding *f = &fx->f[i];
        FUZZ_CHECK(f->sev == MTASTS_NOTE || f->sev == MTASTS_WARN || f->sev == MTASTS_ERR);
        FUZZ_CHECK(fuzz_terminated(f->msg, sizeof f->msg));
        FUZZ_CHECK(f->msg[0] != '\0');
        if (f->sev > worst)
            worst = f->sev;
    }
    FUZZ_CHECK(fx->worst >= worst);
    if (fx->dropped == 0)
        FUZZ_CHECK(fx->worst == worst);
    FUZZ_CHECK((rc == STC_OK) == (fx->worst < MTASTS_ERR));
    FUZZ_CHECK(rc == STC_OK || rc == STC_E_PARSE || rc == STC_E_NOMEM);
    fuzz_check_err(err, rc, STC_OK);
}

static inline int fuzz_findings_equal(const struct mtasts_findings *a,
                                      const struct mtasts_findings *b)
{
    if (a->n != b->n || a->dropped != b->dropped || a->worst != b->worst)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->f[i].sev != b->f[i].sev || strcmp(a->f[i].msg, b->f[i].msg) != 0)
            return 0;
    return 1;
}

#endif
