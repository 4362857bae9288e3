/*
 * NAME
 *     fuzz_result_json - libFuzzer harness for reading results back from JSON
 *     (src/result/result_parse.c) and the HTML domain report over them
 * DESCRIPTION
 *     The input is one line of a scan's JSON Lines output, as `starttls-check
 *     report` reads it from a file it did not write. Checked: parsing is
 *     deterministic (same code, same tree shape); a tree comes back exactly
 *     on STC_OK; the tree serialises again, in both modes, to exactly the
 *     bytes (or the same error) of the former jansson-based serializer, the
 *     test oracle tests/unit/json_reference.c; a domain tree renders as HTML in
 *     which no '<' follows from the input unescaped (every "<script" in the
 *     page is ours: none, the domain report has no script); everything is
 *     freed (LSan).
 */
#include "fuzz_common.h"

#include <starttls/json.h>
#include <starttls/report.h>

#include "json_reference.h"

/* The library's writer and the oracle agree byte for byte, or fail alike. */
static void same_json(const struct stc_result *r, unsigned flags)
{
    char why[1024];
    int agrees = json_reference_agrees(r, flags, why, sizeof why);
    if (!agrees)
        fprintf(stderr, "%s\n", why);
    FUZZ_CHECK(agrees);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct stc_result *a = NULL, *b = NULL;
    struct stc_err ea, eb;
    stc_err_clear(&ea);
    stc_err_clear(&eb);
    stc_rc ra = stc_result_from_json((const char *)data, size, &a, &ea);
    stc_rc rb = stc_result_from_json((const char *)data, size, &b, &eb);
    FUZZ_CHECK(ra == rb && strcmp(ea.msg, eb.msg) == 0);
    FUZZ_CHECK((ra == STC_OK) == (a != NULL));
    if (ra != STC_OK) {
        FUZZ_CHECK(ea.msg[0] != '\0');
        return 0;
    }
    FUZZ_CHECK(stc_result_child_count(a) == stc_result_child_count(b));
    same_json(a, STC_JSON_COMPACT);
    same_json(a, 0);
    if (stc_result_kind(a) == STC_NODE_DOMAIN) {
        char *page = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&page, &n);
        FUZZ_CHECK(f != NULL);
        struct stc_err eh;
        stc_err_clear(&eh);
        FUZZ_CHECK(stc_report_domain_html(a, f, &eh) == STC_OK);
        FUZZ_CHECK(fclose(f) == 0);
        FUZZ_CHECK(strstr(page, "<script") == NULL);
        FUZZ_CHECK(strstr(page, "<img") == NULL && strstr(page, "<svg") == NULL);
        free(page);
    }
    stc_result_free(a);
    stc_result_free(b);
    return 0;
}
