/*
 * NAME
 *     fuzz_dns_name - libFuzzer harness for dns_name_normalize (src/dns/dns_name.c)
 * DESCRIPTION
 *     The first byte picks allow_underscore (bit 0); the rest, cut at its
 *     first NUL, is the name (a C string, as the CLI and the CSV reader
 *     pass it; libidn2 sees non-ASCII and "xn--" names). Checked:
 *       STC_OK    out is 1..253 bytes of [a-z0-9-] (and '_' when allowed),
 *                 labels 1..63 bytes not starting or ending with '-', no
 *                 trailing dot; normalizing out again gives out (idempotent);
 *                 a name valid without underscores is valid, and the same,
 *                 with them allowed.
 *       failure   STC_E_INVAL (or STC_E_NOMEM) with a printable message,
 *                 out is "".
 *       always    deterministic; a too-small output buffer is refused.
 */
#include "fuzz_common.h"

#include "dns/dns.h"
#include "util/limits.h"

static void check_ok(const char *out, int us)
{
    size_t n = strlen(out);
    FUZZ_CHECK(n >= 1 && n <= STC_DOMAIN_MAX);
    FUZZ_CHECK(out[n - 1] != '.');
    size_t label = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = out[i];
        if (c == '.' || c == '\0') {
            FUZZ_CHECK(label >= 1 && label <= STC_LABEL_MAX);
            FUZZ_CHECK(out[i - 1] != '-');
            label = 0;
            continue;
        }
        FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                   (us && c == '_'));
        FUZZ_CHECK(!(label == 0 && c == '-'));
        label++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int us = data[0] & 1;
    char *in = fuzz_cstr(data + 1, size - 1);
    char a[STC_DOMAIN_MAX + 1], b[STC_DOMAIN_MAX + 1];
    struct stc_err ea, eb;
    stc_err_clear(&ea);
    stc_err_clear(&eb);
    memset(a, 'A', sizeof a);
    stc_rc ra = dns_name_normalize(in, us, a, sizeof a, &ea);
    stc_rc rb = dns_name_normalize(in, us, b, sizeof b, &eb);
    FUZZ_CHECK(ra == rb && strcmp(ea.msg, eb.msg) == 0);
    fuzz_check_err(&ea, ra, STC_OK);
    FUZZ_CHECK(fuzz_terminated(a, sizeof a));
    if (ra != STC_OK) {
        FUZZ_CHECK(ra == STC_E_INVAL || ra == STC_E_NOMEM);
        FUZZ_CHECK(a[0] == '\0');
    } else {
        FUZZ_CHECK(strcmp(a, b) == 0);
        check_ok(a, us);
        /* Idempotent. */
        char c[STC_DOMAIN_MAX + 1];
        struct stc_err ec;
        stc_err_clear(&ec);
        stc_rc rc = dns_name_normalize(a, us, c, sizeof c, &ec);
        if (rc != STC_OK || strcmp(a, c) != 0)
            fprintf(stderr, "not idempotent: \"%s\" -> %s \"%s\" %s\n", a, stc_rc_name(rc), c,
                    ec.msg);
        FUZZ_CHECK(rc == STC_OK && strcmp(a, c) == 0);
        if (!us) {
            stc_err_clear(&ec);
            FUZZ_CHECK(dns_name_normalize(in, 1, c, sizeof c, &ec) == STC_OK);
            FUZZ_CHECK(strcmp(a, c) == 0);
        }
    }
    /* The output buffer must hold any valid name. */
    char small[STC_DOMAIN_MAX];
    struct stc_err es;
    stc_err_clear(&es);
    FUZZ_CHECK(dns_name_normalize(in, us, small, sizeof small, &es) == STC_E_INVAL);
    free(in);
    return 0;
}
