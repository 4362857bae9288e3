/*
 * NAME
 *     cli_scan - `starttls-check scan FILE`: check a list of domains in bulk
 * SYNOPSIS
 *     starttls-check scan [OPTIONS] FILE|-
 *     starttls-check scan [OPTIONS] --db postgresql://... --name NAME --enqueue FILE|-
 *     starttls-check worker [OPTIONS] --db postgresql://... [--name NAME]
 *     starttls-check -file FILE [-column N] [-aggregate]   (the original's form)
 * DESCRIPTION
 *     Parses the scan options, builds a config with cli_config_build (the
 *     checker options are those of single domains; default --dnssec auto),
 *     and runs stc_scan_* (include/starttls/scan.h) over FILE or stdin.
 *     Shows progress on stderr: a bar redrawn in place when stderr is a
 *     terminal, else one line every --progress seconds. SIGINT/SIGTERM: the
 *     first stops reading and lets the domains in flight finish; the second
 *     cancels them (they are not written); outputs are flushed and closed
 *     either way, the summary printed, exit 130. A third signal kills the
 *     process the default way (--resume repairs the outputs). Uses the
 *     public API only; the one mutable global is the sig_atomic_t signal
 *     counter.
 *     --enqueue loads the list into the scan's jobs table instead of
 *     checking it (stc_scan_enqueue); `worker` takes the same options
 *     without a FILE and works through the jobs (stc_scan_work) until none
 *     is left (docs/distributed.md).
 * LIMITS
 *     Numbers in options are bounded (threads <= 4096, per-ip <= 1000).
 * DIAGNOSTICS
 *     Exit 0 when the list was scanned (whatever the domains' status),
 *     64 usage error, 66 no such scan (worker --name), 70 internal error /
 *     out of memory, 74 an input or output file or database error (a bad
 *     connection string, a wrong password, a missing database: one
 *     message), 130 stopped by a signal. Messages on stderr,
 *     escaped, prefixed "starttls-check scan: ".
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <starttls/starttls.h>

#include "cli_config.h"
#include "cli_options.h"
#include "cli_output.h"
#include "cli_scan.h"
#include "util/num.h"
#include "util/text.h"

#define PROG "starttls-check scan"
#define DEFAULT_PROGRESS_S 10

static volatile sig_atomic_t interrupts;

static void on_signal(int sig)
{
    (void)sig;
    if (interrupts < 2)
        interrupts++;
    if (interrupts >= 2) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = SIG_DFL;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
    }
}

struct scan_cli {
    struct stc_scan_opts so;
    const char *input;
    struct cli_checker_opts ck; /* the checker's options (cli_config.h) */
    int aggregate;
    const char *aggregate_json;
    long progress_s; /* -1: default */
    int help;
    char *rejects_buf;
    int worker;  /* the `worker` command: no FILE, jobs from the database */
    int enqueue; /* --enqueue */
    char picked[128];
};

enum {
    O_THREADS = 'j',
    O_OUTPUT = 'o',
    O_HELP = 'h',
    O_PER_IP = 1000,
    O_CACHE_TTL,
    O_CACHE_MAX,
    O_COLUMN,
    O_CHECKS,
    O_DB,
    O_REJECTS,
    O_RESUME,
    O_FRESH,
    O_EXCLUDE,
    O_RATE,
    O_AGGREGATE,
    O_AGGREGATE_JSON,
    O_PROGRESS,
    O_RETRY_DELAY,
    O_TIMEOUT,
    O_DOMAIN_TIMEOUT,
    O_RESOLVER,
    O_TRUST_ANCHOR,
    O_DNSSEC,
    O_CA_FILE,
    O_CA_PATH,
    O_PORT,
    O_HTTPS_PORT,
    O_HELO,
    O_POLICY_LIST,
    O_NO_DANE,
    O_DEEP,
    O_PROBE_DELAY,
    O_IPV4_ONLY,
    O_IPV6_ONLY,
    O_QUEUE,
    O_STACK_KB,
    O_NAME,
    O_ENQUEUE,
    O_LEASE,
    O_BATCH,
    O_WORKER_ID,
};

