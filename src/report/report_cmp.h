/* report_cmp.h - what an earlier scan said about each domain, for --compare. */
#ifndef STC_REPORT_CMP_H
#define STC_REPORT_CMP_H

#include <stddef.h>

#include "report_class.h"

struct cmp_entry {
    char *name;
    signed char status; /* domain status 0..6 */
    signed char expired;
    signed char seen; /* matched by the newer scan */
};

/* Domain name -> its old status (open addressing, grows). */
struct cmp_index {
    struct cmp_entry *slot;
    size_t cap, n;
};

/** Remember d's name, status and expired flag. STC_E_NOMEM. */
stc_rc cmp_index_add(struct cmp_index *x, const struct rep_dom *d);
/** The old entry of name, or NULL. */
struct cmp_entry *cmp_index_get(struct cmp_index *x, const char *name);
void cmp_index_free(struct cmp_index *x);

#endif
