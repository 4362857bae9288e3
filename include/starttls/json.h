/* json.h - JSON serialization of result trees (schema: docs/json.md). */
#ifndef STARTTLS_JSON_H
#define STARTTLS_JSON_H

#include "error.h"
#include "export.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

enum stc_json_flags {
    STC_JSON_COMPACT = 1u << 0 /**< one line (JSON Lines); default is indented */
};

/** Serialize a tree (domain root, host or check node). *out is malloc'd, NUL-terminated; caller frees. */
STC_EXPORT stc_rc stc_result_to_json(const struct stc_result *r, unsigned flags, char **out,
                                     struct stc_err *err);

#ifdef __cplusplus
}
#endif
#endif
