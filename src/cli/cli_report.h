/* cli_report.h - `starttls-check report`: the HTML report of a finished scan. */
#ifndef STC_CLI_REPORT_H
#define STC_CLI_REPORT_H

/** argv[0] is "report". Returns the exit code. */
int cli_report_main(int argc, char **argv);

#endif
