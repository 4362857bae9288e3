/* result_json_write.h - JSON text of a jansson value with exact, lossless strings. */
#ifndef STC_RESULT_JSON_WRITE_H
#define STC_RESULT_JSON_WRITE_H

#include <jansson.h>

#include "../util/err.h"

/**
 * Write v as JSON text (indented by two spaces, or one line when compact).
 * Strings and keys are written from their exact bytes: ASCII output, JSON
 * escapes, invalid UTF-8 bytes as lone surrogates \udcXX (PEP 383).
 * \param[out] out malloc'd, NUL-terminated; the caller frees it.
 */
stc_rc result_json_write(const json_t *v, int compact, char **out, struct stc_err *err);

#endif
