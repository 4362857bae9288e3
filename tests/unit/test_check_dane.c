/* Unit tests for the DANE judges (check_dane.c), on hand-made observations
 * and hand-built result trees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "checks/checks.h"
#include "probe/host_obs.h"

#define MAX_RECS 8

/* An observation plus the TLSA records it points to (no heap: nothing to free). */
struct fixture {
    struct host_obs obs;
    struct dns_tlsa rr[MAX_RECS];
    uint8_t data[MAX_RECS][128];
};

/* The served key: SPKI hash 00 01 .. 1f, certificate hash a0 a1 .. bf. */
static void fill_hash(uint8_t *out, size_t len, uint8_t first)
{
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(first + i);
}

static void hex_of(const uint8_t *d, size_t len, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 0x0f];
    }
    out[2 * len] = '\0';
}

#define SPKI_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define CERT_HEX "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
#define SUGGESTED "_25._tcp.mx.example.com. IN TLSA 3 1 1 " SPKI_HEX

/* A DNSSEC-signed host with a working handshake and no TLSA records. */
static void secure_obs(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    struct host_obs *o = &f->obs;
    snprintf(o->host, sizeof o->host, "mx.example.com");
    snprintf(o->address, sizeof o->address, "127.77.1.2");
    o->resolved = o->connected = o->banner_ok = o->ehlo_ok = 1;
    o->ext.starttls = 1;
    o->starttls_sent = 1;
    o->starttls_code = 220;
    o->handshake_ok = 1;
    o->info.have_cert = 1;
    o->info.chain_trusted = 1;
    o->info.name_matches = 1;
    o->info.dane_usage = o->info.dane_selector = o->info.dane_mtype = o->info.dane_depth = -1;
    snprintf(o->info.spki_sha256, sizeof o->info.spki_sha256, "%s", SPKI_HEX);
    snprintf(o->info.cert_sha256, sizeof o->info.cert_sha256, "%s", CERT_HEX);
    o->addr_sec = DNS_SECURE;
    o->tlsa_looked_up = 1;
    snprintf(o->tlsa_name, sizeof o->tlsa_name, "_25._tcp.mx.example.com");
    snprintf(o->tlsa_base, sizeof o->tlsa_base, "mx.example.com");
    o->tlsa.st.sec = DNS_SECURE;
    o->tlsa.st.nodata = 1;
    o->tlsa.rr = f->rr;
}

/* Append a record whose data is len bytes counting up from first. */
static void add_rec(struct fixture *f, uint8_t u, uint8_t s, uint8_t m, size_t len, uint8_t first)
{
    size_t i = f->obs.tlsa.n++;
    assert_true(i < MAX_RECS && len <= sizeof f->data[i]);
    fill_hash(f->data[i], len, first);
    f->rr[i] = (struct dns_tlsa){u, s, m, len, f->data[i]};
    f->obs.tlsa.st.nodata = 0;
}

/* The handshake matched a record (as tls_info reports it). */
static void authenticated_by(struct fixture *f, int u, int s, int m, int depth)
{
    f->obs.info.dane_enabled = 1;
    f->obs.info.dane_usable = (int)f->obs.tlsa.n;
    f->obs.info.dane_authenticated = 1;
    f->obs.info.dane_usage = u;
    f->obs.info.dane_selector = s;
    f->obs.info.dane_mtype = m;
    f->obs.info.dane_depth = depth;
}

static struct stc_result *judge(const struct fixture *f)
{
    struct stc_result *h = result_new(STC_NODE_HOST, f->obs.host, NULL);
    assert_non_null(h);
    check_dane(&f->obs, h);
    result_rollup(h);
    assert_false(result_oom(h));
    return h;
}

static const struct stc_result *dane(const struct stc_result *h)
{
    const struct stc_result *c = stc_result_find(h, CHECK_DANE);
    assert_non_null(c);
    assert_int_equal(stc_result_kind(c), STC_NODE_CHECK);
    assert_true(stc_result_description(c)[0] != '\0');
    return c;
}

static long long get_int(const struct stc_result *c, const char *key)
{
    long long v = -1;
    assert_true(stc_result_get_int(c, key, &v));
    return v;
}

