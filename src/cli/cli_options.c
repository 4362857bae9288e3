/*
 * NAME
 *     cli_options - parse the starttls-check command line
 * SYNOPSIS
 *     struct cli_opts o;
 *     stc_rc rc = cli_options_parse(argc, argv, &o, &err);
 *     ...
 *     cli_options_free(&o);
 * DESCRIPTION
 *     getopt_long_only, so the original's single-dash spelling works
 *     (-domain D, -json) beside --domain D; unambiguous abbreviations are
 *     accepted. Options and domains may be mixed; domains, given either way,
 *     keep their command-line order. getopt's own messages are
 *     off (they would echo raw argv bytes); errors go into err with the
 *     offending word escaped, for main.c to print.
 *
 *     Strings in struct cli_opts point into argv except the domains array
 *     and the --mx patterns, which cli_options_free releases.
 * LIMITS
 *     --timeout: more than 0 and at most 3600 seconds. Ports 1..65535.
 *     --probe-delay: 0..60000 milliseconds. --ipv4-only and --ipv6-only
 *     exclude each other.
 *     --warn-days/--crit-days: 0..CLI_NAGIOS_MAX_DAYS, crit <= warn, only
 *     with --nagios, which takes one domain and excludes --json.
 *     Option arguments may not be empty.
 * DIAGNOSTICS
 *     STC_E_INVAL for an unknown option, a missing, empty or malformed
 *     argument; STC_E_NOMEM.
 */
#include "cli_options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <starttls/checker.h>

#include "cli_nagios.h"
#include "cli_output.h"
#include "util/err.h"
#include "util/num.h"
#include "util/text.h"

enum {
    OPT_DOMAIN = 256,
    OPT_JSON,
    OPT_TIMEOUT,
    OPT_DOMAIN_TIMEOUT,
    OPT_RESOLVER,
    OPT_TRUST_ANCHOR,
    OPT_DNSSEC,
    OPT_CA_FILE,
    OPT_CA_PATH,
    OPT_PORT,
    OPT_HTTPS_PORT,
    OPT_HELO,
    OPT_MX,
    OPT_POLICY_LIST,
    OPT_CHECKS,
    OPT_NO_DANE,
    OPT_NO_COLOR,
    OPT_NAGIOS,
    OPT_WARN_DAYS,
    OPT_CRIT_DAYS,
    OPT_DEEP,
    OPT_PROBE_DELAY,
    OPT_HTML,
    OPT_PUBLIC_ONLY,
    OPT_IPV4_ONLY,
    OPT_IPV6_ONLY
};

static const struct option long_options[] = {
    {"domain", required_argument, NULL, OPT_DOMAIN},
    {"json", no_argument, NULL, OPT_JSON},
    {"html", no_argument, NULL, OPT_HTML},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"domain-timeout", required_argument, NULL, OPT_DOMAIN_TIMEOUT},
    {"resolver", required_argument, NULL, OPT_RESOLVER},
    {"trust-anchor", required_argument, NULL, OPT_TRUST_ANCHOR},
    {"dnssec", required_argument, NULL, OPT_DNSSEC},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"ca-path", required_argument, NULL, OPT_CA_PATH},
    {"port", required_argument, NULL, OPT_PORT},
    {"https-port", required_argument, NULL, OPT_HTTPS_PORT},
    {"helo", required_argument, NULL, OPT_HELO},
    {"mx", required_argument, NULL, OPT_MX},
    {"policy-list", required_argument, NULL, OPT_POLICY_LIST},
    {"checks", required_argument, NULL, OPT_CHECKS},
    {"no-dane", no_argument, NULL, OPT_NO_DANE},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"nagios", no_argument, NULL, OPT_NAGIOS},
    {"warn-days", required_argument, NULL, OPT_WARN_DAYS},
    {"crit-days", required_argument, NULL, OPT_CRIT_DAYS},
    {"deep", no_argument, NULL, OPT_DEEP},
    {"probe-delay", required_argument, NULL, OPT_PROBE_DELAY},
    {"public-only", no_argument, NULL, OPT_PUBLIC_ONLY},
    {"ipv4-only", no_argument, NULL, OPT_IPV4_ONLY},
    {"ipv6-only", no_argument, NULL, OPT_IPV6_ONLY},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static const struct {
    const char *name;
    unsigned flag;
} check_names[] = {
    {"smtp", STC_CHECK_SMTP},
    {"mta-sts", STC_CHECK_MTASTS},
    {"tls-rpt", STC_CHECK_TLSRPT},
    {"dane", STC_CHECK_DANE},
    {"policylist", STC_CHECK_POLICYLIST},
    {"legacy-tls", STC_CHECK_LEGACY_TLS},
    {"weak-ciphers", STC_CHECK_WEAK_CIPHERS},
    {"all", STC_CHECK_DEFAULT},
};

