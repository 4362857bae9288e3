/*
 * NAME
 *     report_domain - the HTML report of one domain
 * SYNOPSIS
 *     #include <starttls/report.h>
 *     stc_report_domain_html(tree, stdout, err);
 * DESCRIPTION
 *     What the text report says, as a page without script: the verdict
 *     with the domain status, notes, the MX table (preference, host,
 *     address, STARTTLS, TLS version, cipher, certificate, DANE; the same
 *     cells as the text report, from report_class), the problems of each
 *     host, the domain-level findings (every domain check with its
 *     messages and those of its children, and the DNSSEC state of the MX
 *     records), the recommendations of every node numbered most severe
 *     first (duplicates dropped), and then every MX host's details: each
 *     check with its status, messages and typed facts. All text from the
 *     tree is escaped (ro_html); the page has the same CSP as the scan
 *     report and no script.
 * LIMITS
 *     Recommendations: REC_MAX; nesting shown to MAX_DEPTH levels.
 * DIAGNOSTICS
 *     STC_E_INVAL for a NULL tree or stream, STC_E_IO on a write error,
 *     STC_E_NOMEM.
 */
#include <starttls/report.h>

#include <stdlib.h>
#include <string.h>

#include "report_class.h"
#include "report_page.h"

#define REC_MAX 256
#define MAX_DEPTH 6

static int domain_sev(int ds)
{
    switch (ds) {
    case STC_DOMAIN_SUCCESS: return 0;
    case STC_DOMAIN_WARNING: return 1;
    case STC_DOMAIN_ERROR: return 3;
    default: return 2;
    }
}

static void status_badge(struct rout *o, int sev, const char *text)
{
    ro_printf(o, "<span class=\"st st%d\">", sev);
    ro_html(o, text);
    ro_puts(o, "</span>");
}

static void messages(struct rout *o, const struct stc_result *r)
{
    for (size_t i = 0; i < stc_result_message_count(r); i++) {
        ro_puts(o, "<li>");
        ro_html(o, stc_result_message(r, i));
        ro_puts(o, "</li>");
    }
}

static void cell_check(struct rout *o, const struct stc_result *h, const char *check,
                       const char *text)
{
    const struct stc_result *c = stc_result_find(h, check);
    if (c != NULL)
        ro_printf(o, "<td class=\"s%d\">", (int)stc_result_status(c));
    else
        ro_puts(o, "<td>");
    ro_html(o, text);
    ro_puts(o, "</td>");
}

static void mx_table(struct rout *o, const struct rep_dom *d)
{
    if (d->nhosts == 0) {
        ro_puts(o, "<p>No MX host to check.</p>\n");
        return;
    }
    ro_puts(o, "<h2>MX hosts</h2><table id=\"mx\"><thead><tr><th>pref</th><th>host</th>"
               "<th>address</th><th>STARTTLS</th><th>TLS</th><th>cipher</th><th>certificate</th>"
               "<th>DANE</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < d->nhosts; i++) {
        const struct rep_host *h = &d->hosts[i];
        long long pref;
        const char *addr = stc_result_get_str(h->node, "address");
        ro_puts(o, "<tr><td>");
        if (stc_result_get_int(h->node, "preference", &pref))
            ro_printf(o, "%lld", pref);
        else
            ro_puts(o, "-");
        ro_printf(o, "</td><td class=\"s%d\"><a href=\"#h%zu\">", (int)stc_result_status(h->node),
                  i);
        ro_html(o, stc_result_name(h->node));
        ro_puts(o, "</a></td><td class=\"mono\">");
        ro_html(o, addr && *addr ? addr : "-");
        ro_puts(o, "</td>");
        cell_check(o, h->node, "starttls", rep_host_starttls(h));
        cell_check(o, h->node, "version", h->ver_text);
        cell_check(o, h->node, "cipher", h->ciph_text);
        cell_check(o, h->node, "certificate", h->cert_text);
        cell_check(o, h->node, "dane", h->dane_text);
        ro_puts(o, "</tr>\n");
    }
    ro_puts(o, "</tbody></table>\n");
}

static int child_shown(const struct stc_result *k)
{
    return stc_result_status(k) >= STC_STATUS_WARNING || stc_result_message_count(k) > 0;
}

/* A check and its findings (children too, to depth). A check without messages of
 * its own is shown by its children's, as in the text report. */
