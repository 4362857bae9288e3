/*
 * NAME
 *     result_json_text - JSON text in one growing buffer: exact strings, ASCII out
 * SYNOPSIS
 *     #include "result_json_text.h"
 *     struct json_text t;
 *     json_text_init(&t, compact);
 *     json_text_open(&t, '{', err); json_text_key(&t, "k", 1, 0, err);
 *     json_text_str(&t, s, n, 0, err); json_text_close(&t, '}', err);
 *     json_text_finish(&t, &out, err);     (or json_text_free(&t) on error)
 *     stc_rc json_text_string(struct buf *b, const char *s, size_t n, struct stc_err *err);
 * DESCRIPTION
 *     The byte level of the JSON writer: the caller (result_json.c) says
 *     what comes, in order; this module appends the text to one struct buf,
 *     so a whole document costs one allocation and a few doublings.
 *
 *     Layout (jansson's, which earlier versions used): indented by two
 *     spaces a level, ": " after a key, "," at the end of a line; compact:
 *     no white space at all. An empty object or array is {} or []. No
 *     newline at the end.
 *
 *     Strings and keys are the exact bytes they are given (they need not be
 *     UTF-8), written as JSON strings in ASCII:
 *       - '"' and '\' are escaped; \b \f \n \r \t use their short escapes;
 *         other controls and DEL are \u00XX;
 *       - a valid UTF-8 character outside ASCII is \uXXXX (a surrogate pair
 *         above U+FFFF);
 *       - a byte that is not part of a valid UTF-8 sequence (a stray
 *         continuation byte, a truncated, overlong or surrogate sequence,
 *         anything above U+10FFFF) is the lone surrogate \uDCXX with XX the
 *         byte: PEP 383 "surrogateescape". Valid UTF-8 never encodes
 *         U+DC80..U+DCFF, so the bytes can be recovered exactly, e.g. in
 *         Python with s.encode("utf-8", "surrogateescape").
 *     Nothing a server sent reaches the output raw, and nothing is lost.
 *     The optional '.' after a key or string (absolute host names) is
 *     written as if it were part of the bytes: '.' is ASCII, so it never
 *     completes a UTF-8 sequence the bytes leave open.
 *
 *     json_text_finish hands over the buffer: malloc'd, NUL-terminated,
 *     the caller frees it. The struct json_text itself is the caller's.
 * LIMITS
 *     A value deeper than JSON_TEXT_DEPTH_MAX levels is refused; the text
 *     may grow to JSON_TEXT_MAX bytes.
 * DIAGNOSTICS
 *     STC_E_LIMIT past either limit ("json: nested deeper than 64", or the
 *     buffer's "data exceeds the ...-byte limit"), STC_E_NOMEM.
 */
#include "result_json_text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A domain's record is a few KiB: one allocation instead of a doubling series. */
#define JSON_TEXT_START 8192

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if none starts there. */
static size_t utf8_seq(const uint8_t *p, size_t n, uint32_t *cp)
{
    uint8_t c = p[0];
    size_t len;
    uint8_t lo = 0x80, hi = 0xbf; /* range of the second byte */
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        *cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        *cp = c & 0x0f;
        if (c == 0xe0)
            lo = 0xa0; /* no overlong forms */
        if (c == 0xed)
            hi = 0x9f; /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        *cp = c & 0x07;
        if (c == 0xf0)
            lo = 0x90;
        if (c == 0xf4)
            hi = 0x8f; /* nothing above U+10FFFF */
    } else {
        return 0;
    }
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if (i > 1 && (p[i] < 0x80 || p[i] > 0xbf))
            return 0;
        *cp = (*cp << 6) | (p[i] & 0x3f);
    }
    return len;
}

static stc_rc put(struct buf *b, const char *s, size_t n, struct stc_err *err)
{
    return buf_append(b, s, n, err);
}

static stc_rc put_u(struct buf *b, unsigned u, struct stc_err *err)
{
    char tmp[16]; /* "\\uXXXX"; room for gcc -O2's format-truncation check */
    snprintf(tmp, sizeof tmp, "\\u%04x", u & 0xffff);
    return put(b, tmp, 6, err);
}

/* The n bytes at s as the inside of a JSON string (no quotes). */
static stc_rc put_escaped(struct buf *b, const char *s, size_t n, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    const uint8_t *p = (const uint8_t *)s;
    for (size_t i = 0; i < n;) {
        /* A run of printable ASCII that needs no escape goes in at once. */
        size_t run = 0;
        while (i + run < n && p[i + run] >= 0x20 && p[i + run] < 0x7f && p[i + run] != '"' &&
               p[i + run] != '\\')
            run++;
        if (run > 0) {
            STC_GUARD(put(b, s + i, run, err));
            i += run;
            continue;
        }
        uint32_t cp = 0;
        size_t len = utf8_seq(p + i, n - i, &cp);
        if (len == 0) {
            STC_GUARD(put_u(b, 0xdc00u | p[i], err)); /* surrogateescape */
            i++;
            continue;
        }
        i += len;
        switch (cp) {
        case '"': STC_GUARD(put(b, "\\\"", 2, err)); continue;
        case '\\': STC_GUARD(put(b, "\\\\", 2, err)); continue;
        case '\b': STC_GUARD(put(b, "\\b", 2, err)); continue;
        case '\f': STC_GUARD(put(b, "\\f", 2, err)); continue;
        case '\n': STC_GUARD(put(b, "\\n", 2, err)); continue;
        case '\r': STC_GUARD(put(b, "\\r", 2, err)); continue;
        case '\t': STC_GUARD(put(b, "\\t", 2, err)); continue;
        default: break;
        }
        if (cp >= 0x20 && cp < 0x7f) {
            char c = (char)cp;
            STC_GUARD(put(b, &c, 1, err));
        } else if (cp < 0x10000) {
            STC_GUARD(put_u(b, cp, err));
        } else {
            cp -= 0x10000;
            STC_GUARD(put_u(b, 0xd800u | (cp >> 10), err));
            STC_GUARD(put_u(b, 0xdc00u | (cp & 0x3ff), err));
        }
    }
out:
    return rc;
}

