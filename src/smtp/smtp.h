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
#include "../util/deadline.h"
#include "../util/io.h"
#include "../util/limits.h"

struct smtp_reply {
    int code;                 /* 200..599 */
    size_t nlines;            /* lines of the reply */
    char first[STC_SMTP_LINE_MAX + 1]; /* text of the first line after "NNN[ -]", escaped */
    char *text;               /* all lines' text joined by '\n', escaped; malloc'd, may be NULL */
};

struct smtp_ehlo {
    int starttls;
    int pipelining;
    int requiretls;
    int size_present;
    long size;
    int chunking, smtputf8, eightbitmime;
    size_t nkeywords;
    char keywords[64][32];    /* upper-cased keywords seen (first 64) */
};

struct smtp_session {
    struct io *io;
    struct buf in;            /* received, not yet parsed */
};

void smtp_session_init(struct smtp_session *s, struct io *io);
void smtp_session_free(struct smtp_session *s);
/** Swap the stream (after the TLS handshake). Pending input must be empty. */
void smtp_set_io(struct smtp_session *s, struct io *io);

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
/** Send "cmd\r\n" (cmd must hold no CR/LF) and read its reply. */
stc_rc smtp_command(struct smtp_session *s, const char *cmd, struct deadline d,
                    struct smtp_reply *out, struct stc_err *err);
/** Parse the EHLO keywords of a 250 reply (case-insensitive). */
void smtp_ehlo_parse(const struct smtp_reply *r, struct smtp_ehlo *out);
/** EHLO name; out->code tells success (250). ext filled on 250. */
stc_rc smtp_ehlo(struct smtp_session *s, const char *helo, struct deadline d,
                 struct smtp_reply *out, struct smtp_ehlo *ext, struct stc_err *err);
/**
 * STARTTLS; on a 220 reply any bytes already received after it are
 * discarded (CVE-2011-0411) and counted in *discarded.
 */
stc_rc smtp_starttls(struct smtp_session *s, struct deadline d, struct smtp_reply *out,
                     size_t *discarded, struct stc_err *err);
/** QUIT, best effort within d; errors ignored. */
void smtp_quit(struct smtp_session *s, struct deadline d);

#endif
