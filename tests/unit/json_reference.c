/*
 * NAME
 *     json_reference - TEST ORACLE: the jansson-based result serializer, frozen
 * SYNOPSIS
 *     #include "json_reference.h"
 *     stc_rc json_reference_to_json(const struct stc_result *r, unsigned flags,
 *                                   char **out, struct stc_err *err);
 *     int json_reference_agrees(const struct stc_result *r, unsigned flags,
 *                               char *why, size_t why_len);
 * DESCRIPTION
 *     NOT PART OF THE LIBRARY. This is stc_result_to_json as it was before
 *     the direct writer (src/result/result_json.c) replaced it: it builds a
 *     jansson tree of the result (jansson objects keep insertion order; a key
 *     set again keeps its first place and takes the last value) and prints
 *     it in jansson's layout. test_result_json_diff compares the library's
 *     writer with it, byte for byte, on generated trees; fuzz_result_json on
 *     parsed ones. Only the string encoder is shared with the library
 *     (json_text_string, result_json_text.c), which test_result_json pins
 *     with exact expected strings. Keep this file as it is: it is the
 *     reference the output must not drift from. json_reference_agrees, at
 *     the end, runs both and compares them for the two tests.
 *     *out is malloc'd; the caller frees it.
 * LIMITS
 *     Nesting deeper than JSON_DEPTH_MAX check levels, or JSON_WRITE_DEPTH_MAX
 *     JSON levels, is refused.
 * DIAGNOSTICS
 *     STC_E_INVAL for a NULL tree or out; STC_E_NOMEM; STC_E_LIMIT for a tree
 *     nested too deeply; STC_E_INTERNAL for an unknown fact or value type.
 */
#include "json_reference.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result/result_json_text.h"
#include "util/buf.h"
#include "util/err.h"

#define JSON_WRITE_DEPTH_MAX 64
#define JSON_WRITE_MAX ((size_t)256 * 1024 * 1024)

static stc_rc put(struct buf *b, const char *s, size_t n, struct stc_err *err)
{
    return buf_append(b, s, n, err);
}

static stc_rc newline(struct buf *b, int compact, unsigned depth, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    if (compact)
        return STC_OK;
    STC_GUARD(put(b, "\n", 1, err));
    for (unsigned i = 0; i < depth; i++)
        STC_GUARD(put(b, "  ", 2, err));
out:
    return rc;
}

static stc_rc write_value(struct buf *b, const json_t *v, int compact, unsigned depth,
                          struct stc_err *err)
{
    stc_rc rc = STC_OK;
    char num[32];
    STC_ENSURE(depth <= JSON_WRITE_DEPTH_MAX, err, STC_E_LIMIT, "json: nested deeper than %d",
               JSON_WRITE_DEPTH_MAX);
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *x;
        int first = 1;
        if (json_object_size(v) == 0)
            return put(b, "{}", 2, err);
        STC_GUARD(put(b, "{", 1, err));
        /* json_object_foreach wants a non-const object; it only reads. */
        json_t *o = (json_t *)v;
        json_object_foreach(o, key, x)
        {
            if (!first)
                STC_GUARD(put(b, ",", 1, err));
            first = 0;
            STC_GUARD(newline(b, compact, depth + 1, err));
            STC_GUARD(json_text_string(b, key, strlen(key), err));
            STC_GUARD(put(b, compact ? ":" : ": ", compact ? 1 : 2, err));
            STC_GUARD(write_value(b, x, compact, depth + 1, err));
        }
        STC_GUARD(newline(b, compact, depth, err));
        STC_GUARD(put(b, "}", 1, err));
        break;
    }
    case JSON_ARRAY:
        if (json_array_size(v) == 0)
            return put(b, "[]", 2, err);
        STC_GUARD(put(b, "[", 1, err));
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i > 0)
                STC_GUARD(put(b, ",", 1, err));
            STC_GUARD(newline(b, compact, depth + 1, err));
            STC_GUARD(write_value(b, json_array_get(v, i), compact, depth + 1, err));
        }
        STC_GUARD(newline(b, compact, depth, err));
        STC_GUARD(put(b, "]", 1, err));
        break;
    case JSON_STRING:
        STC_GUARD(json_text_string(b, json_string_value(v), json_string_length(v), err));
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        STC_GUARD(put(b, num, strlen(num), err));
        break;
    case JSON_REAL:
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
        STC_GUARD(put(b, num, strlen(num), err));
        break;
    case JSON_TRUE: STC_GUARD(put(b, "true", 4, err)); break;
    case JSON_FALSE: STC_GUARD(put(b, "false", 5, err)); break;
    case JSON_NULL: STC_GUARD(put(b, "null", 4, err)); break;
    default: STC_ENSURE(0, err, STC_E_INTERNAL, "json: unknown value type %d", (int)json_typeof(v));
    }
