/*
 * NAME
 *     config - the stc_config setters and their defaults
 * DESCRIPTION
 *     A struct stc_config owns copies of every string given to it. The
 *     checker copies the config again (stc_checker_new), so a config may be
 *     freed or reused once a checker is made.
 *
 *     The default EHLO name is the machine's fully qualified name
 *     (hostname_fqdn: gethostname, then its canonical name), never
 *     localhost; when there is none, helo stays NULL and stc_checker_new
 *     fails with the reason unless stc_config_set_helo names one.
 *
 *     The default DNSSEC trust anchor is the file named by the environment
 *     variable STC_ROOT_KEY, else /usr/share/dns/root.key (Debian's
 *     dns-root-data), used when readable. When it is not, the config has no
 *     trust anchor, remembers the path it tried (anchor_tried) and the
 *     checker reports once that DNSSEC could not be validated.
 * DIAGNOSTICS
 *     STC_E_INVAL for out-of-range values, STC_E_NOMEM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/err.h"
#include "../util/timing.h"
#include "../util/hostname.h"
#include "../util/text.h"
#include "checker_int.h"

#define DEFAULT_TIMEOUT_MS STC_T_HOST_DEFAULT_MS
#define DEFAULT_TRUST_ANCHOR "/usr/share/dns/root.key"
#define TRUST_ANCHOR_ENV "STC_ROOT_KEY"
#define DEFAULT_PROBE_DELAY_MS 0L

static stc_rc set_str(char **slot, const char *val, struct stc_err *err)
{
    char *copy = NULL;
    if (val != NULL && (copy = text_dup(val)) == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    free(*slot);
    *slot = copy;
    return STC_OK;
}

stc_rc stc_config_new(struct stc_config **out, struct stc_err *err)
{
    struct stc_config *c = calloc(1, sizeof *c);
    if (c == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    c->timeout_ms = DEFAULT_TIMEOUT_MS;
    c->port = 25;
    c->https_port = 443;
    c->checks = STC_CHECK_DEFAULT;
    c->probe_delay_ms = DEFAULT_PROBE_DELAY_MS;
    c->families = STC_FAMILY_ALL;
    char helo[HOSTNAME_MAX];
    struct stc_err ignored = {STC_OK, ""};
    if (hostname_fqdn(helo, sizeof helo, &ignored) != STC_OK)
        helo[0] = '\0'; /* stc_checker_new reports it unless --helo names one */
    const char *anchor = getenv(TRUST_ANCHOR_ENV);
    if (anchor == NULL || *anchor == '\0')
        anchor = DEFAULT_TRUST_ANCHOR;
    snprintf(c->anchor_tried, sizeof c->anchor_tried, "%s", anchor);
    if ((helo[0] != '\0' && set_str(&c->helo, helo, err) != STC_OK) ||
        (access(anchor, R_OK) == 0 && set_str(&c->trust_anchor, anchor, err) != STC_OK)) {
        stc_config_free(c);
        return STC_E_NOMEM;
    }
    *out = c;
    return STC_OK;
}

void config_free_strings(struct stc_config *c)
{
    free(c->helo);
    free(c->resolver);
    free(c->trust_anchor);
    free(c->ca_file);
    free(c->ca_path);
    free(c->policy_list);
}

stc_rc config_copy(struct stc_config *dst, const struct stc_config *src, struct stc_err *err)
{
    *dst = *src;
    dst->helo = text_dup(src->helo);
    dst->resolver = text_dup(src->resolver);
    dst->trust_anchor = text_dup(src->trust_anchor);
    dst->ca_file = text_dup(src->ca_file);
    dst->ca_path = text_dup(src->ca_path);
    dst->policy_list = text_dup(src->policy_list);
    if ((src->helo && !dst->helo) || (src->resolver && !dst->resolver) ||
        (src->trust_anchor && !dst->trust_anchor) || (src->ca_file && !dst->ca_file) ||
        (src->ca_path && !dst->ca_path) || (src->policy_list && !dst->policy_list))
        return err_set(err, STC_E_NOMEM, "out of memory");
    return STC_OK;
}

void stc_config_free(struct stc_config *c)
{
    if (c == NULL)
        return;
    config_free_strings(c);
    free(c);
}

stc_rc stc_config_set_timeout_ms(struct stc_config *cfg, long ms, struct stc_err *err)
{
    if (ms <= 0 || ms > 3600L * 1000)
        return err_set(err, STC_E_INVAL, "timeout must be between 1 ms and 1 hour");
    cfg->timeout_ms = ms;
    return STC_OK;
}

stc_rc stc_config_set_domain_timeout_ms(struct stc_config *cfg, long ms, struct stc_err *err)
{
    if (ms < 0 || ms > 24L * 3600 * 1000)
        return err_set(err, STC_E_INVAL, "domain time limit must be between 0 (default) and 1 day");
    cfg->domain_timeout_ms = ms;
    return STC_OK;
}

