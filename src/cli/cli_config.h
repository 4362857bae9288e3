/* cli_config.h - the checker options the commands share, built into one stc_config.
 *
 * The single check (main.c), scan/worker (cli_scan.c) and serve
 * (cli_serve.c) each parse their own command line with their own defaults,
 * fill a struct cli_checker_opts and call cli_config_build.
 */
#ifndef STC_CLI_CONFIG_H
#define STC_CLI_CONFIG_H

#include <starttls/starttls.h>

/* Zero (or NULL) in any field: not given, the library default. */
struct cli_checker_opts {
    long timeout_ms;        /* --timeout */
    long domain_timeout_ms; /* --domain-timeout */
    const char *resolver;   /* --resolver ADDR[@PORT] */
    const char *trust_anchor;
    const char *dnssec; /* --dnssec auto|local|resolver|trusted-resolver */
    const char *ca_file;
    const char *ca_path;
    const char *helo;
    const char *policy_list;
    int port;        /* --port */
    int https_port;  /* --https-port */
    unsigned checks; /* --checks: enum stc_check_flags; valid when checks_set */
    int checks_set;
    int no_dane;         /* --no-dane: take STC_CHECK_DANE out */
    int deep;            /* --deep: add STC_CHECK_DEEP */
    int public_only;     /* --public-only */
    long probe_delay_ms; /* --probe-delay; valid when probe_delay_set */
    int probe_delay_set;
    unsigned families; /* --ipv4-only / --ipv6-only: enum stc_family; 0: both */
};

/**
 * A new config with the options of o applied; *out is the caller's
 * (stc_config_free). On failure *out is NULL, err says why and *what names
 * the option that failed ("--resolver", ...), or "configuration" when the
 * config itself could not be made.
 */
stc_rc cli_config_build(const struct cli_checker_opts *o, struct stc_config **out,
                        const char **what, struct stc_err *err);

/**
 * The exit code for a library error outside the checks themselves (a failed
 * cli_config_build, ...): CLI_EXIT_INTERNAL (70) for out of memory, an
 * internal error or an interruption, else CLI_EXIT_USAGE (64).
 */
int cli_exit_for(stc_rc rc);

#endif
