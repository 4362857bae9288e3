/*
 * NAME
 *     cli_text - the readable report of a result tree
 * SYNOPSIS
 *     #include "cli_output.h"
 *     stc_rc cli_text_render(FILE *out, const struct stc_result *root, int color);
 * DESCRIPTION
 *     In order: a one-line verdict ("DOMAIN: STATUS_TEXT \u2014 message"),
 *     notes from the root, a table of the MX hosts (preference, host,
 *     address, STARTTLS, TLS version, cipher, certificate, and DANE when
 *     any host has a "dane" check: valid, no TLSA, or its status; the host
 *     name in the colour of its status), the warning and failing checks of
 *     each host with their messages, the domain-level checks (mta_sts,
 *     tls-rpt, dane, policylist, ...) with theirs and their children's, and
 *     the recommendations of every node, numbered, duplicates dropped.
 *
 *     Cells are short: the TLS version without "TLSv" ("1.3"), the cipher
 *     without "TLS_" and "_WITH", the certificate as "valid 80d", "invalid
 *     80d" or "expired". The table takes one line per host when it fits
 *     CLI_TEXT_WIDTH columns; else one line without the cipher, which goes
 *     to a detail line under the host; else two (preference, host,
 *     address; then the TLS columns). The domain checks include a "dnssec"
 *     line from the root's mx_dnssec fact, before the DANE summary (not
 *     when it would repeat it: unsigned MX records, or DNSSEC not validated).
 *     Recommendations come most severe first (by the status of the node
 *     that gave them; tree order among equals). Messages and
 *     recommendations wrap at CLI_TEXT_WIDTH. Only the public accessors of
 *     result.h are used; the tree is only read.
 *
 *     Every string from the tree goes through text_censor before it is
 *     written. With color, cells are wrapped in ANSI SGR sequences: green
 *     success, yellow warning, red failure, magenta error.
 * LIMITS
 *     A table cell shows at most CELL_MAX - 1 bytes, a message or
 *     recommendation at most TEXT_MAX - 1 bytes (after escaping); longer
 *     text is cut with "...". Nesting below MAX_DEPTH levels is not shown.
 * DIAGNOSTICS
 *     STC_E_IO when the stream reports an error, STC_E_NOMEM when the
 *     recommendation list cannot grow, STC_E_INVAL for a NULL argument.
 */
#include "cli_output.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>

#define CELL_MAX 272  /* a 253-byte host name fits whole */
#define TEXT_MAX 4200 /* a 1024-byte message escaped byte by byte */
#define LABEL_MAX 24  /* check label column, at most */
#define MAX_DEPTH 8
#define GUTTER 2
#define INDENT 2

#define SGR_RESET "\033[0m"

struct pen {
    FILE *out;
    int color;
    size_t col; /* columns written on the current line */
};

static const char *status_sgr(stc_status s)
{
    switch (s) {
    case STC_STATUS_SUCCESS: return "\033[32m";
    case STC_STATUS_WARNING: return "\033[33m";
    case STC_STATUS_FAILURE: return "\033[31m";
    case STC_STATUS_ERROR: return "\033[35m";
    default: return "\033[35m";
    }
}

static stc_status domain_severity(stc_domain_status d)
{
    switch (d) {
    case STC_DOMAIN_SUCCESS: return STC_STATUS_SUCCESS;
    case STC_DOMAIN_WARNING: return STC_STATUS_WARNING;
    case STC_DOMAIN_ERROR: return STC_STATUS_ERROR;
    case STC_DOMAIN_FAILURE:
    case STC_DOMAIN_NO_STARTTLS:
    case STC_DOMAIN_COULD_NOT_CONNECT:
    case STC_DOMAIN_BAD_HOSTNAME:
    default: return STC_STATUS_FAILURE;
    }
}

/* Our own text (ASCII literals and escaped strings): written as is. */
static void put(struct pen *p, const char *s)
{
    fputs(s, p->out);
    p->col += strlen(s);
}

static void pad(struct pen *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fputc(' ', p->out);
    p->col += n;
}

