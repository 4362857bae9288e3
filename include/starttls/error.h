/* error.h - the one way starttls-check reports errors.
 *
 * Every function that can fail returns stc_rc (STC_OK == 0) and fills its
 * out-parameters only on success. The reason goes into a caller-owned
 * struct stc_err: written where the failure is found, first writer wins, so
 * the innermost cause is what the caller sees.
 */
#ifndef STARTTLS_ERROR_H
#define STARTTLS_ERROR_H

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum stc_rc {
    STC_OK = 0,
    STC_E_INVAL,    /**< bad argument or invalid input (e.g. a domain name) */
    STC_E_NOMEM,    /**< allocation failed */
    STC_E_LIMIT,    /**< a size or count limit was reached */
    STC_E_TIMEOUT,  /**< the deadline passed */
    STC_E_PEER,     /**< the remote side misbehaved: closed, reset, garbage */
    STC_E_IO,       /**< local I/O or socket error */
    STC_E_DNS,      /**< DNS lookup failed (SERVFAIL, bogus, ...) */
    STC_E_NXDOMAIN, /**< the name does not exist / no such record */
    STC_E_TLS,      /**< TLS library error or handshake failure */
    STC_E_PARSE,    /**< malformed data (policy file, reply, JSON, CSV) */
    STC_E_NOTFOUND, /**< no such item */
    STC_E_INTERNAL, /**< a bug: should not happen */
    STC_E_INTERRUPTED, /**< stopped on request (Ctrl-C) */
    STC_E_BLOCKED,  /**< the address filter refused a connection (private, loopback, ...) */
    STC_E_NOROUTE   /**< this machine has no route to the address (e.g. no IPv6): not the peer's fault */
} stc_rc;

#define STC_ERR_MSG_MAX 256

struct stc_err {
    stc_rc code;
    char msg[STC_ERR_MSG_MAX];
};

/** Short stable name of a return code, e.g. "timeout". Never NULL; static storage. */
STC_EXPORT const char *stc_rc_name(stc_rc rc);

/** Reset an error record to STC_OK and an empty message. */
STC_EXPORT void stc_err_clear(struct stc_err *err);

#ifdef __cplusplus
}
#endif
#endif
