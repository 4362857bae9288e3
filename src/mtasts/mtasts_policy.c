/*
 * NAME
 *     mtasts_policy - parse an MTA-STS policy file (RFC 8461 3.2)
 * SYNOPSIS
 *     struct mtasts_policy pol;
 *     rc = mtasts_policy_parse(body, len, &pol, err);
 *     ... pol.mode, pol.max_age, pol.mx[0..nmx), pol.fx ...
 *     mtasts_policy_free(&pol);
 * DESCRIPTION
 *     The grammar (RFC 8461 3.2), in short:
 *       record = field *WSP *(term field *WSP) [term];  term = LF / CRLF
 *       field  = name ":" *WSP value
 *       name   = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *       value  = vchar [*(%x20 / vchar) vchar]   (vchar: %x21-7E or UTF-8)
 *       version: STSv1 (required)   mode: enforce / testing / none (required)
 *       max_age: 1*10DIGIT, at most 31557600 (required)
 *       mx: ["*."] Domain, one or more unless mode is none
 *     Field order is free. Names and values are case-sensitive; a field
 *     whose name differs only in case is unknown and ignored (with a hint).
 *     A repeated field other than mx keeps its first value (a warning says
 *     so). A bare CR, a NUL, a control character, a line without ":" or a
 *     bad name is an error with the line number and an excerpt. An empty
 *     line is not in the grammar; it is a warning (most senders skip it).
 *     max_age: the RFC expects "weeks or greater": below one day is a
 *     warning; one day to a week is a note (advice: the largest providers
 *     publish 86400); 0 is a note (it retires a cached policy).
 *     The body is borrowed; out->mx is allocated and owned by out.
 * LIMITS
 *     STC_MTASTS_POLICY_MAX bytes of body; longer is an error.
 * DIAGNOSTICS
 *     STC_E_PARSE (err: the first error, escaped) when senders would reject
 *     the policy; STC_E_NOMEM. out and its findings are filled either way.
 */
#include "mtasts.h"

#include <stdlib.h>
#include <string.h>

#include "../util/text.h"

#define DAY 86400L
#define WEEK 604800L

struct line {
    size_t no;
    const char *p;
    size_t n;
};

/* Where each single-valued field was first seen (0: not yet). */
struct seen {
    size_t version, mode, max_age;
};

static int blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!mtasts_is_wsp(p[i]))
            return 0;
    return 1;
}

static int eq(const char *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n == l && memcmp(p, lit, l) == 0;
}

static int shown(size_t n)
{
    return (int)(n < MTASTS_EXCERPT_MAX ? n : MTASTS_EXCERPT_MAX);
}

/* Length of the UTF-8 sequence at p (2..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    size_t len;
    unsigned min;
    unsigned cp;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        len = 2;
        min = 0x80;
        cp = p[0] & 0x1f;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        len = 3;
        min = 0x800;
        cp = p[0] & 0x0f;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        len = 4;
        min = 0x10000;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* A value: printable ASCII or UTF-8, internal spaces only (no tabs, no controls). */
static int value_ok(const char *v, size_t n)
{
    const unsigned char *p = (const unsigned char *)v;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n;) {
        if (p[i] >= 0x21 && p[i] <= 0x7e) {
            i++;
        } else if (p[i] == ' ') {
            i++;
        } else if (p[i] >= 0x80) {
            size_t l = utf8_len(p + i, n - i);
            if (l == 0)
                return 0;
            i += l;
        } else {
            return 0;
        }
    }
    return 1;
}

static void field_version(struct mtasts_policy *pol, const struct line *ln, const char *v,
                          size_t vn)
{
    if (!eq(v, vn, "STSv1"))
        mtasts_finding_add(&pol->fx, MTASTS_ERR,
                           "line %zu: version \"%.*s\" is not supported; it must be STSv1", ln->no,
                           shown(vn), v);
}

static void field_mode(struct mtasts_policy *pol, const struct line *ln, const char *v, size_t vn)
{
    if (eq(v, vn, "enforce"))
        pol->mode = MTASTS_MODE_ENFORCE;
    else if (eq(v, vn, "testing"))
        pol->mode = MTASTS_MODE_TESTING;
    else if (eq(v, vn, "none"))
        pol->mode = MTASTS_MODE_NONE;
    else
        mtasts_finding_add(&pol->fx, MTASTS_ERR,
                           "line %zu: mode \"%.*s\" must be enforce, testing or none"
                           " (lower case)",
                           ln->no, shown(vn), v);
}

