/*
 * NAME
 *     smtp_session - read replies and send commands over a struct io
 * SYNOPSIS
 *     void smtp_session_init(struct smtp_session *s, struct io *io);
 *     stc_rc smtp_read_reply(s, deadline, &reply, err);
 *     stc_rc smtp_command(s, "EHLO example.org", deadline, &reply, err);
 *     void smtp_quit(s, deadline);
 * DESCRIPTION
 *     The session borrows its io (the caller owns the socket or TLS stream)
 *     and owns s->in, the bytes received but not yet parsed.
 *     smtp_read_reply() reads until one whole reply parses and consumes
 *     exactly its bytes; anything received after it stays in s->in.
 *
 *     Commands are never pipelined. A server that talks out of turn (bytes
 *     already in s->in when we are about to send a command) would make every
 *     later reply answer the wrong command, so smtp_command() fails with
 *     STC_E_PEER instead of sending. Bytes still in the kernel's socket
 *     buffer are not looked for (that would cost a syscall per command);
 *     they surface as a mismatched reply at worst. STARTTLS handles its own
 *     leftovers (smtp_starttls.c).
 * LIMITS
 *     s->in holds at most one capped reply plus one partial line
 *     (STC_SMTP_REPLY_BYTES_MAX + STC_SMTP_LINE_MAX + slack): the parser
 *     rejects anything longer, so an endless multi-line reply or an endless
 *     line ends with STC_E_LIMIT as soon as the cap is crossed, not at the
 *     deadline. Commands are at most SMTP_CMD_MAX bytes before CRLF.
 *     smtp_quit() waits at most STC_T_QUIT_MS.
 * DIAGNOSTICS
 *     STC_E_INVAL for a command with CR, LF or too long; STC_E_PEER for a
 *     closed connection, garbage, or data before a command; STC_E_LIMIT for
 *     a reply past a cap; STC_E_TIMEOUT at the deadline; STC_E_IO; STC_E_NOMEM.
 */
#include "smtp.h"
#include "../util/timing.h"

#include <string.h>

#include "../util/err.h"

#define READ_CHUNK 4096
#define IN_MAX (STC_SMTP_REPLY_BYTES_MAX + STC_SMTP_LINE_MAX + READ_CHUNK)

void smtp_session_init(struct smtp_session *s, struct io *io)
{
    s->io = io;
    buf_init(&s->in, IN_MAX);
}

void smtp_session_free(struct smtp_session *s)
{
    if (s == NULL)
        return;
    buf_free(&s->in);
    s->io = NULL;
}

void smtp_set_io(struct smtp_session *s, struct io *io)
{
    /* Bytes received on the old stream never carry over to the new one. */
    buf_consume(&s->in, s->in.len);
    s->io = io;
}

struct reply_ctx {
    struct smtp_reply *out;
    size_t used;
};

static stc_rc parse_reply(void *vctx, const uint8_t *p, size_t n, struct stc_err *err)
{
    struct reply_ctx *c = vctx;
    struct rd r;
    rd_init(&r, p, n);
    stc_rc rc = smtp_reply_parse(&r, c->out, err);
    c->used = r.pos;
    return rc;
}

stc_rc smtp_read_reply(struct smtp_session *s, struct deadline d, struct smtp_reply *out,
                       struct stc_err *err)
{
    struct reply_ctx c = {out, 0};
    /* The parser caps a pending reply below the buffer's max, so a full buffer
     * (STC_E_LIMIT from the loop) cannot come before the parser's own limit. */
    stc_rc rc = io_read_parse(s->io, &s->in, READ_CHUNK, d, parse_reply, &c, err);
    if (rc == STC_OK)
        buf_consume(&s->in, c.used);
    return rc;
}

stc_rc smtp_command(struct smtp_session *s, const char *cmd, struct deadline d,
                    struct smtp_reply *out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    char line[SMTP_CMD_MAX + 2];
    size_t n = strnlen(cmd, SMTP_CMD_MAX + 1);
    STC_ENSURE(n > 0 && n <= SMTP_CMD_MAX, err, STC_E_INVAL,
               "SMTP command empty or longer than %d bytes", SMTP_CMD_MAX);
    STC_ENSURE(memchr(cmd, '\r', n) == NULL && memchr(cmd, '\n', n) == NULL, err, STC_E_INVAL,
               "SMTP command contains CR or LF");
    STC_ENSURE(s->in.len == 0, err, STC_E_PEER,
               "server sent %zu bytes before the command (talking out of turn)", s->in.len);
    memcpy(line, cmd, n);
    line[n] = '\r';
    line[n + 1] = '\n';
    STC_GUARD(io_write(s->io, (const uint8_t *)line, n + 2, d, err));
    STC_GUARD(smtp_read_reply(s, d, out, err));
out:
    return rc;
}

void smtp_quit(struct smtp_session *s, struct deadline d)
{
    struct smtp_reply rep;
    struct stc_err ignored;
    stc_err_clear(&ignored);
    /* Leftover input does not matter any more: we are leaving. */
    buf_consume(&s->in, s->in.len);
    if (smtp_command(s, "QUIT", deadline_sub(d, STC_T_QUIT_MS), &rep, &ignored) == STC_OK)
        smtp_reply_free(&rep);
}
