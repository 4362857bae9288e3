/*
 * NAME
 *     scan_serial - encode a result tree as bytes and decode it again
 * SYNOPSIS
 *     scan_serial_encode(host_tree, &buf, err);
 *     scan_serial_decode(buf.data, buf.len, &copy, err);
 * DESCRIPTION
 *     The host cache outlives a run in the scan database (table host_cache),
 *     so a rerun within the TTL reuses host results. The format is private
 *     and versioned: a magic byte, then per node: kind, status, domain
 *     status, name, description, result type (flagged), messages,
 *     recommendations, typed facts, children. Strings are a 24-bit length
 *     plus bytes; counts are 16-bit. Decoding rebuilds the tree with the
 *     same builders the checks use, so strings are censored again (a no-op
 *     for strings that were censored when first added).
 * LIMITS
 *     Depth at most 8, counts at most 65535; every read is bounds-checked
 *     (struct rd); a blob from a corrupt database is rejected, never trusted.
 * DIAGNOSTICS
 *     encode: STC_E_LIMIT / STC_E_NOMEM from the buffer; decode: STC_E_PARSE,
 *     STC_E_NOMEM.
 */
#include "scan_serial.h"

#include <string.h>

#include "../result/result_tree.h"
#include "../util/err.h"

#define MAGIC 0xa1
#define DEPTH_MAX 8

static stc_rc put_u8(struct buf *b, unsigned v, struct stc_err *err)
{
    uint8_t c = (uint8_t)v;
    return buf_append(b, &c, 1, err);
}

