/*
 * NAME
 *     num - range-checked parsing of numbers the user typed
 * SYNOPSIS
 *     long port; if (num_long(arg, 1, 65535, &port) != 0) ... usage error
 *     double sec; if (num_decimal(arg, 0, 3600, &sec) != 0) ...
 * DESCRIPTION
 *     One set of rules for every option and setting that takes a number,
 *     so "+5", " 5", "5 ", "0x10", "1e3" and "inf" are refused everywhere
 *     alike. The characters are checked first; strtol/strtod then convert
 *     a string known to be plain decimal, and errno catches overflow.
 * LIMITS
 *     num_long: the range of long. num_decimal: at most one '.', at least
 *     one digit.
 * DIAGNOSTICS
 *     0 on success, -1 for anything else (empty, NULL, bad character,
 *     overflow, out of range); the output is set only on success.
 */
#include "num.h"

#include <errno.h>
#include <stdlib.h>

static int digit(char c)
{
    return c >= '0' && c <= '9';
}

int num_long(const char *s, long lo, long hi, long *out)
{
    if (s == NULL)
        return -1;
    const char *p = s[0] == '-' && lo < 0 ? s + 1 : s;
    if (*p == '\0')
        return -1;
    for (const char *q = p; *q != '\0'; q++)
        if (!digit(*q))
            return -1;
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int num_decimal(const char *s, double lo, double hi, double *out)
{
    int digits = 0, dots = 0;
    if (s == NULL || *s == '\0')
        return -1;
    for (const char *q = s; *q != '\0'; q++) {
        if (digit(*q))
            digits++;
        else if (*q == '.' && dots == 0)
            dots++;
        else
            return -1;
    }
    if (digits == 0)
        return -1;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}
