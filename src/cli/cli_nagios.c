/*
 * NAME
 *     cli_nagios - the Nagios/Icinga plugin view of a result tree (--nagios)
 * SYNOPSIS
 *     #include "cli_nagios.h"
 *     int state;
 *     stc_rc rc = cli_nagios_render(stdout, root, 14, 7, &state);
 *     exit(rc == STC_OK ? state : CLI_NAGIOS_UNKNOWN);
 * DESCRIPTION
 *     Output per the Nagios plugin guidelines: one status line
 *
 *         STARTTLS STATE - DOMAIN: P/N MX hosts pass[; STATUS_TEXT: VERDICT]
 *             [; certificate of HOST expires in D days] | PERFDATA
 *
 *     with PERFDATA "days_to_expiry=D;WARN;CRIT" (the lowest over the MX
 *     hosts, left out when no host showed a certificate; the thresholds are
 *     lower bounds: at or below them the state rises), "hosts_passing=P;;;0;N"
 *     and "hosts_total=N". A host passes when its status is success. Then
 *     the long output: one line per problem, "HOST/CHECK STATUS: MESSAGE" or
 *     "CHECK/SUB STATUS: MESSAGE" for the domain-level checks, chosen like
 *     the text report's findings (nodes at warning or worse with messages,
 *     and childless nodes at warning or worse).
 *
 *     State: the domain status maps 0 OK, 1 WARNING, 3 UNKNOWN, and 2, 4,
 *     5, 6 CRITICAL; the lowest days_to_expiry at or below crit_days makes
 *     it CRITICAL, at or below warn_days at least WARNING (CRITICAL outranks
 *     WARNING, which outranks UNKNOWN, which outranks OK).
 *
 *     Only the public accessors of result.h are used; the tree is only read.
 *     Every tree string is censored (text_censor: the tree keeps server
 *     text raw) and '|' becomes '/', so nothing a server sent can end the
 *     text part or forge performance data.
 * LIMITS
 *     At most CLI_NAGIOS_MAX_LONG long-output lines (then "... N more");
 *     each line at most LINE_MAX - 1 bytes after escaping.
 * DIAGNOSTICS
 *     cli_nagios_render: STC_E_INVAL for a NULL argument, STC_E_IO when the
 *     stream reports an error.
 */
#include "cli_nagios.h"

#include <string.h>

#include "cli_output.h"
#include "util/text.h"

#define LINE_MAX_ 1200 /* one message, escaped, plus its label */
#define LABEL_MAX 600
#define MAX_DEPTH 8

const char *cli_nagios_state_name(int state)
{
    switch (state) {
    case CLI_NAGIOS_OK: return "OK";
    case CLI_NAGIOS_WARNING: return "WARNING";
    case CLI_NAGIOS_CRITICAL: return "CRITICAL";
    default: return "UNKNOWN";
    }
}

int cli_nagios_from_domain(stc_domain_status d)
{
    switch (d) {
    case STC_DOMAIN_SUCCESS: return CLI_NAGIOS_OK;
    case STC_DOMAIN_WARNING: return CLI_NAGIOS_WARNING;
    case STC_DOMAIN_FAILURE:
    case STC_DOMAIN_NO_STARTTLS:
    case STC_DOMAIN_COULD_NOT_CONNECT:
    case STC_DOMAIN_BAD_HOSTNAME: return CLI_NAGIOS_CRITICAL;
    case STC_DOMAIN_ERROR:
    default: return CLI_NAGIOS_UNKNOWN;
    }
}

/* Severity rank: OK < UNKNOWN < WARNING < CRITICAL. */
static int rank(int state)
{
    switch (state) {
    case CLI_NAGIOS_OK: return 0;
    case CLI_NAGIOS_UNKNOWN: return 1;
    case CLI_NAGIOS_WARNING: return 2;
    case CLI_NAGIOS_CRITICAL: return 3;
    default: return 1;
    }
}

static int worse(int a, int b)
{
    return rank(b) > rank(a) ? b : a;
}

int cli_nagios_min_days(const struct stc_result *root, long long *days, const char **host)
{
    int found = 0;
    for (size_t i = 0; root != NULL && i < stc_result_child_count(root); i++) {
        const struct stc_result *h = stc_result_child(root, i);
        long long d;
        if (stc_result_kind(h) != STC_NODE_HOST)
            continue;
        const struct stc_result *c = stc_result_find(h, "certificate");
        if (c == NULL || !stc_result_get_int(c, "days_to_expiry", &d))
            continue;
        if (!found || d < *days) {
            *days = d;
            if (host != NULL)
                *host = stc_result_name(h);
        }
        found = 1;
    }
    return found;
}

static int days_state(long long days, long warn_days, long crit_days)
{
    if (days <= crit_days)
        return CLI_NAGIOS_CRITICAL;
    if (days <= warn_days)
        return CLI_NAGIOS_WARNING;
    return CLI_NAGIOS_OK;
}

int cli_nagios_state(const struct stc_result *root, long warn_days, long crit_days)
{
    long long days = 0;
    if (root == NULL)
        return CLI_NAGIOS_UNKNOWN;
    int state = stc_result_kind(root) == STC_NODE_DOMAIN
                    ? cli_nagios_from_domain(stc_result_domain_status(root))
                    : (stc_result_status(root) == STC_STATUS_ERROR ? CLI_NAGIOS_UNKNOWN
                                                                   : (int)stc_result_status(root));
    if (cli_nagios_min_days(root, &days, NULL))
        state = worse(state, days_state(days, warn_days, crit_days));
    return state;
}