/* Some message contains needle. */
static int has_msg(const struct stc_result *c, const char *needle)
{
    for (size_t i = 0; i < stc_result_message_count(c); i++)
        if (strstr(stc_result_message(c, i), needle) != NULL)
            return 1;
    return 0;
}

static int has_rec(const struct stc_result *c, const char *needle)
{
    for (size_t i = 0; i < stc_result_recommendation_count(c); i++)
        if (strstr(stc_result_recommendation(c, i), needle) != NULL)
            return 1;
    return 0;
}

static const char *list_item(const struct stc_result *c, const char *key, size_t j)
{
    long i = stc_result_fact_index(c, key);
    assert_true(i >= 0);
    assert_int_equal(stc_result_fact_type(c, (size_t)i), STC_FACT_LIST);
    return stc_result_fact_list_item(c, (size_t)i, j);
}

static size_t list_len(const struct stc_result *c, const char *key)
{
    long i = stc_result_fact_index(c, key);
    assert_true(i >= 0);
    return stc_result_fact_list_len(c, (size_t)i);
}

/* ---- address records ---- */

static void address_bogus_fails(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    f.obs.addr_sec = DNS_BOGUS;
    f.obs.tlsa_looked_up = 0;
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_string_equal(stc_result_type(c), "dnssec-invalid");
    assert_true(has_msg(c, "DANE senders cannot use this MX"));
    assert_string_equal(stc_result_get_str(c, "dnssec"), "bogus");
    assert_int_equal(get_int(c, "authenticated"), 0);
    assert_true(stc_result_fact_index(c, "tlsa_name") < 0);
    stc_result_free(h);
}

static void address_insecure_no_dane_possible(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    f.obs.addr_sec = DNS_INSECURE;
    f.obs.tlsa_looked_up = 0;
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    assert_null(stc_result_type(c));
    assert_string_equal(stc_result_message(c, 0),
                        "no DANE possible: the host's address records are not DNSSEC-signed");
    /* advice comes once, from the domain's dane check (issue 12) */
    assert_int_equal(stc_result_recommendation_count(c), 0);
    assert_string_equal(stc_result_get_str(c, "dnssec"), "insecure");
    assert_int_equal(get_int(c, "authenticated"), 0);
    stc_result_free(h);
}

static void address_insecure_with_tlsa_warns(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    f.obs.addr_sec = DNS_INSECURE;
    f.obs.tlsa.st.sec = DNS_INSECURE;
    add_rec(&f, 3, 1, 1, 32, 0x00);
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    assert_int_equal(stc_result_status(c), STC_STATUS_WARNING);
    assert_true(has_msg(c, "DANE senders ignore them"));
    assert_int_equal(get_int(c, "tlsa_present"), 0);
    assert_int_equal(get_int(c, "authenticated"), 0);
    stc_result_free(h);
}

/* ---- TLSA lookup ---- */

static void tlsa_lookup_failure_fails(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    f.obs.tlsa_err.code = STC_E_DNS;
    snprintf(f.obs.tlsa_err.msg, sizeof f.obs.tlsa_err.msg, "SERVFAIL");
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_true(has_msg(c, "DANE senders treat this MX as unusable (they never fall back to "
                           "plaintext)"));
    assert_true(has_msg(c, "SERVFAIL"));
    assert_string_equal(stc_result_type(c), "dnssec-invalid");
    assert_string_equal(stc_result_get_str(c, "tlsa_name"), "_25._tcp.mx.example.com");
    assert_true(has_rec(c, "_25._tcp.mx.example.com"));
    stc_result_free(h);
}

static void tlsa_bogus_fails(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    add_rec(&f, 3, 1, 1, 32, 0x00);
    f.obs.tlsa.st.sec = DNS_BOGUS;
    snprintf(f.obs.tlsa.st.why_bogus, sizeof f.obs.tlsa.st.why_bogus, "signature expired");
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_string_equal(stc_result_type(c), "dnssec-invalid");
    assert_true(has_msg(c, "signature expired"));
    assert_int_equal(get_int(c, "tlsa_present"), 0);
    stc_result_free(h);
}

