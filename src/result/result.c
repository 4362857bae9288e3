/*
 * NAME
 *     result - the result tree: nodes with status, messages, facts, children
 * DESCRIPTION
 *     A tree is owned by the holder of its root; stc_result_free() frees it.
 *     Builders (result_tree.h) record allocation failures in the node instead
 *     of returning them, so check code reads straight; result_oom() reports
 *     them for the whole tree.
 * LIMITS
 *     STC_MESSAGES_MAX messages per node (more are counted in one final
 *     message), STC_MSG_MAX bytes per message.
 */
#include "result_tree.h"
#include "result_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/limits.h"
#include "../util/text.h"

static int strv_push(struct strv *sv, char *s)
{
    if (s == NULL)
        return -1;
    char **v = realloc(sv->v, (sv->n + 1) * sizeof *v);
    if (v == NULL) {
        free(s);
        return -1;
    }
    sv->v = v;
    sv->v[sv->n++] = s;
    return 0;
}

static void strv_free(struct strv *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    sv->v = NULL;
    sv->n = 0;
}

struct stc_result *result_new(stc_node_kind kind, const char *name, const char *description)
{
    struct stc_result *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->kind = kind;
    r->name = text_dup(name ? name : "");
    r->description = text_dup(description ? description : "");
    if (r->name == NULL || r->description == NULL) {
        stc_result_free(r);
        return NULL;
    }
    return r;
}

void result_free_fields(struct stc_result *r)
{
    free(r->children);
    for (size_t i = 0; i < r->nfacts; i++) {
        struct fact *f = &r->facts[i];
        free(f->key);
        free(f->str);
        for (size_t j = 0; j < f->list_len; j++)
            free(f->list[j]);
        free(f->list);
    }
    free(r->facts);
    strv_free(&r->messages);
    strv_free(&r->recs);
    free(r->name);
    free(r->description);
    free(r->type);
}

void stc_result_free(struct stc_result *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nchildren; i++)
        stc_result_free(r->children[i]);
    if (!(r->flags & RESULT_FIELDS_IN_BLOCK))
        result_free_fields(r);
    void *block = r->block; /* may hold r itself: read it first */
    if (!(r->flags & RESULT_NODE_IN_BLOCK))
        free(r);
    free(block);
}

struct stc_result *result_add(struct stc_result *parent, struct stc_result *child)
{
    if (parent == NULL) {
        stc_result_free(child);
        return NULL;
    }
    if (child == NULL) {
        parent->oom = 1;
        return NULL;
    }
    if (result_thaw(parent) != 0) {
        stc_result_free(child);
        return NULL;
    }
    /* sizeof *c: an array of pointers (not a misused sizeof of a pointer). */
    // NOLINTNEXTLINE(bugprone-sizeof-expression)
    struct stc_result **c = realloc(parent->children, (parent->nchildren + 1) * sizeof *c);
    if (c == NULL) {
        parent->oom = 1;
        stc_result_free(child);
        return NULL;
    }
    parent->children = c;
    parent->children[parent->nchildren++] = child;
    return child;
}

struct stc_result *result_add_check(struct stc_result *parent, const char *name,
                                    const char *description)
{
    return result_add(parent, result_new(STC_NODE_CHECK, name, description));
}

void result_raise(struct stc_result *r, stc_status s)
{
    if (r != NULL && s > r->status)
        r->status = s;
}

/* Format into at most STC_MSG_MAX - 1 bytes. Server text in the arguments
 * stays as it is: the JSON writer encodes it exactly, the terminal views
 * censor it. */
static char *format_text(const char *fmt, va_list ap) STC_PRINTF(1, 0);
static char *format_text(const char *fmt, va_list ap)
{
    char raw[STC_MSG_MAX];
    vsnprintf(raw, sizeof raw, fmt, ap);
    return text_dup(raw);
}

static void add_message(struct stc_result *r, const char *fmt, va_list ap) STC_PRINTF(2, 0);
static void add_message(struct stc_result *r, const char *fmt, va_list ap)
{
    if (r->messages.n >= STC_MESSAGES_MAX) {
        r->dropped_messages++;
        return;
    }
    if (result_thaw(r) != 0)
        return;
    if (strv_push(&r->messages, format_text(fmt, ap)) != 0)
        r->oom = 1;
}

void result_msg(struct stc_result *r, stc_status s, const char *fmt, ...)
{
    if (r == NULL)
        return;
    result_raise(r, s);
    va_list ap;
    va_start(ap, fmt);
    add_message(r, fmt, ap);
    va_end(ap);
}

