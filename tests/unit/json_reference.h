/* json_reference.h - TEST ORACLE: the jansson-based result serializer, frozen
 * (json_reference.c). Not part of the library. */
#ifndef STC_TEST_JSON_REFERENCE_H
#define STC_TEST_JSON_REFERENCE_H

#include <stddef.h>

#include <starttls/json.h>

/** What stc_result_to_json wrote before the direct writer: same flags, same
 * ownership (*out malloc'd), same error codes. */
stc_rc json_reference_to_json(const struct stc_result *r, unsigned flags, char **out,
                              struct stc_err *err);

/** 1 when stc_result_to_json and json_reference_to_json give r (with flags)
 * the same bytes, or fail with the same code and message; else 0, with the
 * two results around the first difference described in why. */
int json_reference_agrees(const struct stc_result *r, unsigned flags, char *why, size_t why_len);

#endif
