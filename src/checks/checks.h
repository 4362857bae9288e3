/* checks.h - the individual checks (one file each) and how they fit together.
 *
 * Host checks fill a STC_NODE_HOST node; domain-level checks add one
 * STC_NODE_CHECK child to the domain root after all host checks ran, and may
 * read the host nodes' facts (below). No check returns an error for a
 * misbehaving server: that is a status and a message in its node.
 *
 * Facts on host nodes that domain-level checks rely on:
 *   host node:      "address" (str, the address that connected), "connected" (bool),
 *                   "ehlo_name" (str, the name sent with EHLO),
 *                   "preference" (int)
 *   "starttls":     status; fact "advertised" (bool), "handshake" (bool: TLS established)
 *   "version":      fact "negotiated" (str, e.g. "TLSv1.2"), "negotiated_code" (int, e.g. 0x0303)
 *   "certificate":  facts "chain_trusted" (bool), "name_matches" (bool),
 *                   "days_to_expiry" (int), "valid" (bool: trusted, in date, name matches),
 *                   "spki_sha256" (str, hex)
 */
#ifndef STC_CHECKS_CHECKS_H
#define STC_CHECKS_CHECKS_H

#include <starttls/result.h>

#include "../util/deadline.h"
#include "checker_int.h"
#include "../result/result_tree.h"

/* Check names, as in the original. */
#define CHECK_CONNECTIVITY "connectivity"
#define CHECK_STARTTLS "starttls"
#define CHECK_CERTIFICATE "certificate"
#define CHECK_VERSION "version"
#define CHECK_CIPHER "cipher"
#define CHECK_DANE "dane"
#define CHECK_MTASTS "mta_sts"
#define CHECK_TLSRPT "tls-rpt"
#define CHECK_POLICYLIST "policylist"
#define CHECK_DEEP "tls_deep"

struct host_obs;
struct deep_obs;

/* Host judges: pure functions of the observations (src/probe/host_obs.h); each
 * adds its check node to the host node. */
void check_connectivity(const struct host_obs *obs, struct stc_result *host);
void check_starttls(const struct host_obs *obs, struct stc_result *host);
void check_certificate(const struct host_obs *obs, struct stc_result *host);
void check_version(const struct host_obs *obs, struct stc_result *host);
void check_cipher(const struct host_obs *obs, struct stc_result *host);
/** The "addresses" node (check_addresses.c): each address of the host, IPv4 and IPv6,
 * against the fully checked one. */
void check_addresses(const struct host_obs *obs, struct stc_result *host);
/** "the certificate has expired", ... for a verification problem (check_certificate.c). */
const char *check_cert_problem_text(int problem);
/** DANE judge (check_dane.c): the host's "dane" node, from addr_sec, tlsa and info.dane_*. */
void check_dane(const struct host_obs *obs, struct stc_result *host);
/** The "tls_deep" node from obs->deep (nothing when the deep analysis did not run). */
void check_deep(const struct host_obs *obs, struct stc_result *host);
/** Grade d (with the certificate facts of obs) into a "tls_deep" check node under host. */
void deep_judge(const struct deep_obs *d, const struct host_obs *obs, struct stc_result *host);

/* Domain-level judges: pure functions of their observations (src/mtasts/mtasts_obs.h)
 * and of the host nodes already in root. Each adds its node to root. */
struct mtasts_obs;
struct txt_obs;
struct policy_list;
void check_mtasts(const struct mtasts_obs *o, const char *domain, struct stc_result *root);
void check_tlsrpt(const struct txt_obs *o, const char *domain, struct stc_result *root);
/** Nothing is added without a list. */
void check_policylist(const struct policy_list *list, const char *domain, struct stc_result *root);
/** Did the host connect and greet (the original's couldConnect)? (domain_status.c) */
int domain_host_connected(const struct stc_result *host);
/** The domain status from the host nodes (the original's rules); msg: the verdict. */
stc_domain_status domain_status_hosts(struct stc_result *root, const char *const *expected,
                                      char *msg, size_t msgsz);
/** Raise status for failed (2) or not-run (3) domain-level checks; msg: the verdict. */
stc_domain_status domain_status_checks(const struct stc_result *root, stc_domain_status status,
                                       char *msg, size_t msgsz);
/** A TXT answer at name failed DNSSEC validation: senders see no `what` (check_common.c). */
void check_txt_bogus(struct stc_result *c, const char *name, const char *why, const char *what);
struct host_probe;
/** A probe got no TLS answer: "WHAT not tested: why", an error (check_common.c). */
void check_probe_not_tested(struct stc_result *c, const struct host_probe *p, const char *what);
/** Domain-level DANE summary (check_dane.c): reads root fact "mx_dnssec" and each host's "dane" node. */
void check_dane_domain(const char *domain, struct stc_result *root);

#endif
