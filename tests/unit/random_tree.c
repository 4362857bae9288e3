/* random_tree.c - random result trees for the tests that compare trees
 * (test_result_json_diff: the JSON writer against its oracle; test_result_pack:
 * packed and unpacked trees against their originals): random kinds, names
 * (duplicates among siblings and among host names that differ only by a
 * trailing dot, hostile bytes, invalid UTF-8), facts of every type (promoted
 * keys of the right and the wrong type, keys set twice), messages,
 * recommendations, result types, statuses out of range, many siblings now and
 * then, and chains deep enough to reach both JSON depth limits. Deterministic:
 * the same seed gives the same trees. Also two comparisons of trees: by their
 * JSON and field by field. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <starttls/json.h>

#include "random_tree.h"
#include "result/result_int.h"
#include "result/result_tree.h"

/* splitmix64 */
uint64_t rng_next(struct rng *g)
{
    uint64_t z = (g->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

unsigned rng_below(struct rng *g, unsigned n)
{
    return (unsigned)(rng_next(g) % n);
}

/* A random string of up to max bytes (no NUL): plain text, JSON
 * metacharacters, controls, valid UTF-8 of every length, stray bytes. */
static void random_bytes(struct rng *g, char *out, size_t max)
{
    static const char *const pieces[] = {
        "a", "mx", ".", "-", "_", " ", "\"", "\\", "/", "\x01", "\x1f", "\t", "\n", "\r", "\x7f",
        "\x1b[31m", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
        "\x80", "\xbf", "\xc0\x80", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80",
        "\xf0\x9f\x98", "\xff", "\xfe", "\xc2\x9b", "\xef\xbb\xbf", "%s", "{}", "[]", ":",
    };
    size_t n = 0, parts = rng_below(g, 8);
    for (size_t i = 0; i < parts; i++) {
        const char *p = pieces[rng_below(g, sizeof pieces / sizeof pieces[0])];
        size_t len = strlen(p);
        if (n + len >= max)
            break;
        memcpy(out + n, p, len);
        n += len;
    }
    out[n] = '\0';
}

/* A name: mostly from a small pool so that siblings collide (also by a
 * trailing dot only), sometimes random bytes. */
static const char *random_name(struct rng *g, char *tmp, size_t max)
{
    static const char *const pool[] = {
        "mx1.example", "mx1.example.", "mx2.example", "", ".", "..", "mta_sts", "tls-rpt",
        "dane", "starttls", "x", "x.", "details", "checks", "name", "hostnames", "results",
    };
    if (rng_below(g, 4) == 0) {
        random_bytes(g, tmp, max);
        return tmp;
    }
    return pool[rng_below(g, sizeof pool / sizeof pool[0])];
}

/* A fact key: the promoted keys of every node kind, other pool names, random. */
static const char *random_key(struct rng *g, char *tmp, size_t max)
{
    static const char *const keys[] = {
        "domain",   "hostname",     "preference",          "address",     "policy",
        "mode",     "mx",           "mx_hostnames",        "mx_hosts",    "preferred_hostnames",
        "implicit_mx", "null_mx",   "connected",           "mxs",         "details",
        "status",   "k",            "",
    };
    if (rng_below(g, 5) == 0) {
        random_bytes(g, tmp, max);
        return tmp;
    }
    return keys[rng_below(g, sizeof keys / sizeof keys[0])];
}

static long long random_int(struct rng *g)
{
    switch (rng_below(g, 6)) {
    case 0: return 0;
    case 1: return -1;
    case 2: return (long long)(-9223372036854775807LL - 1);
    case 3: return 9223372036854775807LL;
    case 4: return (long long)rng_below(g, 100000);
    default: return (long long)rng_next(g);
    }
}

static void random_facts(struct rng *g, struct stc_result *r)
{
    char key[64], val[64];
    unsigned n = rng_below(g, 7);
    for (unsigned i = 0; i < n; i++) {
        const char *k = random_key(g, key, sizeof key);
        switch (rng_below(g, 5)) {
        case 0:
            random_bytes(g, val, sizeof val);
            result_fact_str(r, k, rng_below(g, 3) == 0 ? random_name(g, val, sizeof val) : val);
            break;
        case 1: result_fact_int(r, k, random_int(g)); break;
        case 2: result_fact_bool(r, k, (int)rng_below(g, 2)); break;
        default: {
            result_fact_list(r, k);
            unsigned items = rng_below(g, 4);
            for (unsigned j = 0; j < items; j++) {
                const char *item = random_name(g, val, sizeof val);
                result_fact_list_add(r, k, item);
            }
            break;
        }
        }
    }
}

static void random_text(struct rng *g, struct stc_result *r)
{
    char s[64];
    unsigned n = rng_below(g, 4);
    for (unsigned i = 0; i < n; i++) {
        random_bytes(g, s, sizeof s);
        if (rng_below(g, 2))
            result_msg(r, (stc_status)rng_below(g, 4), "%s", s);
        else
            result_note(r, "%s", s);
    }
    n = rng_below(g, 3);
    for (unsigned i = 0; i < n; i++) {
        random_bytes(g, s, sizeof s);
        result_recommend(r, "%s", s);
    }
    if (rng_below(g, 4) == 0) {
        random_bytes(g, s, sizeof s);
        result_set_type(r, s);
    }
    if (rng_below(g, 20) == 0)
        result_raise(r, (stc_status)(4 + rng_below(g, 100)));
}

static stc_node_kind random_kind(struct rng *g)
{
    unsigned k = rng_below(g, 10);
    return k < 3 ? STC_NODE_HOST : k < 9 ? STC_NODE_CHECK : STC_NODE_DOMAIN;
}

static struct stc_result *random_node(struct rng *g, stc_node_kind kind, unsigned levels)
{
    char name[64], desc[64];
    const char *nm = random_name(g, name, sizeof name);
    random_bytes(g, desc, sizeof desc);
    struct stc_result *r = result_new(kind, nm, rng_below(g, 3) ? desc : NULL);
    if (r == NULL)
        return NULL;
    random_text(g, r);
    random_facts(g, r);
    if (levels > 0) {
        unsigned n = rng_below(g, 5);
        for (unsigned i = 0; i < n; i++)
            result_add(r, random_node(g, random_kind(g), rng_below(g, levels)));
    }
    return r;
}

/* A chain of depth levels below r, with random nodes along it. */
static void deep_chain(struct rng *g, struct stc_result *r, unsigned depth)
{
    for (unsigned i = 0; i < depth && r != NULL; i++) {
        if (rng_below(g, 3) == 0)
            result_add(r, random_node(g, random_kind(g), 0));
        r = result_add(r, random_node(g, rng_below(g, 5) ? STC_NODE_CHECK : STC_NODE_HOST, 0));
    }
}

struct stc_result *random_tree(struct rng *g)
{
    unsigned k = rng_below(g, 10);
    stc_node_kind kind = k < 8 ? STC_NODE_DOMAIN : k < 9 ? STC_NODE_HOST : STC_NODE_CHECK;
    struct stc_result *root = random_node(g, kind, 3);
    if (root == NULL)
        return NULL;
    if (kind == STC_NODE_DOMAIN && rng_below(g, 5))
        result_set_domain_status(root, (stc_domain_status)rng_below(g, 9));
    /* Now and then many siblings (more than result_json_members.c compares
     * pairwise), with many duplicate names. */
    if (rng_below(g, 15) == 0) {
        struct stc_result *w = root;
        if (rng_below(g, 2) && stc_result_child_count(root) > 0)
            w = result_child_mut(root, 0);
        unsigned n = 33 + rng_below(g, 100);
        for (unsigned i = 0; i < n; i++)
            result_add(w, random_node(g, random_kind(g), 1));
        result_fact_list(w, "wide"); /* marks the tree for the count below */
    }
    /* Now and then a chain that ends near, at or past the limits. */
    if (rng_below(g, 12) == 0) {
        struct stc_result *c = root;
        if (kind == STC_NODE_DOMAIN && rng_below(g, 2))
            c = result_add(root, random_node(g, STC_NODE_CHECK, 0));
        if (c != NULL && rng_below(g, 2))
            result_set_name(c, "mta_sts");
        deep_chain(g, c, 28 + rng_below(g, 7));
    }
    return root;
}


/* ---- comparing trees ---- */

/* The JSON of r in this mode, or "error CODE: MESSAGE"; malloc'd. */
static char *json_or_error(const struct stc_result *r, unsigned flags)
{
    char *json = NULL;
    struct stc_err e;
    stc_err_clear(&e);
    if (stc_result_to_json(r, flags, &json, &e) == STC_OK)
        return json;
    char *why = malloc(sizeof e.msg + 32);
    if (why != NULL)
        snprintf(why, sizeof e.msg + 32, "error %d: %s", (int)e.code, e.msg);
    return why;
}

int tree_same_json(const struct stc_result *a, const struct stc_result *b, unsigned flags)
{
    char *ja = json_or_error(a, flags), *jb = json_or_error(b, flags);
    int same = ja != NULL && jb != NULL && strcmp(ja, jb) == 0;
    free(ja);
    free(jb);
    return same;
}

static int same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int same_strv(const struct strv *a, const struct strv *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (!same_str(a->v[i], b->v[i]))
            return 0;
    return 1;
}

static int same_fact(const struct fact *f, const struct fact *g)
{
    if (f->type != g->type || f->num != g->num || f->list_len != g->list_len ||
        !same_str(f->key, g->key) || !same_str(f->str, g->str))
        return 0;
    for (size_t j = 0; j < f->list_len; j++)
        if (!same_str(f->list[j], g->list[j]))
            return 0;
    return 1;
}

/* Every field of every node, JSON-visible or not. */
int tree_same_fields(const struct stc_result *a, const struct stc_result *b)
{
    if (a->kind != b->kind || a->status != b->status || a->domain_status != b->domain_status ||
        a->dropped_messages != b->dropped_messages || a->nfacts != b->nfacts ||
        a->nchildren != b->nchildren || !same_str(a->name, b->name) ||
        !same_str(a->description, b->description) || !same_str(a->type, b->type) ||
        !same_strv(&a->messages, &b->messages) || !same_strv(&a->recs, &b->recs))
        return 0;
    for (size_t i = 0; i < a->nfacts; i++)
        if (!same_fact(&a->facts[i], &b->facts[i]))
            return 0;
    for (size_t i = 0; i < a->nchildren; i++)
        if (!tree_same_fields(a->children[i], b->children[i]))
            return 0;
    return 1;
}
