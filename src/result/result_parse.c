/*
 * NAME
 *     result_parse - read a result tree back from its JSON (docs/json.md)
 * SYNOPSIS
 *     #include <starttls/json.h>
 *     stc_rc stc_result_from_json(const char *json, size_t len,
 *                                 struct stc_result **out, struct stc_err *err);
 * DESCRIPTION
 *     The inverse of result_json: a domain object (it has "domain" and
 *     "results") becomes a STC_NODE_DOMAIN root whose children are the
 *     host objects of "results" (in the order of "mx_hostnames", then any
 *     others), then "mta_sts" and the "extra_results" checks; any other
 *     object becomes a check node (or a host node when it has "hostname").
 *     The original checker's forms are read back: hosts keyed by absolute
 *     names and named "hostnames" take their "hostname"; mx_hosts and
 *     preferred_hostnames lose the trailing dot; the "mta-sts" node is
 *     "mta_sts" again with its policy, mode and mxs as facts (policy,
 *     mode, mx); lone surrogates \udcHH (an invalid UTF-8 byte each) are
 *     read as the text \xHH, since jansson refuses them.
 *     "message" becomes the root's first message, the domain keys
 *     mx_hostnames, preferred_hostnames, implicit_mx and null_mx become
 *     facts again, as do a host's preference and address; "details"
 *     entries become typed facts (string, integer, boolean, list of
 *     strings; other values are skipped). Node statuses are the "status"
 *     values, clamped to 0..3; the root's is the most severe of its
 *     children, its domain status the "status" value (0..6).
 *
 *     Used to read scan outputs (JSON Lines, the json column of a scan
 *     database) for reports. The input is untrusted: strings are kept as
 *     given, like server text in a checker's tree, and every view escapes
 *     them on the way out.
 *     *out belongs to the caller (stc_result_free).
 * LIMITS
 *     Nesting deeper than PARSE_DEPTH_MAX check levels is refused.
 * DIAGNOSTICS
 *     STC_E_PARSE for text that is not JSON or not a result object,
 *     STC_E_LIMIT when nested too deeply, STC_E_NOMEM, STC_E_INVAL for
 *     NULL arguments.
 */
#include <starttls/json.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "result_tree.h"

#define PARSE_DEPTH_MAX 32

static stc_status clamp_status(json_t *v)
{
    json_int_t s = json_is_integer(v) ? json_integer_value(v) : STC_STATUS_ERROR;
    if (s < STC_STATUS_SUCCESS)
        return STC_STATUS_SUCCESS;
    if (s > STC_STATUS_ERROR)
        return STC_STATUS_ERROR;
    return (stc_status)s;
}

