/* checker.h - configure a checker and check domains and hosts.
 *
 * A checker holds configuration, the resolver context and the TLS trust
 * store. It is immutable once made and safe to share between threads: every
 * check call allocates its own connection state.
 *
 * Ownership: *out of stc_config_new / stc_checker_new belongs to the caller
 * (stc_config_free / stc_checker_free); strings passed to setters are
 * copied; a result tree returned in *out belongs to the caller
 * (stc_result_free). Callback contexts are borrowed and must outlive the
 * checker. No function here returns a pointer the caller must not free
 * except stc_version (static).
 */
#ifndef STARTTLS_CHECKER_H
#define STARTTLS_CHECKER_H

#include <stddef.h>

#include "error.h"
#include "export.h"
#include "result.h"
#include "version.h"

#ifdef __cplusplus
extern "C" {
#endif

struct stc_config;
struct stc_checker;

/** Which checks run (bit set). */
enum stc_check_flags {
    STC_CHECK_SMTP = 1u << 0,     /**< connect to MX hosts: connectivity, starttls, certificate, version, cipher */
    STC_CHECK_MTASTS = 1u << 1,   /**< MTA-STS TXT + policy (RFC 8461) */
    STC_CHECK_TLSRPT = 1u << 2,   /**< TLS-RPT TXT record (RFC 8460) */
    STC_CHECK_DANE = 1u << 3,     /**< TLSA + DNSSEC (RFC 7672) */
    STC_CHECK_POLICYLIST = 1u << 4, /**< STARTTLS-Everywhere policy list (needs a list) */
    STC_CHECK_LEGACY_TLS = 1u << 5, /**< extra connection: are TLS 1.0/1.1 still accepted? */
    STC_CHECK_WEAK_CIPHERS = 1u << 6, /**< extra connection: are broken suites accepted? */
    STC_CHECK_DEFAULT = 0x7f,
    /** Deep TLS analysis (not in STC_CHECK_DEFAULT): every version and suite the host
     * accepts, server order, groups, DH size, renegotiation, CVE-2011-0411, REQUIRETLS,
     * graded by the NCSC-NL TLS guidelines. Some 20-40 extra connections per host. */
    STC_CHECK_DEEP = 1u << 7
};

/**
 * Replacement host check (the original's CheckHostname hook): called for each
 * MX host instead of the SMTP checks. It must return a STC_NODE_HOST tree in
 * *out (made with stc_host_result_new and friends, or stc_checker_check_host).
 */
typedef stc_rc (*stc_host_check_fn)(void *ctx, const struct stc_checker *checker,
                                    const char *domain, const char *host,
                                    struct stc_result **out, struct stc_err *err);

/**
 * Connection gate (bulk scans cap simultaneous connections per IP address):
 * acquire is called before each SMTP connection to addr and may wait up to
 * timeout_ms; it returns STC_OK to proceed (anything else skips the
 * address: STC_E_TIMEOUT no slot in time, STC_E_INTERRUPTED cancelled,
 * STC_E_INVAL the address must not be contacted, e.g. an opt-out list).
 * release is called once the connection is closed.
 */
typedef stc_rc (*stc_gate_acquire_fn)(void *ctx, const char *addr, long timeout_ms);
typedef void (*stc_gate_release_fn)(void *ctx, const char *addr);
/**
 * Address policy (bulk scans' opt-out list): asked before anything is sent to
 * addr that does not pass the connection gate (the MTA-STS policy fetch);
 * returns 0 to refuse it.
 */
typedef int (*stc_addr_allowed_fn)(void *ctx, const char *addr);

STC_EXPORT stc_rc stc_config_new(struct stc_config **out, struct stc_err *err);
STC_EXPORT void stc_config_free(struct stc_config *cfg);

/** Whole-host budget in milliseconds (default 30000). */
STC_EXPORT stc_rc stc_config_set_timeout_ms(struct stc_config *cfg, long ms, struct stc_err *err);
/**
 * Whole-domain budget in milliseconds: MX lookup, the MX hosts and the
 * domain-level lookups (MTA-STS, TLS-RPT) together. 0 (default): 4 x the host
 * budget. An MX host is started only while its whole budget and half a host
 * budget for the domain-level lookups still fit; the rest are reported "not
 * tested". At least 1.5 x the host budget (stc_checker_new says STC_E_INVAL).
 */
STC_EXPORT stc_rc stc_config_set_domain_timeout_ms(struct stc_config *cfg, long ms,
                                                   struct stc_err *err);
/**
 * EHLO name. Default: the machine's fully qualified name, as Postfix derives
 * myhostname (gethostname, then its canonical name), never "localhost"; when
 * the machine has no usable name, stc_checker_new fails unless one is set
 * here. Host results carry the name used (fact "ehlo_name").
 */
STC_EXPORT stc_rc stc_config_set_helo(struct stc_config *cfg, const char *name, struct stc_err *err);
/** "ADDR" or "ADDR@PORT": send all DNS queries there (default: /etc/resolv.conf). */
STC_EXPORT stc_rc stc_config_set_resolver(struct stc_config *cfg, const char *addr, struct stc_err *err);
/**
 * DNSSEC trust anchor file (DS/DNSKEY lines). Default: the file named by the
 * environment variable STC_ROOT_KEY, else /usr/share/dns/root.key (Debian's
 * dns-root-data), when readable. NULL: no validation. Without a trust anchor
 * the domain result says once that DNSSEC could not be validated (fact
 * "dnssec_validated" false, "dnssec_note") and the DANE checks do not run.
 */
STC_EXPORT stc_rc stc_config_set_trust_anchor(struct stc_config *cfg, const char *file, struct stc_err *err);
/** Who validates DNSSEC: "local" (default: libunbound with the trust anchor),
 * "resolver" (the AD bit of the resolver, which must be on loopback), or
 * "trusted-resolver" (the AD bit of any resolver the caller trusts), or "auto"
 * (resolver when it is on loopback and validates, else local). resolver and
 * trusted-resolver make stc_checker_new fail when the resolver sets no AD
 * bit on the signed root. */
STC_EXPORT stc_rc stc_config_set_dnssec(struct stc_config *cfg, const char *mode, struct stc_err *err);
/** CA bundle / directory for certificate validation (default: system store). */
STC_EXPORT stc_rc stc_config_set_ca_file(struct stc_config *cfg, const char *file, struct stc_err *err);
STC_EXPORT stc_rc stc_config_set_ca_path(struct stc_config *cfg, const char *dir, struct stc_err *err);
/** SMTP port (default 25). */
STC_EXPORT stc_rc stc_config_set_port(struct stc_config *cfg, int port, struct stc_err *err);
/** HTTPS port for MTA-STS policy fetch (default 443). */
STC_EXPORT stc_rc stc_config_set_https_port(struct stc_config *cfg, int port, struct stc_err *err);
/** Which checks run: a set of enum stc_check_flags. */
STC_EXPORT stc_rc stc_config_set_checks(struct stc_config *cfg, unsigned flags, struct stc_err *err);
/**
 * Pause before each probe connection to a host that was already contacted
 * (the TLS 1.0/1.1 and weak-suite probes, every --deep probe): 0..60000 ms,
 * default 0. Gentle with servers that rate-limit connections per client.
 */
STC_EXPORT stc_rc stc_config_set_probe_delay_ms(struct stc_config *cfg, long ms,
                                                struct stc_err *err);
/** Address families the checker connects over (stc_config_set_families). */
enum stc_family {
    STC_FAMILY_IPV4 = 1u << 0,
    STC_FAMILY_IPV6 = 1u << 1,
    STC_FAMILY_ALL = 3 /**< the default: every address of a host, IPv4 and IPv6 */
};
/**
 * Connect to MX hosts only over these families (enum stc_family bits, not
 * 0), for networks without one of them (--ipv4-only, --ipv6-only). The
 * other family's addresses are reported as not tested.
 */
STC_EXPORT stc_rc stc_config_set_families(struct stc_config *cfg, unsigned families,
                                          struct stc_err *err);
/** STARTTLS-Everywhere policy list file (JSON). */
STC_EXPORT stc_rc stc_config_set_policy_list(struct stc_config *cfg, const char *file, struct stc_err *err);
/** Replace the per-host check (tests, MTA-STS-only runs). */
STC_EXPORT stc_rc stc_config_set_host_check(struct stc_config *cfg, stc_host_check_fn fn, void *ctx,
                                            struct stc_err *err);

/** Install an address policy (see stc_addr_allowed_fn); NULL removes it. */
STC_EXPORT stc_rc stc_config_set_addr_allowed(struct stc_config *cfg, stc_addr_allowed_fn fn,
                                              void *ctx, struct stc_err *err);
/** Install a connection gate (see stc_gate_acquire_fn); NULLs remove it. */
STC_EXPORT stc_rc stc_config_set_connect_gate(struct stc_config *cfg, stc_gate_acquire_fn acquire,
                                              stc_gate_release_fn release, void *ctx,
                                              struct stc_err *err);

/**
 * Public addresses only (default off): every address taken from DNS (MX
 * hosts for SMTP, mta-sts.DOMAIN for the policy fetch) is classified before
 * any packet, and loopback, private (RFC 1918, ULA), link-local, CGNAT,
 * multicast, reserved, documentation and cloud-metadata addresses are not
 * connected to. The refusal is a finding: the host's connectivity check (or
 * the MTA-STS policy check) says "not tested: address X is ..." with status
 * error, and a domain none of whose hosts could be tested is an error (3).
 * For services exposed to the Internet (serve turns it on unless
 * --allow-private; the command's --public-only).
 */
STC_EXPORT stc_rc stc_config_set_public_only(struct stc_config *cfg, int on, struct stc_err *err);

/** Make a checker from cfg (cfg may be freed afterwards). */
STC_EXPORT stc_rc stc_checker_new(const struct stc_config *cfg, struct stc_checker **out,
                                  struct stc_err *err);
STC_EXPORT void stc_checker_free(struct stc_checker *checker);

/**
 * Check a domain: MX lookup, every MX host, domain-level checks.
 * expected_mx: NULL or a NULL-terminated list of RFC 8461 patterns; a
 * connected MX host matching none gives STC_DOMAIN_BAD_HOSTNAME.
 * A domain that fails its checks is not an error: *out is a tree whose status
 * says so. Errors are invalid arguments (e.g. a malformed domain) and OOM.
 */
STC_EXPORT stc_rc stc_checker_check_domain(const struct stc_checker *checker, const char *domain,
                                           const char *const *expected_mx, struct stc_result **out,
                                           struct stc_err *err);

/** What a progress callback is told (stc_checker_check_domain_progress). */
enum stc_progress_event {
    STC_PROGRESS_MX = 0,        /**< one per MX host, in order, once the MX lookup is done */
    STC_PROGRESS_HOST_START = 1, /**< the checks of host (index of count) begin */
    STC_PROGRESS_HOST_DONE = 2, /**< they ended with status */
    STC_PROGRESS_DOMAIN_CHECKS = 3 /**< the domain-level checks (MTA-STS, TLS-RPT, ...) begin */
};
/**
 * Progress callback: called on the checking thread, in order; host is the
 * MX host name (NULL for STC_PROGRESS_DOMAIN_CHECKS), valid during the call
 * only. It must not block for long and must not call back into the check.
 */
typedef void (*stc_progress_fn)(void *ctx, enum stc_progress_event ev, const char *host,
                                size_t index, size_t count, stc_status status);

/** stc_checker_check_domain, telling fn (may be NULL) how far it got. */
STC_EXPORT stc_rc stc_checker_check_domain_progress(const struct stc_checker *checker,
                                                    const char *domain,
                                                    const char *const *expected_mx,
                                                    stc_progress_fn fn, void *ctx,
                                                    struct stc_result **out,
                                                    struct stc_err *err);

/** Check one MX host of a domain (all SMTP/TLS checks); *out is an STC_NODE_HOST. */
STC_EXPORT stc_rc stc_checker_check_host(const struct stc_checker *checker, const char *domain,
                                         const char *host, struct stc_result **out,
                                         struct stc_err *err);

/** RFC 8461 appendix B matching: literal, or "*.rest" matching exactly one leftmost label. */
STC_EXPORT int stc_policy_matches(const char *host, const char *pattern);

/**
 * Normalize a domain name: IDNA (UTS#46) to an A-label, lower case, trailing
 * dot removed, length and character rules checked. out_size >= 254.
 */
STC_EXPORT stc_rc stc_domain_normalize(const char *in, char *out, size_t out_size,
                                       struct stc_err *err);

/** A fixed sample domain result for callers' tests (the original's NewSampleDomainResult). */
STC_EXPORT stc_rc stc_result_sample(const char *domain, struct stc_result **out, struct stc_err *err);


#ifdef __cplusplus
}
#endif
#endif
