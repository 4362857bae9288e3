/*
 * NAME
 *     fuzz_tls_serverhello - libFuzzer harness for tls_server_reply_parse
 *     (src/tls/tls_serverhello.c): ServerHello, alerts, Certificate,
 *     ServerKeyExchange, SSLv2 SERVER-HELLO/ERROR
 * DESCRIPTION
 *     Every probe connection feeds the server's first flight to this parser,
 *     so its input is attacker bytes. The first input byte chooses want_kex
 *     (bit 0); the rest is the server's flight. Checked:
 *       result     STC_OK, STC_E_NOTFOUND (more bytes needed), STC_E_PEER,
 *                  STC_E_LIMIT or STC_E_NOMEM, nothing else; the error
 *                  record is empty on OK/NOTFOUND, else a printable message
 *                  with the same code.
 *       STC_OK     kind is one of the five reply kinds; the SSLv2 spec
 *                  list stays within TLS_SSL2_SPECS_MAX and within the
 *                  count the server gave; dh_bits is not negative.
 *       always     parsing the same bytes again gives the same result (the
 *                  parser starts from the first byte every time), and an
 *                  exact-size copy is used so ASan sees any read past n.
 *       prefixes   a reply that parses with STC_OK cut one byte short is
 *                  never STC_OK with another kind (incremental parsing
 *                  does not change its mind about what it read).
 */
#include "fuzz_common.h"

#include "tls/tls_wire.h"

static stc_rc parse(const uint8_t *data, size_t size, int want_kex, struct tls_server_reply *out,
                    struct stc_err *err)
{
    uint8_t *cp = malloc(size ? size : 1); /* exact size: ASan sees a read past the end */
    FUZZ_CHECK(cp != NULL);
    if (size)
        memcpy(cp, data, size);
    memset(out, 0, sizeof *out);
    stc_err_clear(err);
    stc_rc rc = tls_server_reply_parse(cp, size, want_kex, out, err);
    free(cp);
    return rc;
}

static void check_ok(const struct tls_server_reply *r)
{
    FUZZ_CHECK(r->kind == TLS_REPLY_HELLO || r->kind == TLS_REPLY_RETRY ||
               r->kind == TLS_REPLY_ALERT || r->kind == TLS_REPLY_SSL2_HELLO ||
               r->kind == TLS_REPLY_SSL2_ERROR);
    FUZZ_CHECK(r->ssl2_nspecs <= TLS_SSL2_SPECS_MAX);
    FUZZ_CHECK(r->ssl2_nspecs <= r->ssl2_nspecs_total);
    FUZZ_CHECK(r->dh_bits >= 0);
    FUZZ_CHECK(r->have_kex == 0 || r->have_kex == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int want_kex = data[0] & 1;
    data++;
    size--;

    struct tls_server_reply a, b;
    struct stc_err ea, eb;
    stc_rc ra = parse(data, size, want_kex, &a, &ea);
    stc_rc rb = parse(data, size, want_kex, &b, &eb);
    FUZZ_CHECK(ra == rb);
    FUZZ_CHECK(ea.code == eb.code && strcmp(ea.msg, eb.msg) == 0);
    FUZZ_CHECK(ra == STC_OK || ra == STC_E_NOTFOUND || ra == STC_E_PEER || ra == STC_E_LIMIT ||
               ra == STC_E_NOMEM);
    fuzz_check_err(&ea, ra, STC_E_NOTFOUND);
    if (ra != STC_OK)
        return 0;
    check_ok(&a);
    FUZZ_CHECK(a.kind == b.kind && a.version == b.version && a.suite == b.suite &&
               a.group == b.group && a.dh_bits == b.dh_bits);
    tls_alert_name(a.alert_desc); /* any byte has a name */
    if (size > 0) {
        struct tls_server_reply c;
        struct stc_err ec;
        if (parse(data, size - 1, want_kex, &c, &ec) == STC_OK)
            FUZZ_CHECK(c.kind == a.kind);
    }
    return 0;
}