static void no_tlsa_suggests_record(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    assert_null(stc_result_type(c));
    assert_string_equal(stc_result_get_str(c, "suggested_tlsa"), SUGGESTED);
    assert_true(has_rec(c, SUGGESTED));
    assert_string_equal(stc_result_get_str(c, "dnssec"), "secure");
    assert_int_equal(get_int(c, "tlsa_present"), 0);
    stc_result_free(h);

    /* Without a handshake there is no key to suggest. */
    secure_obs(&f);
    f.obs.handshake_ok = 0;
    h = judge(&f);
    c = dane(h);
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    assert_null(stc_result_get_str(c, "suggested_tlsa"));
    assert_true(stc_result_recommendation_count(c) > 0);
    stc_result_free(h);

    /* A leaf key too weak to trust is not worth pinning: the certificate
     * check asks for a new key, and DANE suggests no record of the old one. */
    secure_obs(&f);
    f.obs.info.weak = TLS_WEAK_KEY | TLS_WEAK_LEAF_KEY;
    h = judge(&f);
    c = dane(h);
    assert_null(stc_result_get_str(c, "suggested_tlsa"));
    assert_false(has_rec(c, SUGGESTED));
    stc_result_free(h);

    /* A weak intermediate does not make the leaf's own key a bad pin. */
    secure_obs(&f);
    f.obs.info.weak = TLS_WEAK_KEY;
    h = judge(&f);
    c = dane(h);
    assert_string_equal(stc_result_get_str(c, "suggested_tlsa"), SUGGESTED);
    stc_result_free(h);
}

static void insecure_tlsa_warns(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    add_rec(&f, 3, 1, 1, 32, 0x00);
    f.obs.tlsa.st.sec = DNS_INSECURE;
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    assert_int_equal(stc_result_status(c), STC_STATUS_WARNING);
    assert_true(has_msg(c, "not DNSSEC-signed"));
    assert_int_equal(get_int(c, "tlsa_present"), 0);
    stc_result_free(h);
}

/* ---- TLSA present ---- */

/* One valid record and no next-key record: advice, not a warning (issue 12). */
static void single_3_1_1_authenticated_advises_rollover(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    add_rec(&f, 3, 1, 1, 32, 0x00);
    authenticated_by(&f, 3, 1, 1, 0);
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS); /* world.conf: dane311 */
    assert_true(has_rec(c, "3 1 1"));
    assert_true(has_rec(c, "2 1 1"));
    assert_null(stc_result_type(c));
    assert_true(has_msg(c, "mx.example.com is DANE-authenticated: TLSA record 3 1 1 (DANE-EE)"));
    assert_true(has_msg(c, "depth 0"));
    assert_true(has_msg(c, "only one usable TLSA record: a key or certificate change will "
                           "break DANE unless the next key's record is published first"));
    assert_string_equal(stc_result_get_str(c, "matched"), "3 1 1");
    assert_int_equal(get_int(c, "matched_depth"), 0);
    assert_int_equal(get_int(c, "authenticated"), 1);
    assert_int_equal(get_int(c, "tlsa_present"), 1);
    assert_int_equal(get_int(c, "rollover_ready"), 0);
    assert_int_equal(list_len(c, "tlsa_records"), 1);
    assert_string_equal(list_item(c, "tlsa_records", 0), "3 1 1 " SPKI_HEX);
    stc_result_free(h);
}

static void two_3_1_1_records_succeed(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    add_rec(&f, 3, 1, 1, 32, 0x00); /* current */
    add_rec(&f, 3, 1, 1, 32, 0x40); /* next */
    authenticated_by(&f, 3, 1, 1, 0);
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    assert_int_equal(get_int(c, "rollover_ready"), 1);
    assert_int_equal(get_int(c, "usable_records"), 2);
    assert_int_equal(list_len(c, "tlsa_records"), 2);
    assert_int_equal(stc_result_recommendation_count(c), 0);
    stc_result_free(h);
}

static void ee_plus_ta_succeeds(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    add_rec(&f, 3, 1, 1, 32, 0x00);
    add_rec(&f, 2, 1, 1, 32, 0x80);
    authenticated_by(&f, 2, 1, 1, 1);
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    assert_string_equal(stc_result_get_str(c, "matched"), "2 1 1");
    assert_true(has_msg(c, "(DANE-TA) matches the CA certificate at depth 1"));
    assert_int_equal(get_int(c, "rollover_ready"), 1);
    stc_result_free(h);
}

