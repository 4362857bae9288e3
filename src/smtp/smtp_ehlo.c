/*
 * NAME
 *     smtp_ehlo - send EHLO and parse the extensions a server announces
 * SYNOPSIS
 *     void smtp_ehlo_parse(const struct smtp_reply *r, struct smtp_ehlo *out);
 *     stc_rc smtp_ehlo(s, "client.example", deadline, &reply, &ext, err);
 * DESCRIPTION
 *     RFC 5321 4.1.1.1: the lines after the first of a 250 reply are
 *     "keyword [params]"; keywords are matched case-insensitively. Known
 *     ones set flags (STARTTLS, PIPELINING, REQUIRETLS, SIZE, CHUNKING,
 *     SMTPUTF8, 8BITMIME); every valid keyword is recorded upper-cased.
 *     Lines whose keyword is not RFC 5321 syntax (ALPHA/DIGIT then
 *     ALPHA/DIGIT/"-"), such as the old "AUTH=LOGIN", are skipped.
 *     The parser reads r->text (the exact text; no NUL, no LF inside a
 *     line); a keyword must be RFC 5321 syntax, so it never holds control
 *     bytes.
 *
 *     SIZE (RFC 1870): no parameter gives size 0 ("no fixed limit"); a
 *     parameter that is not a decimal number, or above SMTP_SIZE_MAX, gives
 *     size -1. The first SIZE line counts.
 *
 *     smtp_ehlo() does not fall back to HELO: out->code tells the caller
 *     what the server said, and ext is filled (zeroed unless the code is 250).
 * LIMITS
 *     The first 64 keywords are kept, each cut to 31 characters. The EHLO
 *     name must be 1..255 bytes without CR/LF/space.
 * DIAGNOSTICS
 *     smtp_ehlo_parse cannot fail. smtp_ehlo: STC_E_INVAL for a bad name,
 *     then whatever smtp_command returns.
 */
#include "smtp.h"

#include <stdio.h>
#include <string.h>

#include "../util/err.h"
#include "../util/text.h"

#define KEYWORDS_MAX (sizeof ((struct smtp_ehlo *)0)->keywords / sizeof ((struct smtp_ehlo *)0)->keywords[0])
#define KEYWORD_LEN (sizeof ((struct smtp_ehlo *)0)->keywords[0] - 1)
#define HELO_MAX 255

static int is_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int valid_keyword(const char *p, size_t n)
{
    if (n == 0 || !is_alnum(p[0]))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!is_alnum(p[i]) && p[i] != '-')
            return 0;
    return 1;
}

/* Decimal SIZE parameter: 0 when absent, -1 when malformed or too big. */
static long parse_size(const char *p, size_t n)
{
    while (n > 0 && p[0] == ' ') {
        p++;
        n--;
    }
    while (n > 0 && p[n - 1] == ' ')
        n--;
    if (n == 0)
        return 0;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        int dg = p[i] - '0';
        if (v > (SMTP_SIZE_MAX - dg) / 10)
            return -1;
        v = v * 10 + dg;
    }
    return v;
}

static void one_line(const char *p, size_t n, struct smtp_ehlo *out)
{
    const char *sp = memchr(p, ' ', n);
    size_t kn = sp ? (size_t)(sp - p) : n;
    if (!valid_keyword(p, kn))
        return;
    const char *param = sp ? sp + 1 : p + n;
    size_t pn = sp ? n - kn - 1 : 0;

    if (text_ieq(p, kn, "STARTTLS"))
        out->starttls = 1;
    else if (text_ieq(p, kn, "PIPELINING"))
        out->pipelining = 1;
    else if (text_ieq(p, kn, "REQUIRETLS"))
        out->requiretls = 1;
    else if (text_ieq(p, kn, "CHUNKING"))
        out->chunking = 1;
    else if (text_ieq(p, kn, "SMTPUTF8"))
        out->smtputf8 = 1;
    else if (text_ieq(p, kn, "8BITMIME"))
        out->eightbitmime = 1;
    else if (text_ieq(p, kn, "SIZE") && !out->size_present) {
        out->size_present = 1;
        out->size = parse_size(param, pn);
    }

    if (out->nkeywords < KEYWORDS_MAX) {
        char *k = out->keywords[out->nkeywords++];
        size_t c = kn < KEYWORD_LEN ? kn : KEYWORD_LEN;
        for (size_t i = 0; i < c; i++)
            k[i] = (p[i] >= 'a' && p[i] <= 'z') ? (char)(p[i] - 32) : p[i];
        k[c] = '\0';
    }
}

void smtp_ehlo_parse(const struct smtp_reply *r, struct smtp_ehlo *out)
{
    memset(out, 0, sizeof *out);
    if (r == NULL || r->code != 250 || r->text == NULL)
        return;
    const char *p = r->text;
    size_t left = strlen(r->text); /* our own NUL-terminated copy */
    int first = 1;
    while (left > 0 || first) {
        const char *nl = memchr(p, '\n', left);
        size_t n = nl ? (size_t)(nl - p) : left;
        if (!first)
            one_line(p, n, out);
        first = 0;
        if (nl == NULL)
            break;
        p = nl + 1;
        left -= n + 1;
    }
}

stc_rc smtp_ehlo(struct smtp_session *s, const char *helo, struct deadline d,
                 struct smtp_reply *out, struct smtp_ehlo *ext, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    char cmd[sizeof "EHLO " + HELO_MAX];
    size_t n = helo ? strnlen(helo, HELO_MAX + 1) : 0;
    STC_ENSURE(n > 0 && n <= HELO_MAX, err, STC_E_INVAL, "EHLO name empty or longer than %d bytes",
               HELO_MAX);
    STC_ENSURE(memchr(helo, ' ', n) == NULL && memchr(helo, '\r', n) == NULL &&
                   memchr(helo, '\n', n) == NULL,
               err, STC_E_INVAL, "EHLO name contains a space, CR or LF");
    snprintf(cmd, sizeof cmd, "EHLO %.*s", (int)n, helo);
    STC_GUARD(smtp_command(s, cmd, d, out, err));
    smtp_ehlo_parse(out, ext);
out:
    return rc;
}