static const char *str_of(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* name without its trailing dot (results keys and host lists are absolute); malloc'd. */
static char *strip_dot(const char *name)
{
    size_t n = strlen(name);
    if (n > 1 && name[n - 1] == '.')
        n--;
    return strndup(name, n);
}

/* A list of host names, each without the trailing dot. */
static void add_names(struct stc_result *r, const char *key, json_t *v)
{
    size_t i;
    json_t *item;
    if (!json_is_array(v))
        return;
    result_fact_list(r, key);
    json_array_foreach(v, i, item)
    {
        char *b = json_is_string(item) ? strip_dot(json_string_value(item)) : NULL;
        if (b != NULL)
            result_fact_list_add(r, key, b);
        free(b);
    }
}

static void add_fact(struct stc_result *r, const char *key, json_t *v)
{
    size_t i;
    json_t *item;
    if (json_is_string(v)) {
        result_fact_str(r, key, json_string_value(v));
    } else if (json_is_boolean(v)) {
        result_fact_bool(r, key, json_is_true(v));
    } else if (json_is_integer(v)) {
        result_fact_int(r, key, (long long)json_integer_value(v));
    } else if (json_is_array(v)) {
        result_fact_list(r, key);
        json_array_foreach(v, i, item)
        {
            if (json_is_string(item))
                result_fact_list_add(r, key, json_string_value(item));
        }
    }
}

static void add_strings(struct stc_result *r, json_t *arr, int recs)
{
    size_t i;
    json_t *item;
    if (!json_is_array(arr))
        return;
    json_array_foreach(arr, i, item)
    {
        if (!json_is_string(item))
            continue;
        if (recs)
            result_recommend(r, "%s", json_string_value(item));
        else
            result_note(r, "%s", json_string_value(item));
    }
}

static stc_rc node_from(json_t *obj, const char *name, unsigned depth, struct stc_result **out,
                        struct stc_err *err);

/* The check keys of obj onto r: messages, result_type, recommendations, details, checks. */
static stc_rc fill_node(struct stc_result *r, json_t *obj, unsigned depth, struct stc_err *err)
{
    const char *key;
    json_t *v;
    add_strings(r, json_object_get(obj, "messages"), 0);
    add_strings(r, json_object_get(obj, "recommendations"), 1);
    if (str_of(obj, "result_type") != NULL)
        result_set_type(r, str_of(obj, "result_type"));
    json_t *details = json_object_get(obj, "details");
    if (json_is_object(details)) {
        // cppcheck-suppress unknownMacro ; jansson's iteration macro (cppcheck does not read jansson.h)
        json_object_foreach(details, key, v) add_fact(r, key, v);
    }
    json_t *checks = json_object_get(obj, "checks");
    if (json_is_object(checks)) {
        json_object_foreach(checks, key, v)
        {
            struct stc_result *c = NULL;
            stc_rc rc = node_from(v, key, depth + 1, &c, err);
            if (rc != STC_OK)
                return rc;
            result_add(r, c);
        }
    }
    result_raise(r, clamp_status(json_object_get(obj, "status")));
    return STC_OK;
}

static stc_rc node_from(json_t *obj, const char *name, unsigned depth, struct stc_result **out,
                        struct stc_err *err)
{
    if (depth > PARSE_DEPTH_MAX)
        return err_set(err, STC_E_LIMIT, "json: result nested deeper than %d", PARSE_DEPTH_MAX);
    if (!json_is_object(obj))
        return err_set(err, STC_E_PARSE, "json: a check is not an object");
    const char *n = str_of(obj, "name");
    int host = str_of(obj, "hostname") != NULL;
    char *bare = NULL;
    if (host)
        n = str_of(obj, "hostname"); /* the node is named "hostnames" in the JSON */
    else if (depth == 1 && n != NULL && strcmp(n, "mta-sts") == 0)
        n = "mta_sts"; /* the tree's name of the MTA-STS node */
    if (n == NULL)
        n = bare = strip_dot(name);
    struct stc_result *r =
        n ? result_new(host ? STC_NODE_HOST : STC_NODE_CHECK, n, str_of(obj, "description"))
          : NULL;
    free(bare);
    if (r == NULL)
        return err_set(err, STC_E_NOMEM, "json: out of memory");
    if (host) {
        json_t *pref = json_object_get(obj, "preference");
        if (json_is_integer(pref))
            result_fact_int(r, "preference", (long long)json_integer_value(pref));
        if (str_of(obj, "address") != NULL)
            result_fact_str(r, "address", str_of(obj, "address"));
    }
    if (!host && strcmp(stc_result_name(r), "mta_sts") == 0) {
        /* The original's keys at the node's top level. */
        if (str_of(obj, "policy") != NULL && *str_of(obj, "policy") != '\0')
            result_fact_str(r, "policy", str_of(obj, "policy"));
        if (str_of(obj, "mode") != NULL && *str_of(obj, "mode") != '\0')
            result_fact_str(r, "mode", str_of(obj, "mode"));
        if (json_is_array(json_object_get(obj, "mxs")))
            add_fact(r, "mx", json_object_get(obj, "mxs"));
    }
    stc_rc rc = fill_node(r, obj, depth, err);
    if (rc != STC_OK) {
        stc_result_free(r);
        return rc;
    }
    *out = r;
    return STC_OK;
}

static stc_rc add_child(struct stc_result *root, json_t *obj, const char *name,
                        struct stc_err *err)
{
    struct stc_result *c = NULL;
    stc_rc rc = node_from(obj, name, 1, &c, err);
    if (rc == STC_OK)
        result_add(root, c);
    return rc;
}

/* Host objects: in MX order first, then any not named there. */
static stc_rc add_hosts(struct stc_result *root, json_t *results, json_t *mx, struct stc_err *err)
{
    size_t i;
    json_t *item, *v;
    const char *key;
    if (!json_is_object(results))
        return STC_OK;
    if (json_is_array(mx)) {
        json_array_foreach(mx, i, item)
        {
            json_t *h = json_is_string(item) ? json_object_get(results, json_string_value(item))
                                             : NULL;
            if (h == NULL)
                continue;
            stc_rc rc = add_child(root, h, json_string_value(item), err);
            if (rc != STC_OK)
                return rc;
        }
    }
    json_object_foreach(results, key, v)
    {
        int listed = 0;
        if (json_is_array(mx)) {
            json_array_foreach(mx, i, item) listed |=
                json_is_string(item) && strcmp(json_string_value(item), key) == 0;
        }
        if (listed)
            continue;
        stc_rc rc = add_child(root, v, key, err);
        if (rc != STC_OK)
            return rc;
    }
    return STC_OK;
}

static stc_rc domain_from(json_t *obj, struct stc_result **out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    const char *key;
    json_t *v;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, str_of(obj, "domain"), NULL);
    STC_ENSURE(root != NULL, err, STC_E_NOMEM, "json: out of memory");
    json_t *st = json_object_get(obj, "status");
    json_int_t ds = json_is_integer(st) ? json_integer_value(st) : STC_DOMAIN_ERROR;
    if (ds < STC_DOMAIN_SUCCESS || ds > STC_DOMAIN_BAD_HOSTNAME)
        ds = STC_DOMAIN_ERROR;
    result_set_domain_status(root, (stc_domain_status)ds);
    if (str_of(obj, "message") != NULL && *str_of(obj, "message") != '\0')
        result_note(root, "%s", str_of(obj, "message"));
    if (json_is_array(json_object_get(obj, "mx_hostnames")))
        add_fact(root, "mx_hostnames", json_object_get(obj, "mx_hostnames"));
    add_names(root, "mx_hosts", json_object_get(obj, "mx_hosts"));
    add_names(root, "preferred_hostnames", json_object_get(obj, "preferred_hostnames"));
    add_fact(root, "implicit_mx", json_object_get(obj, "implicit_mx"));
    add_fact(root, "null_mx", json_object_get(obj, "null_mx"));
    json_t *details = json_object_get(obj, "details");
    if (json_is_object(details)) {
        json_object_foreach(details, key, v) add_fact(root, key, v);
    }
    add_strings(root, json_object_get(obj, "recommendations"), 1);
    json_t *order = json_object_get(obj, "mx_hosts");
    if (!json_is_array(order))
        order = json_object_get(obj, "mx_hostnames"); /* older outputs */
    STC_GUARD(add_hosts(root, json_object_get(obj, "results"), order, err));
    if (json_is_object(json_object_get(obj, "mta_sts")))
        STC_GUARD(add_child(root, json_object_get(obj, "mta_sts"), "mta_sts", err));
    json_t *extra = json_object_get(obj, "extra_results");
    if (json_is_object(extra)) {
        json_object_foreach(extra, key, v) STC_GUARD(add_child(root, v, key, err));
    }
    result_rollup(root);
    STC_ENSURE(!result_oom(root), err, STC_E_NOMEM, "json: out of memory");
    *out = root;
    root = NULL;
out:
    stc_result_free(root);
    return rc;
}