stc_rc stc_config_set_helo(struct stc_config *cfg, const char *name, struct stc_err *err)
{
    if (name == NULL || *name == '\0' || strlen(name) > 255 || strpbrk(name, " \r\n\t") != NULL)
        return err_set(err, STC_E_INVAL, "invalid EHLO name");
    return set_str(&cfg->helo, name, err);
}

stc_rc stc_config_set_resolver(struct stc_config *cfg, const char *addr, struct stc_err *err)
{
    if (addr != NULL && (*addr == '\0' || strlen(addr) > 64))
        return err_set(err, STC_E_INVAL, "invalid resolver address");
    return set_str(&cfg->resolver, addr, err);
}

stc_rc stc_config_set_trust_anchor(struct stc_config *cfg, const char *file, struct stc_err *err)
{
    return set_str(&cfg->trust_anchor, file, err);
}

stc_rc stc_config_set_dnssec(struct stc_config *cfg, const char *mode, struct stc_err *err)
{
    if (mode != NULL && strcmp(mode, "local") == 0)
        cfg->dnssec_resolver = 0;
    else if (mode != NULL && strcmp(mode, "resolver") == 0)
        cfg->dnssec_resolver = 1;
    else if (mode != NULL && strcmp(mode, "trusted-resolver") == 0)
        cfg->dnssec_resolver = 2;
    else if (mode != NULL && strcmp(mode, "auto") == 0)
        cfg->dnssec_resolver = 3;
    else
        return err_set(err, STC_E_INVAL,
                       "--dnssec wants local, resolver, trusted-resolver or auto");
    return STC_OK;
}

stc_rc stc_config_set_ca_file(struct stc_config *cfg, const char *file, struct stc_err *err)
{
    return set_str(&cfg->ca_file, file, err);
}

stc_rc stc_config_set_ca_path(struct stc_config *cfg, const char *dir, struct stc_err *err)
{
    return set_str(&cfg->ca_path, dir, err);
}

static stc_rc check_port(int port, struct stc_err *err)
{
    if (port <= 0 || port > 65535)
        return err_set(err, STC_E_INVAL, "port must be between 1 and 65535");
    return STC_OK;
}

stc_rc stc_config_set_port(struct stc_config *cfg, int port, struct stc_err *err)
{
    stc_rc rc = check_port(port, err);
    if (rc == STC_OK)
        cfg->port = port;
    return rc;
}

stc_rc stc_config_set_https_port(struct stc_config *cfg, int port, struct stc_err *err)
{
    stc_rc rc = check_port(port, err);
    if (rc == STC_OK)
        cfg->https_port = port;
    return rc;
}

stc_rc stc_config_set_checks(struct stc_config *cfg, unsigned flags, struct stc_err *err)
{
    if ((flags & ~(unsigned)(STC_CHECK_DEFAULT | STC_CHECK_DEEP)) != 0)
        return err_set(err, STC_E_INVAL, "unknown check flags 0x%x", flags);
    cfg->checks = flags;
    return STC_OK;
}

stc_rc stc_config_set_probe_delay_ms(struct stc_config *cfg, long ms, struct stc_err *err)
{
    if (ms < 0 || ms > 60000)
        return err_set(err, STC_E_INVAL, "probe delay must be between 0 and 60000 ms");
    cfg->probe_delay_ms = ms;
    return STC_OK;
}

stc_rc stc_config_set_public_only(struct stc_config *cfg, int on, struct stc_err *err)
{
    (void)err;
    cfg->public_only = on != 0;
    return STC_OK;
}

stc_rc stc_config_set_families(struct stc_config *cfg, unsigned families, struct stc_err *err)
{
    if (families == 0 || (families & ~(unsigned)STC_FAMILY_ALL) != 0)
        return err_set(err, STC_E_INVAL, "address families must be IPv4, IPv6 or both");
    cfg->families = families;
    return STC_OK;
}

stc_rc stc_config_set_policy_list(struct stc_config *cfg, const char *file, struct stc_err *err)
{
    return set_str(&cfg->policy_list, file, err);
}

stc_rc stc_config_set_host_check(struct stc_config *cfg, stc_host_check_fn fn, void *ctx,
                                 struct stc_err *err)
{
    (void)err;
    cfg->host_check = fn;
    cfg->host_check_ctx = ctx;
    return STC_OK;
}

stc_rc stc_config_set_addr_allowed(struct stc_config *cfg, stc_addr_allowed_fn fn, void *ctx,
                                   struct stc_err *err)
{
    (void)err;
    cfg->addr_allowed = fn;
    cfg->addr_allowed_ctx = fn ? ctx : NULL;
    return STC_OK;
}

stc_rc stc_config_set_connect_gate(struct stc_config *cfg, stc_gate_acquire_fn acquire,
                                   stc_gate_release_fn release, void *ctx, struct stc_err *err)
{
    if ((acquire == NULL) != (release == NULL))
        return err_set(err, STC_E_INVAL, "connect gate needs both acquire and release");
    cfg->gate_acquire = acquire;
    cfg->gate_release = release;
    cfg->gate_ctx = ctx;
    return STC_OK;
}
