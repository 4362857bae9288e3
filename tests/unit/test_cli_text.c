/* test_cli_text.c - the text report (src/cli/cli_text.c) on trees built with
 * the result_tree.h builders, rendered into a memory stream.
 *
 * The CLI sources are not part of stc_core, so the two files under test are
 * compiled into this test directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/checks.h"
#include "probe/host_obs.h"
#include "result/result_tree.h"

#include "cli/cli_text.c"
#include "util/text.h"

static struct stc_result *add_host(struct stc_result *root, const char *name, long long pref,
                                   const char *addr, const char *version, const char *cipher,
                                   int cert_valid, long long days)
{
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, name, NULL));
    result_fact_str(h, "domain", stc_result_name(root));
    result_fact_int(h, "preference", pref);
    if (addr != NULL)
        result_fact_str(h, "address", addr);
    result_add_check(h, "connectivity", NULL);
    struct stc_result *c = result_add_check(h, "starttls", NULL);
    result_fact_bool(c, "advertised", 1);
    result_fact_bool(c, "handshake", 1);
    c = result_add_check(h, "certificate", NULL);
    result_fact_bool(c, "valid", cert_valid);
    result_fact_int(c, "days_to_expiry", days);
    c = result_add_check(h, "version", NULL);
    result_fact_str(c, "negotiated", version);
    c = result_add_check(h, "cipher", NULL);
    result_fact_str(c, "negotiated", cipher);
    return h;
}

static struct stc_result *sample_tree(void)
{
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    result_msg(root, STC_STATUS_FAILURE, "mx2.example.com: problems found");
    result_fact_list_add(root, "mx_hosts", "mx1.example.com");
    result_fact_list_add(root, "mx_hosts", "mx2.example.com");
    result_set_domain_status(root, STC_DOMAIN_FAILURE);

    add_host(root, "mx1.example.com", 10, "192.0.2.1", "TLSv1.3", "TLS_AES_256_GCM_SHA384", 1, 80);
    struct stc_result *h2 = add_host(root, "mx2.example.com", 20, "192.0.2.2", "TLSv1.2",
                                     "ECDHE-RSA-AES128-GCM-SHA256", 0, -3);
    struct stc_result *c = result_find_mut(h2, "certificate");
    result_msg(c, STC_STATUS_FAILURE, "The certificate expired 3 days ago");
    result_recommend(c, "Renew the certificate.");
    c = result_find_mut(h2, "version");
    result_msg(c, STC_STATUS_WARNING, "Still accepts TLSv1.0, deprecated by RFC 8996");
    result_recommend(c, "Turn off TLS 1.0 and 1.1.");

    struct stc_result *m = result_add_check(root, "mta_sts", NULL);
    result_note(m, "Policy in enforce mode");
    struct stc_result *t = result_add_check(root, "tls-rpt", NULL);
    result_msg(t, STC_STATUS_WARNING, "No TLS-RPT record");
    result_recommend(t, "Publish a TLS-RPT record.");
    /* The same advice twice: shown once. */
    result_recommend(t, "Renew the certificate.");
    result_rollup(root);
    assert_false(result_oom(root));
    return root;
}

/* Render into a malloc'd string. */
static char *render(const struct stc_result *r, int color)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(cli_text_render(f, r, color), STC_OK);
    assert_int_equal(fclose(f), 0);
    return buf;
}

