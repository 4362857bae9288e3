/*
 * NAME
 *     scan_ckey - the options a host result depends on
 * SYNOPSIS
 *     char key[SCAN_CKEY_MAX]; scan_ckey(&ck->cfg, key, sizeof key, err);
 * DESCRIPTION
 *     A host result is only as good as the options it was made with: the
 *     selected checks (--checks, --no-dane, --deep), the address families
 *     (--ipv4-only, --ipv6-only), the SMTP port, the
 *     EHLO name, the resolver, the DNSSEC trust anchor, the CA file or
 *     directory, the host time limit and the program version. This module
 *     writes them as one string, "v=...;checks=...;port=...;...", with each
 *     file named by path, size and modification time (a replaced CA bundle
 *     changes the key). The persistent host cache (store host_cache.config)
 *     stores results under this exact string, so a run with other options
 *     never reads them.
 * LIMITS
 *     SCAN_CKEY_MAX bytes.
 * DIAGNOSTICS
 *     STC_E_INVAL when the options do not fit.
 */
#include "scan_ckey.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../checks/checker_int.h"
#include "../util/err.h"

struct out {
    char *p;
    size_t n, len;
    int over;
};

static void put(struct out *o, const char *fmt, ...) STC_PRINTF(2, 3);
static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(o->p + o->len, o->n - o->len, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= o->n - o->len)
        o->over = 1;
    else
        o->len += (size_t)w;
}

/* key=path,size,mtime (or key= when unset); the path is quoted with its length. */
static void put_file(struct out *o, const char *key, const char *path)
{
    struct stat st;
    if (path == NULL) {
        put(o, "%s=;", key);
        return;
    }
    if (stat(path, &st) != 0)
        memset(&st, 0, sizeof st);
    put(o, "%s=%zu:%s,%lld,%lld.%09ld;", key, strlen(path), path, (long long)st.st_size,
        (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static void put_str(struct out *o, const char *key, const char *v)
{
    put(o, "%s=%zu:%s;", key, v ? strlen(v) : (size_t)0, v ? v : "");
}

stc_rc scan_ckey(const struct stc_config *cfg, char *out, size_t n, struct stc_err *err)
{
    struct out o = {out, n, 0, 0};
    out[0] = '\0';
    put(&o, "v=%s;checks=%u;port=%d;timeout=%ld;families=%u;", stc_version(), cfg->checks,
        cfg->port, cfg->timeout_ms, cfg->families);
    put_str(&o, "helo", cfg->helo);
    put_str(&o, "resolver", cfg->resolver);
    put_file(&o, "trust_anchor", cfg->trust_anchor);
    put(&o, "dnssec=%d;", cfg->dnssec_resolver);
    put_file(&o, "ca_file", cfg->ca_file);
    put_file(&o, "ca_path", cfg->ca_path);
    if (o.over)
        return err_set(err, STC_E_INVAL, "options too long for the host cache key");
    return STC_OK;
}
