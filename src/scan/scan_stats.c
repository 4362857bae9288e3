/*
 * NAME
 *     scan_stats - print the aggregate statistics of a scan
 * SYNOPSIS
 *     stc_scan_stats_print(&st, stderr, err);   a table
 *     stc_scan_stats_json(&st, f, err);         one JSON object and a newline
 * DESCRIPTION
 *     Views of struct stc_scan_stats. Percentages in the table are of the
 *     domains attempted (domain rows) or of the unique hosts (host rows).
 *     The JSON keys are the struct's field names; the original's keys
 *     (attempted, with_mx, mta_sts_testing, mta_sts_enforce) are among them.
 *     Only numbers are printed, so no escaping is needed.
 * DIAGNOSTICS
 *     STC_E_IO when the stream reports a write error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <starttls/scan.h>

#include "../util/err.h"
#include "scan_agg.h"

static double pct(uint64_t a, uint64_t b)
{
    return b ? 100.0 * (double)a / (double)b : 0.0;
}

#define ROW(label, v, of)                                                                          \
    fprintf(out, "  %-38s %10" PRIu64 "  %5.1f%%\n", label, (uint64_t)(v), pct(v, of))

/* Domain status names by code (stc_domain_status). */
static const char *const status_names[7] = {"success",     "warning",     "failure",
                                            "error",       "no_starttls", "could_not_connect",
                                            "bad_hostname"};

/* The caller's stats (maybe an older, smaller struct) into a full one, zero past its size. */
static void full_stats(const struct stc_scan_stats *in, struct stc_scan_stats *st)
{
    size_t n = in->size < sizeof *st ? in->size : sizeof *st;
    memset(st, 0, sizeof *st);
    memcpy(st, in, n);
    st->size = sizeof *st;
}

stc_rc stc_scan_stats_print(const struct stc_scan_stats *in, FILE *out, struct stc_err *err)
{
    struct stc_scan_stats full;
    const struct stc_scan_stats *st = &full;
    full_stats(in, &full);
    double secs = (double)st->elapsed_ms / 1000.0;
    uint64_t d = st->attempted, h = st->unique_hosts;
    fprintf(out, "Scan summary (%.1f s, %.1f domains/s)\n", secs,
            secs > 0 ? (double)d / secs : 0.0);
    fprintf(out, "  %-38s %10" PRIu64 "\n", "input lines", st->lines);
    fprintf(out, "  %-38s %10" PRIu64 "\n", "rejected lines", st->rejected);
    fprintf(out, "  %-38s %10" PRIu64 "\n", "duplicates", st->duplicates);
    fprintf(out, "  %-38s %10" PRIu64 "\n", "skipped (already done, --resume)", st->resumed);
    fprintf(out, "  %-38s %10" PRIu64 "\n", "excluded (--exclude, recorded)", st->excluded);
    fprintf(out, "  %-38s %10" PRIu64 "\n", "check errors (recorded as status 3)",
            st->check_errors);
    fprintf(out, "Domains\n");
    fprintf(out, "  %-38s %10" PRIu64 "\n", "attempted", d);
    ROW("with MX", st->with_mx, d);
    ROW("null MX", st->null_mx, d);
    ROW("an MX host connected", st->connected, d);
    ROW("STARTTLS on every connected MX", st->starttls_all, d);
    ROW("valid certificate on every MX", st->valid_cert_all, d);
    ROW("MTA-STS testing", st->mtasts_testing, d);
    ROW("MTA-STS enforce", st->mtasts_enforce, d);
    ROW("MTA-STS valid", st->mtasts_valid, d);
    ROW("TLS-RPT", st->tlsrpt, d);
    ROW("DANE on some MX", st->dane_some, d);
    ROW("DANE on every MX", st->dane_all, d);
    fprintf(out, "Domain status\n");
    for (int i = 0; i < 7; i++) {
        char label[64];
        snprintf(label, sizeof label, "%d %s", i, status_names[i]);
        ROW(label, st->status[i], d);
    }
    fprintf(out, "Unique MX hosts\n");
    fprintf(out, "  %-38s %10" PRIu64 "\n", "hosts", h);
    ROW("connected", st->hosts_connected, h);
    ROW("STARTTLS", st->hosts_starttls, h);
    ROW("valid certificate", st->hosts_valid_cert, h);
    ROW("weak ciphers accepted", st->hosts_weak_cipher, h);
    ROW("DANE authenticated", st->hosts_dane, h);
    for (int i = 0; i < 5; i++) {
        char label[64];
        snprintf(label, sizeof label, "negotiated %s", scan_tls_version_names[i]);
        ROW(label, st->tls_versions[i], h);
    }
    fprintf(out, "Work\n");
    fprintf(out, "  %-38s %10" PRIu64 "\n", "SMTP connections", st->connections);
    fprintf(out, "  %-38s %10.2f\n", "connections per unique host",
            h ? (double)st->connections / (double)h : 0.0);
    fprintf(out, "  %-38s %10" PRIu64 "\n", "host checks run", st->host_checks);
    fprintf(out, "  %-38s %10" PRIu64 "\n", "host results reused (cache)", st->cache_hits);
    fprintf(out, "  %-38s %10" PRIu64 "\n", "retries after 421", st->throttle_retries);
    if (fflush(out) != 0 || ferror(out))
        return err_set(err, STC_E_IO, "write error (statistics)");
    return STC_OK;
}

