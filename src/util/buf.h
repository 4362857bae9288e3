/* buf.h - bounded byte buffers (struct buf) and a bounds-checked reader (struct rd).
 *
 * All network input goes into a struct buf whose `max` caps growth, and is
 * parsed through a struct rd that never reads past `len`.
 */
#ifndef STC_UTIL_BUF_H
#define STC_UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>

#include <starttls/error.h>

struct buf {
    uint8_t *data;
    size_t len; /* bytes in use */
    size_t cap; /* bytes allocated */
    size_t max; /* growth limit; appending past it is STC_E_LIMIT */
};

/** Empty buffer that may grow to max bytes. Allocates nothing yet. */
void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
/** Append n bytes; STC_E_LIMIT past max, STC_E_NOMEM on allocation failure. */
stc_rc buf_append(struct buf *b, const void *p, size_t n, struct stc_err *err);
/** Append a C string. */
stc_rc buf_append_str(struct buf *b, const char *s, struct stc_err *err);
/** Drop the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);
/** Make sure at least n free bytes exist (within max). */
stc_rc buf_reserve(struct buf *b, size_t n, struct stc_err *err);
/** NUL-terminate (not counted in len); fails only like buf_reserve. */
stc_rc buf_terminate(struct buf *b, struct stc_err *err);

struct rd {
    const uint8_t *p;
    size_t len;
    size_t pos;
};

void rd_init(struct rd *r, const void *p, size_t len);
size_t rd_left(const struct rd *r);
stc_rc rd_u8(struct rd *r, uint8_t *out);
stc_rc rd_u16(struct rd *r, uint16_t *out);
stc_rc rd_u24(struct rd *r, uint32_t *out);
/** Point *out at the unread bytes, at most max of them (*n says how many), without
 * consuming them. *out is valid (never past the data) even when *n is 0. */
void rd_peek(const struct rd *r, size_t max, const uint8_t **out, size_t *n);
/** Point *out at the next n bytes and skip them. */
stc_rc rd_bytes(struct rd *r, size_t n, const uint8_t **out);
/**
 * Next line ending in LF (CR before it stripped): *line and *n point into the
 * data without the terminator. STC_E_NOTFOUND when no complete line is there
 * (nothing consumed), STC_E_LIMIT when a line exceeds max bytes, STC_E_PARSE
 * on a NUL byte.
 */
stc_rc rd_line(struct rd *r, size_t max, const uint8_t **line, size_t *n);

#endif
