/*
 * NAME
 *     starttls-check - check how well mail domains protect mail in transit
 * SYNOPSIS
 *     starttls-check [OPTIONS] DOMAIN...
 *     starttls-check [OPTIONS] -domain DOMAIN [-domain DOMAIN]...
 * DESCRIPTION
 *     The flow: parse the options (cli_options.c), normalize every domain
 *     and --mx pattern before anything touches the network (an invalid one
 *     is a usage error), build a config and a checker, check each domain in
 *     turn and print its report as it finishes: text (cli_text.c) or JSON
 *     (stc_result_to_json; one compact object per line for several
 *     domains) or, with --nagios, one Nagios plugin line (cli_nagios.c).
 *     Uses the public API only.
 * LIMITS
 *     Domains are checked one after another; Ctrl-C stops the process.
 * DIAGNOSTICS
 *     Exit status: the domain status code (0..6) for one domain, the highest
 *     of them for several; CLI_EXIT_USAGE (64) for a usage error (unknown
 *     option, bad argument, invalid domain name or --mx pattern, unusable
 *     file or resolver given in an option); CLI_EXIT_INTERNAL (70) for out
 *     of memory, an internal error or a write error on stdout. Messages go
 *     to stderr, escaped, prefixed "starttls-check: ".
 *     With --nagios the exit status is a plugin state instead: 0..3 for the
 *     checked domain, 3 (UNKNOWN, with a "STARTTLS UNKNOWN - ..." line on
 *     stdout) for everything that prevented a verdict.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <starttls/starttls.h>

#include "cli_config.h"
#include "cli_malloc.h"
#include "cli_nagios.h"
#include "cli_options.h"
#include "cli_output.h"
#include "util/text.h"
#include "util/err.h"
#include "cli_report.h"
#include "cli_scan.h"
#include "cli_serve.h"

#define PROG "starttls-check"
#define NAME_SZ 256 /* stc_domain_normalize needs >= 254 */

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

/* "starttls-check: <what>: <reason>" on stderr, both escaped. */
static void complain(const char *what, const struct stc_err *err)
{
    char w[512], m[STC_ERR_MSG_MAX * 4];
    text_censor(what, strlen(what), w, sizeof w);
    const char *reason = err->msg[0] ? err->msg : stc_rc_name(err->code);
    text_censor(reason, strlen(reason), m, sizeof m);
    fprintf(stderr, "%s: %s: %s\n", PROG, w, m);
}

/* With --nagios, the same as a plugin line on stdout: UNKNOWN. */
static void complain_nagios(const struct cli_opts *o, const char *what, const struct stc_err *err)
{
    complain(what, err);
    if (o->nagios)
        cli_nagios_unknown(stdout, what, err->msg[0] ? err->msg : stc_rc_name(err->code));
}

static int usage_error(const struct stc_err *err, int nagios)
{
    char m[STC_ERR_MSG_MAX * 4];
    text_censor(err->msg, strlen(err->msg), m, sizeof m);
    fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", PROG, m, PROG);
    if (nagios)
        return cli_nagios_unknown(stdout, "usage", err->msg);
    return CLI_EXIT_USAGE;
}

/* Was --nagios asked for? (Also when parsing stopped before reaching it.) */
static int nagios_wanted(int argc, char **argv, const struct cli_opts *o)
{
    if (o->nagios)
        return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--nagios") == 0 || strcmp(argv[i], "-nagios") == 0)
            return 1;
    return 0;
}

static int want_color(const struct cli_opts *o)
{
    const char *no = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    if (o->no_color || (no != NULL && *no != '\0'))
        return 0;
    if (term != NULL && strcmp(term, "dumb") == 0)
        return 0;
    return isatty(STDOUT_FILENO);
}

/* Normalize every domain into names[i]; report each invalid one. */
static int normalize_domains(const struct cli_opts *o, char (*names)[NAME_SZ])
{
    int code = 0;
    for (size_t i = 0; i < o->ndomains; i++) {
        struct stc_err e = {0};
        stc_rc rc = stc_domain_normalize(o->domains[i], names[i], NAME_SZ, &e);
        if (rc == STC_OK)
            continue;
        char d[1024], m[STC_ERR_MSG_MAX * 4];
        text_censor(o->domains[i], strlen(o->domains[i]), d, sizeof d);
        text_censor(e.msg[0] ? e.msg : stc_rc_name(rc), strlen(e.msg[0] ? e.msg : stc_rc_name(rc)),
                   m, sizeof m);
        fprintf(stderr, "%s: invalid domain \"%s\": %s\n", PROG, d, m);
        if (o->nagios) {
            char why[STC_ERR_MSG_MAX + 32];
            snprintf(why, sizeof why, "invalid domain: %s", e.msg[0] ? e.msg : stc_rc_name(rc));
            cli_nagios_unknown(stdout, o->domains[i], why);
        }
        code = max_int(code, cli_exit_for(rc));
    }
    return code;
}

