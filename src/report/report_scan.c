/*
 * NAME
 *     report_scan - the HTML report of a whole scan
 * SYNOPSIS
 *     #include <starttls/report.h>
 *     stc_report_scan_html("scan.db", NULL, out, err);
 *     stc_report_scan_html("new.jsonl", "old.db", out, err);   // with the change
 * DESCRIPTION
 *     One pass over the scan (par_read_trees: scan_read_each, the JSON
 *     parsed into trees on worker threads, handed back in input order):
 *     each domain's tree is classified (report_class), counted
 *     (report_agg) and written as one compact row of the domain table to a
 *     temporary file; then the tree is freed. Afterwards the page is
 *     written: headline numbers, the change against the earlier scan
 *     (report_change.c), the charts (report_charts.c), the domain table
 *     (filled by the report script from the rows, which are copied into a
 *     <script type="application/json"> block) and the detail panel.
 *     With compare the earlier scan is read first, into counts and a
 *     name -> status index (report_cmp).
 *
 *     A row: [domain, status, verdict, [finding indexes], [[preference,
 *     host, address, host status, STARTTLS, TLS version, cipher,
 *     certificate, DANE], ...], [[host or "", check, status, message],
 *     ...], MTA-STS class, TLS-RPT class, DNSSEC class, DANE class,
 *     STARTTLS class]; classes index the label lists in the "stc-meta"
 *     block. Every string is written by ro_jstr (no "</script" can occur).
 *     Lines that are not a domain result are counted and skipped.
 * LIMITS
 *     ROW_FIND_MAX detail findings per domain; WORSE_MAX domains listed per
 *     change list (all are counted); the tables of report_agg.
 * DIAGNOSTICS
 *     STC_E_IO (input unreadable, temporary file, write error), STC_E_NOMEM.
 */
#include <starttls/json.h>
#include <starttls/report.h>

#include <stdlib.h>
#include <string.h>

#include "report_agg.h"
#include "report_cmp.h"
#include "report_page.h"
#include "report_par.h"
#include "report_scan.h"

#define ROW_FIND_MAX 24

static const char *first_msg(const struct stc_result *r)
{
    return stc_result_message_count(r) ? stc_result_message(r, 0) : "";
}

static void row_hosts(struct rout *o, const struct rep_dom *d)
{
    ro_puts(o, "[");
    for (size_t i = 0; i < d->nhosts; i++) {
        const struct rep_host *h = &d->hosts[i];
        long long pref;
        char num[32] = "-";
        if (stc_result_get_int(h->node, "preference", &pref))
            snprintf(num, sizeof num, "%lld", pref);
        const char *addr = stc_result_get_str(h->node, "address");
        ro_printf(o, "%s[\"%s\",", i ? "," : "", num);
        ro_jstr(o, stc_result_name(h->node));
        ro_puts(o, ",");
        ro_jstr(o, addr && *addr ? addr : "-");
        ro_printf(o, ",%d,\"%s\",", (int)stc_result_status(h->node), rep_host_starttls(h));
        ro_jstr(o, h->ver_text);
        ro_puts(o, ",");
        ro_jstr(o, h->ciph_text);
        ro_puts(o, ",");
        ro_jstr(o, h->cert_text);
        ro_puts(o, ",");
        ro_jstr(o, h->dane_text);
        ro_puts(o, "]");
    }
    ro_puts(o, "]");
}

/* A check's message: its own first, else its first child's that is not a success. */
static const char *check_msg(const struct stc_result *c)
{
    if (stc_result_message_count(c) > 0)
        return stc_result_message(c, 0);
    for (size_t i = 0; i < stc_result_child_count(c); i++) {
        const struct stc_result *k = stc_result_child(c, i);
        if (stc_result_status(k) >= STC_STATUS_WARNING && stc_result_message_count(k) > 0)
            return stc_result_message(k, 0);
    }
    return "";
}

static void row_finding(struct rout *o, size_t *n, const char *where, const struct stc_result *c)
{
    if (stc_result_status(c) < STC_STATUS_WARNING || *n >= ROW_FIND_MAX)
        return;
    ro_puts(o, *n ? ",[" : "[");
    ro_jstr(o, where);
    ro_puts(o, ",");
    ro_jstr(o, stc_result_name(c));
    ro_printf(o, ",%d,", (int)stc_result_status(c));
    ro_jstr(o, check_msg(c));
    ro_puts(o, "]");
    (*n)++;
}

static void row_findings(struct rout *o, const struct rep_dom *d)
{
    size_t n = 0;
    ro_puts(o, "[");
    for (size_t i = 0; i < d->nhosts; i++)
        for (size_t k = 0; k < stc_result_child_count(d->hosts[i].node); k++)
            row_finding(o, &n, stc_result_name(d->hosts[i].node),
                        stc_result_child(d->hosts[i].node, k));
    for (size_t i = 0; i < stc_result_child_count(d->root); i++) {
        const struct stc_result *c = stc_result_child(d->root, i);
        if (stc_result_kind(c) != STC_NODE_HOST)
            row_finding(o, &n, "", c);
    }
    ro_puts(o, "]");
}

