/*
 * NAME
 *     report_scan_page - writing the scan report page from the counts
 * SYNOPSIS
 *     #include "report_scan.h"
 *     report_scan_page(&o, s, 0);  (the rows)  report_scan_page(&o, s, 1);
 * DESCRIPTION
 *     Part 0: the head, the headline numbers (<dl class="nums">, each
 *     <div data-k="KEY">), the change against the earlier scan when there
 *     is one (adoption table, domains that got worse or better, newly
 *     expired certificates), the charts, the domain table's frame, the
 *     "stc-meta" JSON block (label lists, finding keys) and the start of
 *     the "stc-rows" block. Part 1 closes it and adds the script.
 *     The headline and the adoption table use the same metrics, each a
 *     count over a base: STARTTLS on all MX hosts (of the domains with
 *     MX hosts), valid certificates on all MX hosts (of the domains with
 *     a TLS handshake), MTA-STS enforce, TLS-RPT, DNSSEC-signed MX
 *     records, DANE on all MX hosts (of all domains).
 *     Chart categories that are empty and only say "not checked" or
 *     "unknown" are left out.
 * LIMITS
 *     Top lists: TOP_N entries.
 * DIAGNOSTICS
 *     None; write errors are kept in struct rout.
 */
#include "report_scan.h"

#include <string.h>

#include "report_chart.h"
#include "report_page.h"

#define TOP_N 10

struct metric {
    const char *key, *label;
    unsigned long long num, den;
};

enum { M_DOMAINS, M_STARTTLS, M_CERTS, M_STS, M_RPT, M_DNSSEC, M_DANE, M_N };

static void metrics(const struct rep_agg *a, struct metric *m)
{
    unsigned long long tls = a->starttls[RS_ALL] + a->starttls[RS_SOME];
    m[M_DOMAINS] = (struct metric){"mx", "Domains with MX hosts", a->with_mx, a->domains};
    m[M_STARTTLS] = (struct metric){"starttls_all", "STARTTLS on all MX hosts", a->starttls[RS_ALL],
                                    a->with_mx};
    m[M_CERTS] =
        (struct metric){"certs_valid", "Valid certificates on all MX hosts", a->all_valid, tls};
    m[M_STS] = (struct metric){"mtasts_enforce", "MTA-STS in enforce mode", a->sts[RT_ENFORCE],
                               a->domains};
    m[M_RPT] = (struct metric){"tlsrpt", "Valid TLS-RPT record", a->rpt[RR_VALID], a->domains};
    m[M_DNSSEC] =
        (struct metric){"dnssec", "DNSSEC-signed MX records", a->dnssec[RD_SECURE], a->domains};
    m[M_DANE] = (struct metric){"dane_all", "DANE on all MX hosts", a->dane[RDA_ALL], a->domains};
}

static double pct(unsigned long long n, unsigned long long d)
{
    return d ? 100.0 * (double)n / (double)d : 0.0;
}

static void headline(struct rout *o, const struct scan_report *s)
{
    struct metric m[M_N];
    metrics(&s->agg, m);
    ro_puts(o, "<section id=\"headline\"><h2>Headline</h2><dl class=\"nums\">\n");
    ro_printf(o, "<div data-k=\"domains\" data-n=\"%llu\"><dt>Domains</dt><dd>%llu</dd></div>\n",
              s->agg.domains, s->agg.domains);
    ro_printf(o,
              "<div data-k=\"hosts\" data-n=\"%llu\"><dt>MX hosts (per domain)</dt><dd>%llu</dd>"
              "</div>\n",
              s->agg.hosts, s->agg.hosts);
    for (int i = 0; i < M_N; i++)
        ro_printf(o,
                  "<div data-k=\"%s\" data-n=\"%llu\" data-of=\"%llu\"><dt>%s</dt><dd>%.1f%% "
                  "<small>%llu of %llu</small></dd></div>\n",
                  m[i].key, m[i].num, m[i].den, m[i].label, pct(m[i].num, m[i].den), m[i].num,
                  m[i].den);
    ro_puts(o, "</dl>");
    if (s->unreadable > 0)
        ro_printf(o,
                  "<p class=\"note\" data-k=\"unreadable\">%llu input records were not domain "
                  "results and were skipped.</p>",
                  s->unreadable);
    ro_puts(o, "</section>\n");
}