static void nl(struct pen *p)
{
    fputc('\n', p->out);
    p->col = 0;
}

/* Already-escaped text, in the colour of status s (s < 0: no colour). */
static void put_paint(struct pen *p, int s, const char *text)
{
    if (p->color && s >= 0)
        fputs(status_sgr((stc_status)s), p->out);
    put(p, text);
    if (p->color && s >= 0)
        fputs(SGR_RESET, p->out);
}

/* Untrusted text, escaped. */
static void put_esc(struct pen *p, const char *s)
{
    char buf[TEXT_MAX];
    text_censor(s ? s : "", s ? strlen(s) : 0, buf, sizeof buf);
    put(p, buf);
}

/* Untrusted text from the current column on, wrapped at CLI_TEXT_WIDTH;
 * continuation lines start at column indent. Ends without a newline. */
static void put_wrapped(struct pen *p, const char *s, size_t indent)
{
    char buf[TEXT_MAX];
    text_censor(s ? s : "", s ? strlen(s) : 0, buf, sizeof buf);
    const char *t = buf;
    for (;;) {
        size_t len = strlen(t);
        size_t avail = CLI_TEXT_WIDTH > p->col ? CLI_TEXT_WIDTH - p->col : 0;
        if (avail < 20)
            avail = 20; /* a very deep indent still shows some text per line */
        if (len <= avail) {
            while (len > 0 && t[len - 1] == ' ')
                len--;
            fwrite(t, 1, len, p->out);
            p->col += len;
            return;
        }
        size_t cut = avail;
        while (cut > 0 && t[cut] != ' ')
            cut--;
        if (cut == 0) {
            cut = avail; /* one long word: break it, but not inside a \xHH */
            for (size_t k = 1; k <= 3 && k < cut; k++) {
                if (t[cut - k] == '\\' && t[cut - k + 1] == 'x') {
                    cut -= k;
                    break;
                }
            }
        }
        fwrite(t, 1, cut, p->out);
        p->col += cut;
        t += cut;
        while (*t == ' ')
            t++;
        if (*t == '\0')
            return;
        nl(p);
        pad(p, indent);
    }
}

/* ---- the MX host table ---- */

enum col {
    COL_PREF,
    COL_HOST,
    COL_ADDR,
    COL_STARTTLS,
    COL_TLS,
    COL_CIPHER,
    COL_CERT,
    COL_DANE,
    NCOL
};

static const char *const col_title[NCOL] = {"PREF", "HOST",   "ADDRESS",     "STARTTLS",
                                            "TLS",  "CIPHER", "CERTIFICATE", "DANE"};

/* The two layouts: which columns, in which order, on which line. */
static const enum col one_line[] = {COL_PREF, COL_HOST,   COL_ADDR, COL_STARTTLS,
                                    COL_TLS,  COL_CIPHER, COL_CERT, COL_DANE};
static const enum col no_cipher[] = {COL_PREF, COL_HOST, COL_ADDR, COL_STARTTLS,
                                     COL_TLS,  COL_CERT, COL_DANE};
static const enum col line_a[] = {COL_PREF, COL_HOST, COL_ADDR};
static const enum col line_b[] = {COL_STARTTLS, COL_TLS, COL_CIPHER, COL_CERT, COL_DANE};

struct row {
    char cell[NCOL][CELL_MAX];
    int paint[NCOL]; /* status colour of the cell, -1 for none */
};

struct table {
    struct row *rows;
    size_t n;
    size_t width[NCOL];
    int has_dane;
};

static void cell_set(struct row *row, enum col c, const char *s, int paint)
{
    text_censor(s, strlen(s), row->cell[c], CELL_MAX);
    row->paint[c] = paint;
}

static int get_bool(const struct stc_result *r, const char *key, int *out)
{
    long long v = 0;
    if (r == NULL || !stc_result_get_int(r, key, &v))
        return 0;
    *out = v != 0;
    return 1;
}