static void field_max_age(struct mtasts_policy *pol, const struct line *ln, const char *v,
                          size_t vn)
{
    long long age = 0;
    int digits = vn > 0;
    for (size_t i = 0; i < vn && digits; i++)
        digits = v[i] >= '0' && v[i] <= '9';
    if (!digits) {
        mtasts_finding_add(&pol->fx, MTASTS_ERR,
                           "line %zu: max_age \"%.*s\" must be a non-negative integer"
                           " (digits only)",
                           ln->no, shown(vn), v);
        return;
    }
    if (vn > 10) {
        mtasts_finding_add(&pol->fx, MTASTS_ERR,
                           "line %zu: max_age \"%.*s\" has more than 10 digits (at most"
                           " 31557600)",
                           ln->no, shown(vn), v);
        return;
    }
    for (size_t i = 0; i < vn; i++)
        age = age * 10 + (v[i] - '0');
    if (age > STC_MTASTS_MAX_AGE_MAX) {
        mtasts_finding_add(&pol->fx, MTASTS_ERR,
                           "line %zu: max_age %lld is more than 31557600 (one year)", ln->no, age);
        return;
    }
    pol->max_age = (long)age;
}

static stc_rc field_mx(struct mtasts_policy *pol, const struct line *ln, const char *v, size_t vn,
                       struct stc_err *err)
{
    const char *why = NULL;
    if (!mtasts_pattern_valid(v, vn, &why)) {
        mtasts_finding_add(&pol->fx, MTASTS_ERR, "line %zu: mx \"%.*s\" is not a valid pattern: %s",
                           ln->no, shown(vn), v, why);
        return STC_OK;
    }
    for (size_t i = 0; i < pol->nmx; i++) {
        if (strlen(pol->mx[i]) == vn && memcmp(pol->mx[i], v, vn) == 0) {
            mtasts_finding_add(&pol->fx, MTASTS_NOTE, "line %zu: mx \"%.*s\" is listed twice",
                               ln->no, shown(vn), v);
            return STC_OK;
        }
    }
    char **mx = realloc(pol->mx, (pol->nmx + 1) * sizeof *mx);
    if (mx == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    pol->mx = mx;
    if ((pol->mx[pol->nmx] = text_ndup(v, vn)) == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    pol->nmx++;
    return STC_OK;
}

/* A repeated single-valued field: keep the first, say so. Returns 1 when repeated. */
static int repeated(struct mtasts_policy *pol, size_t *first, const struct line *ln,
                    const char *name)
{
    if (*first == 0) {
        *first = ln->no;
        return 0;
    }
    mtasts_finding_add(&pol->fx, MTASTS_WARN,
                       "line %zu: %s repeated; senders use the first one (line %zu)", ln->no, name,
                       *first);
    return 1;
}

static int name_ieq(const char *k, size_t n, const char *lit)
{
    return text_ieq(k, n, lit);
}

static stc_rc parse_line(struct mtasts_policy *pol, const struct line *ln, struct seen *seen,
                         struct stc_err *err)
{
    const char *colon = memchr(ln->p, ':', ln->n);
    if (colon == NULL) {
        mtasts_finding_add(&pol->fx, MTASTS_ERR,
                           "line %zu is not a \"name: value\" field: \"%.*s\"", ln->no,
                           shown(ln->n), ln->p);
        return STC_OK;
    }
    const char *k = ln->p;
    size_t kn = (size_t)(colon - ln->p);
    if (!mtasts_field_name_ok(k, kn)) {
        mtasts_finding_add(&pol->fx, MTASTS_ERR,
                           "line %zu: bad field name \"%.*s\" (1-32 letters, digits, '_', '-',"
                           " '.'; no spaces before ':')",
                           ln->no, shown(kn), k);
        return STC_OK;
    }
    const char *v = colon + 1;
    size_t vn = ln->n - kn - 1;
    while (vn > 0 && mtasts_is_wsp(*v)) {
        v++;
        vn--;
    }
    while (vn > 0 && mtasts_is_wsp(v[vn - 1]))
        vn--;
    if (vn == 0) {
        mtasts_finding_add(&pol->fx, MTASTS_ERR, "line %zu: field \"%.*s\" has no value", ln->no,
                           (int)kn, k);
        return STC_OK;
    }
    if (!value_ok(v, vn)) {
        mtasts_finding_add(&pol->fx, MTASTS_ERR,
                           "line %zu: the value of \"%.*s\" holds a control character or"
                           " invalid UTF-8",
                           ln->no, (int)kn, k);
        return STC_OK;
    }
    if (eq(k, kn, "version")) {
        if (!repeated(pol, &seen->version, ln, "version"))
            field_version(pol, ln, v, vn);
    } else if (eq(k, kn, "mode")) {
        if (!repeated(pol, &seen->mode, ln, "mode"))
            field_mode(pol, ln, v, vn);
    } else if (eq(k, kn, "max_age")) {
        if (!repeated(pol, &seen->max_age, ln, "max_age"))
            field_max_age(pol, ln, v, vn);
    } else if (eq(k, kn, "mx")) {
        return field_mx(pol, ln, v, vn, err);
    } else if (name_ieq(k, kn, "version") || name_ieq(k, kn, "mode") ||
               name_ieq(k, kn, "max_age") || name_ieq(k, kn, "mx")) {
        mtasts_finding_add(&pol->fx, MTASTS_WARN,
                           "line %zu: \"%.*s\" is not a known field (names are case-sensitive:"
                           " write it in lower case); senders ignore it",
                           ln->no, (int)kn, k);
    } else {
        mtasts_finding_add(&pol->fx, MTASTS_NOTE, "line %zu: unknown field \"%.*s\" ignored",
                           ln->no, (int)kn, k);
    }
    return STC_OK;
}

static void check_complete(struct mtasts_policy *pol, const struct seen *seen)
{
    if (seen->version == 0)
        mtasts_finding_add(&pol->fx, MTASTS_ERR,
                           "no version field (\"version: STSv1\" is"
                           " required)");
    if (seen->mode == 0)
        mtasts_finding_add(&pol->fx, MTASTS_ERR, "no mode field (enforce, testing or none)");
    if (seen->max_age == 0)
        mtasts_finding_add(&pol->fx, MTASTS_ERR, "no max_age field (required)");
    if (pol->nmx == 0 && (pol->mode == MTASTS_MODE_ENFORCE || pol->mode == MTASTS_MODE_TESTING))
        mtasts_finding_add(&pol->fx, MTASTS_ERR, "mode %s needs at least one valid mx pattern",
                           mtasts_mode_name(pol->mode));
    if (pol->max_age == 0)
        mtasts_finding_add(&pol->fx, MTASTS_NOTE,
                           "max_age 0: senders drop their cached copy at once (this retires a"
                           " policy)");
    else if (pol->max_age > 0 && pol->max_age < DAY)
        mtasts_finding_add(&pol->fx, MTASTS_WARN,
                           "max_age %ld is less than a day (86400): a cached policy expires"
                           " before an attack on its refresh is noticed; the RFC expects weeks",
                           pol->max_age);
    else if (pol->max_age >= DAY && pol->max_age < WEEK)
        mtasts_finding_add(&pol->fx, MTASTS_NOTE,
                           "max_age %ld is less than a week (604800): the RFC expects weeks or"
                           " more, so that a cached policy outlives an attack on its refresh",
                           pol->max_age);
}

stc_rc mtasts_policy_parse(const uint8_t *p, size_t n, struct mtasts_policy *out,
                           struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct seen seen = {0, 0, 0};
    const char *s = (const char *)p;
    const char *nul = NULL;
    size_t pos = 0;
    memset(out, 0, sizeof *out);
    out->max_age = -1;
    mtasts_findings_init(&out->fx);
    if (n > STC_MTASTS_POLICY_MAX) {
        mtasts_finding_add(&out->fx, MTASTS_ERR, "policy larger than 64 KiB (%zu bytes)", n);
        goto done;
    }
    nul = n ? memchr(s, '\0', n) : NULL;
    if (nul != NULL) {
        mtasts_finding_add(&out->fx, MTASTS_ERR, "NUL byte at offset %zu", (size_t)(nul - s));
        goto done;
    }
    if (n == 0) {
        mtasts_finding_add(&out->fx, MTASTS_ERR, "the policy is empty");
        goto done;
    }
    for (size_t no = 1; pos < n; no++) {
        const char *nl = memchr(s + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - s) : n;
        struct line ln = {no, s + pos, end - pos};
        pos = nl ? end + 1 : n;
        if (ln.n > 0 && ln.p[ln.n - 1] == '\r')
            ln.n--;
        const char *cr = ln.n ? memchr(ln.p, '\r', ln.n) : NULL;
        if (cr != NULL) {
            mtasts_finding_add(&out->fx, MTASTS_ERR,
                               "line %zu holds a bare CR: lines must end in LF or CRLF", no);
            continue;
        }
        if (blank(ln.p, ln.n)) {
            mtasts_finding_add(&out->fx, MTASTS_WARN,
                               "line %zu is blank: the RFC grammar has no empty lines (strict"
                               " senders reject the policy)",
                               no);
            continue;
        }
        STC_GUARD(parse_line(out, &ln, &seen, err));
    }
    check_complete(out, &seen);
done:
    rc = mtasts_findings_rc(&out->fx, "MTA-STS policy invalid", err);
out:
    return rc;
}

void mtasts_policy_free(struct mtasts_policy *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->nmx; i++)
        free(p->mx[i]);
    free(p->mx);
    p->mx = NULL;
    p->nmx = 0;
}

const char *mtasts_mode_name(enum mtasts_mode m)
{
    switch (m) {
    case MTASTS_MODE_ENFORCE: return "enforce";
    case MTASTS_MODE_TESTING: return "testing";
    case MTASTS_MODE_NONE: return "none";
    case MTASTS_MODE_UNSET: return "";
    default: return "";
    }
}
