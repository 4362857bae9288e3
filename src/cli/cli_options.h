/* cli_options.h - the command line of starttls-check, parsed into struct cli_opts.
 *
 * Parsing only: nothing here touches the network or the library's checker.
 * Domains and --mx patterns are kept as given; main.c normalizes them.
 */
#ifndef STC_CLI_OPTIONS_H
#define STC_CLI_OPTIONS_H

#include <stdio.h>

#include <starttls/error.h>

/* Exit codes besides the domain status codes 0..6 (sysexits.h values). */
#define CLI_EXIT_USAGE 64    /* EX_USAGE: bad option, invalid domain */
#define CLI_EXIT_INTERNAL 70 /* EX_SOFTWARE: out of memory, internal error, write error */

#define CLI_DEFAULT_TIMEOUT_S 30
#define CLI_DEFAULT_PORT 25
#define CLI_DEFAULT_HTTPS_PORT 443

struct cli_opts {
    const char **domains; /* pointers into argv; the array is owned */
    size_t ndomains;
    char **mx; /* --mx patterns, split at commas; owned; NULL-terminated */
    size_t nmx;
    int json;
    int html; /* --html: the HTML report of one domain (stc_report_domain_html) */
    long timeout_ms;      /* 0: library default */
    long domain_timeout_ms; /* 0: library default */
    const char *resolver; /* the rest point into argv; NULL: not given */
    const char *trust_anchor;
    const char *dnssec;   /* --dnssec local|resolver|trusted-resolver */
    const char *ca_file;
    const char *ca_path;
    const char *helo;
    const char *policy_list;
    int port;        /* 0: default */
    int https_port;  /* 0: default */
    unsigned checks; /* enum stc_check_flags; valid when checks_set */
    int checks_set;
    int no_dane;
    int no_color;
    int nagios;          /* --nagios: one plugin status line, exit 0..3 (cli_nagios.c) */
    int deep;            /* --deep: add STC_CHECK_DEEP */
    int public_only;     /* --public-only: the library's address filter */
    long probe_delay_ms; /* --probe-delay MS; valid when probe_delay_set */
    int probe_delay_set;
    unsigned families;   /* --ipv4-only / --ipv6-only: enum stc_family; 0: both */
    long warn_days; /* --warn-days, --crit-days: certificate expiry thresholds */
    long crit_days; /* (defaults CLI_NAGIOS_WARN_DAYS / _CRIT_DAYS; --nagios only) */
    int help;
    int version;
};

/**
 * Parse argv into *o (zeroed first). STC_E_INVAL with a printable message for
 * an unknown option, a missing or bad argument; STC_E_NOMEM. On failure *o
 * may hold partial allocations: call cli_options_free either way.
 */
stc_rc cli_options_parse(int argc, char **argv, struct cli_opts *o, struct stc_err *err);
void cli_options_free(struct cli_opts *o);

/** The complete usage text (every option with its default). */
void cli_usage(FILE *out);

/** "smtp,dane,..." or "all" into enum stc_check_flags bits. */
stc_rc cli_parse_checks(const char *list, unsigned *flags, struct stc_err *err);
/** Seconds, fractions allowed, (0, 3600] into milliseconds (at least 1). */
stc_rc cli_parse_timeout(const char *s, long *ms, struct stc_err *err);
/** Seconds (fractions allowed), more than 0 and at most max, for option opt. STC_E_INVAL. */
stc_rc cli_parse_seconds(const char *s, const char *opt, double max, long *ms,
                         struct stc_err *err);
/** Days 0..CLI_NAGIOS_MAX_DAYS for --warn-days / --crit-days. */
stc_rc cli_parse_days(const char *s, const char *what, long *days, struct stc_err *err);
/** --probe-delay: milliseconds 0..60000. */
stc_rc cli_parse_probe_delay(const char *s, long *ms, struct stc_err *err);
/** --ipv4-only (v6 == 0) or --ipv6-only into *families; STC_E_INVAL after the other one. */
stc_rc cli_parse_family(unsigned *families, int v6, struct stc_err *err);
/** A TCP port 1..65535. */
stc_rc cli_parse_port(const char *s, const char *what, int *port, struct stc_err *err);

#endif
