/* test_scan_record - the record of a domain whose check could not complete: status 3,
 * the reason, the usual top-level keys, and a JSON line the resume reader recognises. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <starttls/json.h>

#include "scan/scan_jsonl.h"
#include "scan/scan_record.h"

static void test_error_record(void **state)
{
    (void)state;
    struct stc_result *t = scan_record_error("broken.example", "out of memory");
    assert_non_null(t);
    assert_string_equal(stc_result_name(t), "broken.example");
    assert_int_equal(stc_result_domain_status(t), STC_DOMAIN_ERROR);
    assert_int_equal(stc_result_status(t), STC_STATUS_ERROR);
    assert_int_equal(stc_result_message_count(t), 1);
    assert_non_null(strstr(stc_result_message(t, 0), "could not complete: out of memory"));
    assert_string_equal(stc_result_get_str(t, "check_error"), "out of memory");
    assert_true(stc_result_fact_index(t, "mx_hosts") >= 0);

    char *json = NULL;
    struct stc_err err = {0};
    assert_int_equal(stc_result_to_json(t, STC_JSON_COMPACT, &json, &err), STC_OK);
    char d[256];
    assert_true(scan_jsonl_domain(json, strlen(json), d, sizeof d));
    assert_string_equal(d, "broken.example");
    assert_non_null(strstr(json, "\"status\":3"));
    free(json);
    stc_result_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