static void starttls_cell(struct row *row, const struct stc_result *c)
{
    int adv = 1;
    if (c == NULL) {
        cell_set(row, COL_STARTTLS, "-", -1);
        return;
    }
    stc_status s = stc_result_status(c);
    get_bool(c, "advertised", &adv);
    if (!adv)
        cell_set(row, COL_STARTTLS, "no", (int)s);
    else if (s <= STC_STATUS_WARNING)
        cell_set(row, COL_STARTTLS, "yes", (int)s);
    else
        cell_set(row, COL_STARTTLS, "failed", (int)s);
}

/* "TLSv1.3" -> "1.3", "TLSv1" -> "1.0"; others ("SSLv3") as they are. */
static void version_cell(struct row *row, const struct stc_result *c)
{
    const char *v = c ? stc_result_get_str(c, "negotiated") : NULL;
    char text[CELL_MAX];
    if (v == NULL || *v == '\0')
        v = "-";
    else if (strcmp(v, "TLSv1") == 0)
        v = "1.0";
    else if (strncmp(v, "TLSv", 4) == 0 && v[4] != '\0')
        v += 4;
    snprintf(text, sizeof text, "%s", v);
    cell_set(row, COL_TLS, text, c ? (int)stc_result_status(c) : -1);
}

/* The suite name without a leading "TLS_" and without "_WITH":
 * "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" -> "ECDHE_RSA_AES_128_GCM_SHA256". */
static void cipher_cell(struct row *row, const struct stc_result *c)
{
    const char *v = c ? stc_result_get_str(c, "negotiated") : NULL;
    char text[CELL_MAX];
    size_t o = 0;
    if (v == NULL || *v == '\0')
        v = "-";
    if (strncmp(v, "TLS_", 4) == 0 && v[4] != '\0')
        v += 4;
    for (size_t i = 0; v[i] != '\0' && o + 1 < sizeof text; i++) {
        if (strncmp(v + i, "_WITH_", 6) == 0)
            i += 5; /* keep the second '_' */
        text[o++] = v[i];
    }
    text[o] = '\0';
    cell_set(row, COL_CIPHER, text, c ? (int)stc_result_status(c) : -1);
}

static void cert_cell(struct row *row, const struct stc_result *c)
{
    char text[96];
    int valid;
    long long days;
    if (c == NULL) {
        cell_set(row, COL_CERT, "-", -1);
        return;
    }
    stc_status s = stc_result_status(c);
    if (!get_bool(c, "valid", &valid))
        valid = s == STC_STATUS_SUCCESS;
    const char *word = valid ? "valid" : "invalid";
    if (!stc_result_get_int(c, "days_to_expiry", &days))
        snprintf(text, sizeof text, "%s", word);
    else if (days < 0)
        snprintf(text, sizeof text, "expired");
    else
        snprintf(text, sizeof text, "%s %lldd", word, days);
    cell_set(row, COL_CERT, text, (int)s);
}

/* "valid" when a TLSA record authenticated the host, "no TLSA" when none
 * is published, else the check's status. */
static void dane_cell(struct row *row, const struct stc_result *c, struct table *t)
{
    int present = 1, authenticated = 0;
    if (c == NULL) {
        cell_set(row, COL_DANE, "-", -1);
        return;
    }
    t->has_dane = 1;
    stc_status s = stc_result_status(c);
    get_bool(c, "tlsa_present", &present);
    get_bool(c, "authenticated", &authenticated);
    if (authenticated && s <= STC_STATUS_WARNING)
        cell_set(row, COL_DANE, "valid", (int)s);
    else if (!present && s == STC_STATUS_SUCCESS)
        cell_set(row, COL_DANE, "no TLSA", -1);
    else
        cell_set(row, COL_DANE, stc_status_text(s), (int)s);
}

