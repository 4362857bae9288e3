/* timing.h - the one table of time budgets (milliseconds).
 *
 * Every budget is a cap on a sub-deadline: deadline_sub(d, X) never goes
 * past the stage's own deadline d, so these only shorten waits. Change a
 * budget here, and docs/checks.md / the man page where they quote it.
 */
#ifndef STC_UTIL_TIMING_H
#define STC_UTIL_TIMING_H

/* Whole checks. */
#define STC_T_HOST_DEFAULT_MS 30000L /* default per-host budget (--timeout) */
#define STC_T_DEEP_FACTOR 4          /* --deep may take this many host budgets */

/* DNS. */
#define STC_T_MX_LOOKUP_MS 15000   /* the MX lookup of the domain */
#define STC_T_TXT_LOOKUP_MS 10000  /* one TXT lookup (_mta-sts, _smtp._tls) */
#define STC_T_ADDR_LOOKUP_MS 10000 /* the MTA-STS policy host's addresses */

/* HTTPS. */
#define STC_T_POLICY_FETCH_MS 20000 /* the MTA-STS policy fetch (and <= 3/4 of what is left) */

/* SMTP and TLS. */
#define STC_T_CONNECT_MS 15000         /* one TCP connect */
#define STC_T_HELLO_REPLY_MS 10000     /* the answer to a raw ClientHello */
#define STC_T_QUIT_MS 2000             /* QUIT and the TLS close_notify at the end */
#define STC_T_STARTTLS_DRAIN_MS 50     /* look for injected plaintext after "220" */
#define STC_T_INJECTION_WAIT_MS 1000   /* an answer to the NOOP pipelined after STARTTLS */

#endif
