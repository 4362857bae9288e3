/* deep_obs.h - what the deep TLS analysis (--deep) observed about one host.
 *
 * deep_observe() (deep_probe.c) makes the probe connections and fills a
 * struct deep_obs with raw facts; host_observe() runs it when PROBE_DEEP is
 * set. check_deep() (src/checks/check_deep.c) grades them by the NCSC-NL
 * guidelines (deep_grade.c) into the host's "tls_deep" node.
 */
#ifndef STC_PROBE_DEEP_OBS_H
#define STC_PROBE_DEEP_OBS_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"
#include "probe.h"

struct host_obs;

#define DEEP_SUITES_MAX 128 /* accepted suites kept per version */
#define DEEP_GROUPS_MAX 16
#define DEEP_DH_MAX 64              /* DHE suites whose prime size is kept */

enum deep_version_index {
    DEEP_SSL2 = 0,
    DEEP_SSL3,
    DEEP_TLS10,
    DEEP_TLS11,
    DEEP_TLS12,
    DEEP_TLS13,
    DEEP_NVERSIONS
};

struct deep_version {
    int version; /* TLS_V_* or TLS_V_SSL2 */
    int tested;  /* a probe got an answer or a refusal */
    int accepted;
    char refusal[128];                /* how the server said no: alert name, "closed", ... */
    uint32_t suites[DEEP_SUITES_MAX]; /* accepted, in the order the server picked them */
    size_t nsuites;
    int complete;     /* enumeration ended with a refusal, not cut short */
    int server_order; /* 1 the server picks by its own order, 0 it follows the
                         client's, -1 not tested (fewer than 2 suites) */
    int secure_reneg; /* renegotiation_info in its ServerHello (RFC 5746) */
};

struct deep_obs {
    int ran;
    int connections; /* probe connections attempted */
    int aborted;     /* stopped early: abort_err says why */
    struct stc_err abort_err;
    struct deep_version v[DEEP_NVERSIONS];

    /* Key exchange groups, probed one at a time at groups_version. */
    int groups_version; /* 0: not probed */
    uint16_t groups[DEEP_GROUPS_MAX];
    size_t ngroups;
    /* DHE primes seen in ServerKeyExchange, per suite (the smallest seen for
     * it): servers size them by suite (OpenSSL's automatic DH gives an
     * anonymous 128-bit suite a 1024-bit prime beside 2048 for DHE-RSA). */
    struct deep_dh {
        uint32_t suite;
        int bits;
    } dh[DEEP_DH_MAX];
    size_t ndh;

    /* CVE-2011-0411: "STARTTLS\r\nNOOP\r\n" in one write. */
    int injection_tested;
    int injection_vulnerable;     /* the NOOP was answered inside TLS */
    int injection_plaintext;      /* the NOOP was answered in plaintext before TLS */
    struct stc_err injection_err; /* why the test could not run */

    /* RFC 8689 REQUIRETLS in the EHLO after STARTTLS. */
    int requiretls_known;
    int requiretls;
};

/** Probe the host (obs->address; needs obs->handshake_ok). Never fails for a bad server. */
stc_rc deep_observe(const struct probe_ctx *pc, const struct host_obs *obs, struct deep_obs *out,
                    struct stc_err *err);

#endif