static const struct option longopts[] = {
    {"threads", required_argument, NULL, O_THREADS},
    {"per-ip", required_argument, NULL, O_PER_IP},
    {"cache-ttl", required_argument, NULL, O_CACHE_TTL},
    {"cache-max", required_argument, NULL, O_CACHE_MAX},
    {"column", required_argument, NULL, O_COLUMN},
    {"checks", required_argument, NULL, O_CHECKS},
    {"output", required_argument, NULL, O_OUTPUT},
    {"db", required_argument, NULL, O_DB},
    {"rejects", required_argument, NULL, O_REJECTS},
    {"resume", no_argument, NULL, O_RESUME},
    {"fresh", no_argument, NULL, O_FRESH},
    {"exclude", required_argument, NULL, O_EXCLUDE},
    {"rate", required_argument, NULL, O_RATE},
    {"aggregate", no_argument, NULL, O_AGGREGATE},
    {"aggregate-json", required_argument, NULL, O_AGGREGATE_JSON},
    {"progress", required_argument, NULL, O_PROGRESS},
    {"retry-delay", required_argument, NULL, O_RETRY_DELAY},
    {"queue", required_argument, NULL, O_QUEUE},
    {"stack-kb", required_argument, NULL, O_STACK_KB},
    {"timeout", required_argument, NULL, O_TIMEOUT},
    {"domain-timeout", required_argument, NULL, O_DOMAIN_TIMEOUT},
    {"resolver", required_argument, NULL, O_RESOLVER},
    {"trust-anchor", required_argument, NULL, O_TRUST_ANCHOR},
    {"dnssec", required_argument, NULL, O_DNSSEC},
    {"ca-file", required_argument, NULL, O_CA_FILE},
    {"ca-path", required_argument, NULL, O_CA_PATH},
    {"port", required_argument, NULL, O_PORT},
    {"https-port", required_argument, NULL, O_HTTPS_PORT},
    {"helo", required_argument, NULL, O_HELO},
    {"policy-list", required_argument, NULL, O_POLICY_LIST},
    {"no-dane", no_argument, NULL, O_NO_DANE},
    {"deep", no_argument, NULL, O_DEEP},
    {"probe-delay", required_argument, NULL, O_PROBE_DELAY},
    {"name", required_argument, NULL, O_NAME},
    {"enqueue", no_argument, NULL, O_ENQUEUE},
    {"lease", required_argument, NULL, O_LEASE},
    {"batch", required_argument, NULL, O_BATCH},
    {"worker-id", required_argument, NULL, O_WORKER_ID},
    {"ipv4-only", no_argument, NULL, O_IPV4_ONLY},
    {"ipv6-only", no_argument, NULL, O_IPV6_ONLY},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0},
};