void cli_usage(FILE *out)
{
    fputs("Usage: starttls-check [OPTIONS] DOMAIN...\n"
          "       starttls-check [OPTIONS] -domain DOMAIN [-domain DOMAIN]...\n"
          "\n"
          "Check how well mail domains protect mail in transit: MX lookup, then on\n"
          "every MX host STARTTLS, certificate, TLS version and cipher, and for the\n"
          "domain DANE, MTA-STS and TLS-RPT. Options take one or two dashes (-json,\n"
          "--json) and may be abbreviated while unambiguous.\n"
          "\n"
          "Options:\n"
          "  --domain DOMAIN        check DOMAIN; repeatable, same as a DOMAIN argument\n"
          "  --json                 JSON output (schema: docs/json.md); with several\n"
          "                         domains one compact object per line\n"
          "                         (default: a text report)\n"
          "  --html                 a self-contained HTML report of one domain (no\n"
          "                         script, no request); for a scan see 'report'\n"
          "  --timeout SECONDS      time budget for each MX host, fractions allowed\n"
          "                         (default: 30)\n"
          "  --domain-timeout SECONDS  time budget for a whole domain: MX lookup, the\n"
          "                         hosts, MTA-STS and TLS-RPT (default: 4 x --timeout;\n"
          "                         at least 1.5 x); hosts past it are \"not tested\"\n"
          "  --resolver ADDR[@PORT] send all DNS queries to this validating resolver\n"
          "                         (default: the nameservers of /etc/resolv.conf)\n"
          "  --trust-anchor FILE    DNSSEC trust anchor, DS or DNSKEY lines (default:\n"
          "                         $STC_ROOT_KEY, else /usr/share/dns/root.key from\n"
          "                         dns-root-data; without one, DNSSEC and DANE are\n"
          "                         reported as not validated)\n"
          "  --dnssec MODE          local (default): validate here with the trust\n"
          "                         anchor; resolver: trust the AD bit of the\n"
          "                         resolver, which must be on loopback;\n"
          "                         trusted-resolver: the same for any resolver;\n"
          "                         auto: resolver when it is on loopback and\n"
          "                         validates, else local\n"
          "  --ca-file FILE         CA certificates (PEM) for server certificates\n"
          "                         (default: the system trust store)\n"
          "  --ca-path DIR          directory of hashed CA certificates\n"
          "                         (default: the system trust store)\n"
          "  --port N               SMTP port of the MX hosts (default: 25)\n"
          "  --https-port N         HTTPS port of the MTA-STS policy host (default: 443)\n"
          "  --helo NAME            name to send with EHLO (default: this machine's\n"
          "                         fully qualified name, never localhost)\n"
          "  --mx PATTERN           expected MX host: mx.example.com or *.example.com;\n"
          "                         repeatable or comma-separated; a connected MX host\n"
          "                         matching none gives status 6 (default: no check)\n"
          "  --policy-list FILE     STARTTLS-Everywhere policy list (JSON) for the\n"
          "                         policylist check (default: none, check skipped)\n"
          "  --checks LIST          checks to run, comma-separated, repeatable: smtp,\n"
          "                         mta-sts, tls-rpt, dane, policylist, legacy-tls,\n"
          "                         weak-ciphers, or all (default: all)\n"
          "  --no-dane              leave out the DANE check\n"
          "  --deep                 deep TLS analysis of every MX host: every version,\n"
          "                         cipher suite and group it accepts, server order,\n"
          "                         renegotiation, CVE-2011-0411, REQUIRETLS, graded by\n"
          "                         the NCSC-NL TLS guidelines; some 20-40 extra\n"
          "                         connections per host (default: off)\n"
          "  --probe-delay MS       pause before each probe connection to a host\n"
          "                         already contacted, 0..60000 ms (default: 0)\n"
          "  --public-only          never connect to loopback, private, link-local,\n"
          "                         CGNAT, multicast, reserved, documentation or cloud\n"
          "                         metadata addresses; such a host is reported as\n"
          "                         not tested (default: any address)\n"
          "  --ipv4-only            connect to MX hosts over IPv4 only, for networks\n"
          "                         without IPv6; IPv6 addresses are reported as not\n"
          "                         tested (default: every address, IPv4 and IPv6)\n"
          "  --ipv6-only            connect over IPv6 only (IPv4 addresses not tested)\n"
          "  --no-color             no colours in the text report; also when NO_COLOR\n"
          "                         is set (default: colours on a terminal only)\n"
          "  --nagios               Nagios/Icinga plugin output for one domain: a status\n"
          "                         line with performance data, one line per problem;\n"
          "                         exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN\n"
          "  --warn-days N          with --nagios: WARNING when a certificate expires\n"
          "                         in N days or fewer (default: 14)\n"
          "  --crit-days N          with --nagios: CRITICAL when a certificate expires\n"
          "                         in N days or fewer; at most --warn-days (default: 7)\n"
          "  -h, --help             show this help and exit\n"
          "  -V, --version          show the version and exit\n"
          "\n"
          "Exit status:\n"
          "  0 success, 1 warning, 2 failure, 3 error, 4 an MX host lacks STARTTLS,\n"
          "  5 no MX host could be reached, 6 an MX host does not match --mx;\n"
          "  with several domains the highest of their codes.\n"
          "  64 usage error: unknown option, bad argument, invalid domain name.\n"
          "  70 internal error: out of memory, write error.\n"
          "  With --nagios: 0 OK (success), 1 WARNING (warning, or a certificate\n"
          "  within --warn-days), 2 CRITICAL (failure, no STARTTLS, no MX reachable,\n"
          "  MX outside --mx, or a certificate within --crit-days), 3 UNKNOWN (error,\n"
          "  invalid domain or arguments).\n",
          out);
}

