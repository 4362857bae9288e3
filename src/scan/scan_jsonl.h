/* scan_jsonl.h - the JSON Lines output of a scan, and reading it back for --resume. */
#ifndef STC_SCAN_JSONL_H
#define STC_SCAN_JSONL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <starttls/error.h>

#include "scan_seen.h"

struct scan_jsonl {
    int fd;
    int owned; /* close on scan_jsonl_close (not stdout) */
};

/** Open path ("-": stdout) for appending (resume) or truncated. STC_E_IO. */
stc_rc scan_jsonl_open(struct scan_jsonl *j, const char *path, int resume, struct stc_err *err);
/**
 * Write json + '\n' (one write() unless it is short). *start: the file
 * offset the line begins at (-1 when not a regular file). A failed write is
 * cut off again, so the file never keeps part of a line. STC_E_IO, STC_E_NOMEM.
 */
stc_rc scan_jsonl_write(struct scan_jsonl *j, const char *json, long long *start,
                        struct stc_err *err);
/** Cut the file back to start (a line whose database transaction failed). STC_E_IO. */
stc_rc scan_jsonl_undo(struct scan_jsonl *j, long long start, struct stc_err *err);
/** fsync (files) and close. STC_E_IO when fsync/close fails. */
stc_rc scan_jsonl_close(struct scan_jsonl *j, struct stc_err *err);

/**
 * Read an existing output file: add each complete line's domain to done
 * (*n counts them). A torn last line (no LF, e.g. after kill -9) is cut off
 * the file. A missing file is an empty set. STC_E_IO, STC_E_NOMEM.
 */
stc_rc scan_jsonl_load(const char *path, struct scan_seen *done, uint64_t *n, struct stc_err *err);
/** Rewrite path keeping only lines whose domain is in keep. STC_E_IO (also when path is
 *  not a regular file: a device or FIFO is never replaced), STC_E_NOMEM. */
stc_rc scan_jsonl_filter(const char *path, const struct scan_seen *keep, uint64_t *dropped,
                         struct stc_err *err);
/** Called with each complete line (without its LF); a non-OK return stops the walk. */
typedef stc_rc (*scan_jsonl_line_fn)(void *ctx, const char *line, size_t n, struct stc_err *err);
/**
 * Call fn for each complete (LF-terminated) line of f; lines over 16 MiB
 * are skipped, a torn last line is not passed. *complete_end: the offset
 * after the last LF. STC_E_IO on a read error, or fn's code.
 */
stc_rc scan_jsonl_each(FILE *f, scan_jsonl_line_fn fn, void *ctx, long *complete_end,
                       struct stc_err *err);
/** The domain of one output line ({"domain":"NAME",...}) into out; 0 when not one. */
int scan_jsonl_domain(const char *line, size_t n, char *out, size_t outsz);

#endif
