/* scan_ckey.h - the options a host result depends on, as one string (the host cache's key). */
#ifndef STC_SCAN_CKEY_H
#define STC_SCAN_CKEY_H

#include <stddef.h>

#include <starttls/error.h>

struct stc_config;

#define SCAN_CKEY_MAX 8192

/** Write cfg's result-changing options to out (NUL-terminated). STC_E_INVAL when too long. */
stc_rc scan_ckey(const struct stc_config *cfg, char *out, size_t n, struct stc_err *err);

#endif
