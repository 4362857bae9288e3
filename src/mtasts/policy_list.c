/*
 * NAME
 *     policy_list - load the STARTTLS-Everywhere policy list (EFF policy.json)
 * SYNOPSIS
 *     rc = policy_list_load("policy.json", &pl, err);
 *     const struct policy_entry *e = policy_list_get(pl, "example.com");
 *     policy_list_free(pl);
 * DESCRIPTION
 *     Reads the file (bounded), parses it with jansson (duplicate keys
 *     rejected) and validates it completely up front, so a checker never
 *     meets a half-valid list:
 *       expires     required; RFC 3339 ("2036-01-01T00:00:00Z", offsets
 *                   "+01:00" or "+0100", fractions; no zone means UTC) or
 *                   epoch seconds; a time in the past is an error;
 *       timestamp   optional, same format;
 *       version, author  optional strings;
 *       policy-aliases   optional object: name -> policy;
 *       policies    required object: domain -> policy, where a policy is
 *                   {"policy-alias": name} (the alias must exist; other
 *                   fields are then ignored, as RULES.md says) or
 *                   {"mode": "enforce"|"testing" (default testing),
 *                    "mxs": [non-empty strings] (required)}.
 *     Other fields ("pinsets", "pin", "report", "mta-sts", ...) are
 *     ignored. Domains and patterns are lower-cased, one trailing dot
 *     dropped; empty labels, spaces, controls and non-ASCII are errors
 *     (patterns may start with "." - the list's suffix form); two keys
 *     naming the same domain are an error. Entries are kept sorted
 *     for binary search. The list owns all its strings; it is immutable
 *     after loading and safe to share between threads.
 * LIMITS
 *     POLICY_LIST_FILE_MAX bytes of file; names up to 253 bytes.
 * DIAGNOSTICS
 *     STC_E_IO (cannot open/read), STC_E_LIMIT (file too large), STC_E_PARSE
 *     ("FILE:LINE:COL: jansson's text" for JSON syntax, "FILE: policies.
 *     \"example.com\".mode: ..." for content, "FILE: expired on TIME"),
 *     STC_E_NOMEM. Names from the file are escaped in messages.
 */
#include "policy_list.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "../util/buf.h"
#include "../util/err.h"
#include "../util/limits.h"
#include "../util/text.h"

struct policy_list {
    struct policy_entry *e; /* sorted by domain; strings owned */
    size_t n;
    long long expires;
};

/* Parsed alias: mode and patterns, copied into each entry that names it. */
struct alias {
    const char *name; /* borrowed from the JSON tree */
    const char *mode;
    char **mxs;
    size_t nmx;
};

struct loader {
    const char *what;
    struct alias *aliases;
    size_t naliases;
    struct stc_err *err;
};

/* ---- time ---- */

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* RFC 3339 date-time (zone optional: UTC) to epoch seconds. */
static int parse_time(const char *s, size_t n, long long *out)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h, mi, sec, zh = 0, zm = 0, sign = 0;
    if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':')
        return 0;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
        return 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y)) || h > 23 ||
        mi > 59 || sec > 60)
        return 0;
    size_t i = 19;
    if (i < n && s[i] == '.') {
        size_t f = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == f)
            return 0;
    }
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        sign = s[i] == '+' ? 1 : -1;
        i++;
        if (n - i == 5 && s[i + 2] == ':' && digits(s + i, 2, &zh) && digits(s + i + 3, 2, &zm))
            i += 5;
        else if (n - i == 4 && digits(s + i, 2, &zh) && digits(s + i + 2, 2, &zm))
            i += 4;
        else
            return 0;
        if (zh > 23 || zm > 59)
            return 0;
    }
    if (i != n)
        return 0;
    long long t = days_from_civil(y, mo, d) * 86400 + h * 3600LL + mi * 60LL + sec;
    *out = t - sign * (zh * 3600LL + zm * 60LL);
    return 1;
}

static void format_time(long long t, char *out, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, n, "%lld", t);
}

static stc_rc get_time(struct loader *L, json_t *root, const char *key, int required,
                       long long *out, int *present)
{
    json_t *v = json_object_get(root, key);
    *present = v != NULL;
    if (v == NULL) {
        if (required)
            return err_set(L->err, STC_E_PARSE, "%s: no \"%s\" time", L->what, key);
        return STC_OK;
    }
    if (json_is_integer(v)) {
        *out = (long long)json_integer_value(v);
        return STC_OK;
    }
    if (json_is_string(v) && parse_time(json_string_value(v), json_string_length(v), out))
        return STC_OK;
    return err_set(L->err, STC_E_PARSE,
                   "%s: \"%s\" must be an RFC 3339 time (2036-01-01T00:00:00Z) or epoch seconds",
                   L->what, key);
}