/* The line of text starting at the first occurrence of needle's line. */
static char *line_with(const char *text, const char *needle, char *out, size_t outsz)
{
    const char *p = strstr(text, needle);
    if (p == NULL)
        fail_msg("\"%s\" not in:\n%s", needle, text);
    while (p > text && p[-1] != '\n')
        p--;
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    assert_true(n < outsz);
    memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

/* Each word appears in line, in this order. */
static void assert_in_order(const char *line, ...)
{
    va_list ap;
    va_start(ap, line);
    const char *p = line, *w;
    while ((w = va_arg(ap, const char *)) != NULL) {
        const char *q = strstr(p, w);
        if (q == NULL)
            fail_msg("\"%s\" missing (in order) in line: %s", w, line);
        p = q + strlen(w);
    }
    va_end(ap);
}

static void assert_safe(const char *text, int allow_esc)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '\n' || (allow_esc && *p == 0x1b))
            continue;
        if (*p < 0x20 || *p == 0x7f)
            fail_msg("control byte 0x%02x at offset %zu", *p,
                     (size_t)(p - (const unsigned char *)text));
    }
}

static void assert_width(const char *text, size_t max, int skip_first)
{
    const char *p = text;
    int first = 1;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (!(first && skip_first) && n > max)
            fail_msg("line of %zu columns: %.*s", n, (int)n, p);
        first = 0;
        p += n + (e ? 1 : 0);
    }
}

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static void test_report(void **state)
{
    (void)state;
    struct stc_result *root = sample_tree();
    char *out = render(root, 0);
    char line[512];

    assert_true(
        strncmp(out, "example.com: failure \xe2\x80\x94 mx2.example.com: problems found\n",
                strlen("example.com: failure \xe2\x80\x94 mx2.example.com: problems found\n")) ==
        0);
    assert_in_order(line_with(out, "PREF", line, sizeof line), "PREF", "HOST", "ADDRESS",
                    "STARTTLS", "TLS", "CIPHER", "CERTIFICATE", NULL);
    assert_null(strstr(line, "DANE")); /* no host has a dane check */
    assert_in_order(line_with(out, "  10  mx1.example.com", line, sizeof line), "10",
                    "mx1.example.com", "192.0.2.1", "yes", " 1.3 ", " AES_256_GCM_SHA384 ",
                    "valid 80d", NULL);
    assert_in_order(line_with(out, "  20  mx2.example.com", line, sizeof line), "20",
                    "mx2.example.com", "192.0.2.2", "yes", " 1.2 ", "ECDHE-RSA-AES128-GCM-SHA256",
                    "expired", NULL);
    /* Columns line up: the address starts at the same place in both rows. */
    char l1[512], l2[512];
    line_with(out, "192.0.2.1", l1, sizeof l1);
    line_with(out, "192.0.2.2", l2, sizeof l2);
    assert_int_equal(strstr(l1, "192.0.2.1") - l1, strstr(l2, "192.0.2.2") - l2);
    assert_int_equal(strstr(l1, " 1.3 ") - l1, strstr(l2, " 1.2 ") - l2);

    /* Problems of mx2 only; mx1 has none. */
    assert_non_null(strstr(out, "\nmx2.example.com:\n"));
    assert_null(strstr(out, "\nmx1.example.com:\n"));
    assert_in_order(line_with(out, "expired 3 days", line, sizeof line), "certificate", "failure",
                    "The certificate expired 3 days ago", NULL);
    assert_in_order(line_with(out, "RFC 8996", line, sizeof line), "version", "warning",
                    "Still accepts TLSv1.0", NULL);

    /* Domain-level checks, successes included. */
    assert_non_null(strstr(out, "\nDomain checks:\n"));
    assert_in_order(line_with(out, "  mta_sts", line, sizeof line), "mta_sts", "success",
                    "Policy in enforce mode", NULL);
    assert_in_order(line_with(out, "  tls-rpt", line, sizeof line), "tls-rpt", "warning",
                    "No TLS-RPT record", NULL);

    /* Recommendations: numbered, most severe first, duplicates dropped. */
    assert_non_null(strstr(out, "\nRecommendations:\n"
                                "  1. Renew the certificate.\n"
                                "  2. Turn off TLS 1.0 and 1.1.\n"
                                "  3. Publish a TLS-RPT record.\n"));
    assert_int_equal(count(out, "Renew the certificate."), 1);

    assert_safe(out, 0);
    assert_width(out, CLI_TEXT_WIDTH, 0);
    free(out);
    stc_result_free(root);
}

