/*
 * NAME
 *     fuzz_tlsrpt - libFuzzer harness for the TLS-RPT TXT record parser (src/mtasts/tlsrpt.c)
 * DESCRIPTION
 *     The input is one joined _smtp._tls TXT record (exact-size buffer).
 *     Checked: STC_OK exactly when no finding is an error; then the record
 *     starts "v=TLSRPTv1" and holds 1..16 report URIs; every kept URI is
 *     NUL-free, passes tlsrpt_uri_valid and starts mailto: or https:
 *     (any case); findings well formed; deterministic; tlsrpt_record_free
 *     releases everything (LSan). tlsrpt_uri_valid is also fed the whole
 *     input as one URI: it must set a reason when it says no.
 */
#include "fuzz_mtasts_common.h"

#include "mtasts/tlsrpt.h"

#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *rec = malloc(size ? size : 1);
    FUZZ_CHECK(rec != NULL);
    if (size)
        memcpy(rec, data, size);

    struct tlsrpt_record a, b;
    struct stc_err ea, eb;
    stc_err_clear(&ea);
    stc_err_clear(&eb);
    stc_rc ra = tlsrpt_parse(rec, size, &a, &ea);
    stc_rc rb = tlsrpt_parse(rec, size, &b, &eb);
    FUZZ_CHECK(ra == rb && strcmp(ea.msg, eb.msg) == 0);
    FUZZ_CHECK(a.nrua == b.nrua && fuzz_findings_equal(&a.fx, &b.fx));
    for (size_t i = 0; i < a.nrua; i++)
        FUZZ_CHECK(strcmp(a.rua[i], b.rua[i]) == 0);
    fuzz_check_findings(&a.fx, ra, &ea);

    FUZZ_CHECK(a.nrua <= TLSRPT_RUA_MAX);
    if (ra == STC_OK) {
        FUZZ_CHECK(tlsrpt_is_record(rec, size));
        FUZZ_CHECK(a.nrua >= 1);
    }
    for (size_t i = 0; i < a.nrua; i++) {
        const char *u = a.rua[i];
        const char *why = NULL;
        FUZZ_CHECK(u != NULL);
        FUZZ_CHECK(tlsrpt_uri_valid(u, strlen(u), &why) == 1);
        FUZZ_CHECK(strncasecmp(u, "mailto:", 7) == 0 || strncasecmp(u, "https:", 6) == 0);
        FUZZ_CHECK(fuzz_printable(u, strlen(u)));
    }

    const char *why = NULL;
    int ok = tlsrpt_uri_valid(rec, size, &why);
    FUZZ_CHECK(ok == 0 || ok == 1);
    FUZZ_CHECK(why != NULL);
    if (!ok)
        FUZZ_CHECK(why[0] != '\0');
    FUZZ_CHECK(tlsrpt_uri_valid(rec, size, NULL) == ok);

    tlsrpt_record_free(&a);
    tlsrpt_record_free(&b);
    FUZZ_CHECK(a.nrua == 0);
    free(rec);
    return 0;
}
