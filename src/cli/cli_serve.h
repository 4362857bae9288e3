/* cli_serve.h - the `starttls-check serve` command: the web page and JSON API. */
#ifndef STC_CLI_SERVE_H
#define STC_CLI_SERVE_H

#include <stdio.h>

/** Run `serve` with argv[0] == "serve": parse the options, serve until SIGTERM or
 * SIGINT, stop gracefully. Returns the process exit code. */
int cli_serve_main(int argc, char **argv);

/** The usage text of `serve`. */
void cli_serve_usage(FILE *out);

#endif
