/*
 * NAME
 *     fuzz_policy_list - libFuzzer harness for the policy-list loader (src/json/policy_list.c)
 * DESCRIPTION
 *     The input is a policy.json text, parsed from memory with
 *     policy_list_parse (policy_list_load only adds the bounded file read)
 *     at a fixed "now" (2023-11-14), so expiry does not depend on the clock.
 *     Checked:
 *       STC_OK      *out set; "expires" after now; the harness reads the
 *                   same JSON with jansson and looks every key of
 *                   "policies" up: each is found (also upper-cased and
 *                   with a trailing dot), under its lower-cased name, with
 *                   mode enforce/testing and 1+ non-empty, lower-case,
 *                   NUL-free mx patterns without trailing dot; an entry
 *                   naming a policy-alias carries that alias name; the
 *                   count equals the number of keys.
 *       failure     *out untouched; STC_E_PARSE (or STC_E_NOMEM) with a
 *                   printable message.
 *       always      deterministic; policy_list_free frees all (LSan).
 */
#include "fuzz_common.h"

#include <jansson.h>

#include "mtasts/policy_list.h"

#define NOW 1700000000LL

static void lower_copy(const char *s, char *out, size_t outsz)
{
    size_t i = 0;
    for (; s[i] && i + 1 < outsz; i++)
        out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
    out[i] = '\0';
}

static void check_entry(const struct policy_entry *e, const char *key, json_t *pol)
{
    char want[300];
    FUZZ_CHECK(e != NULL);
    lower_copy(key, want, sizeof want);
    size_t wl = strlen(want);
    if (wl > 0 && want[wl - 1] == '.')
        want[wl - 1] = '\0';
    FUZZ_CHECK(strcmp(e->domain, want) == 0);
    FUZZ_CHECK(strcmp(e->mode, "enforce") == 0 || strcmp(e->mode, "testing") == 0);
    FUZZ_CHECK(e->nmx >= 1 && e->mxs != NULL);
    for (size_t i = 0; i < e->nmx; i++) {
        const char *m = e->mxs[i];
        size_t ml = strlen(m);
        FUZZ_CHECK(ml >= 1 && m[ml - 1] != '.');
        for (size_t k = 0; k < ml; k++)
            FUZZ_CHECK(!(m[k] >= 'A' && m[k] <= 'Z') && (unsigned char)m[k] > 0x20 &&
                       (unsigned char)m[k] < 0x7f);
    }
    json_t *alias = json_object_get(pol, "policy-alias");
    if (alias != NULL)
        FUZZ_CHECK(e->alias != NULL && strcmp(e->alias, json_string_value(alias)) == 0);
    else
        FUZZ_CHECK(e->alias == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    FUZZ_CHECK(text != NULL);
    if (size)
        memcpy(text, data, size);

    struct policy_list *sentinel = (struct policy_list *)&sentinel;
    struct policy_list *a = sentinel, *b = sentinel;
    struct stc_err ea, eb;
    stc_err_clear(&ea);
    stc_err_clear(&eb);
    stc_rc ra = policy_list_parse(text, size, NOW, "fuzz.json", &a, &ea);
    stc_rc rb = policy_list_parse(text, size, NOW, "fuzz.json", &b, &eb);
    FUZZ_CHECK(ra == rb && strcmp(ea.msg, eb.msg) == 0);
    fuzz_check_err(&ea, ra, STC_OK);

    if (ra != STC_OK) {
        FUZZ_CHECK(ra == STC_E_PARSE || ra == STC_E_NOMEM);
        FUZZ_CHECK(a == sentinel && b == sentinel);
        free(text);
        return 0;
    }
    FUZZ_CHECK(a != NULL && a != sentinel && b != NULL && b != sentinel);
    FUZZ_CHECK(policy_list_expires(a) > NOW);
    FUZZ_CHECK(policy_list_count(a) == policy_list_count(b));

    json_t *root = json_loadb(text, size, JSON_REJECT_DUPLICATES, NULL);
    FUZZ_CHECK(root != NULL);
    json_t *ps = json_object_get(root, "policies");
    FUZZ_CHECK(json_is_object(ps));
    FUZZ_CHECK(json_object_size(ps) == policy_list_count(a));
    const char *key;
    json_t *pol;
    json_object_foreach(ps, key, pol)
    {
        const struct policy_entry *e = policy_list_get(a, key);
        check_entry(e, key, pol);
        FUZZ_CHECK(policy_list_get(b, key) != NULL);
        char alt[300];
        size_t kl = strlen(key);
        if (kl + 2 < sizeof alt) {
            for (size_t i = 0; i <= kl; i++)
                alt[i] = (key[i] >= 'a' && key[i] <= 'z') ? (char)(key[i] - 32) : key[i];
            FUZZ_CHECK(policy_list_get(a, alt) == e);
            if (kl > 0 && key[kl - 1] != '.') {
                memcpy(alt + kl, ".", 2);
                FUZZ_CHECK(policy_list_get(a, alt) == e);
            }
        }
    }
    FUZZ_CHECK(policy_list_get(a, NULL) == NULL);
    FUZZ_CHECK(policy_list_get(a, "") == NULL);
    json_decref(root);
    policy_list_free(a);
    policy_list_free(b);
    free(text);
    return 0;
}