out:
    return rc;
}

static stc_rc reference_write(const json_t *v, int compact, char **out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct buf b;
    buf_init(&b, JSON_WRITE_MAX);
    /* A domain's record is a few KiB: one allocation instead of a doubling series. */
    STC_GUARD(buf_reserve(&b, JSON_WRITE_MAX < 8192 ? JSON_WRITE_MAX : 8192, err));
    STC_GUARD(write_value(&b, v, compact, 0, err));
    STC_GUARD(buf_terminate(&b, err));
    *out = (char *)b.data;
    return STC_OK;
out:
    buf_free(&b);
    return rc;
}

/* ---- The jansson tree of a result (was src/result/result_json.c). ---- */

#define JSON_DEPTH_MAX 32

static stc_rc node_to_json(const struct stc_result *r, const char *domain, unsigned depth,
                           json_t **out, struct stc_err *err);

/* A JSON string holding exactly the bytes of s (reference_write encodes
 * them, invalid UTF-8 included). */
static stc_rc make_string(const char *s, json_t **out, struct stc_err *err)
{
    json_t *j = json_stringn_nocheck(s, strlen(s));
    if (j == NULL)
        return err_set(err, STC_E_NOMEM, "json: out of memory");
    *out = j;
    return STC_OK;
}

/* obj[key] = val; takes val in every case (freed on failure). The key is
 * kept as it is, like any string. */
static stc_rc set_new(json_t *obj, const char *key, json_t *val, struct stc_err *err)
{
    if (val == NULL)
        return err_set(err, STC_E_NOMEM, "json: out of memory");
    /* jansson takes val even when failing */
    if (json_object_set_new_nocheck(obj, key, val) != 0)
        return err_set(err, STC_E_NOMEM, "json: out of memory");
    return STC_OK;
}

static stc_rc set_str(json_t *obj, const char *key, const char *s, struct stc_err *err)
{
    json_t *j = NULL;
    stc_rc rc = make_string(s ? s : "", &j, err);
    if (rc != STC_OK)
        return rc;
    return set_new(obj, key, j, err);
}

static stc_rc append_str(json_t *arr, const char *s, struct stc_err *err)
{
    json_t *j = NULL;
    stc_rc rc = make_string(s ? s : "", &j, err);
    if (rc != STC_OK)
        return rc;
    if (json_array_append_new(arr, j) != 0)
        return err_set(err, STC_E_NOMEM, "json: out of memory");
    return STC_OK;
}

/* The value of fact i: string, integer, boolean or array of strings. */
static stc_rc fact_value(const struct stc_result *r, size_t i, json_t **out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    json_t *j = NULL;
    switch (stc_result_fact_type(r, i)) {
    case STC_FACT_STR:
        STC_GUARD(make_string(stc_result_fact_str(r, i) ? stc_result_fact_str(r, i) : "", &j, err));
        break;
    case STC_FACT_INT: j = json_integer((json_int_t)stc_result_fact_int(r, i)); break;
    case STC_FACT_BOOL: j = json_boolean(stc_result_fact_int(r, i) != 0); break;
    case STC_FACT_LIST:
        j = json_array();
        STC_ENSURE(j != NULL, err, STC_E_NOMEM, "json: out of memory");
        for (size_t k = 0; k < stc_result_fact_list_len(r, i); k++)
            STC_GUARD(append_str(j, stc_result_fact_list_item(r, i, k), err));
        break;
    default:
        STC_ENSURE(0, err, STC_E_INTERNAL, "json: unknown fact type %d",
                   (int)stc_result_fact_type(r, i));
    }
    STC_ENSURE(j != NULL, err, STC_E_NOMEM, "json: out of memory");
    *out = j;
    j = NULL;
out:
    json_decref(j);
    return rc;
}

