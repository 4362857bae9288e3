/*
 * NAME
 *     result_json - serialize a result tree to JSON (schema: docs/json.md)
 * SYNOPSIS
 *     #include <starttls/json.h>
 *     stc_rc stc_result_to_json(const struct stc_result *r, unsigned flags,
 *                               char **out, struct stc_err *err);
 * DESCRIPTION
 *     A STC_NODE_DOMAIN root becomes the domain object (domain, status,
 *     status_text, message, mx_hostnames, preferred_hostnames, implicit_mx,
 *     null_mx, results, mta_sts, extra_results, then recommendations and
 *     details when present). A STC_NODE_HOST node becomes a host object: the
 *     check node keys plus domain, hostname, preference and address, which
 *     are taken out of its facts (domain falls back to the root's name,
 *     hostname to the node's name). Any other node becomes a check node.
 *     Keys come out in a fixed order, children in tree order.
 *
 *     This file is the tree walk and the key layout: it reads the tree once
 *     and appends the text straight to one buffer (result_json_text.c), with
 *     no intermediate JSON tree, so a domain costs a few allocations. Where
 *     the tree has two candidates for one key of an object (children of one
 *     node with the same name, hosts whose absolute names agree, a second
 *     mta_sts node among the extra results), the key appears once, where
 *     the first one was, with the last one's value (result_json_members.c):
 *     exactly what the earlier jansson-built output held.
 *
 *     The tree is only read. *out is malloc'd; the caller frees it (stc_free).
 *     Every string and key is written exactly as the tree holds it (server
 *     text included: the tree keeps it raw, the terminal views censor it);
 *     result_json_text makes the output ASCII, with invalid UTF-8 bytes as
 *     lone surrogates \udcXX (lossless; docs/json.md "Encoding").
 * LIMITS
 *     A tree with a node more than JSON_DEPTH_MAX check levels below the root
 *     is refused, anywhere in the tree; so is any value more than
 *     JSON_TEXT_DEPTH_MAX levels deep in the text (a check level is two JSON
 *     levels: the node and its "checks"). The text may grow to JSON_TEXT_MAX.
 * DIAGNOSTICS
 *     STC_E_INVAL for a NULL tree or out; STC_E_NOMEM; STC_E_LIMIT for a
 *     tree nested too deeply ("json: result tree nested deeper than 32") or
 *     text nested too deeply ("json: nested deeper than 64") or too long;
 *     STC_E_INTERNAL for a fact of unknown type. On failure *out is untouched.
 */
#include <starttls/json.h>

#include <stdint.h>
#include <string.h>

#include "../util/err.h"
#include "result_json_members.h"
#include "result_json_text.h"

#define JSON_DEPTH_MAX 32

/* The original names every host node "hostnames"; the host is the key. */
#define HOST_NODE_NAME "hostnames"
/* The MTA-STS node: "mta_sts" in the tree and at the top of the domain
 * object, named "mta-sts" as the original names it. */
#define MTASTS_TREE_NAME "mta_sts"
#define MTASTS_NODE_NAME "mta-sts"

/* Facts shown outside "details" for each kind of object, with their type;
 * a fact of another type stays in "details". */
#define PROMOTED_MAX 5
static const char *const host_keys[] = {"domain", "hostname", "preference", "address", NULL};
static const stc_fact_type host_types[] = {STC_FACT_STR, STC_FACT_STR, STC_FACT_INT, STC_FACT_STR};
static const char *const mtasts_keys[] = {"policy", "mode", "mx", NULL};
static const stc_fact_type mtasts_types[] = {STC_FACT_STR, STC_FACT_STR, STC_FACT_LIST};
static const char *const domain_keys[] = {"mx_hostnames", "mx_hosts", "preferred_hostnames",
                                          "implicit_mx", "null_mx", NULL};
static const stc_fact_type domain_types[] = {STC_FACT_LIST, STC_FACT_LIST, STC_FACT_LIST,
                                             STC_FACT_BOOL, STC_FACT_BOOL};
static const char *const no_keys[] = {NULL};
static const stc_fact_type no_types[] = {STC_FACT_STR};

static stc_rc write_node(struct json_text *t, const struct stc_result *r, const char *domain,
                         unsigned depth, struct stc_err *err);

/* ---- Small writers. ---- */