void cli_scan_usage(FILE *out)
{
    fputs("Usage: starttls-check scan [OPTIONS] FILE|-\n"
          "\n"
          "Check every domain of a list (FILE, or - for stdin) with a pool of threads.\n"
          "Input: \"rank,domain\" CSV (the top-million form), one domain per line, or\n"
          "any CSV with --column. Blank lines and # comments are skipped; bad lines\n"
          "and duplicates go to the reject log. Options take one or two dashes.\n"
          "\n"
          "Outputs:\n"
          "  -o, --output FILE       JSON Lines, one compact domain object per line;\n"
          "                          - for stdout (default: stdout when neither --db\n"
          "                          nor --aggregate/--aggregate-json is given)\n"
          "  --db FILE               SQLite database: tables domains, hosts, checks,\n"
          "                          host_cache (docs/scan.md)\n"
          "  --db postgresql://...   PostgreSQL instead (shared by many machines;\n"
          "                          docs/distributed.md); the scan is --name NAME\n"
          "  --name NAME             PostgreSQL: the scan's name (default: default)\n"
          "  --enqueue               PostgreSQL: load the list into the scan's jobs\n"
          "                          table and exit; `starttls-check worker` processes\n"
          "                          on any number of machines then check it\n"
          "  --rejects FILE          reject log: line number, reason, line (default:\n"
          "                          OUTPUT.rejects, else DB.rejects, else stderr)\n"
          "  --aggregate             print statistics (stdout unless JSON goes there)\n"
          "  --aggregate-json FILE   statistics as one JSON object\n"
          "  --resume                skip domains already in --db / --output (after a\n"
          "                          crash or Ctrl-C); without it outputs start empty\n"
          "  --progress SECONDS      progress line period when stderr is not a\n"
          "                          terminal (default: 10; 0: none; a bar on a tty)\n"
          "\n"
          "Input:\n"
          "  --column N              0-based CSV column holding the domain (as the\n"
          "                          original's -column; default: auto, \"rank,domain\"\n"
          "                          or a single column)\n"
          "\n"
          "Pace:\n"
          "  -j, --threads N         domains checked at once (default: 256)\n"
          "  --per-ip N              simultaneous SMTP connections per IP (default: 2)\n"
          "  --rate N                new SMTP connections per second, whole scan\n"
          "                          (default: no cap)\n"
          "  --exclude FILE          opt-outs, one a line: domains (and the names under\n"
          "                          them), IP addresses, CIDR ranges; never contacted,\n"
          "                          each excluded input domain recorded as excluded\n"
          "  --cache-ttl SECONDS     reuse an MX host's result this long; 0: no cache\n"
          "                          (default: 3600); only results made with the same\n"
          "                          options, never refused/timed-out/421 outcomes\n"
          "  --fresh                 ignore the host results stored in --db\n"
          "  --cache-max N           host results kept in memory (default: 65536)\n"
          "  --retry-delay SECONDS   back-off before retrying a host that said 421\n"
          "                          (default: 2)\n"
          "  --queue N               domains read ahead (default: 2 x threads)\n"
          "  --stack-kb N            worker thread stack (default: 256)\n"
          "\n"
          "Checks (as for single domains):\n"
          "  --checks LIST           smtp,mta-sts,tls-rpt,dane,policylist,legacy-tls,\n"
          "                          weak-ciphers,all (mta-sts,tls-rpt: no SMTP at all)\n"
          "  --no-dane  --deep  --probe-delay MS  --timeout SECONDS\n"
          "  --domain-timeout SECONDS  budget of a whole domain (default: 4 x --timeout)\n"
          "  --ipv4-only  --ipv6-only\n"
          "  --resolver ADDR[@PORT]  --trust-anchor FILE\n"
          "  --dnssec auto|local|resolver|trusted-resolver  who validates DNSSEC\n"
          "                          (default auto: the AD bit of the resolver when it is\n"
          "                          on loopback and validates, else local validation)\n"
          "  --ca-file FILE  --ca-path DIR  --port N  --https-port N  --helo NAME\n"
          "  --policy-list FILE\n"
          "\n"
          "Worker (starttls-check worker --db postgresql://... [--name NAME] [OPTIONS]):\n"
          "  --lease SECONDS         a claimed job returns to the queue this long after\n"
          "                          its worker's last heartbeat (default: 60)\n"
          "  --batch N               jobs claimed at once (default: the --queue size)\n"
          "  --worker-id ID          the worker's name in the jobs table (default:\n"
          "                          host:pid); without --name the oldest scan with\n"
          "                          jobs left\n"
          "\n"
          "Ctrl-C stops reading and finishes the domains in flight; a second Ctrl-C\n"
          "abandons them. Exit: 0 done, 64 usage, 70 internal, 74 file error,\n"
          "130 interrupted.\n",
          out);
}

/* "starttls-check scan: A[: B]" on stderr, escaped. */
static void complain(const char *a, const char *b)
{
    char ea[512], eb[512];
    text_censor(a, strlen(a), ea, sizeof ea);
    text_censor(b ? b : "", b ? strlen(b) : 0, eb, sizeof eb);
    fprintf(stderr, PROG ": %s%s%s\n", ea, b ? ": " : "", eb);
}

static int parse_secs(const char *s, double lo, double hi, long *ms)
{
    double v = 0;
    if (num_decimal(s, lo, hi, &v) != 0)
        return -1;
    *ms = (long)(v * 1000.0 + 0.5);
    return 0;
}