/* Does word (n bytes, '_' taken as '-') equal name? */
static int word_is(const char *word, size_t n, const char *name)
{
    if (strlen(name) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = word[i] == '_' ? '-' : word[i];
        if (c != name[i])
            return 0;
    }
    return 1;
}

stc_rc cli_parse_checks(const char *list, unsigned *flags, struct stc_err *err)
{
    unsigned f = 0;
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        size_t k;
        for (k = 0; k < sizeof check_names / sizeof check_names[0]; k++)
            if (word_is(p, n, check_names[k].name))
                break;
        if (k == sizeof check_names / sizeof check_names[0]) {
            char esc[64];
            text_censor(p, n, esc, sizeof esc);
            return err_set(err, STC_E_INVAL,
                           "unknown check \"%s\" in --checks (known: smtp, mta-sts, tls-rpt, "
                           "dane, policylist, legacy-tls, weak-ciphers, all)",
                           esc);
        }
        f |= check_names[k].flag;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    *flags = f;
    return STC_OK;
}

stc_rc cli_parse_seconds(const char *s, const char *opt, double max, long *ms,
                         struct stc_err *err)
{
    char esc[64];
    double sec = 0;
    if (num_decimal(s, 0, max, &sec) != 0 || sec <= 0) {
        text_censor(s, strlen(s), esc, sizeof esc);
        return err_set(err, STC_E_INVAL,
                       "invalid %s \"%s\": give seconds, more than 0 and at most %.0f", opt, esc,
                       max);
    }
    long v = (long)(sec * 1000.0 + 0.5);
    *ms = v < 1 ? 1 : v;
    return STC_OK;
}

stc_rc cli_parse_timeout(const char *s, long *ms, struct stc_err *err)
{
    return cli_parse_seconds(s, "--timeout", 3600, ms, err);
}

stc_rc cli_parse_days(const char *s, const char *what, long *days, struct stc_err *err)
{
    char esc[64];
    if (num_long(s, 0, CLI_NAGIOS_MAX_DAYS, days) != 0) {
        text_censor(s, strlen(s), esc, sizeof esc);
        return err_set(err, STC_E_INVAL, "invalid %s \"%s\": give days from 0 to %d", what, esc,
                       CLI_NAGIOS_MAX_DAYS);
    }
    return STC_OK;
}

stc_rc cli_parse_probe_delay(const char *s, long *ms, struct stc_err *err)
{
    char esc[64];
    if (num_long(s, 0, 60000, ms) != 0) {
        text_censor(s, strlen(s), esc, sizeof esc);
        return err_set(err, STC_E_INVAL,
                       "invalid --probe-delay \"%s\": give milliseconds from 0 to 60000", esc);
    }
    return STC_OK;
}