static void fill_row(struct row *row, const struct stc_result *h, struct table *t)
{
    char num[32];
    long long pref;
    const char *addr = stc_result_get_str(h, "address");
    if (stc_result_get_int(h, "preference", &pref))
        snprintf(num, sizeof num, "%lld", pref);
    else
        snprintf(num, sizeof num, "-");
    cell_set(row, COL_PREF, num, -1);
    cell_set(row, COL_HOST, stc_result_name(h), (int)stc_result_status(h));
    cell_set(row, COL_ADDR, addr && *addr ? addr : "-", -1);
    starttls_cell(row, stc_result_find(h, "starttls"));
    version_cell(row, stc_result_find(h, "version"));
    cipher_cell(row, stc_result_find(h, "cipher"));
    cert_cell(row, stc_result_find(h, "certificate"));
    dane_cell(row, stc_result_find(h, "dane"), t);
}

static int shown(const struct table *t, enum col c)
{
    return c != COL_DANE || t->has_dane;
}

/* Width of a line of these columns, from its first column on. */
static size_t line_width(const struct table *t, const enum col *cols, size_t n)
{
    size_t w = 0, k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!shown(t, cols[i]))
            continue;
        w += t->width[cols[i]] + (k++ ? GUTTER : 0);
    }
    return w;
}

/* One line of cells (row == NULL: the titles). No trailing blanks. */
static void print_cells(struct pen *p, const struct table *t, const struct row *row,
                        const enum col *cols, size_t n)
{
    size_t last = n;
    while (last > 0 && !shown(t, cols[last - 1]))
        last--;
    for (size_t i = 0, k = 0; i < last; i++) {
        enum col c = cols[i];
        if (!shown(t, c))
            continue;
        if (k++)
            pad(p, GUTTER);
        const char *text = row ? row->cell[c] : col_title[c];
        size_t fill = t->width[c] - strlen(text);
        if (c == COL_PREF) /* numbers right-aligned */
            pad(p, fill);
        put_paint(p, row ? row->paint[c] : -1, text);
        if (c != COL_PREF && i + 1 < last)
            pad(p, fill);
    }
    nl(p);
}

static void print_table(struct pen *p, struct table *t)
{
    for (size_t c = 0; c < NCOL; c++) {
        t->width[c] = strlen(col_title[c]);
        for (size_t i = 0; i < t->n; i++)
            if (strlen(t->rows[i].cell[c]) > t->width[c])
                t->width[c] = strlen(t->rows[i].cell[c]);
    }
    size_t n1 = sizeof one_line / sizeof one_line[0];
    size_t nc = sizeof no_cipher / sizeof no_cipher[0];
    size_t na = sizeof line_a / sizeof line_a[0], nb = sizeof line_b / sizeof line_b[0];
    int single = INDENT + line_width(t, one_line, n1) <= CLI_TEXT_WIDTH;
    /* Else the cipher moves to a detail line under the host, if that fits. */
    int detail = !single && INDENT + line_width(t, no_cipher, nc) <= CLI_TEXT_WIDTH;
    /* In the two-line form the second line starts under HOST. */
    size_t indent_b = INDENT + t->width[COL_PREF] + GUTTER;

    put(p, "MX hosts:");
    nl(p);
    for (size_t i = 0; i <= t->n; i++) {
        const struct row *row = i == 0 ? NULL : &t->rows[i - 1];
        pad(p, INDENT);
        if (single) {
            print_cells(p, t, row, one_line, n1);
            continue;
        }
        if (detail) {
            print_cells(p, t, row, no_cipher, nc);
            if (row != NULL && strcmp(row->cell[COL_CIPHER], "-") != 0) {
                pad(p, indent_b);
                put(p, "cipher ");
                put_paint(p, row->paint[COL_CIPHER], row->cell[COL_CIPHER]);
                nl(p);
            }
            continue;
        }
        print_cells(p, t, row, line_a, na);
        pad(p, indent_b);
        print_cells(p, t, row, line_b, nb);
    }
}

