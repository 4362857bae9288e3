/*
 * NAME
 *     fuzz_smtp_reply - libFuzzer harness for smtp_reply_parse (src/smtp/smtp_reply.c)
 * DESCRIPTION
 *     The input is a byte stream from a server. Replies are parsed one after
 *     the other, as smtp_read_reply does, until the stream ends or fails.
 *     Checked for every reply:
 *       STC_OK       code 200..599; 1..STC_SMTP_REPLY_LINES_MAX lines;
 *                    `first` and `text` the exact bytes received (no NUL;
 *                    text: '\n' between lines, exactly nlines-1 of them,
 *                    none inside `first`); `first` is
 *                    the first line of `text` (or its "..." cut); the
 *                    reader advanced by 1..STC_SMTP_REPLY_BYTES_MAX bytes;
 *                    every shorter prefix of the reply is STC_E_NOTFOUND
 *                    (incremental parsing never fails on a good reply).
 *       failure      the reader did not move; STC_E_NOTFOUND writes no
 *                    error, every other failure a printable message;
 *                    only STC_E_PEER / STC_E_LIMIT are possible on input.
 *       always       parsing the same bytes again gives the same result.
 *     Every reply is freed; LeakSanitizer reports what is not.
 */
#include "fuzz_common.h"

#include "smtp/smtp.h"

static stc_rc parse_at(const uint8_t *data, size_t size, size_t pos, struct smtp_reply *rep,
                       struct stc_err *err, size_t *newpos)
{
    struct rd r;
    rd_init(&r, data, size);
    r.pos = pos;
    memset(rep, 0, sizeof *rep);
    stc_err_clear(err);
    stc_rc rc = smtp_reply_parse(&r, rep, err);
    *newpos = r.pos;
    return rc;
}

static void check_ok(const struct smtp_reply *rep, size_t consumed)
{
    FUZZ_CHECK(rep->code >= 200 && rep->code <= 599);
    FUZZ_CHECK(rep->nlines >= 1 && rep->nlines <= STC_SMTP_REPLY_LINES_MAX);
    FUZZ_CHECK(consumed >= 4 && consumed <= STC_SMTP_REPLY_BYTES_MAX); /* "DDD\n" at least */
    FUZZ_CHECK(fuzz_terminated(rep->first, sizeof rep->first));
    size_t fl = strlen(rep->first);
    /* Texts are kept exactly as received (smtp_reply.c LIMITS): any byte but
     * NUL, and never a line feed inside a line. */
    FUZZ_CHECK(memchr(rep->first, '\n', fl) == NULL);
    FUZZ_CHECK(rep->text != NULL);
    size_t tl = strlen(rep->text);
    size_t newlines = 0;
    for (size_t i = 0; i < tl; i++)
        newlines += rep->text[i] == '\n';
    FUZZ_CHECK(newlines == rep->nlines - 1);
    /* first == first line of text, or a prefix of it cut with "...". */
    const char *nl = memchr(rep->text, '\n', tl);
    size_t l1 = nl ? (size_t)(nl - rep->text) : tl;
    if (!(fl == l1 && memcmp(rep->first, rep->text, l1) == 0)) {
        FUZZ_CHECK(fl >= 3 && memcmp(rep->first + fl - 3, "...", 3) == 0);
        FUZZ_CHECK(fl - 3 < l1 && memcmp(rep->first, rep->text, fl - 3) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pos = 0;
    for (int round = 0; round < 64 && pos <= size; round++) {
        struct smtp_reply a, b;
        struct stc_err ea, eb;
        size_t pa, pb;
        stc_rc ra = parse_at(data, size, pos, &a, &ea, &pa);
        stc_rc rb = parse_at(data, size, pos, &b, &eb, &pb);

        /* Deterministic. */
        FUZZ_CHECK(ra == rb && pa == pb);
        FUZZ_CHECK(ea.code == eb.code && strcmp(ea.msg, eb.msg) == 0);
        fuzz_check_err(&ea, ra, STC_E_NOTFOUND);

        if (ra != STC_OK) {
            FUZZ_CHECK(ra == STC_E_NOTFOUND || ra == STC_E_PEER || ra == STC_E_LIMIT);
            FUZZ_CHECK(pa == pos); /* nothing consumed */
            FUZZ_CHECK(a.text == NULL); /* out written on success only */
            break;
        }
        FUZZ_CHECK(a.code == b.code && a.nlines == b.nlines);
        FUZZ_CHECK(strcmp(a.first, b.first) == 0 && strcmp(a.text, b.text) == 0);
        check_ok(&a, pa - pos);

        /* Incremental: the reply cut short anywhere is "need more bytes". */
        size_t len = pa - pos;
        size_t cuts[3] = {len - 1, len / 2, (size_t)data[pos] % len};
        for (int i = 0; i < 3; i++) {
            struct smtp_reply c;
            struct stc_err ec;
            size_t pc;
            /* An exact-size copy, so ASan sees any read past the cut. */
            uint8_t *cp = malloc(cuts[i] ? cuts[i] : 1);
            FUZZ_CHECK(cp != NULL);
            memcpy(cp, data + pos, cuts[i]);
            stc_rc rc = parse_at(cp, cuts[i], 0, &c, &ec, &pc);
            free(cp);
            if (rc != STC_E_NOTFOUND)
                fprintf(stderr, "prefix of %zu/%zu bytes: %s (%s)\n", cuts[i], len,
                        stc_rc_name(rc), ec.msg);
            FUZZ_CHECK(rc == STC_E_NOTFOUND);
            FUZZ_CHECK(pc == 0);
            smtp_reply_free(&c);
        }
        smtp_reply_free(&a);
        smtp_reply_free(&b);
        smtp_reply_free(&b); /* documented as safe to call twice */
        pos = pa;
    }
    return 0;
}
