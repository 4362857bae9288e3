/*
 * NAME
 *     alloc - stc_free: memory the library hands to its callers goes back here
 * SYNOPSIS
 *     char *json; stc_result_to_json(tree, 0, &json, &err); ... stc_free(json);
 * DESCRIPTION
 *     Everything the public API returns as a caller-owned buffer is malloc'd
 *     inside the library; stc_free releases it with the library's free, so a
 *     program linked to another C runtime or allocator stays correct.
 * DIAGNOSTICS
 *     None; NULL is accepted.
 */
#include <stdlib.h>

#include <starttls/version.h>

void stc_free(void *p)
{
    free(p);
}
