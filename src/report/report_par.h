/* report_par.h - parse a stream of domain JSON texts on worker threads, hand the trees back
 * in input order. */
#ifndef STC_REPORT_PAR_H
#define STC_REPORT_PAR_H

#include <stddef.h>

#include <starttls/error.h>
#include <starttls/result.h>

/** Called on the reading thread, in input order, with each text's tree (NULL when it
 *  did not parse: parse_rc says why). The tree is the callee's (stc_result_free). */
typedef stc_rc (*par_tree_fn)(void *ctx, struct stc_result *tree, stc_rc parse_rc,
                              struct stc_err *err);

/**
 * Read path with scan_read_each, parse each domain's JSON with
 * stc_result_from_json on up to PAR_THREADS_MAX threads, and call fn with the
 * trees in the order of the input. STC_E_IO (input), fn's code, STC_E_NOMEM.
 */
stc_rc par_read_trees(const char *path, par_tree_fn fn, void *ctx, struct stc_err *err);

#endif
