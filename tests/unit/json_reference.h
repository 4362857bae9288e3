/* json_reference.h - TEST ORACLE: the jansson-based result serializer, frozen
 * (json_reference.c). Not part of the library. */
#ifndef STC_TEST_JSON_REFERENCE_H
#define STC_TEST_JSON_REFERENCE_H

#include <starttls/json.h>

/** What stc_result_to_json wrote before the direct writer: same flags, same
 * ownership (*out malloc'd), same error codes. */
stc_rc json_reference_to_json(const struct stc_result *r, unsigned flags, char **out,
                              struct stc_err *err);

#endif
