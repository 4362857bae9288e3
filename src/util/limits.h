/* limits.h - every size and count limit in one place. */
#ifndef STC_UTIL_LIMITS_H
#define STC_UTIL_LIMITS_H

/* SMTP (RFC 5321 4.5.3.1.5: reply line 512 octets including CRLF). */
#define STC_SMTP_LINE_MAX 512
#define STC_SMTP_REPLY_LINES_MAX 100      /* lines in one multi-line reply */
#define STC_SMTP_REPLY_BYTES_MAX (32 * 1024) /* total of one reply */
#define STC_SMTP_BANNER_SHOW_MAX 200      /* banner text kept for the report */

/* DNS names (RFC 1035). */
#define STC_DOMAIN_MAX 253
#define STC_LABEL_MAX 63
#define STC_MX_MAX 64            /* MX records considered per domain */
#define STC_ADDR_MAX 16          /* addresses tried per MX host */
#define STC_TXT_MAX (16 * 1024)  /* joined TXT record */
#define STC_TLSA_MAX 64          /* TLSA records handed to the DANE handshake; more are ignored */

/* MTA-STS (RFC 8461 3.3: policy body at most 64 KiB). */
#define STC_MTASTS_POLICY_MAX (64 * 1024)
#define STC_MTASTS_ID_MAX 32
#define STC_MTASTS_MAX_AGE_MAX 31557600L

/* Results. */
#define STC_MSG_MAX 1024          /* one result message */
#define STC_MESSAGES_MAX 64       /* messages per node */
#define STC_FACT_STR_MAX (4 * STC_MTASTS_POLICY_MAX + 1) /* a string fact (cap; a whole policy fits) */

/* Certificates. */
#define STC_CERT_NAMES_MAX 100    /* subject names reported per certificate */

#endif