static void single_2_1_1_advises_rollover(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    add_rec(&f, 2, 1, 1, 32, 0x80);
    authenticated_by(&f, 2, 1, 1, 1);
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    assert_true(stc_result_recommendation_count(c) > 0);
    assert_true(has_msg(c, "only one usable TLSA record"));
    assert_int_equal(get_int(c, "rollover_ready"), 0);
    stc_result_free(h);
}

static void same_key_twice_is_no_next_key(void **state)
{
    (void)state;
    struct fixture f;
    /* The same record twice counts once. */
    secure_obs(&f);
    add_rec(&f, 3, 1, 1, 32, 0x00);
    add_rec(&f, 3, 1, 1, 32, 0x00);
    authenticated_by(&f, 3, 1, 1, 0);
    struct stc_result *h = judge(&f);
    assert_int_equal(stc_result_status(dane(h)), STC_STATUS_SUCCESS);
    assert_int_equal(get_int(dane(h), "rollover_ready"), 0);
    assert_true(has_msg(dane(h), "only one usable TLSA record"));
    stc_result_free(h);

    /* 3 1 1 and 3 0 1 of the certificate in use: neither is for the next key. */
    secure_obs(&f);
    add_rec(&f, 3, 1, 1, 32, 0x00);
    add_rec(&f, 3, 0, 1, 32, 0xa0);
    authenticated_by(&f, 3, 1, 1, 0);
    h = judge(&f);
    assert_int_equal(stc_result_status(dane(h)), STC_STATUS_SUCCESS);
    assert_true(has_msg(dane(h), "all 2 usable TLSA records match the current certificate"));
    assert_int_equal(get_int(dane(h), "rollover_ready"), 0);
    stc_result_free(h);
}

static void pkix_only_warns(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    add_rec(&f, 1, 1, 1, 32, 0x00);
    f.obs.info.dane_enabled = 0;
    snprintf(f.obs.info.dane_text, sizeof f.obs.info.dane_text, "no usable TLSA records");
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    assert_int_equal(stc_result_status(c), STC_STATUS_WARNING);
    assert_string_equal(stc_result_type(c), "tlsa-invalid");
    assert_true(has_msg(c, "only unusable TLSA records (1 PKIX-TA/PKIX-EE, 0 malformed): DANE "
                           "senders"));
    assert_true(has_rec(c, "PKIX-TA(0)/PKIX-EE(1)"));
    assert_true(has_rec(c, SUGGESTED));
    assert_int_equal(get_int(c, "usable_records"), 0);
    assert_int_equal(get_int(c, "authenticated"), 0);
    assert_true(stc_result_fact_index(c, "rollover_ready") < 0);
    stc_result_free(h);
}

static void malformed_records_warn(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    add_rec(&f, 3, 1, 1, 32, 0x00);
    add_rec(&f, 3, 1, 1, 32, 0x40);
    add_rec(&f, 3, 1, 1, 20, 0x00); /* short SHA2-256 */
    add_rec(&f, 3, 2, 1, 32, 0x00); /* selector 2 */
    add_rec(&f, 3, 1, 3, 32, 0x00); /* matching type 3 */
    add_rec(&f, 3, 1, 2, 32, 0x00); /* short SHA2-512 */
    authenticated_by(&f, 3, 1, 1, 0);
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    char short_hex[41];
    fill_hash(f.data[0], 20, 0x00);
    hex_of(f.data[0], 20, short_hex);
    char want[128];
    snprintf(want, sizeof want,
             "Malformed TLSA record 3 1 1 %s: SHA2-256 data must be 32 "
             "bytes, not 20",
             short_hex);
    assert_int_equal(stc_result_status(c), STC_STATUS_WARNING);
    assert_string_equal(stc_result_type(c), "tlsa-invalid");
    assert_true(has_msg(c, want));
    assert_true(has_msg(c, "unknown selector"));
    assert_true(has_msg(c, "unknown matching type"));
    assert_true(has_msg(c, "SHA2-512 data must be 64 bytes, not 32"));
    assert_true(has_msg(c, "is DANE-authenticated"));
    assert_int_equal(get_int(c, "usable_records"), 2);
    assert_int_equal(get_int(c, "rollover_ready"), 1);
    assert_int_equal(list_len(c, "tlsa_records"), 6);
    assert_true(has_rec(c, "Fix or remove the malformed TLSA record"));
    stc_result_free(h);
}

