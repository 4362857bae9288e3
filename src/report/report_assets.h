/* report_assets.h - the inline CSS and script of the HTML reports, and their CSP. */
#ifndef STC_REPORT_ASSETS_H
#define STC_REPORT_ASSETS_H

extern const char report_css[];
extern const char report_js[];
/** The Content-Security-Policy of every report (the script's hash included). */
extern const char report_csp[];

#endif