static void change_list(struct rout *o, const char *id, const char *title,
                        const struct change_list *l)
{
    ro_printf(o, "<h3 id=\"%s\" data-n=\"%llu\">%s: %llu</h3>\n", id, l->count, title, l->count);
    if (l->n == 0)
        return;
    ro_puts(o, "<table class=\"change\"><thead><tr><th>domain</th><th>before</th><th>now</th>"
               "</tr></thead><tbody>\n");
    for (size_t i = 0; i < l->n; i++) {
        ro_puts(o, "<tr><td><a href=\"#d/");
        ro_html(o, l->v[i].name);
        ro_puts(o, "\">");
        ro_html(o, l->v[i].name);
        ro_printf(o,
                  "</a></td><td><span class=\"st st%d\">%s</span></td><td><span class=\"st "
                  "st%d\">%s</span></td></tr>\n",
                  l->v[i].from, rep_status_text(l->v[i].from), l->v[i].to,
                  rep_status_text(l->v[i].to));
    }
    ro_puts(o, "</tbody></table>");
    if (l->count > l->n)
        ro_printf(o, "<p class=\"note\">The first %zu are listed.</p>", l->n);
}

static void change(struct rout *o, const struct scan_report *s)
{
    struct metric now[M_N], was[M_N];
    metrics(&s->agg, now);
    metrics(&s->old_agg, was);
    ro_puts(o, "<section id=\"change\"><h2>Change since the earlier scan</h2><p class=\"sub\">"
               "Earlier scan: ");
    ro_html(o, s->compare);
    ro_printf(o,
              " (%llu domains). In both scans: %llu domains; new: %llu; no longer in the scan: "
              "%llu.</p>\n",
              s->old_agg.domains, s->both, s->added,
              s->old_agg.domains >= s->both ? s->old_agg.domains - s->both : 0);
    ro_puts(o, "<table class=\"adoption\"><thead><tr><th>measure</th><th>before</th><th>now</th>"
               "<th>change</th></tr></thead><tbody>\n");
    for (int i = 0; i < M_N; i++) {
        double a = pct(was[i].num, was[i].den), b = pct(now[i].num, now[i].den);
        double dpp = b - a;
        const char *cls = dpp > 0.05 ? "up" : dpp < -0.05 ? "down" : "same";
        const char *arrow = dpp > 0.05 ? "\xe2\x96\xb2 " : dpp < -0.05 ? "\xe2\x96\xbc " : "";
        ro_printf(o,
                  "<tr data-k=\"%s\"><td>%s</td><td>%.1f%% <small>(%llu)</small></td><td>%.1f%% "
                  "<small>(%llu)</small></td><td class=\"%s\">%s%+.1f points</td></tr>\n",
                  now[i].key, now[i].label, a, was[i].num, b, now[i].num, cls, arrow, dpp);
    }
    ro_puts(o, "</tbody></table>\n");
    change_list(o, "worse", "Domains that got worse", &s->worse);
    change_list(o, "expired", "Newly expired certificates", &s->expired);
    change_list(o, "better", "Domains that got better", &s->better);
    ro_puts(o, "</section>\n");
}

/* A chart from a counter array and its labels; skip: categories left out when 0. */
static void counts_chart(struct rout *o, const char *id, const char *title, const char *axis,
                         const unsigned long long *v, const char *const *labels,
                         const enum chart_color *col, size_t n, unsigned skip_mask,
                         unsigned long long total, const char *note)
{
    struct chart_bar b[16];
    size_t k = 0;
    for (size_t i = 0; i < n && k < 16; i++) {
        if ((skip_mask & (1u << i)) && v[i] == 0)
            continue;
        b[k++] = (struct chart_bar){labels[i], v[i], col[i]};
    }
    struct chart c = {id, title, axis, total, b, k, note};
    chart_bars(o, &c);
}

