/* scan_record.h - the record of a domain whose check could not complete. */
#ifndef STC_SCAN_RECORD_H
#define STC_SCAN_RECORD_H

#include <starttls/error.h>
#include <starttls/result.h>

/**
 * A domain tree with status 3 (error) whose message gives the reason, shaped
 * like any other domain's (mx_hosts, ..., no host results), so every
 * valid input domain gets one record. NULL when out of memory.
 */
struct stc_result *scan_record_error(const char *domain, const char *reason);
/** The record of an input domain on the --exclude list: status 3, fact "excluded",
 *  no lookup made. NULL when out of memory. */
struct stc_result *scan_record_excluded(const char *domain);
/** The host node of an MX host whose name is on the --exclude list (not resolved,
 *  not contacted). NULL when out of memory. */
struct stc_result *scan_record_excluded_host(const char *domain, const char *host);

#endif
