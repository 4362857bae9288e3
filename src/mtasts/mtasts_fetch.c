/*
 * NAME
 *     mtasts_fetch - fetch https://mta-sts.DOMAIN/.well-known/mta-sts.txt with libcurl
 * SYNOPSIS
 *     stc_rc mtasts_global_init(struct stc_err *err);
 *     struct mtasts_fetch_req req = {domain, addrs, naddrs, 443, ca_file, ca_path, deadline};
 *     struct mtasts_fetch_res res;
 *     rc = mtasts_fetch(&req, &res, err);   ... res.body ...
 *     mtasts_fetch_res_free(&res);
 * DESCRIPTION
 *     RFC 8461 3.3: HTTPS GET of the fixed path on host "mta-sts." + the
 *     policy domain; the certificate must be PKIX-valid for that host
 *     (peer and host verification on, trust store from the configuration);
 *     only 200 counts; redirects are not followed (3xx is a failure that
 *     names the target); the body is capped at 64 KiB. The caller resolves
 *     the host through our own resolver; curl gets those addresses through
 *     CURLOPT_RESOLVE and, as a second fence, an open-socket callback that
 *     refuses any other address or port, so curl never resolves names or
 *     connects anywhere else. With req->public_only every address must
 *     pass the address filter (util/addr_filter.h) before curl starts, and
 *     the open-socket callback checks again. No proxy (CURLOPT_NOPROXY "*"), no cookies,
 *     https only, no signals; CURLOPT_TIMEOUT_MS is the deadline's time
 *     left. One easy handle per call: thread-safe once mtasts_global_init
 *     ran (curl_global_init under pthread_once; curl 7.84+ also reports
 *     CURL_VERSION_THREADSAFE, but the once-guard does not rely on it).
 *     The only static state is that once-guard and its result, written once.
 *     res->content_type and res->location are the server's bytes (NUL-free):
 *     escape before output. Text copied into err has control bytes
 *     replaced by '?'.
 * LIMITS
 *     STC_MTASTS_POLICY_MAX body bytes (CURLOPT_MAXFILESIZE_LARGE for a
 *     declared length, the write callback for the rest); STC_ADDR_MAX
 *     addresses.
 * DIAGNOSTICS
 *     See mtasts.h: STC_E_BLOCKED an address the filter refuses (nothing
 *     sent), STC_E_TLS certificate not valid, STC_E_PEER connection,
 *     handshake, HTTP status or redirect, STC_E_LIMIT body too large,
 *     STC_E_TIMEOUT, STC_E_INVAL bad request, STC_E_IO unreadable trust
 *     store, STC_E_NOMEM, STC_E_INTERNAL curl set-up.
 */
#include "mtasts.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "../util/addr_filter.h"
#include "../util/text.h"

#define POLICY_PATH "/.well-known/mta-sts.txt"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CURLcode init_result = CURLE_FAILED_INIT; /* written once, under init_once */

static void global_init(void)
{
    init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

stc_rc mtasts_global_init(struct stc_err *err)
{
    if (pthread_once(&init_once, global_init) != 0)
        return err_set(err, STC_E_INTERNAL, "pthread_once failed");
    if (init_result != CURLE_OK)
        return err_set(err, STC_E_INTERNAL, "curl_global_init: %s",
                       curl_easy_strerror(init_result));
    const curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);
    if (vi == NULL || !(vi->features & CURL_VERSION_SSL))
        return err_set(err, STC_E_INTERNAL, "libcurl was built without TLS support");
    return STC_OK;
}

struct allowed {
    int family;
    union {
        struct in_addr v4;
        struct in6_addr v6;
    } a;
};

struct ctx {
    struct buf *body;
    int too_large;
    int nomem;
    int blocked;
    int public_only;
    int port;
    size_t nallowed;
    struct allowed allowed[STC_ADDR_MAX];
};

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
    struct ctx *c = ud;
    struct stc_err e = {STC_OK, ""};
    size_t n = size * nmemb;
    if (buf_append(c->body, p, n, &e) != STC_OK) {
        if (e.code == STC_E_LIMIT)
            c->too_large = 1;
        else
            c->nomem = 1;
        return 0; /* CURLE_WRITE_ERROR */
    }
    return n;
}

