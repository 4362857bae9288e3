/*
 * NAME
 *     fuzz_mtasts_policy - libFuzzer harness for the MTA-STS policy parser
 *                          (src/mtasts/mtasts_policy.c, mtasts_match.c, mtasts_comply.c)
 * DESCRIPTION
 *     The input is a policy body as fetched over HTTPS (exact-size buffer,
 *     no NUL terminator). Checked:
 *       STC_OK exactly when no finding is an error; then mode is set,
 *       max_age is 0..31557600 and enforce/testing have at least one mx;
 *       max_age is -1 or 0..31557600 whatever the result;
 *       every kept mx is a valid pattern (mtasts_pattern_valid), NUL-free,
 *       listed once, and matches itself, its upper-case form and (for
 *       "*.rest") the host "x.rest"; mtasts_host_violations agrees;
 *       the parse is deterministic; mtasts_policy_free releases all (LSan).
 */
#include "fuzz_mtasts_common.h"

#include <ctype.h>

static void check_mx(const struct mtasts_policy *p)
{
    for (size_t i = 0; i < p->nmx; i++) {
        const char *m = p->mx[i];
        size_t n = strlen(m);
        const char *why = NULL;
        FUZZ_CHECK(mtasts_pattern_valid(m, n, &why) == 1);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(p->mx[j], m) != 0);
        FUZZ_CHECK(mtasts_pattern_match(m, n, m, n));
        char up[300];
        FUZZ_CHECK(n < sizeof up);
        for (size_t k = 0; k <= n; k++)
            up[k] = (char)toupper((unsigned char)m[k]);
        FUZZ_CHECK(mtasts_pattern_match(up, n, m, n));
        FUZZ_CHECK(mtasts_pattern_match(m, n, up, n));
        if (m[0] == '*' && n - 1 + 1 <= STC_DOMAIN_MAX) {
            char host[300];
            snprintf(host, sizeof host, "x%s", m + 1);
            FUZZ_CHECK(mtasts_pattern_match(host, n, m, n));
            /* Two labels in front of the suffix never match. */
            snprintf(host, sizeof host, "y.x%s", m + 1);
            FUZZ_CHECK(!mtasts_pattern_match(host, strlen(host), m, n));
            struct mtasts_host h = {host + 2, 1, 1, 0x0304, 1, 1, 1, 100};
            FUZZ_CHECK(mtasts_host_violations(p->mx, p->nmx, &h) == 0);
        } else if (m[0] != '*') {
            struct mtasts_host h = {m, 1, 0, 0, -1, -1, -1, 0};
            FUZZ_CHECK(mtasts_host_violations(p->mx, p->nmx, &h) == MTASTS_V_STARTTLS);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *body = malloc(size ? size : 1);
    FUZZ_CHECK(body != NULL);
    if (size)
        memcpy(body, data, size);

    struct mtasts_policy a, b;
    struct stc_err ea, eb;
    stc_err_clear(&ea);
    stc_err_clear(&eb);
    stc_rc ra = mtasts_policy_parse(body, size, &a, &ea);
    stc_rc rb = mtasts_policy_parse(body, size, &b, &eb);
    free(body);

    FUZZ_CHECK(ra == rb && strcmp(ea.msg, eb.msg) == 0);
    FUZZ_CHECK(a.mode == b.mode && a.max_age == b.max_age && a.nmx == b.nmx);
    for (size_t i = 0; i < a.nmx; i++)
        FUZZ_CHECK(strcmp(a.mx[i], b.mx[i]) == 0);
    FUZZ_CHECK(fuzz_findings_equal(&a.fx, &b.fx));
    fuzz_check_findings(&a.fx, ra, &ea);

    FUZZ_CHECK(a.max_age == -1 || (a.max_age >= 0 && a.max_age <= STC_MTASTS_MAX_AGE_MAX));
    FUZZ_CHECK(a.nmx == 0 || a.mx != NULL);
    if (ra == STC_OK) {
        FUZZ_CHECK(a.mode != MTASTS_MODE_UNSET);
        FUZZ_CHECK(a.max_age >= 0);
        FUZZ_CHECK(a.mode == MTASTS_MODE_NONE || a.nmx >= 1);
        FUZZ_CHECK(size > 0 && size <= STC_MTASTS_POLICY_MAX);
    }
    const char *mn = mtasts_mode_name(a.mode);
    FUZZ_CHECK(mn != NULL && (a.mode == MTASTS_MODE_UNSET) == (mn[0] == '\0'));
    check_mx(&a);

    mtasts_policy_free(&a);
    mtasts_policy_free(&b);
    FUZZ_CHECK(a.mx == NULL && a.nmx == 0);
    mtasts_policy_free(&a); /* safe after free */
    return 0;
}
