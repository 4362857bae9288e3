/*
 * NAME
 *     smtp_starttls - send STARTTLS and drop plaintext injected after "220"
 * SYNOPSIS
 *     stc_rc smtp_starttls(s, deadline, &reply, &discarded, err);
 * DESCRIPTION
 *     CVE-2011-0411 (and its many re-discoveries): a man in the middle
 *     appends plaintext after the server's "220 ready" so that it is read
 *     as if it came inside TLS. RFC 3207 says the server sends nothing more
 *     in plaintext, and after 220 it only speaks TLS once our ClientHello
 *     arrives, so every byte we can see before we send the ClientHello is
 *     injected: it is dropped and counted in *discarded.
 *
 *     Two places hold such bytes: s->in (read together with the 220) and
 *     the socket itself (not read yet). The second is emptied by a short
 *     drain: read whatever arrives within STC_T_STARTTLS_DRAIN_MS (bounded
 *     by the caller's deadline). Reading cannot steal a ServerHello,
 *     because none is sent before our ClientHello. A timeout or a closed
 *     connection ends the drain without an error: the TLS handshake reports
 *     those. After a 220, s->in is empty, ready for smtp_set_io().
 *
 *     A reply other than 220 is returned as STC_OK with out->code telling
 *     the refusal; nothing is discarded then.
 * LIMITS
 *     The drain costs up to STC_T_STARTTLS_DRAIN_MS per STARTTLS and reads
 *     at most SMTP_STARTTLS_DRAIN_MAX bytes (counted, then it stops).
 * DIAGNOSTICS
 *     Whatever smtp_command returns (STC_E_PEER, STC_E_LIMIT,
 *     STC_E_TIMEOUT, STC_E_IO, STC_E_NOMEM). The drain never fails.
 */
#include "smtp.h"
#include "../util/timing.h"

#include "../util/err.h"

static size_t drain(struct smtp_session *s, struct deadline d)
{
    uint8_t scratch[1024];
    size_t total = 0;
    struct deadline until = deadline_sub(d, STC_T_STARTTLS_DRAIN_MS);
    while (total < SMTP_STARTTLS_DRAIN_MAX) {
        struct stc_err ignored;
        size_t got = 0;
        stc_err_clear(&ignored);
        if (io_read(s->io, scratch, sizeof scratch, &got, until, &ignored) != STC_OK)
            break;
        total += got;
    }
    return total;
}

stc_rc smtp_starttls(struct smtp_session *s, struct deadline d, struct smtp_reply *out,
                     size_t *discarded, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    size_t dropped = 0;
    STC_GUARD(smtp_command(s, "STARTTLS", d, out, err));
    if (out->code == 220) {
        dropped = s->in.len;
        buf_consume(&s->in, s->in.len);
        dropped += drain(s, d);
    }
out:
    if (discarded != NULL)
        *discarded = dropped;
    return rc;
}