stc_rc cli_parse_port(const char *s, const char *what, int *port, struct stc_err *err)
{
    char esc[64];
    long v = 0;
    if (num_long(s, 1, 65535, &v) != 0) {
        text_censor(s, strlen(s), esc, sizeof esc);
        return err_set(err, STC_E_INVAL, "invalid %s \"%s\": give a port from 1 to 65535", what,
                       esc);
    }
    *port = (int)v;
    return STC_OK;
}

stc_rc cli_parse_family(unsigned *families, int v6, struct stc_err *err)
{
    unsigned f = v6 ? STC_FAMILY_IPV6 : STC_FAMILY_IPV4;
    if (*families != 0 && *families != f)
        return err_set(err, STC_E_INVAL, "--ipv4-only and --ipv6-only exclude each other");
    *families = f;
    return STC_OK;
}

/* Append the comma-separated patterns of arg to o->mx. */
static stc_rc add_mx(struct cli_opts *o, const char *arg, struct stc_err *err)
{
    const char *p = arg;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == 0)
            return err_set(err, STC_E_INVAL, "empty pattern in --mx");
        char **v = realloc(o->mx, (o->nmx + 2) * sizeof *v);
        if (v == NULL)
            return err_set(err, STC_E_NOMEM, "out of memory");
        o->mx = v;
        o->mx[o->nmx] = strndup(p, n);
        if (o->mx[o->nmx] == NULL)
            return err_set(err, STC_E_NOMEM, "out of memory");
        o->mx[++o->nmx] = NULL;
        if (comma == NULL)
            return STC_OK;
        p = comma + 1;
    }
}

/* The option word that getopt just stopped at, escaped. */
static void offending(int argc, char **argv, char *out, size_t outsz)
{
    if (optopt > 0 && optopt < 128 && isprint(optopt)) {
        snprintf(out, outsz, "-%c", optopt);
        return;
    }
    int i = optind - 1;
    const char *w = (i >= 1 && i < argc) ? argv[i] : "?";
    text_censor(w, strlen(w), out, outsz);
}

static stc_rc set_arg(const char **slot, const char *arg, const char *name, struct stc_err *err)
{
    if (*arg == '\0')
        return err_set(err, STC_E_INVAL, "option --%s needs a non-empty argument", name);
    *slot = arg;
    return STC_OK;
}

static stc_rc one_option(int c, const char *arg, struct cli_opts *o, struct stc_err *err)
{
    unsigned f = 0;
    stc_rc rc = STC_OK;
    switch (c) {
    case 1: /* a DOMAIN argument */
    case OPT_DOMAIN: o->domains[o->ndomains++] = arg; break;
    case OPT_JSON: o->json = 1; break;
    case OPT_HTML: o->html = 1; break;
    case OPT_TIMEOUT: rc = cli_parse_timeout(arg, &o->timeout_ms, err); break;
    case OPT_DOMAIN_TIMEOUT:
        rc = cli_parse_seconds(arg, "--domain-timeout", 86400, &o->domain_timeout_ms, err);
        break;
    case OPT_RESOLVER: rc = set_arg(&o->resolver, arg, "resolver", err); break;
    case OPT_TRUST_ANCHOR: rc = set_arg(&o->trust_anchor, arg, "trust-anchor", err); break;
    case OPT_DNSSEC: rc = set_arg(&o->dnssec, arg, "dnssec", err); break;
    case OPT_CA_FILE: rc = set_arg(&o->ca_file, arg, "ca-file", err); break;
    case OPT_CA_PATH: rc = set_arg(&o->ca_path, arg, "ca-path", err); break;
    case OPT_PORT: rc = cli_parse_port(arg, "--port", &o->port, err); break;
    case OPT_HTTPS_PORT: rc = cli_parse_port(arg, "--https-port", &o->https_port, err); break;
    case OPT_HELO: rc = set_arg(&o->helo, arg, "helo", err); break;
    case OPT_MX: rc = add_mx(o, arg, err); break;
    case OPT_POLICY_LIST: rc = set_arg(&o->policy_list, arg, "policy-list", err); break;
    case OPT_CHECKS:
        rc = cli_parse_checks(arg, &f, err);
        o->checks |= f;
        o->checks_set = 1;
        break;
    case OPT_NO_DANE: o->no_dane = 1; break;
    case OPT_NO_COLOR: o->no_color = 1; break;
    case OPT_NAGIOS: o->nagios = 1; break;
    case OPT_WARN_DAYS: rc = cli_parse_days(arg, "--warn-days", &o->warn_days, err); break;
    case OPT_CRIT_DAYS: rc = cli_parse_days(arg, "--crit-days", &o->crit_days, err); break;
    case OPT_DEEP: o->deep = 1; break;
    case OPT_PUBLIC_ONLY: o->public_only = 1; break;
    case OPT_PROBE_DELAY:
        rc = cli_parse_probe_delay(arg, &o->probe_delay_ms, err);
        o->probe_delay_set = 1;
        break;
    case OPT_IPV4_ONLY:
    case OPT_IPV6_ONLY: rc = cli_parse_family(&o->families, c == OPT_IPV6_ONLY, err); break;
    case 'h': o->help = 1; break;
    case 'V': o->version = 1; break;
    default: rc = err_set(err, STC_E_INTERNAL, "unhandled option %d", c); break;
    }
    return rc;
}