static void top_chart(struct rout *o, const char *id, const char *title, const char *axis,
                      const struct rep_map *m, int by_fail, enum chart_color col,
                      unsigned long long total, const char *note)
{
    const struct rep_count *top[TOP_N];
    struct chart_bar b[TOP_N];
    size_t n = rep_map_top(m, TOP_N, by_fail, top);
    for (size_t i = 0; i < n; i++)
        b[i] = (struct chart_bar){top[i]->key, by_fail ? top[i]->fail : top[i]->n, col};
    struct chart c = {id, title, axis, total, b, n, note};
    chart_bars(o, &c);
}

static void charts(struct rout *o, const struct scan_report *s)
{
    const struct rep_agg *a = &s->agg;
    const char *st_labels[RST_N];
    for (int i = 0; i < RST_N; i++)
        st_labels[i] = rep_status_text(i);
    static const enum chart_color st_col[RST_N] = {CC_GOOD, CC_WARN,    CC_BAD,   CC_ERROR,
                                                   CC_BAD,  CC_NEUTRAL, CC_YELLOW};
    static const enum chart_color tls_col[RS_N] = {CC_GOOD, CC_WARN, CC_BAD, CC_NEUTRAL,
                                                   CC_NEUTRAL};
    static const enum chart_color cert_col[RC_N] = {CC_GOOD, CC_BAD,    CC_WARN,   CC_ERROR,
                                                    CC_INFO, CC_YELLOW, CC_NEUTRAL};
    static const enum chart_color ver_col[RV_N] = {CC_GOOD, CC_SKY, CC_WARN,
                                                   CC_WARN, CC_BAD, CC_NEUTRAL};
    static const enum chart_color ciph_col[RCI_N] = {CC_GOOD, CC_SKY, CC_WARN, CC_BAD, CC_NEUTRAL};
    static const enum chart_color sts_col[RT_N] = {CC_GOOD, CC_SKY,     CC_YELLOW,
                                                   CC_BAD,  CC_NEUTRAL, CC_NEUTRAL};
    static const enum chart_color rpt_col[RR_N] = {CC_GOOD, CC_BAD, CC_NEUTRAL, CC_NEUTRAL};
    static const enum chart_color dnssec_col[RD_N] = {CC_GOOD, CC_NEUTRAL, CC_BAD, CC_YELLOW,
                                                      CC_NEUTRAL};
    static const enum chart_color dane_col[RDA_N] = {CC_GOOD,    CC_SKY,     CC_WARN,   CC_BAD,
                                                     CC_NEUTRAL, CC_NEUTRAL, CC_NEUTRAL};
    ro_puts(o, "<section id=\"charts\"><h2>Charts</h2><div class=\"charts\">\n");
    counts_chart(o, "c-status", "Domain status", "domains", a->status, st_labels, st_col, RST_N, 0,
                 a->domains, NULL);
    counts_chart(o, "c-starttls", "STARTTLS support", "domains", a->starttls, rep_starttls_label,
                 tls_col, RS_N, 0, a->domains, "Over the MX hosts that accepted a connection.");
    counts_chart(o, "c-cert", "Certificates by failure reason", "MX hosts with TLS (per domain)",
                 a->cert, rep_cert_label, cert_col, RC_N, 0, a->hosts_tls, NULL);
    counts_chart(o, "c-version", "TLS versions negotiated", "MX hosts with TLS (per domain)",
                 a->ver, rep_ver_label, ver_col, RV_N, 1u << RV_OTHER, a->hosts_tls, NULL);
    counts_chart(o, "c-cipher", "Cipher classes", "MX hosts with TLS (per domain)", a->ciph,
                 rep_ciph_label, ciph_col, RCI_N, 1u << RCI_UNKNOWN, a->hosts_tls, NULL);
    counts_chart(o, "c-mtasts", "MTA-STS mode and validity", "domains", a->sts, rep_sts_label,
                 sts_col, RT_N, 1u << RT_UNCHECKED, a->domains,
                 "enforce, testing and mode none: a valid published policy.");
    counts_chart(o, "c-tlsrpt", "TLS-RPT", "domains", a->rpt, rep_rpt_label, rpt_col, RR_N,
                 1u << RR_UNCHECKED, a->domains, NULL);
    counts_chart(o, "c-dnssec", "DNSSEC of the MX records", "domains", a->dnssec, rep_dnssec_label,
                 dnssec_col, RD_N, (1u << RD_UNKNOWN) | (1u << RD_UNVALIDATED), a->domains, NULL);
    counts_chart(o, "c-dane", "DANE adoption and validity", "domains", a->dane, rep_dane_label,
                 dane_col, RDA_N, 1u << RDA_UNCHECKED, a->domains, NULL);
    top_chart(o, "c-failures", "Top failure reasons", "domains", &a->find, 1, CC_BAD, a->domains,
              "Domains with the finding at failure or error; CHECK: RFC 8460 result type.");
    top_chart(o, "c-mx", "MX concentration", "domains", &a->suffix, 0, CC_INFO, a->with_mx,
              "The MX host suffixes (last two labels) the most domains depend on, as a share of "
              "the domains with MX hosts; a domain counts once per suffix.");
    ro_puts(o, "</div></section>\n");
}

