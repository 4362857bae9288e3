/*
 * NAME
 *     cli_config - build the checker's stc_config from the shared options
 * SYNOPSIS
 *     struct cli_checker_opts ck = {0};
 *     ck.timeout_ms = 10000;             (the command's own parsing)
 *     const char *what = NULL;
 *     stc_rc rc = cli_config_build(&ck, &cfg, &what, &err);
 *     if (rc != STC_OK)
 *         fprintf(stderr, "...: %s: %s\n", what, err.msg), exit(cli_exit_for(rc));
 * DESCRIPTION
 *     The one place where a checker option given on a command line becomes
 *     a stc_config_set_* call, for the single check, scan, worker and serve.
 *     --checks, --no-dane and --deep combine here: the --checks list (else
 *     STC_CHECK_DEFAULT), without DANE for --no-dane, plus STC_CHECK_DEEP
 *     for --deep. Options left at zero keep the library's defaults; each
 *     command sets its own defaults in the struct before parsing.
 * LIMITS
 *     No parsing of option words here, and no output: the caller words the
 *     message and picks the exit code (cli_exit_for).
 * DIAGNOSTICS
 *     The failing setter's stc_rc and message; *what names the option.
 */
#include "cli_config.h"

#include "cli_options.h"

stc_rc cli_config_build(const struct cli_checker_opts *o, struct stc_config **out,
                        const char **what, struct stc_err *err)
{
    struct stc_config *cfg = NULL;
    *out = NULL;
    *what = "configuration";
    stc_rc rc = stc_config_new(&cfg, err);
    if (rc != STC_OK)
        return rc;
    unsigned checks = o->checks_set ? o->checks : (unsigned)STC_CHECK_DEFAULT;
    if (o->no_dane)
        checks &= ~(unsigned)STC_CHECK_DANE;
    if (o->deep)
        checks |= (unsigned)STC_CHECK_DEEP;
#define APPLY(cond, name, call)                                                                    \
    if ((cond) && (*what = (name), rc = (call)) != STC_OK)                                         \
    goto fail
    APPLY(o->timeout_ms > 0, "--timeout", stc_config_set_timeout_ms(cfg, o->timeout_ms, err));
    APPLY(o->domain_timeout_ms > 0, "--domain-timeout",
          stc_config_set_domain_timeout_ms(cfg, o->domain_timeout_ms, err));
    APPLY(o->resolver, "--resolver", stc_config_set_resolver(cfg, o->resolver, err));
    APPLY(o->trust_anchor, "--trust-anchor",
          stc_config_set_trust_anchor(cfg, o->trust_anchor, err));
    APPLY(o->dnssec, "--dnssec", stc_config_set_dnssec(cfg, o->dnssec, err));
    APPLY(o->ca_file, "--ca-file", stc_config_set_ca_file(cfg, o->ca_file, err));
    APPLY(o->ca_path, "--ca-path", stc_config_set_ca_path(cfg, o->ca_path, err));
    APPLY(o->port > 0, "--port", stc_config_set_port(cfg, o->port, err));
    APPLY(o->https_port > 0, "--https-port", stc_config_set_https_port(cfg, o->https_port, err));
    APPLY(o->helo, "--helo", stc_config_set_helo(cfg, o->helo, err));
    APPLY(o->policy_list, "--policy-list", stc_config_set_policy_list(cfg, o->policy_list, err));
    APPLY(1, "--checks", stc_config_set_checks(cfg, checks, err));
    APPLY(o->public_only, "--public-only", stc_config_set_public_only(cfg, 1, err));
    APPLY(o->probe_delay_set, "--probe-delay",
          stc_config_set_probe_delay_ms(cfg, o->probe_delay_ms, err));
    APPLY(o->families != 0, o->families == STC_FAMILY_IPV4 ? "--ipv4-only" : "--ipv6-only",
          stc_config_set_families(cfg, o->families, err));
#undef APPLY
    *out = cfg;
    return STC_OK;
fail:
    stc_config_free(cfg);
    return rc;
}

int cli_exit_for(stc_rc rc)
{
    switch (rc) {
    case STC_OK: return 0;
    case STC_E_NOMEM:
    case STC_E_INTERNAL:
    case STC_E_INTERRUPTED: return CLI_EXIT_INTERNAL;
    default: return CLI_EXIT_USAGE;
    }
}
