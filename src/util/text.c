/*
 * NAME
 *     text - escaping and bounded comparison of untrusted text
 * DESCRIPTION
 *     text_escape() is what stands between server-supplied bytes and a
 *     terminal or log: nothing outside printable ASCII passes through raw.
 *     Compares take explicit lengths; none relies on NUL termination of
 *     network data.
 */
#include "text.h"

#include <stdlib.h>
#include <string.h>

int text_tolower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static int lower(int c)
{
    return text_tolower(c);
}

int text_iequal(const void *a, const void *b, size_t n)
{
    const uint8_t *p = a, *q = b;
    for (size_t i = 0; i < n; i++)
        if (lower(p[i]) != lower(q[i]))
            return 0;
    return 1;
}

static size_t escape(const void *in, size_t n, char *out, size_t outsz, int keep_backslash)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = in;
    size_t o = 0;
    size_t safe = 0; /* last escape boundary that still leaves room for "..." + NUL */
    if (outsz == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char tmp[4];
        size_t tl;
        if (p[i] == '\\' && !keep_backslash) {
            tmp[0] = '\\';
            tmp[1] = '\\';
            tl = 2;
        } else if (p[i] >= 0x20 && p[i] < 0x7f) {
            tmp[0] = (char)p[i];
            tl = 1;
        } else {
            tmp[0] = '\\';
            tmp[1] = 'x';
            tmp[2] = hex[p[i] >> 4];
            tmp[3] = hex[p[i] & 15];
            tl = 4;
        }
        if (o + tl + 1 > outsz) {
            /* Cut back to a whole escape (never "\x0" or a lone "\") and show
             * the truncation with "..." when there is room for it. */
            o = safe;
            if (o + 4 <= outsz) {
                memcpy(out + o, "...", 3);
                o += 3;
            }
            break;
        }
        memcpy(out + o, tmp, tl);
        o += tl;
        if (o + 4 <= outsz)
            safe = o;
    }
    out[o] = '\0';
    return o;
}

size_t text_escape(const void *in, size_t n, char *out, size_t outsz)
{
    return escape(in, n, out, outsz, 0);
}

size_t text_censor(const void *in, size_t n, char *out, size_t outsz)
{
    return escape(in, n, out, outsz, 1);
}

int text_ieq(const void *in, size_t n, const char *lit)
{
    size_t ln = strlen(lit);
    if (n != ln)
        return 0;
    return text_iprefix(in, n, lit);
}

int text_iprefix(const void *in, size_t n, const char *lit)
{
    size_t ln = strlen(lit);
    return n >= ln && text_iequal(in, lit, ln);
}

char *text_ndup(const void *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s == NULL)
        return NULL;
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

char *text_dup(const char *s)
{
    return s ? text_ndup(s, strlen(s)) : NULL;
}

void text_lower(char *s)
{
    for (; *s; s++)
        *s = (char)lower((unsigned char)*s);
}
