/*
 * NAME
 *     cli_escape - make untrusted text safe for a terminal
 * SYNOPSIS
 *     char buf[256];
 *     cli_escape(s, strlen(s), buf, sizeof buf);
 * DESCRIPTION
 *     The CLI uses the public API only, so it carries its own escaper (the
 *     library's rules, except that a backslash stays single): printable ASCII
 *     passes, every other byte (controls, DEL, bytes >= 0x80) becomes \xHH.
 *     Used for everything the user or a server supplied before it is printed.
 *     Strings from the result tree are escaped by the library already;
 *     doubling their backslashes would show each escape twice, and a lone
 *     backslash is harmless on a terminal.
 * LIMITS
 *     Output is cut at outsz - 1 bytes; a cut shows as "...".
 * DIAGNOSTICS
 *     None: returns the length written.
 */
#include "cli_output.h"

#include <string.h>

size_t cli_escape(const char *in, size_t n, char *out, size_t outsz)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)in;
    size_t o = 0;
    if (outsz == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char tmp[4];
        size_t tl;
        if (p[i] >= 0x20 && p[i] < 0x7f) {
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
            while (o > 0 && o + 4 > outsz)
                o--;
            if (o + 4 <= outsz) {
                memcpy(out + o, "...", 3);
                o += 3;
            }
            break;
        }
        memcpy(out + o, tmp, tl);
        o += tl;
    }
    out[o] = '\0';
    return o;
}
