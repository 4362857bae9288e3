/* mtasts.h - MTA-STS (RFC 8461): TXT record, policy fetch, policy parser, MX matching.
 *
 * The parsers take bytes and a length, never trust NUL termination, and
 * report every problem they find as a finding (note / warning / error) so a
 * check can show all of them, not just the first. Findings hold the raw
 * (NUL-free) bytes of excerpts: escape them before output (result_msg does).
 * The error in struct stc_err is the first error, escaped.
 *
 * Layer: util, dns (the caller resolves the policy host) and libcurl.
 */
#ifndef STC_MTASTS_MTASTS_H
#define STC_MTASTS_MTASTS_H

#include <stddef.h>
#include <stdint.h>

#include <starttls/error.h>

#include "../util/buf.h"
#include "../util/deadline.h"
#include "../util/err.h"
#include "../util/limits.h"

/* ---- findings: what a parser has to say, with a severity ---- */

enum mtasts_sev {
    MTASTS_NOTE = 0, /* worth knowing; changes nothing */
    MTASTS_WARN = 1, /* works, but against the RFC's advice or fragile */
    MTASTS_ERR = 2   /* senders reject the record/policy */
};

#define MTASTS_FINDINGS_MAX 16
#define MTASTS_FINDING_LEN 240
#define MTASTS_EXCERPT_MAX 48 /* bytes of a bad line quoted in a finding */

struct mtasts_finding {
    enum mtasts_sev sev;
    char msg[MTASTS_FINDING_LEN];
};

struct mtasts_findings {
    size_t n;
    size_t dropped; /* findings past MTASTS_FINDINGS_MAX, counted only */
    enum mtasts_sev worst;
    struct mtasts_finding f[MTASTS_FINDINGS_MAX];
};

void mtasts_findings_init(struct mtasts_findings *fx);
void mtasts_finding_add(struct mtasts_findings *fx, enum mtasts_sev sev, const char *fmt, ...)
    STC_PRINTF(3, 4);
/** Index of the first finding of severity sev, or -1. */
long mtasts_findings_first(const struct mtasts_findings *fx, enum mtasts_sev sev);
/** Set err (STC_E_PARSE, "<what>: <first error, escaped>") when fx holds an error. */
stc_rc mtasts_findings_rc(const struct mtasts_findings *fx, const char *what, struct stc_err *err);

/* ---- TXT records: "k=v; k=v" (RFC 8461 3.1, RFC 8460 3) ---- */

struct mtasts_kv {
    const char *key;
    size_t klen;
    const char *val;
    size_t vlen;
};

#define MTASTS_KV_MAX 32

/**
 * Split a TXT record into fields per the shared grammar of RFC 8461 3.1 and
 * RFC 8460 3: field *( *WSP ";" *WSP field ) [ *WSP ";" *WSP ], each field
 * NAME=VALUE with NAME = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".").
 * Values are not checked here (each field has its own rule). Problems go to
 * fx; fields past max are dropped with an error. *count is set always.
 */
void mtasts_kv_split(const char *rec, size_t n, struct mtasts_kv *kv, size_t max, size_t *count,
                     struct mtasts_findings *fx);
/** Is v a valid extension value: 1*(%x21-3A / %x3C / %x3E-7E)? */
int mtasts_ext_value_ok(const char *v, size_t n);
/** Space or tab (the WSP of both grammars). */
int mtasts_is_wsp(char c);
/** A field name: (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / "."). */
int mtasts_field_name_ok(const char *k, size_t n);
/** Did a field of the same name (case-sensitive) come before kv[i]? */
int mtasts_kv_seen_before(const struct mtasts_kv *kv, size_t i);
/**
 * A field that is not one the record type knows: an error when its value is
 * malformed, a note when its name is `known` in another case (names are
 * case-sensitive, so senders ignore it), else a note that it is ignored.
 */
void mtasts_kv_note_other(const struct mtasts_kv *f, const char *known,
                          struct mtasts_findings *fx);

struct mtasts_txt {
    char id[STC_MTASTS_ID_MAX + 1];
    struct mtasts_findings fx;
};

/** Does the record claim to be MTA-STS: "v=STSv1" followed by ";", WSP or the end? */
int mtasts_txt_is_sts(const char *rec, size_t n);
/** Does rec[0..n) start with the version field `version` ("v=STSv1", "v=TLSRPTv1"),
 * followed by its end, ";" or white space (RFC 8461 3.1, RFC 8460 3)? */
int mtasts_record_is(const char *rec, size_t n, const char *version);
/**
 * Parse one _mta-sts TXT record (strings already joined).
 * STC_E_PARSE when senders would reject it (err says why; out->fx has every finding).
 */
stc_rc mtasts_txt_parse(const char *rec, size_t n, struct mtasts_txt *out, struct stc_err *err);

/* ---- the policy file (RFC 8461 3.2) ---- */

enum mtasts_mode {
    MTASTS_MODE_UNSET = 0,
    MTASTS_MODE_ENFORCE,
    MTASTS_MODE_TESTING,
    MTASTS_MODE_NONE
};

struct mtasts_policy {
    enum mtasts_mode mode;
    long max_age; /* -1 when missing or invalid */
    size_t nmx;
    char **mx; /* valid patterns in file order, duplicates kept once; owned */
    struct mtasts_findings fx;
};