static stc_rc host_table(struct pen *p, const struct stc_result *root)
{
    struct table t;
    memset(&t, 0, sizeof t);
    for (size_t i = 0; i < stc_result_child_count(root); i++)
        if (stc_result_kind(stc_result_child(root, i)) == STC_NODE_HOST)
            t.n++;
    if (t.n == 0) {
        long idx = stc_result_fact_index(root, "mx_hosts");
        size_t nmx = idx < 0 ? 0 : stc_result_fact_list_len(root, (size_t)idx);
        put(p, nmx ? "MX hosts (not contacted):" : "MX hosts: none checked");
        for (size_t i = 0; i < nmx; i++) {
            put(p, i ? ", " : " ");
            put_esc(p, stc_result_fact_list_item(root, (size_t)idx, i));
        }
        nl(p);
        return STC_OK;
    }
    t.rows = calloc(t.n, sizeof *t.rows);
    if (t.rows == NULL)
        return STC_E_NOMEM;
    for (size_t i = 0, k = 0; i < stc_result_child_count(root); i++) {
        const struct stc_result *h = stc_result_child(root, i);
        if (stc_result_kind(h) == STC_NODE_HOST)
            fill_row(&t.rows[k++], h, &t);
    }
    print_table(p, &t);
    free(t.rows);
    return STC_OK;
}

/* ---- findings: checks with their status and messages ---- */

struct item {
    char label[LABEL_MAX + 1];
    const struct stc_result *node; /* NULL: a line of our own, below */
    int paint;                     /* its colour (a stc_status), -1 none */
    const char *word;              /* its status column */
    const char *text;              /* its message */
};

struct items {
    struct item *v;
    size_t n, cap;
};

static stc_rc items_push(struct items *it, const char *prefix, const struct stc_result *node)
{
    if (node == NULL) /* a node-less item is made by dnssec_item, with its word */
        return STC_E_INVAL;
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 8;
        struct item *v = realloc(it->v, cap * sizeof *v);
        if (v == NULL)
            return STC_E_NOMEM;
        it->v = v;
        it->cap = cap;
    }
    char raw[2 * CELL_MAX];
    snprintf(raw, sizeof raw, "%s%s%s", prefix, *prefix ? "/" : "", stc_result_name(node));
    text_censor(raw, strlen(raw), it->v[it->n].label, sizeof it->v[it->n].label);
    it->v[it->n].node = node;
    it->v[it->n].paint = -1;
    it->v[it->n].word = it->v[it->n].text = NULL;
    it->n++;
    return STC_OK;
}

/*
 * The nodes below node worth a line, depth first: those with messages at
 * warning or worse (with all: at any status), and those at warning or
 * worse without children (a parent raised only by its children is shown
 * through them). Nested nodes are labelled "parent/child".
 */
static stc_rc collect(struct items *it, const struct stc_result *node, const char *prefix, int all,
                      unsigned depth)
{
    if (depth >= MAX_DEPTH)
        return STC_OK;
    for (size_t i = 0; i < stc_result_child_count(node); i++) {
        const struct stc_result *c = stc_result_child(node, i);
        int bad = stc_result_status(c) >= STC_STATUS_WARNING;
        int msgs = stc_result_message_count(c) > 0;
        if ((msgs && (all || bad)) || (bad && stc_result_child_count(c) == 0)) {
            stc_rc rc = items_push(it, prefix, c);
            if (rc != STC_OK)
                return rc;
        }
        char sub[2 * CELL_MAX];
        if (snprintf(sub, sizeof sub, "%s%s%s", prefix, *prefix ? "/" : "", stc_result_name(c)) < 0)
            sub[0] = '\0'; /* a cut label is fine */
        stc_rc rc = collect(it, c, sub, all, depth + 1);
        if (rc != STC_OK)
            return rc;
    }
    return STC_OK;
}

