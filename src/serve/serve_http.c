/*
 * NAME
 *     serve_http - the HTTP side of serve on libmicrohttpd: routes, limits, headers
 * SYNOPSIS
 *     serve_http_start(s, err);  serve_http_quiesce(s);  serve_http_stop(s);
 * DESCRIPTION
 *     Routes (docs/serve.md, docs/openapi.yaml):
 *       GET  /                         the form
 *       POST /check                    the form without script: 303 to /check/ID
 *       GET  /check/ID                 progress while running, then the report
 *       GET  /domain/DOMAIN            history page
 *       GET  /static/app.js, /static/style.css, /favicon.ico (204)
 *       POST /api/v1/checks            {"domain": "..."}: 202 (new) or 200 (the
 *                                      running or recent check of that domain)
 *       GET  /api/v1/checks/ID         the check: progress, then the --json document
 *       GET  /api/v1/domains/D/latest  the latest finished check of D
 *       GET  /api/v1/domains/D/history its finished checks, newest first
 *     Errors are JSON under /api/ ({"error": {...}}) and pages elsewhere:
 *     400 invalid domain or body, 404 unknown id or path, 405 other
 *     methods (with Allow), 413 a body over BODY_MAX, 429 the client's
 *     rate limit (Retry-After), 503 queue full or shutting down
 *     (Retry-After). libmicrohttpd itself answers 431/413 when the request
 *     line and headers exceed the connection memory limit.
 *
 *     Every answer has the security headers: Content-Security-Policy
 *     (serve_csp, no inline script, frame-ancestors 'none'),
 *     X-Content-Type-Options nosniff, X-Frame-Options DENY,
 *     Referrer-Policy no-referrer; errors and running checks
 *     Cache-Control no-store.
 *
 *     Input: a domain goes through stc_domain_normalize (IDNA, length,
 *     label rules) and nothing else reaches the checker; ids must be 32
 *     lower-case hex digits; the JSON body is parsed strictly (one object,
 *     one "domain" string without escapes).
 * LIMITS
 *     BODY_MAX bytes of body, MEM_LIMIT bytes of request line and headers
 *     per connection, opts.max_conns connections, IO_TIMEOUT_S idle
 *     seconds, 64 connections per client address, HISTORY_MAX rows.
 * DIAGNOSTICS
 *     serve_http_start: STC_E_INVAL for a bad listen address, STC_E_IO when
 *     it cannot be bound.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "../util/err.h"
#include "../util/text.h"
#include "serve_int.h"
#include "serve_page.h"

#define BODY_MAX 4096
#define DISCARD_MAX (256 * 1024) /* undeclared body bytes read before closing */
#define MEM_LIMIT (16 * 1024)
#define IO_TIMEOUT_S 15
#define PER_IP_CONNS 64
#define HISTORY_MAX 100
#define THREADS 4

#ifndef MHD_HTTP_CONTENT_TOO_LARGE
#define MHD_HTTP_CONTENT_TOO_LARGE MHD_HTTP_PAYLOAD_TOO_LARGE
#endif

struct req {
    char body[BODY_MAX + 1];
    size_t len;
    int too_large;
};

struct reply {
    int status;
    const char *type;
    char *data;
    size_t len;
    FILE *f;
    int no_store;
    const char *allow;
    char location[128];
    unsigned retry_after;
};

static void reply_open(struct reply *r, int status, const char *type)
{
    memset(r, 0, sizeof *r);
    r->status = status;
    r->type = type;
    r->f = open_memstream(&r->data, &r->len);
}