static stc_rc key(struct json_text *t, const char *k, struct stc_err *err)
{
    return json_text_key(t, k, strlen(k), 0, err);
}

/* A string value; NULL is "". */
static stc_rc str(struct json_text *t, const char *s, struct stc_err *err)
{
    if (s == NULL)
        s = "";
    return json_text_str(t, s, strlen(s), 0, err);
}

/* The length of name without its trailing dot: name as the original writes
 * host names, absolute, is these bytes and a '.'. */
static size_t name_core(const char *name)
{
    size_t n = strlen(name);
    return n > 0 && name[n - 1] == '.' ? n - 1 : n;
}

static stc_rc member_str(struct json_text *t, const char *k, const char *s, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    STC_GUARD(key(t, k, err));
    STC_GUARD(str(t, s, err));
out:
    return rc;
}

static stc_rc member_int(struct json_text *t, const char *k, long long v, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    STC_GUARD(key(t, k, err));
    STC_GUARD(json_text_int(t, v, err));
out:
    return rc;
}

/* k: [strings], count/item giving them. */
static stc_rc member_strings(struct json_text *t, const char *k, const struct stc_result *r,
                             size_t (*count)(const struct stc_result *),
                             const char *(*item)(const struct stc_result *, size_t),
                             struct stc_err *err)
{
    stc_rc rc = STC_OK;
    size_t n = count(r);
    STC_GUARD(key(t, k, err));
    STC_GUARD(json_text_open(t, '[', err));
    for (size_t i = 0; i < n; i++) {
        STC_GUARD(json_text_item(t, err));
        STC_GUARD(str(t, item(r, i), err));
    }
    STC_GUARD(json_text_close(t, ']', err));
out:
    return rc;
}

/* ---- Facts. ---- */

/* The fact with this key and type, or -1. */
static long typed_fact(const struct stc_result *r, const char *k, stc_fact_type type)
{
    long i = stc_result_fact_index(r, k);
    if (i < 0 || stc_result_fact_type(r, (size_t)i) != type)
        return -1;
    return i;
}

/* The items of list fact i as an array, as absolute names when asked. */
static stc_rc list_items(struct json_text *t, const struct stc_result *r, size_t i, int absolute,
                         struct stc_err *err)
{
    stc_rc rc = STC_OK;
    STC_GUARD(json_text_open(t, '[', err));
    for (size_t k = 0; k < stc_result_fact_list_len(r, i); k++) {
        const char *item = stc_result_fact_list_item(r, i, k);
        if (item == NULL)
            item = "";
        STC_GUARD(json_text_item(t, err));
        if (absolute)
            STC_GUARD(json_text_str(t, item, name_core(item), 1, err));
        else
            STC_GUARD(json_text_str(t, item, strlen(item), 0, err));
    }
    STC_GUARD(json_text_close(t, ']', err));
out:
    return rc;
}

/* The value of fact i: string, integer, boolean or array of strings. */
static stc_rc fact_value(struct json_text *t, const struct stc_result *r, size_t i,
                         struct stc_err *err)
{
    stc_fact_type type = stc_result_fact_type(r, i);
    switch (type) {
    case STC_FACT_STR: return str(t, stc_result_fact_str(r, i), err);
    case STC_FACT_INT: return json_text_int(t, stc_result_fact_int(r, i), err);
    case STC_FACT_BOOL: return json_text_bool(t, stc_result_fact_int(r, i) != 0, err);
    case STC_FACT_LIST: return list_items(t, r, i, 0, err);
    default: return err_set(err, STC_E_INTERNAL, "json: unknown fact type %d", (int)type);
    }
}

/* k: list fact fact_key as an array ([] when missing); with omit_missing,
 * nothing when the fact is missing. */
static stc_rc member_list_fact(struct json_text *t, const char *k, const struct stc_result *r,
                               const char *fact_key, int absolute, int omit_missing,
                               struct stc_err *err)
{
    stc_rc rc = STC_OK;
    long i = typed_fact(r, fact_key, STC_FACT_LIST);
    if (i < 0 && omit_missing)
        return STC_OK;
    STC_GUARD(key(t, k, err));
    if (i >= 0) {
        STC_GUARD(list_items(t, r, (size_t)i, absolute, err));
    } else {
        STC_GUARD(json_text_open(t, '[', err));
        STC_GUARD(json_text_close(t, ']', err));
    }
out:
    return rc;
}