/* The fact with this key and type, or -1. */
static long typed_fact(const struct stc_result *r, const char *key, stc_fact_type type)
{
    long i = stc_result_fact_index(r, key);
    if (i < 0 || stc_result_fact_type(r, (size_t)i) != type)
        return -1;
    return i;
}

/* Is fact i one of the promoted keys (shown outside "details")? */
static int promoted(const struct stc_result *r, size_t i, const char *const *keys,
                    const stc_fact_type *types)
{
    for (size_t k = 0; keys[k] != NULL; k++)
        if (typed_fact(r, keys[k], types[k]) == (long)i)
            return 1;
    return 0;
}

/* "details": every fact not promoted; omitted when nothing is left. */
static stc_rc set_details(json_t *obj, const struct stc_result *r, const char *const *keys,
                          const stc_fact_type *types, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    json_t *d = json_object();
    STC_ENSURE(d != NULL, err, STC_E_NOMEM, "json: out of memory");
    for (size_t i = 0; i < stc_result_fact_count(r); i++) {
        if (promoted(r, i, keys, types))
            continue;
        json_t *v = NULL;
        STC_GUARD(fact_value(r, i, &v, err));
        STC_GUARD(set_new(d, stc_result_fact_key(r, i), v, err));
    }
    if (json_object_size(d) > 0) {
        rc = set_new(obj, "details", d, err);
        d = NULL;
    }
out:
    json_decref(d);
    return rc;
}

/* name as the original writes host names: absolute, with the trailing dot. */
static char *absolute_name(const char *name)
{
    size_t n = strlen(name);
    char *s = malloc(n + 2);
    if (s == NULL)
        return NULL;
    memcpy(s, name, n);
    if (n == 0 || name[n - 1] != '.')
        s[n++] = '.';
    s[n] = '\0';
    return s;
}

/* Append the items of list fact i to arr, as absolute names when asked. */
static stc_rc append_items(json_t *arr, const struct stc_result *r, size_t i, int absolute,
                           struct stc_err *err)
{
    stc_rc rc = STC_OK;
    char *abs = NULL;
    for (size_t k = 0; k < stc_result_fact_list_len(r, i); k++) {
        const char *item = stc_result_fact_list_item(r, i, k);
        if (absolute) {
            abs = absolute_name(item);
            STC_ENSURE(abs != NULL, err, STC_E_NOMEM, "json: out of memory");
            item = abs;
        }
        STC_GUARD(append_str(arr, item, err));
        free(abs);
        abs = NULL;
    }
out:
    free(abs);
    return rc;
}

/* obj[key] = list fact fact_key as an array ([] when missing); with
 * omit_missing, nothing when the fact is missing. */
static stc_rc set_list_fact(json_t *obj, const char *key, const struct stc_result *r,
                            const char *fact_key, int absolute, int omit_missing,
                            struct stc_err *err)
{
    stc_rc rc = STC_OK;
    long i = typed_fact(r, fact_key, STC_FACT_LIST);
    if (i < 0 && omit_missing)
        return STC_OK;
    json_t *v = json_array();
    STC_ENSURE(v != NULL, err, STC_E_NOMEM, "json: out of memory");
    if (i >= 0)
        STC_GUARD(append_items(v, r, (size_t)i, absolute, err));
    rc = set_new(obj, key, v, err);
    v = NULL;
out:
    json_decref(v);
    return rc;
}

/* obj[key] = string fact fact_key, "" when missing. */
static stc_rc set_str_fact(json_t *obj, const char *key, const struct stc_result *r,
                           const char *fact_key, struct stc_err *err)
{
    long i = typed_fact(r, fact_key, STC_FACT_STR);
    return set_str(obj, key, i >= 0 ? stc_result_fact_str(r, (size_t)i) : "", err);
}