/* "s" or, with dot, "s." */
static stc_rc put_string(struct buf *b, const char *s, size_t n, int dot, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    STC_GUARD(put(b, "\"", 1, err));
    STC_GUARD(put_escaped(b, s, n, err));
    STC_GUARD(put(b, dot ? ".\"" : "\"", dot ? 2 : 1, err));
out:
    return rc;
}

stc_rc json_text_string(struct buf *b, const char *s, size_t n, struct stc_err *err)
{
    return put_string(b, s, n, 0, err);
}

void json_text_init(struct json_text *t, int compact)
{
    buf_init(&t->b, JSON_TEXT_MAX);
    t->compact = compact;
    t->depth = 0;
}

void json_text_free(struct json_text *t)
{
    buf_free(&t->b);
}

stc_rc json_text_finish(struct json_text *t, char **out, struct stc_err *err)
{
    stc_rc rc = buf_terminate(&t->b, err);
    if (rc != STC_OK)
        return rc;
    /* Give back the reservation's unused tail: a bulk scan queues
     * hundreds of these texts for its writer. Shrinking is in place. */
    uint8_t *fit = realloc(t->b.data, t->b.len + 1);
    if (fit != NULL)
        t->b.data = fit;
    *out = (char *)t->b.data;
    buf_init(&t->b, JSON_TEXT_MAX);
    return STC_OK;
}

/* Every value starts here: within the depth limit, with room reserved up
 * front for the first one. */
static stc_rc value(struct json_text *t, struct stc_err *err)
{
    if (t->depth > JSON_TEXT_DEPTH_MAX)
        return err_set(err, STC_E_LIMIT, "json: nested deeper than %d", JSON_TEXT_DEPTH_MAX);
    if (t->b.cap == 0)
        return buf_reserve(&t->b, JSON_TEXT_START, err);
    return STC_OK;
}

/* A line break and the indentation of level depth (nothing when compact). */
static stc_rc newline(struct json_text *t, unsigned depth, struct stc_err *err)
{
    static const char spaces[] = "                                ";
    stc_rc rc = STC_OK;
    if (t->compact)
        return STC_OK;
    STC_GUARD(put(&t->b, "\n", 1, err));
    for (size_t n = 2 * (size_t)depth; n > 0;) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        STC_GUARD(put(&t->b, spaces, k, err));
        n -= k;
    }
out:
    return rc;
}

/* Before a member or element: a comma unless it is the first (the text
 * then ends in the '{' or '[' just opened: no value ends in either), the
 * line break. */
static stc_rc member(struct json_text *t, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    uint8_t last = t->b.len > 0 ? t->b.data[t->b.len - 1] : 0;
    if (last != '{' && last != '[')
        STC_GUARD(put(&t->b, ",", 1, err));
    STC_GUARD(newline(t, t->depth, err));
out:
    return rc;
}

stc_rc json_text_open(struct json_text *t, char c, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    STC_GUARD(value(t, err));
    STC_GUARD(put(&t->b, &c, 1, err));
    t->depth++;
out:
    return rc;
}

stc_rc json_text_close(struct json_text *t, char c, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    uint8_t last = t->b.len > 0 ? t->b.data[t->b.len - 1] : 0;
    t->depth--;
    if (last != '{' && last != '[')
        STC_GUARD(newline(t, t->depth, err));
    STC_GUARD(put(&t->b, &c, 1, err));
out:
    return rc;
}

stc_rc json_text_key(struct json_text *t, const char *key, size_t n, int dot,
                     struct stc_err *err)
{
    stc_rc rc = STC_OK;
    STC_GUARD(member(t, err));
    STC_GUARD(put_string(&t->b, key, n, dot, err));
    STC_GUARD(put(&t->b, t->compact ? ":" : ": ", t->compact ? 1 : 2, err));
out:
    return rc;
}

stc_rc json_text_item(struct json_text *t, struct stc_err *err)
{
    return member(t, err);
}

stc_rc json_text_str(struct json_text *t, const char *s, size_t n, int dot, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    STC_GUARD(value(t, err));
    STC_GUARD(put_string(&t->b, s, n, dot, err));
out:
    return rc;
}

stc_rc json_text_int(struct json_text *t, long long v, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    char num[32];
    STC_GUARD(value(t, err));
    int n = snprintf(num, sizeof num, "%lld", v);
    STC_GUARD(put(&t->b, num, (size_t)n, err));
out:
    return rc;
}

stc_rc json_text_bool(struct json_text *t, int v, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    STC_GUARD(value(t, err));
    STC_GUARD(put(&t->b, v ? "true" : "false", v ? 4 : 5, err));
out:
    return rc;
}

stc_rc json_text_null(struct json_text *t, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    STC_GUARD(value(t, err));
    STC_GUARD(put(&t->b, "null", 4, err));
out:
    return rc;
}