/* "  label  status  message" lines, messages wrapped under the message column. */
static void print_items(struct pen *p, const struct items *it)
{
    size_t lw = 0, sw = strlen("warning");
    for (size_t i = 0; i < it->n; i++) {
        if (strlen(it->v[i].label) > lw)
            lw = strlen(it->v[i].label);
        if (it->v[i].node == NULL && strlen(it->v[i].word) > sw)
            sw = strlen(it->v[i].word);
    }
    size_t msg_col = INDENT + lw + GUTTER + sw + GUTTER;
    for (size_t i = 0; i < it->n; i++) {
        const struct stc_result *node = it->v[i].node;
        if (node == NULL) { /* our own line: label, word, text */
            pad(p, INDENT);
            put(p, it->v[i].label);
            pad(p, lw - strlen(it->v[i].label) + GUTTER);
            put_paint(p, it->v[i].paint, it->v[i].word);
            pad(p, msg_col - p->col);
            put_wrapped(p, it->v[i].text, msg_col);
            nl(p);
            continue;
        }
        stc_status s = stc_result_status(node);
        size_t nmsg = stc_result_message_count(node);
        pad(p, INDENT);
        put(p, it->v[i].label);
        pad(p, lw - strlen(it->v[i].label) + GUTTER);
        put_paint(p, (int)s, stc_status_text(s));
        for (size_t m = 0; m < nmsg; m++) {
            if (m > 0) {
                nl(p);
                pad(p, msg_col);
            } else {
                pad(p, msg_col - p->col);
            }
            put_wrapped(p, stc_result_message(node, m), msg_col);
        }
        nl(p);
    }
}

/* Hosts with warnings or worse: their checks at warning or worse. */
static stc_rc host_findings(struct pen *p, const struct stc_result *root)
{
    stc_rc rc = STC_OK;
    struct items it = {0};
    for (size_t i = 0; i < stc_result_child_count(root); i++) {
        const struct stc_result *h = stc_result_child(root, i);
        if (stc_result_kind(h) != STC_NODE_HOST || stc_result_status(h) < STC_STATUS_WARNING)
            continue;
        it.n = 0;
        if (stc_result_message_count(h) > 0 && (rc = items_push(&it, "", h)) != STC_OK)
            goto out;
        if (it.n > 0)
            snprintf(it.v[0].label, sizeof it.v[0].label, "host");
        if ((rc = collect(&it, h, "", 0, 0)) != STC_OK)
            goto out;
        nl(p);
        put_esc(p, stc_result_name(h));
        put(p, ":");
        nl(p);
        print_items(p, &it);
    }
out:
    free(it.v);
    return rc;
}

/* The "dnssec" line from the root's mx_dnssec fact (none without it; none
 * when DNSSEC was not validated: a root note says that once; none for
 * unsigned MX records when the dane check's line says so already). */
static stc_rc dnssec_item(struct items *it, const struct stc_result *root)
{
    const char *st = stc_result_get_str(root, "mx_dnssec");
    int validated = 1;
    get_bool(root, "dnssec_validated", &validated);
    if (st == NULL || *st == '\0' || !validated)
        return STC_OK;
    const struct stc_result *dane = stc_result_find(root, "dane");
    if (strcmp(st, "insecure") == 0 && dane != NULL && stc_result_kind(dane) == STC_NODE_CHECK)
        return STC_OK;
    stc_rc rc = items_push(it, "", root);
    if (rc != STC_OK)
        return rc;
    struct item *x = &it->v[it->n - 1];
    snprintf(x->label, sizeof x->label, "dnssec");
    x->node = NULL;
    if (strcmp(st, "secure") == 0) {
        x->paint = STC_STATUS_SUCCESS;
        x->word = "secure";
        x->text = "the MX records are DNSSEC-signed: DANE can protect the MX hosts";
    } else if (strcmp(st, "insecure") == 0) {
        x->paint = -1;
        x->word = "insecure";
        x->text = "the MX records are not DNSSEC-signed: no DANE for this domain";
    } else if (strcmp(st, "bogus") == 0) {
        x->paint = STC_STATUS_FAILURE;
        x->word = "bogus";
        x->text = "the MX records fail DNSSEC validation: validating senders cannot find the MX "
                  "hosts";
    } else {
        x->paint = -1;
        x->word = "unknown";
        x->text = "the DNSSEC state of the MX records is unknown";
    }
    return STC_OK;
}

/* Domain-level checks: every one, with its messages and its children's;
 * the dnssec line goes before the DANE summary (or last). */