/* k: string fact fact_key, "" when missing. */
static stc_rc member_str_fact(struct json_text *t, const char *k, const struct stc_result *r,
                              const char *fact_key, struct stc_err *err)
{
    long i = typed_fact(r, fact_key, STC_FACT_STR);
    return member_str(t, k, i >= 0 ? stc_result_fact_str(r, (size_t)i) : "", err);
}

/* k: boolean fact k, false when missing. */
static stc_rc member_bool_fact(struct json_text *t, const struct stc_result *r, const char *k,
                               struct stc_err *err)
{
    stc_rc rc = STC_OK;
    long i = typed_fact(r, k, STC_FACT_BOOL);
    STC_GUARD(key(t, k, err));
    STC_GUARD(json_text_bool(t, i >= 0 && stc_result_fact_int(r, (size_t)i) != 0, err));
out:
    return rc;
}

/* "details": every fact not promoted (keys/types: the facts shown outside
 * it); omitted when nothing is left. */
static stc_rc member_details(struct json_text *t, const struct stc_result *r,
                             const char *const *keys, const stc_fact_type *types,
                             struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct json_members ms;
    long promoted[PROMOTED_MAX];
    size_t np = 0, n = stc_result_fact_count(r);
    if (n == 0)
        return STC_OK;
    for (; np < PROMOTED_MAX && keys[np] != NULL; np++)
        promoted[np] = typed_fact(r, keys[np], types[np]);
    STC_GUARD(json_members_init(&ms, n, err));
    for (size_t i = 0; i < n; i++) {
        int shown = 0;
        for (size_t k = 0; k < np; k++)
            shown |= promoted[k] == (long)i;
        if (shown)
            continue;
        const char *k = stc_result_fact_key(r, i);
        json_members_add(&ms, k, strlen(k), i);
    }
    if (ms.n > 0) {
        json_members_resolve(&ms);
        STC_GUARD(key(t, "details", err));
        STC_GUARD(json_text_open(t, '{', err));
        for (size_t m = 0; m < ms.n; m++) {
            if (ms.m[m].value == JSON_MEMBER_SKIP)
                continue;
            STC_GUARD(json_text_key(t, ms.m[m].key, ms.m[m].len, 0, err));
            STC_GUARD(fact_value(t, r, ms.m[m].value, err));
        }
        STC_GUARD(json_text_close(t, '}', err));
    }
out:
    json_members_free(&ms);
    return rc;
}

/* ---- Nodes. ---- */

/* The original's spelling of a check status (capitalised). */
static const char *check_status_text(stc_status st)
{
    switch (st) {
    case STC_STATUS_SUCCESS: return "Success";
    case STC_STATUS_WARNING: return "Warning";
    case STC_STATUS_FAILURE: return "Failure";
    case STC_STATUS_ERROR: return "Error";
    default: return "Error";
    }
}

/* status .. recommendations: the keys every check node has. */
static stc_rc check_keys(struct json_text *t, const struct stc_result *r, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    stc_status st = stc_result_status(r);
    STC_GUARD(member_int(t, "status", (long long)st, err));
    STC_GUARD(member_str(t, "status_text", check_status_text(st), err));
    STC_GUARD(member_str(t, "description", stc_result_description(r), err));
    STC_GUARD(member_strings(t, "messages", r, stc_result_message_count, stc_result_message, err));
    if (stc_result_type(r) != NULL)
        STC_GUARD(member_str(t, "result_type", stc_result_type(r), err));
    if (stc_result_recommendation_count(r) > 0)
        STC_GUARD(member_strings(t, "recommendations", r, stc_result_recommendation_count,
                                 stc_result_recommendation, err));
out:
    return rc;
}

/* An object k of children of r: those take() accepts, keyed by their name
 * (absolute: with a '.' unless it has one), each key once. */
