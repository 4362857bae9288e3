/* store_rows.h - a result tree as the rows of the domains, hosts and checks tables. */
#ifndef STC_STORE_ROWS_H
#define STC_STORE_ROWS_H

#include <starttls/error.h>
#include <starttls/result.h>

struct store_domain_row {
    const char *domain;
    int status;
    const char *status_text, *message, *mta_sts_mode; /* may be NULL */
    long long mx_count;
};

struct store_host_row {
    const char *domain, *hostname;
    long long preference;
    int status;
    const char *status_text, *address, *tls_version, *cipher; /* may be NULL */
    long long connected, starttls;
    int has_cert; /* cert_valid is NULL without a certificate check */
    long long cert_valid;
};

struct store_check_row {
    const char *domain, *hostname; /* hostname "" for domain-level checks */
    const char *check;
    int status;
    const char *status_text, *result_type, *message; /* may be NULL */
};

struct store_rows_sink {
    stc_rc (*host)(void *ctx, const struct store_host_row *r, struct stc_err *err);
    stc_rc (*check)(void *ctx, const struct store_check_row *r, struct stc_err *err);
};

/** The domains row of tree (pointers into the tree). */
void store_rows_domain(const struct stc_result *tree, struct store_domain_row *out);
/** Every hosts row (each followed by its checks rows) and the domain-level checks rows. */
stc_rc store_rows_walk(const struct stc_result *tree, const struct store_rows_sink *sink,
                       void *ctx, struct stc_err *err);

#endif
