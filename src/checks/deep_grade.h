/* deep_grade.h - security levels of TLS parameters after the NCSC-NL "IT
 * Security Guidelines for Transport Layer Security (TLS)" v2.1 (2021), the
 * scheme the internet.nl mail test uses. See deep_grade.c for the tables.
 */
#ifndef STC_CHECKS_DEEP_GRADE_H
#define STC_CHECKS_DEEP_GRADE_H

#include <stdint.h>

#include <starttls/result.h>

#include "../tls/tls_wire.h"

enum deep_grade { DEEP_GOOD = 0, DEEP_SUFFICIENT, DEEP_PHASE_OUT, DEEP_INSUFFICIENT };

/** "good", "sufficient", "phase-out", "insufficient". */
const char *deep_grade_name(enum deep_grade g);
/** good/sufficient: success; phase-out: warning; insufficient: failure. */
stc_status deep_grade_status(enum deep_grade g);

/** A protocol version (TLS_V_*, TLS_V_SSL2). */
enum deep_grade deep_grade_version(int version);
/** A cipher suite from the tls_suites table. */
enum deep_grade deep_grade_suite(const struct tls_suite *s);
/** A key exchange group (IANA id). */
enum deep_grade deep_grade_group(uint16_t group);
/** A finite-field DH group by the size of its prime (bits). */
enum deep_grade deep_grade_dh_bits(int bits);
/** The certificate's public key: key_type as in struct tls_info ("RSA", "EC", "ED25519"). */
enum deep_grade deep_grade_cert_key(const char *key_type, int bits);
/** The certificate's signature algorithm as OpenSSL names it ("sha256WithRSAEncryption"). */
enum deep_grade deep_grade_sig_alg(const char *sig_alg);

#endif