static stc_rc set_bool_fact(json_t *obj, const struct stc_result *r, const char *key,
                            struct stc_err *err)
{
    long i = typed_fact(r, key, STC_FACT_BOOL);
    int val = i >= 0 && stc_result_fact_int(r, (size_t)i) != 0;
    return set_new(obj, key, json_boolean(val), err);
}

static stc_rc set_str_array(json_t *obj, const char *key, const struct stc_result *r,
                            size_t (*count)(const struct stc_result *),
                            const char *(*item)(const struct stc_result *, size_t), int omit_empty,
                            struct stc_err *err)
{
    stc_rc rc = STC_OK;
    size_t n = count(r);
    if (n == 0 && omit_empty)
        return STC_OK;
    json_t *a = json_array();
    STC_ENSURE(a != NULL, err, STC_E_NOMEM, "json: out of memory");
    for (size_t i = 0; i < n; i++)
        STC_GUARD(append_str(a, item(r, i), err));
    rc = set_new(obj, key, a, err);
    a = NULL;
out:
    json_decref(a);
    return rc;
}

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
static stc_rc set_check_keys(json_t *obj, const struct stc_result *r, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    stc_status st = stc_result_status(r);
    STC_GUARD(set_new(obj, "status", json_integer((json_int_t)st), err));
    STC_GUARD(set_str(obj, "status_text", check_status_text(st), err));
    STC_GUARD(set_str(obj, "description", stc_result_description(r), err));
    STC_GUARD(
        set_str_array(obj, "messages", r, stc_result_message_count, stc_result_message, 0, err));
    if (stc_result_type(r) != NULL)
        STC_GUARD(set_str(obj, "result_type", stc_result_type(r), err));
    STC_GUARD(set_str_array(obj, "recommendations", r, stc_result_recommendation_count,
                            stc_result_recommendation, 1, err));
out:
    return rc;
}

/* "checks": children by name; omitted when there are none. */
static stc_rc set_children(json_t *obj, const struct stc_result *r, const char *domain,
                           unsigned depth, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    if (stc_result_child_count(r) == 0)
        return STC_OK;
    json_t *c = json_object();
    STC_ENSURE(c != NULL, err, STC_E_NOMEM, "json: out of memory");
    for (size_t i = 0; i < stc_result_child_count(r); i++) {
        const struct stc_result *ch = stc_result_child(r, i);
        json_t *v = NULL;
        STC_GUARD(node_to_json(ch, domain, depth + 1, &v, err));
        STC_GUARD(set_new(c, stc_result_name(ch), v, err));
    }
    rc = set_new(obj, "checks", c, err);
    c = NULL;
out:
    json_decref(c);
    return rc;
}

/* The original names every host node "hostnames"; the host is the key. */
#define HOST_NODE_NAME "hostnames"
/* The MTA-STS node: "mta_sts" in the tree and at the top of the domain
 * object, named "mta-sts" as the original names it. */
#define MTASTS_TREE_NAME "mta_sts"
#define MTASTS_NODE_NAME "mta-sts"

static const char *const host_keys[] = {"domain", "hostname", "preference", "address", NULL};
static const stc_fact_type host_types[] = {STC_FACT_STR, STC_FACT_STR, STC_FACT_INT, STC_FACT_STR};
static const char *const no_keys[] = {NULL};
static const stc_fact_type no_types[] = {STC_FACT_STR};

static stc_rc host_to_json(const struct stc_result *r, const char *domain, unsigned depth,
                           json_t *obj, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    const char *dom = stc_result_get_str(r, "domain");
    const char *hostname = stc_result_get_str(r, "hostname");
    if (dom == NULL || *dom == '\0')
        dom = domain;
    STC_GUARD(set_str(obj, "name", HOST_NODE_NAME, err));
    if (dom != NULL)
        STC_GUARD(set_str(obj, "domain", dom, err));
    STC_GUARD(set_str(obj, "hostname", hostname ? hostname : stc_result_name(r), err));
    long i = typed_fact(r, "preference", STC_FACT_INT);
    if (i >= 0)
        STC_GUARD(set_new(obj, "preference",
                          json_integer((json_int_t)stc_result_fact_int(r, (size_t)i)), err));
    i = typed_fact(r, "address", STC_FACT_STR);
    if (i >= 0)
        STC_GUARD(set_str(obj, "address", stc_result_fact_str(r, (size_t)i), err));
    STC_GUARD(set_check_keys(obj, r, err));
    STC_GUARD(set_details(obj, r, host_keys, host_types, err));
    STC_GUARD(set_children(obj, r, dom, depth, err));
out:
    return rc;
}