static stc_rc member_children(struct json_text *t, const char *k, const struct stc_result *r,
                              int (*take)(const struct stc_result *ch, size_t i, size_t skip),
                              size_t skip, int absolute, const char *domain, unsigned depth,
                              struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct json_members ms;
    size_t n = stc_result_child_count(r);
    STC_GUARD(json_members_init(&ms, n, err));
    for (size_t i = 0; i < n; i++) {
        const struct stc_result *ch = stc_result_child(r, i);
        if (!take(ch, i, skip))
            continue;
        const char *name = stc_result_name(ch);
        json_members_add(&ms, name, absolute ? name_core(name) : strlen(name), i);
    }
    json_members_resolve(&ms);
    STC_GUARD(key(t, k, err));
    STC_GUARD(json_text_open(t, '{', err));
    for (size_t m = 0; m < ms.n; m++) {
        if (ms.m[m].value == JSON_MEMBER_SKIP)
            continue;
        STC_GUARD(json_text_key(t, ms.m[m].key, ms.m[m].len, absolute, err));
        STC_GUARD(write_node(t, stc_result_child(r, ms.m[m].value), domain, depth, err));
    }
    STC_GUARD(json_text_close(t, '}', err));
out:
    json_members_free(&ms);
    return rc;
}

static int take_all(const struct stc_result *ch, size_t i, size_t skip)
{
    (void)ch;
    (void)i;
    (void)skip;
    return 1;
}

static int take_hosts(const struct stc_result *ch, size_t i, size_t skip)
{
    (void)i;
    (void)skip;
    return stc_result_kind(ch) == STC_NODE_HOST;
}

/* The domain's extra results: every child but the hosts and the mta_sts node (skip). */
static int take_extra(const struct stc_result *ch, size_t i, size_t skip)
{
    return stc_result_kind(ch) != STC_NODE_HOST && i != skip;
}

/* "checks": children by name; omitted when there are none. */
static stc_rc member_checks(struct json_text *t, const struct stc_result *r, const char *domain,
                            unsigned depth, struct stc_err *err)
{
    if (stc_result_child_count(r) == 0)
        return STC_OK;
    return member_children(t, "checks", r, take_all, 0, 0, domain, depth + 1, err);
}

static stc_rc host_object(struct json_text *t, const struct stc_result *r, const char *domain,
                          unsigned depth, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    const char *dom = stc_result_get_str(r, "domain");
    const char *hostname = stc_result_get_str(r, "hostname");
    if (dom == NULL || *dom == '\0')
        dom = domain;
    STC_GUARD(json_text_open(t, '{', err));
    STC_GUARD(member_str(t, "name", HOST_NODE_NAME, err));
    if (dom != NULL)
        STC_GUARD(member_str(t, "domain", dom, err));
    STC_GUARD(member_str(t, "hostname", hostname ? hostname : stc_result_name(r), err));
    long i = typed_fact(r, "preference", STC_FACT_INT);
    if (i >= 0)
        STC_GUARD(member_int(t, "preference", stc_result_fact_int(r, (size_t)i), err));
    i = typed_fact(r, "address", STC_FACT_STR);
    if (i >= 0)
        STC_GUARD(member_str(t, "address", stc_result_fact_str(r, (size_t)i), err));
    STC_GUARD(check_keys(t, r, err));
    STC_GUARD(member_details(t, r, host_keys, host_types, err));
    STC_GUARD(member_checks(t, r, dom, depth, err));
    STC_GUARD(json_text_close(t, '}', err));
out:
    return rc;
}

static stc_rc check_object(struct json_text *t, const struct stc_result *r, const char *domain,
                           unsigned depth, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    STC_GUARD(json_text_open(t, '{', err));
    STC_GUARD(member_str(t, "name", stc_result_name(r), err));
    STC_GUARD(check_keys(t, r, err));
    STC_GUARD(member_details(t, r, no_keys, no_types, err));
    STC_GUARD(member_checks(t, r, domain, depth, err));
    STC_GUARD(json_text_close(t, '}', err));
out:
    return rc;
}

/* The mta_sts node: a check node with the original's policy (the policy
 * file's text), mode and mxs at its top level ("" and [] without a policy). */
static stc_rc mtasts_object(struct json_text *t, const struct stc_result *r, const char *domain,
                            unsigned depth, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    STC_GUARD(json_text_open(t, '{', err));
    STC_GUARD(member_str(t, "name", MTASTS_NODE_NAME, err));
    STC_GUARD(check_keys(t, r, err));
    STC_GUARD(member_str_fact(t, "policy", r, "policy", err));
    STC_GUARD(member_str_fact(t, "mode", r, "mode", err));
    STC_GUARD(member_list_fact(t, "mxs", r, "mx", 0, 0, err));
    STC_GUARD(member_details(t, r, mtasts_keys, mtasts_types, err));
    STC_GUARD(member_checks(t, r, domain, depth, err));
    STC_GUARD(json_text_close(t, '}', err));
out:
    return rc;
}

