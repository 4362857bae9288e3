/* cli_scan.h - the `starttls-check scan` command: bulk scans of a domain list. */
#ifndef STC_CLI_SCAN_H
#define STC_CLI_SCAN_H

#include <stdio.h>

/* Exit codes of scan besides 0, CLI_EXIT_USAGE (64) and CLI_EXIT_INTERNAL (70). */
#define CLI_SCAN_EXIT_IO 74           /* EX_IOERR: input or output file error */
#define CLI_SCAN_EXIT_INTERRUPTED 130 /* stopped by SIGINT/SIGTERM */
#define CLI_SCAN_EXIT_NOSCAN 66       /* EX_NOINPUT: no scan of that name in the database */

/**
 * Run `scan` with argv[0] == "scan": parse the options, scan, print the
 * summary. Returns the process exit code. Installs SIGINT/SIGTERM handlers
 * for the duration of the scan.
 */
int cli_scan_main(int argc, char **argv);
/** `worker` (argv[0] == "worker"): the scan options without FILE; jobs from --db. */
int cli_worker_main(int argc, char **argv);
/** `scan-status` (argv[0] == "scan-status"): progress, --aggregate, --export. */
int cli_scan_status_main(int argc, char **argv);

/** The usage text of `scan`. */
void cli_scan_usage(FILE *out);

#endif
