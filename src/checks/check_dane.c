/*
 * NAME
 *     check_dane - can DANE senders (RFC 7672) authenticate the MX host, and
 *     does the domain as a whole get DANE protection?
 * SYNOPSIS
 *     check_dane(obs, host);               one host's "dane" node
 *     check_dane_domain(ck, domain, root); the domain's "dane" node
 * DESCRIPTION
 *     check_dane() judges what host_observe() saw: the DNSSEC state of the
 *     host's address records, the TLSA RRset at _25._tcp.HOST (looked up
 *     only for secure address records) and the outcome of the DANE-enabled
 *     handshake (tls_info.dane_*). Bogus DNS and failed TLSA lookups are
 *     failures: DANE senders treat such an MX as unusable and never fall
 *     back to plaintext. Records are classified as usable (DANE-TA(2) and
 *     DANE-EE(3), well-formed), PKIX (0/1, unusable for SMTP, RFC 7672
 *     3.1.3) or malformed; with usable records the handshake must be
 *     DANE-authenticated. An authenticated host without a record for the next
 *     key (RFC 7671 8.1, 8.4) gets advice; see rollover_check() for the rule.
 *
 *     check_dane_domain() reads the root fact "mx_dnssec" and each host's
 *     "dane" node (facts "authenticated", "tlsa_present", status) and
 *     summarizes the coverage. Neither function allocates anything the
 *     caller must free: all goes into the result tree.
 * LIMITS
 *     Record data is shown in full up to 32 bytes (64 for SHA2-512); longer
 *     data is cut to its first 32 bytes and "...".
 * DIAGNOSTICS
 *     None: every finding is a status and a message in the node.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "../probe/host_obs.h"

#define USAGE_PKIX_TA 0 /* RFC 7218 mnemonics */
#define USAGE_PKIX_EE 1
#define USAGE_DANE_TA 2
#define USAGE_DANE_EE 3
#define SELECTOR_MAX 1 /* Cert(0), SPKI(1) */
#define MTYPE_FULL 0
#define MTYPE_SHA256 1
#define MTYPE_SHA512 2
#define SHA256_LEN 32
#define SHA512_LEN 64
#define SHOW_BYTES 32    /* data shown before "..." */
#define REC_TEXT_MAX 160 /* "255 255 255 " + 128 hex + "..." */
#define OWNER_MAX 320
#define RR_TEXT_MAX 420
#define NAMES_MAX 512 /* host lists in domain messages */

#define DESCRIPTION                                                                                \
    "DANE (RFC 7672): the host's address and TLSA records are DNSSEC-signed and a TLSA "           \
    "record matches the certificate the host presents."
#define DOMAIN_DESCRIPTION                                                                         \
    "DANE (RFC 7672) for the domain: the MX records are DNSSEC-signed and every MX host is "       \
    "DANE-authenticated."

#define FIX_SIGN_ZONE                                                                              \
    "Sign the zone of the MX host with DNSSEC (and publish the DS record at the parent), then "    \
    "publish a TLSA record for the host: DANE needs DNSSEC-signed address records."
#define FIX_SIGN_MX                                                                                \
    "Sign the domain's zone with DNSSEC (and publish the DS record at the parent): DANE "          \
    "senders only use TLSA records when the MX records are DNSSEC-signed (RFC 7672 2.2.1)."
#define FIX_BOGUS                                                                                  \
    "Repair the DNSSEC chain (expired signatures, a DS record that matches no DNSKEY, missing "    \
    "RRSIGs): validating resolvers reject bogus answers. Check with: delv or dnsviz."
#define FIX_TLSA_SERVFAIL                                                                          \
    "Make the authoritative servers answer TLSA queries for %s: with the records, or with "        \
    "NODATA/NXDOMAIN and a valid DNSSEC denial of existence. Firewalls and DNS load balancers "    \
    "that drop unknown query types make the MX unreachable for DANE senders."
#define FIX_STARTTLS                                                                               \
    "Make STARTTLS work (see the starttls check): with TLSA records published, DANE senders "      \
    "require TLS and never fall back to plaintext."
#define FIX_MALFORMED                                                                              \
    "Fix or remove the malformed TLSA record: the selector is 0 (certificate) or 1 (public "       \
    "key), the matching type 0 (full), 1 (SHA2-256, 32 bytes) or 2 (SHA2-512, 64 bytes)."