static void test_color(void **state)
{
    (void)state;
    struct stc_result *root = sample_tree();
    char *plain = render(root, 0);
    char *out = render(root, 1);
    assert_null(strchr(plain, '\033'));
    assert_non_null(strstr(out, "example.com: \033[31mfailure\033[0m"));
    assert_non_null(strstr(out, "\033[32mmx1.example.com\033[0m"));
    assert_non_null(strstr(out, "\033[31mmx2.example.com\033[0m"));
    assert_non_null(strstr(out, "\033[33mwarning\033[0m"));
    assert_safe(out, 1);
    free(plain);
    free(out);
    stc_result_free(root);
}

/* Long names push the table into two lines per host, still within 100 columns. */
static void test_two_line_table(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "gmail.example", NULL);
    result_msg(root, STC_STATUS_SUCCESS, "1 of 1 MX host checked");
    struct stc_result *h =
        add_host(root, "alt1.gmail-smtp-in.l.google.example", 5, "2001:db8:4023:c0b::1b", "TLSv1.3",
                 "TLS_CHACHA20_POLY1305_SHA256", 1, 1);
    struct stc_result *d = result_add_check(h, "dane", NULL);
    result_note(d, "TLSA 3 1 1 matches");
    result_rollup(root);
    char *out = render(root, 0);
    char line[512];
    assert_in_order(line_with(out, "PREF", line, sizeof line), "PREF", "HOST", "ADDRESS", NULL);
    assert_null(strstr(line, "CIPHER"));
    assert_in_order(line_with(out, "STARTTLS", line, sizeof line), "STARTTLS", "TLS", "CIPHER",
                    "CERTIFICATE", "DANE", NULL);
    assert_in_order(line_with(out, "alt1.gmail", line, sizeof line), "5",
                    "alt1.gmail-smtp-in.l.google.example", "2001:db8:4023:c0b::1b", NULL);
    char row2[512];
    line_with(out, "CHACHA20", row2, sizeof row2);
    assert_in_order(row2, "yes", "1.3", " CHACHA20_POLY1305_SHA256 ", "valid 1d", "success", NULL);
    /* The second line starts under the host column. */
    assert_int_equal(strstr(row2, "yes") - row2, strstr(line, "alt1") - line);
    assert_width(out, CLI_TEXT_WIDTH, 0);
    assert_null(strstr(out, "Recommendations"));
    assert_null(strstr(out, "Domain checks"));
    free(out);
    stc_result_free(root);
}

/* A row a little too wide with its cipher: the cipher goes to a detail
 * line under the host (abbreviated: no "TLS_", no "_WITH"); the dnssec line
 * sits before the DANE summary; recommendations come most severe first. */
