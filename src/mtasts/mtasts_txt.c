/*
 * NAME
 *     mtasts_txt - the _mta-sts TXT record and the "k=v; k=v" grammar it shares with TLS-RPT
 * SYNOPSIS
 *     if (mtasts_txt_is_sts(rec, n)) rc = mtasts_txt_parse(rec, n, &txt, err);
 *     mtasts_kv_split(rec, n, kv, MTASTS_KV_MAX, &count, &fx);
 * DESCRIPTION
 *     RFC 8461 3.1:
 *       sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
 *       sts-field-delim = *WSP ";" *WSP
 *       sts-version     = %s"v=STSv1"
 *       sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
 *       sts-extension   = sts-ext-name "=" sts-ext-value
 *       sts-ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *       sts-ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)
 *     Names and values are case-sensitive. The id is required. Unknown
 *     fields are ignored (a note says so); a repeated field keeps its first
 *     value (a warning says so). The caller picks the one record starting
 *     "v=STSv1" (mtasts_txt_is_sts) among the TXT records of the name.
 *     The record is borrowed; nothing is allocated.
 * LIMITS
 *     MTASTS_KV_MAX fields per record; longer records are an error.
 * DIAGNOSTICS
 *     mtasts_txt_parse: STC_E_PARSE with the first error when senders would
 *     reject the record; every finding is in out->fx.
 */
#include "mtasts.h"
#include "../util/text.h"

#include <string.h>

int mtasts_is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int mtasts_field_name_ok(const char *k, size_t n)
{
    if (n < 1 || n > 32 || !is_alnum(k[0]))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!is_alnum(k[i]) && k[i] != '_' && k[i] != '-' && k[i] != '.')
            return 0;
    return 1;
}

int mtasts_ext_value_ok(const char *v, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x21 || c > 0x7e || c == '=' || c == ';')
            return 0;
    }
    return 1;
}

/* Reject bytes no TXT field may hold: controls other than HTAB, DEL, non-ASCII. */
static int bytes_ok(const char *rec, size_t n, struct mtasts_findings *fx)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)rec[i];
        if ((c < 0x20 && c != '\t') || c >= 0x7f) {
            mtasts_finding_add(fx, MTASTS_ERR,
                               "byte 0x%02x at offset %zu is not allowed in the record", c, i);
            return 0;
        }
    }
    return 1;
}

static void add_field(const char *f, size_t n, struct mtasts_kv *kv, size_t max, size_t *count,
                      struct mtasts_findings *fx)
{
    size_t shown = n < MTASTS_EXCERPT_MAX ? n : MTASTS_EXCERPT_MAX;
    const char *eq = memchr(f, '=', n);
    if (eq == NULL) {
        mtasts_finding_add(fx, MTASTS_ERR, "field \"%.*s\" is not name=value", (int)shown, f);
        return;
    }
    size_t klen = (size_t)(eq - f);
    if (!mtasts_field_name_ok(f, klen)) {
        mtasts_finding_add(fx, MTASTS_ERR,
                           "field \"%.*s\": the name must be 1-32 letters, digits, '_', '-', '.'"
                           " starting with a letter or digit",
                           (int)shown, f);
        return;
    }
    if (*count >= max) {
        mtasts_finding_add(fx, MTASTS_ERR, "more than %zu fields", max);
        return;
    }
    kv[*count].key = f;
    kv[*count].klen = klen;
    kv[*count].val = eq + 1;
    kv[*count].vlen = n - klen - 1;
    (*count)++;
}

void mtasts_kv_split(const char *rec, size_t n, struct mtasts_kv *kv, size_t max, size_t *count,
                     struct mtasts_findings *fx)
{
    *count = 0;
    if (n == 0) {
        mtasts_finding_add(fx, MTASTS_ERR, "the record is empty");
        return;
    }
    if (!bytes_ok(rec, n, fx))
        return;
    size_t i = 0;
    for (;;) {
        const char *semi = memchr(rec + i, ';', n - i);
        size_t end = semi ? (size_t)(semi - rec) : n;
        size_t fe = end;
        while (fe > i && mtasts_is_wsp(rec[fe - 1]))
            fe--;
        if (semi == NULL && fe < end)
            mtasts_finding_add(fx, MTASTS_WARN,
                               "white space after the last field: the RFC grammar allows it"
                               " only around ';'; strict senders reject the record");
        if (fe == i)
            mtasts_finding_add(fx, MTASTS_ERR,
                               "empty field at offset %zu (\";;\" or a leading"
                               " ';')",
                               i);
        else
            add_field(rec + i, fe - i, kv, max, count, fx);
        if (semi == NULL)
            break;
        i = end + 1;
        while (i < n && mtasts_is_wsp(rec[i]))
            i++;
        if (i == n)
            break; /* a trailing delimiter is allowed */
    }
}

