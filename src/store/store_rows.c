/*
 * NAME
 *     store_rows - flatten a domain's result tree into table rows
 * SYNOPSIS
 *     store_rows_domain(tree, &d);
 *     store_rows_walk(tree, &sink, ctx, err);
 * DESCRIPTION
 *     One mapping from the tree to the domains/hosts/checks rows, shared
 *     by every backend, so SQLite and PostgreSQL hold the same columns
 *     (docs/scan.md, docs/distributed.md). The rows point into the tree.
 * DIAGNOSTICS
 *     store_rows_walk returns the sink's first error.
 */
#include "store_rows.h"

#include <stddef.h>

static long long int_fact(const struct stc_result *r, const char *key, long long dflt)
{
    long long v = dflt;
    if (r != NULL)
        stc_result_get_int(r, key, &v);
    return v;
}

static const char *str_fact(const struct stc_result *r, const char *key)
{
    return r ? stc_result_get_str(r, key) : NULL;
}

static const char *first_msg(const struct stc_result *r)
{
    return stc_result_message_count(r) ? stc_result_message(r, 0) : NULL;
}

void store_rows_domain(const struct stc_result *t, struct store_domain_row *d)
{
    long fi = stc_result_fact_index(t, "mx_hosts");
    stc_domain_status ds = stc_result_domain_status(t);
    d->domain = stc_result_name(t);
    d->status = (int)ds;
    d->status_text = stc_domain_status_text(ds);
    d->message = first_msg(t);
    d->mx_count = fi >= 0 ? (long long)stc_result_fact_list_len(t, (size_t)fi) : 0;
    d->mta_sts_mode = str_fact(stc_result_find(t, "mta_sts"), "mode");
}

static stc_rc check_row(const char *domain, const char *host, const struct stc_result *c,
                        const struct store_rows_sink *sink, void *ctx, struct stc_err *err)
{
    struct store_check_row r = {
        .domain = domain,
        .hostname = host,
        .check = stc_result_name(c),
        .status = (int)stc_result_status(c),
        .status_text = stc_status_text(stc_result_status(c)),
        .result_type = stc_result_type(c),
        .message = first_msg(c),
    };
    return sink->check(ctx, &r, err);
}

static stc_rc host_rows(const char *domain, const struct stc_result *h,
                        const struct store_rows_sink *sink, void *ctx, struct stc_err *err)
{
    const struct stc_result *ce = stc_result_find(h, "certificate");
    struct store_host_row r = {
        .domain = domain,
        .hostname = stc_result_name(h),
        .preference = int_fact(h, "preference", 0),
        .status = (int)stc_result_status(h),
        .status_text = stc_status_text(stc_result_status(h)),
        .address = str_fact(h, "address"),
        .connected = int_fact(h, "connected", 0),
        .starttls = int_fact(stc_result_find(h, "starttls"), "handshake", 0),
        .tls_version = str_fact(stc_result_find(h, "version"), "negotiated"),
        .cipher = str_fact(stc_result_find(h, "cipher"), "negotiated"),
        .has_cert = ce != NULL,
        .cert_valid = int_fact(ce, "valid", 0),
    };
    stc_rc rc = sink->host(ctx, &r, err);
    for (size_t i = 0; rc == STC_OK && i < stc_result_child_count(h); i++)
        rc = check_row(domain, r.hostname, stc_result_child(h, i), sink, ctx, err);
    return rc;
}

stc_rc store_rows_walk(const struct stc_result *t, const struct store_rows_sink *sink, void *ctx,
                       struct stc_err *err)
{
    stc_rc rc = STC_OK;
    const char *domain = stc_result_name(t);
    for (size_t i = 0; rc == STC_OK && i < stc_result_child_count(t); i++) {
        const struct stc_result *c = stc_result_child(t, i);
        if (stc_result_kind(c) == STC_NODE_HOST)
            rc = host_rows(domain, c, sink, ctx, err);
        else
            rc = check_row(domain, "", c, sink, ctx, err);
    }
    return rc;
}