static void malformed_only_is_unusable(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    add_rec(&f, 3, 1, 1, 31, 0x00);
    add_rec(&f, 7, 1, 1, 32, 0x00); /* unknown usage */
    snprintf(f.obs.info.dane_text, sizeof f.obs.info.dane_text, "no usable TLSA records");
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    assert_int_equal(stc_result_status(c), STC_STATUS_WARNING);
    assert_true(has_msg(c, "only unusable TLSA records (0 PKIX-TA/PKIX-EE, 2 malformed)"));
    assert_true(has_msg(c, "unknown certificate usage"));
    assert_true(has_rec(c, SUGGESTED));
    stc_result_free(h);
}

static void record_text_cuts_long_data(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    add_rec(&f, 3, 0, 0, 100, 0x00); /* full certificate: cut */
    add_rec(&f, 3, 1, 2, 64, 0x00);  /* SHA2-512: shown whole */
    authenticated_by(&f, 3, 0, 0, 0);
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    char hex64[129];
    fill_hash(f.data[0], 64, 0x00);
    hex_of(f.data[0], 32, hex64);
    char want[200];
    snprintf(want, sizeof want, "3 0 0 %s...", hex64);
    assert_string_equal(list_item(c, "tlsa_records", 0), want);
    hex_of(f.data[0], 64, hex64);
    snprintf(want, sizeof want, "3 1 2 %s", hex64);
    assert_string_equal(list_item(c, "tlsa_records", 1), want);
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    stc_result_free(h);
}

static void handshake_failure_fails(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    add_rec(&f, 3, 1, 1, 32, 0x00);
    add_rec(&f, 3, 1, 1, 32, 0x40);
    f.obs.handshake_ok = 0;
    snprintf(f.obs.tls_err.msg, sizeof f.obs.tls_err.msg, "peer sent alert handshake failure");
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_true(has_msg(c, "DANE senders will not deliver to mx.example.com"));
    assert_true(has_msg(c, "peer sent alert handshake failure"));
    assert_string_equal(stc_result_type(c), "validation-failure");
    assert_int_equal(get_int(c, "authenticated"), 0);
    stc_result_free(h);

    /* No STARTTLS at all, with only PKIX records: still mandatory TLS. */
    secure_obs(&f);
    add_rec(&f, 1, 1, 1, 32, 0x00);
    f.obs.handshake_ok = 0;
    f.obs.ext.starttls = 0;
    f.obs.starttls_code = 0;
    h = judge(&f);
    c = dane(h);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_true(has_msg(c, "STARTTLS is not offered"));
    assert_string_equal(stc_result_type(c), "starttls-not-supported");
    assert_true(has_msg(c, "only unusable TLSA records"));
    stc_result_free(h);
}

static void mismatch_fails_with_new_record(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    add_rec(&f, 3, 1, 1, 32, 0x40);
    add_rec(&f, 3, 1, 1, 32, 0x60);
    f.obs.info.dane_enabled = 1;
    f.obs.info.dane_usable = 2;
    snprintf(f.obs.info.dane_text, sizeof f.obs.info.dane_text, "no TLSA record matched");
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_string_equal(stc_result_type(c), "tlsa-invalid");
    assert_true(has_msg(c, "TLSA records present but none matches the certificate chain the "
                           "server presents: DANE senders will not deliver to mx.example.com"));
    assert_true(has_msg(c, "no TLSA record matched"));
    assert_true(has_rec(c, SUGGESTED));
    assert_string_equal(stc_result_get_str(c, "suggested_tlsa"), SUGGESTED);
    assert_int_equal(get_int(c, "authenticated"), 0);
    assert_null(stc_result_get_str(c, "matched"));
    /* A set that matches nothing gets no rollover advice: it is a failure already. */
    assert_false(has_rec(c, "next key"));
    assert_false(has_msg(c, "usable TLSA record"));
    assert_true(stc_result_fact_index(c, "rollover_ready") < 0);
    stc_result_free(h);
}