static enum MHD_Result reply_send(struct MHD_Connection *c, struct reply *r)
{
    if (r->f != NULL)
        fclose(r->f);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->data ? r->len : 0, r->data ? r->data : (void *)"",
                                        MHD_RESPMEM_MUST_COPY);
    free(r->data);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", r->type);
    MHD_add_response_header(resp, "Content-Security-Policy", serve_csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cache-Control", r->no_store ? "no-store" : "no-cache");
    if (r->allow != NULL)
        MHD_add_response_header(resp, "Allow", r->allow);
    if (r->location[0])
        MHD_add_response_header(resp, "Location", r->location);
    if (r->retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%u", r->retry_after);
        MHD_add_response_header(resp, "Retry-After", ra);
    }
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static const char JSON_T[] = "application/json";
static const char HTML_T[] = "text/html; charset=utf-8";

static enum MHD_Result fail(struct MHD_Connection *c, int api, int status, const char *code,
                            const char *msg, const char *allow, unsigned retry)
{
    struct reply r;
    reply_open(&r, status, api ? JSON_T : HTML_T);
    if (r.f == NULL)
        return MHD_NO;
    if (api)
        json_error(r.f, status, code, msg);
    else
        page_error(r.f, status, msg);
    r.no_store = 1;
    r.allow = allow;
    r.retry_after = retry;
    return reply_send(c, &r);
}

static int is_id(const char *s)
{
    size_t n = strnlen(s, SERVE_ID_LEN + 1);
    if (n != SERVE_ID_LEN)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* Strict: {"domain": "..."} with optional white space; no escapes, no other keys. */
static int parse_body_json(const char *b, size_t n, char *out, size_t outsz)
{
    size_t i = 0, k = 0;
#define WS()                                                                                       \
    while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'))                \
    i++
    WS();
    if (i >= n || b[i++] != '{')
        return 0;
    WS();
    if (n - i < 8 || memcmp(b + i, "\"domain\"", 8) != 0)
        return 0;
    i += 8;
    WS();
    if (i >= n || b[i++] != ':')
        return 0;
    WS();
    if (i >= n || b[i++] != '"')
        return 0;
    while (i < n && b[i] != '"') {
        if (b[i] == '\\' || (unsigned char)b[i] < 0x20 || k + 1 >= outsz)
            return 0;
        out[k++] = b[i++];
    }
    if (i >= n || b[i++] != '"')
        return 0;
    out[k] = '\0';
    WS();
    if (i >= n || b[i++] != '}')
        return 0;
    WS();
    return i == n;
#undef WS
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* domain=... (application/x-www-form-urlencoded); other fields are ignored. */
static int parse_body_form(const char *b, size_t n, char *out, size_t outsz)
{
    size_t i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && b[end] != '&')
            end++;
        if (end - i >= 7 && memcmp(b + i, "domain=", 7) == 0) {
            size_t k = 0;
            for (size_t p = i + 7; p < end; p++) {
                int ch = (unsigned char)b[p];
                if (ch == '+') {
                    ch = ' ';
                } else if (ch == '%') {
                    if (p + 2 >= end || hexval(b[p + 1]) < 0 || hexval(b[p + 2]) < 0)
                        return 0;
                    ch = hexval(b[p + 1]) * 16 + hexval(b[p + 2]);
                    p += 2;
                }
                if (ch == 0 || k + 1 >= outsz)
                    return 0;
                out[k++] = (char)ch;
            }
            out[k] = '\0';
            return 1;
        }
        i = end + 1;
    }
    return 0;
}

/* Trim ASCII white space in place (a pasted name often carries some). */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static enum MHD_Result start_check(struct stc_serve *s, struct MHD_Connection *c, int api,
                                   struct req *q)
{
    char raw[BODY_MAX + 1], domain[STC_DOMAIN_MAX + 3], id[SERVE_ID_LEN + 1];
    struct stc_err e = {STC_OK, ""};
    int ok = api ? parse_body_json(q->body, q->len, raw, sizeof raw)
                 : parse_body_form(q->body, q->len, raw, sizeof raw);
    if (!ok)
        return fail(c, api, MHD_HTTP_BAD_REQUEST, "invalid_body",
                    api ? "the body must be {\"domain\": \"example.com\"}"
                        : "the form must have a domain field",
                    NULL, 0);
    if (stc_domain_normalize(trim(raw), domain, sizeof domain, &e) != STC_OK)
        return fail(c, api, MHD_HTTP_BAD_REQUEST, "invalid_domain", e.msg, NULL, 0);
    if (!serve_jobs_has_recent(s, domain)) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        unsigned wait = serve_rate_take(&s->rate, ci ? (const void *)ci->client_addr : NULL);
        if (wait > 0) {
            char m[128];
            snprintf(m, sizeof m, "too many checks from your address; try again in %u s", wait);
            return fail(c, api, MHD_HTTP_TOO_MANY_REQUESTS, "rate_limited", m, NULL, wait);
        }
    }
    int fresh = 0;
    stc_rc rc = serve_jobs_submit(s, domain, id, &fresh, &e);
    if (rc == STC_E_LIMIT || rc == STC_E_INTERRUPTED)
        return fail(c, api, MHD_HTTP_SERVICE_UNAVAILABLE, "overloaded", e.msg, NULL, 30);
    if (rc != STC_OK)
        return fail(c, api, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", e.msg, NULL, 0);
    struct reply r;
    if (!api) {
        reply_open(&r, MHD_HTTP_SEE_OTHER, HTML_T);
        snprintf(r.location, sizeof r.location, "/check/%s", id);
        return reply_send(c, &r);
    }
    struct job j;
    if (serve_jobs_get(s, id, &j, &e) != STC_OK)
        return fail(c, api, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", e.msg, NULL, 0);
    reply_open(&r, fresh ? MHD_HTTP_ACCEPTED : MHD_HTTP_OK, JSON_T);
    if (r.f != NULL)
        json_job(r.f, &j, !fresh);
    free(j.json);
    snprintf(r.location, sizeof r.location, "/api/v1/checks/%s", id);
    r.no_store = 1;
    return reply_send(c, &r);
}

/* A check by id: in memory (running or recent), else in the database. */
static enum MHD_Result get_check(struct stc_serve *s, struct MHD_Connection *c, int api,
                                 const char *id)
{
    struct stc_err e = {STC_OK, ""};
    struct job j;
    struct store_serve_row row;
    struct reply r;
    if (!is_id(id))
        return fail(c, api, MHD_HTTP_NOT_FOUND, "unknown_check", "no such check", NULL, 0);
    if (serve_jobs_get(s, id, &j, &e) == STC_OK && j.state != JOB_DONE) {
        reply_open(&r, MHD_HTTP_OK, api ? JSON_T : HTML_T);
        if (r.f != NULL)
            api ? json_job(r.f, &j, 0) : page_running(r.f, &j);
        r.no_store = 1;
        free(j.json);
        return reply_send(c, &r);
    }
    if (e.code == STC_OK) { /* done and still in memory */
        memset(&row, 0, sizeof row);
        snprintf(row.id, sizeof row.id, "%s", j.id);
        snprintf(row.domain, sizeof row.domain, "%s", j.domain);
        row.created = j.created;
        row.finished = j.finished;
        row.status = j.status;
        row.json = j.json;
    } else {
        stc_err_clear(&e);
        stc_rc rc = store_serve_get(s->db, id, &row, &e);
        if (rc == STC_E_NOTFOUND)
            return fail(c, api, MHD_HTTP_NOT_FOUND, "unknown_check", "no such check", NULL, 0);
        if (rc != STC_OK)
            return fail(c, api, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", e.msg, NULL, 0);
    }
    reply_open(&r, MHD_HTTP_OK, api ? JSON_T : HTML_T);
    stc_rc rc = STC_OK;
    if (r.f != NULL && api)
        json_row(r.f, &row);
    else if (r.f != NULL && row.json != NULL)
        rc = page_report(r.f, row.id, row.domain, row.json, &e);
    free(row.json);
    if (rc != STC_OK) {
        fclose(r.f);
        free(r.data);
        return fail(c, api, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", e.msg, NULL, 0);
    }
    return reply_send(c, &r);
}

static enum MHD_Result domain_route(struct stc_serve *s, struct MHD_Connection *c, int api,
                                    const char *rest)
{
    char name[STC_DOMAIN_MAX + 3], domain[STC_DOMAIN_MAX + 3];
    struct stc_err e = {STC_OK, ""};
    const char *slash = strchr(rest, '/');
    const char *what = slash ? slash + 1 : (api ? "" : "history");
    size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
    if (n == 0 || n >= sizeof name)
        return fail(c, api, MHD_HTTP_BAD_REQUEST, "invalid_domain", "invalid domain name", NULL,
                    0);
    memcpy(name, rest, n);
    name[n] = '\0';
    if (stc_domain_normalize(name, domain, sizeof domain, &e) != STC_OK)
        return fail(c, api, MHD_HTTP_BAD_REQUEST, "invalid_domain", e.msg, NULL, 0);
    struct reply r;
    if (strcmp(what, "latest") == 0 && api) {
        struct store_serve_row row;
        stc_rc rc = store_serve_latest(s->db, domain, &row, &e);
        if (rc == STC_E_NOTFOUND)
            return fail(c, api, MHD_HTTP_NOT_FOUND, "unknown_domain",
                        "no finished check of this domain", NULL, 0);
        if (rc != STC_OK)
            return fail(c, api, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", e.msg, NULL, 0);
        reply_open(&r, MHD_HTTP_OK, JSON_T);
        if (r.f != NULL)
            json_row(r.f, &row);
        free(row.json);
        return reply_send(c, &r);
    }
    if (strcmp(what, "history") != 0)
        return fail(c, api, MHD_HTTP_NOT_FOUND, "not_found", "no such page", NULL, 0);
    struct store_serve_row *rows = calloc(HISTORY_MAX, sizeof *rows);
    size_t nrows = 0;
    if (rows == NULL || store_serve_history(s->db, domain, rows, HISTORY_MAX, &nrows, &e) != STC_OK) {
        free(rows);
        return fail(c, api, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                    e.msg[0] ? e.msg : "out of memory", NULL, 0);
    }
    reply_open(&r, MHD_HTTP_OK, api ? JSON_T : HTML_T);
    if (r.f != NULL)
        api ? json_history(r.f, domain, rows, nrows) : page_history(r.f, domain, rows, nrows);
    free(rows);
    return reply_send(c, &r);
}

static enum MHD_Result asset(struct MHD_Connection *c, const char *type, const char *text)
{
    struct reply r;
    reply_open(&r, MHD_HTTP_OK, type);
    if (r.f != NULL)
        fputs(text, r.f);
    return reply_send(c, &r);
}

static enum MHD_Result route(struct stc_serve *s, struct MHD_Connection *c, const char *url,
                             int get, int post, struct req *q)
{
    int api = strncmp(url, "/api/", 5) == 0;
    if (q->too_large)
        return fail(c, api, MHD_HTTP_CONTENT_TOO_LARGE, "body_too_large",
                    "the request body is larger than 4096 bytes", NULL, 0);
#define ONLY(cond, allow)                                                                          \
    if (!(cond))                                                                                   \
    return fail(c, api, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",                         \
                "method not allowed here", allow, 0)
    if (strcmp(url, "/") == 0) {
        ONLY(get, "GET, HEAD");
        struct reply r;
        reply_open(&r, MHD_HTTP_OK, HTML_T);
        if (r.f != NULL)
            page_index(r.f, NULL);
        return reply_send(c, &r);
    }
    if (strcmp(url, "/static/app.js") == 0) {
        ONLY(get, "GET, HEAD");
        return asset(c, "text/javascript; charset=utf-8", serve_js);
    }
    if (strcmp(url, "/favicon.ico") == 0) { /* browsers ask for it: nothing, not a 404 */
        ONLY(get, "GET, HEAD");
        struct reply r;
        reply_open(&r, MHD_HTTP_NO_CONTENT, "image/x-icon");
        return reply_send(c, &r);
    }
    if (strcmp(url, "/static/style.css") == 0) {
        ONLY(get, "GET, HEAD");
        return asset(c, "text/css; charset=utf-8", serve_css);
    }
    if (strcmp(url, "/check") == 0) {
        ONLY(post, "POST");
        return start_check(s, c, 0, q);
    }
    if (strcmp(url, "/api/v1/checks") == 0) {
        ONLY(post, "POST");
        return start_check(s, c, 1, q);
    }
    if (strncmp(url, "/check/", 7) == 0) {
        ONLY(get, "GET, HEAD");
        return get_check(s, c, 0, url + 7);
    }
    if (strncmp(url, "/api/v1/checks/", 15) == 0) {
        ONLY(get, "GET, HEAD");
        return get_check(s, c, 1, url + 15);
    }
    if (strncmp(url, "/domain/", 8) == 0) {
        ONLY(get, "GET, HEAD");
        return domain_route(s, c, 0, url + 8);
    }
    if (strncmp(url, "/api/v1/domains/", 16) == 0) {
        ONLY(get, "GET, HEAD");
        return domain_route(s, c, 1, url + 16);
    }
#undef ONLY
    return fail(c, api, MHD_HTTP_NOT_FOUND, "not_found", "no such page", NULL, 0);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    struct stc_serve *s = cls;
    (void)version;
    struct req *q = *con_cls;
    if (q == NULL) {
        q = calloc(1, sizeof *q);
        if (q == NULL)
            return MHD_NO;
        *con_cls = q;
        /* A declared body over the limit is refused before it is read. */
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl != NULL && (strlen(cl) > 9 || strtoul(cl, NULL, 10) > BODY_MAX))
            q->too_large = 1;
        if (!q->too_large)
            return MHD_YES;
        return route(s, c, url, 0, 0, q); /* 413 before the body is read */
    }
    if (*upload_data_size > 0) {
        /* A body over the limit without a declared length: read and drop it
         * (up to DISCARD_MAX, then close), answer 413 at its end. */
        if (q->len + *upload_data_size > BODY_MAX)
            q->too_large = 1;
        else
            memcpy(q->body + q->len, upload_data, *upload_data_size);
        q->len += *upload_data_size;
        *upload_data_size = 0;
        return q->len > DISCARD_MAX ? MHD_NO : MHD_YES;
    }
    int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    int post = strcmp(method, "POST") == 0;
    return route(s, c, url, get, post, q);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

/* "ADDR:PORT" or "[ADDR6]:PORT" into ss. */
static stc_rc parse_listen(const char *l, struct sockaddr_storage *ss, socklen_t *len,
                           struct stc_err *err)
{
    char host[64];
    const char *colon = strrchr(l, ':');
    memset(ss, 0, sizeof *ss);
    if (colon == NULL || colon == l || (size_t)(colon - l) >= sizeof host)
        return err_set(err, STC_E_INVAL, "--listen wants ADDR:PORT");
    size_t n = (size_t)(colon - l);
    if (l[0] == '[') {
        if (n < 3 || l[n - 1] != ']')
            return err_set(err, STC_E_INVAL, "--listen wants [ADDR6]:PORT for IPv6");
        memcpy(host, l + 1, n - 2);
        host[n - 2] = '\0';
    } else {
        memcpy(host, l, n);
        host[n] = '\0';
    }
    char *end = NULL;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || port > 65535)
        return err_set(err, STC_E_INVAL, "--listen: bad port");
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        *len = sizeof *in4;
    } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *len = sizeof *in6;
    } else {
        return err_set(err, STC_E_INVAL, "--listen: not a numeric address");
    }
    return STC_OK;
}

stc_rc serve_http_start(struct stc_serve *s, struct stc_err *err)
{
    struct sockaddr_storage ss = {0};
    socklen_t sl = 0;
    stc_rc rc = parse_listen(s->listen, &ss, &sl, err);
    if (rc != STC_OK)
        return rc;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)THREADS, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)s->opts.max_conns, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_IP_CONNS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IO_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)MEM_LIMIT, MHD_OPTION_NOTIFY_COMPLETED, on_done, s, MHD_OPTION_LISTENING_ADDRESS_REUSE,
        (unsigned)1, MHD_OPTION_END);
    if (d == NULL)
        return err_set(err, STC_E_IO, "cannot listen on %.200s", s->listen);
    s->httpd = d;
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
    union {
        struct sockaddr sa;
        struct sockaddr_in in4;
        struct sockaddr_in6 in6;
        struct sockaddr_storage ss;
    } got;
    memset(&got, 0, sizeof got);
    socklen_t gl = sizeof got;
    if (di != NULL && getsockname(di->listen_fd, &got.sa, &gl) == 0)
        s->port = ntohs(got.sa.sa_family == AF_INET6 ? got.in6.sin6_port : got.in4.sin_port);
    return STC_OK;
}

void serve_http_quiesce(struct stc_serve *s)
{
    if (s->httpd == NULL)
        return;
    MHD_socket fd = MHD_quiesce_daemon(s->httpd);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
}

void serve_http_stop(struct stc_serve *s)
{
    if (s->httpd != NULL)
        MHD_stop_daemon(s->httpd);
    s->httpd = NULL;
}