/* --nagios: defaults for the day thresholds, crit <= warn, one domain, no --json. */
static stc_rc nagios_options(struct cli_opts *o, struct stc_err *err)
{
    int given = o->warn_days >= 0 || o->crit_days >= 0;
    if (o->warn_days < 0)
        o->warn_days = CLI_NAGIOS_WARN_DAYS;
    if (o->crit_days < 0)
        o->crit_days = CLI_NAGIOS_CRIT_DAYS;
    if (!o->nagios)
        return given ? err_set(err, STC_E_INVAL, "--warn-days and --crit-days need --nagios")
                     : STC_OK;
    if (o->crit_days > o->warn_days)
        return err_set(err, STC_E_INVAL, "--crit-days (%ld) must not exceed --warn-days (%ld)",
                       o->crit_days, o->warn_days);
    if (o->json)
        return err_set(err, STC_E_INVAL, "--nagios and --json exclude each other");
    if (o->html)
        return err_set(err, STC_E_INVAL, "--nagios and --html exclude each other");
    if (o->ndomains > 1)
        return err_set(err, STC_E_INVAL, "--nagios checks one domain, %zu given", o->ndomains);
    return STC_OK;
}

stc_rc cli_options_parse(int argc, char **argv, struct cli_opts *o, struct stc_err *err)
{
    char word[128];
    memset(o, 0, sizeof *o);
    o->warn_days = o->crit_days = -1; /* not given */
    o->domains = calloc((size_t)(argc > 0 ? argc : 1), sizeof *o->domains);
    if (o->domains == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");

    optind = 0; /* full re-initialization (glibc), so parsing can run again */
    opterr = 0;
    for (;;) {
        /* "-": non-options come back as 1, so domains keep their order. */
        int c = getopt_long_only(argc, argv, "-:hV", long_options, NULL);
        if (c == -1)
            break;
        if (c == '?' && optopt >= OPT_DOMAIN) {
            offending(argc, argv, word, sizeof word);
            return err_set(err, STC_E_INVAL, "option \"%s\" takes no argument", word);
        }
        if (c == '?') {
            offending(argc, argv, word, sizeof word);
            return err_set(err, STC_E_INVAL, "unknown or ambiguous option \"%s\"", word);
        }
        if (c == ':') {
            offending(argc, argv, word, sizeof word);
            return err_set(err, STC_E_INVAL, "option \"%s\" needs an argument", word);
        }
        stc_rc rc = one_option(c, optarg, o, err);
        if (rc != STC_OK)
            return rc;
    }
    for (int i = optind; i < argc; i++)
        o->domains[o->ndomains++] = argv[i];
    if (o->html && o->json)
        return err_set(err, STC_E_INVAL, "--html and --json exclude each other");
    if (o->html && o->ndomains > 1)
        return err_set(err, STC_E_INVAL, "--html reports one domain, %zu given", o->ndomains);
    return nagios_options(o, err);
}

void cli_options_free(struct cli_opts *o)
{
    if (o == NULL)
        return;
    free(o->domains);
    for (size_t i = 0; i < o->nmx; i++)
        free(o->mx[i]);
    free(o->mx);
    memset(o, 0, sizeof *o);
}