/* Resolver text reaches the tree exactly; the views censor it. */
static void server_text_is_kept(void **state)
{
    (void)state;
    struct fixture f;
    secure_obs(&f);
    f.obs.tlsa_err.code = STC_E_DNS;
    snprintf(f.obs.tlsa_err.msg, sizeof f.obs.tlsa_err.msg, "bad\x1b[31mreply");
    struct stc_result *h = judge(&f);
    const struct stc_result *c = dane(h);
    assert_non_null(strstr(stc_result_message(c, 0), "bad\x1b[31mreply"));
    stc_result_free(h);
}

/* ---- domain summary ---- */

/* A host node with a hand-made "dane" node (or none when dnssec is NULL). */
static void add_host(struct stc_result *root, const char *name, const char *dnssec, int tlsa,
                     int auth, stc_status st)
{
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, name, NULL));
    assert_non_null(h);
    if (dnssec == NULL)
        return;
    struct stc_result *d = result_add_check(h, CHECK_DANE, NULL);
    assert_non_null(d);
    result_fact_str(d, "dnssec", dnssec);
    result_fact_bool(d, "tlsa_present", tlsa);
    result_fact_bool(d, "authenticated", auth);
    if (st != STC_STATUS_SUCCESS)
        result_msg(d, st, "hand-made finding");
}

static struct stc_result *domain_root(const char *mx_dnssec)
{
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    assert_non_null(root);
    if (mx_dnssec != NULL)
        result_fact_str(root, "mx_dnssec", mx_dnssec);
    return root;
}

static const struct stc_result *summarize(struct stc_result *root)
{
    check_dane_domain("example.com", root);
    assert_false(result_oom(root));
    const struct stc_result *c = stc_result_find(root, CHECK_DANE);
    assert_non_null(c);
    assert_int_equal(stc_result_kind(c), STC_NODE_CHECK);
    return c;
}

static void domain_all_authenticated(void **state)
{
    (void)state;
    struct stc_result *root = domain_root("secure");
    add_host(root, "mx1.example.com", "secure", 1, 1, STC_STATUS_SUCCESS);
    add_host(root, "mx2.example.com", "secure", 1, 1, STC_STATUS_WARNING);
    const struct stc_result *c = summarize(root);
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    assert_true(has_msg(c, "both MX hosts are DANE-authenticated"));
    assert_string_equal(stc_result_get_str(c, "coverage"), "all");
    assert_int_equal(get_int(c, "hosts"), 2);
    assert_int_equal(get_int(c, "hosts_authenticated"), 2);
    assert_null(stc_result_type(c));
    stc_result_free(root);
}

static void domain_some_authenticated(void **state)
{
    (void)state;
    struct stc_result *root = domain_root("secure");
    add_host(root, "mx1.example.com", "secure", 1, 1, STC_STATUS_SUCCESS);
    add_host(root, "mx2.example.com", "secure", 0, 0, STC_STATUS_SUCCESS);
    add_host(root, "mx3.example.com", "insecure", 0, 0, STC_STATUS_SUCCESS);
    add_host(root, "mx4.example.com", NULL, 0, 0, STC_STATUS_SUCCESS);
    const struct stc_result *c = summarize(root);
    assert_int_equal(stc_result_status(c), STC_STATUS_WARNING);
    assert_string_equal(stc_result_type(c), "dane-required");
    assert_true(has_msg(c, "(1 of 4)"));
    assert_true(has_msg(c, "mx2.example.com (no TLSA records)"));
    assert_true(has_msg(c, "mx3.example.com (address records not DNSSEC-signed)"));
    assert_true(has_msg(c, "mx4.example.com (not checked)"));
    assert_false(has_msg(c, "mx1.example.com"));
    /* one fix for the unsigned host, naming it; the generic one for the others */
    assert_true(has_rec(c, "Sign the zone of mx3.example.com with DNSSEC"));
    assert_true(has_rec(c, "for every MX host"));
    assert_string_equal(stc_result_get_str(c, "coverage"), "some");
    assert_int_equal(get_int(c, "hosts"), 4);
    assert_int_equal(get_int(c, "hosts_authenticated"), 1);
    stc_result_free(root);
}