/* Escaped, with '|' turned into '/'. */
static void safe(const char *s, char *out, size_t outsz)
{
    text_censor(s ? s : "", s ? strlen(s) : 0, out, outsz);
    for (char *p = out; *p; p++)
        if (*p == '|')
            *p = '/';
}

struct longout {
    FILE *out;
    size_t lines, dropped;
};

static void problem_line(struct longout *lo, const char *label, stc_status s, const char *msg)
{
    char lab[LABEL_MAX], text[LINE_MAX_];
    if (lo->lines >= CLI_NAGIOS_MAX_LONG) {
        lo->dropped++;
        return;
    }
    safe(label, lab, sizeof lab);
    safe(msg, text, sizeof text);
    fprintf(lo->out, "%s %s%s%s\n", lab, stc_status_text(s), *text ? ": " : "", text);
    lo->lines++;
}

/* Depth first below node; label is the path so far ("" at the root). */
static void problems(struct longout *lo, const struct stc_result *node, const char *label,
                     unsigned depth)
{
    if (depth >= MAX_DEPTH)
        return;
    for (size_t i = 0; i < stc_result_child_count(node); i++) {
        const struct stc_result *c = stc_result_child(node, i);
        char sub[LABEL_MAX];
        stc_status s = stc_result_status(c);
        int bad = s >= STC_STATUS_WARNING;
        size_t nmsg = stc_result_message_count(c);
        if (snprintf(sub, sizeof sub, "%s%s%s", label, *label ? "/" : "", stc_result_name(c)) < 0)
            sub[0] = '\0'; /* a cut label is fine: names are bounded anyway */
        if (bad && nmsg > 0) {
            for (size_t m = 0; m < nmsg; m++)
                problem_line(lo, sub, s, stc_result_message(c, m));
        } else if (bad && stc_result_child_count(c) == 0) {
            problem_line(lo, sub, s, "");
        }
        problems(lo, c, sub, depth + 1);
    }
}

stc_rc cli_nagios_render(FILE *out, const struct stc_result *root, long warn_days, long crit_days,
                         int *state)
{
    char name[600], verdict[LINE_MAX_], hostbuf[600];
    size_t total = 0, passing = 0;
    long long days = 0;
    const char *dhost = NULL;
    if (out == NULL || root == NULL || state == NULL)
        return STC_E_INVAL;
    for (size_t i = 0; i < stc_result_child_count(root); i++) {
        const struct stc_result *h = stc_result_child(root, i);
        if (stc_result_kind(h) != STC_NODE_HOST)
            continue;
        total++;
        passing += stc_result_status(h) == STC_STATUS_SUCCESS;
    }
    int have_days = cli_nagios_min_days(root, &days, &dhost);
    *state = cli_nagios_state(root, warn_days, crit_days);

    safe(stc_result_name(root), name, sizeof name);
    fprintf(out, "STARTTLS %s - %s: %zu/%zu MX hosts pass", cli_nagios_state_name(*state), name,
            passing, total);
    int dstate = stc_result_kind(root) == STC_NODE_DOMAIN
                     ? cli_nagios_from_domain(stc_result_domain_status(root))
                     : CLI_NAGIOS_OK;
    if (dstate != CLI_NAGIOS_OK) {
        safe(stc_result_message_count(root) ? stc_result_message(root, 0) : "", verdict,
             sizeof verdict);
        fprintf(out, "; %s%s%s", stc_domain_status_text(stc_result_domain_status(root)),
                *verdict ? ": " : "", verdict);
    }
    if (have_days && days_state(days, warn_days, crit_days) != CLI_NAGIOS_OK) {
        safe(dhost, hostbuf, sizeof hostbuf);
        if (days < 0)
            fprintf(out, "; certificate of %s expired %lld day%s ago", hostbuf, -days,
                    days == -1 ? "" : "s");
        else
            fprintf(out, "; certificate of %s expires in %lld day%s", hostbuf, days,
                    days == 1 ? "" : "s");
    }
    fputs(" |", out);
    if (have_days)
        fprintf(out, " days_to_expiry=%lld;%ld;%ld", days, warn_days, crit_days);
    fprintf(out, " hosts_passing=%zu;;;0;%zu hosts_total=%zu\n", passing, total, total);

    struct longout lo = {out, 0, 0};
    const struct stc_result *dh = dhost ? stc_result_find(root, dhost) : NULL;
    const struct stc_result *dcert = dh ? stc_result_find(dh, "certificate") : NULL;
    /* Only when the certificate check itself is content (a stricter --warn-days). */
    if (have_days && days_state(days, warn_days, crit_days) != CLI_NAGIOS_OK &&
        (dcert == NULL || stc_result_status(dcert) < STC_STATUS_WARNING)) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "lowest days to certificate expiry %lld (warning at %ld, critical at %ld)", days,
                 warn_days, crit_days);
        char lab[620];
        snprintf(lab, sizeof lab, "%s/certificate", dhost ? dhost : "?");
        problem_line(&lo, lab, days <= crit_days ? STC_STATUS_FAILURE : STC_STATUS_WARNING, msg);
    }
    problems(&lo, root, "", 0);
    if (lo.dropped > 0)
        fprintf(out, "... %zu more\n", lo.dropped);
    if (fflush(out) != 0 || ferror(out))
        return STC_E_IO;
    return STC_OK;
}

int cli_nagios_unknown(FILE *out, const char *subject, const char *reason)
{
    char s[600], r[LINE_MAX_];
    safe(subject, s, sizeof s);
    safe(reason, r, sizeof r);
    fprintf(out, "STARTTLS UNKNOWN - %s%s%s\n", s, *s ? ": " : "", r);
    fflush(out);
    return CLI_NAGIOS_UNKNOWN;
}