static int parse_args(int argc, char **argv, struct scan_cli *c)
{
    struct stc_err err = {0};
    long v;
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long_only(argc, argv, "j:o:h", longopts, NULL)) != -1) {
        /* The option word: "--threads=0", or "--threads" when its value came apart. */
        int at = optind - (optarg != NULL && optind >= 2 && argv[optind - 1] == optarg ? 2 : 1);
        const char *name = at > 0 && at < argc ? argv[at] : "?";
        switch (ch) {
        case O_THREADS:
            if (num_long(optarg, 1, STC_SCAN_MAX_THREADS, &v) != 0)
                goto bad;
            c->so.threads = (unsigned)v;
            break;
        case O_PER_IP:
            if (num_long(optarg, 1, 1000, &v) != 0)
                goto bad;
            c->so.per_ip = (unsigned)v;
            break;
        case O_CACHE_TTL:
            if (num_long(optarg, 0, 10L * 365 * 86400, &v) != 0)
                goto bad;
            c->so.cache_ttl_s = v;
            break;
        case O_CACHE_MAX:
            if (num_long(optarg, 1, 100000000L, &v) != 0)
                goto bad;
            c->so.cache_max = (size_t)v;
            break;
        case O_COLUMN:
            if (num_long(optarg, 0, 63, &v) != 0)
                goto bad;
            c->so.column = (int)v;
            break;
        case O_QUEUE:
            if (num_long(optarg, 1, 1000000, &v) != 0)
                goto bad;
            c->so.queue_size = (size_t)v;
            break;
        case O_STACK_KB:
            if (num_long(optarg, 64, 65536, &v) != 0)
                goto bad;
            c->so.stack_size = (size_t)v * 1024;
            break;
        case O_CHECKS: {
            unsigned f = 0;
            if (cli_parse_checks(optarg, &f, &err) != STC_OK) {
                complain(err.msg, NULL);
                return CLI_EXIT_USAGE;
            }
            c->ck.checks |= f;
            c->ck.checks_set = 1;
            break;
        }
        case O_OUTPUT: c->so.output = optarg; break;
        case O_DB: c->so.db = optarg; break;
        case O_REJECTS: c->so.rejects = optarg; break;
        case O_RESUME: c->so.resume = 1; break;
        case O_FRESH: c->so.fresh = 1; break;
        case O_EXCLUDE: c->so.exclude = optarg; break;
        case O_RATE:
            if (num_long(optarg, 1, 100000, &v) != 0)
                goto bad;
            c->so.rate = (unsigned)v;
            break;
        case O_AGGREGATE: c->aggregate = 1; break;
        case O_AGGREGATE_JSON: c->aggregate_json = optarg; break;
        case O_PROGRESS:
            if (num_long(optarg, 0, 86400, &v) != 0)
                goto bad;
            c->progress_s = v;
            break;
        case O_RETRY_DELAY:
            if (parse_secs(optarg, 0, 600, &c->so.retry_delay_ms) != 0)
                goto bad;
            break;
        case O_TIMEOUT:
            if (cli_parse_timeout(optarg, &c->ck.timeout_ms, &err) != STC_OK) {
                complain(err.msg, NULL);
                return CLI_EXIT_USAGE;
            }
            break;
        case O_DOMAIN_TIMEOUT:
            if (cli_parse_seconds(optarg, "--domain-timeout", 86400, &c->ck.domain_timeout_ms,
                                  &err) != STC_OK) {
                complain(err.msg, NULL);
                return CLI_EXIT_USAGE;
            }
            break;
        case O_PORT:
        case O_HTTPS_PORT:
            if (cli_parse_port(optarg, ch == O_PORT ? "--port" : "--https-port",
                               ch == O_PORT ? &c->ck.port : &c->ck.https_port, &err) != STC_OK) {
                complain(err.msg, NULL);
                return CLI_EXIT_USAGE;
            }
            break;
        case O_RESOLVER: c->ck.resolver = optarg; break;
        case O_TRUST_ANCHOR: c->ck.trust_anchor = optarg; break;
        case O_DNSSEC: c->ck.dnssec = optarg; break;
        case O_CA_FILE: c->ck.ca_file = optarg; break;
        case O_CA_PATH: c->ck.ca_path = optarg; break;
        case O_HELO: c->ck.helo = optarg; break;
        case O_POLICY_LIST: c->ck.policy_list = optarg; break;
        case O_NO_DANE: c->ck.no_dane = 1; break;
        case O_DEEP: c->ck.deep = 1; break;
        case O_PROBE_DELAY:
            if (cli_parse_probe_delay(optarg, &c->ck.probe_delay_ms, &err) != STC_OK) {
                complain(err.msg, NULL);
                return CLI_EXIT_USAGE;
            }
            c->ck.probe_delay_set = 1;
            break;
        case O_NAME: c->so.name = optarg; break;
        case O_ENQUEUE: c->enqueue = 1; break;
        case O_WORKER_ID: c->so.worker_id = optarg; break;
        case O_LEASE:
            if (num_long(optarg, 2, 86400, &v) != 0)
                goto bad;
            c->so.lease_s = v;
            break;
        case O_BATCH:
            if (num_long(optarg, 1, 100000, &v) != 0)
                goto bad;
            c->so.batch = (unsigned)v;
            break;
        case O_IPV4_ONLY:
        case O_IPV6_ONLY:
            if (cli_parse_family(&c->ck.families, ch == O_IPV6_ONLY, &err) != STC_OK) {
                complain(err.msg, NULL);
                return CLI_EXIT_USAGE;
            }
            break;
        case O_HELP: c->help = 1; return 0;
        default:
            complain("unknown option or missing argument", name);
            return CLI_EXIT_USAGE;
        bad:
            complain(name, "invalid value");
            return CLI_EXIT_USAGE;
        }
    }
    if (c->worker) {
        if (optind != argc) {
            complain("a worker takes no FILE (its domains come from --db)", NULL);
            return CLI_EXIT_USAGE;
        }
        return 0;
    }
    if (optind != argc - 1) {
        complain("give one input FILE (or - for stdin)", NULL);
        return CLI_EXIT_USAGE;
    }
    c->input = argv[optind];
    return 0;
}

