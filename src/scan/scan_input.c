/*
 * NAME
 *     scan_input - read the domain list of a bulk scan
 * SYNOPSIS
 *     scan_input_init(&in, fd, -1, err);
 *     while (scan_input_next(&in, &line, err) == STC_OK && line.kind != SCAN_LINE_EOF) ...
 * DESCRIPTION
 *     Accepts the forms seen in the wild: the top-million CSV "rank,domain",
 *     one domain per line, or any CSV with the column chosen (0-based, as
 *     the original's -column). In auto mode (column -1) a line of one field
 *     is the domain, a line of two fields whose first is a number is
 *     rank,domain, anything else is rejected with a hint to use --column.
 *     A UTF-8 byte order mark on line 1, CR before LF, white space around
 *     fields and double quotes around a field are removed. Blank lines and
 *     lines starting with '#' are skipped, as is a header line whose domain
 *     field reads "domain" (first data line only). The domain goes through
 *     stc_domain_normalize (IDNA, lower case, syntax).
 *
 *     Nothing is dropped silently: every other line comes back as
 *     SCAN_LINE_REJECT with its line number, a reason and an escaped excerpt.
 * LIMITS
 *     Lines longer than SCAN_LINE_MAX bytes are rejected (the rest of the
 *     line is skipped without buffering it); a NUL byte rejects a line; at
 *     most SCAN_FIELDS_MAX fields are split.
 *     With wait_ms > 0 a read waits at most that long (poll) and
 *     scan_input_next returns STC_E_TIMEOUT, keeping its place, so the
 *     caller can look at its stop flag while a pipe is stalled.
 * DIAGNOSTICS
 *     STC_E_IO when read() fails, STC_E_NOMEM at init. Bad lines are data,
 *     not errors.
 */
#include "scan_input.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <starttls/checker.h>

#include "../util/err.h"
#include "../util/text.h"

#define BUF_SIZE (SCAN_READ_CHUNK + SCAN_LINE_MAX)