/*
 * "*.example.com", ".example.com" or "mx.example.com": normalize the name
 * part like a domain (IDNA, lower case) and keep the wildcard prefix.
 */
static int normalize_mx(const struct cli_opts *o, char (*pats)[NAME_SZ + 2])
{
    int code = 0;
    for (size_t i = 0; i < o->nmx; i++) {
        const char *p = o->mx[i];
        size_t skip = strncmp(p, "*.", 2) == 0 ? 2 : p[0] == '.' ? 1 : 0;
        struct stc_err e = {0};
        char name[NAME_SZ];
        stc_rc rc = stc_domain_normalize(p + skip, name, sizeof name, &e);
        if (rc == STC_OK) {
            snprintf(pats[i], NAME_SZ + 2, "%.*s%s", (int)skip, p, name);
            continue;
        }
        char d[1024], m[STC_ERR_MSG_MAX * 4];
        text_censor(p, strlen(p), d, sizeof d);
        text_censor(e.msg, strlen(e.msg), m, sizeof m);
        fprintf(stderr, "%s: invalid --mx pattern \"%s\": %s\n", PROG, d, m);
        if (o->nagios)
            cli_nagios_unknown(stdout, "invalid --mx pattern", p);
        code = max_int(code, cli_exit_for(rc));
    }
    return code;
}

/* The checker options of o, for cli_config_build. */
static struct cli_checker_opts checker_opts(const struct cli_opts *o)
{
    struct cli_checker_opts ck = {
        .timeout_ms = o->timeout_ms,
        .domain_timeout_ms = o->domain_timeout_ms,
        .resolver = o->resolver,
        .trust_anchor = o->trust_anchor,
        .dnssec = o->dnssec,
        .ca_file = o->ca_file,
        .ca_path = o->ca_path,
        .helo = o->helo,
        .policy_list = o->policy_list,
        .port = o->port,
        .https_port = o->https_port,
        .checks = o->checks,
        .checks_set = o->checks_set,
        .no_dane = o->no_dane,
        .deep = o->deep,
        .public_only = o->public_only,
        .probe_delay_ms = o->probe_delay_ms,
        .probe_delay_set = o->probe_delay_set,
        .families = o->families,
    };
    return ck;
}

/* Apply the options to a new config; on failure say which option. */
static int make_config(const struct cli_opts *o, struct stc_config **out)
{
    struct stc_err e = {0};
    const char *what = NULL;
    struct cli_checker_opts ck = checker_opts(o);
    stc_rc rc = cli_config_build(&ck, out, &what, &e);
    if (rc != STC_OK) {
        complain_nagios(o, what, &e);
        return cli_exit_for(rc);
    }
    return 0;
}

/* Check one domain and print its report; returns its exit code. */
static int check_one(const struct stc_checker *ck, const char *domain, const char *const *expected,
                     const struct cli_opts *o, int color, int first)
{
    struct stc_err e = {0};
    struct stc_result *res = NULL;
    char *json = NULL;
    int code;
    stc_rc rc = stc_checker_check_domain(ck, domain, expected, &res, &e);
    if (rc != STC_OK) {
        complain_nagios(o, domain, &e);
        return o->nagios ? CLI_NAGIOS_UNKNOWN : cli_exit_for(rc);
    }
    code = (int)stc_result_domain_status(res);
    if (o->nagios) {
        rc = cli_nagios_render(stdout, res, o->warn_days, o->crit_days, &code);
        if (rc != STC_OK) {
            e.code = rc;
            complain(domain, &e);
        }
    } else if (o->html) {
        rc = stc_report_domain_html(res, stdout, &e);
        if (rc != STC_OK)
            complain(domain, &e);
    } else if (o->json) {
        unsigned flags = o->ndomains > 1 ? STC_JSON_COMPACT : 0;
        rc = stc_result_to_json(res, flags, &json, &e);
        if (rc == STC_OK)
            printf("%s\n", json);
        else
            complain(domain, &e);
    } else {
        if (!first)
            putchar('\n');
        rc = cli_text_render(stdout, res, color);
        if (rc != STC_OK) {
            e.code = rc;
            complain(domain, &e);
        }
    }
    if (rc != STC_OK)
        code = CLI_EXIT_INTERNAL;
    fflush(stdout);
    stc_free(json);
    stc_result_free(res);
    return code;
}