#define NUM(key, v) fprintf(out, "%s\"%s\":%" PRIu64, first++ ? "," : "", key, (uint64_t)(v))

stc_rc stc_scan_stats_json(const struct stc_scan_stats *in, FILE *out, struct stc_err *err)
{
    struct stc_scan_stats full;
    const struct stc_scan_stats *st = &full;
    full_stats(in, &full);
    int first = 0;
    fputc('{', out);
    NUM("lines", st->lines);
    NUM("rejected", st->rejected);
    NUM("duplicates", st->duplicates);
    NUM("resumed", st->resumed);
    NUM("excluded", st->excluded);
    NUM("check_errors", st->check_errors);
    NUM("attempted", st->attempted);
    NUM("with_mx", st->with_mx);
    NUM("null_mx", st->null_mx);
    NUM("mta_sts_testing", st->mtasts_testing);
    NUM("mta_sts_enforce", st->mtasts_enforce);
    NUM("mta_sts_valid", st->mtasts_valid);
    NUM("tls_rpt", st->tlsrpt);
    NUM("connected", st->connected);
    NUM("starttls_all", st->starttls_all);
    NUM("valid_cert_all", st->valid_cert_all);
    NUM("dane_some", st->dane_some);
    NUM("dane_all", st->dane_all);
    fprintf(out, ",\"status\":{");
    for (int i = 0; i < 7; i++)
        fprintf(out, "%s\"%s\":%" PRIu64, i ? "," : "", status_names[i], st->status[i]);
    fprintf(out, "}");
    NUM("unique_hosts", st->unique_hosts);
    NUM("hosts_connected", st->hosts_connected);
    NUM("hosts_starttls", st->hosts_starttls);
    NUM("hosts_valid_cert", st->hosts_valid_cert);
    NUM("hosts_weak_cipher", st->hosts_weak_cipher);
    NUM("hosts_dane", st->hosts_dane);
    fprintf(out, ",\"tls_versions\":{");
    for (int i = 0; i < 5; i++)
        fprintf(out, "%s\"%s\":%" PRIu64, i ? "," : "", scan_tls_version_names[i],
                st->tls_versions[i]);
    fprintf(out, "}");
    NUM("connections", st->connections);
    NUM("host_checks", st->host_checks);
    NUM("cache_hits", st->cache_hits);
    NUM("throttle_retries", st->throttle_retries);
    NUM("elapsed_ms", st->elapsed_ms);
    fprintf(out, "}\n");
    if (fflush(out) != 0 || ferror(out))
        return err_set(err, STC_E_IO, "write error (statistics)");
    return STC_OK;
}
