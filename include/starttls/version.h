/* version.h - the version of the libstarttls headers, and of the library at run time.
 *
 * Compile time: STC_VERSION_MAJOR/MINOR/PATCH, STC_VERSION_STRING and
 * STC_VERSION_NUMBER (0xMMmmpp, for #if comparisons). Run time:
 * stc_version() and stc_version_number() say which library is loaded, which
 * can be newer than the headers a program was built with. The ABI changes
 * only with the MAJOR number (SONAME libstarttls.so.MAJOR while MAJOR > 0;
 * 0.x releases may change it with MINOR). CMakeLists.txt reads the numbers
 * from this file: it is the one place they are written.
 */
#ifndef STARTTLS_VERSION_H
#define STARTTLS_VERSION_H

#include "export.h"

#define STC_VERSION_MAJOR 0
#define STC_VERSION_MINOR 1
#define STC_VERSION_PATCH 0

#define STC_VERSION_STR_(x) #x
#define STC_VERSION_STR(x) STC_VERSION_STR_(x)
#define STC_VERSION_STRING                                                                         \
    STC_VERSION_STR(STC_VERSION_MAJOR)                                                             \
    "." STC_VERSION_STR(STC_VERSION_MINOR) "." STC_VERSION_STR(STC_VERSION_PATCH)
#define STC_VERSION_NUMBER                                                                         \
    ((STC_VERSION_MAJOR << 16) | (STC_VERSION_MINOR << 8) | STC_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/** The loaded library's version, e.g. "0.1.0" (static storage: never free it). */
STC_EXPORT const char *stc_version(void);
/** The loaded library's STC_VERSION_NUMBER. */
STC_EXPORT unsigned stc_version_number(void);

/**
 * Free memory the library allocated and handed over (the JSON text of
 * stc_result_to_json, ...). Use it rather than free(): the library and the
 * program may not share one allocator. NULL is fine.
 */
STC_EXPORT void stc_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