static int run(const struct cli_opts *o)
{
    int code = 0;
    char(*names)[NAME_SZ] = NULL;
    char(*pats)[NAME_SZ + 2] = NULL;
    const char **expected = NULL;
    struct stc_config *cfg = NULL;
    struct stc_checker *ck = NULL;
    struct stc_err e = {0};

    names = calloc(o->ndomains, sizeof *names);
    pats = calloc(o->nmx + 1, sizeof *pats);
    expected = calloc(o->nmx + 1, sizeof *expected);
    if (names == NULL || pats == NULL || expected == NULL) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        code = CLI_EXIT_INTERNAL;
        goto out;
    }
    /* Every name is checked before the first query. */
    code = max_int(normalize_domains(o, names), normalize_mx(o, pats));
    if (code != 0)
        goto out;
    for (size_t i = 0; i < o->nmx; i++)
        expected[i] = pats[i];

    if ((code = make_config(o, &cfg)) != 0)
        goto out;
    stc_rc rc = stc_checker_new(cfg, &ck, &e);
    if (rc != STC_OK) {
        complain_nagios(o, "cannot set up the checker", &e);
        code = cli_exit_for(rc);
        goto out;
    }
    int color = o->json || o->html ? 0 : want_color(o);
    for (size_t i = 0; i < o->ndomains; i++) {
        int c = check_one(ck, names[i], o->nmx ? expected : NULL, o, color, i == 0);
        code = max_int(code, c);
        if (c == CLI_EXIT_INTERNAL)
            break;
    }
out:
    stc_checker_free(ck);
    stc_config_free(cfg);
    free(expected);
    free(pats);
    free(names);
    return code;
}

/* The original's `-file F [-column N] [-aggregate]` is a scan of F: rewrite
 * it as `scan ... F` (the other options pass through). Returns -1 when argv
 * has no -file. */
static int legacy_file_scan(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "-file") != 0 && strcmp(argv[i], "--file") != 0)
            continue;
        char **v = calloc((size_t)argc + 1, sizeof *v);
        if (v == NULL) {
            fprintf(stderr, "%s: out of memory\n", PROG);
            return CLI_EXIT_INTERNAL;
        }
        int n = 0;
        v[n++] = "scan";
        for (int k = 1; k < argc; k++)
            if (k != i && k != i + 1)
                v[n++] = argv[k];
        v[n++] = argv[i + 1];
        v[n] = NULL;
        int rc = cli_scan_main(n, v);
        free(v);
        return rc;
    }
    return -1;
}

int main(int argc, char **argv)
{
    struct cli_opts o;
    struct stc_err err = {0};
    int code;
    if (argc > 1 && strcmp(argv[1], "scan") == 0)
        return cli_scan_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "serve") == 0)
        return cli_serve_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "report") == 0)
        return cli_report_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "worker") == 0)
        return cli_worker_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "scan-status") == 0)
        return cli_scan_status_main(argc - 1, argv + 1);
    if ((code = legacy_file_scan(argc, argv)) >= 0)
        return code;
    stc_rc rc = cli_options_parse(argc, argv, &o, &err);
    if (rc == STC_E_NOMEM) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        code = CLI_EXIT_INTERNAL;
    } else if (rc != STC_OK) {
        code = usage_error(&err, nagios_wanted(argc, argv, &o));
    } else if (o.help) {
        cli_usage(stdout);
        code = 0;
    } else if (o.version) {
        char memory[160];
        cli_malloc_describe(memory, sizeof memory);
        printf("%s %s\n%s\n", PROG, stc_version(), memory);
        code = 0;
    } else if (o.ndomains == 0) {
        err_set(&err, STC_E_INVAL, "no domain given");
        code = usage_error(&err, o.nagios);
    } else {
        code = run(&o);
    }
    int nagios = nagios_wanted(argc, argv, &o);
    cli_options_free(&o);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: write error on standard output\n", PROG);
        code = max_int(code, CLI_EXIT_INTERNAL);
    }
    if (nagios && (code < 0 || code > CLI_NAGIOS_UNKNOWN))
        code = CLI_NAGIOS_UNKNOWN; /* usage, internal and write errors */
    return code;
}