static void test_cipher_detail_line(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "legacy.example", NULL);
    result_verdict(root, "mx.mail-legacy-systems.legacy.example: warnings found");
    result_fact_str(root, "mx_dnssec", "secure");
    struct stc_result *h =
        add_host(root, "mx.mail-legacy-systems.legacy.example", 10, "2001:db8:1::25", "TLSv1",
                 "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 1, 300);
    struct stc_result *d = result_add_check(h, "dane", NULL);
    result_fact_bool(d, "tlsa_present", 0);
    struct stc_result *v = result_find_mut(h, "version");
    result_msg(v, STC_STATUS_WARNING, "Negotiated TLSv1");
    result_recommend(v, "Disable TLS 1.0 and 1.1.");
    struct stc_result *t = result_add_check(root, "tls-rpt", NULL);
    result_note(t, "TLS reports go to mailto:x@legacy.example");
    result_recommend(t, "Advice that comes first in the tree.");
    struct stc_result *dd = result_add_check(root, "dane", NULL);
    result_msg(dd, STC_STATUS_FAILURE, "DANE summary");
    result_recommend(dd, "Fix the failure first.");
    result_rollup(root);
    result_set_domain_status(root, STC_DOMAIN_FAILURE);

    char *out = render(root, 0);
    char line[512], detail[512];
    line_with(out, "PREF", line, sizeof line);
    assert_in_order(line, "PREF", "HOST", "ADDRESS", "STARTTLS", "TLS", "CERTIFICATE", "DANE",
                    NULL);
    assert_null(strstr(line, "CIPHER"));
    assert_in_order(line_with(out, "  10  mx.mail-legacy", line, sizeof line), "2001:db8:1::25",
                    "yes", " 1.0 ", "valid 300d", "no TLSA", NULL);
    line_with(out, "cipher ", detail, sizeof detail);
    assert_non_null(strstr(detail, "cipher ECDHE_RSA_AES_256_CBC_SHA"));
    assert_int_equal(strstr(detail, "cipher") - detail, strstr(line, "mx.mail") - line);
    /* dnssec before dane, tls-rpt before both. */
    assert_in_order(out, "\n  tls-rpt ", "\n  dnssec ", "\n  dane ", NULL);
    assert_in_order(line_with(out, "  dnssec", line, sizeof line), "secure", "DNSSEC-signed",
                    NULL);
    assert_non_null(strstr(out, "\nRecommendations:\n"
                                "  1. Fix the failure first.\n"
                                "  2. Disable TLS 1.0 and 1.1.\n"
                                "  3. Advice that comes first in the tree.\n"));
    assert_width(out, CLI_TEXT_WIDTH, 0);
    free(out);
    stc_result_free(root);
}

/* Without a trust anchor: the root note says it once, and no "dnssec" line
 * repeats it (issue 12). */
static void test_dnssec_not_validated(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    result_verdict(root, "1 of 1 MX host checked: STARTTLS with a valid certificate");
    result_fact_str(root, "mx_dnssec", "unknown");
    result_fact_bool(root, "dnssec_validated", 0);
    result_note(root, "DNSSEC could not be validated: no trust anchor");
    add_host(root, "mx1.example.com", 10, "192.0.2.1", "TLSv1.3", "TLS_AES_256_GCM_SHA384", 1, 80);
    struct stc_result *t = result_add_check(root, "tls-rpt", NULL);
    result_note(t, "TLS reports go to mailto:x@example.com");
    result_rollup(root);
    result_set_domain_status(root, STC_DOMAIN_SUCCESS);
    char *out = render(root, 0);
    assert_int_equal(count(out, "DNSSEC could not be validated"), 1);
    assert_non_null(strstr(out, "\n  note: DNSSEC could not be validated"));
    assert_null(strstr(out, "\n  dnssec "));
    assert_null(strstr(out, "DANE"));
    free(out);
    /* Validated: the dnssec line is back. */
    result_fact_bool(root, "dnssec_validated", 1);
    result_fact_str(root, "mx_dnssec", "insecure");
    out = render(root, 0);
    assert_non_null(strstr(out, "\n  dnssec "));
    free(out);
    stc_result_free(root);
}

/* ---- reports as a careful person writes them (issue 12), from the real judges ---- */

#define SPKI_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

/* A host node judged by check_dane(): addresses `sec`; secure ones have no
 * TLSA records (tlsa NULL) or one 3 1 1 record matching the served key. */