static stc_rc domain_object(struct json_text *t, const struct stc_result *r, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    const char *dom = stc_result_name(r);
    stc_domain_status ds = stc_result_domain_status(r);
    size_t mtasts = SIZE_MAX; /* the first mta_sts check; later ones are extra results */
    for (size_t i = 0; i < stc_result_child_count(r) && mtasts == SIZE_MAX; i++) {
        const struct stc_result *ch = stc_result_child(r, i);
        if (stc_result_kind(ch) == STC_NODE_CHECK &&
            strcmp(stc_result_name(ch), MTASTS_TREE_NAME) == 0)
            mtasts = i;
    }

    STC_GUARD(json_text_open(t, '{', err));
    STC_GUARD(member_str(t, "domain", dom, err));
    STC_GUARD(member_int(t, "status", (long long)ds, err));
    STC_GUARD(member_str(t, "status_text", stc_domain_status_text(ds), err));
    STC_GUARD(member_str(t, "message",
                         stc_result_message_count(r) > 0 ? stc_result_message(r, 0) : "", err));
    STC_GUARD(member_list_fact(t, "mx_hostnames", r, "mx_hostnames", 0, 1, err));
    STC_GUARD(member_list_fact(t, "mx_hosts", r, "mx_hosts", 1, 0, err));
    STC_GUARD(member_list_fact(t, "preferred_hostnames", r, "preferred_hostnames", 1, 0, err));
    STC_GUARD(member_bool_fact(t, r, "implicit_mx", err));
    STC_GUARD(member_bool_fact(t, r, "null_mx", err));
    /* Hosts keyed by the absolute name, as the original keys results. */
    STC_GUARD(member_children(t, "results", r, take_hosts, 0, 1, dom, 1, err));
    STC_GUARD(key(t, "mta_sts", err));
    if (mtasts != SIZE_MAX)
        STC_GUARD(mtasts_object(t, stc_result_child(r, mtasts), dom, 1, err));
    else
        STC_GUARD(json_text_null(t, err));
    STC_GUARD(member_children(t, "extra_results", r, take_extra, mtasts, 0, dom, 1, err));
    if (stc_result_recommendation_count(r) > 0)
        STC_GUARD(member_strings(t, "recommendations", r, stc_result_recommendation_count,
                                 stc_result_recommendation, err));
    STC_GUARD(member_details(t, r, domain_keys, domain_types, err));
    STC_GUARD(json_text_close(t, '}', err));
out:
    return rc;
}

static stc_rc write_node(struct json_text *t, const struct stc_result *r, const char *domain,
                         unsigned depth, struct stc_err *err)
{
    switch (stc_result_kind(r)) {
    case STC_NODE_DOMAIN:
        if (depth == 0)
            return domain_object(t, r, err);
        return check_object(t, r, domain, depth, err);
    case STC_NODE_HOST: return host_object(t, r, domain, depth, err);
    case STC_NODE_CHECK:
    default: return check_object(t, r, domain, depth, err);
    }
}

/* Every node within JSON_DEPTH_MAX levels of the root, also those the
 * output leaves out (a child replaced by a later one of the same name). */
static stc_rc check_depth(const struct stc_result *r, unsigned depth, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    STC_ENSURE(depth <= JSON_DEPTH_MAX, err, STC_E_LIMIT, "json: result tree nested deeper than %d",
               JSON_DEPTH_MAX);
    for (size_t i = 0; i < stc_result_child_count(r); i++)
        STC_GUARD(check_depth(stc_result_child(r, i), depth + 1, err));
out:
    return rc;
}

stc_rc stc_result_to_json(const struct stc_result *r, unsigned flags, char **out,
                          struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct json_text t;
    json_text_init(&t, (flags & STC_JSON_COMPACT) != 0);
    STC_ENSURE(r != NULL && out != NULL, err, STC_E_INVAL, "json: no result to serialize");
    STC_GUARD(check_depth(r, 0, err));
    STC_GUARD(write_node(&t, r, NULL, 0, err));
    STC_GUARD(json_text_finish(&t, out, err));
out:
    json_text_free(&t);
    return rc;
}
