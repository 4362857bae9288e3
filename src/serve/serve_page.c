/*
 * NAME
 *     serve_page - the pages, the script and the JSON documents of serve
 * SYNOPSIS
 *     page_index(f, NULL);  page_running(f, &job);  page_report(f, id, d, json, err);
 *     json_job(f, &job, cached);  json_error(f, 404, "not_found", "no such check");
 * DESCRIPTION
 *     Pages: the form (/), a running check (the MX hosts with their state;
 *     /static/app.js polls the API and reloads when the check is done), a
 *     finished check (stc_report_domain_html, the HTML report of one
 *     domain, with a bar of links: new check, the domain's history, the
 *     JSON), a domain's history, errors. No inline script anywhere: the
 *     one script is a file, allowed by serve_csp ('self'); the report's
 *     own CSP meta tag adds no permission.
 *
 *     JSON: a check (id, domain, state, times, progress, and "result", the
 *     --json document, once done), a stored row, a history, an error
 *     ({"error": {"status", "code", "message"}}). Strings go through
 *     ro_jstr, so no server text reaches a page or a document unescaped.
 * DIAGNOSTICS
 *     page_report: STC_E_PARSE for a stored document that does not read
 *     back, STC_E_IO, STC_E_NOMEM.
 */
#include "serve_page.h"

#include <stdlib.h>
#include <string.h>

#include <starttls/json.h>
#include <starttls/report.h>

#include "../report/report_out.h"

const char serve_csp[] = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                         "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                         "frame-ancestors 'none'; base-uri 'none'";

const char serve_css[] =
    "body{font:16px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}\n"
    "header,main{max-width:60rem;margin:0 auto;padding:1rem}\n"
    "header a{margin-right:1rem}\n"
    "input[type=text]{font-size:1.1rem;padding:.4rem;width:22rem;max-width:70vw}\n"
    "button{font-size:1.1rem;padding:.4rem 1rem}\n"
    ".hosts li{margin:.2rem 0}.st{display:inline-block;min-width:6rem;font-weight:600}\n"
    ".pending{color:#777}.running{color:#0645ad}.s0{color:#137333}.s1{color:#b06000}"
    ".s2,.s3{color:#b3261e}\n"
    "table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;"
    "text-align:left}\n"
    "#form-msg{color:#b3261e;min-height:1.5rem}\n";

const char serve_js[] =
    "(function () {\n"
    "  'use strict';\n"
    "  var STATUS = ['success', 'warning', 'failure', 'error'];\n"
    "  var form = document.getElementById('check-form');\n"
    "  if (form) {\n"
    "    form.addEventListener('submit', function (ev) {\n"
    "      ev.preventDefault();\n"
    "      var d = document.getElementById('domain').value.trim();\n"
    "      var msg = document.getElementById('form-msg');\n"
    "      msg.textContent = 'Starting the check of ' + d + ' ...';\n"
    "      fetch('/api/v1/checks', {method: 'POST', headers: {'Content-Type': "
    "'application/json'},\n"
    "                               body: JSON.stringify({domain: d})})\n"
    "        .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, j: j}; "
    "}); })\n"
    "        .then(function (x) {\n"
    "          if (!x.ok) { msg.textContent = x.j.error ? x.j.error.message : 'Error'; return; }\n"
    "          location.href = '/check/' + encodeURIComponent(x.j.id);\n"
    "        })\n"
    "        .catch(function () { msg.textContent = 'The service did not answer.'; });\n"
    "    });\n"
    "  }\n"
    "  var prog = document.getElementById('progress');\n"
    "  if (!prog) return;\n"
    "  var id = prog.getAttribute('data-id');\n"
    "  function render(j) {\n"
    "    var ul = document.getElementById('hosts');\n"
    "    while (ul.firstChild) ul.removeChild(ul.firstChild);\n"
    "    (j.progress.hosts || []).forEach(function (h) {\n"
    "      var li = document.createElement('li');\n"
    "      var st = document.createElement('span');\n"
    "      st.className = 'st ' + (h.state === 'done' ? 's' + h.status : h.state);\n"
    "      st.textContent = h.state === 'done' ? STATUS[h.status] || 'done' : h.state;\n"
    "      li.appendChild(st);\n"
    "      li.appendChild(document.createTextNode(' ' + h.name));\n"
    "      li.setAttribute('data-state', h.state);\n"
    "      ul.appendChild(li);\n"
    "    });\n"
    "    document.getElementById('phase').textContent = j.state === 'queued' ? 'Waiting for a "
    "free checker ...' :\n"
    "      j.progress.domain_checks ? 'MTA-STS, TLS-RPT and DANE ...' :\n"
    "      (j.progress.hosts && j.progress.hosts.length ? 'Checking the MX hosts ...' : 'Looking "
    "up the MX hosts ...');\n"
    "  }\n"
    "  function poll() {\n"
    "    fetch('/api/v1/checks/' + encodeURIComponent(id))\n"
    "      .then(function (r) { return r.json(); })\n"
    "      .then(function (j) {\n"
    "        if (j.state === 'done' || j.state === 'cancelled') { location.reload(); return; }\n"
    "        render(j);\n"
    "        setTimeout(poll, 400);\n"
    "      })\n"
    "      .catch(function () { setTimeout(poll, 2000); });\n"
    "  }\n"
    "  poll();\n"
    "})();\n";