static void dane_host(struct stc_result *root, const char *name, enum dns_security sec,
                      const struct dns_tlsa *tlsa)
{
    struct host_obs o;
    memset(&o, 0, sizeof o);
    snprintf(o.host, sizeof o.host, "%s", name);
    o.resolved = o.connected = o.banner_ok = o.ehlo_ok = 1;
    o.ext.starttls = 1;
    o.starttls_code = 220;
    o.handshake_ok = 1;
    o.info.have_cert = o.info.chain_trusted = o.info.name_matches = 1;
    o.info.dane_usage = o.info.dane_selector = o.info.dane_mtype = o.info.dane_depth = -1;
    snprintf(o.info.spki_sha256, sizeof o.info.spki_sha256, "%s", SPKI_HEX);
    o.addr_sec = sec;
    if (sec == DNS_SECURE) {
        o.tlsa_looked_up = 1;
        snprintf(o.tlsa_name, sizeof o.tlsa_name, "_25._tcp.%s", name);
        o.tlsa.st.sec = DNS_SECURE;
        o.tlsa.st.nodata = tlsa == NULL;
        o.tlsa.rr = (struct dns_tlsa *)tlsa;
        o.tlsa.n = tlsa != NULL;
        if (tlsa != NULL) {
            o.info.dane_enabled = o.info.dane_authenticated = 1;
            o.info.dane_usage = 3;
            o.info.dane_selector = 1;
            o.info.dane_mtype = 1;
            o.info.dane_depth = 0;
        }
    }
    struct stc_result *h = add_host(root, name, 10, "192.0.2.1", "TLSv1.3",
                                    "TLS_AES_256_GCM_SHA384", 1, 80);
    check_dane(&o, h);
}

static struct stc_result *dane_root(const char *mx_dnssec)
{
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    result_verdict(root, "the verdict");
    result_fact_str(root, "mx_dnssec", mx_dnssec);
    result_fact_bool(root, "dnssec_validated", 1);
    return root;
}

/* The report with wrapped lines joined again: continuation lines (a newline,
 * then more than two blanks) become one blank, so "\n  X" still starts an
 * item and a wrapped sentence can be searched whole. */