/* ---- names ---- */

static void esc(const char *s, char *out, size_t n)
{
    text_escape(s, strlen(s), out, n);
}

/*
 * Lower-cased copy without one trailing dot; NULL when empty, too long,
 * holding NUL, space, controls or non-ASCII, or an empty label (a leading
 * dot only when suffix: the list's ".example.net" pattern form).
 */
static char *norm_name(const char *s, size_t n, int suffix)
{
    if (n > 0 && s[n - 1] == '.')
        n--;
    if (n == 0 || n > STC_DOMAIN_MAX + 1 || s[n - 1] == '.' || (s[0] == '.' && !suffix))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return NULL;
        if (s[i] == '.' && i + 1 < n && s[i + 1] == '.')
            return NULL;
    }
    if (suffix && s[0] == '.' && n == 1)
        return NULL;
    char *c = text_ndup(s, n);
    if (c != NULL)
        text_lower(c);
    return c;
}

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* ---- policies ---- */

/* Parse {mode, mxs} into *mode (static string), *mxs. where: "policies.\"x\"". */
static stc_rc parse_policy(struct loader *L, json_t *p, const char *where, const char **mode,
                           char ***mxs, size_t *nmx)
{
    stc_rc rc = STC_OK;
    json_t *m = json_object_get(p, "mode");
    json_t *a = json_object_get(p, "mxs");
    size_t i;
    json_t *item;
    *mxs = NULL;
    *nmx = 0;
    *mode = "testing";
    if (m != NULL) {
        const char *ms = json_string_value(m);
        STC_ENSURE(ms != NULL && (strcmp(ms, "enforce") == 0 || strcmp(ms, "testing") == 0), L->err,
                   STC_E_PARSE, "%s: %s.mode must be \"enforce\" or \"testing\"", L->what, where);
        *mode = strcmp(ms, "enforce") == 0 ? "enforce" : "testing";
    }
    STC_ENSURE(json_is_array(a), L->err, STC_E_PARSE, "%s: %s.mxs must be a list of host patterns",
               L->what, where);
    if (json_array_size(a) > 0) {
        *mxs = calloc(json_array_size(a), sizeof **mxs);
        STC_ENSURE(*mxs != NULL, L->err, STC_E_NOMEM, "out of memory");
    }
    json_array_foreach(a, i, item)
    {
        const char *s = json_string_value(item);
        STC_ENSURE(s != NULL, L->err, STC_E_PARSE, "%s: %s.mxs[%zu] is not a string", L->what,
                   where, i);
        char *c = norm_name(s, json_string_length(item), 1);
        STC_ENSURE(c != NULL, L->err, STC_E_PARSE, "%s: %s.mxs[%zu] is not a host pattern", L->what,
                   where, i);
        /* Not NULL: the loop runs only when the array is non-empty, and then *mxs was allocated. */
        // NOLINTNEXTLINE(clang-analyzer-core.NullDereference)
        (*mxs)[(*nmx)++] = c;
    }
    STC_ENSURE(*nmx > 0, L->err, STC_E_PARSE, "%s: %s.mxs is empty", L->what, where);
out:
    if (rc != STC_OK) {
        free_strv(*mxs, *nmx);
        *mxs = NULL;
        *nmx = 0;
    }
    return rc;
}

static stc_rc parse_aliases(struct loader *L, json_t *root)
{
    stc_rc rc = STC_OK;
    json_t *al = json_object_get(root, "policy-aliases");
    const char *name;
    size_t nlen;
    json_t *p;
    char where[160], e[96];
    if (al == NULL || json_is_null(al))
        return STC_OK;
    STC_ENSURE(json_is_object(al), L->err, STC_E_PARSE, "%s: \"policy-aliases\" must be an object",
               L->what);
    if (json_object_size(al) > 0) {
        L->aliases = calloc(json_object_size(al), sizeof *L->aliases);
        STC_ENSURE(L->aliases != NULL, L->err, STC_E_NOMEM, "out of memory");
    }
    json_object_keylen_foreach(al, name, nlen, p)
    {
        text_escape(name, nlen, e, sizeof e);
        snprintf(where, sizeof where, "policy-aliases.\"%s\"", e);
        STC_ENSURE(strlen(name) == nlen, L->err, STC_E_PARSE, "%s: %s: a NUL in the name", L->what,
                   where);
        STC_ENSURE(json_is_object(p), L->err, STC_E_PARSE, "%s: %s must be an object", L->what,
                   where);
        STC_ENSURE(json_object_get(p, "policy-alias") == NULL, L->err, STC_E_PARSE,
                   "%s: %s refers to another alias", L->what, where);
        struct alias *a = &L->aliases[L->naliases];
        /* Not NULL: the loop runs only for a non-empty object, and then aliases was allocated. */
        // NOLINTNEXTLINE(clang-analyzer-core.NullDereference)
        a->name = name;
        STC_GUARD(parse_policy(L, p, where, &a->mode, &a->mxs, &a->nmx));
        L->naliases++;
    }
out:
    return rc;
}

