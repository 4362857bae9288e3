/* cli_output.h - what starttls-check prints: the text report and escaping.
 *
 * Everything printed comes through here: tree strings are escaped by the
 * library already, and are escaped again on the way out, so no byte below
 * 0x20 other than our own newlines (and colour sequences when asked for)
 * reaches the terminal.
 */
#ifndef STC_CLI_OUTPUT_H
#define STC_CLI_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include <starttls/error.h>
#include <starttls/result.h>

/** The report width the text layout aims for. */
#define CLI_TEXT_WIDTH 100

/**
 * Render the readable report of a result tree (normally a STC_NODE_DOMAIN
 * root) to out: verdict line, MX host table, per-host problems, domain-level
 * findings, numbered recommendations. color: ANSI colours when non-zero.
 * Reads the tree through the public accessors only. STC_E_IO when out
 * reports a write error, STC_E_NOMEM.
 */
stc_rc cli_text_render(FILE *out, const struct stc_result *r, int color);

/**
 * Copy n bytes of in into out as printable ASCII: 0x20..0x7e stay (a
 * backslash too), anything else becomes \xHH. Always NUL-terminates
 * (outsz > 0); truncates with "..." when out is too small. Returns strlen(out).
 */
size_t cli_escape(const char *in, size_t n, char *out, size_t outsz);

#endif