static char *judge_and_render(struct stc_result *root)
{
    check_dane_domain("example.com", root);
    result_rollup(root);
    result_set_domain_status(root, STC_DOMAIN_SUCCESS);
    assert_false(result_oom(root));
    char *out = render(root, 0);
    char *w = out;
    for (const char *r = out; *r;) {
        size_t blanks = 0;
        if (*r == '\n')
            while (r[1 + blanks] == ' ')
                blanks++;
        if (*r == '\n' && blanks > 2 && r[1 + blanks] != '\0') {
            *w++ = ' ';
            r += 1 + blanks;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return out;
}

/* No recommendation twice: the per-host TLSA record to publish is not
 * followed by a generic "publish TLSA records for every MX host". */
static void test_no_recommendation_twice(void **state)
{
    (void)state;
    struct stc_result *root = dane_root("secure");
    dane_host(root, "mx1.example.com", DNS_SECURE, NULL);
    char *out = judge_and_render(root);
    assert_int_equal(count(out, "Publish a TLSA record for the certificate's public key: "
                                "_25._tcp.mx1.example.com. IN TLSA 3 1 1 " SPKI_HEX),
                     1);
    assert_int_equal(count(out, "for every"), 0);
    assert_int_equal(count(out, "\n  1. "), 1);
    assert_null(strstr(out, "\n  2. "));
    free(out);
    stc_result_free(root);
}

/* A domain without DNSSEC: one DANE line and one fix, not one per host. */
static void test_unsigned_domain_one_dane_line(void **state)
{
    (void)state;
    struct stc_result *root = dane_root("insecure");
    dane_host(root, "mx1.example.com", DNS_INSECURE, NULL);
    dane_host(root, "mx2.example.com", DNS_INSECURE, NULL);
    char *out = judge_and_render(root);
    assert_int_equal(count(out, "not DNSSEC-signed"), 1);
    assert_int_equal(count(out, "Sign the"), 1);
    assert_int_equal(count(out, "\n  dane "), 1);
    assert_null(strstr(out, "\n  dnssec "));
    assert_null(strstr(out, "\n  2. "));
    free(out);
    stc_result_free(root);
}

/* Counts agree with their nouns. */
static void test_counts_agree_with_nouns(void **state)
{
    (void)state;
    static uint8_t spki[32] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                     11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                                     22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
    const struct dns_tlsa rec = {3, 1, 1, sizeof spki, spki};
    struct stc_result *root = dane_root("secure");
    dane_host(root, "mx1.example.com", DNS_SECURE, &rec);
    char *out = judge_and_render(root);
    assert_non_null(strstr(out, "the MX host is DANE-authenticated"));
    assert_null(strstr(out, "all 1 "));
    free(out);
    stc_result_free(root);

    root = dane_root("secure");
    dane_host(root, "mx1.example.com", DNS_SECURE, &rec);
    dane_host(root, "mx2.example.com", DNS_SECURE, &rec);
    out = judge_and_render(root);
    assert_non_null(strstr(out, "both MX hosts are DANE-authenticated"));
    free(out);
    stc_result_free(root);

    root = dane_root("secure");
    dane_host(root, "mx1.example.com", DNS_SECURE, NULL);
    out = judge_and_render(root);
    assert_non_null(strstr(out, "the MX host has no TLSA records"));
    assert_null(strstr(out, "of the 1 "));
    assert_null(strstr(out, "1 MX hosts"));
    free(out);
    stc_result_free(root);

    root = dane_root("secure");
    for (int i = 1; i <= 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "mx%d.example.com", i);
        dane_host(root, name, DNS_SECURE, NULL);
    }
    out = judge_and_render(root);
    assert_non_null(strstr(out, "none of the 3 MX hosts has TLSA records"));
    free(out);
    stc_result_free(root);
}

/* A host that refused connections and one without STARTTLS. */
static void test_unreachable_and_plain(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "plain.example", NULL);
    result_msg(root, STC_STATUS_FAILURE, "mx.plain.example does not support STARTTLS");
    result_set_domain_status(root, STC_DOMAIN_NO_STARTTLS);
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, "down.plain.example", NULL));
    result_fact_int(h, "preference", 5);
    result_msg(result_add_check(h, "connectivity", NULL), STC_STATUS_ERROR,
               "Could not connect to down.plain.example: connection refused");
    h = result_add(root, result_new(STC_NODE_HOST, "mx.plain.example", NULL));
    result_fact_int(h, "preference", 10);
    result_fact_str(h, "address", "192.0.2.7");
    result_add_check(h, "connectivity", NULL);
    struct stc_result *s = result_add_check(h, "starttls", NULL);
    result_fact_bool(s, "advertised", 0);
    result_msg(s, STC_STATUS_FAILURE, "mx.plain.example does not advertise STARTTLS");
    result_rollup(root);

    char *out = render(root, 0);
    char line[512];
    assert_true(strncmp(out, "plain.example: no_starttls \xe2\x80\x94 ", 30) == 0);
    assert_in_order(line_with(out, "  5  down.plain.example", line, sizeof line),
                    "down.plain.example", "-", "-", "-", "-", "-", NULL);
    assert_in_order(line_with(out, " 10  mx.plain.example", line, sizeof line), "mx.plain.example",
                    "192.0.2.7", "no", "-", "-", "-", NULL);
    assert_in_order(line_with(out, "connection refused", line, sizeof line), "connectivity",
                    "error", "Could not connect", NULL);
    assert_in_order(line_with(out, "does not advertise", line, sizeof line), "starttls", "failure",
                    NULL);
    free(out);
    stc_result_free(root);
}

/* Raw control bytes in names and messages (the tree keeps server text
 * exactly, for the JSON) never reach the terminal raw: the view censors them. */