int mtasts_record_is(const char *rec, size_t n, const char *version)
{
    size_t vl = strlen(version);
    if (n < vl || memcmp(rec, version, vl) != 0)
        return 0;
    return n == vl || rec[vl] == ';' || mtasts_is_wsp(rec[vl]);
}

int mtasts_txt_is_sts(const char *rec, size_t n)
{
    return mtasts_record_is(rec, n, "v=STSv1");
}

static int key_is(const struct mtasts_kv *kv, const char *lit)
{
    size_t l = strlen(lit);
    return kv->klen == l && memcmp(kv->key, lit, l) == 0;
}

static int key_ieq(const struct mtasts_kv *kv, const char *lit)
{
    return text_ieq(kv->key, kv->klen, lit);
}

int mtasts_kv_seen_before(const struct mtasts_kv *kv, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (kv[j].klen == kv[i].klen && memcmp(kv[j].key, kv[i].key, kv[i].klen) == 0)
            return 1;
    return 0;
}

void mtasts_kv_note_other(const struct mtasts_kv *f, const char *known,
                          struct mtasts_findings *fx)
{
    if (!mtasts_ext_value_ok(f->val, f->vlen))
        mtasts_finding_add(fx, MTASTS_ERR,
                           "field \"%.*s\" has an invalid value (1 or more printable"
                           " characters other than space, '=' and ';')",
                           (int)f->klen, f->key);
    else if (key_ieq(f, known))
        mtasts_finding_add(fx, MTASTS_NOTE,
                           "field \"%.*s\" is not \"%s\" (names are case-sensitive);"
                           " senders ignore it",
                           (int)f->klen, f->key, known);
    else
        mtasts_finding_add(fx, MTASTS_NOTE, "unknown field \"%.*s\" ignored", (int)f->klen,
                           f->key);
}

static void parse_id(const struct mtasts_kv *f, struct mtasts_txt *out)
{
    size_t shown = f->vlen < MTASTS_EXCERPT_MAX ? f->vlen : MTASTS_EXCERPT_MAX;
    int ok = f->vlen >= 1 && f->vlen <= STC_MTASTS_ID_MAX;
    for (size_t i = 0; ok && i < f->vlen; i++)
        ok = is_alnum(f->val[i]);
    if (!ok) {
        mtasts_finding_add(&out->fx, MTASTS_ERR,
                           "id \"%.*s\" must be 1 to %d letters and digits (no other"
                           " characters)",
                           (int)shown, f->val, STC_MTASTS_ID_MAX);
        return;
    }
    memcpy(out->id, f->val, f->vlen);
    out->id[f->vlen] = '\0';
}

stc_rc mtasts_txt_parse(const char *rec, size_t n, struct mtasts_txt *out, struct stc_err *err)
{
    struct mtasts_kv kv[MTASTS_KV_MAX];
    size_t nkv = 0;
    int have_id = 0;
    mtasts_findings_init(&out->fx);
    out->id[0] = '\0';
    if (!mtasts_txt_is_sts(rec, n)) {
        mtasts_finding_add(&out->fx, MTASTS_ERR, "the record does not start with v=STSv1");
        return mtasts_findings_rc(&out->fx, "MTA-STS TXT record invalid", err);
    }
    mtasts_kv_split(rec, n, kv, MTASTS_KV_MAX, &nkv, &out->fx);
    if (nkv > 0 && !(key_is(&kv[0], "v") && kv[0].vlen == 5 && memcmp(kv[0].val, "STSv1", 5) == 0))
        mtasts_finding_add(&out->fx, MTASTS_ERR, "the version must be exactly \"v=STSv1\"");
    for (size_t i = 1; i < nkv; i++) {
        const struct mtasts_kv *f = &kv[i];
        if (mtasts_kv_seen_before(kv, i)) {
            mtasts_finding_add(&out->fx, MTASTS_WARN,
                               "field \"%.*s\" appears more than once; the first one is used",
                               (int)f->klen, f->key);
        } else if (key_is(f, "id")) {
            have_id = 1;
            parse_id(f, out);
        } else {
            mtasts_kv_note_other(f, "id", &out->fx);
        }
    }
    if (!have_id && nkv > 0)
        mtasts_finding_add(&out->fx, MTASTS_ERR, "the record has no id field (required)");
    return mtasts_findings_rc(&out->fx, "MTA-STS TXT record invalid", err);
}
