/* fuzz_common.h - invariant checks shared by the libFuzzer harnesses.
 *
 * A harness calls one parser on the fuzzer's bytes and then checks what the
 * parser promises (its header comment), not only that it did not crash.
 * A broken promise aborts with a message naming the file, line and the
 * condition, and libFuzzer saves the input as a crash artifact.
 * Harnesses may abort; the library never does (STYLE.md).
 */
#ifndef STC_FUZZ_COMMON_H
#define STC_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <starttls/error.h>

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Every byte of s[0..n) is printable ASCII (0x20..0x7e). */
static inline int fuzz_printable(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            return 0;
    return 1;
}

/* A C string held in a char[cap]: NUL-terminated inside the array. */
static inline int fuzz_terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

/* An error record after a call that returned rc: a failure (other than
 * allow_silent, e.g. STC_E_NOTFOUND) left code == rc and a printable,
 * non-empty message; success left it untouched (clear). */
static inline void fuzz_check_err(const struct stc_err *err, stc_rc rc, stc_rc allow_silent)
{
    FUZZ_CHECK(fuzz_terminated(err->msg, sizeof err->msg));
    if (rc == STC_OK || rc == allow_silent) {
        FUZZ_CHECK(err->code == STC_OK);
        FUZZ_CHECK(err->msg[0] == '\0');
        return;
    }
    FUZZ_CHECK(err->code == rc);
    FUZZ_CHECK(err->msg[0] != '\0');
    FUZZ_CHECK(fuzz_printable(err->msg, strlen(err->msg)));
}

/* A NUL-terminated, exact-size copy of data (C-string APIs); caller frees. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        abort();
    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
