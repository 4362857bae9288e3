/*
 * NAME
 *     fuzz_mtasts_txt - libFuzzer harness for the _mta-sts TXT record (src/mtasts/mtasts_txt.c)
 * DESCRIPTION
 *     The input is one joined TXT record (not NUL-terminated: an exact-size
 *     buffer, so ASan sees any read past the end). Checked:
 *       mtasts_txt_parse   STC_OK exactly when no finding is an error; then
 *                          the record starts "v=STSv1" and id is 1..32
 *                          letters/digits; findings well formed; an error
 *                          message printable; deterministic.
 *       mtasts_kv_split    with a small and the full field cap: count <=
 *                          cap, each key/value inside the record, key a
 *                          valid name, "=" between them, no ';' in either.
 *       mtasts_ext_value_ok  agrees with a direct reading of its grammar.
 */
#include "fuzz_mtasts_common.h"

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static void check_split(const char *rec, size_t n, size_t max)
{
    struct mtasts_kv kv[MTASTS_KV_MAX];
    struct mtasts_findings fx;
    size_t count = 12345;
    mtasts_findings_init(&fx);
    mtasts_kv_split(rec, n, kv, max, &count, &fx);
    FUZZ_CHECK(count <= max);
    if (n == 0)
        FUZZ_CHECK(count == 0 && fx.worst == MTASTS_ERR);
    for (size_t i = 0; i < count; i++) {
        FUZZ_CHECK(kv[i].key >= rec && kv[i].key + kv[i].klen <= rec + n);
        FUZZ_CHECK(kv[i].val == kv[i].key + kv[i].klen + 1);
        FUZZ_CHECK(kv[i].val + kv[i].vlen <= rec + n);
        FUZZ_CHECK(kv[i].val[-1] == '=');
        FUZZ_CHECK(kv[i].klen >= 1 && kv[i].klen <= 32 && is_alnum(kv[i].key[0]));
        for (size_t j = 0; j < kv[i].klen; j++)
            FUZZ_CHECK(is_alnum(kv[i].key[j]) || strchr("_-.", kv[i].key[j]) != NULL);
        FUZZ_CHECK(memchr(kv[i].val, ';', kv[i].vlen) == NULL);
        if (i > 0)
            FUZZ_CHECK(kv[i].key > kv[i - 1].val + kv[i - 1].vlen);
    }
    /* A clean split of a non-empty record finds at least one field. */
    if (fx.worst < MTASTS_ERR)
        FUZZ_CHECK(count >= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *rec = malloc(size ? size : 1);
    FUZZ_CHECK(rec != NULL);
    if (size)
        memcpy(rec, data, size);

    struct mtasts_txt a, b;
    struct stc_err ea, eb;
    stc_err_clear(&ea);
    stc_err_clear(&eb);
    stc_rc ra = mtasts_txt_parse(rec, size, &a, &ea);
    stc_rc rb = mtasts_txt_parse(rec, size, &b, &eb);
    FUZZ_CHECK(ra == rb && strcmp(ea.msg, eb.msg) == 0);
    FUZZ_CHECK(strcmp(a.id, b.id) == 0 && fuzz_findings_equal(&a.fx, &b.fx));
    fuzz_check_findings(&a.fx, ra, &ea);
    FUZZ_CHECK(ra == STC_OK || ra == STC_E_PARSE);
    FUZZ_CHECK(fuzz_terminated(a.id, sizeof a.id));
    if (ra == STC_OK) {
        size_t il = strlen(a.id);
        FUZZ_CHECK(mtasts_txt_is_sts(rec, size));
        FUZZ_CHECK(il >= 1 && il <= STC_MTASTS_ID_MAX);
        for (size_t i = 0; i < il; i++)
            FUZZ_CHECK(is_alnum(a.id[i]));
    }

    check_split(rec, size, MTASTS_KV_MAX);
    check_split(rec, size, 2);

    int ok = size > 0;
    for (size_t i = 0; i < size && ok; i++) {
        unsigned char c = (unsigned char)rec[i];
        ok = c >= 0x21 && c <= 0x7e && c != '=' && c != ';';
    }
    FUZZ_CHECK(mtasts_ext_value_ok(rec, size) == ok);
    free(rec);
    return 0;
}