static stc_rc put_u16(struct buf *b, size_t v, struct stc_err *err)
{
    if (v > 0xffff)
        return err_set(err, STC_E_LIMIT, "too many items to encode");
    uint8_t c[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    return buf_append(b, c, 2, err);
}

static stc_rc put_str(struct buf *b, const char *s, struct stc_err *err)
{
    size_t n = s ? strlen(s) : 0;
    if (n > 0xffffff)
        return err_set(err, STC_E_LIMIT, "string too long to encode");
    uint8_t c[3] = {(uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    stc_rc rc = buf_append(b, c, 3, err);
    return rc == STC_OK && n > 0 ? buf_append(b, s, n, err) : rc;
}

static stc_rc put_i64(struct buf *b, long long v, struct stc_err *err)
{
    uint8_t c[8];
    unsigned long long u = (unsigned long long)v;
    for (int i = 0; i < 8; i++)
        c[i] = (uint8_t)(u >> (56 - 8 * i));
    return buf_append(b, c, 8, err);
}

static stc_rc encode_node(const struct stc_result *r, struct buf *b, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    const char *type = stc_result_type(r);
    STC_GUARD(put_u8(b, stc_result_kind(r), err));
    STC_GUARD(put_u8(b, stc_result_status(r), err));
    STC_GUARD(
        put_u8(b, stc_result_kind(r) == STC_NODE_DOMAIN ? stc_result_domain_status(r) : 0, err));
    STC_GUARD(put_str(b, stc_result_name(r), err));
    STC_GUARD(put_str(b, stc_result_description(r), err));
    STC_GUARD(put_u8(b, type != NULL, err));
    STC_GUARD(put_str(b, type, err));
    STC_GUARD(put_u16(b, stc_result_message_count(r), err));
    for (size_t i = 0; i < stc_result_message_count(r); i++)
        STC_GUARD(put_str(b, stc_result_message(r, i), err));
    STC_GUARD(put_u16(b, stc_result_recommendation_count(r), err));
    for (size_t i = 0; i < stc_result_recommendation_count(r); i++)
        STC_GUARD(put_str(b, stc_result_recommendation(r, i), err));
    STC_GUARD(put_u16(b, stc_result_fact_count(r), err));
    for (size_t i = 0; i < stc_result_fact_count(r); i++) {
        stc_fact_type t = stc_result_fact_type(r, i);
        STC_GUARD(put_str(b, stc_result_fact_key(r, i), err));
        STC_GUARD(put_u8(b, t, err));
        switch (t) {
        case STC_FACT_STR: STC_GUARD(put_str(b, stc_result_fact_str(r, i), err)); break;
        case STC_FACT_INT:
        case STC_FACT_BOOL: STC_GUARD(put_i64(b, stc_result_fact_int(r, i), err)); break;
        case STC_FACT_LIST:
            STC_GUARD(put_u16(b, stc_result_fact_list_len(r, i), err));
            for (size_t j = 0; j < stc_result_fact_list_len(r, i); j++)
                STC_GUARD(put_str(b, stc_result_fact_list_item(r, i, j), err));
            break;
        default: return err_set(err, STC_E_INTERNAL, "unknown fact type %d", (int)t);
        }
    }
    STC_GUARD(put_u16(b, stc_result_child_count(r), err));
    for (size_t i = 0; i < stc_result_child_count(r); i++)
        STC_GUARD(encode_node(stc_result_child(r, i), b, err));
out:
    return rc;
}

stc_rc scan_serial_encode(const struct stc_result *r, struct buf *out, struct stc_err *err)
{
    stc_rc rc = put_u8(out, MAGIC, err);
    return rc == STC_OK ? encode_node(r, out, err) : rc;
}

/* ---- decoding ---- */

static stc_rc get_u16(struct rd *r, size_t *v, struct stc_err *err)
{
    uint16_t x;
    if (rd_u16(r, &x) != STC_OK)
        return err_set(err, STC_E_PARSE, "truncated cache entry");
    *v = x;
    return STC_OK;
}

static stc_rc get_u8(struct rd *r, unsigned *v, struct stc_err *err)
{
    uint8_t x;
    if (rd_u8(r, &x) != STC_OK)
        return err_set(err, STC_E_PARSE, "truncated cache entry");
    *v = x;
    return STC_OK;
}

/* A string into a NUL-terminated copy in tmp (malloc'd by the caller's buf). */
static stc_rc get_str(struct rd *r, struct buf *tmp, const char **s, struct stc_err *err)
{
    uint32_t n;
    const uint8_t *p;
    if (rd_u24(r, &n) != STC_OK || rd_bytes(r, n, &p) != STC_OK)
        return err_set(err, STC_E_PARSE, "truncated cache entry");
    if (memchr(p, '\0', n) != NULL)
        return err_set(err, STC_E_PARSE, "NUL in cache entry string");
    tmp->len = 0;
    stc_rc rc = buf_append(tmp, p, n, err);
    if (rc == STC_OK)
        rc = buf_terminate(tmp, err);
    if (rc == STC_OK)
        *s = (const char *)tmp->data;
    return rc;
}

static stc_rc get_i64(struct rd *r, long long *v, struct stc_err *err)
{
    const uint8_t *p;
    if (rd_bytes(r, 8, &p) != STC_OK)
        return err_set(err, STC_E_PARSE, "truncated cache entry");
    unsigned long long u = 0;
    for (int i = 0; i < 8; i++)
        u = (u << 8) | p[i];
    *v = (long long)u;
    return STC_OK;
}

static stc_rc decode_node(struct rd *r, int depth, struct buf *t1, struct buf *t2,
                          struct stc_result **out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct stc_result *node = NULL;
    unsigned kind = 0, status = 0, dstatus = 0, has_type = 0, ftype = 0;
    size_t n = 0, m = 0;
    const char *s, *s2;
    long long v;

    STC_ENSURE(depth < DEPTH_MAX, err, STC_E_PARSE, "cache entry nested too deep");
    STC_GUARD(get_u8(r, &kind, err));
    STC_GUARD(get_u8(r, &status, err));
    STC_GUARD(get_u8(r, &dstatus, err));
    STC_ENSURE(kind <= STC_NODE_CHECK && status <= STC_STATUS_ERROR &&
                   dstatus <= STC_DOMAIN_BAD_HOSTNAME,
               err, STC_E_PARSE, "bad node header in cache entry");
    STC_GUARD(get_str(r, t1, &s, err));
    STC_GUARD(get_str(r, t2, &s2, err));
    node = result_new((stc_node_kind)kind, s, s2);
    STC_ENSURE(node != NULL, err, STC_E_NOMEM, "out of memory");
    result_raise(node, (stc_status)status);
    if (kind == STC_NODE_DOMAIN)
        result_set_domain_status(node, (stc_domain_status)dstatus);
    STC_GUARD(get_u8(r, &has_type, err));
    STC_GUARD(get_str(r, t1, &s, err));
    if (has_type)
        result_set_type(node, s);
    STC_GUARD(get_u16(r, &n, err));
    for (size_t i = 0; i < n; i++) {
        STC_GUARD(get_str(r, t1, &s, err));
        result_note(node, "%s", s);
    }
    STC_GUARD(get_u16(r, &n, err));
    for (size_t i = 0; i < n; i++) {
        STC_GUARD(get_str(r, t1, &s, err));
        result_recommend(node, "%s", s);
    }
    STC_GUARD(get_u16(r, &n, err));
    for (size_t i = 0; i < n; i++) {
        STC_GUARD(get_str(r, t2, &s2, err));
        STC_GUARD(get_u8(r, &ftype, err));
        switch (ftype) {
        case STC_FACT_STR:
            STC_GUARD(get_str(r, t1, &s, err));
            result_fact_str(node, s2, s);
            break;
        case STC_FACT_INT:
            STC_GUARD(get_i64(r, &v, err));
            result_fact_int(node, s2, v);
            break;
        case STC_FACT_BOOL:
            STC_GUARD(get_i64(r, &v, err));
            result_fact_bool(node, s2, v != 0);
            break;
        case STC_FACT_LIST:
            result_fact_list(node, s2);
            STC_GUARD(get_u16(r, &m, err));
            for (size_t j = 0; j < m; j++) {
                STC_GUARD(get_str(r, t1, &s, err));
                result_fact_list_add(node, s2, s);
            }
            break;
        default: STC_ENSURE(0, err, STC_E_PARSE, "bad fact type in cache entry");
        }
    }
    STC_GUARD(get_u16(r, &n, err));
    for (size_t i = 0; i < n; i++) {
        struct stc_result *child = NULL;
        STC_GUARD(decode_node(r, depth + 1, t1, t2, &child, err));
        result_add(node, child);
    }
    STC_ENSURE(!result_oom(node), err, STC_E_NOMEM, "out of memory");
    *out = node;
    return STC_OK;
out:
    stc_result_free(node);
    return rc;
}

stc_rc scan_serial_decode(const void *p, size_t n, struct stc_result **out, struct stc_err *err)
{
    struct rd r;
    struct buf t1, t2;
    uint8_t magic;
    stc_rc rc = STC_OK;
    struct stc_result *tree = NULL;
    buf_init(&t1, 1 << 24);
    buf_init(&t2, 1 << 24);
    rd_init(&r, p, n);
    STC_ENSURE(rd_u8(&r, &magic) == STC_OK && magic == MAGIC, err, STC_E_PARSE,
               "not a cache entry (bad magic)");
    STC_GUARD(decode_node(&r, 0, &t1, &t2, &tree, err));
    STC_ENSURE(rd_left(&r) == 0, err, STC_E_PARSE, "trailing bytes in cache entry");
    *out = tree;
    tree = NULL;
out:
    stc_result_free(tree);
    buf_free(&t1);
    buf_free(&t2);
    return rc;
}