static const char *state_name(int st)
{
    switch (st) {
    case JOB_QUEUED: return "queued";
    case JOB_RUNNING: return "running";
    case JOB_DONE: return "done";
    case JOB_CANCELLED: return "cancelled";
    default: return "unknown";
    }
}

static const char *host_state_name(int st)
{
    switch (st) {
    case HOST_PENDING: return "pending";
    case HOST_RUNNING: return "running";
    case HOST_DONE: return "done";
    default: return "unknown";
    }
}

static void head(struct rout *o, const char *title_a, const char *title_b)
{
    ro_puts(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<title>");
    ro_html(o, title_a);
    ro_html(o, title_b);
    ro_puts(o, "</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
               "<script src=\"/static/app.js\" defer></script>\n</head><body>\n"
               "<header><a href=\"/\">starttls-check</a></header>\n<main>\n");
}

static void tail(struct rout *o)
{
    ro_puts(o, "</main></body></html>\n");
}

void page_index(FILE *f, const char *note)
{
    struct rout o = {f, 0};
    head(&o, "Check a mail domain", "");
    ro_puts(&o, "<h1>How well does a mail domain protect mail in transit?</h1>\n"
                "<p>STARTTLS on every MX host, certificates, TLS versions and ciphers, DANE, "
                "MTA-STS and TLS-RPT.</p>\n"
                "<form id=\"check-form\" method=\"post\" action=\"/check\">\n"
                "<input type=\"text\" id=\"domain\" name=\"domain\" maxlength=\"253\" required "
                "placeholder=\"example.com\" autocomplete=\"off\" spellcheck=\"false\">\n"
                "<button type=\"submit\" id=\"go\">Check</button>\n</form>\n"
                "<p id=\"form-msg\">");
    ro_html(&o, note);
    ro_puts(&o, "</p>\n<p>Programs: the JSON API under /api/v1/ (docs/openapi.yaml).</p>\n");
    tail(&o);
}

void page_error(FILE *f, int http_status, const char *msg)
{
    struct rout o = {f, 0};
    char t[32];
    snprintf(t, sizeof t, "Error %d", http_status);
    head(&o, t, "");
    ro_printf(&o, "<h1>Error %d</h1>\n<p>", http_status);
    ro_html(&o, msg);
    ro_puts(&o, "</p>\n<p><a href=\"/\">Check a domain</a></p>\n");
    tail(&o);
}

void page_running(FILE *f, const struct job *j)
{
    struct rout o = {f, 0};
    head(&o, "Checking ", j->domain);
    ro_puts(&o, "<h1>Checking ");
    ro_html(&o, j->domain);
    ro_puts(&o, "</h1>\n<div id=\"progress\" data-id=\"");
    ro_html(&o, j->id);
    ro_puts(&o, "\">\n<p id=\"phase\">");
    ro_puts(&o, j->state == JOB_QUEUED ? "Waiting for a free checker ..." : "Checking ...");
    ro_puts(&o, "</p>\n<ul class=\"hosts\" id=\"hosts\">\n");
    for (size_t i = 0; i < j->nhosts; i++) {
        const struct job_host *h = &j->host[i];
        ro_printf(&o, "<li data-state=\"%s\"><span class=\"st %s\">%s</span> ",
                  host_state_name(h->state), host_state_name(h->state),
                  host_state_name(h->state));
        ro_html(&o, h->name);
        ro_puts(&o, "</li>\n");
    }
    ro_puts(&o, "</ul>\n<p>This page follows the check and shows the report when it is done "
                "(permanent link: <a href=\"/check/");
    ro_html(&o, j->id);
    ro_puts(&o, "\">this page</a>).</p>\n</div>\n");
    tail(&o);
}

stc_rc page_report(FILE *f, const char *id, const char *domain, const char *json,
                   struct stc_err *err)
{
    struct stc_result *r = NULL;
    char *page = NULL;
    size_t len = 0;
    stc_rc rc = stc_result_from_json(json, strlen(json), &r, err);
    if (rc != STC_OK)
        return rc;
    FILE *m = open_memstream(&page, &len);
    if (m == NULL) {
        stc_result_free(r);
        return err_set(err, STC_E_NOMEM, "out of memory");
    }
    rc = stc_report_domain_html(r, m, err);
    fclose(m);
    stc_result_free(r);
    if (rc == STC_OK) {
        /* The navigation bar right after <body>: inline styles only (the
         * report's own CSP allows no style sheet). */
        const char *body = page != NULL ? strstr(page, "<body>") : NULL;
        size_t cut = body != NULL ? (size_t)(body - page) + 6 : 0;
        struct rout o = {f, 0};
        fwrite(page, 1, cut, f);
        ro_puts(&o, "\n<nav id=\"serve-nav\" style=\"padding:.5rem 1rem;background:#eef\">"
                    "<a href=\"/\">New check</a> &middot; <a href=\"/domain/");
        ro_html(&o, domain);
        ro_puts(&o, "\">History of ");
        ro_html(&o, domain);
        ro_puts(&o, "</a> &middot; <a href=\"/api/v1/checks/");
        ro_html(&o, id);
        ro_puts(&o, "\">JSON</a> &middot; permanent link: <a id=\"permalink\" href=\"/check/");
        ro_html(&o, id);
        ro_puts(&o, "\">/check/");
        ro_html(&o, id);
        ro_puts(&o, "</a></nav>\n");
        fwrite(page + cut, 1, len - cut, f);
    }
    free(page);
    return rc;
}

static const char *status_text(int st)
{
    return stc_domain_status_text((stc_domain_status)st);
}

static void utc(char *out, size_t n, long long t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, n, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(out, n, "%lld", t);
}

void page_history(FILE *f, const char *domain, const struct store_serve_row *rows, size_t n)
{
    struct rout o = {f, 0};
    char when[64];
    head(&o, "History of ", domain);
    ro_puts(&o, "<h1>History of ");
    ro_html(&o, domain);
    ro_puts(&o, "</h1>\n");
    if (n == 0)
        ro_puts(&o, "<p>No finished check yet.</p>\n");
    else
        ro_puts(&o, "<table><thead><tr><th>Finished</th><th>Status</th><th>Report</th></tr>"
                    "</thead><tbody>\n");
    for (size_t i = 0; i < n; i++) {
        utc(when, sizeof when, rows[i].finished);
        ro_puts(&o, "<tr><td>");
        ro_html(&o, when);
        ro_printf(&o, "</td><td class=\"s%d\">", rows[i].status < 4 ? rows[i].status : 2);
        ro_html(&o, status_text(rows[i].status));
        ro_puts(&o, "</td><td><a href=\"/check/");
        ro_html(&o, rows[i].id);
        ro_puts(&o, "\">report</a></td></tr>\n");
    }
    if (n > 0)
        ro_puts(&o, "</tbody></table>\n");
    ro_puts(&o, "<p><a href=\"/api/v1/domains/");
    ro_html(&o, domain);
    ro_puts(&o, "/history\">JSON</a></p>\n");
    tail(&o);
}

void json_error(FILE *f, int http_status, const char *code, const char *msg)
{
    struct rout o = {f, 0};
    ro_printf(&o, "{\"error\":{\"status\":%d,\"code\":", http_status);
    ro_jstr(&o, code);
    ro_puts(&o, ",\"message\":");
    ro_jstr(&o, msg);
    ro_puts(&o, "}}\n");
}

void json_job(FILE *f, const struct job *j, int cached)
{
    struct rout o = {f, 0};
    ro_puts(&o, "{\"id\":");
    ro_jstr(&o, j->id);
    ro_puts(&o, ",\"domain\":");
    ro_jstr(&o, j->domain);
    ro_printf(&o, ",\"state\":\"%s\",\"cached\":%s,\"created\":%lld", state_name(j->state),
              cached ? "true" : "false", (long long)j->created);
    if (j->state == JOB_DONE)
        ro_printf(&o, ",\"finished\":%lld,\"status\":%d,\"status_text\":\"%s\"",
                  (long long)j->finished, j->status, status_text(j->status));
    ro_printf(&o, ",\"progress\":{\"hosts_total\":%zu,\"domain_checks\":%s,\"hosts\":[",
              j->hosts_total, j->domain_checks ? "true" : "false");
    for (size_t i = 0; i < j->nhosts; i++) {
        ro_puts(&o, i ? ",{\"name\":" : "{\"name\":");
        ro_jstr(&o, j->host[i].name);
        ro_printf(&o, ",\"state\":\"%s\"", host_state_name(j->host[i].state));
        if (j->host[i].state == HOST_DONE)
            ro_printf(&o, ",\"status\":%d", j->host[i].status);
        ro_puts(&o, "}");
    }
    ro_puts(&o, "]},\"links\":{\"self\":\"/api/v1/checks/");
    ro_puts(&o, j->id); /* hex */
    ro_puts(&o, "\",\"page\":\"/check/");
    ro_puts(&o, j->id);
    ro_puts(&o, "\"}");
    if (j->state == JOB_DONE && j->json != NULL) {
        ro_puts(&o, ",\"result\":");
        ro_puts(&o, j->json); /* the checker's own JSON document */
    }
    ro_puts(&o, "}\n");
}

void json_row(FILE *f, const struct store_serve_row *r)
{
    struct job j;
    memset(&j, 0, sizeof j);
    snprintf(j.id, sizeof j.id, "%.32s", r->id);
    snprintf(j.domain, sizeof j.domain, "%.254s", r->domain);
    j.state = JOB_DONE;
    j.created = (time_t)r->created;
    j.finished = (time_t)r->finished;
    j.status = r->status;
    j.json = r->json;
    json_job(f, &j, 0);
}

void json_history(FILE *f, const char *domain, const struct store_serve_row *rows, size_t n)
{
    struct rout o = {f, 0};
    ro_puts(&o, "{\"domain\":");
    ro_jstr(&o, domain);
    ro_puts(&o, ",\"checks\":[");
    for (size_t i = 0; i < n; i++) {
        ro_puts(&o, i ? ",{\"id\":" : "{\"id\":");
        ro_jstr(&o, rows[i].id);
        ro_printf(&o, ",\"created\":%lld,\"finished\":%lld,\"status\":%d,\"status_text\":\"%s\"}",
                  rows[i].created, rows[i].finished, rows[i].status, status_text(rows[i].status));
    }
    ro_puts(&o, "]}\n");
}
