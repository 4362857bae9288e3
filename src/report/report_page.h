/* report_page.h - the frame every HTML report shares. */
#ifndef STC_REPORT_PAGE_H
#define STC_REPORT_PAGE_H

#include "report_out.h"

/** <!DOCTYPE html> .. <body>: charset, viewport, the CSP, the title (escaped), the CSS. */
void page_head(struct rout *o, const char *title);
/** </body></html> (with_script: the report script before it). */
void page_tail(struct rout *o, int with_script);

#endif