static void finding_item(struct rout *o, const struct stc_result *c, const char *prefix,
                         unsigned depth)
{
    int s = (int)stc_result_status(c);
    int any = 0;
    for (size_t i = 0; i < stc_result_child_count(c); i++)
        any |= child_shown(stc_result_child(c, i));
    if (stc_result_message_count(c) == 0 && any && depth < MAX_DEPTH)
        goto children;
    ro_printf(o, "<li class=\"s%d\"><b>", s);
    if (prefix != NULL && *prefix) {
        ro_html(o, prefix);
        ro_puts(o, " / ");
    }
    ro_html(o, stc_result_name(c));
    ro_printf(o, "</b> %s", stc_status_text((stc_status)s));
    if (stc_result_type(c) != NULL) {
        ro_puts(o, " (");
        ro_html(o, stc_result_type(c));
        ro_puts(o, ")");
    }
    if (stc_result_message_count(c) > 0) {
        ro_puts(o, "<ul>");
        messages(o, c);
        ro_puts(o, "</ul>");
    }
    ro_puts(o, "</li>\n");
    if (depth >= MAX_DEPTH)
        return;
children:
    for (size_t i = 0; i < stc_result_child_count(c); i++) {
        const struct stc_result *k = stc_result_child(c, i);
        if (child_shown(k))
            finding_item(o, k, stc_result_name(c), depth + 1);
    }
}

static void host_problems(struct rout *o, const struct rep_dom *d)
{
    for (size_t i = 0; i < d->nhosts; i++) {
        const struct stc_result *h = d->hosts[i].node;
        if (stc_result_status(h) < STC_STATUS_WARNING)
            continue;
        ro_puts(o, "<h3>");
        ro_html(o, stc_result_name(h));
        ro_puts(o, "</h3><ul class=\"findings\">");
        messages(o, h);
        for (size_t k = 0; k < stc_result_child_count(h); k++) {
            const struct stc_result *c = stc_result_child(h, k);
            if (stc_result_status(c) >= STC_STATUS_WARNING)
                finding_item(o, c, NULL, 1);
        }
        ro_puts(o, "</ul>\n");
    }
}

static void dnssec_line(struct rout *o, const struct rep_dom *d)
{
    static const char *const text[RD_N] = {
        "the MX records are DNSSEC-signed: DANE can protect the MX hosts",
        "the MX records are not DNSSEC-signed: no DANE for this domain",
        "the MX records fail DNSSEC validation: validating senders cannot find the MX hosts",
        "the DNSSEC state of the MX records is unknown", "DNSSEC could not be validated"};
    static const int sev[RD_N] = {0, 1, 2, 1, 1};
    ro_printf(o, "<li class=\"s%d\" id=\"dnssec\"><b>dnssec</b> %s: %s</li>\n", sev[d->dnssec],
              rep_dnssec_label[d->dnssec], text[d->dnssec]);
}

static void domain_findings(struct rout *o, const struct rep_dom *d)
{
    ro_puts(o, "<h2>Domain checks</h2><ul class=\"findings\" id=\"domain-checks\">\n");
    for (size_t i = 0; i < stc_result_child_count(d->root); i++) {
        const struct stc_result *c = stc_result_child(d->root, i);
        if (stc_result_kind(c) != STC_NODE_HOST)
            finding_item(o, c, NULL, 1);
    }
    dnssec_line(o, d);
    ro_puts(o, "</ul>\n");
}

struct recs {
    const char *v[REC_MAX];
    int sev[REC_MAX];
    size_t n;
};

static void gather(struct recs *rs, const struct stc_result *node, unsigned depth)
{
    if (depth > MAX_DEPTH)
        return;
    for (size_t i = 0; i < stc_result_recommendation_count(node); i++) {
        const char *r = stc_result_recommendation(node, i);
        int sev = (int)stc_result_status(node);
        size_t k;
        for (k = 0; k < rs->n && strcmp(rs->v[k], r) != 0; k++)
            ;
        if (k < rs->n) {
            if (sev > rs->sev[k])
                rs->sev[k] = sev;
        } else if (rs->n < REC_MAX) {
            rs->v[rs->n] = r;
            rs->sev[rs->n++] = sev;
        }
    }
    for (size_t i = 0; i < stc_result_child_count(node); i++)
        gather(rs, stc_result_child(node, i), depth + 1);
}

static stc_rc recommendations(struct rout *o, const struct stc_result *root)
{
    struct recs *rs = calloc(1, sizeof *rs);
    if (rs == NULL)
        return STC_E_NOMEM;
    gather(rs, root, 0);
    for (size_t i = 1; i < rs->n; i++) { /* most severe first, stable */
        const char *v = rs->v[i];
        int sv = rs->sev[i];
        size_t j = i;
        for (; j > 0 && rs->sev[j - 1] < sv; j--) {
            rs->v[j] = rs->v[j - 1];
            rs->sev[j] = rs->sev[j - 1];
        }
        rs->v[j] = v;
        rs->sev[j] = sv;
    }
    if (rs->n > 0) {
        ro_puts(o, "<h2>Recommendations</h2><ol class=\"recs\" id=\"recs\">\n");
        for (size_t i = 0; i < rs->n; i++) {
            ro_printf(o, "<li class=\"s%d\">", rs->sev[i]);
            ro_html(o, rs->v[i]);
            ro_puts(o, "</li>\n");
        }
        ro_puts(o, "</ol>\n");
    }
    free(rs);
    return STC_OK;
}

