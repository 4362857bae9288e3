/*
 * NAME
 *     report_cmp - the earlier scan's verdict per domain (--compare)
 * SYNOPSIS
 *     #include "report_cmp.h"
 *     struct cmp_index x = {0};
 *     cmp_index_add(&x, &dom);                 for every domain of OLD
 *     e = cmp_index_get(&x, "example.org");    while reading the new scan
 *     cmp_index_free(&x);
 * DESCRIPTION
 *     A hash table of domain name -> (status, an MX certificate had
 *     expired), enough to tell which domains got worse and which
 *     certificates newly expired. The only per-domain state a report
 *     keeps: a name and three bytes per domain of the older scan. A name
 *     seen twice keeps its last entry.
 * LIMITS
 *     Grows by doubling; the load factor stays under 1/2.
 * DIAGNOSTICS
 *     STC_E_NOMEM.
 */
#include "report_cmp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t slot_of(const struct cmp_index *x, const char *name)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *s = name; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    size_t i = (size_t)h & (x->cap - 1);
    while (x->slot[i].name != NULL && strcmp(x->slot[i].name, name) != 0)
        i = (i + 1) & (x->cap - 1);
    return i;
}

static stc_rc grow(struct cmp_index *x)
{
    struct cmp_index y = {NULL, x->cap ? x->cap * 2 : 1024, x->n};
    y.slot = calloc(y.cap, sizeof *y.slot);
    if (y.slot == NULL)
        return STC_E_NOMEM;
    for (size_t i = 0; i < x->cap; i++)
        if (x->slot[i].name != NULL)
            y.slot[slot_of(&y, x->slot[i].name)] = x->slot[i];
    free(x->slot);
    *x = y;
    return STC_OK;
}

stc_rc cmp_index_add(struct cmp_index *x, const struct rep_dom *d)
{
    const char *name = stc_result_name(d->root);
    if ((x->n + 1) * 2 > x->cap && grow(x) != STC_OK)
        return STC_E_NOMEM;
    struct cmp_entry *e = &x->slot[slot_of(x, name)];
    if (e->name == NULL) {
        e->name = strdup(name);
        if (e->name == NULL)
            return STC_E_NOMEM;
        x->n++;
    }
    e->status = (signed char)d->status;
    e->expired = (signed char)d->expired;
    return STC_OK;
}

struct cmp_entry *cmp_index_get(struct cmp_index *x, const char *name)
{
    if (x->cap == 0)
        return NULL;
    struct cmp_entry *e = &x->slot[slot_of(x, name)];
    return e->name != NULL ? e : NULL;
}

void cmp_index_free(struct cmp_index *x)
{
    for (size_t i = 0; i < x->cap; i++)
        free(x->slot[i].name);
    free(x->slot);
    memset(x, 0, sizeof *x);
}