static void domain_none_have_tlsa(void **state)
{
    (void)state;
    struct stc_result *root = domain_root("secure");
    add_host(root, "mx1.example.com", "secure", 0, 0, STC_STATUS_SUCCESS);
    const struct stc_result *c = summarize(root);
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    assert_true(has_msg(c, "the MX host has no TLSA records"));
    assert_true(stc_result_recommendation_count(c) > 0);
    assert_string_equal(stc_result_get_str(c, "coverage"), "none");
    assert_int_equal(get_int(c, "hosts_authenticated"), 0);
    stc_result_free(root);
}

static void domain_insecure_mx(void **state)
{
    (void)state;
    struct stc_result *root = domain_root("insecure");
    add_host(root, "mx1.example.com", "insecure", 0, 0, STC_STATUS_SUCCESS);
    const struct stc_result *c = summarize(root);
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    assert_true(has_msg(c, "DANE not possible: the MX records are not DNSSEC-signed"));
    assert_true(has_rec(c, "Sign the domain's zone"));
    assert_string_equal(stc_result_get_str(c, "coverage"), "none");
    assert_string_equal(stc_result_get_str(c, "mx_dnssec"), "insecure");
    stc_result_free(root);

    /* TLSA published under an unsigned MX: DANE senders ignore it. */
    root = domain_root("insecure");
    add_host(root, "mx1.example.com", "secure", 1, 1, STC_STATUS_SUCCESS);
    c = summarize(root);
    assert_int_equal(stc_result_status(c), STC_STATUS_WARNING);
    assert_true(has_msg(c, "DANE senders ignore the TLSA records"));
    assert_string_equal(stc_result_get_str(c, "coverage"), "none");
    assert_int_equal(get_int(c, "hosts_authenticated"), 1);
    stc_result_free(root);
}

static void domain_host_failure_fails(void **state)
{
    (void)state;
    struct stc_result *root = domain_root("secure");
    add_host(root, "mx1.example.com", "secure", 1, 1, STC_STATUS_SUCCESS);
    add_host(root, "mx2.example.com", "secure", 1, 0, STC_STATUS_FAILURE);
    const struct stc_result *c = summarize(root);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_true(has_msg(c, "DANE fails on 1 of 2 MX hosts: mx2.example.com"));
    assert_string_equal(stc_result_get_str(c, "coverage"), "some");
    assert_int_equal(get_int(c, "hosts_authenticated"), 1);
    stc_result_free(root);
}

static void domain_bogus_or_unknown_mx(void **state)
{
    (void)state;
    struct stc_result *root = domain_root("bogus");
    add_host(root, "mx1.example.com", "secure", 0, 0, STC_STATUS_SUCCESS);
    const struct stc_result *c = summarize(root);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_string_equal(stc_result_type(c), "dnssec-invalid");
    stc_result_free(root);

    root = domain_root(NULL);
    c = summarize(root);
    assert_int_equal(stc_result_status(c), STC_STATUS_ERROR);
    assert_int_equal(get_int(c, "hosts"), 0);
    stc_result_free(root);
}

/* check_dane's facts are what check_dane_domain reads. */
static void host_and_domain_agree(void **state)
{
    (void)state;
    struct stc_result *root = domain_root("secure");
    struct fixture f;
    secure_obs(&f);
    add_rec(&f, 3, 1, 1, 32, 0x00);
    add_rec(&f, 2, 1, 1, 32, 0x80);
    authenticated_by(&f, 3, 1, 1, 0);
    struct stc_result *h1 = result_add(root, result_new(STC_NODE_HOST, "mx1.example.com", NULL));
    check_dane(&f.obs, h1);
    secure_obs(&f);
    snprintf(f.obs.host, sizeof f.obs.host, "mx2.example.com");
    struct stc_result *h2 = result_add(root, result_new(STC_NODE_HOST, "mx2.example.com", NULL));
    check_dane(&f.obs, h2);
    const struct stc_result *c = summarize(root);
    assert_int_equal(stc_result_status(c), STC_STATUS_WARNING);
    assert_true(has_msg(c, "mx2.example.com (no TLSA records)"));
    assert_int_equal(get_int(c, "hosts_authenticated"), 1);
    assert_string_equal(stc_result_get_str(c, "coverage"), "some");
    stc_result_free(root);
}

