/* report_scan.h - the state of one scan report while it is built (report_scan.c) and written
 * (report_scan_page.c). */
#ifndef STC_REPORT_SCAN_H
#define STC_REPORT_SCAN_H

#include "report_agg.h"
#include "report_cmp.h"
#include "report_out.h"

#define SUFFIX_MAX 65536 /* MX suffixes counted one by one */
#define FIND_MAX 512     /* distinct finding keys */
#define WORSE_MAX 500    /* domains listed per change list */

struct change_item {
    char name[256];
    int from, to; /* domain status before and now */
};

struct change_list {
    struct change_item *v;
    size_t n, cap;
    unsigned long long count; /* all of them, listed or not */
};

struct scan_report {
    const char *input, *compare;
    struct rep_agg agg;
    struct rout rows; /* the table rows, a temporary file */
    unsigned long long rows_written, unreadable;
    /* --compare */
    int indexing; /* reading the earlier scan */
    struct rep_agg old_agg;
    struct cmp_index old;
    unsigned long long old_unreadable, both, added;
    struct change_list worse, better, expired;
};

/** The page around the rows: part 0 up to the rows' JSON array, part 1 after it. */
void report_scan_page(struct rout *o, const struct scan_report *s, int part);

#endif
