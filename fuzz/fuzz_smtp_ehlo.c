/*
 * NAME
 *     fuzz_smtp_ehlo - libFuzzer harness for smtp_ehlo_parse (src/smtp/smtp_ehlo.c)
 * DESCRIPTION
 *     smtp_ehlo_parse reads the text of a reply smtp_reply_parse made, so
 *     the input goes through smtp_reply_parse first, as on the wire:
 *       first byte even  the rest is framed as an EHLO answer: each input
 *                        line becomes "250-LINE\r\n", the last "250 LINE\r\n";
 *       first byte odd   the rest is the raw server bytes.
 *     Checked: nothing but code 250 sets anything; flags are 0/1; at most 64
 *     keywords, each 1..31 bytes of upper-case letters, digits and '-'
 *     starting with a letter or digit, and each known flag's keyword is
 *     listed (when the list is not full); SIZE is 0 without size_present,
 *     else -1..SMTP_SIZE_MAX; the parse is deterministic.
 */
#include "fuzz_common.h"

#include "smtp/smtp.h"

/* Frame the lines of p as a 250 multi-line reply. */
static uint8_t *frame(const uint8_t *p, size_t n, size_t *out_n)
{
    size_t lines = 1;
    for (size_t i = 0; i < n; i++)
        lines += p[i] == '\n';
    uint8_t *o = malloc(n + lines * 6 + 1);
    FUZZ_CHECK(o != NULL);
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != '\n')
            continue;
        memcpy(o + k, i < n ? "250-" : "250 ", 4);
        k += 4;
        memcpy(o + k, p + start, i - start);
        k += i - start;
        o[k++] = '\r';
        o[k++] = '\n';
        start = i + 1;
    }
    *out_n = k;
    return o;
}

static int upper_keyword(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 31)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = k[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c == '-' && i > 0);
        if (!ok)
            return 0;
    }
    return 1;
}

static int listed(const struct smtp_ehlo *e, const char *kw)
{
    for (size_t i = 0; i < e->nkeywords; i++)
        if (strcmp(e->keywords[i], kw) == 0)
            return 1;
    return 0;
}

static void check_flag(const struct smtp_ehlo *e, int flag, const char *kw)
{
    FUZZ_CHECK(flag == 0 || flag == 1);
    if (flag && e->nkeywords < 64)
        FUZZ_CHECK(listed(e, kw));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t n;
    uint8_t *wire;
    if (data[0] & 1) {
        n = size - 1;
        wire = malloc(n ? n : 1);
        FUZZ_CHECK(wire != NULL);
        memcpy(wire, data + 1, n);
    } else {
        wire = frame(data + 1, size - 1, &n);
    }
    struct rd r;
    struct smtp_reply rep;
    struct stc_err err;
    memset(&rep, 0, sizeof rep);
    stc_err_clear(&err);
    rd_init(&r, wire, n);
    stc_rc rc = smtp_reply_parse(&r, &rep, &err);
    free(wire);

    struct smtp_ehlo a, b;
    /* smtp_ehlo_parse must set every byte: start from two different fills. */
    memset(&a, 0xa5, sizeof a);
    memset(&b, 0x5a, sizeof b);
    smtp_ehlo_parse(rc == STC_OK ? &rep : NULL, &a);
    smtp_ehlo_parse(rc == STC_OK ? &rep : NULL, &b);
    FUZZ_CHECK(memcmp(&a, &b, sizeof a) == 0);

    if (rc != STC_OK || rep.code != 250) {
        struct smtp_ehlo zero;
        memset(&zero, 0, sizeof zero);
        FUZZ_CHECK(memcmp(&a, &zero, sizeof zero) == 0);
    }
    FUZZ_CHECK(a.nkeywords <= 64);
    for (size_t i = 0; i < a.nkeywords; i++) {
        FUZZ_CHECK(fuzz_terminated(a.keywords[i], sizeof a.keywords[i]));
        FUZZ_CHECK(upper_keyword(a.keywords[i]));
    }
    check_flag(&a, a.starttls, "STARTTLS");
    check_flag(&a, a.pipelining, "PIPELINING");
    check_flag(&a, a.requiretls, "REQUIRETLS");
    check_flag(&a, a.chunking, "CHUNKING");
    check_flag(&a, a.smtputf8, "SMTPUTF8");
    check_flag(&a, a.eightbitmime, "8BITMIME");
    check_flag(&a, a.size_present, "SIZE");
    if (!a.size_present)
        FUZZ_CHECK(a.size == 0);
    else
        FUZZ_CHECK(a.size >= -1 && a.size <= SMTP_SIZE_MAX);
    smtp_reply_free(&rep);
    return 0;
}
