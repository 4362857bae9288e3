/* dns_int.h - inside the dns layer: run queries on the shared context.
 *
 * dns_ctx.c owns libunbound and the thread that delivers answers;
 * dns_lookup.c turns answers into the structs of dns.h.
 */
#ifndef STC_DNS_DNS_INT_H
#define STC_DNS_DNS_INT_H

#include <sys/socket.h>
#include <unbound.h>

#include "dns.h"

/** Most questions in one dns_ctx_resolve() call. */
#define DNS_ASK_MAX 2

/** One question of a batch resolved together (e.g. A and AAAA). */
struct dns_ask {
    const char *name;      /* in: presentation form */
    int rrtype;            /* in: 1 A, 15 MX, 16 TXT, 28 AAAA, 52 TLSA */
    struct ub_result *res; /* out on STC_OK: free with ub_resolve_free() */
    stc_rc rc;             /* out: this question's outcome */
    struct stc_err err;    /* out: why, when rc != STC_OK */
};

/**
 * Ask all n (1..DNS_ASK_MAX) questions at once and wait for them until d. Each ask gets its
 * own rc/err/res; the function returns STC_OK when every ask succeeded,
 * else the rc of the first that failed. STC_E_TIMEOUT for an ask whose
 * answer did not come in time, STC_E_DNS when libunbound failed it,
 * STC_E_INVAL for a name libunbound cannot parse.
 */
stc_rc dns_ctx_resolve(struct dns_ctx *ctx, struct dns_ask *asks, size_t n, struct deadline d);

/** A trusted validating resolver asked directly (dns_stub.c). */
struct dns_stub {
    struct sockaddr_storage sa;
    socklen_t salen;
    char addr[48];
    int port;
    int loopback;              /* the resolver's address is on loopback */
    struct dns_sockpool *pool; /* a loopback resolver's reusable sockets, or NULL */
};

/** Parse "ADDR[@PORT]"; STC_E_INVAL unless on loopback when loopback_only. */
stc_rc dns_stub_addr(const char *resolver, int loopback_only, struct dns_stub *out,
                     struct stc_err *err);

/** Give a stub on loopback its pool of reusable sockets (st->pool), leave any other without
 * one (no off-path attacker can race an answer only on loopback). STC_E_NOMEM, STC_E_INTERNAL. */
stc_rc dns_stub_pool(struct dns_stub *st, struct stc_err *err);

/** STC_OK when the resolver sets AD on ". SOA" (it validates), else STC_E_DNS. */
stc_rc dns_stub_validates(const struct dns_stub *st, struct stc_err *err);

/** As dns_ctx_resolve, asking the stub's resolver from the calling thread. */
stc_rc dns_stub_resolve(const struct dns_stub *st, struct dns_ask *asks, size_t n,
                        struct deadline d);

/**
 * Turn resolver answer a[0..n) (attacker-controlled bytes) to the question qname/qtype sent
 * with ID id into a ub_result like libunbound's (dns_stub.c DESCRIPTION); *out is NULL on
 * failure, else free it with ub_resolve_free(). STC_E_INVAL for a name that cannot be put in
 * a question, STC_E_DNS for an answer that does not match the question or is malformed
 * (bounds, compression loops, empty rdata, a name not ending with its rdata, a CNAME chain
 * past its limit or a CNAME loop), STC_E_NOMEM.
 * The AD bit becomes secure; a caller that asked with CD clears it.
 */
stc_rc dns_stub_answer(const char *qname, int qtype, uint16_t id, const uint8_t *a, size_t n,
                       struct ub_result **out, struct stc_err *err);

/** Fill st from a libunbound result (escaping what came from the network). */
void dns_status_fill(struct dns_status *st, const struct ub_result *res);

/**
 * STC_OK when the answer completed (NOERROR, NXDOMAIN), STC_E_DNS with a
 * message naming rcode, type and name otherwise.
 */
stc_rc dns_status_check(const struct dns_status *st, const char *what, const char *name,
                        struct stc_err *err);

#endif
