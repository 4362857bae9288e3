/* serve_page.h - what serve sends: pages, the script, JSON documents.
 *
 * Every function writes into a FILE (open_memstream) and escapes every
 * string that is not our own markup: domain names, host names and the
 * stored result all pass ro_html / ro_jstr (src/report/report_out.h).
 */
#ifndef STC_SERVE_PAGE_H
#define STC_SERVE_PAGE_H

#include <stdio.h>

#include "../store/store_serve.h"
#include "serve_int.h"

extern const char serve_js[];
extern const char serve_css[];
/** The Content-Security-Policy of every answer: no inline script, no framing. */
extern const char serve_csp[];

void page_index(FILE *f, const char *note);
void page_error(FILE *f, int http_status, const char *msg);
void page_running(FILE *f, const struct job *j);
/** The finished check: h16's domain report with a navigation bar. STC_E_PARSE
 * when the stored document does not read back. */
stc_rc page_report(FILE *f, const char *id, const char *domain, const char *json,
                   struct stc_err *err);
void page_history(FILE *f, const char *domain, const struct store_serve_row *rows, size_t n);

/** API documents. */
void json_error(FILE *f, int http_status, const char *code, const char *msg);
void json_job(FILE *f, const struct job *j, int cached);
void json_row(FILE *f, const struct store_serve_row *r);
void json_history(FILE *f, const char *domain, const struct store_serve_row *rows, size_t n);

#endif
