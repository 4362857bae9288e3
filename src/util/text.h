/* text.h - small string helpers: escaping untrusted bytes, bounded compares, copies. */
#ifndef STC_UTIL_TEXT_H
#define STC_UTIL_TEXT_H

#include <stddef.h>
#include <stdint.h>

/**
 * Copy untrusted bytes into out as printable ASCII: bytes 0x20..0x7e stay
 * (backslash becomes "\\"), everything else becomes "\xHH". Always
 * NUL-terminates (outsz > 0); truncates with "..." when out is too small.
 * Returns strlen(out).
 */
size_t text_escape(const void *in, size_t n, char *out, size_t outsz);

/**
 * Like text_escape, but a backslash passes through unchanged: what the
 * terminal views (text report, Nagios) use on tree strings, which hold
 * server text raw next to text lower layers already escaped (so "\x1b"
 * from a certificate field is not shown as "\\x1b"). Control and non-ASCII
 * bytes are escaped; the output stays printable.
 */
size_t text_censor(const void *in, size_t n, char *out, size_t outsz);

/** ASCII lower case of one byte (other bytes unchanged): the one case fold of the
 * project; DNS names, MTA-STS keys and SMTP keywords are ASCII-case-insensitive. */
int text_tolower(int c);
/** Case-insensitive (ASCII) equality of a[0..n) and b[0..n). */
int text_iequal(const void *a, const void *b, size_t n);
/** Case-insensitive (ASCII) equality of in[0..n) and the C string lit. */
int text_ieq(const void *in, size_t n, const char *lit);
/** Case-insensitive (ASCII) prefix test: does in[0..n) start with lit? */
int text_iprefix(const void *in, size_t n, const char *lit);

/** malloc'd copies; NULL on allocation failure (text_dup(NULL) is NULL). */
char *text_dup(const char *s);
char *text_ndup(const void *p, size_t n);

/** ASCII lower-case in place. */
void text_lower(char *s);

#endif
