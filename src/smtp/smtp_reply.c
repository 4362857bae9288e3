/*
 * NAME
 *     smtp_reply - parse one SMTP reply (RFC 5321 4.2) with hard limits
 * SYNOPSIS
 *     stc_rc smtp_reply_parse(struct rd *r, struct smtp_reply *out, struct stc_err *err);
 *     void smtp_reply_free(struct smtp_reply *r);
 * DESCRIPTION
 *     Incremental: the caller keeps appending received bytes and calls again
 *     while the result is STC_E_NOTFOUND. A reply is lines "DDD-text"
 *     (continuation) ending with "DDD text" or a bare "DDD"; every line has
 *     the same code, whose first digit is 2..5. Lines end in CRLF; a bare LF
 *     is accepted too (lenient, as most MTAs are).
 *
 *     Garbage is reported as early as possible: the first bytes of a line
 *     that is still incomplete are checked too (digits, separator, same
 *     code, no NUL), so an HTTP or TLS server answering on port 25 fails
 *     after a few bytes instead of at the deadline.
 *
 *     On success r is advanced past the reply and *out is filled: out->text
 *     is malloc'd and owned by the caller (smtp_reply_free). *out is written
 *     on success only and is not freed first. On any failure r is unchanged.
 * LIMITS
 *     A line holds at most STC_SMTP_LINE_MAX bytes without its CRLF (RFC
 *     5321 counts the CRLF in its 512; we allow two more octets). At most
 *     STC_SMTP_REPLY_LINES_MAX lines and STC_SMTP_REPLY_BYTES_MAX bytes
 *     (terminators included) per reply. Texts are kept exactly as received
 *     (no NUL can occur; a bare CR inside a line stays): whoever shows them
 *     on a terminal censors them, the JSON writer encodes them losslessly.
 * DIAGNOSTICS
 *     STC_E_NOTFOUND: the reply is not complete yet (no message written).
 *     STC_E_PEER: "not an SMTP reply: <escaped line>", "NUL byte in reply",
 *     "mixed reply codes ...". STC_E_LIMIT: "reply line longer than 512
 *     bytes", "reply has more than 100 lines", "reply longer than N bytes".
 *     STC_E_NOMEM.
 */
#include "smtp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/err.h"
#include "../util/text.h"

#define SHOW_MAX 60 /* bytes of an offending line quoted in a message */

/* Escaped, quoted prefix of a bad line for an error message. */
static stc_rc not_smtp(const uint8_t *p, size_t n, struct stc_err *err)
{
    char show[SHOW_MAX * 4 + 1];
    text_escape(p, n < SHOW_MAX ? n : SHOW_MAX, show, sizeof show);
    return err_set(err, STC_E_PEER, "not an SMTP reply: \"%s\"%s", show, n > SHOW_MAX ? "..." : "");
}

static int is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/*
 * Check the first n bytes of a line (complete or not). *code is the reply's
 * code so far (0 before the first line) and is set from a first line.
 */
static stc_rc check_head(const uint8_t *p, size_t n, int complete, int *code, struct stc_err *err)
{
    if (n == 0)
        return complete ? not_smtp(p, n, err) : STC_OK;
    size_t k = n < 3 ? n : 3;
    for (size_t i = 0; i < k; i++)
        if (!is_digit(p[i]) || (i == 0 && (p[0] < '2' || p[0] > '5')))
            return not_smtp(p, n, err);
    if (memchr(p, '\0', n) != NULL)
        return err_set(err, STC_E_PEER, "NUL byte in reply");
    if (complete && n < 3)
        return not_smtp(p, n, err);
    /* A complete line is stripped of its CR, so only a partial one may show
     * the CR of a bare "DDD\r\n" at index 3. */
    if (n > 3 && p[3] != ' ' && p[3] != '-' && (complete || p[3] != '\r'))
        return not_smtp(p, n, err);
    if (n < 3)
        return STC_OK;
    int c = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
    if (*code == 0 && complete)
        *code = c;
    else if (*code != 0 && c != *code)
        return err_set(err, STC_E_PEER, "mixed reply codes in one reply (%d, then %d)", *code, c);
    return STC_OK;
}

