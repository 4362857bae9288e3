/*
 * NAME
 *     report_page - head and tail of every HTML report
 * SYNOPSIS
 *     #include "report_page.h"
 *     page_head(&o, "example.org");  ...  page_tail(&o, 0);
 * DESCRIPTION
 *     The head carries <meta charset="utf-8">, the viewport, the
 *     Content-Security-Policy of report_assets (no request of any kind,
 *     the report's own script only), the escaped title and the inline
 *     style sheet. The tail adds the script when asked.
 * LIMITS
 *     None.
 * DIAGNOSTICS
 *     None; write errors are kept in struct rout.
 */
#include "report_page.h"

#include "report_assets.h"

void page_head(struct rout *o, const char *title)
{
    ro_puts(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<meta http-equiv=\"Content-Security-Policy\" content=\"");
    ro_puts(o, report_csp);
    ro_puts(o, "\">\n<meta name=\"generator\" content=\"starttls-check\">\n<title>");
    ro_html(o, title);
    ro_puts(o, "</title>\n<style>\n");
    ro_puts(o, report_css);
    ro_puts(o, "</style></head>\n<body>\n");
}

void page_tail(struct rout *o, int with_script)
{
    if (with_script) {
        ro_puts(o, "<script>");
        ro_puts(o, report_js);
        ro_puts(o, "</script>\n");
    }
    ro_puts(o, "</body></html>\n");
}
