/* tlsrpt.h - the SMTP TLS Reporting TXT record at _smtp._tls.DOMAIN (RFC 8460 3).
 *
 * Same findings model as mtasts.h: every problem is a note, warning or
 * error in out->fx (raw, NUL-free bytes: escape before output); err holds
 * the first error, escaped.
 */
#ifndef STC_MTASTS_TLSRPT_H
#define STC_MTASTS_TLSRPT_H

#include <stddef.h>

#include <starttls/error.h>

#include "mtasts.h"

#define TLSRPT_RUA_MAX 16 /* URIs kept from one rua field */

struct tlsrpt_record {
    size_t nrua;
    char *rua[TLSRPT_RUA_MAX]; /* valid report URIs, as written; owned */
    struct mtasts_findings fx;
};

/** Does the record claim to be TLS-RPT: "v=TLSRPTv1" followed by ";", WSP or the end? */
int tlsrpt_is_record(const char *rec, size_t n);
/**
 * Parse one _smtp._tls TXT record (strings already joined). STC_E_PARSE
 * when senders would reject it (out->fx has every finding), STC_E_NOMEM.
 * Free with tlsrpt_record_free either way.
 */
stc_rc tlsrpt_parse(const char *rec, size_t n, struct tlsrpt_record *out, struct stc_err *err);
void tlsrpt_record_free(struct tlsrpt_record *r);
/**
 * Is u a usable report URI: "mailto:" with an addr-spec (local part, "@",
 * a host name), or "https://" with a host; URI characters only, with ","
 * and "!" percent-encoded as RFC 8460 requires. *why says what is wrong.
 */
int tlsrpt_uri_valid(const char *u, size_t n, const char **why);

#endif
