/* scan_input.h - the domain list reader: CSV (rank,domain), one per line, or --column N. */
#ifndef STC_SCAN_INPUT_H
#define STC_SCAN_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include <starttls/error.h>

#define SCAN_LINE_MAX 1024 /* longer lines are rejected */
#define SCAN_FIELDS_MAX 64 /* CSV fields looked at per line */
#define SCAN_READ_CHUNK 65536

enum scan_line_kind {
    SCAN_LINE_DOMAIN = 0, /* domain[] holds the normalized name */
    SCAN_LINE_SKIP,       /* blank, comment or header */
    SCAN_LINE_REJECT,     /* reason[] says why, text[] shows the line (escaped) */
    SCAN_LINE_EOF
};

struct scan_line {
    enum scan_line_kind kind;
    uint64_t lineno; /* 1-based */
    char domain[256];
    char reason[320];
    char text[128];
};

struct scan_input {
    int fd;
    int column;        /* -1: auto ("rank,domain" or one name), else 0-based */
    uint8_t *buf;      /* SCAN_READ_CHUNK + SCAN_LINE_MAX bytes */
    size_t start, len; /* unread bytes are buf[start..len) */
    uint64_t lineno;
    int eof;
    int skipping;  /* inside an over-long line: drop up to the next LF */
    int seen_data; /* a non-blank, non-comment line was seen (header detection) */
    long wait_ms;  /* > 0: scan_input_next waits at most this for input (a stalled pipe) */
};

/** Read from fd (not closed here). column: -1 auto, else 0-based. STC_E_NOMEM. */
stc_rc scan_input_init(struct scan_input *in, int fd, int column, struct stc_err *err);
void scan_input_free(struct scan_input *in);
/** The next line, classified. STC_E_IO on a read error; STC_E_TIMEOUT when wait_ms > 0
 *  passed without input (call again: nothing is lost). */
stc_rc scan_input_next(struct scan_input *in, struct scan_line *out, struct stc_err *err);
/**
 * Classify one line (no LF; a trailing CR is dropped): what scan_input_next
 * does per line. first: is this the first data line (a header may be skipped).
 */
void scan_input_parse(const uint8_t *p, size_t n, int column, int first, struct scan_line *out);
/** Count the lines that are neither blank nor comments in a regular file (for progress). */
stc_rc scan_input_count(int fd, uint64_t *n, struct stc_err *err);

#endif