/* Append the text of one line (after "DDD[ -]") to t exactly, after a '\n'
 * unless it is the first line (whose text may be empty: "250-\r\n"). */
static stc_rc add_text(struct buf *t, int first, const uint8_t *p, size_t n, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    if (!first)
        STC_GUARD(buf_append(t, "\n", 1, err));
    STC_GUARD(buf_append(t, p, n, err));
out:
    return rc;
}

stc_rc smtp_reply_parse(struct rd *r, struct smtp_reply *out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    size_t start = r->pos;
    int code = 0;
    size_t nlines = 0;
    int last = 0;
    char first[sizeof out->first];
    struct buf text;
    /* The text is at most the reply's bytes plus the '\n' joins. */
    buf_init(&text, (size_t)STC_SMTP_REPLY_BYTES_MAX + STC_SMTP_REPLY_LINES_MAX + 1);
    first[0] = '\0';

    while (!last) {
        const uint8_t *line;
        size_t n;
        stc_rc lrc = rd_line(r, STC_SMTP_LINE_MAX, &line, &n);
        if (lrc == STC_E_NOTFOUND) {
            /* Judge what is there of the incomplete line before asking for more. */
            const uint8_t *part;
            size_t pn;
            rd_peek(r, SIZE_MAX, &part, &pn);
            STC_GUARD(check_head(part, pn, 0, &code, err));
            STC_ENSURE(r->pos - start + pn <= STC_SMTP_REPLY_BYTES_MAX, err, STC_E_LIMIT,
                       "reply longer than %d bytes", STC_SMTP_REPLY_BYTES_MAX);
            rc = STC_E_NOTFOUND;
            goto out;
        }
        if (lrc == STC_E_PARSE || lrc == STC_E_LIMIT) {
            /* A line with a NUL or over-long may be plain garbage (binary,
             * another protocol): say that first, quoting its start. */
            const uint8_t *head;
            size_t qn;
            rd_peek(r, SHOW_MAX, &head, &qn);
            STC_GUARD(check_head(head, qn, 0, &code, err));
            if (lrc == STC_E_PARSE)
                rc = err_set(err, STC_E_PEER, "NUL byte in reply");
            else
                rc = err_set(err, STC_E_LIMIT, "reply line longer than %d bytes", STC_SMTP_LINE_MAX);
            goto out;
        }
        STC_ENSURE(lrc == STC_OK, err, lrc, "reading a reply line failed");
        STC_GUARD(check_head(line, n, 1, &code, err));
        nlines++;
        last = n == 3 || line[3] == ' ';
        const uint8_t *t = n > 4 ? line + 4 : line + n;
        size_t tn = n > 4 ? n - 4 : 0;
        if (nlines == 1)
            snprintf(first, sizeof first, "%.*s", (int)tn, (const char *)t);
        STC_ENSURE(r->pos - start <= STC_SMTP_REPLY_BYTES_MAX, err, STC_E_LIMIT,
                   "reply longer than %d bytes", STC_SMTP_REPLY_BYTES_MAX);
        STC_GUARD(add_text(&text, nlines == 1, t, tn, err));
        STC_ENSURE(last || nlines < STC_SMTP_REPLY_LINES_MAX, err, STC_E_LIMIT,
                   "reply has more than %d lines", STC_SMTP_REPLY_LINES_MAX);
    }

    char *joined = text_ndup(text.data ? (const char *)text.data : "", text.len);
    STC_ENSURE(joined != NULL, err, STC_E_NOMEM, "out of memory");
    out->code = code;
    out->nlines = nlines;
    memcpy(out->first, first, sizeof first);
    out->text = joined;
out:
    if (rc != STC_OK)
        r->pos = start;
    buf_free(&text);
    return rc;
}

void smtp_reply_free(struct smtp_reply *r)
{
    if (r == NULL)
        return;
    free(r->text);
    r->text = NULL;
}
