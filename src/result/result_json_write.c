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
 *     be UTF-8), written by json_text_string (result_json_text.c: ASCII,
 *     invalid UTF-8 as \udcXX).
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
#include "result_json_text.h"

#define JSON_WRITE_DEPTH_MAX 64
#define JSON_WRITE_MAX ((size_t)256 * 1024 * 1024)

static stc_rc put(struct buf *b, const char *s, size_t n, struct stc_err *err)
{
    return buf_append(b, s, n, err);
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
            STC_GUARD(json_text_string(b, key, strlen(key), err));
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
        STC_GUARD(json_text_string(b, json_string_value(v), json_string_length(v), err));
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