void result_note(struct stc_result *r, const char *fmt, ...)
{
    if (r == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    add_message(r, fmt, ap);
    va_end(ap);
}

void result_verdict(struct stc_result *r, const char *fmt, ...)
{
    if (r == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *s = format_text(fmt, ap);
    va_end(ap);
    if (result_thaw(r) != 0) {
        free(s);
        return;
    }
    if (s == NULL || strv_push(&r->messages, s) != 0) {
        r->oom = 1;
        return;
    }
    /* Move it to the front: the verdict is what readers see first. */
    memmove(&r->messages.v[1], &r->messages.v[0], (r->messages.n - 1) * sizeof *r->messages.v);
    r->messages.v[0] = s;
}

void result_recommend(struct stc_result *r, const char *fmt, ...)
{
    if (r == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *s = format_text(fmt, ap);
    va_end(ap);
    if (s == NULL) {
        r->oom = 1;
        return;
    }
    if (result_thaw(r) != 0) {
        free(s);
        return;
    }
    for (size_t i = 0; i < r->recs.n; i++) {
        if (strcmp(r->recs.v[i], s) == 0) {
            free(s);
            return;
        }
    }
    if (strv_push(&r->recs, s) != 0)
        r->oom = 1;
}

void result_set_type(struct stc_result *r, const char *tlsrpt_type)
{
    if (r == NULL || r->type != NULL || tlsrpt_type == NULL || result_thaw(r) != 0)
        return;
    r->type = text_dup(tlsrpt_type);
    if (r->type == NULL)
        r->oom = 1;
}

void result_set_domain_status(struct stc_result *r, stc_domain_status s)
{
    if (r != NULL)
        r->domain_status = s;
}

void result_set_name(struct stc_result *r, const char *name)
{
    if (r == NULL || result_thaw(r) != 0)
        return;
    char *n = text_dup(name);
    if (n == NULL) {
        r->oom = 1;
        return;
    }
    free(r->name);
    r->name = n;
}

static struct fact *fact_slot(struct stc_result *r, const char *key, stc_fact_type type)
{
    if (result_thaw(r) != 0)
        return NULL;
    for (size_t i = 0; i < r->nfacts; i++) {
        struct fact *f = &r->facts[i];
        if (strcmp(f->key, key) != 0)
            continue;
        if (f->type != type || type != STC_FACT_LIST) {
            free(f->str);
            f->str = NULL;
            for (size_t j = 0; j < f->list_len; j++)
                free(f->list[j]);
            free(f->list);
            f->list = NULL;
            f->list_len = 0;
        }
        f->type = type;
        return f;
    }
    struct fact *facts = realloc(r->facts, (r->nfacts + 1) * sizeof *facts);
    if (facts == NULL)
        return NULL;
    r->facts = facts;
    struct fact *f = &r->facts[r->nfacts];
    memset(f, 0, sizeof *f);
    f->key = text_dup(key);
    if (f->key == NULL)
        return NULL;
    f->type = type;
    r->nfacts++;
    return f;
}

void result_fact_str(struct stc_result *r, const char *key, const char *val)
{
    if (r == NULL)
        return;
    struct fact *f = fact_slot(r, key, STC_FACT_STR);
    /* Facts may be long (a whole MTA-STS policy): kept exactly, up to the cap. */
    size_t n = val ? strnlen(val, STC_FACT_STR_MAX - 1) : 0;
    char *copy = text_ndup(val ? val : "", n);
    if (f == NULL || copy == NULL) {
        free(copy);
        r->oom = 1;
        return;
    }
    f->str = copy;
}

void result_fact_int(struct stc_result *r, const char *key, long long val)
{
    if (r == NULL)
        return;
    struct fact *f = fact_slot(r, key, STC_FACT_INT);
    if (f == NULL)
        r->oom = 1;
    else
        f->num = val;
}

void result_fact_bool(struct stc_result *r, const char *key, int val)
{
    if (r == NULL)
        return;
    struct fact *f = fact_slot(r, key, STC_FACT_BOOL);
    if (f == NULL)
        r->oom = 1;
    else
        f->num = val ? 1 : 0;
}

void result_fact_list(struct stc_result *r, const char *key)
{
    if (r != NULL && fact_slot(r, key, STC_FACT_LIST) == NULL)
        r->oom = 1;
}

void result_fact_list_add(struct stc_result *r, const char *key, const char *item)
{
    if (r == NULL)
        return;
    struct fact *f = fact_slot(r, key, STC_FACT_LIST);
    if (f == NULL) {
        r->oom = 1;
        return;
    }
    char **l = realloc(f->list, (f->list_len + 1) * sizeof *l);
    if (l == NULL) {
        r->oom = 1;
        return;
    }
    f->list = l;
    if ((f->list[f->list_len] = text_ndup(item, strnlen(item, STC_MSG_MAX - 1))) == NULL) {
        r->oom = 1;
        return;
    }
    f->list_len++;
}

stc_status result_rollup(struct stc_result *r)
{
    if (r == NULL)
        return STC_STATUS_SUCCESS;
    for (size_t i = 0; i < r->nchildren; i++)
        result_raise(r, result_rollup(r->children[i]));
    return r->status;
}

int result_oom(const struct stc_result *r)
{
    if (r == NULL)
        return 1;
    if (r->oom)
        return 1;
    for (size_t i = 0; i < r->nchildren; i++)
        if (result_oom(r->children[i]))
            return 1;
    return 0;
}

struct stc_result *result_child_mut(struct stc_result *r, size_t i)
{
    return (r && i < r->nchildren) ? r->children[i] : NULL;
}

struct stc_result *result_find_mut(struct stc_result *r, const char *name)
{
    for (size_t i = 0; r && i < r->nchildren; i++)
        if (strcmp(r->children[i]->name, name) == 0)
            return r->children[i];
    return NULL;
}

void result_remove(struct stc_result *r, size_t i)
{
    if (r == NULL || i >= r->nchildren || result_thaw(r) != 0)
        return;
    stc_result_free(r->children[i]);
    // NOLINTNEXTLINE(bugprone-sizeof-expression): children is an array of pointers
    memmove(&r->children[i], &r->children[i + 1], (r->nchildren - i - 1) * sizeof *r->children);
    r->nchildren--;
}

/* ---- public read side ---- */

const char *stc_status_text(stc_status s)
{
    switch (s) {
    case STC_STATUS_SUCCESS: return "success";
    case STC_STATUS_WARNING: return "warning";
    case STC_STATUS_FAILURE: return "failure";
    case STC_STATUS_ERROR: return "error";
    default: return "error";
    }
}

const char *stc_domain_status_text(stc_domain_status s)
{
    switch (s) {
    case STC_DOMAIN_SUCCESS: return "success";
    case STC_DOMAIN_WARNING: return "warning";
    case STC_DOMAIN_FAILURE: return "failure";
    case STC_DOMAIN_ERROR: return "error";
    case STC_DOMAIN_NO_STARTTLS: return "no_starttls";
    case STC_DOMAIN_COULD_NOT_CONNECT: return "could_not_connect";
    case STC_DOMAIN_BAD_HOSTNAME: return "bad_hostname";
    default: return "error";
    }
}

stc_node_kind stc_result_kind(const struct stc_result *r) { return r->kind; }
const char *stc_result_name(const struct stc_result *r) { return r->name; }
stc_status stc_result_status(const struct stc_result *r) { return r->status; }
const char *stc_result_description(const struct stc_result *r) { return r->description; }
const char *stc_result_type(const struct stc_result *r) { return r->type; }
stc_domain_status stc_result_domain_status(const struct stc_result *r) { return r->domain_status; }

size_t stc_result_message_count(const struct stc_result *r) { return r->messages.n; }
const char *stc_result_message(const struct stc_result *r, size_t i)
{
    return i < r->messages.n ? r->messages.v[i] : NULL;
}
size_t stc_result_recommendation_count(const struct stc_result *r) { return r->recs.n; }
const char *stc_result_recommendation(const struct stc_result *r, size_t i)
{
    return i < r->recs.n ? r->recs.v[i] : NULL;
}

size_t stc_result_child_count(const struct stc_result *r) { return r->nchildren; }
const struct stc_result *stc_result_child(const struct stc_result *r, size_t i)
{
    return i < r->nchildren ? r->children[i] : NULL;
}
const struct stc_result *stc_result_find(const struct stc_result *r, const char *name)
{
    return result_find_mut((struct stc_result *)r, name);
}

size_t stc_result_fact_count(const struct stc_result *r) { return r->nfacts; }
const char *stc_result_fact_key(const struct stc_result *r, size_t i)
{
    return i < r->nfacts ? r->facts[i].key : NULL;
}
stc_fact_type stc_result_fact_type(const struct stc_result *r, size_t i)
{
    return i < r->nfacts ? r->facts[i].type : STC_FACT_STR;
}
const char *stc_result_fact_str(const struct stc_result *r, size_t i)
{
    return (i < r->nfacts && r->facts[i].type == STC_FACT_STR) ? r->facts[i].str : NULL;
}
long long stc_result_fact_int(const struct stc_result *r, size_t i)
{
    return i < r->nfacts ? r->facts[i].num : 0;
}
size_t stc_result_fact_list_len(const struct stc_result *r, size_t i)
{
    return (i < r->nfacts && r->facts[i].type == STC_FACT_LIST) ? r->facts[i].list_len : 0;
}
const char *stc_result_fact_list_item(const struct stc_result *r, size_t i, size_t j)
{
    return j < stc_result_fact_list_len(r, i) ? r->facts[i].list[j] : NULL;
}
long stc_result_fact_index(const struct stc_result *r, const char *key)
{
    for (size_t i = 0; i < r->nfacts; i++)
        if (strcmp(r->facts[i].key, key) == 0)
            return (long)i;
    return -1;
}
const char *stc_result_get_str(const struct stc_result *r, const char *key)
{
    long i = stc_result_fact_index(r, key);
    return i < 0 ? NULL : stc_result_fact_str(r, (size_t)i);
}
int stc_result_get_int(const struct stc_result *r, const char *key, long long *out)
{
    long i = stc_result_fact_index(r, key);
    if (i < 0)
        return 0;
    stc_fact_type t = r->facts[i].type;
    if (t != STC_FACT_INT && t != STC_FACT_BOOL)
        return 0;
    *out = r->facts[i].num;
    return 1;
}