static void label_list(struct rout *o, const char *key, const char *const *v, size_t n)
{
    ro_printf(o, "\"%s\":[", key);
    for (size_t i = 0; i < n; i++) {
        if (i)
            ro_puts(o, ",");
        ro_jstr(o, v[i]);
    }
    ro_puts(o, "]");
}

static void meta(struct rout *o, const struct scan_report *s)
{
    const char *st[RST_N];
    for (int i = 0; i < RST_N; i++)
        st[i] = rep_status_text(i);
    ro_puts(o, "<script type=\"application/json\" id=\"stc-meta\">{");
    label_list(o, "status", st, RST_N);
    ro_puts(o, ",");
    label_list(o, "starttls", rep_starttls_label, RS_N);
    ro_puts(o, ",");
    label_list(o, "sts", rep_sts_label, RT_N);
    ro_puts(o, ",");
    label_list(o, "rpt", rep_rpt_label, RR_N);
    ro_puts(o, ",");
    label_list(o, "dnssec", rep_dnssec_label, RD_N);
    ro_puts(o, ",");
    label_list(o, "dane", rep_dane_label, RDA_N);
    ro_puts(o, ",\"findings\":[");
    for (size_t i = 0; i < s->agg.find.n; i++) {
        if (i)
            ro_puts(o, ",");
        ro_jstr(o, rep_map_at(&s->agg.find, i)->key);
    }
    ro_puts(o, "]}</script>\n");
}

static void table_frame(struct rout *o)
{
    ro_puts(o,
            "<section id=\"domains\"><h2>Domains</h2>\n"
            "<noscript><p>Searching, filtering and paging the domain table needs JavaScript; "
            "the numbers and charts above do not.</p></noscript>\n"
            "<div id=\"dt-js\" hidden><div class=\"filters\">"
            "<label>Search <input id=\"q\" type=\"search\" placeholder=\"domain name\" "
            "autocomplete=\"off\"></label>"
            "<label>Status <select id=\"fstatus\"><option value=\"\">any</option></select></label>"
            "<label>Finding <select id=\"ffinding\"><option value=\"\">any</option></select>"
            "</label><span id=\"dt-count\"></span></div>\n"
            "<table><thead><tr><th>domain</th><th>status</th><th>MX</th><th>STARTTLS</th>"
            "<th>MTA-STS</th><th>findings</th></tr></thead><tbody id=\"dt-body\"></tbody></table>"
            "<nav id=\"dt-pager\"></nav></div></section>\n"
            "<section id=\"detail\" hidden></section>\n");
}

void report_scan_page(struct rout *o, const struct scan_report *s, int part)
{
    if (part == 1) {
        ro_puts(o, "]</script>\n");
        page_tail(o, 1);
        return;
    }
    page_head(o, "STARTTLS scan report");
    ro_puts(o, "<header><h1>Mail transport security: scan report</h1><p class=\"sub\">Source: ");
    ro_html(o, s->input);
    ro_printf(o, " \xc2\xb7 %llu domains \xc2\xb7 %llu MX hosts (per domain)</p></header>\n",
              s->agg.domains, s->agg.hosts);
    headline(o, s);
    if (s->compare != NULL)
        change(o, s);
    charts(o, s);
    table_frame(o);
    meta(o, s);
    ro_puts(o, "<script type=\"application/json\" id=\"stc-rows\">[");
}