/* The config of the checker options; on failure say which option. */
static int make_config(const struct scan_cli *c, struct stc_config **out)
{
    struct stc_err err = {0};
    const char *what = NULL;
    stc_rc rc = cli_config_build(&c->ck, out, &what, &err);
    if (rc != STC_OK) {
        complain(what, err.msg[0] ? err.msg : stc_rc_name(rc));
        return cli_exit_for(rc);
    }
    return 0;
}

/* ---- progress ---- */

struct progress {
    int tty;
    long period_ms; /* 0: off */
    int64_t last_ms;
    int drawn;
};

static void fmt_dur(char *out, size_t n, double s)
{
    if (s < 0 || s > 1e7)
        snprintf(out, n, "--:--");
    else if (s >= 3600)
        snprintf(out, n, "%d:%02d:%02d", (int)s / 3600, ((int)s / 60) % 60, (int)s % 60);
    else
        snprintf(out, n, "%02d:%02d", (int)s / 60, (int)s % 60);
}

static void draw(struct progress *pr, const struct stc_scan_progress *p, int final)
{
    double secs = (double)p->elapsed_ms / 1000.0;
    double rate = secs > 0 ? (double)p->done / secs : 0;
    uint64_t finished = p->done + p->resumed + p->rejected + p->duplicates;
    char eta[32] = "--:--";
    if (p->total > finished && rate > 0)
        fmt_dur(eta, sizeof eta, (double)(p->total - finished) / rate);
    char el[32];
    fmt_dur(el, sizeof el, secs);
    if (pr->tty) {
        char bar[31];
        int fill = p->total ? (int)(30.0 * (double)finished / (double)p->total) : 0;
        if (fill > 30)
            fill = 30;
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        char tot[32];
        if (p->total)
            snprintf(tot, sizeof tot, "%" PRIu64, p->total);
        else
            snprintf(tot, sizeof tot, "?");
        fprintf(stderr,
                "\r[%s] %" PRIu64 "/%s %.1f/s ETA %s err %" PRIu64 " live %" PRIu64 "\033[K", bar,
                finished, tot, rate, eta, p->errors, p->in_flight);
        if (final)
            fputc('\n', stderr);
    } else {
        fprintf(stderr,
                PROG ": %s elapsed, %" PRIu64 " done, %" PRIu64 " skipped, %" PRIu64
                     " rejected, %" PRIu64 " of %" PRIu64 " lines, %.1f/s, ETA %s, %" PRIu64
                     " errors, %" PRIu64 " in flight\n",
                el, p->done, p->resumed + p->duplicates, p->rejected, p->lines, p->total, rate, eta,
                p->errors, p->in_flight);
    }
    pr->drawn = 1;
}

static int on_tick(void *ctx, const struct stc_scan_progress *p)
{
    struct progress *pr = ctx;
    if (pr->period_ms > 0 && p->elapsed_ms - pr->last_ms >= pr->period_ms) {
        pr->last_ms = p->elapsed_ms;
        draw(pr, p, 0);
    }
    if (interrupts >= 2)
        return STC_SCAN_CANCEL;
    if (interrupts == 1)
        return STC_SCAN_STOP;
    return STC_SCAN_GO;
}

/* ---- main ---- */

