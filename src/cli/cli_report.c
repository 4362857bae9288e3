/*
 * NAME
 *     cli_report - `starttls-check report SCAN -o report.html`
 * SYNOPSIS
 *     starttls-check report [-o FILE] [--compare OLD] [--name NAME] SCAN.db|results.jsonl|-
 *     starttls-check report --name NAME postgresql://...
 * DESCRIPTION
 *     Writes the HTML report of a scan (stc_report_scan_html, public API)
 *     to FILE, or to standard output without -o (or with -o -). A file is
 *     written as FILE.tmp and renamed when complete, so a failed report
 *     never leaves a partial page under the name asked for. --compare
 *     adds the change against an earlier scan (either format). A
 *     PostgreSQL scan (a "postgresql://" or "postgres://" URI, or a libpq
 *     "host=", "dbname=", "service=" string) is first exported as JSON
 *     Lines (stc_scan_export, scan --name NAME, default "default") into a
 *     temporary file under $TMPDIR, which is removed afterwards.
 * LIMITS
 *     Paths up to PATH_MAX_LEN bytes.
 * DIAGNOSTICS
 *     Exit 0 written, 64 usage error, 70 out of memory, 74 an input file
 *     that cannot be read or an output that cannot be written. Messages on
 *     stderr, escaped, prefixed "starttls-check report: ".
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <starttls/starttls.h>

#include "cli_options.h"
#include "cli_output.h"
#include "cli_report.h"
#include "util/text.h"

#define PROG "starttls-check report"
#define PATH_MAX_LEN 4096
#define EXIT_IOERR 74

static void usage(FILE *out)
{
    fputs("Usage: starttls-check report [-o FILE] [--compare OLD] SCAN\n"
          "\n"
          "Write a self-contained HTML report of a scan: headline numbers, charts\n"
          "(STARTTLS, certificates, TLS versions, ciphers, MTA-STS, TLS-RPT, DNSSEC,\n"
          "DANE, top failure reasons, MX concentration) and a searchable table of\n"
          "every domain with its detail. SCAN is the database of 'scan --db' or the\n"
          "JSON Lines file of 'scan -o' ('-': standard input). The page makes no\n"
          "network request.\n"
          "\n"
          "Options:\n"
          "  -o, --output FILE   write the report to FILE (default: standard output)\n"
          "  --compare OLD       also show the change against an earlier scan (a\n"
          "                      database or JSON Lines file): adoption up or down,\n"
          "                      domains that got worse, newly expired certificates\n"
          "  --name NAME         the scan's name in a PostgreSQL database\n"
          "                      (postgresql://...; default: default)\n"
          "  -h, --help          this help\n",
          out);
}

static void say(const char *what, const char *why)
{
    char w[PATH_MAX_LEN + 64], m[STC_ERR_MSG_MAX * 4];
    text_censor(what, strlen(what), w, sizeof w);
    text_censor(why, strlen(why), m, sizeof m);
    fprintf(stderr, "%s: %s: %s\n", PROG, w, m);
}

static int exit_for(stc_rc rc)
{
    switch (rc) {
    case STC_OK: return 0;
    case STC_E_NOMEM:
    case STC_E_INTERNAL: return CLI_EXIT_INTERNAL;
    case STC_E_INVAL: return CLI_EXIT_USAGE;
    default: return EXIT_IOERR;
    }
}

static int is_pg(const char *s)
{
    static const char *const pre[] = {"postgresql://", "postgres://", "host=", "dbname=",
                                      "service=", NULL};
    for (size_t i = 0; pre[i] != NULL; i++)
        if (strncmp(s, pre[i], strlen(pre[i])) == 0)
            return 1;
    return 0;
}

/* A PostgreSQL scan as a temporary JSON Lines file: its path into tmp. 0, or an exit code. */
static int pg_export(const char *uri, const char *name, char *tmp, size_t tmpsz)
{
    const char *dir = getenv("TMPDIR");
    struct stc_err e = {0};
    if (dir == NULL || *dir == '\0')
        dir = "/tmp";
    if (snprintf(tmp, tmpsz, "%s/stc-report-XXXXXX", dir) >= (int)tmpsz) {
        say("TMPDIR", "path too long");
        return CLI_EXIT_USAGE;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        say(tmp, strerror(errno));
        return EXIT_IOERR;
    }
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        unlink(tmp);
        say(tmp, strerror(errno));
        return EXIT_IOERR;
    }
    stc_rc rc = stc_scan_export(uri, name, f, &e);
    if (fclose(f) != 0 && rc == STC_OK) {
        rc = STC_E_IO;
        snprintf(e.msg, sizeof e.msg, "temporary file: %s", strerror(errno));
    }
    if (rc != STC_OK) {
        unlink(tmp);
        say("database", e.msg[0] ? e.msg : stc_rc_name(rc));
        return exit_for(rc);
    }
    return 0;
}

