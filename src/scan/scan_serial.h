/* scan_serial.h - result trees to bytes and back (the persistent host cache). */
#ifndef STC_SCAN_SERIAL_H
#define STC_SCAN_SERIAL_H

#include <stddef.h>

#include <starttls/error.h>
#include <starttls/result.h>

#include "../util/buf.h"

/** Append the encoding of tree r to out. STC_E_LIMIT / STC_E_NOMEM from the buffer. */
stc_rc scan_serial_encode(const struct stc_result *r, struct buf *out, struct stc_err *err);
/** Rebuild a tree from n bytes. STC_E_PARSE on anything malformed, STC_E_NOMEM. */
stc_rc scan_serial_decode(const void *p, size_t n, struct stc_result **out, struct stc_err *err);

#endif
