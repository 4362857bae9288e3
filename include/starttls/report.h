/* report.h - HTML reports: a whole scan with charts, or one domain.
 *
 * Both write one self-contained HTML file: inline CSS and SVG, no request
 * of any kind (its Content-Security-Policy forbids them), every string from
 * the results HTML-escaped. docs/report.md describes the pages.
 */
#ifndef STARTTLS_REPORT_H
#define STARTTLS_REPORT_H

#include <stdio.h>

#include "error.h"
#include "export.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The report of a scan: input is a scan database (scan --db) or a JSON
 * Lines file (scan -o; "-" for standard input). Headline numbers, charts
 * (STARTTLS, certificates, TLS versions, ciphers, MTA-STS, TLS-RPT, DNSSEC,
 * DANE, top failure reasons, MX concentration) and a searchable, paged
 * table of every domain with its detail. compare (or NULL): an earlier
 * scan in either format; the report then shows the change against it.
 * Reads each input once, keeping counts only (plus a name and a status per
 * domain of compare). STC_E_IO when a file cannot be read or out cannot be
 * written, STC_E_NOMEM.
 */
STC_EXPORT stc_rc stc_report_scan_html(const char *input, const char *compare, FILE *out,
                                       struct stc_err *err);

/**
 * The report of one domain (a STC_NODE_DOMAIN tree from
 * stc_checker_check_domain or stc_result_from_json): the verdict, the MX
 * table, the domain findings, the numbered recommendations, and every MX
 * host's details. No script. STC_E_IO, STC_E_INVAL for a NULL argument.
 */
STC_EXPORT stc_rc stc_report_domain_html(const struct stc_result *r, FILE *out,
                                         struct stc_err *err);

#ifdef __cplusplus
}
#endif
#endif