static const struct alias *find_alias(const struct loader *L, const char *name)
{
    for (size_t i = 0; i < L->naliases; i++)
        if (strcmp(L->aliases[i].name, name) == 0)
            return &L->aliases[i];
    return NULL;
}

static stc_rc copy_alias(const struct alias *a, struct policy_entry *e, struct stc_err *err)
{
    char **mxs = calloc(a->nmx, sizeof *mxs);
    if (mxs == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < a->nmx; i++) {
        if ((mxs[i] = text_dup(a->mxs[i])) == NULL) {
            free_strv(mxs, i);
            return err_set(err, STC_E_NOMEM, "out of memory");
        }
    }
    e->mxs = mxs;
    e->nmx = a->nmx;
    e->mode = a->mode;
    e->alias = text_dup(a->name);
    if (e->alias == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    return STC_OK;
}

static stc_rc parse_entry(struct loader *L, const char *domain, size_t dlen, json_t *p,
                          struct policy_entry *e)
{
    stc_rc rc = STC_OK;
    char where[160], es[96];
    text_escape(domain, dlen, es, sizeof es);
    snprintf(where, sizeof where, "policies.\"%s\"", es);
    char *d = norm_name(domain, dlen, 0);
    STC_ENSURE(d != NULL, L->err, STC_E_PARSE, "%s: %s is not a domain name", L->what, where);
    /* e is &pl->e[i], allocated: parse_policies loops only over a non-empty object. */
    // NOLINTNEXTLINE(clang-analyzer-core.NullDereference)
    e->domain = d;
    STC_ENSURE(json_is_object(p), L->err, STC_E_PARSE, "%s: %s must be an object", L->what, where);
    json_t *alias = json_object_get(p, "policy-alias");
    if (alias != NULL) {
        const char *an = json_string_value(alias);
        STC_ENSURE(an != NULL && strlen(an) == json_string_length(alias), L->err, STC_E_PARSE,
                   "%s: %s.policy-alias must be a string (without NUL)", L->what, where);
        const struct alias *a = find_alias(L, an);
        char ae[96];
        esc(an, ae, sizeof ae);
        STC_ENSURE(a != NULL, L->err, STC_E_PARSE,
                   "%s: %s refers to policy-alias \"%s\", which is not in \"policy-aliases\"",
                   L->what, where, ae);
        STC_GUARD(copy_alias(a, e, L->err));
    } else {
        char **mxs = NULL;
        STC_GUARD(parse_policy(L, p, where, &e->mode, &mxs, &e->nmx));
        e->mxs = mxs;
    }
out:
    return rc;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct policy_entry *)a)->domain,
                  ((const struct policy_entry *)b)->domain);
}

static stc_rc parse_policies(struct loader *L, json_t *root, struct policy_list *pl)
{
    stc_rc rc = STC_OK;
    json_t *ps = json_object_get(root, "policies");
    const char *domain;
    size_t dlen;
    json_t *p;
    STC_ENSURE(json_is_object(ps), L->err, STC_E_PARSE,
               "%s: no \"policies\" object (domain -> policy)", L->what);
    if (json_object_size(ps) > 0) {
        pl->e = calloc(json_object_size(ps), sizeof *pl->e);
        STC_ENSURE(pl->e != NULL, L->err, STC_E_NOMEM, "out of memory");
    }
    json_object_keylen_foreach(ps, domain, dlen, p)
    {
        pl->n++; /* counted first, so a half-made entry is freed too */
        STC_GUARD(parse_entry(L, domain, dlen, p, &pl->e[pl->n - 1]));
    }
    if (pl->n > 1)
        qsort(pl->e, pl->n, sizeof *pl->e, cmp_entry);
    for (size_t i = 1; i < pl->n; i++) {
        char e[96];
        esc(pl->e[i].domain, e, sizeof e);
        STC_ENSURE(strcmp(pl->e[i - 1].domain, pl->e[i].domain) != 0, L->err, STC_E_PARSE,
                   "%s: \"%s\" is listed twice in \"policies\"", L->what, e);
    }
out:
    return rc;
}

