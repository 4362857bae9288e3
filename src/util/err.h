/* err.h - internal error helpers around struct stc_err (see include/starttls/error.h).
 *
 * err_set() records the first failure only, so the innermost cause survives
 * as the error travels up. STC_GUARD and STC_ENSURE jump to the function's
 * single `out:` label with `rc` set.
 */
#ifndef STC_UTIL_ERR_H
#define STC_UTIL_ERR_H

#include <starttls/error.h>

#if defined(__GNUC__) || defined(__clang__)
#define STC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define STC_PRINTF(a, b)
#endif

/** Record code + message if err is non-NULL and still clear; returns code. */
stc_rc err_set(struct stc_err *err, stc_rc code, const char *fmt, ...) STC_PRINTF(3, 4);

#ifdef __clang_analyzer__
/* For clang-tidy's static analyzer only (compiled code is unchanged): say
 * that err_set returns `code`, which the analyzer cannot see across files.
 * Without it every `return err_set(...)` and STC_ENSURE may "return STC_OK"
 * and each caller's out-parameters look uninitialized (docs/hardening.md). */
#define err_set(err, code, ...) (err_set((err), (code), __VA_ARGS__), (code))
#endif

/** True when err holds a failure. */
int err_isset(const struct stc_err *err);

/* Expect a local `stc_rc rc` and an `out:` label. */
#define STC_GUARD(expr)                                                                            \
    do {                                                                                           \
        rc = (expr);                                                                               \
        if (rc != STC_OK)                                                                          \
            goto out;                                                                              \
    } while (0)

#define STC_ENSURE(cond, err, code, ...)                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            rc = err_set((err), (code), __VA_ARGS__);                                              \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

#endif