stc_rc scan_input_init(struct scan_input *in, int fd, int column, struct stc_err *err)
{
    memset(in, 0, sizeof *in);
    in->fd = fd;
    in->column = column;
    in->buf = malloc(BUF_SIZE);
    if (in->buf == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    return STC_OK;
}

void scan_input_free(struct scan_input *in)
{
    free(in->buf);
    in->buf = NULL;
}

static int is_space(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static void trim(const uint8_t **p, size_t *n)
{
    while (*n > 0 && is_space((*p)[0])) {
        (*p)++;
        (*n)--;
    }
    while (*n > 0 && (is_space((*p)[*n - 1]) || (*p)[*n - 1] == '\r'))
        (*n)--;
}

static int all_digits(const uint8_t *p, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return 1;
}

/* Mark out rejected; out->reason is already written. */
static void reject(struct scan_line *out, const uint8_t *p, size_t n)
{
    out->kind = SCAN_LINE_REJECT;
    text_escape(p, n > 80 ? 80 : n, out->text, sizeof out->text);
}

#define REASON(...) snprintf(out->reason, sizeof out->reason, __VA_ARGS__)

void scan_input_parse(const uint8_t *p, size_t n, int column, int first, struct scan_line *out)
{
    const uint8_t *line = p;
    size_t len = n;
    const uint8_t *f[SCAN_FIELDS_MAX];
    size_t fl[SCAN_FIELDS_MAX], nf = 0;

    out->domain[0] = out->reason[0] = out->text[0] = '\0';
    if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0 && out->lineno == 1) {
        p += 3;
        n -= 3;
    }
    trim(&p, &n);
    if (n == 0 || p[0] == '#') {
        out->kind = SCAN_LINE_SKIP;
        return;
    }
    if (memchr(line, '\0', len) != NULL) {
        REASON("NUL byte in line");
        reject(out, line, len);
        return;
    }
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += p[i] == ',';
    const uint8_t *q = p;
    size_t left = n;
    while (nf < SCAN_FIELDS_MAX) {
        const uint8_t *comma = memchr(q, ',', left);
        size_t k = comma ? (size_t)(comma - q) : left;
        f[nf] = q;
        fl[nf] = k;
        trim(&f[nf], &fl[nf]);
        if (fl[nf] >= 2 && f[nf][0] == '"' && f[nf][fl[nf] - 1] == '"') {
            f[nf]++;
            fl[nf] -= 2;
        }
        nf++;
        if (comma == NULL)
            break;
        q = comma + 1;
        left -= k + 1;
    }
    size_t pick;
    if (column >= 0) {
        if ((size_t)column >= total) {
            REASON("too few columns (%zu; --column %d is 0-based)", total, column);
            reject(out, line, len);
            return;
        }
        if ((size_t)column >= nf) {
            REASON("too many columns (%zu) before column %d", total, column);
            reject(out, line, len);
            return;
        }
        pick = (size_t)column;
    } else if (total == 1) {
        pick = 0;
    } else if (total == 2 && all_digits(f[0], fl[0])) {
        pick = 1;
    } else if (total == 2) {
        pick = 1; /* a "rank,domain" header, or rejected below */
    } else {
        REASON("too many columns (%zu): expected \"rank,domain\" or one domain; use --column",
               total);
        reject(out, line, len);
        return;
    }
    if (first && (text_ieq(f[pick], fl[pick], "domain") || text_ieq(f[pick], fl[pick], "domains") ||
                  text_ieq(f[pick], fl[pick], "host") || text_ieq(f[pick], fl[pick], "site"))) {
        out->kind = SCAN_LINE_SKIP; /* header */
        return;
    }
    if (column < 0 && total == 2 && !all_digits(f[0], fl[0])) {
        REASON("2 columns but the first is not a rank: expected \"rank,domain\"; use --column");
        reject(out, line, len);
        return;
    }
    /* fl[pick] is set: the split made min(total, SCAN_FIELDS_MAX) fields and pick < both. */
    // NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult)
    if (fl[pick] == 0) {
        REASON("empty domain field");
        reject(out, line, len);
        return;
    }
    if (fl[pick] > SCAN_LINE_MAX) {
        /* The reader caps lines already; this keeps the copy below safe for any caller. */
        REASON("domain field longer than %d bytes", SCAN_LINE_MAX);
        reject(out, line, len);
        return;
    }
    char name[SCAN_LINE_MAX + 1];
    memcpy(name, f[pick], fl[pick]);
    name[fl[pick]] = '\0';
    struct stc_err e = {0};
    if (stc_domain_normalize(name, out->domain, sizeof out->domain, &e) != STC_OK) {
        out->domain[0] = '\0';
        REASON("invalid domain: %s", e.msg);
        reject(out, line, len);
        return;
    }
    out->kind = SCAN_LINE_DOMAIN;
}

static stc_rc fill(struct scan_input *in, struct stc_err *err)
{
    if (in->start > 0) {
        memmove(in->buf, in->buf + in->start, in->len - in->start);
        in->len -= in->start;
        in->start = 0;
    }
    if (in->wait_ms > 0) {
        struct pollfd pfd = {in->fd, POLLIN, 0};
        int pr = poll(&pfd, 1, (int)in->wait_ms);
        if (pr == 0 || (pr < 0 && errno == EINTR))
            return err_set(err, STC_E_TIMEOUT, "no input yet");
        if (pr < 0)
            return err_set(err, STC_E_IO, "poll: %s", strerror(errno));
    }
    for (;;) {
        ssize_t r = read(in->fd, in->buf + in->len, BUF_SIZE - in->len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return err_set(err, STC_E_IO, "read: %s", strerror(errno));
        if (r == 0)
            in->eof = 1;
        in->len += (size_t)r;
        return STC_OK;
    }
}

stc_rc scan_input_next(struct scan_input *in, struct scan_line *out, struct stc_err *err)
{
    memset(out, 0, sizeof *out);
    for (;;) {
        uint8_t *p = in->buf + in->start;
        size_t avail = in->len - in->start;
        uint8_t *nl = memchr(p, '\n', avail);
        if (in->skipping) {
            if (nl != NULL) {
                in->start += (size_t)(nl - p) + 1;
                in->skipping = 0;
                continue;
            }
            in->start = in->len = 0;
            if (in->eof) {
                out->kind = SCAN_LINE_EOF;
                return STC_OK;
            }
            stc_rc rc = fill(in, err);
            if (rc != STC_OK)
                return rc;
            continue;
        }
        if (nl == NULL && avail > SCAN_LINE_MAX) {
            in->lineno++;
            out->lineno = in->lineno;
            REASON("line longer than %d bytes", SCAN_LINE_MAX);
            reject(out, p, 80);
            in->skipping = 1;
            in->start += avail;
            return STC_OK;
        }
        if (nl == NULL && !in->eof) {
            stc_rc rc = fill(in, err);
            if (rc != STC_OK)
                return rc;
            continue;
        }
        if (nl == NULL && avail == 0) {
            out->kind = SCAN_LINE_EOF;
            return STC_OK;
        }
        size_t n = nl ? (size_t)(nl - p) : avail;
        in->lineno++;
        out->lineno = in->lineno;
        in->start += n + (nl ? 1 : 0);
        if (n > SCAN_LINE_MAX) {
            REASON("line longer than %d bytes", SCAN_LINE_MAX);
            reject(out, p, 80);
            return STC_OK;
        }
        scan_input_parse(p, n, in->column, !in->seen_data, out);
        if (out->kind != SCAN_LINE_SKIP)
            in->seen_data = 1;
        return STC_OK;
    }
}

stc_rc scan_input_count(int fd, uint64_t *count, struct stc_err *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return err_set(err, STC_E_INVAL, "not a regular file");
    uint8_t *b = malloc(SCAN_READ_CHUNK);
    if (b == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    uint64_t n = 0;
    off_t off = 0;
    int at_start = 1, counted = 0;
    for (;;) {
        ssize_t r = pread(fd, b, SCAN_READ_CHUNK, off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(b);
            return err_set(err, STC_E_IO, "read: %s", strerror(errno));
        }
        if (r == 0)
            break;
        for (ssize_t i = 0; i < r; i++) {
            uint8_t c = b[i];
            if (c == '\n') {
                at_start = 1;
                counted = 0;
            } else if (at_start && (c == ' ' || c == '\t' || c == '\r')) {
                continue;
            } else if (at_start) {
                at_start = 0;
                if (c != '#' && !counted) {
                    n++;
                    counted = 1;
                }
            }
        }
        off += r;
    }
    free(b);
    *count = n;
    return STC_OK;
}