static int write_file(const char *input, const char *compare, const char *path)
{
    char tmp[PATH_MAX_LEN + 8];
    struct stc_err e = {0};
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        say(path, "path too long");
        return CLI_EXIT_USAGE;
    }
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        say(tmp, strerror(errno));
        return EXIT_IOERR;
    }
    stc_rc rc = stc_report_scan_html(input, compare, f, &e);
    if (fclose(f) != 0 && rc == STC_OK) {
        rc = e.code = STC_E_IO;
        snprintf(e.msg, sizeof e.msg, "closing the report: %s", strerror(errno));
    }
    if (rc == STC_OK && rename(tmp, path) != 0) {
        say(path, strerror(errno));
        unlink(tmp);
        return EXIT_IOERR;
    }
    if (rc != STC_OK) {
        unlink(tmp);
        say("report", e.msg[0] ? e.msg : stc_rc_name(rc));
        return exit_for(rc);
    }
    return 0;
}

int cli_report_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"compare", required_argument, NULL, 'c'},
        {"name", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *output = NULL, *compare = NULL, *name = NULL;
    int ch;
    optind = 0;
    opterr = 0;
    while ((ch = getopt_long_only(argc, argv, ":o:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o': output = optarg; break;
        case 'c': compare = optarg; break;
        case 'n': name = optarg; break;
        case 'h': usage(stdout); return 0;
        case ':': say("usage", "an option needs an argument"); return CLI_EXIT_USAGE;
        default: say("usage", "unknown option (see --help)"); return CLI_EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        say("usage", argc - optind == 0 ? "no scan file given" : "one scan file, please");
        fputs("Try 'starttls-check report --help'.\n", stderr);
        return CLI_EXIT_USAGE;
    }
    const char *input = argv[optind];
    if ((output && strlen(output) >= PATH_MAX_LEN) || strlen(input) >= PATH_MAX_LEN) {
        say("usage", "path too long");
        return CLI_EXIT_USAGE;
    }
    char tin[PATH_MAX_LEN], tcmp[PATH_MAX_LEN];
    tin[0] = tcmp[0] = '\0';
    int code = 0;
    if (is_pg(input) && (code = pg_export(input, name, tin, sizeof tin)) == 0)
        input = tin;
    if (code == 0 && compare != NULL && is_pg(compare) &&
        (code = pg_export(compare, name, tcmp, sizeof tcmp)) == 0)
        compare = tcmp;
    if (code == 0 && output != NULL && strcmp(output, "-") != 0) {
        code = write_file(input, compare, output);
    } else if (code == 0) {
        struct stc_err e = {0};
        stc_rc rc = stc_report_scan_html(input, compare, stdout, &e);
        if (rc != STC_OK)
            say("report", e.msg[0] ? e.msg : stc_rc_name(rc));
        code = exit_for(rc);
    }
    if (tin[0])
        unlink(tin);
    if (tcmp[0])
        unlink(tcmp);
    return code;
}
