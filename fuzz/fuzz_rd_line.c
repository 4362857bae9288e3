/*
 * NAME
 *     fuzz_rd_line - libFuzzer harness for struct rd and struct buf (src/util/buf.c)
 * DESCRIPTION
 *     Everything from the network is read through struct rd, so its
 *     promises carry all the parsers above it. The first byte picks the line
 *     limit of rd_line (0..254, or SIZE_MAX for "none"); the rest is read
 *     line by line. Checked for rd_line:
 *       STC_OK          the line lies inside the data at the old position,
 *                       holds no LF and no NUL, is at most max bytes, ends
 *                       before "\n" or "\r\n" (CR stripped once), and the
 *                       position moved just past the LF;
 *       STC_E_NOTFOUND  nothing moved; no LF within the scanned window;
 *       STC_E_LIMIT     nothing moved; the line (without CRLF) is over max;
 *       STC_E_PARSE     nothing moved; a NUL before the LF.
 *     Then the same bytes drive rd_u8/u16/u24/rd_bytes (a failed read
 *     consumes nothing, pos never passes len, values are big-endian), and
 *     a struct buf with a small max (appends past max are STC_E_LIMIT and
 *     change nothing; consume/terminate keep len <= max < cap).
 */
#include "fuzz_common.h"

#include "util/buf.h"

static void lines(const uint8_t *p, size_t n, size_t max)
{
    struct rd r;
    rd_init(&r, p, n);
    for (int i = 0; i < 10000; i++) {
        const uint8_t *line = NULL;
        size_t ln = 12345, before = r.pos;
        stc_rc rc = rd_line(&r, max, &line, &ln);
        size_t avail = n - before;
        const uint8_t *start = p + before;
        const uint8_t *lf = avail ? memchr(start, '\n', avail) : NULL;
        if (rc != STC_OK)
            FUZZ_CHECK(r.pos == before);
        if (rc == STC_E_NOTFOUND) {
            /* Either no LF at all, or none inside max+2 bytes that were not yet enough. */
            FUZZ_CHECK(lf == NULL);
            FUZZ_CHECK(max >= SIZE_MAX - 2 || avail < max + 2);
            return;
        }
        if (rc == STC_E_LIMIT) {
            size_t text = lf ? (size_t)(lf - start) : avail;
            if (lf && text > 0 && start[text - 1] == '\r')
                text--;
            FUZZ_CHECK(text > max);
            return;
        }
        if (rc == STC_E_PARSE) {
            FUZZ_CHECK(lf != NULL && memchr(start, '\0', (size_t)(lf - start)) != NULL);
            return;
        }
        FUZZ_CHECK(rc == STC_OK);
        FUZZ_CHECK(lf != NULL && line == start);
        FUZZ_CHECK(ln <= max && ln <= (size_t)(lf - start));
        FUZZ_CHECK(memchr(line, '\n', ln) == NULL && memchr(line, '\0', ln) == NULL);
        size_t full = (size_t)(lf - start);
        FUZZ_CHECK(ln == full || (ln + 1 == full && line[ln] == '\r'));
        FUZZ_CHECK(r.pos == before + full + 1 && r.pos <= n);
    }
}

static void readers(const uint8_t *p, size_t n)
{
    struct rd r;
    rd_init(&r, p, n);
    for (size_t step = 0; step < n; step++) {
        size_t before = r.pos, left = rd_left(&r);
        FUZZ_CHECK(left == n - before);
        stc_rc rc;
        switch (p[step] % 4) {
        case 0: {
            uint8_t v;
            rc = rd_u8(&r, &v);
            FUZZ_CHECK((rc == STC_OK) == (left >= 1));
            if (rc == STC_OK)
                FUZZ_CHECK(v == p[before] && r.pos == before + 1);
            break;
        }
        case 1: {
            uint16_t v;
            rc = rd_u16(&r, &v);
            FUZZ_CHECK((rc == STC_OK) == (left >= 2));
            if (rc == STC_OK)
                FUZZ_CHECK(v == ((p[before] << 8) | p[before + 1]) && r.pos == before + 2);
            break;
        }
        case 2: {
            uint32_t v;
            rc = rd_u24(&r, &v);
            FUZZ_CHECK((rc == STC_OK) == (left >= 3));
            if (rc == STC_OK)
                FUZZ_CHECK(v == (((uint32_t)p[before] << 16) | ((uint32_t)p[before + 1] << 8) |
                                 p[before + 2]) &&
                           r.pos == before + 3);
            break;
        }
        default: {
            const uint8_t *b = NULL;
            size_t want = p[step] >> 2;
            rc = rd_bytes(&r, want, &b);
            FUZZ_CHECK((rc == STC_OK) == (left >= want));
            if (rc == STC_OK)
                FUZZ_CHECK(b == p + before && r.pos == before + want);
            break;
        }
        }
        if (rc != STC_OK) {
            FUZZ_CHECK(rc == STC_E_PARSE && r.pos == before);
        }
        FUZZ_CHECK(r.pos <= r.len);
    }
}

static void buffers(const uint8_t *p, size_t n, size_t max)
{
    struct buf b;
    buf_init(&b, max);
    for (size_t i = 0; i < n; i++) {
        size_t chunk = (size_t)p[i] % 97, old = b.len;
        if (chunk > n - i)
            chunk = n - i;
        struct stc_err err;
        stc_err_clear(&err);
        stc_rc rc = buf_append(&b, p + i, chunk, &err);
        if (rc == STC_OK) {
            FUZZ_CHECK(b.len == old + chunk && b.len <= b.max && b.len <= b.cap);
            FUZZ_CHECK(chunk == 0 || memcmp(b.data + old, p + i, chunk) == 0);
        } else {
            FUZZ_CHECK(rc == STC_E_LIMIT && b.len == old && old + chunk > max);
            fuzz_check_err(&err, rc, STC_OK);
        }
        if (p[i] & 0x80)
            buf_consume(&b, p[i] & 0x3f);
        if (p[i] & 0x40) {
            FUZZ_CHECK(buf_terminate(&b, NULL) == STC_OK);
            FUZZ_CHECK(b.cap > b.len && b.data[b.len] == '\0');
        }
        FUZZ_CHECK(b.cap <= max + 1);
    }
    buf_free(&b);
    FUZZ_CHECK(b.data == NULL && b.len == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t max = data[0] == 255 ? SIZE_MAX : data[0];
    size_t n = size - 1;
    uint8_t *p = malloc(n ? n : 1);
    FUZZ_CHECK(p != NULL);
    if (n)
        memcpy(p, data + 1, n);
    lines(p, n, max);
    readers(p, n);
    buffers(p, n, max == SIZE_MAX ? 4096 : max);
    /* A reader over NULL is empty, never dereferenced. */
    struct rd z;
    const uint8_t *l;
    size_t zl;
    rd_init(&z, NULL, n);
    FUZZ_CHECK(rd_left(&z) == 0 && rd_line(&z, max, &l, &zl) == STC_E_NOTFOUND);
    free(p);
    return 0;
}
