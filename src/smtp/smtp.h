/* smtp.h - SMTP client side: replies, EHLO, STARTTLS (RFC 5321, RFC 3207).
 *
 * A struct smtp_session reads and writes through a struct io, so after
 * STARTTLS the TLS layer's io is swapped in with smtp_set_io(). Commands are
 * never pipelined: each waits for its reply. Every reply is capped
 * (STC_SMTP_LINE_MAX per line, STC_SMTP_REPLY_LINES_MAX lines,
 * STC_SMTP_REPLY_BYTES_MAX in all).
 */
#ifndef STC_SMTP_SMTP_H
#define STC_SMTP_SMTP_H

#include <stddef.h>
#include <stdint.h>

#include <starttls/error.h>

#include "../util/buf.h"
#include "../util/timing.h"
#include "../util/deadline.h"
#include "../util/io.h"
#include "../util/limits.h"

#define SMTP_CMD_MAX 510              /* command bytes before CRLF (RFC 5321 4.5.3.1.4) */
#define SMTP_STARTTLS_DRAIN_MAX (64 * 1024) /* bytes drained (and counted) at most */
#define SMTP_SIZE_MAX 1000000000000000L /* largest SIZE accepted (1e15 bytes) */

struct smtp_reply {
    int code;                 /* 200..599 */
    size_t nlines;            /* lines of the reply */
    char first[STC_SMTP_LINE_MAX + 1]; /* text of the first line after "NNN[ -]", exact */
    char *text;               /* all lines' text joined by '\n', exact; malloc'd, may be NULL */
};

struct smtp_ehlo {
    int starttls;
    int pipelining;
    int requiretls;
    int size_present;
    long size;                /* SIZE: 0 without a number, -1 malformed or > SMTP_SIZE_MAX */
    int chunking, smtputf8, eightbitmime;
    size_t nkeywords;
    char keywords[64][32];    /* upper-cased keywords seen (first 64) */
};

struct smtp_session {
    struct io *io;
    struct buf in;            /* received, not yet parsed */
};

/* The session borrows io; the caller keeps owning it (and its fd). */
void smtp_session_init(struct smtp_session *s, struct io *io);
void smtp_session_free(struct smtp_session *s);
/** Swap the stream (after the TLS handshake). Pending input is discarded. */
void smtp_set_io(struct smtp_session *s, struct io *io);

/**
 * Free r->text and set it NULL (safe to call twice). Functions that fill a
 * struct smtp_reply do so on success only and do not free an old text:
 * call this before reusing a reply.
 */
void smtp_reply_free(struct smtp_reply *r);

/**
 * Parse one complete reply from r (incremental: STC_E_NOTFOUND when more
 * bytes are needed, r unchanged then). STC_E_PEER for a reply that is not
 * SMTP (bad code, mixed codes, bad separator, NUL), STC_E_LIMIT past a cap.
 */
stc_rc smtp_reply_parse(struct rd *r, struct smtp_reply *out, struct stc_err *err);

/** Read one reply (banner or answer) before d. */
stc_rc smtp_read_reply(struct smtp_session *s, struct deadline d, struct smtp_reply *out,
                       struct stc_err *err);
/**
 * Send "cmd\r\n" (cmd: 1..SMTP_CMD_MAX bytes, no CR/LF, else STC_E_INVAL)
 * and read its reply. Unparsed input already buffered before sending means
 * the server talked out of turn: STC_E_PEER, nothing sent.
 */
stc_rc smtp_command(struct smtp_session *s, const char *cmd, struct deadline d,
                    struct smtp_reply *out, struct stc_err *err);
/** Parse the EHLO keywords of a 250 reply (case-insensitive). */
void smtp_ehlo_parse(const struct smtp_reply *r, struct smtp_ehlo *out);
/**
 * EHLO name (no HELO fallback); STC_OK whatever the code: out->code tells
 * success (250). ext is filled on 250 and zeroed otherwise.
 */
stc_rc smtp_ehlo(struct smtp_session *s, const char *helo, struct deadline d,
                 struct smtp_reply *out, struct smtp_ehlo *ext, struct stc_err *err);
/**
 * STARTTLS; on a 220 reply any bytes already received after it, or arriving
 * within STC_T_STARTTLS_DRAIN_MS, are discarded (CVE-2011-0411) and counted
 * in *discarded (may be NULL; 0 when not 220); s->in is then empty.
 */
stc_rc smtp_starttls(struct smtp_session *s, struct deadline d, struct smtp_reply *out,
                     size_t *discarded, struct stc_err *err);
/** QUIT, best effort within d; errors ignored. */
void smtp_quit(struct smtp_session *s, struct deadline d);

#endif