static void test_hostile_bytes(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "evil\x1b[2J.example", NULL);
    result_msg(root, STC_STATUS_FAILURE, "verdict \x07\x1b]0;owned\x07 \xff");
    result_set_domain_status(root, STC_DOMAIN_FAILURE);
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST,
                                                       "mx\r\n.evil\x9b"
                                                       "31m.example",
                                                       NULL));
    struct stc_result *c = result_add_check(h, "starttls\x1b", NULL);
    result_msg(c, STC_STATUS_FAILURE, "banner \x1b[31mRED\r\nInjected:\tyes \xc3");
    result_recommend(c, "fix \x01 it");
    struct stc_result *v = result_add_check(h, "version", NULL);
    result_fact_str(v, "negotiated", "TLS\x1b[5m");
    result_rollup(root);
    for (int color = 0; color <= 1; color++) {
        char *out = render(root, color);
        assert_safe(out, color);
        if (!color)
            assert_null(strchr(out, '\033'));
        assert_null(strstr(out, "\x9b"));
        assert_non_null(strstr(out, "evil\\x1b[2J.example: "));
        assert_non_null(strstr(out, "mx\\x0d\\x0a.evil\\x9b31m.example"));
        /* Escaped once, by the view. */
        assert_non_null(strstr(out, "banner \\x1b[31mRED\\x0d\\x0aInjected:\\x09yes \\xc3"));
        assert_null(strstr(out, "\\\\x"));
        assert_non_null(strstr(out, "TLS\\x1b[5m"));
        assert_non_null(strstr(out, "1. fix \\x01 it"));
        free(out);
    }
    stc_result_free(root);
}

/* Long messages and recommendations wrap under their column. */
static void test_wrapping(void **state)
{
    (void)state;
    char msg[700] = "";
    for (int i = 0; i < 60; i++)
        strcat(msg, "wordy text ");
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "wrap.example", NULL);
    result_set_domain_status(root, STC_DOMAIN_WARNING);
    struct stc_result *t = result_add_check(root, "tls-rpt", NULL);
    result_msg(t, STC_STATUS_WARNING, "%s", msg);
    result_recommend(t, "%s", msg);
    struct stc_result *x = result_add_check(root, "x", NULL);
    char longword[300];
    memset(longword, 'a', sizeof longword - 1);
    longword[sizeof longword - 1] = '\0';
    result_msg(x, STC_STATUS_WARNING, "%s", longword);
    result_rollup(root);
    char *out = render(root, 0);
    assert_width(out, CLI_TEXT_WIDTH, 0);
    /* Continuation lines of the message start at the message column. */
    char first[512];
    line_with(out, "tls-rpt  warning", first, sizeof first);
    size_t col = (size_t)(strstr(first, "wordy") - first);
    const char *next = strstr(out, first) + strlen(first) + 1;
    for (size_t i = 0; i < col; i++)
        assert_int_equal(next[i], ' ');
    assert_true(strncmp(next + col, "wordy", 5) == 0);
    /* Recommendation continuation lines hang under the text. */
    const char *rec = strstr(out, "  1. wordy");
    assert_non_null(rec);
    const char *nl2 = strchr(rec, '\n');
    assert_true(strncmp(nl2 + 1, "     ", 5) == 0 && nl2[6] != ' ');
    /* Nothing is lost: 60 words in the message, 60 in the recommendation. */
    assert_int_equal(count(out, "wordy"), 120);
    free(out);
    stc_result_free(root);
}

/* Null MX: no hosts; the notes explain. A bare check node renders too. */
static void test_no_hosts_and_bare_node(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "null.example", NULL);
    result_note(root, "null.example publishes a null MX (RFC 7505)");
    result_note(root, "null.example accepts no mail (null MX)");
    result_fact_bool(root, "null_mx", 1);
    char *out = render(root, 0);
    assert_true(strncmp(out, "null.example: success \xe2\x80\x94 null.example publishes", 40) == 0);
    assert_non_null(strstr(out, "  note: null.example accepts no mail (null MX)\n"));
    assert_non_null(strstr(out, "MX hosts: none checked\n"));
    free(out);
    stc_result_free(root);

    struct stc_result *c = result_new(STC_NODE_CHECK, "certificate", NULL);
    result_msg(c, STC_STATUS_WARNING, "expires soon");
    struct stc_result *sub = result_add_check(c, "chain", NULL);
    result_msg(sub, STC_STATUS_WARNING, "intermediate missing");
    result_recommend(sub, "Send the intermediate.");
    result_rollup(c);
    out = render(c, 0);
    assert_true(strncmp(out, "certificate: warning \xe2\x80\x94 expires soon\n", 33) == 0);
    assert_non_null(strstr(out, "chain"));
    assert_non_null(strstr(out, "intermediate missing"));
    assert_non_null(strstr(out, "1. Send the intermediate."));
    free(out);
    stc_result_free(c);
}