static stc_rc parse_root(struct loader *L, json_t *root, long long now, struct policy_list *pl)
{
    stc_rc rc = STC_OK;
    long long ts = 0;
    int present = 0;
    STC_ENSURE(json_is_object(root), L->err, STC_E_PARSE, "%s: the top level must be an object",
               L->what);
    STC_GUARD(get_time(L, root, "expires", 1, &pl->expires, &present));
    STC_GUARD(get_time(L, root, "timestamp", 0, &ts, &present));
    json_t *v = json_object_get(root, "version");
    STC_ENSURE(v == NULL || json_is_string(v), L->err, STC_E_PARSE,
               "%s: \"version\" must be a string", L->what);
    if (pl->expires <= now) {
        char when[48];
        format_time(pl->expires, when, sizeof when);
        STC_ENSURE(0, L->err, STC_E_PARSE, "%s: the policy list expired on %s; fetch a current one",
                   L->what, when);
    }
    STC_GUARD(parse_aliases(L, root));
    STC_GUARD(parse_policies(L, root, pl));
out:
    return rc;
}

stc_rc policy_list_parse(const char *text, size_t n, long long now, const char *what,
                         struct policy_list **out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    json_error_t je;
    json_t *root = NULL;
    char w[160];
    struct loader L = {w, NULL, 0, err};
    struct policy_list *pl = calloc(1, sizeof *pl);
    esc(what ? what : "policy list", w, sizeof w);
    STC_ENSURE(pl != NULL, err, STC_E_NOMEM, "out of memory");
    root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        char t[JSON_ERROR_TEXT_LENGTH];
        esc(je.text, t, sizeof t);
        STC_ENSURE(0, err, STC_E_PARSE, "%s:%d:%d: %s", w, je.line, je.column, t);
    }
    STC_GUARD(parse_root(&L, root, now, pl));
    *out = pl;
    pl = NULL;
out:
    for (size_t i = 0; i < L.naliases; i++)
        free_strv(L.aliases[i].mxs, L.aliases[i].nmx);
    free(L.aliases);
    json_decref(root);
    policy_list_free(pl);
    return rc;
}

stc_rc policy_list_load(const char *path, struct policy_list **out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct buf b;
    char chunk[65536];
    char w[160];
    FILE *f = NULL;
    buf_init(&b, POLICY_LIST_FILE_MAX);
    STC_ENSURE(path != NULL, err, STC_E_INVAL, "no policy list file given");
    esc(path, w, sizeof w);
    f = fopen(path, "rb");
    STC_ENSURE(f != NULL, err, STC_E_IO, "policy list %s: %s", w, strerror(errno));
    for (;;) {
        size_t got = fread(chunk, 1, sizeof chunk, f);
        if (got > 0 && buf_append(&b, chunk, got, NULL) != STC_OK) {
            STC_ENSURE(b.len + got <= b.max, err, STC_E_LIMIT,
                       "policy list %s is larger than %ld bytes", w, POLICY_LIST_FILE_MAX);
            STC_ENSURE(0, err, STC_E_NOMEM, "out of memory reading policy list %s", w);
        }
        if (got < sizeof chunk)
            break;
    }
    STC_ENSURE(!ferror(f), err, STC_E_IO, "policy list %s: read error", w);
    STC_GUARD(policy_list_parse(b.len ? (const char *)b.data : "", b.len, (long long)time(NULL),
                                path, out, err));
out:
    if (f != NULL)
        fclose(f);
    buf_free(&b);
    return rc;
}

void policy_list_free(struct policy_list *pl)
{
    if (pl == NULL)
        return;
    for (size_t i = 0; i < pl->n; i++) {
        struct policy_entry *e = &pl->e[i];
        free((char *)e->domain);
        free((char *)e->alias);
        free_strv((char **)e->mxs, e->nmx);
    }
    free(pl->e);
    free(pl);
}

const struct policy_entry *policy_list_get(const struct policy_list *pl, const char *domain)
{
    if (pl == NULL || domain == NULL || pl->n == 0)
        return NULL;
    char *d = norm_name(domain, strnlen(domain, STC_DOMAIN_MAX + 2), 0);
    if (d == NULL)
        return NULL;
    struct policy_entry key = {d, NULL, NULL, 0, NULL};
    const struct policy_entry *e = bsearch(&key, pl->e, pl->n, sizeof *pl->e, cmp_entry);
    free(d);
    return e;
}

size_t policy_list_count(const struct policy_list *pl)
{
    return pl ? pl->n : 0;
}

long long policy_list_expires(const struct policy_list *pl)
{
    return pl ? pl->expires : 0;
}
