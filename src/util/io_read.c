/*
 * NAME
 *     io_read - the one read loop: read into a bounded buffer until a parser is satisfied
 * SYNOPSIS
 *     rc = io_read_parse(io, &in, 4096, deadline, parse, ctx, err);
 * DESCRIPTION
 *     Every reader of a network answer (an SMTP reply, a server's TLS first
 *     flight) is the same loop: offer the parser everything held so far;
 *     when it wants more (STC_E_NOTFOUND), read at most `chunk` more bytes
 *     into `in` within the deadline and offer again. The parser sees the
 *     whole buffer each time (the parsers are incremental: they start from
 *     the first byte and never keep pointers), and decides how much of it
 *     it used (the caller consumes that from `in` afterwards).
 * LIMITS
 *     `in` never grows past in->max: a parser that still wants more with a
 *     full buffer ends the loop with STC_E_LIMIT. The deadline bounds each
 *     read (io_read polls against it).
 * DIAGNOSTICS
 *     The parser's answer (STC_OK or its error); STC_E_LIMIT for a full
 *     buffer; io_read's errors (STC_E_PEER when the peer closed,
 *     STC_E_TIMEOUT, STC_E_IO); STC_E_NOMEM from growing the buffer.
 */
#include "io.h"

#include "buf.h"
#include "err.h"

stc_rc io_read_parse(struct io *io, struct buf *in, size_t chunk, struct deadline d,
                     io_parse_fn parse, void *ctx, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    for (;;) {
        rc = parse(ctx, in->data, in->len, err);
        if (rc != STC_E_NOTFOUND)
            goto out;
        size_t room = in->max - in->len;
        if (room > chunk)
            room = chunk;
        STC_ENSURE(room > 0, err, STC_E_LIMIT, "answer longer than %zu bytes", in->max);
        STC_GUARD(buf_reserve(in, room, err));
        size_t got = 0;
        STC_GUARD(io_read(io, in->data + in->len, room, &got, d, err));
        in->len += got;
    }
out:
    return rc;
}