#define FIX_PUBLISH "Publish a TLSA record for the certificate's public key: %s"
#define FIX_PKIX                                                                                   \
    "Replace the PKIX-TA(0)/PKIX-EE(1) records, which SMTP senders ignore (RFC 7672 3.1.3), "      \
    "with DANE-EE(3) or DANE-TA(2) records, e.g. %s"
#define FIX_MISMATCH                                                                               \
    "Publish a TLSA record that matches the current key and keep it until every old record is "    \
    "gone: %s"
#define FIX_MISMATCH_GENERIC                                                                       \
    "Publish TLSA records that match the certificate chain the server presents (3 1 1 for the "    \
    "server's public key, or 2 1 1 for its issuing CA's)."
#define FIX_ROLLOVER                                                                               \
    "Publish two TLSA records: 3 1 1 for the server's public key and 2 1 1 for its issuing CA's "  \
    "key. Each survives a change of the other key, so one still matches while the other is "      \
    "renewed; update the changed record within two TTLs (RFC 7671 8.1, 8.4)."
#define FIX_DANE_DOMAIN                                                                            \
    "Publish TLSA records (_25._tcp.HOST. IN TLSA 3 1 1 <SHA-256 of the public key>) for every "   \
    "MX host so that DANE senders authenticate them."

enum rec_class { REC_USABLE, REC_PKIX, REC_MALFORMED };

struct rec_tally {
    size_t usable, pkix, malformed;
    size_t usable_distinct; /* usable records that differ from every earlier usable one */
    size_t usable_current;  /* 3 1 1 / 3 0 1 records known to match the served certificate */
};

/* ---- record text ---- */

static void record_text(const struct dns_tlsa *t, char *out, size_t outsz)
{
    static const char hex[] = "0123456789abcdef";
    size_t show = t->data != NULL ? t->len : 0;
    size_t full = t->mtype == MTYPE_SHA512 ? SHA512_LEN : SHOW_BYTES;
    const char *tail = "";
    if (show > full) {
        show = SHOW_BYTES;
        tail = "...";
    }
    int n = snprintf(out, outsz, "%u %u %u ", t->usage, t->selector, t->mtype);
    if (n < 0 || (size_t)n >= outsz)
        return;
    size_t o = (size_t)n;
    for (size_t i = 0; i < show && o + 2 < outsz; i++) {
        out[o++] = hex[t->data[i] >> 4];
        out[o++] = hex[t->data[i] & 0x0f];
    }
    out[o] = '\0';
    snprintf(out + o, outsz - o, "%s", t->len == 0 ? "(empty)" : tail);
}

/* The owner name to publish at, with its final dot. */
static void tlsa_owner(const struct host_obs *obs, char *out, size_t outsz)
{
    if (obs->tlsa_looked_up && obs->tlsa_name[0])
        snprintf(out, outsz, "%s.", obs->tlsa_name);
    else
        snprintf(out, outsz, "_25._tcp.%s.", obs->host);
}

/* The 3 1 1 record for the served key; 0 when no key was seen, or when the
 * key is too weak to keep (the certificate check asks for a new one). */
static int suggested_rr(const struct host_obs *obs, char *out, size_t outsz)
{
    char owner[OWNER_MAX];
    if (!obs->handshake_ok || !obs->info.have_cert || (obs->info.weak & TLS_WEAK_LEAF_KEY) ||
        strnlen(obs->info.spki_sha256, sizeof obs->info.spki_sha256) != 2 * SHA256_LEN)
        return 0;
    tlsa_owner(obs, owner, sizeof owner);
    snprintf(out, outsz, "%s IN TLSA 3 1 1 %s", owner, obs->info.spki_sha256);
    return 1;
}

/* ---- record classification ---- */

/* Why a record is malformed, or NULL when its fields and length fit. */
static const char *malformed_why(const struct dns_tlsa *t, char *buf, size_t bufsz)
{
    if (t->usage > USAGE_DANE_EE)
        return "unknown certificate usage";
    if (t->selector > SELECTOR_MAX)
        return "unknown selector (0 or 1)";
    if (t->len == 0 || t->data == NULL)
        return "no certificate association data";
    switch (t->mtype) {
    case MTYPE_FULL: return NULL;
    case MTYPE_SHA256:
        if (t->len == SHA256_LEN)
            return NULL;
        snprintf(buf, bufsz, "SHA2-256 data must be 32 bytes, not %zu", t->len);
        return buf;
    case MTYPE_SHA512:
        if (t->len == SHA512_LEN)
            return NULL;
        snprintf(buf, bufsz, "SHA2-512 data must be 64 bytes, not %zu", t->len);
        return buf;
    default: return "unknown matching type (0, 1 or 2)";
    }
}

