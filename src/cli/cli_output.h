/* cli_output.h - what starttls-check prints: the text report and escaping.
 *
 * Everything printed comes through here: tree strings are escaped by the
 * library already, and are escaped again on the way out (text_censor,
 * src/util/text.h), so no byte below
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

#endif