static stc_rc domain_findings(struct pen *p, const struct stc_result *root)
{
    stc_rc rc = STC_OK;
    struct items it = {0};
    int dnssec_done = 0;
    for (size_t i = 0; i < stc_result_child_count(root); i++) {
        const struct stc_result *c = stc_result_child(root, i);
        if (stc_result_kind(c) == STC_NODE_HOST)
            continue;
        if (!dnssec_done && strcmp(stc_result_name(c), "dane") == 0) {
            dnssec_done = 1;
            if ((rc = dnssec_item(&it, root)) != STC_OK)
                goto out;
        }
        size_t at = it.n;
        if ((rc = items_push(&it, "", c)) != STC_OK)
            goto out;
        if ((rc = collect(&it, c, stc_result_name(c), 1, 1)) != STC_OK)
            goto out;
        /* A check without messages of its own is shown by its findings. */
        if (stc_result_message_count(c) == 0 && it.n > at + 1) {
            memmove(&it.v[at], &it.v[at + 1], (it.n - at - 1) * sizeof *it.v);
            it.n--;
        }
    }
    if (!dnssec_done && (rc = dnssec_item(&it, root)) != STC_OK)
        goto out;
    if (it.n > 0) {
        nl(p);
        put(p, "Domain checks:");
        nl(p);
        print_items(p, &it);
    }
out:
    free(it.v);
    return rc;
}

/* ---- recommendations ---- */

struct recs {
    const char **v;
    int *sev; /* the most severe status of a node that gave it */
    size_t n, cap;
};

static stc_rc gather_recs(struct recs *rs, const struct stc_result *node, unsigned depth)
{
    if (depth >= MAX_DEPTH)
        return STC_OK;
    for (size_t i = 0; i < stc_result_recommendation_count(node); i++) {
        const char *r = stc_result_recommendation(node, i);
        size_t k;
        if (r == NULL)
            continue;
        int sev = (int)stc_result_status(node);
        for (k = 0; k < rs->n; k++)
            if (strcmp(rs->v[k], r) == 0)
                break;
        if (k < rs->n) {
            if (sev > rs->sev[k])
                rs->sev[k] = sev;
            continue;
        }
        if (rs->n == rs->cap) {
            size_t cap = rs->cap ? rs->cap * 2 : 8;
            const char **v = realloc(rs->v, cap * sizeof *v);
            if (v == NULL)
                return STC_E_NOMEM;
            rs->v = v;
            int *sv = realloc(rs->sev, cap * sizeof *sv);
            if (sv == NULL)
                return STC_E_NOMEM;
            rs->sev = sv;
            rs->cap = cap;
        }
        rs->sev[rs->n] = sev;
        rs->v[rs->n++] = r;
    }
    for (size_t i = 0; i < stc_result_child_count(node); i++) {
        stc_rc rc = gather_recs(rs, stc_result_child(node, i), depth + 1);
        if (rc != STC_OK)
            return rc;
    }
    return STC_OK;
}

static stc_rc recommendations(struct pen *p, const struct stc_result *root)
{
    struct recs rs = {0};
    stc_rc rc = gather_recs(&rs, root, 0);
    /* Most severe first, stable (insertion sort: the lists are short). */
    for (size_t i = 1; rc == STC_OK && i < rs.n; i++) {
        const char *v = rs.v[i];
        int sv = rs.sev[i];
        size_t j = i;
        for (; j > 0 && rs.sev[j - 1] < sv; j--) {
            rs.v[j] = rs.v[j - 1];
            rs.sev[j] = rs.sev[j - 1];
        }
        rs.v[j] = v;
        rs.sev[j] = sv;
    }
    if (rc == STC_OK && rs.n > 0) {
        nl(p);
        put(p, "Recommendations:");
        nl(p);
        for (size_t i = 0; i < rs.n; i++) {
            char num[32];
            snprintf(num, sizeof num, "%*zu. ", rs.n >= 10 ? 2 : 1, i + 1);
            pad(p, INDENT);
            put(p, num);
            put_wrapped(p, rs.v[i], p->col);
            nl(p);
        }
    }
    free(rs.v);
    free(rs.sev);
    return rc;
}

