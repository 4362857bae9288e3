/*
 * NAME
 *     fuzz_scan_input - libFuzzer harness for the bulk domain-list reader (src/scan/scan_input.c)
 * DESCRIPTION
 *     The first byte picks the column (bit 7 clear: auto, else 0..3); the
 *     rest is the list file. It is written to a memfd and read through
 *     scan_input_next exactly as a scan reads --file (fd, chunked reads).
 *     Checked for every line until SCAN_LINE_EOF:
 *       line numbers count up by one per returned line;
 *       SCAN_LINE_DOMAIN  domain[] is what stc_domain_normalize accepts
 *                         and gives back unchanged (lower-case LDH name);
 *       SCAN_LINE_REJECT  reason[] non-empty, text[] printable;
 *       every string field NUL-terminated; the reader ends (no more
 *       lines than input bytes + 1) and frees everything.
 */
#include "fuzz_common.h"

#include <sys/mman.h>
#include <unistd.h>

#include <starttls/checker.h>

#include "scan/scan_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int column = (data[0] & 0x80) ? (data[0] & 3) : -1;
    int fd = memfd_create("fuzz_scan_input", 0);
    FUZZ_CHECK(fd >= 0);
    size_t off = 1;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        FUZZ_CHECK(w > 0);
        off += (size_t)w;
    }
    FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0);

    struct scan_input in;
    struct stc_err err;
    stc_err_clear(&err);
    FUZZ_CHECK(scan_input_init(&in, fd, column, &err) == STC_OK);
    uint64_t expect = 1;
    for (;;) {
        struct scan_line l;
        stc_rc rc = scan_input_next(&in, &l, &err);
        FUZZ_CHECK(rc == STC_OK);
        if (l.kind == SCAN_LINE_EOF)
            break;
        FUZZ_CHECK(l.lineno == expect);
        FUZZ_CHECK(expect <= size); /* terminates */
        expect++;
        FUZZ_CHECK(fuzz_terminated(l.domain, sizeof l.domain));
        FUZZ_CHECK(fuzz_terminated(l.reason, sizeof l.reason));
        FUZZ_CHECK(fuzz_terminated(l.text, sizeof l.text));
        FUZZ_CHECK(fuzz_printable(l.text, strlen(l.text)));
        switch (l.kind) {
        case SCAN_LINE_DOMAIN: {
            char again[256];
            struct stc_err e2;
            stc_err_clear(&e2);
            FUZZ_CHECK(l.domain[0] != '\0');
            FUZZ_CHECK(stc_domain_normalize(l.domain, again, sizeof again, &e2) == STC_OK);
            FUZZ_CHECK(strcmp(again, l.domain) == 0);
            break;
        }
        case SCAN_LINE_REJECT:
            FUZZ_CHECK(l.reason[0] != '\0');
            FUZZ_CHECK(fuzz_printable(l.reason, strlen(l.reason)));
            break;
        case SCAN_LINE_SKIP:
            break;
        default:
            FUZZ_CHECK(0);
        }
    }
    scan_input_free(&in);
    close(fd);
    return 0;
}