static int is_allowed(const struct ctx *c, const struct curl_sockaddr *sa)
{
    struct sockaddr_storage ss;
    size_t len = sa->addrlen < sizeof ss ? sa->addrlen : sizeof ss;
    memset(&ss, 0, sizeof ss);
    memcpy(&ss, &sa->addr, len);
    for (size_t i = 0; i < c->nallowed; i++) {
        const struct allowed *a = &c->allowed[i];
        if (sa->family == AF_INET && a->family == AF_INET && len >= sizeof(struct sockaddr_in)) {
            const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
            if (ntohs(in->sin_port) == c->port &&
                memcmp(&in->sin_addr, &a->a.v4, sizeof a->a.v4) == 0)
                return 1;
        } else if (sa->family == AF_INET6 && a->family == AF_INET6 &&
                   len >= sizeof(struct sockaddr_in6)) {
            const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
            if (ntohs(in6->sin6_port) == c->port &&
                memcmp(&in6->sin6_addr, &a->a.v6, sizeof a->a.v6) == 0)
                return 1;
        }
    }
    return 0;
}

/* With public_only, the address filter again, on the address curl is about to use. */
static int is_public(const struct ctx *c, const struct curl_sockaddr *sa)
{
    struct sockaddr_storage ss;
    size_t len = sa->addrlen < sizeof ss ? sa->addrlen : sizeof ss;
    if (!c->public_only)
        return 1;
    memset(&ss, 0, sizeof ss);
    memcpy(&ss, &sa->addr, len);
    if (sa->family == AF_INET && len >= sizeof(struct sockaddr_in))
        return addr_blocked_raw(AF_INET, &((const struct sockaddr_in *)&ss)->sin_addr) == NULL;
    if (sa->family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
        return addr_blocked_raw(AF_INET6, &((const struct sockaddr_in6 *)&ss)->sin6_addr) == NULL;
    return 0;
}

/* Second fence: only the addresses our resolver returned, only our port;
 * third: with public_only, only public ones. */
static curl_socket_t on_open(void *ud, curlsocktype purpose, struct curl_sockaddr *sa)
{
    struct ctx *c = ud;
    if (purpose != CURLSOCKTYPE_IPCXN || !is_allowed(c, sa) || !is_public(c, sa)) {
        c->blocked = 1;
        return CURL_SOCKET_BAD;
    }
    return socket(sa->family, sa->socktype | SOCK_CLOEXEC, sa->protocol);
}

/* Replace control bytes and non-ASCII with '?' (for text copied into err). */
static void censor(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            *s = '?';
}

static void copy_censored(char *dst, size_t dsz, const char *src)
{
    snprintf(dst, dsz, "%s", src ? src : "");
    censor(dst);
}

static int host_ok(const char *d)
{
    size_t n = strnlen(d, STC_DOMAIN_MAX + 1);
    if (n == 0 || n > STC_DOMAIN_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = d[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

/* Parse the addresses into ctx and build "mta-sts.D:PORT:A,[B]" for CURLOPT_RESOLVE. */
static stc_rc prepare_addrs(const struct mtasts_fetch_req *req, struct ctx *c, struct buf *resolve,
                            struct stc_err *err)
{
    stc_rc rc = STC_OK;
    char head[STC_DOMAIN_MAX + 32];
    snprintf(head, sizeof head, "mta-sts.%s:%d:", req->domain, req->port);
    STC_GUARD(buf_append_str(resolve, head, err));
    for (size_t i = 0; i < req->naddrs && i < STC_ADDR_MAX; i++) {
        const char *a = req->addrs[i];
        struct allowed *al = &c->allowed[c->nallowed];
        if (inet_pton(AF_INET, a, &al->a.v4) == 1) {
            al->family = AF_INET;
            if (c->nallowed > 0)
                STC_GUARD(buf_append_str(resolve, ",", err));
            STC_GUARD(buf_append_str(resolve, a, err));
        } else if (inet_pton(AF_INET6, a, &al->a.v6) == 1) {
            al->family = AF_INET6;
            STC_GUARD(buf_append_str(resolve, c->nallowed > 0 ? ",[" : "[", err));
            STC_GUARD(buf_append_str(resolve, a, err));
            STC_GUARD(buf_append_str(resolve, "]", err));
        } else {
            STC_ENSURE(0, err, STC_E_INVAL, "not a numeric address: %.60s", a);
        }
        c->nallowed++;
    }
    STC_GUARD(buf_terminate(resolve, err));
out:
    return rc;
}

#define SETOPT(h, opt, val)                                                                        \
    do {                                                                                           \
        CURLcode cc_ = curl_easy_setopt((h), (opt), (val));                                        \
        STC_ENSURE(cc_ == CURLE_OK, err, STC_E_INTERNAL, "curl_easy_setopt(%s): %s", #opt,         \
                   curl_easy_strerror(cc_));                                                       \
    } while (0)

static stc_rc set_options(CURL *h, const struct mtasts_fetch_req *req, struct mtasts_fetch_res *res,
                          struct ctx *c, struct curl_slist *resolve, char *errbuf, long timeout_ms,
                          struct stc_err *err)
{
    stc_rc rc = STC_OK;
    SETOPT(h, CURLOPT_URL, res->url);
    SETOPT(h, CURLOPT_PORT, (long)req->port);
    SETOPT(h, CURLOPT_RESOLVE, resolve);
    SETOPT(h, CURLOPT_OPENSOCKETFUNCTION, on_open);
    SETOPT(h, CURLOPT_OPENSOCKETDATA, c);
    SETOPT(h, CURLOPT_PROTOCOLS_STR, "https");
    SETOPT(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    SETOPT(h, CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(h, CURLOPT_MAXREDIRS, 0L);
    SETOPT(h, CURLOPT_PROXY, "");
    SETOPT(h, CURLOPT_NOPROXY, "*");
    SETOPT(h, CURLOPT_NOSIGNAL, 1L);
    SETOPT(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    SETOPT(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    SETOPT(h, CURLOPT_SSL_VERIFYPEER, 1L);
    SETOPT(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (req->ca_file != NULL || req->ca_path != NULL) {
        /* A configured trust store replaces the system one entirely. */
        SETOPT(h, CURLOPT_CAINFO, req->ca_file);
        SETOPT(h, CURLOPT_CAPATH, req->ca_path);
    }
    SETOPT(h, CURLOPT_ERRORBUFFER, errbuf);
    SETOPT(h, CURLOPT_WRITEFUNCTION, on_write);
    SETOPT(h, CURLOPT_WRITEDATA, c);
    SETOPT(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)STC_MTASTS_POLICY_MAX);
    SETOPT(h, CURLOPT_HTTPGET, 1L);
    SETOPT(h, CURLOPT_USERAGENT, "starttls-check/" STC_VERSION);
out:
    return rc;
}

static void collect_info(CURL *h, struct mtasts_fetch_res *res)
{
    char *s = NULL;
    long code = 0;
    if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK)
        res->http_status = code;
    if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK && s != NULL)
        snprintf(res->content_type, sizeof res->content_type, "%s", s);
    s = NULL;
    if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &s) == CURLE_OK && s != NULL)
        snprintf(res->location, sizeof res->location, "%s", s);
}

static stc_rc map_result(CURLcode cc, const struct ctx *c, const struct mtasts_fetch_res *res,
                         const char *host, const char *errbuf_raw, long timeout_ms,
                         struct stc_err *err)
{
    char eb[CURL_ERROR_SIZE];
    copy_censored(eb, sizeof eb, errbuf_raw[0] ? errbuf_raw : curl_easy_strerror(cc));
    switch (cc) {
    case CURLE_OK: break;
    case CURLE_FILESIZE_EXCEEDED: return err_set(err, STC_E_LIMIT, "policy larger than 64 KiB");
    case CURLE_WRITE_ERROR:
        if (c->nomem)
            return err_set(err, STC_E_NOMEM, "out of memory");
        return err_set(err, STC_E_LIMIT, "policy larger than 64 KiB");
    case CURLE_OPERATION_TIMEDOUT:
        return err_set(err, STC_E_TIMEOUT, "policy fetch from %s timed out after %ld ms", host,
                       timeout_ms);
    case CURLE_PEER_FAILED_VERIFICATION:
        return err_set(err, STC_E_TLS, "certificate of %s not valid: %s", host, eb);
    case CURLE_SSL_CACERT_BADFILE:
        return err_set(err, STC_E_IO, "cannot load the trust store: %s", eb);
    case CURLE_SSL_CONNECT_ERROR:
        return err_set(err, STC_E_PEER, "TLS handshake with %s failed: %s", host, eb);
    case CURLE_COULDNT_CONNECT:
        if (c->blocked)
            return err_set(err, STC_E_INTERNAL, "curl tried an address we did not resolve");
        return err_set(err, STC_E_PEER, "cannot connect to %s: %s", host, eb);
    default: return err_set(err, STC_E_PEER, "policy fetch from %s failed: %s", host, eb);
    }
    if (res->http_status == 200)
        return STC_OK;
    if (res->http_status >= 300 && res->http_status < 400) {
        char loc[sizeof res->location];
        copy_censored(loc, sizeof loc, res->location[0] ? res->location : "no Location");
        return err_set(err, STC_E_PEER,
                       "policy host redirects (HTTP %ld to %s); RFC 8461 forbids following"
                       " redirects",
                       res->http_status, loc);
    }
    return err_set(err, STC_E_PEER, "policy fetch returned HTTP %ld (only 200 is accepted)",
                   res->http_status);
}

stc_rc mtasts_fetch(const struct mtasts_fetch_req *req, struct mtasts_fetch_res *res,
                    struct stc_err *err)
{
    stc_rc rc = STC_OK;
    CURL *h = NULL;
    struct curl_slist *resolve = NULL;
    struct buf rs;
    struct ctx c;
    char errbuf[CURL_ERROR_SIZE];
    char host[STC_DOMAIN_MAX + 16];

    memset(res, 0, sizeof *res);
    buf_init(&res->body, STC_MTASTS_POLICY_MAX);
    buf_init(&rs, 4096);
    memset(&c, 0, sizeof c);
    errbuf[0] = '\0';
    STC_ENSURE(req != NULL && req->domain != NULL && host_ok(req->domain), err, STC_E_INVAL,
               "policy domain missing or not a host name");
    STC_ENSURE(req->naddrs > 0 && req->addrs != NULL, err, STC_E_INVAL, "no address for mta-sts.%s",
               req->domain);
    STC_ENSURE(req->port > 0 && req->port <= 65535, err, STC_E_INVAL, "bad port %d", req->port);
    STC_GUARD(mtasts_global_init(err));
    snprintf(host, sizeof host, "mta-sts.%s", req->domain);
    if (req->port == 443)
        snprintf(res->url, sizeof res->url, "https://%s" POLICY_PATH, host);
    else
        snprintf(res->url, sizeof res->url, "https://%s:%d" POLICY_PATH, host, req->port);

    c.body = &res->body;
    c.port = req->port;
    c.public_only = req->public_only;
    for (size_t i = 0; req->public_only && i < req->naddrs; i++)
        STC_GUARD(addr_filter_check(0, req->addrs[i], err));
    STC_GUARD(prepare_addrs(req, &c, &rs, err));
    resolve = curl_slist_append(NULL, (const char *)rs.data);
    STC_ENSURE(resolve != NULL, err, STC_E_NOMEM, "out of memory");

    long left = deadline_left_ms(req->deadline);
    STC_ENSURE(left > 0, err, STC_E_TIMEOUT, "no time left to fetch the policy from %s", host);
    h = curl_easy_init();
    STC_ENSURE(h != NULL, err, STC_E_INTERNAL, "curl_easy_init failed");
    STC_GUARD(set_options(h, req, res, &c, resolve, errbuf, left, err));

    CURLcode cc = curl_easy_perform(h);
    collect_info(h, res);
    rc = map_result(cc, &c, res, host, errbuf, left, err);
out:
    if (h != NULL)
        curl_easy_cleanup(h);
    curl_slist_free_all(resolve);
    buf_free(&rs);
    return rc;
}

void mtasts_fetch_res_free(struct mtasts_fetch_res *res)
{
    if (res != NULL)
        buf_free(&res->body);
}

int mtasts_content_type_ok(const char *ct)
{
    static const char tp[] = "text/plain";
    size_t n;
    if (ct == NULL)
        return 0;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    n = strnlen(ct, 1024);
    if (!text_iprefix(ct, n, tp))
        return 0;
    ct += sizeof tp - 1;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}
