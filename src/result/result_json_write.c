/*
 * NAME
 *     result_json_write - JSON text of a jansson value: exact strings, ASCII out
 * SYNOPSIS
 *     #include "result_json_write.h"
 *     stc_rc result_json_write(const json_t *v, int compact, char **out, struct stc_err *err);
 * DESCRIPTION
 *     Writes v (objects in insertion order) indented by two spaces, or on one
 *     line when compact, in jansson's layout. Strings and object keys are the
 *     exact bytes they hold (built with the *_nocheck calls, so they need not
 *     be UTF-8) written as JSON strings in ASCII:
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
 *     *out is malloc'd and NUL-terminated; the caller frees it.
 * LIMITS
 *     Nesting deeper than JSON_WRITE_DEPTH_MAX is refused; the output may
 *     grow to JSON_WRITE_MAX bytes.
 * DIAGNOSTICS
 *     STC_E_LIMIT past either limit, STC_E_NOMEM, STC_E_INTERNAL for a value
 *     type it does not know.
 */
#include "result_json_write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"

#define JSON_WRITE_DEPTH_MAX 64
#define JSON_WRITE_MAX ((size_t)256 * 1024 * 1024)

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

static stc_rc put_string(struct buf *b, const char *s, size_t n, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    const uint8_t *p = (const uint8_t *)s;
    STC_GUARD(put(b, "\"", 1, err));
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
    STC_GUARD(put(b, "\"", 1, err));
out:
    return rc;
}

static stc_rc newline(struct buf *b, int compact, unsigned depth, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    if (compact)
        return STC_OK;
    STC_GUARD(put(b, "\n", 1, err));
    for (unsigned i = 0; i < depth; i++)
        STC_GUARD(put(b, "  ", 2, err));
out:
    return rc;
}

static stc_rc write_value(struct buf *b, const json_t *v, int compact, unsigned depth,
                          struct stc_err *err)
{
    stc_rc rc = STC_OK;
    char num[32];
    STC_ENSURE(depth <= JSON_WRITE_DEPTH_MAX, err, STC_E_LIMIT, "json: nested deeper than %d",
               JSON_WRITE_DEPTH_MAX);
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *x;
        int first = 1;
        if (json_object_size(v) == 0)
            return put(b, "{}", 2, err);
        STC_GUARD(put(b, "{", 1, err));
        /* json_object_foreach wants a non-const object; it only reads. */
        json_t *o = (json_t *)v;
        json_object_foreach(o, key, x)
        {
            if (!first)
                STC_GUARD(put(b, ",", 1, err));
            first = 0;
            STC_GUARD(newline(b, compact, depth + 1, err));
            STC_GUARD(put_string(b, key, strlen(key), err));
            STC_GUARD(put(b, compact ? ":" : ": ", compact ? 1 : 2, err));
            STC_GUARD(write_value(b, x, compact, depth + 1, err));
        }
        STC_GUARD(newline(b, compact, depth, err));
        STC_GUARD(put(b, "}", 1, err));
        break;
    }
    case JSON_ARRAY:
        if (json_array_size(v) == 0)
            return put(b, "[]", 2, err);
        STC_GUARD(put(b, "[", 1, err));
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i > 0)
                STC_GUARD(put(b, ",", 1, err));
            STC_GUARD(newline(b, compact, depth + 1, err));
            STC_GUARD(write_value(b, json_array_get(v, i), compact, depth + 1, err));
        }
        STC_GUARD(newline(b, compact, depth, err));
        STC_GUARD(put(b, "]", 1, err));
        break;
    case JSON_STRING:
        STC_GUARD(put_string(b, json_string_value(v), json_string_length(v), err));
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        STC_GUARD(put(b, num, strlen(num), err));
        break;
    case JSON_REAL:
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
        STC_GUARD(put(b, num, strlen(num), err));
        break;
    case JSON_TRUE: STC_GUARD(put(b, "true", 4, err)); break;
    case JSON_FALSE: STC_GUARD(put(b, "false", 5, err)); break;
    case JSON_NULL: STC_GUARD(put(b, "null", 4, err)); break;
    default: STC_ENSURE(0, err, STC_E_INTERNAL, "json: unknown value type %d", (int)json_typeof(v));
    }
out:
    return rc;
}

stc_rc result_json_write(const json_t *v, int compact, char **out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct buf b;
    buf_init(&b, JSON_WRITE_MAX);
    /* A domain's record is a few KiB: one allocation instead of a doubling series. */
    STC_GUARD(buf_reserve(&b, JSON_WRITE_MAX < 8192 ? JSON_WRITE_MAX : 8192, err));
    STC_GUARD(write_value(&b, v, compact, 0, err));
    STC_GUARD(buf_terminate(&b, err));
    *out = (char *)b.data;
    return STC_OK;
out:
    buf_free(&b);
    return rc;
}
