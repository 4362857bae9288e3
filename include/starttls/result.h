/* result.h - the result tree of a check.
 *
 * One tree of nodes per domain: the root (STC_NODE_DOMAIN) has one child per
 * MX host (STC_NODE_HOST, in MX preference order) followed by the domain-level
 * checks (STC_NODE_CHECK: "mta_sts", "tls-rpt", "dane", "policylist", ...).
 * A host's children are its checks ("connectivity", "starttls",
 * "certificate", "version", "cipher", "dane"). Every node has a status; a
 * parent's status is the most severe of its children and its own findings.
 * Typed facts ("details") ride on each node. Text, JSON and Nagios output
 * are views of this one tree.
 *
 * Ownership: the tree is owned by whoever received the root; free it with
 * stc_result_free(). Pointers returned by accessors live as long as the tree.
 */
#ifndef STARTTLS_RESULT_H
#define STARTTLS_RESULT_H

#include <stddef.h>

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Status of a check, in increasing severity (the original's CheckStatus). */
typedef enum stc_status {
    STC_STATUS_SUCCESS = 0,
    STC_STATUS_WARNING = 1,
    STC_STATUS_FAILURE = 2,
    STC_STATUS_ERROR = 3
} stc_status;

/** Domain status codes (the original's DomainStatus); also the CLI exit code. */
typedef enum stc_domain_status {
    STC_DOMAIN_SUCCESS = 0,
    STC_DOMAIN_WARNING = 1,
    STC_DOMAIN_FAILURE = 2,
    STC_DOMAIN_ERROR = 3,
    STC_DOMAIN_NO_STARTTLS = 4,
    STC_DOMAIN_COULD_NOT_CONNECT = 5,
    STC_DOMAIN_BAD_HOSTNAME = 6
} stc_domain_status;

typedef enum stc_node_kind {
    STC_NODE_DOMAIN = 0,
    STC_NODE_HOST = 1,
    STC_NODE_CHECK = 2
} stc_node_kind;

typedef enum stc_fact_type {
    STC_FACT_STR = 0,
    STC_FACT_INT = 1,
    STC_FACT_BOOL = 2,
    STC_FACT_LIST = 3 /**< a list of strings */
} stc_fact_type;

struct stc_result;

/** "success", "warning", "failure", "error". Never NULL; static storage. */
STC_EXPORT const char *stc_status_text(stc_status s);
/** "success" ... "no_starttls", "could_not_connect", "bad_hostname"; static storage. */
STC_EXPORT const char *stc_domain_status_text(stc_domain_status s);

STC_EXPORT stc_node_kind stc_result_kind(const struct stc_result *r);
STC_EXPORT const char *stc_result_name(const struct stc_result *r);
STC_EXPORT stc_status stc_result_status(const struct stc_result *r);
/** What the check verifies; "" when none. */
STC_EXPORT const char *stc_result_description(const struct stc_result *r);
/** RFC 8460 result type (e.g. "certificate-expired"), or NULL. */
STC_EXPORT const char *stc_result_type(const struct stc_result *r);
/** Domain status code; meaningful on the STC_NODE_DOMAIN root only. */
STC_EXPORT stc_domain_status stc_result_domain_status(const struct stc_result *r);

STC_EXPORT size_t stc_result_message_count(const struct stc_result *r);
STC_EXPORT const char *stc_result_message(const struct stc_result *r, size_t i);
STC_EXPORT size_t stc_result_recommendation_count(const struct stc_result *r);
STC_EXPORT const char *stc_result_recommendation(const struct stc_result *r, size_t i);

STC_EXPORT size_t stc_result_child_count(const struct stc_result *r);
STC_EXPORT const struct stc_result *stc_result_child(const struct stc_result *r, size_t i);
/** First child with this name, or NULL. */
STC_EXPORT const struct stc_result *stc_result_find(const struct stc_result *r, const char *name);

STC_EXPORT size_t stc_result_fact_count(const struct stc_result *r);
STC_EXPORT const char *stc_result_fact_key(const struct stc_result *r, size_t i);
STC_EXPORT stc_fact_type stc_result_fact_type(const struct stc_result *r, size_t i);
STC_EXPORT const char *stc_result_fact_str(const struct stc_result *r, size_t i);
STC_EXPORT long long stc_result_fact_int(const struct stc_result *r, size_t i);
STC_EXPORT size_t stc_result_fact_list_len(const struct stc_result *r, size_t i);
STC_EXPORT const char *stc_result_fact_list_item(const struct stc_result *r, size_t i, size_t j);
/** Index of the fact with this key, or -1. */
STC_EXPORT long stc_result_fact_index(const struct stc_result *r, const char *key);
/** String fact by key, or NULL. */
STC_EXPORT const char *stc_result_get_str(const struct stc_result *r, const char *key);
/** Int (or bool) fact by key: 1 and *out set when present, 0 otherwise. */
STC_EXPORT int stc_result_get_int(const struct stc_result *r, const char *key, long long *out);

/** Deep copy of a (sub)tree; NULL on allocation failure. The caller owns the copy. */
STC_EXPORT struct stc_result *stc_result_clone(const struct stc_result *r);

/** Free a whole tree (NULL is fine). Only call on a root you own. */
STC_EXPORT void stc_result_free(struct stc_result *r);

#ifdef __cplusplus
}
#endif
#endif
