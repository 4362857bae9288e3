/* json.h - JSON serialization of result trees (schema: docs/json.md). */
#ifndef STARTTLS_JSON_H
#define STARTTLS_JSON_H

#include "error.h"
#include "export.h"
#include "result.h"
#include "version.h"

#ifdef __cplusplus
extern "C" {
#endif

enum stc_json_flags {
    STC_JSON_COMPACT = 1u << 0 /**< one line (JSON Lines); default is indented */
};

/** Serialize a tree (domain root, host or check node). *out is NUL-terminated and owned
 * by the caller: free it with stc_free. */
STC_EXPORT stc_rc stc_result_to_json(const struct stc_result *r, unsigned flags, char **out,
                                     struct stc_err *err);

/**
 * Read a tree back from its JSON (a domain object of docs/json.md, as
 * --json and scan outputs write it, or a check/host node). The input is
 * untrusted: strings are kept as given (views escape them). *out is the
 * caller's (stc_result_free). STC_E_PARSE for anything that is not such
 * an object, STC_E_LIMIT when nested too deeply, STC_E_NOMEM.
 */
STC_EXPORT stc_rc stc_result_from_json(const char *json, size_t len, struct stc_result **out,
                                       struct stc_err *err);

#ifdef __cplusplus
}
#endif
#endif