/* ---- the report ---- */

static void verdict(struct pen *p, const struct stc_result *root)
{
    const char *msg = stc_result_message_count(root) > 0 ? stc_result_message(root, 0) : "";
    int s;
    const char *text;
    if (stc_result_kind(root) == STC_NODE_DOMAIN) {
        stc_domain_status d = stc_result_domain_status(root);
        s = (int)domain_severity(d);
        text = stc_domain_status_text(d);
    } else {
        s = (int)stc_result_status(root);
        text = stc_status_text(stc_result_status(root));
    }
    put_esc(p, stc_result_name(root));
    put(p, ": ");
    put_paint(p, s, text);
    if (msg != NULL && *msg) {
        fputs(" \xe2\x80\x94 ", p->out); /* em dash: three bytes, one column */
        p->col += 3;
        put_esc(p, msg);
    }
    nl(p);
}

/* IPv6 addresses of the hosts that the addresses checks list as not tested
 * for want of an IPv6 route from this machine. */
static long long no_v6_route_count(const struct stc_result *root)
{
    static const char why[] = ": no IPv6 route from this machine";
    const size_t wl = sizeof why - 1;
    long long n = 0;
    for (size_t i = 0; i < stc_result_child_count(root); i++) {
        const struct stc_result *h = stc_result_child(root, i);
        const struct stc_result *a =
            stc_result_kind(h) == STC_NODE_HOST ? stc_result_find(h, "addresses") : NULL;
        long k = a != NULL ? stc_result_fact_index(a, "not_tested") : -1;
        if (k < 0)
            continue;
        for (size_t j = 0; j < stc_result_fact_list_len(a, (size_t)k); j++) {
            const char *item = stc_result_fact_list_item(a, (size_t)k, j);
            size_t l = item != NULL ? strlen(item) : 0;
            if (l > wl && strcmp(item + l - wl, why) == 0)
                n++;
        }
    }
    return n;
}

/* Root messages after the first, what the root facts say, and once the
 * IPv6 addresses left untested for want of a route. */
static void notes(struct pen *p, const struct stc_result *root)
{
    int implicit = 0;
    get_bool(root, "implicit_mx", &implicit);
    for (size_t i = 1; i < stc_result_message_count(root); i++) {
        put(p, "  note: ");
        put_wrapped(p, stc_result_message(root, i), p->col);
        nl(p);
    }
    if (implicit) {
        put(p, "  note: ");
        put_wrapped(p, "no MX records: the domain itself is the mail host (RFC 5321 5.1)", p->col);
        nl(p);
    }
    long long v6 = no_v6_route_count(root);
    if (v6 > 0) {
        char line[160];
        snprintf(line, sizeof line,
                 "not tested: no IPv6 route from this machine (%lld IPv6 address%s of the MX "
                 "hosts)",
                 v6, v6 == 1 ? "" : "es");
        put(p, "  note: ");
        put_wrapped(p, line, p->col);
        nl(p);
    }
}

stc_rc cli_text_render(FILE *out, const struct stc_result *root, int color)
{
    stc_rc rc = STC_OK;
    if (out == NULL || root == NULL)
        return STC_E_INVAL;
    struct pen p = {out, color, 0};
    verdict(&p, root);
    notes(&p, root);
    if (stc_result_kind(root) == STC_NODE_DOMAIN) {
        nl(&p);
        if ((rc = host_table(&p, root)) != STC_OK)
            return rc;
        if ((rc = host_findings(&p, root)) != STC_OK)
            return rc;
        if ((rc = domain_findings(&p, root)) != STC_OK)
            return rc;
    } else {
        struct items it = {0};
        rc = collect(&it, root, "", 1, 0);
        if (rc == STC_OK && it.n > 0) {
            nl(&p);
            print_items(&p, &it);
        }
        free(it.v);
        if (rc != STC_OK)
            return rc;
    }
    if ((rc = recommendations(&p, root)) != STC_OK)
        return rc;
    if (fflush(out) != 0 || ferror(out))
        return STC_E_IO;
    return STC_OK;
}
