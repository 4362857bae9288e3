/* result_json_text.h - JSON text appended to one growing buffer: exact,
 * ASCII-only strings (invalid UTF-8 as \udcXX), jansson's layout. */
#ifndef STC_RESULT_JSON_TEXT_H
#define STC_RESULT_JSON_TEXT_H

#include <stddef.h>

#include "../util/buf.h"
#include "../util/err.h"

/** Deepest value: the root is level 0, each object or array adds one. */
#define JSON_TEXT_DEPTH_MAX 64
/** Largest text. */
#define JSON_TEXT_MAX ((size_t)256 * 1024 * 1024)

struct json_text {
    struct buf b;
    int compact;    /* one line; else indented by two spaces */
    unsigned depth; /* objects and arrays open: the level of the next value */
};

/**
 * The JSON string of the n bytes at s, quotes included, appended to b:
 * '"' and '\' escaped, \b \f \n \r \t short, other controls and DEL as
 * \u00XX, valid UTF-8 beyond ASCII as \uXXXX (a surrogate pair above
 * U+FFFF), every byte that is not part of valid UTF-8 as \udcXX.
 */
stc_rc json_text_string(struct buf *b, const char *s, size_t n, struct stc_err *err);

/** Empty text; compact writes one line. Allocates nothing yet. */
void json_text_init(struct json_text *t, int compact);
/** Release the text (after an error, or instead of json_text_finish). */
void json_text_free(struct json_text *t);
/** NUL-terminate and hand the text over: *out is malloc'd, the caller frees it. */
stc_rc json_text_finish(struct json_text *t, char **out, struct stc_err *err);

/** Open an object ('{') or array ('['), as a value. */
stc_rc json_text_open(struct json_text *t, char c, struct stc_err *err);
/** Close the innermost object ('}') or array (']'). */
stc_rc json_text_close(struct json_text *t, char c, struct stc_err *err);
/**
 * Start a member of the open object: its key is the n bytes at key, then
 * a '.' when dot is set. The member's value comes next.
 */
stc_rc json_text_key(struct json_text *t, const char *key, size_t n, int dot,
                     struct stc_err *err);
/** Start an element of the open array; the value comes next. */
stc_rc json_text_item(struct json_text *t, struct stc_err *err);

/** String value: the n bytes at s, then a '.' when dot is set. */
stc_rc json_text_str(struct json_text *t, const char *s, size_t n, int dot, struct stc_err *err);
stc_rc json_text_int(struct json_text *t, long long v, struct stc_err *err);
stc_rc json_text_bool(struct json_text *t, int v, struct stc_err *err);
stc_rc json_text_null(struct json_text *t, struct stc_err *err);

#endif
