/*
 * NAME
 *     buf, rd - bounded buffers and a bounds-checked reader
 * DESCRIPTION
 *     A struct buf owns its data (buf_free releases it). A struct rd
 *     borrows the bytes it reads; it never owns or modifies them.
 * LIMITS
 *     Growth stops at buf->max; doubling is capped there.
 * DIAGNOSTICS
 *     STC_E_LIMIT past max, STC_E_NOMEM when malloc fails, STC_E_PARSE for
 *     truncated or malformed reads. A failed rd_* call consumes nothing.
 */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

void buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

stc_rc buf_reserve(struct buf *b, size_t n, struct stc_err *err)
{
    if (n > b->max || b->len > b->max - n)
        return err_set(err, STC_E_LIMIT, "data exceeds the %zu-byte limit", b->max);
    size_t need = b->len + n;
    if (need <= b->cap)
        return STC_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    /* One extra byte so buf_terminate never needs to exceed max. */
    if (cap > b->max + 1)
        cap = b->max + 1;
    if (cap < need)
        cap = need;
    uint8_t *p = realloc(b->data, cap);
    if (p == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory (%zu bytes)", cap);
    b->data = p;
    b->cap = cap;
    return STC_OK;
}

stc_rc buf_append(struct buf *b, const void *p, size_t n, struct stc_err *err)
{
    if (n == 0)
        return STC_OK;
    stc_rc rc = buf_reserve(b, n, err);
    if (rc != STC_OK)
        return rc;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return STC_OK;
}

stc_rc buf_append_str(struct buf *b, const char *s, struct stc_err *err)
{
    return buf_append(b, s, strlen(s), err);
}

void buf_consume(struct buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

stc_rc buf_terminate(struct buf *b, struct stc_err *err)
{
    if (b->cap <= b->len) {
        uint8_t *p = realloc(b->data, b->len + 1);
        if (p == NULL)
            return err_set(err, STC_E_NOMEM, "out of memory");
        b->data = p;
        b->cap = b->len + 1;
    }
    b->data[b->len] = '\0';
    return STC_OK;
}

void rd_init(struct rd *r, const void *p, size_t len)
{
    r->p = p;
    r->len = p ? len : 0;
    r->pos = 0;
}

size_t rd_left(const struct rd *r)
{
    return r->len - r->pos;
}

void rd_peek(const struct rd *r, size_t max, const uint8_t **out, size_t *n)
{
    size_t left = rd_left(r);
    *n = left < max ? left : max;
    *out = left > 0 ? r->p + r->pos : r->p;
}

stc_rc rd_bytes(struct rd *r, size_t n, const uint8_t **out)
{
    if (rd_left(r) < n)
        return STC_E_PARSE;
    *out = r->p ? r->p + r->pos : r->p; /* NULL + 0 is undefined */
    r->pos += n;
    return STC_OK;
}

stc_rc rd_u8(struct rd *r, uint8_t *out)
{
    if (rd_left(r) < 1)
        return STC_E_PARSE;
    *out = r->p[r->pos++];
    return STC_OK;
}

stc_rc rd_u16(struct rd *r, uint16_t *out)
{
    if (rd_left(r) < 2)
        return STC_E_PARSE;
    *out = (uint16_t)((r->p[r->pos] << 8) | r->p[r->pos + 1]);
    r->pos += 2;
    return STC_OK;
}

stc_rc rd_u24(struct rd *r, uint32_t *out)
{
    if (rd_left(r) < 3)
        return STC_E_PARSE;
    *out = ((uint32_t)r->p[r->pos] << 16) | ((uint32_t)r->p[r->pos + 1] << 8) | r->p[r->pos + 2];
    r->pos += 3;
    return STC_OK;
}

stc_rc rd_line(struct rd *r, size_t max, const uint8_t **line, size_t *n)
{
    size_t avail = rd_left(r);
    if (avail == 0)
        return STC_E_NOTFOUND; /* also keeps NULL data out of pointer arithmetic */
    const uint8_t *start = r->p + r->pos;
    if (max > SIZE_MAX - 2)
        max = SIZE_MAX - 2;
    size_t scan = avail < max + 2 ? avail : max + 2; /* +2: room for the CRLF of a max-length line */
    const uint8_t *lf = memchr(start, '\n', scan);
    if (lf == NULL)
        return avail >= max + 2 ? STC_E_LIMIT : STC_E_NOTFOUND;
    size_t len = (size_t)(lf - start);
    if (memchr(start, '\0', len) != NULL)
        return STC_E_PARSE;
    size_t text = len;
    if (text > 0 && start[text - 1] == '\r')
        text--;
    if (text > max)
        return STC_E_LIMIT; /* nothing consumed, like every other failure */
    r->pos += len + 1;
    *line = start;
    *n = text;
    return STC_OK;
}