static void test_write_error(void **state)
{
    (void)state;
    struct stc_result *root = sample_tree();
    FILE *f = fopen("/dev/full", "w");
    assert_non_null(f);
    assert_int_equal(cli_text_render(f, root, 0), STC_E_IO);
    fclose(f);
    assert_int_equal(cli_text_render(NULL, root, 0), STC_E_INVAL);
    stc_result_free(root);
}

static void test_escape(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(text_censor("a\\b\x01\xff", 5, out, sizeof out), 11);
    assert_string_equal(out, "a\\b\\x01\\xff");
    /* Truncation keeps the terminator and shows the cut. */
    assert_int_equal(text_censor("0123456789abcdefghij", 20, out, 8), 7);
    assert_string_equal(out, "0123...");
    assert_int_equal(text_censor("abc", 3, out, 0), 0);
    /* A cut never leaves half an escape ("\x0" without its last digit). */
    text_censor("ab\x01\x02\x03", 5, out, 9);
    for (const char *p = out; (p = strstr(p, "\\x")) != NULL; p += 2)
        assert_true(p[2] != '\0' && p[3] != '\0' && p[2] != '.' && p[3] != '.');
}

/* Hosts that otherwise pass, with IPv6 addresses not tested for want of an
 * IPv6 route: the report says so once, as a note (not a finding). */
static void test_no_ipv6_route_note(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    result_set_domain_status(root, STC_DOMAIN_SUCCESS);
    const char *v6[] = {"2001:db8::1", "2001:db8::2"};
    for (int i = 0; i < 2; i++) {
        char name[32];
        snprintf(name, sizeof name, "mx%d.example.com", i + 1);
        struct stc_result *h = add_host(root, name, 10, i == 0 ? "192.0.2.1" : "192.0.2.2",
                                        "TLSv1.3", "TLS_AES_256_GCM_SHA384", 1, 80);
        struct stc_result *a = result_add_check(h, "addresses", NULL);
        char item[96];
        snprintf(item, sizeof item, "%s: no IPv6 route from this machine", v6[i]);
        result_fact_list_add(a, "not_tested", item);
        result_note(a, "Not tested: %s (no IPv6 route from this machine)", v6[i]);
    }
    result_rollup(root);
    assert_false(result_oom(root));
    char *out = render(root, 0);
    const char *at = strstr(out, "note: ");
    assert_non_null(at);
    const char *first = strstr(out, "no IPv6 route from this machine");
    assert_non_null(first);
    assert_null(strstr(first + 1, "no IPv6 route from this machine"));
    /* on the note line itself */
    const char *eol = strchr(at, '\n');
    assert_true(first > at && first < eol);
    free(out);
    stc_result_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_color),
        cmocka_unit_test(test_two_line_table),
        cmocka_unit_test(test_cipher_detail_line),
        cmocka_unit_test(test_dnssec_not_validated),
        cmocka_unit_test(test_no_recommendation_twice),
        cmocka_unit_test(test_unsigned_domain_one_dane_line),
        cmocka_unit_test(test_counts_agree_with_nouns),
        cmocka_unit_test(test_unreachable_and_plain),
        cmocka_unit_test(test_hostile_bytes),
        cmocka_unit_test(test_wrapping),
        cmocka_unit_test(test_no_hosts_and_bare_node),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_no_ipv6_route_note),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