static stc_rc check_to_json(const struct stc_result *r, const char *domain, unsigned depth,
                            json_t *obj, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    STC_GUARD(set_str(obj, "name", stc_result_name(r), err));
    STC_GUARD(set_check_keys(obj, r, err));
    STC_GUARD(set_details(obj, r, no_keys, no_types, err));
    STC_GUARD(set_children(obj, r, domain, depth, err));
out:
    return rc;
}

static const char *const mtasts_keys[] = {"policy", "mode", "mx", NULL};
static const stc_fact_type mtasts_types[] = {STC_FACT_STR, STC_FACT_STR, STC_FACT_LIST};

/* The mta_sts node: a check node with the original's policy (the policy
 * file's text), mode and mxs at its top level ("" and [] without a policy). */
static stc_rc mtasts_to_json(const struct stc_result *r, const char *domain, unsigned depth,
                             json_t *obj, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    STC_GUARD(set_str(obj, "name", MTASTS_NODE_NAME, err));
    STC_GUARD(set_check_keys(obj, r, err));
    STC_GUARD(set_str_fact(obj, "policy", r, "policy", err));
    STC_GUARD(set_str_fact(obj, "mode", r, "mode", err));
    STC_GUARD(set_list_fact(obj, "mxs", r, "mx", 0, 0, err));
    STC_GUARD(set_details(obj, r, mtasts_keys, mtasts_types, err));
    STC_GUARD(set_children(obj, r, domain, depth, err));
out:
    return rc;
}

static const char *const domain_keys[] = {"mx_hostnames", "mx_hosts", "preferred_hostnames",
                                          "implicit_mx", "null_mx", NULL};
static const stc_fact_type domain_types[] = {STC_FACT_LIST, STC_FACT_LIST, STC_FACT_LIST,
                                             STC_FACT_BOOL, STC_FACT_BOOL};

static stc_rc domain_to_json(const struct stc_result *r, json_t *obj, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    json_t *results = NULL, *extra = NULL, *mtasts = NULL;
    const char *dom = stc_result_name(r);
    stc_domain_status ds = stc_result_domain_status(r);

    STC_GUARD(set_str(obj, "domain", dom, err));
    STC_GUARD(set_new(obj, "status", json_integer((json_int_t)ds), err));
    STC_GUARD(set_str(obj, "status_text", stc_domain_status_text(ds), err));
    STC_GUARD(set_str(obj, "message",
                      stc_result_message_count(r) > 0 ? stc_result_message(r, 0) : "", err));
    STC_GUARD(set_list_fact(obj, "mx_hostnames", r, "mx_hostnames", 0, 1, err));
    STC_GUARD(set_list_fact(obj, "mx_hosts", r, "mx_hosts", 1, 0, err));
    STC_GUARD(set_list_fact(obj, "preferred_hostnames", r, "preferred_hostnames", 1, 0, err));
    STC_GUARD(set_bool_fact(obj, r, "implicit_mx", err));
    STC_GUARD(set_bool_fact(obj, r, "null_mx", err));

    results = json_object();
    extra = json_object();
    STC_ENSURE(results != NULL && extra != NULL, err, STC_E_NOMEM, "json: out of memory");
    for (size_t i = 0; i < stc_result_child_count(r); i++) {
        const struct stc_result *ch = stc_result_child(r, i);
        json_t *v = NULL;
        if (mtasts == NULL && stc_result_kind(ch) == STC_NODE_CHECK &&
            strcmp(stc_result_name(ch), MTASTS_TREE_NAME) == 0) {
            mtasts = json_object();
            STC_ENSURE(mtasts != NULL, err, STC_E_NOMEM, "json: out of memory");
            STC_GUARD(mtasts_to_json(ch, dom, 1, mtasts, err));
            continue;
        }
        STC_GUARD(node_to_json(ch, dom, 1, &v, err));
        if (stc_result_kind(ch) == STC_NODE_HOST) {
            /* Keyed by the absolute name, as the original keys results. */
            char *key = absolute_name(stc_result_name(ch));
            if (key == NULL)
                json_decref(v);
            STC_ENSURE(key != NULL, err, STC_E_NOMEM, "json: out of memory");
            rc = set_new(results, key, v, err);
            free(key);
            STC_GUARD(rc);
        } else {
            STC_GUARD(set_new(extra, stc_result_name(ch), v, err));
        }
    }
    rc = set_new(obj, "results", results, err);
    results = NULL;
    STC_GUARD(rc);
    rc = set_new(obj, "mta_sts", mtasts != NULL ? mtasts : json_null(), err);
    mtasts = NULL;
    STC_GUARD(rc);
    rc = set_new(obj, "extra_results", extra, err);
    extra = NULL;
    STC_GUARD(rc);
    STC_GUARD(set_str_array(obj, "recommendations", r, stc_result_recommendation_count,
                            stc_result_recommendation, 1, err));
    STC_GUARD(set_details(obj, r, domain_keys, domain_types, err));
out:
    json_decref(results);
    json_decref(extra);
    json_decref(mtasts);
    return rc;
}