static enum rec_class classify(const struct dns_tlsa *t)
{
    char buf[64];
    if (malformed_why(t, buf, sizeof buf) != NULL)
        return REC_MALFORMED;
    switch (t->usage) {
    case USAGE_PKIX_TA:
    case USAGE_PKIX_EE: return REC_PKIX;
    case USAGE_DANE_TA:
    case USAGE_DANE_EE: return REC_USABLE;
    default: return REC_MALFORMED;
    }
}

static int same_record(const struct dns_tlsa *a, const struct dns_tlsa *b)
{
    return a->usage == b->usage && a->selector == b->selector && a->mtype == b->mtype &&
           a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static int hex_equals(const struct dns_tlsa *t, const char *hexstr)
{
    char got[2 * SHA256_LEN + 1];
    static const char hex[] = "0123456789abcdef";
    if (t->len != SHA256_LEN || strnlen(hexstr, 2 * SHA256_LEN + 1) != 2 * SHA256_LEN)
        return 0;
    for (size_t i = 0; i < SHA256_LEN; i++) {
        got[2 * i] = hex[t->data[i] >> 4];
        got[2 * i + 1] = hex[t->data[i] & 0x0f];
    }
    got[2 * SHA256_LEN] = '\0';
    return strcmp(got, hexstr) == 0;
}

/* A DANE-EE SHA2-256 record that provably matches the leaf that was served. */
static int matches_current(const struct host_obs *obs, const struct dns_tlsa *t)
{
    if (!obs->handshake_ok || t->usage != USAGE_DANE_EE || t->mtype != MTYPE_SHA256)
        return 0;
    return hex_equals(t, t->selector == 1 ? obs->info.spki_sha256 : obs->info.cert_sha256);
}

static int usable_seen_before(const struct dns_tlsa_set *s, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (classify(&s->rr[j]) == REC_USABLE && same_record(&s->rr[j], &s->rr[i]))
            return 1;
    return 0;
}

/* List every record and count them by class. */
static struct rec_tally tally_records(const struct host_obs *obs, struct stc_result *c)
{
    struct rec_tally t = {0};
    result_fact_list(c, "tlsa_records");
    for (size_t i = 0; i < obs->tlsa.n; i++) {
        const struct dns_tlsa *r = &obs->tlsa.rr[i];
        char text[REC_TEXT_MAX];
        record_text(r, text, sizeof text);
        result_fact_list_add(c, "tlsa_records", text);
        switch (classify(r)) {
        case REC_USABLE:
            t.usable++;
            if (!usable_seen_before(&obs->tlsa, i)) {
                t.usable_distinct++;
                t.usable_current += matches_current(obs, r) ? 1 : 0;
            }
            break;
        case REC_PKIX: t.pkix++; break;
        case REC_MALFORMED: t.malformed++; break;
        default: break;
        }
    }
    result_fact_int(c, "usable_records", (long long)t.usable);
    return t;
}

/* One warning per malformed record, with the record shown. */
static void report_malformed(const struct host_obs *obs, struct stc_result *c)
{
    for (size_t i = 0; i < obs->tlsa.n; i++) {
        const struct dns_tlsa *r = &obs->tlsa.rr[i];
        char text[REC_TEXT_MAX], buf[64];
        const char *why = malformed_why(r, buf, sizeof buf);
        if (why == NULL)
            continue;
        record_text(r, text, sizeof text);
        result_msg(c, STC_STATUS_WARNING, "Malformed TLSA record %s: %s", text, why);
        result_set_type(c, "tlsa-invalid");
        result_recommend(c, FIX_MALFORMED);
    }
}

/* ---- verdicts ---- */

static void judge_addr_bogus(const struct host_obs *obs, struct stc_result *c)
{
    result_msg(c, STC_STATUS_FAILURE,
               "The address records of %s fail DNSSEC validation: DANE senders cannot use this "
               "MX",
               obs->host);
    result_set_type(c, "dnssec-invalid");
    result_recommend(c, FIX_BOGUS);
}

/* DANE senders do not look for TLSA here; TLSA records found anyway (when
 * host_observe looked) are a configuration the operator believes works. */
static void judge_addr_insecure(const struct host_obs *obs, struct stc_result *c)
{
    if (obs->tlsa_looked_up && obs->tlsa_err.code == STC_OK && obs->tlsa.n > 0) {
        result_msg(c, STC_STATUS_WARNING,
                   "TLSA records are published at %s but the host's address records are not "
                   "DNSSEC-signed: DANE senders ignore them",
                   obs->tlsa_name);
        result_recommend(c, FIX_SIGN_ZONE);
        return;
    }
    /* Advice only: the domain's dane check gives the one fix for all hosts. */
    result_msg(c, STC_STATUS_SUCCESS,
               "no DANE possible: the host's address records are not DNSSEC-signed");
}

static void judge_lookup_failed(const struct host_obs *obs, struct stc_result *c)
{
    result_msg(c, STC_STATUS_FAILURE,
               "The TLSA lookup for %s failed (%s): DANE senders treat this MX as unusable (they "
               "never fall back to plaintext)",
               obs->tlsa_name, obs->tlsa_err.msg[0] ? obs->tlsa_err.msg : "no answer");
    result_set_type(c, "dnssec-invalid");
    result_recommend(c, FIX_TLSA_SERVFAIL, obs->tlsa_name);
}

static void judge_tlsa_bogus(const struct host_obs *obs, struct stc_result *c)
{
    result_msg(c, STC_STATUS_FAILURE,
               "The TLSA records at %s fail DNSSEC validation%s%s%s: DANE senders treat this MX "
               "as unusable",
               obs->tlsa_name, obs->tlsa.st.why_bogus[0] ? " (" : "", obs->tlsa.st.why_bogus,
               obs->tlsa.st.why_bogus[0] ? ")" : "");
    result_set_type(c, "dnssec-invalid");
    result_recommend(c, FIX_BOGUS);
}

static void judge_no_tlsa(const struct host_obs *obs, struct stc_result *c)
{
    char rr[RR_TEXT_MAX];
    result_msg(c, STC_STATUS_SUCCESS, "No TLSA records at %s: DANE is not used for %s",
               obs->tlsa_name, obs->host);
    if (suggested_rr(obs, rr, sizeof rr)) {
        result_fact_str(c, "suggested_tlsa", rr);
        result_recommend(c, FIX_PUBLISH, rr);
    } else {
        result_recommend(c, FIX_DANE_DOMAIN);
    }
}

static void judge_tlsa_insecure(const struct host_obs *obs, struct stc_result *c)
{
    result_msg(c, STC_STATUS_WARNING,
               "The TLSA records at %s are not DNSSEC-signed: senders ignore them, DANE is not "
               "used for %s",
               obs->tlsa_name, obs->host);
    result_recommend(c,
                     "Sign the zone that holds %s with DNSSEC (with a DS record at its "
                     "parent): TLSA records only count when they validate.",
                     obs->tlsa_name);
}

/* Why no TLS session came up, for the DANE verdict. */
static const char *no_tls_reason(const struct host_obs *obs)
{
    if (!obs->ext.starttls)
        return "STARTTLS is not offered";
    if (obs->starttls_code != 220)
        return "STARTTLS is refused";
    return obs->tls_err.msg[0] ? obs->tls_err.msg : "the TLS handshake failed";
}

static void judge_no_tls(const struct host_obs *obs, struct stc_result *c)
{
    result_msg(c, STC_STATUS_FAILURE,
               "DANE senders will not deliver to %s: TLSA records are published but no TLS "
               "session could be established (%s)",
               obs->host, no_tls_reason(obs));
    result_set_type(c, obs->ext.starttls && obs->starttls_code == 220 ? "validation-failure"
                                                                      : "starttls-not-supported");
    result_recommend(c, FIX_STARTTLS);
}

static void judge_none_usable(const struct host_obs *obs, struct stc_result *c,
                              const struct rec_tally *t)
{
    char rr[RR_TEXT_MAX];
    result_msg(c, STC_STATUS_WARNING,
               "only unusable TLSA records (%zu PKIX-TA/PKIX-EE, %zu malformed): DANE senders "
               "still require STARTTLS but cannot authenticate %s",
               t->pkix, t->malformed, obs->host);
    result_set_type(c, "tlsa-invalid");
    if (suggested_rr(obs, rr, sizeof rr)) {
        result_fact_str(c, "suggested_tlsa", rr);
        if (t->pkix > 0)
            result_recommend(c, FIX_PKIX, rr);
        else
            result_recommend(c, FIX_PUBLISH, rr);
    }
}

static const char *usage_name(int usage)
{
    switch (usage) {
    case USAGE_PKIX_TA: return "PKIX-TA";
    case USAGE_PKIX_EE: return "PKIX-EE";
    case USAGE_DANE_TA: return "DANE-TA";
    case USAGE_DANE_EE: return "DANE-EE";
    default: return "unknown usage";
    }
}

static void judge_authenticated(const struct host_obs *obs, struct stc_result *c)
{
    const struct tls_info *in = &obs->info;
    char matched[16];
    snprintf(matched, sizeof matched, "%d %d %d", in->dane_usage, in->dane_selector,
             in->dane_mtype);
    result_msg(c, STC_STATUS_SUCCESS,
               "%s is DANE-authenticated: TLSA record %s (%s) matches the %s at depth %d",
               obs->host, matched, usage_name(in->dane_usage),
               in->dane_depth == 0 ? "server's certificate" : "CA certificate", in->dane_depth);
    result_fact_str(c, "matched", matched);
    result_fact_int(c, "matched_depth", in->dane_depth);
    result_fact_bool(c, "authenticated", 1);
}

static void judge_not_authenticated(const struct host_obs *obs, struct stc_result *c)
{
    char rr[RR_TEXT_MAX];
    result_msg(c, STC_STATUS_FAILURE,
               "TLSA records present but none matches the certificate chain the server presents: "
               "DANE senders will not deliver to %s%s%s%s",
               obs->host, obs->info.dane_text[0] ? " (" : "", obs->info.dane_text,
               obs->info.dane_text[0] ? ")" : "");
    result_set_type(c, "tlsa-invalid");
    if (suggested_rr(obs, rr, sizeof rr)) {
        result_fact_str(c, "suggested_tlsa", rr);
        result_recommend(c, FIX_MISMATCH, rr);
    } else {
        result_recommend(c, FIX_MISMATCH_GENERIC);
    }
}

/*
 * Rollover health (RFC 7671 8.1, 8.4), judged only for a host that is
 * DANE-authenticated (a set that matches nothing is a failure already, and
 * advice on its next key would be noise). Ready when at least two distinct
 * usable records are published and not all of them are known to match the
 * current certificate: 3+3 (current and next key), 3+2 (the TA record
 * survives a leaf key change, the EE record a CA change) and 2+2 (current
 * and next CA) all pass. A single record of any usage does not: the issuing
 * CA's key changes too (e.g. Let's Encrypt rotates intermediates), so a
 * lone 2 x x record breaks as surely as a lone 3 x x. Advice, not a
 * warning: DANE protects the host today, and a careful key change keeps it
 * working; the recommendation is the 3 1 1 + 2 1 1 scheme.
 */
static void rollover_check(struct stc_result *c, const struct rec_tally *t)
{
    int ready = t->usable_distinct >= 2 && t->usable_current < t->usable_distinct;
    result_fact_bool(c, "rollover_ready", ready);
    if (ready)
        return;
    if (t->usable_distinct < 2)
        result_note(c, "only one usable TLSA record: a key or certificate change will break "
                       "DANE unless the next key's record is published first");
    else
        result_note(c,
                    "all %zu usable TLSA records match the current certificate: a key change "
                    "will break DANE unless the next key's record is published first",
                    t->usable_distinct);
    result_recommend(c, FIX_ROLLOVER);
}

/* The records look usable but the TLS library took none of them. */
static void judge_rejected(const struct host_obs *obs, struct stc_result *c)
{
    result_msg(c, STC_STATUS_WARNING,
               "None of the TLSA records could be used (%s): DANE senders cannot authenticate %s",
               obs->info.dane_text[0] ? obs->info.dane_text : "no usable TLSA records", obs->host);
    result_set_type(c, "tlsa-invalid");
    result_recommend(c, FIX_MALFORMED);
}

/* A secure, non-empty RRset. Failures first, so their result type wins. */
static void judge_records(const struct host_obs *obs, struct stc_result *c)
{
    struct rec_tally t = tally_records(obs, c);
    if (!obs->handshake_ok)
        judge_no_tls(obs, c);
    else if (t.usable > 0 && !obs->info.dane_enabled)
        judge_rejected(obs, c);
    else if (t.usable > 0 && obs->info.dane_authenticated)
        judge_authenticated(obs, c);
    else if (t.usable > 0)
        judge_not_authenticated(obs, c);
    report_malformed(obs, c);
    if (t.usable == 0)
        judge_none_usable(obs, c, &t);
    else if (obs->handshake_ok && obs->info.dane_enabled && obs->info.dane_authenticated)
        rollover_check(c, &t);
}

/* Address records are secure: judge the TLSA lookup and what came of it. */
static void judge_tlsa(const struct host_obs *obs, struct stc_result *c)
{
    if (!obs->tlsa_looked_up) {
        result_msg(c, STC_STATUS_ERROR, "The TLSA records of %s were not looked up", obs->host);
        return;
    }
    if (obs->tlsa_err.code != STC_OK) {
        judge_lookup_failed(obs, c);
        return;
    }
    switch (obs->tlsa.st.sec) {
    case DNS_BOGUS: judge_tlsa_bogus(obs, c); return;
    case DNS_INSECURE:
        if (obs->tlsa.n == 0)
            judge_no_tlsa(obs, c);
        else
            judge_tlsa_insecure(obs, c);
        return;
    case DNS_SECURE: break;
    default: result_msg(c, STC_STATUS_ERROR, "Unknown DNSSEC state of the TLSA records"); return;
    }
    if (obs->tlsa.n == 0) {
        judge_no_tlsa(obs, c);
        return;
    }
    result_fact_bool(c, "tlsa_present", 1);
    judge_records(obs, c);
}

void check_dane(const struct host_obs *obs, struct stc_result *host)
{
    struct stc_result *c = result_add_check(host, CHECK_DANE, DESCRIPTION);
    if (c == NULL)
        return;
    result_fact_str(c, "dnssec", dns_security_text(obs->addr_sec));
    if (obs->tlsa_looked_up)
        result_fact_str(c, "tlsa_name", obs->tlsa_name);
    result_fact_bool(c, "tlsa_present", 0);
    result_fact_bool(c, "authenticated", 0);
    switch (obs->addr_sec) {
    case DNS_BOGUS: judge_addr_bogus(obs, c); break;
    case DNS_INSECURE: judge_addr_insecure(obs, c); break;
    case DNS_SECURE: judge_tlsa(obs, c); break;
    default: result_msg(c, STC_STATUS_ERROR, "Unknown DNSSEC state of the address records"); break;
    }
}

/* ---- domain summary ---- */

struct dane_tally {
    size_t hosts, auth, with_tlsa, failed;
    size_t checked; /* hosts with a dane check: reached, TLSA looked up if signed */
    char unchecked_names[NAMES_MAX];
    size_t unsigned_hosts;  /* address records not DNSSEC-signed, no TLSA */
    size_t no_tlsa_generic; /* no TLSA and no record of the served key to suggest */
    char failed_names[NAMES_MAX];
    char other_names[NAMES_MAX];    /* not authenticated, with the reason */
    char unsigned_names[NAMES_MAX]; /* the unsigned hosts */
};

static void append_name(char *list, size_t sz, const char *name, const char *why)
{
    size_t o = strnlen(list, sz);
    if (o + 1 >= sz)
        return;
    snprintf(list + o, sz - o, "%s%s%s%s%s", o ? ", " : "", name, why ? " (" : "", why ? why : "",
             why ? ")" : "");
}

static int fact_true(const struct stc_result *r, const char *key)
{
    long long v = 0;
    return stc_result_get_int(r, key, &v) && v != 0;
}

/* Why a host without DANE authentication has none. */
static const char *host_gap(const struct stc_result *d)
{
    const char *sec = stc_result_get_str(d, "dnssec");
    if (sec != NULL && strcmp(sec, "secure") != 0)
        return "address records not DNSSEC-signed";
    if (!fact_true(d, "tlsa_present"))
        return "no TLSA records";
    return "TLSA records not usable";
}

static void tally_host(const struct stc_result *h, struct dane_tally *t)
{
    const struct stc_result *d = stc_result_find(h, CHECK_DANE);
    t->hosts++;
    if (d != NULL)
        t->checked++;
    else
        append_name(t->unchecked_names, sizeof t->unchecked_names, stc_result_name(h), NULL);
    if (d != NULL && fact_true(d, "tlsa_present"))
        t->with_tlsa++;
    if (d != NULL && stc_result_status(d) >= STC_STATUS_FAILURE) {
        t->failed++;
        append_name(t->failed_names, sizeof t->failed_names, stc_result_name(h), NULL);
    } else if (d != NULL && fact_true(d, "authenticated")) {
        t->auth++;
    } else {
        const char *gap = d == NULL ? "not checked" : host_gap(d);
        append_name(t->other_names, sizeof t->other_names, stc_result_name(h), gap);
        if (d != NULL && strcmp(gap, "address records not DNSSEC-signed") == 0 &&
            !fact_true(d, "tlsa_present") && stc_result_status(d) == STC_STATUS_SUCCESS) {
            t->unsigned_hosts++;
            append_name(t->unsigned_names, sizeof t->unsigned_names, stc_result_name(h), NULL);
        } else if (d != NULL && !fact_true(d, "tlsa_present") &&
                   stc_result_get_str(d, "suggested_tlsa") == NULL) {
            t->no_tlsa_generic++;
        }
    }
}

/*
 * The fixes for hosts without DANE, each once: a host whose served key is
 * known already recommends its own TLSA record (the same text is repeated
 * here, so the domain check carries its fix and reports show it once); the
 * generic "publish TLSA records" only for hosts without one; hosts in
 * unsigned zones get one "sign the zone" naming them.
 */
static void recommend_host_fixes(struct stc_result *c, const struct stc_result *root,
                                 const struct dane_tally *t)
{
    for (size_t i = 0; i < stc_result_child_count(root); i++) {
        const struct stc_result *h = stc_result_child(root, i);
        const struct stc_result *d =
            stc_result_kind(h) == STC_NODE_HOST ? stc_result_find(h, CHECK_DANE) : NULL;
        const char *rr = d != NULL && !fact_true(d, "authenticated") &&
                                 !fact_true(d, "tlsa_present")
                             ? stc_result_get_str(d, "suggested_tlsa")
                             : NULL;
        if (rr != NULL)
            result_recommend(c, FIX_PUBLISH, rr);
    }
    if (t->no_tlsa_generic > 0)
        result_recommend(c, FIX_DANE_DOMAIN);
    if (t->unsigned_hosts > 0)
        result_recommend(c,
                         "Sign the zone of %s with DNSSEC (and publish the DS record at the "
                         "parent), then publish TLSA records: DANE needs DNSSEC-signed address "
                         "records.",
                         t->unsigned_names);
}

static void set_coverage(struct stc_result *c, const struct dane_tally *t, const char *coverage)
{
    result_fact_int(c, "hosts_authenticated", (long long)t->auth);
    result_fact_int(c, "hosts", (long long)t->hosts);
    result_fact_int(c, "hosts_checked", (long long)t->checked);
    result_fact_str(c, "coverage", coverage);
}

static void judge_mx_insecure(struct stc_result *c, const char *domain, const struct dane_tally *t)
{
    if (t->with_tlsa > 0)
        result_msg(c, STC_STATUS_WARNING,
                   "DANE not possible: the MX records of %s are not DNSSEC-signed, so DANE "
                   "senders ignore the TLSA records of its MX hosts",
                   domain);
    else
        result_msg(c, STC_STATUS_SUCCESS,
                   "DANE not possible: the MX records are not DNSSEC-signed");
    result_recommend(c, FIX_SIGN_MX);
}

static void judge_coverage(struct stc_result *c, const struct stc_result *root,
                           const struct dane_tally *t)
{
    if (t->failed > 0) {
        set_coverage(c, t, t->auth > 0 ? "some" : "none");
    } else if (t->hosts > 0 && t->auth == t->hosts) {
        if (t->hosts == 1)
            result_msg(c, STC_STATUS_SUCCESS, "the MX host is DANE-authenticated");
        else if (t->hosts == 2)
            result_msg(c, STC_STATUS_SUCCESS, "both MX hosts are DANE-authenticated");
        else
            result_msg(c, STC_STATUS_SUCCESS, "all %zu MX hosts are DANE-authenticated",
                       t->hosts);
        set_coverage(c, t, "all");
    } else if (t->hosts > 0 && t->checked == 0) {
        result_msg(c, STC_STATUS_ERROR,
                   "DANE not tested: no MX host was reached, so no TLSA records were looked "
                   "up (not checked: %s)",
                   t->unchecked_names);
        result_recommend(c, "See the connectivity check of each MX host for why none was "
                            "reached; check again once one accepts connections, as DANE is "
                            "judged on the certificate an MX host serves.");
        set_coverage(c, t, "none");
    } else if (t->auth == 0 && t->with_tlsa == 0) {
        /* Only hosts whose dane check ran count: the others had no lookup. */
        if (t->checked == t->hosts && t->hosts == 1)
            result_msg(c, STC_STATUS_SUCCESS,
                       "the MX host has no TLSA records: DANE is not used");
        else if (t->checked == t->hosts)
            result_msg(c, STC_STATUS_SUCCESS,
                       "none of the %zu MX hosts has TLSA records: DANE is not used", t->hosts);
        else if (t->checked == 1)
            result_msg(c, STC_STATUS_SUCCESS,
                       "the one MX host checked has no TLSA records: DANE is not used (not "
                       "checked: %s)",
                       t->unchecked_names);
        else
            result_msg(c, STC_STATUS_SUCCESS,
                       "none of the %zu MX hosts checked has TLSA records: DANE is not used "
                       "(not checked: %s)",
                       t->checked, t->unchecked_names);
        recommend_host_fixes(c, root, t);
        set_coverage(c, t, "none");
    } else {
        if (t->hosts == 1)
            result_msg(c, STC_STATUS_WARNING, "the MX host is not DANE-authenticated: %s",
                       t->other_names);
        else
            result_msg(c, STC_STATUS_WARNING,
                       "%s MX hosts are DANE-authenticated (%zu of %zu); not: %s",
                       t->auth > 0 ? "only some" : "none of the", t->auth, t->hosts,
                       t->other_names);
        result_set_type(c, "dane-required");
        recommend_host_fixes(c, root, t);
        if (stc_result_recommendation_count(c) == 0)
            result_recommend(c, FIX_DANE_DOMAIN);
        set_coverage(c, t, t->auth > 0 ? "some" : "none");
    }
}

void check_dane_domain(const char *domain, struct stc_result *root)
{
    struct dane_tally t;
    memset(&t, 0, sizeof t);
    struct stc_result *c = result_add_check(root, CHECK_DANE, DOMAIN_DESCRIPTION);
    if (c == NULL)
        return;
    for (size_t i = 0; i < stc_result_child_count(root); i++) {
        const struct stc_result *h = stc_result_child(root, i);
        if (stc_result_kind(h) == STC_NODE_HOST)
            tally_host(h, &t);
    }
    const char *mx = stc_result_get_str(root, "mx_dnssec");
    result_fact_str(c, "mx_dnssec", mx != NULL ? mx : "unknown");
    set_coverage(c, &t, "none");
    if (t.failed > 0) {
        result_msg(c, STC_STATUS_FAILURE,
                   "DANE fails on %zu of %zu MX host%s: %s; DANE senders will not deliver to "
                   "%s",
                   t.failed, t.hosts, t.hosts == 1 ? "" : "s", t.failed_names,
                   t.failed == 1 ? "it" : "them");
        result_recommend(c, "See the dane check of each failing MX host for the fix.");
    }
    if (mx == NULL) {
        result_msg(c, STC_STATUS_ERROR, "The DNSSEC state of the MX records of %s is unknown",
                   domain);
    } else if (strcmp(mx, "bogus") == 0) {
        result_msg(c, STC_STATUS_FAILURE,
                   "The MX records of %s fail DNSSEC validation: DANE senders cannot deliver",
                   domain);
        result_set_type(c, "dnssec-invalid");
        result_recommend(c, FIX_BOGUS);
    } else if (strcmp(mx, "secure") != 0) {
        judge_mx_insecure(c, domain, &t);
    } else {
        judge_coverage(c, root, &t);
    }
}