/* Hosts that got no dane check (address did not resolve, unusable MX name,
 * no connection) had no TLSA lookup: "none of the N has TLSA" counts only
 * the hosts that did, names the others, and with none checked it is "not
 * tested" (error), never a pass. */
static void domain_counts_only_checked_hosts(void **state)
{
    (void)state;
    struct stc_result *root = domain_root("secure");
    add_host(root, "mx1.example.com", "secure", 0, 0, STC_STATUS_SUCCESS);
    add_host(root, "mx2.example.com", "secure", 0, 0, STC_STATUS_SUCCESS);
    add_host(root, "mx3.example.com", NULL, 0, 0, STC_STATUS_SUCCESS);
    const struct stc_result *c = summarize(root);
    assert_int_equal(stc_result_status(c), STC_STATUS_SUCCESS);
    assert_false(has_msg(c, "none of the 3 MX hosts"));
    assert_true(has_msg(c, "none of the 2 MX hosts checked has TLSA records"));
    assert_true(has_msg(c, "not checked: mx3.example.com"));
    assert_int_equal(get_int(c, "hosts"), 3);
    assert_int_equal(get_int(c, "hosts_checked"), 2);
    stc_result_free(root);

    root = domain_root("secure");
    add_host(root, "mx1.example.com", "secure", 0, 0, STC_STATUS_SUCCESS);
    add_host(root, "mx3.example.com", NULL, 0, 0, STC_STATUS_SUCCESS);
    c = summarize(root);
    assert_true(has_msg(c, "the one MX host checked has no TLSA records"));
    assert_false(has_msg(c, "the MX host has no TLSA records"));
    stc_result_free(root);

    root = domain_root("secure");
    add_host(root, "mx3.example.com", NULL, 0, 0, STC_STATUS_SUCCESS);
    add_host(root, "mx4.example.com", NULL, 0, 0, STC_STATUS_SUCCESS);
    c = summarize(root);
    assert_int_equal(stc_result_status(c), STC_STATUS_ERROR);
    assert_true(has_msg(c, "not tested"));
    assert_true(has_rec(c, "connectivity check"));
    assert_false(has_msg(c, "has TLSA records"));
    stc_result_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(address_bogus_fails),
        cmocka_unit_test(address_insecure_no_dane_possible),
        cmocka_unit_test(address_insecure_with_tlsa_warns),
        cmocka_unit_test(tlsa_lookup_failure_fails),
        cmocka_unit_test(tlsa_bogus_fails),
        cmocka_unit_test(no_tlsa_suggests_record),
        cmocka_unit_test(insecure_tlsa_warns),
        cmocka_unit_test(single_3_1_1_authenticated_advises_rollover),
        cmocka_unit_test(two_3_1_1_records_succeed),
        cmocka_unit_test(ee_plus_ta_succeeds),
        cmocka_unit_test(single_2_1_1_advises_rollover),
        cmocka_unit_test(same_key_twice_is_no_next_key),
        cmocka_unit_test(pkix_only_warns),
        cmocka_unit_test(malformed_records_warn),
        cmocka_unit_test(malformed_only_is_unusable),
        cmocka_unit_test(record_text_cuts_long_data),
        cmocka_unit_test(handshake_failure_fails),
        cmocka_unit_test(mismatch_fails_with_new_record),
        cmocka_unit_test(server_text_is_kept),
        cmocka_unit_test(domain_all_authenticated),
        cmocka_unit_test(domain_some_authenticated),
        cmocka_unit_test(domain_none_have_tlsa),
        cmocka_unit_test(domain_insecure_mx),
        cmocka_unit_test(domain_host_failure_fails),
        cmocka_unit_test(domain_bogus_or_unknown_mx),
        cmocka_unit_test(host_and_domain_agree),
        cmocka_unit_test(domain_counts_only_checked_hosts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