static stc_rc node_to_json(const struct stc_result *r, const char *domain, unsigned depth,
                           json_t **out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    json_t *obj = NULL;
    STC_ENSURE(depth <= JSON_DEPTH_MAX, err, STC_E_LIMIT, "json: result tree nested deeper than %d",
               JSON_DEPTH_MAX);
    obj = json_object();
    STC_ENSURE(obj != NULL, err, STC_E_NOMEM, "json: out of memory");
    switch (stc_result_kind(r)) {
    case STC_NODE_DOMAIN:
        if (depth == 0) {
            STC_GUARD(domain_to_json(r, obj, err));
            break;
        }
        STC_GUARD(check_to_json(r, domain, depth, obj, err));
        break;
    case STC_NODE_HOST: STC_GUARD(host_to_json(r, domain, depth, obj, err)); break;
    case STC_NODE_CHECK:
    default: STC_GUARD(check_to_json(r, domain, depth, obj, err)); break;
    }
    *out = obj;
    obj = NULL;
out:
    json_decref(obj);
    return rc;
}

stc_rc json_reference_to_json(const struct stc_result *r, unsigned flags, char **out,
                              struct stc_err *err)
{
    stc_rc rc = STC_OK;
    json_t *root = NULL;
    STC_ENSURE(r != NULL && out != NULL, err, STC_E_INVAL, "json: no result to serialize");
    STC_GUARD(node_to_json(r, NULL, 0, &root, err));
    STC_GUARD(reference_write(root, (flags & STC_JSON_COMPACT) != 0, out, err));
out:
    json_decref(root);
    return rc;
}

/* ---- The comparison both tests run. ---- */

int json_reference_agrees(const struct stc_result *r, unsigned flags, char *why, size_t why_len)
{
    char *a = NULL, *b = NULL;
    struct stc_err ea, eb;
    stc_err_clear(&ea);
    stc_err_clear(&eb);
    stc_rc ra = stc_result_to_json(r, flags, &a, &ea);
    stc_rc rb = json_reference_to_json(r, flags, &b, &eb);
    int same = ra == rb;
    if (same && ra == STC_OK)
        same = a != NULL && b != NULL && strcmp(a, b) == 0;
    else if (same)
        same = a == NULL && ea.code == eb.code && strcmp(ea.msg, eb.msg) == 0;
    if (!same) {
        size_t i = 0;
        while (a != NULL && b != NULL && a[i] != '\0' && a[i] == b[i])
            i++;
        size_t from = i > 100 ? i - 100 : 0;
        snprintf(why, why_len,
                 "flags %u: writer rc %d \"%s\", reference rc %d \"%s\"; first difference at "
                 "byte %zu\nwriter:    %.400s\nreference: %.400s",
                 flags, (int)ra, ea.msg, (int)rb, eb.msg, i, a ? a + from : "(null)",
                 b ? b + from : "(null)");
    }
    free(a);
    free(b);
    return same;
}
