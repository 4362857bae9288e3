/* report_class.h - sort one domain's result into the categories the report counts. */
#ifndef STC_REPORT_CLASS_H
#define STC_REPORT_CLASS_H

#include <stddef.h>

#include <starttls/error.h>
#include <starttls/result.h>

/* Domain: STARTTLS on its MX hosts (the reachable ones). */
enum rep_starttls { RS_ALL, RS_SOME, RS_NONE, RS_UNREACHABLE, RS_NOMX, RS_N };
/* Host with a TLS handshake: its certificate. */
enum rep_cert { RC_VALID, RC_EXPIRED, RC_NOTYET, RC_NAME, RC_UNTRUSTED, RC_WEAK, RC_OTHER, RC_N };
/* Host with a TLS handshake: the negotiated version. */
enum rep_ver { RV_13, RV_12, RV_11, RV_10, RV_SSL3, RV_OTHER, RV_N };
/* Host with a TLS handshake: the negotiated suite. */
enum rep_ciph { RCI_AEAD_PFS, RCI_CBC_PFS, RCI_NOPFS, RCI_BROKEN, RCI_UNKNOWN, RCI_N };
/* Domain: MTA-STS. */
enum rep_sts { RT_ENFORCE, RT_TESTING, RT_NONE_MODE, RT_FAILING, RT_ABSENT, RT_UNCHECKED, RT_N };
/* Domain: TLS-RPT. */
enum rep_rpt { RR_VALID, RR_INVALID, RR_ABSENT, RR_UNCHECKED, RR_N };
/* Domain: DNSSEC of the MX records. */
enum rep_dnssec { RD_SECURE, RD_INSECURE, RD_BOGUS, RD_UNKNOWN, RD_UNVALIDATED, RD_N };
/* Domain: DANE. */
enum rep_dane {
    RDA_ALL,
    RDA_SOME,
    RDA_UNUSABLE,
    RDA_FAIL,
    RDA_NOTLSA,
    RDA_NODNSSEC,
    RDA_UNCHECKED,
    RDA_N
};
/* Domain status 0..6. */
#define RST_N 7

#define REP_FIND_MAX 16 /* findings kept per domain */
#define REP_KEY_MAX 96  /* bytes of a finding key */

struct rep_host {
    const struct stc_result *node;
    int reachable; /* connected */
    int tls;       /* handshake done */
    enum rep_cert cert;
    enum rep_ver ver;
    enum rep_ciph ciph;
    const char *ver_text;  /* negotiated version or "-" */
    const char *ciph_text; /* negotiated suite or "-" */
    char cert_text[48];    /* "valid 80d", "expired", ... */
    char dane_text[24];    /* "valid", "no TLSA", a status, "-" */
};

struct rep_finding {
    char key[REP_KEY_MAX]; /* "certificate: certificate-expired", "mta_sts", ... */
    int sev;               /* the most severe status seen: 1 warning, 2 failure, 3 error */
};

/** One domain, classified (points into the tree: valid while it lives). */
struct rep_dom {
    const struct stc_result *root;
    int status; /* domain status 0..6 */
    int rank;   /* 0 success, 1 warning, 2 error, 3 failure: "got worse" compares these */
    int null_mx;
    size_t nhosts;
    struct rep_host *hosts; /* nhosts of them (malloc'd) */
    enum rep_starttls starttls;
    enum rep_sts sts;
    enum rep_rpt rpt;
    enum rep_dnssec dnssec;
    enum rep_dane dane;
    int all_valid_certs; /* every host with TLS has a valid certificate, and there is one */
    int expired;         /* some host's certificate has expired */
    size_t nfind;
    struct rep_finding find[REP_FIND_MAX];
};

/** Classify root (a STC_NODE_DOMAIN tree). STC_E_NOMEM. Free with rep_dom_free. */
stc_rc rep_dom_classify(const struct stc_result *root, struct rep_dom *d);
void rep_dom_free(struct rep_dom *d);

/** The STARTTLS cell of a host: "yes", "no" (not advertised), "failed", "-" (not tried). */
const char *rep_host_starttls(const struct rep_host *h);

/** Labels of the categories, in enum order. */
extern const char *const rep_starttls_label[RS_N];
extern const char *const rep_cert_label[RC_N];
extern const char *const rep_ver_label[RV_N];
extern const char *const rep_ciph_label[RCI_N];
extern const char *const rep_sts_label[RT_N];
extern const char *const rep_rpt_label[RR_N];
extern const char *const rep_dnssec_label[RD_N];
extern const char *const rep_dane_label[RDA_N];

/** The rank of a domain status (0 success, 1 warning, 2 error, 3 any failure). */
int rep_status_rank(int domain_status);
/** "success" .. "bad_hostname", "?" outside 0..6. */
const char *rep_status_text(int domain_status);

/** The MX suffix a host depends on: its last two labels (three under a 2-letter
 *  country code's "co."/"com."/...). Points into host. */
const char *rep_mx_suffix(const char *host);

#endif
