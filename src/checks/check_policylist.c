/*
 * NAME
 *     check_policylist - the "policylist" domain check (STARTTLS-Everywhere list)
 * SYNOPSIS
 *     check_policylist(list, domain, root);
 * DESCRIPTION
 *     With a loaded list (NULL: nothing is added), adds a
 *     "policylist" node: is the domain listed, in which mode, through which
 *     alias, and does every MX host that connected match the listed mxs
 *     patterns (the original's PolicyMatches: literal, or "*." / "." and
 *     exactly one more label)? Senders that use the list refuse (enforce)
 *     or report (testing) delivery to a host outside the patterns.
 *     Status rules (docs/checks-mtasts.md): not listed: success with a
 *     note (the list is opt-in); listed and all connected hosts match:
 *     success; a connected host that matches no pattern: failure in
 *     enforce mode, warning in testing mode. Hosts that did not connect
 *     are noted, not judged (spam traps, nolisting). STARTTLS and the
 *     certificate are judged by the host checks, not again here.
 *     Facts: listed (bool), mode, mxs (list), alias (when via policy-alias).
 * DIAGNOSTICS
 *     None returned.
 * LIMITS
 *     A pure judge of the loaded list (policy_list_get) and of the host
 *     nodes already in root; no I/O.
 */
#include <string.h>

#include "../mtasts/policy_list.h"
#include "../mtasts/mtasts.h"
#include "checks.h"

static int connected(const struct stc_result *h)
{
    long long v = 0;
    if (stc_result_get_int(h, "connected", &v))
        return v != 0;
    const struct stc_result *c = stc_result_find(h, CHECK_CONNECTIVITY);
    return c != NULL && stc_result_status(c) == STC_STATUS_SUCCESS;
}

void check_policylist(const struct policy_list *list, const char *domain, struct stc_result *root)
{
    if (list == NULL)
        return;
    struct stc_result *c = result_add_check(
        root, CHECK_POLICYLIST,
        "Is the domain on the STARTTLS-Everywhere policy list, and do its MX hosts match the"
        " listed patterns?");
    if (c == NULL)
        return;
    const struct policy_entry *e = policy_list_get(list, domain);
    if (e == NULL) {
        result_fact_bool(c, "listed", 0);
        result_note(c, "%s is not on the policy list", domain);
        return;
    }
    result_fact_bool(c, "listed", 1);
    result_fact_str(c, "mode", e->mode);
    result_fact_list(c, "mxs");
    for (size_t i = 0; i < e->nmx; i++)
        result_fact_list_add(c, "mxs", e->mxs[i]);
    if (e->alias != NULL)
        result_fact_str(c, "alias", e->alias);
    result_note(c, "%s is on the policy list in %s mode%s%s", domain, e->mode,
                e->alias ? " through the alias " : "", e->alias ? e->alias : "");

    int enforce = strcmp(e->mode, "enforce") == 0;
    size_t nhosts = 0, nbad = 0;
    for (size_t i = 0; i < stc_result_child_count(root); i++) {
        const struct stc_result *h = stc_result_child(root, i);
        if (stc_result_kind(h) != STC_NODE_HOST)
            continue;
        const char *name = stc_result_name(h);
        int match = mtasts_patterns_match(name, e->mxs, e->nmx);
        if (!connected(h)) {
            result_note(c, "%s could not be reached and is not judged (it %s the listed patterns)",
                        name, match ? "matches" : "does not match");
            continue;
        }
        nhosts++;
        if (match)
            continue;
        nbad++;
        if (enforce)
            result_msg(c, STC_STATUS_FAILURE,
                       "%s matches none of the listed mxs: senders using the list will not"
                       " deliver to it",
                       name);
        else
            result_msg(c, STC_STATUS_WARNING,
                       "%s matches none of the listed mxs: senders using the list report it (in"
                       " enforce mode they would not deliver)",
                       name);
        const char *parent = memchr(name, '.', strlen(name));
        result_recommend(c,
                         "Add \"%s\"%s%s%s to the mxs of the list entry for %s, or remove %s"
                         " from the MX records",
                         name, parent ? " (or \"" : "", parent ? parent : "",
                         parent ? "\" for all hosts one label below it)" : "", domain, name);
    }
    if (nbad == 0 && nhosts > 0)
        result_note(c, nhosts == 1 ? "the connected MX host matches the listed patterns"
                                   : "all %zu connected MX hosts match the listed patterns",
                    nhosts);
    else if (nhosts == 0)
        result_note(c, "no MX host connected, so none could be compared with the list");
    if (nbad > 0)
        result_set_type(c, "validation-failure");
}
