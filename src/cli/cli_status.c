/*
 * NAME
 *     cli_status - `starttls-check scan-status`: progress, aggregate and export of a
 *     scan in PostgreSQL
 * SYNOPSIS
 *     starttls-check scan-status --db postgresql://... --name NAME
 *                                [--json] [--aggregate] [--aggregate-json FILE]
 *                                [--export FILE|-]
 * DESCRIPTION
 *     Prints the progress of a scan across all its workers (jobs done, in
 *     flight, waiting, failed; rate over the last minute; ETA), as text or
 *     one JSON object (--json). --aggregate prints the scan's statistics
 *     computed in SQL over the database (the same table as `scan
 *     --aggregate`); --export writes every recorded domain as JSON Lines.
 *     Public API only (stc_scan_status_get, stc_scan_db_stats,
 *     stc_scan_export).
 * DIAGNOSTICS
 *     Exit 0, 64 usage, 66 no such scan, 74 database or file error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <starttls/starttls.h>

#include "cli_options.h"
#include "cli_output.h"
#include "cli_scan.h"
#include "util/text.h"

#define PROG "starttls-check scan-status"

enum { S_DB = 1000, S_NAME, S_JSON, S_AGG, S_AGG_JSON, S_EXPORT, S_HELP };

static const struct option sopts[] = {
    {"db", required_argument, NULL, S_DB},
    {"name", required_argument, NULL, S_NAME},
    {"json", no_argument, NULL, S_JSON},
    {"aggregate", no_argument, NULL, S_AGG},
    {"aggregate-json", required_argument, NULL, S_AGG_JSON},
    {"export", required_argument, NULL, S_EXPORT},
    {"help", no_argument, NULL, S_HELP},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *out)
{
    fputs("Usage: starttls-check scan-status --db postgresql://... [--name NAME] [OPTIONS]\n"
          "\n"
          "Progress of a scan shared by many workers (docs/distributed.md).\n"
          "  --name NAME             the scan (default: default)\n"
          "  --json                  progress as one JSON object\n"
          "  --aggregate             statistics of the recorded domains, computed in SQL\n"
          "  --aggregate-json FILE   the statistics as one JSON object (- for stdout)\n"
          "  --export FILE           every recorded domain as JSON Lines (- for stdout)\n"
          "Exit: 0, 64 usage, 66 no such scan, 74 database or file error.\n",
          out);
}

static void complain(const char *a)
{
    char e[512];
    text_censor(a, strlen(a), e, sizeof e);
    fprintf(stderr, PROG ": %s\n", e);
}

static int fail(const struct stc_err *err)
{
    complain(err->msg[0] ? err->msg : stc_rc_name(err->code));
    return err->code == STC_E_NOTFOUND ? CLI_SCAN_EXIT_NOSCAN
           : err->code == STC_E_INVAL  ? CLI_EXIT_USAGE
                                       : CLI_SCAN_EXIT_IO;
}

static FILE *open_out(const char *path)
{
    if (strcmp(path, "-") == 0)
        return stdout;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL && fd >= 0)
        close(fd);
    if (f == NULL) {
        char m[600];
        snprintf(m, sizeof m, "%s: %s", path, strerror(errno));
        complain(m);
    }
    return f;
}

static int close_out(FILE *f, const char *path)
{
    if (f == stdout ? fflush(f) != 0 : fclose(f) != 0) {
        char m[600];
        snprintf(m, sizeof m, "%s: write error", path);
        complain(m);
        return CLI_SCAN_EXIT_IO;
    }
    return 0;
}

static void print_status(const struct stc_scan_status *s, const char *name, int json)
{
    char n[256];
    text_censor(name, strlen(name), n, sizeof n);
    if (json) {
        printf("{\"name\":\"%s\",\"jobs\":%" PRIu64 ",\"queued\":%" PRIu64
               ",\"in_flight\":%" PRIu64 ",\"expired\":%" PRIu64 ",\"done\":%" PRIu64
               ",\"failed\":%" PRIu64 ",\"rejected\":%" PRIu64 ",\"recorded\":%" PRIu64
               ",\"errors\":%" PRIu64 ",\"workers\":%u,\"rate\":%.2f,\"eta_s\":%" PRId64
               ",\"elapsed_s\":%" PRId64 "}\n",
               n, s->jobs, s->queued, s->in_flight, s->expired, s->done, s->failed, s->rejected,
               s->recorded, s->errors, s->workers, s->rate, s->eta_s, s->elapsed_s);
        return;
    }
    printf("scan %s: %" PRIu64 " jobs: %" PRIu64 " done, %" PRIu64 " in flight (%u workers), %" PRIu64
           " waiting, %" PRIu64 " lease expired, %" PRIu64 " failed\n",
           n, s->jobs, s->done, s->in_flight, s->workers, s->queued, s->expired, s->failed);
    printf("recorded domains: %" PRIu64 " (%" PRIu64 " error or could not connect); rejected lines: %" PRIu64 "\n",
           s->recorded, s->errors, s->rejected);
    if (s->eta_s >= 0)
        printf("rate: %.1f domains/s over the last minute; ETA %" PRId64 " s\n", s->rate, s->eta_s);
    else
        printf("rate: %.1f domains/s over the last minute; ETA unknown\n", s->rate);
}

int cli_scan_status_main(int argc, char **argv)
{
    const char *db = NULL, *name = NULL, *agg_json = NULL, *export_path = NULL;
    int json = 0, agg = 0, ch, code = 0;
    struct stc_err err = {0};
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long_only(argc, argv, "", sopts, NULL)) != -1) {
        switch (ch) {
        case S_DB: db = optarg; break;
        case S_NAME: name = optarg; break;
        case S_JSON: json = 1; break;
        case S_AGG: agg = 1; break;
        case S_AGG_JSON: agg_json = optarg; break;
        case S_EXPORT: export_path = optarg; break;
        case S_HELP: usage(stdout); return 0;
        default:
            complain("unknown option or missing argument");
            fprintf(stderr, "Try 'starttls-check scan-status --help'.\n");
            return CLI_EXIT_USAGE;
        }
    }
    if (db == NULL || optind != argc) {
        complain("give --db postgresql://... (and no other arguments)");
        return CLI_EXIT_USAGE;
    }
    if (name == NULL)
        name = "default";
    struct stc_scan_status s;
    if (stc_scan_status_get(db, name, &s, &err) != STC_OK)
        return fail(&err);
    if (export_path == NULL || strcmp(export_path, "-") != 0)
        print_status(&s, name, json);
    if (agg || agg_json) {
        struct stc_scan_stats st;
        if (stc_scan_db_stats(db, name, &st, &err) != STC_OK)
            return fail(&err);
        if (agg && stc_scan_stats_print(&st, stdout, &err) != STC_OK)
            return fail(&err);
        if (agg_json) {
            FILE *f = open_out(agg_json);
            if (f == NULL)
                return CLI_SCAN_EXIT_IO;
            stc_rc rc = stc_scan_stats_json(&st, f, &err);
            int c = close_out(f, agg_json);
            if (rc != STC_OK)
                return fail(&err);
            code = code ? code : c;
        }
    }
    if (export_path) {
        FILE *f = open_out(export_path);
        if (f == NULL)
            return CLI_SCAN_EXIT_IO;
        stc_rc rc = stc_scan_export(db, name, f, &err);
        int c = close_out(f, export_path);
        if (rc != STC_OK)
            return fail(&err);
        code = code ? code : c;
    }
    if (fflush(stdout) != 0)
        code = CLI_SCAN_EXIT_IO;
    return code;
}