static void facts(struct rout *o, const struct stc_result *r)
{
    size_t n = stc_result_fact_count(r);
    if (n == 0)
        return;
    ro_puts(o, "<dl>");
    for (size_t i = 0; i < n; i++) {
        ro_puts(o, "<dt>");
        ro_html(o, stc_result_fact_key(r, i));
        ro_puts(o, "</dt><dd>");
        switch (stc_result_fact_type(r, i)) {
        case STC_FACT_STR: ro_html(o, stc_result_fact_str(r, i)); break;
        case STC_FACT_INT: ro_printf(o, "%lld", stc_result_fact_int(r, i)); break;
        case STC_FACT_BOOL: ro_puts(o, stc_result_fact_int(r, i) ? "yes" : "no"); break;
        case STC_FACT_LIST:
            for (size_t k = 0; k < stc_result_fact_list_len(r, i); k++) {
                if (k)
                    ro_puts(o, "<br>");
                ro_html(o, stc_result_fact_list_item(r, i, k));
            }
            break;
        default: break;
        }
        ro_puts(o, "</dd>");
    }
    ro_puts(o, "</dl>");
}

static void node_details(struct rout *o, const struct stc_result *c, unsigned depth)
{
    int s = (int)stc_result_status(c);
    ro_printf(o, "<h%u class=\"s%d\">", depth + 3 > 6 ? 6 : depth + 3, s);
    ro_html(o, stc_result_name(c));
    ro_printf(o, ": %s</h%u>", stc_status_text((stc_status)s), depth + 3 > 6 ? 6 : depth + 3);
    if (stc_result_message_count(c) > 0) {
        ro_puts(o, "<ul>");
        messages(o, c);
        ro_puts(o, "</ul>");
    }
    facts(o, c);
    if (depth >= MAX_DEPTH)
        return;
    for (size_t i = 0; i < stc_result_child_count(c); i++)
        node_details(o, stc_result_child(c, i), depth + 1);
}

static void host_details(struct rout *o, const struct rep_dom *d)
{
    if (d->nhosts == 0)
        return;
    ro_puts(o, "<h2>MX host details</h2>\n");
    for (size_t i = 0; i < d->nhosts; i++) {
        const struct stc_result *h = d->hosts[i].node;
        ro_printf(o, "<section class=\"hostd\" id=\"h%zu\"><h3 class=\"s%d\">", i,
                  (int)stc_result_status(h));
        ro_html(o, stc_result_name(h));
        ro_printf(o, ": %s</h3>", stc_status_text(stc_result_status(h)));
        facts(o, h);
        for (size_t k = 0; k < stc_result_child_count(h); k++)
            node_details(o, stc_result_child(h, k), 1);
        ro_puts(o, "</section>\n");
    }
}

stc_rc stc_report_domain_html(const struct stc_result *r, FILE *out, struct stc_err *err)
{
    struct rep_dom d;
    if (r == NULL || out == NULL || stc_result_kind(r) != STC_NODE_DOMAIN)
        return err_set(err, STC_E_INVAL, "report: no domain result");
    if (rep_dom_classify(r, &d) != STC_OK)
        return err_set(err, STC_E_NOMEM, "report: out of memory");
    struct rout o = {out, 0};
    char title[300];
    snprintf(title, sizeof title, "%s: mail transport security", stc_result_name(r));
    page_head(&o, title);
    ro_puts(&o, "<header><h1 id=\"verdict\">");
    ro_html(&o, stc_result_name(r));
    ro_puts(&o, ": ");
    status_badge(&o, domain_sev(d.status), rep_status_text(d.status));
    ro_puts(&o, "</h1>");
    if (stc_result_message_count(r) > 0) {
        ro_puts(&o, "<p class=\"verdict\">");
        ro_html(&o, stc_result_message(r, 0));
        ro_puts(&o, "</p>");
    }
    for (size_t i = 1; i < stc_result_message_count(r); i++) {
        ro_puts(&o, "<p class=\"note\">note: ");
        ro_html(&o, stc_result_message(r, i));
        ro_puts(&o, "</p>");
    }
    long long implicit = 0;
    if (stc_result_get_int(r, "implicit_mx", &implicit) && implicit)
        ro_puts(&o, "<p class=\"note\">note: no MX records: the domain itself is the mail host "
                    "(RFC 5321 5.1)</p>");
    ro_puts(&o, "</header>\n");
    mx_table(&o, &d);
    host_problems(&o, &d);
    domain_findings(&o, &d);
    stc_rc rc = recommendations(&o, r);
    host_details(&o, &d);
    page_tail(&o, 0);
    rep_dom_free(&d);
    if (rc != STC_OK)
        return err_set(err, rc, "report: out of memory");
    return ro_status(&o, err);
}