/**
 * Parse a policy body. LF or CRLF line endings; "name: value" fields with
 * case-sensitive names and values; first occurrence of a repeated field
 * wins (except mx); unknown fields ignored. On STC_OK or STC_E_PARSE, out
 * holds what could be read and every finding; free with mtasts_policy_free.
 * STC_E_NOMEM on allocation failure.
 */
stc_rc mtasts_policy_parse(const uint8_t *p, size_t n, struct mtasts_policy *out,
                           struct stc_err *err);
void mtasts_policy_free(struct mtasts_policy *p);
/** "enforce", "testing", "none", or "" when unset. */
const char *mtasts_mode_name(enum mtasts_mode m);

/* ---- MX patterns (RFC 8461 3.2 syntax, appendix B matching) ---- */

/**
 * Does host match pattern: equal, or pattern "*.rest" (or the original
 * checker's ".rest") and host is exactly one non-empty label followed by
 * ".rest". ASCII case-insensitive; one trailing dot on either side ignored.
 */
int mtasts_pattern_match(const char *host, size_t hlen, const char *pat, size_t plen);
/**
 * Is pattern valid in a policy: ["*."] Domain (RFC 5321 labels: letters,
 * digits, hyphens inside; 1-63 bytes; total <= 253)? When not, *why
 * points at a static reason.
 */
int mtasts_pattern_valid(const char *pat, size_t n, const char **why);

/* ---- requirements a sender checks on each MX host (RFC 8461 4, 5) ---- */

/** What the host checks observed, as read from the result tree. 1 yes, 0 no, -1 unknown. */
struct mtasts_host {
    const char *name;
    int connected;
    int starttls;     /* TLS established after STARTTLS */
    long tls_version; /* negotiated protocol code, 0x0303 = TLS 1.2; 0 unknown */
    int cert_valid;   /* trusted, in date, valid for the name */
    int cert_trusted;
    int name_matches;
    long long days_to_expiry; /* LLONG_MIN unknown */
    int name_in_cn_only; /* the name matched only the subject CN: no subjectAltName dNSName */
};

enum mtasts_violation {
    MTASTS_V_PATTERN = 1u << 0,  /* matches no mx pattern */
    MTASTS_V_STARTTLS = 1u << 1, /* no STARTTLS / handshake failed */
    MTASTS_V_VERSION = 1u << 2,  /* below TLS 1.2 */
    MTASTS_V_CERT_TRUST = 1u << 3,
    MTASTS_V_CERT_NAME = 1u << 4,
    MTASTS_V_CERT_EXPIRED = 1u << 5,
    MTASTS_V_CERT_OTHER = 1u << 6, /* invalid for another or unknown reason */
    MTASTS_V_CERT_NO_SAN = 1u << 7 /* name only in the CN (RFC 8461 4.2 wants a SAN) */
};

/** Does host match any pattern? */
int mtasts_patterns_match(const char *host, char *const *pats, size_t npats);
/**
 * Which requirements a connected host fails (a set of enum mtasts_violation).
 * Only MTASTS_V_PATTERN is evaluated for a host that did not connect.
 */
unsigned mtasts_host_violations(char *const *pats, size_t npats, const struct mtasts_host *h);

/* ---- the fetch (RFC 8461 3.3) ---- */

struct mtasts_fetch_req {
    const char *domain;       /* the policy domain; the host is mta-sts.DOMAIN */
    const char *const *addrs; /* numeric addresses of mta-sts.DOMAIN (never empty) */
    size_t naddrs;
    int port;            /* 443 unless testing */
    const char *ca_file; /* NULL: system store (both NULL) */
    const char *ca_path;
    struct deadline deadline;
    int public_only;     /* refuse non-public addresses (util/addr_filter.h), also in
                            curl's open-socket callback; 0: any address */
};

struct mtasts_fetch_res {
    char url[STC_DOMAIN_MAX + 64];
    long http_status;       /* 0 when no response */
    char content_type[128]; /* as sent (NUL-free, may hold any other byte); "" when none */
    char location[256];     /* the Location of a redirect, when any */
    struct buf body;        /* at most STC_MTASTS_POLICY_MAX bytes */
};

/**
 * Call once before any thread fetches (stc_checker_new does, under
 * pthread_once): curl_global_init. STC_E_INTERNAL when curl cannot start.
 */
stc_rc mtasts_global_init(struct stc_err *err);

/**
 * GET https://mta-sts.DOMAIN[:PORT]/.well-known/mta-sts.txt through the
 * given addresses only, no redirects, no proxy, no cookies, https only.
 * res is filled as far as the exchange got; free with mtasts_fetch_res_free.
 * STC_OK: HTTP 200 and the body is in res->body.
 * STC_E_TLS: the certificate did not validate (RFC 8460 sts-webpki-invalid).
 * STC_E_PEER: no connection, TLS handshake failure, non-200 status or a
 *   redirect, protocol error (sts-policy-fetch-error).
 * STC_E_LIMIT: body over 64 KiB. STC_E_TIMEOUT: the deadline passed.
 * STC_E_INVAL: bad request; STC_E_IO: local trust store unreadable;
 * STC_E_NOMEM, STC_E_INTERNAL: curl could not be set up.
 */
stc_rc mtasts_fetch(const struct mtasts_fetch_req *req, struct mtasts_fetch_res *res,
                    struct stc_err *err);
void mtasts_fetch_res_free(struct mtasts_fetch_res *res);
/** Is the Content-Type media type text/plain (parameters allowed, case-insensitive)? */
int mtasts_content_type_ok(const char *ct);

#endif