static stc_rc write_row(struct scan_report *s, const struct rep_dom *d)
{
    struct rout *o = &s->rows;
    long idx[REP_FIND_MAX];
    for (size_t i = 0; i < d->nfind; i++) {
        stc_rc rc = rep_map_bump(&s->agg.find, d->find[i].key, d->find[i].sev >= 2, &idx[i]);
        if (rc != STC_OK)
            return rc;
    }
    ro_puts(o, s->rows_written ? ",\n[" : "[");
    ro_jstr(o, stc_result_name(d->root));
    ro_printf(o, ",%d,", d->status);
    ro_jstr(o, first_msg(d->root));
    ro_puts(o, ",[");
    int any = 0;
    for (size_t i = 0; i < d->nfind; i++)
        if (idx[i] >= 0) {
            ro_printf(o, "%s%ld", any ? "," : "", idx[i]);
            any = 1;
        }
    ro_puts(o, "],");
    row_hosts(o, d);
    ro_puts(o, ",");
    row_findings(o, d);
    ro_printf(o, ",%d,%d,%d,%d,%d]", (int)d->sts, (int)d->rpt, (int)d->dnssec, (int)d->dane,
              (int)d->starttls);
    s->rows_written++;
    return o->failed ? STC_E_IO : STC_OK;
}

static stc_rc remember(struct change_list *l, const char *name, int from, int to)
{
    l->count++;
    if (l->n >= WORSE_MAX)
        return STC_OK;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        struct change_item *v = realloc(l->v, cap * sizeof *v);
        if (v == NULL)
            return STC_E_NOMEM;
        l->v = v;
        l->cap = cap;
    }
    struct change_item *it = &l->v[l->n++];
    snprintf(it->name, sizeof it->name, "%s", name);
    it->from = from;
    it->to = to;
    return STC_OK;
}

static stc_rc compare_one(struct scan_report *s, const struct rep_dom *d)
{
    stc_rc rc = STC_OK;
    const char *name = stc_result_name(d->root);
    struct cmp_entry *e = cmp_index_get(&s->old, name);
    if (e == NULL) {
        s->added++;
        return STC_OK;
    }
    if (!e->seen)
        s->both++;
    e->seen = 1;
    int from = rep_status_rank(e->status);
    if (d->rank > from)
        rc = remember(&s->worse, name, e->status, d->status);
    else if (d->rank < from)
        rc = remember(&s->better, name, e->status, d->status);
    if (rc == STC_OK && d->expired && !e->expired)
        rc = remember(&s->expired, name, e->status, d->status);
    return rc;
}

static stc_rc on_tree(void *vctx, struct stc_result *tree, stc_rc rc, struct stc_err *err)
{
    struct scan_report *s = vctx;
    struct rep_dom d;
    if (rc == STC_E_NOMEM) {
        stc_result_free(tree);
        return err_set(err, rc, "report: out of memory");
    }
    if (rc != STC_OK || stc_result_kind(tree) != STC_NODE_DOMAIN) {
        (s->indexing ? &s->old_unreadable : &s->unreadable)[0]++;
        stc_result_free(tree);
        return STC_OK;
    }
    rc = rep_dom_classify(tree, &d);
    if (rc == STC_OK && s->indexing) {
        rc = rep_agg_add(&s->old_agg, &d);
        if (rc == STC_OK)
            rc = cmp_index_add(&s->old, &d);
    } else if (rc == STC_OK) {
        rc = rep_agg_add(&s->agg, &d);
        if (rc == STC_OK)
            rc = write_row(s, &d);
        if (rc == STC_OK && s->compare)
            rc = compare_one(s, &d);
    }
    rep_dom_free(&d);
    stc_result_free(tree);
    if (rc == STC_E_IO)
        return err_set(err, rc, "report: cannot write the temporary table file");
    if (rc != STC_OK)
        return err_set(err, rc, "report: out of memory");
    return STC_OK;
}

static stc_rc copy_rows(struct rout *o, FILE *tmp, struct stc_err *err)
{
    char buf[65536];
    size_t got;
    if (fflush(tmp) != 0 || fseek(tmp, 0, SEEK_SET) != 0)
        return err_set(err, STC_E_IO, "report: temporary table file");
    while ((got = fread(buf, 1, sizeof buf, tmp)) > 0)
        if (fwrite(buf, 1, got, o->f) != got) {
            o->failed = 1;
            break;
        }
    if (ferror(tmp))
        return err_set(err, STC_E_IO, "report: temporary table file");
    return STC_OK;
}

static void free_report(struct scan_report *s)
{
    rep_agg_free(&s->agg);
    rep_agg_free(&s->old_agg);
    cmp_index_free(&s->old);
    free(s->worse.v);
    free(s->better.v);
    free(s->expired.v);
    if (s->rows.f != NULL)
        fclose(s->rows.f);
}

stc_rc stc_report_scan_html(const char *input, const char *compare, FILE *out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    struct scan_report *s = calloc(1, sizeof *s);
    if (input == NULL || out == NULL) {
        free(s);
        return err_set(err, STC_E_INVAL, "report: no input or output");
    }
    if (s == NULL)
        return err_set(err, STC_E_NOMEM, "report: out of memory");
    s->input = input;
    s->compare = compare;
    STC_ENSURE(rep_agg_init(&s->agg, SUFFIX_MAX, FIND_MAX) == STC_OK &&
                   rep_agg_init(&s->old_agg, SUFFIX_MAX, FIND_MAX) == STC_OK,
               err, STC_E_NOMEM, "report: out of memory");
    s->rows.f = tmpfile();
    STC_ENSURE(s->rows.f != NULL, err, STC_E_IO, "report: cannot make a temporary file");
    if (compare != NULL) {
        s->indexing = 1;
        STC_GUARD(par_read_trees(compare, on_tree, s, err));
        s->indexing = 0;
    }
    STC_GUARD(par_read_trees(input, on_tree, s, err));
    if (s->rows.failed)
        STC_ENSURE(0, err, STC_E_IO, "report: cannot write the temporary table file");

    struct rout o = {out, 0};
    report_scan_page(&o, s, 0);
    STC_GUARD(copy_rows(&o, s->rows.f, err));
    report_scan_page(&o, s, 1);
    STC_GUARD(ro_status(&o, err));
out:
    free_report(s);
    free(s);
    return rc;
}
