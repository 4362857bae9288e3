/* policy_list.h - the STARTTLS-Everywhere policy list (EFF's policy.json).
 *
 * Format (EFForg/starttls-everywhere RULES.md, starttls-backend policy.List):
 *   { "timestamp": T, "expires": T, "version": "0.1", "author": "...",
 *     "policies": { "example.com": { "mode": "enforce"|"testing",
 *                                    "mxs": [".example.net", "mx.example.com"] },
 *                   "gmail.com": { "policy-alias": "gmail" } },
 *     "policy-aliases": { "gmail": { "mode": ..., "mxs": [...] } } }
 * T is an RFC 3339 time string or epoch seconds. A loaded list is
 * immutable and may be shared by threads.
 */
#ifndef STC_JSON_POLICY_LIST_H
#define STC_JSON_POLICY_LIST_H

#include <stddef.h>

#include <starttls/error.h>

#define POLICY_LIST_FILE_MAX (64L * 1024 * 1024) /* bytes of policy.json read */

struct policy_entry {
    const char *domain; /* lower case, no trailing dot */
    const char *mode;   /* "enforce" or "testing" */
    char *const *mxs;   /* patterns, lower case: "mx.example.com" or ".example.net" */
    size_t nmx;
    const char *alias; /* the policy-alias it came from, or NULL */
};

struct policy_list;

/**
 * Load and validate a policy list file. STC_E_IO when it cannot be read,
 * STC_E_LIMIT past POLICY_LIST_FILE_MAX, STC_E_PARSE for malformed JSON or
 * content (the message says what and where: "FILE:LINE:COL" or the JSON
 * path) and for a list whose "expires" time has passed, STC_E_NOMEM.
 */
stc_rc policy_list_load(const char *path, struct policy_list **out, struct stc_err *err);
/** The same from memory; now is the current time (epoch seconds); what names the source. */
stc_rc policy_list_parse(const char *text, size_t n, long long now, const char *what,
                         struct policy_list **out, struct stc_err *err);
void policy_list_free(struct policy_list *pl);

/** The policy for a domain (exact match, ASCII case-insensitive, trailing dot ignored), or NULL. */
const struct policy_entry *policy_list_get(const struct policy_list *pl, const char *domain);
size_t policy_list_count(const struct policy_list *pl);
/** Epoch seconds of "expires". */
long long policy_list_expires(const struct policy_list *pl);

#endif
