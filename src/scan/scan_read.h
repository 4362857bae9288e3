/* scan_read.h - read back the domain results a scan wrote (JSON Lines or SQLite). */
#ifndef STC_SCAN_READ_H
#define STC_SCAN_READ_H

#include <stddef.h>

#include <starttls/error.h>

/** One domain's JSON text (not NUL-terminated), n bytes. A non-OK return stops the read. */
typedef stc_rc (*scan_read_fn)(void *ctx, const char *json, size_t n, struct stc_err *err);

/**
 * Call fn with every domain result in path: a scan database (--db; the
 * file starts with SQLite's header) in the order the rows were written,
 * or a JSON Lines file (-o; "-" reads standard input), line by line.
 * Nothing is kept between calls. STC_E_IO when the file cannot be read
 * or is not a scan database, or fn's code.
 */
stc_rc scan_read_each(const char *path, scan_read_fn fn, void *ctx, struct stc_err *err);

#endif
