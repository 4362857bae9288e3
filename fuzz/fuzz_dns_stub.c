/*
 * NAME
 *     fuzz_dns_stub - libFuzzer harness for the stub resolver's answer reader
 *     (dns_stub_answer, src/dns/dns_stub.c)
 * DESCRIPTION
 *     With --dnssec=resolver the whole DNS answer comes off the network and
 *     dns_stub.c reads it itself: names with compression pointers, RR
 *     headers, rdata lengths, the CNAME chain, MX names to uncompress. The
 *     first input byte picks the question (name and type: A, AAAA, MX, TXT,
 *     TLSA, SOA); the rest is the answer, copied to an exact-size buffer so
 *     ASan sees a read past it. The question's ID is taken from the answer
 *     half of the time (so most inputs get past the header check), else a
 *     fixed one. Checked on STC_OK:
 *       qname, qtype, qclass as asked; rcode from the header, nxdomain iff
 *       rcode 3; data[] NULL-terminated after k <= ANCOUNT records, each
 *       non-NULL with 0 < len[i] <= input size (MX: 2 + an uncompressed
 *       wire name, at most 257), havedata iff k > 0; canonname a printable
 *       name ending in '.'. On failure *out is NULL and the error record
 *       holds the rc and a printable message. The result is freed with
 *       ub_resolve_free, so LeakSanitizer sees anything left behind.
 */
#include "fuzz_common.h"

#include "dns/dns_int.h"

static const struct {
    const char *name;
    int type;
} questions[] = {
    {"example.com", 1},
    {"example.com", 28},
    {"example.com", 15},
    {"example.com", 16},
    {"_25._tcp.mx.example.com", 52},
    {"www.example.com", 1},
    {".", 6},
    {"mx.example.com", 1},
};

static void check_wire_name(const uint8_t *w, size_t n)
{
    size_t i = 0;
    while (i < n && w[i] != 0) {
        FUZZ_CHECK(w[i] < 64);
        i += 1 + (size_t)w[i];
    }
    FUZZ_CHECK(i + 1 == n && w[i] == 0 && n <= 255);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t nq = sizeof questions / sizeof questions[0];
    const char *qname = questions[data[0] % nq].name;
    int qtype = questions[data[0] % nq].type;
    size_t n = size - 1;
    uint8_t *a = malloc(n ? n : 1); /* exact size: ASan sees a read past n */
    FUZZ_CHECK(a != NULL);
    if (n > 0)
        memcpy(a, data + 1, n);
    uint16_t id = 0x4242;
    if (!(data[0] & 0x80) && n >= 2)
        id = (uint16_t)(a[0] << 8 | a[1]);

    struct stc_err err;
    stc_err_clear(&err);
    struct ub_result *r = (struct ub_result *)&err; /* must be set either way */
    stc_rc rc = dns_stub_answer(qname, qtype, id, a, n, &r, &err);
    fuzz_check_err(&err, rc, STC_OK);
    if (rc != STC_OK) {
        FUZZ_CHECK(rc == STC_E_DNS || rc == STC_E_NOMEM);
        FUZZ_CHECK(r == NULL);
        free(a);
        return 0;
    }
    FUZZ_CHECK(r != NULL && n >= 12);
    FUZZ_CHECK(r->qname != NULL && strcmp(r->qname, qname) == 0);
    FUZZ_CHECK(r->qtype == qtype && r->qclass == 1);
    FUZZ_CHECK(r->rcode == (a[3] & 0x0f));
    FUZZ_CHECK(r->nxdomain == (r->rcode == 3));
    FUZZ_CHECK(!r->secure || (a[3] & 0x20));
    FUZZ_CHECK(r->data != NULL && r->len != NULL);
    size_t an = (size_t)a[6] << 8 | a[7], k = 0;
    while (r->data[k] != NULL) {
        FUZZ_CHECK(k < an);
        FUZZ_CHECK(r->len[k] > 0);
        if (qtype == 15) {
            FUZZ_CHECK(r->len[k] >= 3 && r->len[k] <= 257);
            check_wire_name((const uint8_t *)r->data[k] + 2, (size_t)r->len[k] - 2);
        } else {
            FUZZ_CHECK((size_t)r->len[k] <= n);
        }
        k++;
    }
    FUZZ_CHECK(k <= an);
    FUZZ_CHECK(r->havedata == (k > 0));
    if (r->canonname != NULL) {
        size_t cl = strlen(r->canonname);
        FUZZ_CHECK(cl > 0 && cl < 1024 && r->canonname[cl - 1] == '.');
        FUZZ_CHECK(fuzz_printable(r->canonname, cl));
    }
    ub_resolve_free(r);
    free(a);
    return 0;
}