static int exit_for(stc_rc rc)
{
    switch (rc) {
    case STC_OK: return 0;
    case STC_E_INTERRUPTED: return CLI_SCAN_EXIT_INTERRUPTED;
    case STC_E_IO: return CLI_SCAN_EXIT_IO;
    case STC_E_INVAL:
    case STC_E_PARSE: return CLI_EXIT_USAGE;
    case STC_E_NOTFOUND: return CLI_SCAN_EXIT_NOSCAN;
    default: return CLI_EXIT_INTERNAL;
    }
}

static char *with_suffix(const char *path, const char *suffix)
{
    size_t n = strlen(path) + strlen(suffix) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s", path, suffix);
    return s;
}

static int write_aggregate(const struct scan_cli *c, const struct stc_scan_stats *st,
                           int json_on_stdout)
{
    struct stc_err err = {0};
    if (c->aggregate && stc_scan_stats_print(st, json_on_stdout ? stderr : stdout, &err) != STC_OK)
        return CLI_SCAN_EXIT_IO;
    if (c->aggregate_json) {
        FILE *f = stdout;
        if (strcmp(c->aggregate_json, "-") != 0) {
            int fd = open(c->aggregate_json, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            f = fd >= 0 ? fdopen(fd, "w") : NULL;
            if (f == NULL && fd >= 0)
                close(fd);
        }
        if (f == NULL) {
            complain(c->aggregate_json, strerror(errno));
            return CLI_SCAN_EXIT_IO;
        }
        stc_rc rc = stc_scan_stats_json(st, f, &err);
        if (f != stdout && fclose(f) != 0)
            rc = STC_E_IO;
        if (rc != STC_OK) {
            complain(c->aggregate_json, "write error");
            return CLI_SCAN_EXIT_IO;
        }
    }
    return 0;
}

/* As the library decides (src/store/store.c store_is_pg): a URI or a libpq key=value string. */
static int is_pg(const char *db)
{
    static const char *const prefixes[] = {"postgresql://", "postgres://", "host=",
                                           "dbname=",       "service=",    "user="};
    for (size_t i = 0; db != NULL && i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(db, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

/* scan --enqueue: the list into the jobs table. */
static int enqueue(const struct scan_cli *c, int fd)
{
    struct stc_err err = {0};
    struct stc_scan_enqueued q;
    stc_rc rc = stc_scan_enqueue(c->so.db, c->so.name, fd, c->so.column, c->so.resume, &q, &err);
    if (rc != STC_OK) {
        complain(err.msg[0] ? err.msg : stc_rc_name(rc), NULL);
        return exit_for(rc);
    }
    fprintf(stderr,
            PROG ": enqueued: %" PRIu64 " input lines: %" PRIu64 " jobs added, %" PRIu64
                 " duplicates, %" PRIu64 " rejected lines (rejects table)\n",
            q.lines, q.added, q.duplicates, q.rejected);
    return 0;
}

static int scan_main(int argc, char **argv, int worker)
{
    struct scan_cli c;
    struct stc_err err = {0};
    struct stc_config *cfg = NULL;
    struct stc_scan *scan = NULL;
    struct sigaction sa, old_int, old_term;
    int fd = -1, code = 0, handlers = 0;
    char *rejects = NULL;

    memset(&c, 0, sizeof c);
    stc_scan_opts_init(&c.so);
    c.progress_s = -1;
    /* A scan trusts a validating resolver on loopback unless told otherwise. */
    c.ck.dnssec = "auto";
    c.worker = worker;
    code = parse_args(argc, argv, &c);
    if (code != 0 || c.help) {
        if (c.help)
            cli_scan_usage(stdout);
        else
            fprintf(stderr, "Try 'starttls-check %s --help'.\n", worker ? "worker" : "scan");
        return code;
    }
    if ((worker || c.enqueue || c.so.name) && !is_pg(c.so.db)) {
        complain(worker ? "a worker needs --db postgresql://..."
                        : "--enqueue and --name need --db postgresql://...",
                 NULL);
        return CLI_EXIT_USAGE;
    }
    if (worker) {
        c.so.worker = 1;
        if (c.so.name == NULL) {
            if (stc_scan_pick(c.so.db, c.picked, sizeof c.picked, &err) != STC_OK) {
                complain(err.msg[0] ? err.msg : stc_rc_name(err.code), NULL);
                return err.code == STC_E_NOTFOUND ? 0 : exit_for(err.code);
            }
            c.so.name = c.picked;
        }
    }
    if (c.so.output == NULL && c.so.db == NULL && !c.aggregate && c.aggregate_json == NULL)
        c.so.output = "-";
    int json_on_stdout = c.so.output != NULL && strcmp(c.so.output, "-") == 0;
    if (c.so.rejects == NULL && (worker || is_pg(c.so.db)) &&
        (c.so.output == NULL || json_on_stdout)) {
        /* PostgreSQL: nothing to log for a worker; a direct scan counts them */
    } else if (c.so.rejects == NULL) {
        if (c.so.output != NULL && !json_on_stdout)
            rejects = with_suffix(c.so.output, ".rejects");
        else if (c.so.db != NULL)
            rejects = with_suffix(c.so.db, ".rejects");
        c.so.rejects = rejects ? rejects : "-";
    }

    if (worker) {
        fd = -1;
    } else if (strcmp(c.input, "-") == 0) {
        fd = STDIN_FILENO;
    } else {
        fd = open(c.input, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            complain(c.input, strerror(errno));
            code = CLI_SCAN_EXIT_IO;
            goto out;
        }
    }
    if (c.enqueue) {
        code = enqueue(&c, fd);
        goto out;
    }
    code = make_config(&c, &cfg);
    if (code != 0)
        goto out;

    struct progress pr = {0};
    pr.tty = isatty(STDERR_FILENO);
    long ps = c.progress_s < 0 ? (pr.tty ? 1 : DEFAULT_PROGRESS_S) : c.progress_s;
    pr.period_ms = pr.tty && ps > 0 ? 250 : ps * 1000;
    c.so.tick = on_tick;
    c.so.tick_ctx = &pr;

    if (stc_scan_new(cfg, &c.so, &scan, &err) != STC_OK) {
        complain(err.msg[0] ? err.msg : stc_rc_name(err.code), NULL);
        code = exit_for(err.code);
        goto out;
    }
    stc_config_free(cfg);
    cfg = NULL;

    interrupts = 0;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    handlers = 1;

    stc_rc rc = worker ? stc_scan_work(scan, &err) : stc_scan_run(scan, fd, &err);
    struct stc_scan_progress fin;
    struct stc_scan_stats st;
    stc_scan_get_stats(scan, &st);
    if (pr.period_ms > 0 || rc != STC_OK) {
        memset(&fin, 0, sizeof fin);
        fin.total = st.lines;
        fin.lines = st.lines;
        fin.done = st.attempted;
        fin.resumed = st.resumed;
        fin.rejected = st.rejected;
        fin.duplicates = st.duplicates;
        fin.errors = st.status[3] + st.status[5] + st.check_errors;
        fin.elapsed_ms = st.elapsed_ms;
        if (pr.tty && pr.drawn)
            draw(&pr, &fin, 1);
    }
    fprintf(
        stderr,
        PROG ": %s: %" PRIu64 " input lines: %" PRIu64 " domains checked, %" PRIu64
             " skipped (resume), %" PRIu64
             " duplicates, %" PRIu64 " rejected lines%s%s%s, %" PRIu64 " check errors (status 3), %.1f s\n",
        rc == STC_E_INTERRUPTED ? "interrupted"
        : rc == STC_OK          ? "done"
                                : "failed",
        st.lines, st.attempted, st.resumed, st.duplicates, st.rejected,
        st.rejected + st.duplicates ? " (see " : "",
        st.rejected + st.duplicates
            ? (c.so.rejects == NULL ? "nowhere" : strcmp(c.so.rejects, "-") ? c.so.rejects : "stderr")
            : "",
        st.rejected + st.duplicates ? ")" : "", st.check_errors, (double)st.elapsed_ms / 1000.0);
    if (rc != STC_OK && rc != STC_E_INTERRUPTED)
        complain(err.msg[0] ? err.msg : stc_rc_name(rc), NULL);
    code = exit_for(rc);
    int acode = write_aggregate(&c, &st, json_on_stdout);
    if (code == 0)
        code = acode;
    if (json_on_stdout && fflush(stdout) != 0 && code == 0)
        code = CLI_SCAN_EXIT_IO;
out:
    if (handlers) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
    }
    stc_scan_free(scan);
    stc_config_free(cfg);
    if (fd > STDIN_FILENO)
        close(fd);
    free(rejects);
    return code;
}

int cli_scan_main(int argc, char **argv)
{
    return scan_main(argc, argv, 0);
}

int cli_worker_main(int argc, char **argv)
{
    return scan_main(argc, argv, 1);
}