static int hexd(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The writer's lone surrogates \udcHH (one invalid UTF-8 byte each, PEP 383),
 * which jansson refuses, become the text \xHH (as the censored views show such
 * bytes). A malloc'd copy; NULL when out of memory. */
static char *surrogates_to_text(const char *json, size_t len, size_t *outlen)
{
    char *out = malloc(len + 1); /* each 6-byte escape becomes 5 bytes */
    size_t o = 0;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (json[i] == '\\' && i + 5 < len && json[i + 1] == 'u' &&
            (json[i + 2] | 0x20) == 'd' && (json[i + 3] | 0x20) == 'c' && hexd(json[i + 4]) &&
            hexd(json[i + 5]) && json[i + 4] >= '8') {
            out[o] = '\\'; /* "\\x": a JSON-escaped backslash, then x */
            out[o + 1] = '\\';
            out[o + 2] = 'x';
            out[o + 3] = json[i + 4];
            out[o + 4] = json[i + 5];
            o += 5;
            i += 5;
        } else if (json[i] == '\\' && i + 1 < len) {
            out[o++] = json[i++]; /* an escape pair: its second byte starts nothing */
            out[o++] = json[i];
        } else {
            out[o++] = json[i];
        }
    }
    *outlen = o;
    return out;
}

stc_rc stc_result_from_json(const char *json, size_t len, struct stc_result **out,
                            struct stc_err *err)
{
    stc_rc rc = STC_OK;
    json_error_t jerr;
    struct stc_result *r = NULL;
    if (json == NULL || out == NULL)
        return err_set(err, STC_E_INVAL, "json: nothing to read");
    size_t fixed_len = 0;
    char *fixed = NULL;
    if (memmem(json, len, "\\udc", 4) != NULL || memmem(json, len, "\\uDC", 4) != NULL) {
        fixed = surrogates_to_text(json, len, &fixed_len);
        if (fixed == NULL)
            return err_set(err, STC_E_NOMEM, "json: out of memory");
    }
    json_t *root = fixed ? json_loadb(fixed, fixed_len, JSON_REJECT_DUPLICATES, &jerr)
                         : json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    free(fixed);
    STC_ENSURE(root != NULL, err, STC_E_PARSE, "json: %s (line %d, column %d)", jerr.text,
               jerr.line, jerr.column);
    STC_ENSURE(json_is_object(root), err, STC_E_PARSE, "json: not an object");
    if (str_of(root, "domain") != NULL && json_object_get(root, "results") != NULL)
        STC_GUARD(domain_from(root, &r, err));
    else
        STC_GUARD(node_from(root, "result", 0, &r, err));
    STC_ENSURE(!result_oom(r), err, STC_E_NOMEM, "json: out of memory");
    *out = r;
    r = NULL;
out:
    stc_result_free(r);
    json_decref(root);
    return rc;
}
