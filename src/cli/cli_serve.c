/*
 * NAME
 *     cli_serve - `starttls-check serve`: options, signals, the service's life
 * SYNOPSIS
 *     starttls-check serve [--listen ADDR:PORT] [--db FILE] [--allow-private] ...
 * DESCRIPTION
 *     Parses the options into struct stc_serve_opts and the checker's
 *     struct cli_checker_opts (default --timeout 10 s), builds the config
 *     with cli_config_build (cli_config.c), blocks SIGTERM, SIGINT and SIGPIPE in every thread
 *     (the service's threads inherit the mask), starts the service
 *     (stc_serve_start), prints "serve: listening on ADDR port N" and
 *     waits in sigwait. On SIGTERM or SIGINT: stc_serve_stop (no new
 *     connection, queued checks cancelled, running ones finish within
 *     their deadline and are stored), "serve: stopped", exit 0.
 *     Public API only (include/starttls/serve.h).
 * DIAGNOSTICS
 *     Exit 64 for a usage error, 74 when the address or database cannot be
 *     used, 70 for an internal error.
 */
#include "cli_serve.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <starttls/starttls.h>

#include "../util/num.h"
#include "cli_config.h"
#include "cli_options.h"
#include "cli_output.h"
#include "cli_scan.h"

enum {
    O_LISTEN = 1000, O_DB, O_ALLOW_PRIVATE, O_MAX_CHECKS, O_QUEUE, O_RATE, O_CACHE, O_MAX_CONNS,
    O_RESOLVER, O_TRUST_ANCHOR, O_CA_FILE, O_CA_PATH, O_TIMEOUT, O_HELO, O_PORT, O_HTTPS_PORT
};

static const struct option opts[] = {
    {"listen", required_argument, NULL, O_LISTEN},
    {"db", required_argument, NULL, O_DB},
    {"allow-private", no_argument, NULL, O_ALLOW_PRIVATE},
    {"max-checks", required_argument, NULL, O_MAX_CHECKS},
    {"queue", required_argument, NULL, O_QUEUE},
    {"rate", required_argument, NULL, O_RATE},
    {"cache", required_argument, NULL, O_CACHE},
    {"max-connections", required_argument, NULL, O_MAX_CONNS},
    {"resolver", required_argument, NULL, O_RESOLVER},
    {"trust-anchor", required_argument, NULL, O_TRUST_ANCHOR},
    {"ca-file", required_argument, NULL, O_CA_FILE},
    {"ca-path", required_argument, NULL, O_CA_PATH},
    {"timeout", required_argument, NULL, O_TIMEOUT},
    {"helo", required_argument, NULL, O_HELO},
    {"port", required_argument, NULL, O_PORT},
    {"https-port", required_argument, NULL, O_HTTPS_PORT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

void cli_serve_usage(FILE *out)
{
    fputs("Usage: starttls-check serve [OPTIONS]\n"
          "\n"
          "A web page and a JSON API (/api/v1/, docs/openapi.yaml) that check mail\n"
          "domains; safe to expose: it never connects to private, loopback,\n"
          "link-local, CGNAT, multicast, reserved, documentation or cloud metadata\n"
          "addresses, limits each client's rate and the checks at once.\n"
          "\n"
          "Options:\n"
          "  --listen ADDR:PORT     where to listen, [ADDR6]:PORT for IPv6\n"
          "                         (default: 127.0.0.1:8025; port 0: any free port)\n"
          "  --db FILE|URI          SQLite database of finished checks, or a\n"
          "                         PostgreSQL URI postgresql://... (default:\n"
          "                         starttls-serve.db)\n"
          "  --allow-private        also connect to private and loopback addresses\n"
          "                         (test worlds only; default: refused, reported)\n"
          "  --max-checks N         checks running at once, 1..256 (default: 4)\n"
          "  --queue N              checks waiting for a free checker (default: 64);\n"
          "                         more get 503\n"
          "  --rate N               new checks per client address per minute\n"
          "                         (default: 10; 0: no limit); more get 429\n"
          "  --cache SECONDS        a domain asked again within this gets the same\n"
          "                         check (default: 300)\n"
          "  --max-connections N    HTTP connections at once (default: 512)\n"
          "  --timeout SECONDS      time budget per MX host (default: 10)\n"
          "  --resolver ADDR[@PORT] --trust-anchor FILE --ca-file FILE --ca-path DIR\n"
          "  --helo NAME --port N --https-port N   as for a single check\n"
          "\n"
          "SIGTERM or SIGINT: stop accepting, cancel queued checks, let running\n"
          "ones finish within their deadline, exit 0.\n",
          out);
}

static int num_opt(const char *arg, const char *name, long lo, long hi, unsigned *out)
{
    long v = 0;
    if (num_long(arg, lo, hi, &v) != 0) {
        fprintf(stderr, "starttls-check serve: %s wants a number from %ld to %ld\n", name, lo, hi);
        return 0;
    }
    *out = (unsigned)v;
    return 1;
}

#define TRY(call)                                                                                  \
    do {                                                                                           \
        if ((call) != STC_OK)                                                                      \
            goto bad;                                                                              \
    } while (0)

int cli_serve_main(int argc, char **argv)
{
    struct stc_serve_opts so;
    struct stc_config *cfg = NULL;
    struct stc_serve *srv = NULL;
    struct stc_err err = {STC_OK, ""};
    struct cli_checker_opts ck = {.timeout_ms = 10000}; /* serve's default: 10 s per MX host */
    int code = CLI_EXIT_USAGE, ch;
    stc_serve_opts_init(&so);
    optind = 1;
    opterr = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case O_LISTEN: so.listen = optarg; break;
        case O_DB: so.db = optarg; break;
        case O_ALLOW_PRIVATE: so.allow_private = 1; break;
        case O_MAX_CHECKS:
            if (!num_opt(optarg, "--max-checks", 1, 256, &so.max_running))
                goto out;
            break;
        case O_QUEUE:
            if (!num_opt(optarg, "--queue", 0, 256, &so.queue_max))
                goto out;
            break;
        case O_RATE:
            if (!num_opt(optarg, "--rate", 0, 100000, &so.rate_per_min))
                goto out;
            break;
        case O_CACHE:
            if (!num_opt(optarg, "--cache", 0, 86400, &so.cache_s))
                goto out;
            break;
        case O_MAX_CONNS:
            if (!num_opt(optarg, "--max-connections", 1, 65536, &so.max_conns))
                goto out;
            break;
        case O_RESOLVER: ck.resolver = optarg; break;
        case O_TRUST_ANCHOR: ck.trust_anchor = optarg; break;
        case O_CA_FILE: ck.ca_file = optarg; break;
        case O_CA_PATH: ck.ca_path = optarg; break;
        case O_HELO: ck.helo = optarg; break;
        case O_TIMEOUT: TRY(cli_parse_timeout(optarg, &ck.timeout_ms, &err)); break;
        case O_PORT: TRY(cli_parse_port(optarg, "--port", &ck.port, &err)); break;
        case O_HTTPS_PORT: TRY(cli_parse_port(optarg, "--https-port", &ck.https_port, &err)); break;
        case 'h':
            cli_serve_usage(stdout);
            code = 0;
            goto out;
        default: cli_serve_usage(stderr); goto out;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "starttls-check serve: unexpected argument\n");
        goto out;
    }
    const char *what = NULL;
    stc_rc rc = cli_config_build(&ck, &cfg, &what, &err);
    if (rc != STC_OK) {
        fprintf(stderr, "starttls-check serve: %s: %s\n", what,
                err.msg[0] ? err.msg : stc_rc_name(rc));
        code = cli_exit_for(rc);
        goto out;
    }

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    rc = stc_serve_start(&so, cfg, &srv, &err);
    if (rc != STC_OK) {
        fprintf(stderr, "starttls-check serve: %s\n", err.msg);
        code = rc == STC_E_INVAL ? CLI_EXIT_USAGE : rc == STC_E_IO ? CLI_SCAN_EXIT_IO
                                                                   : CLI_EXIT_INTERNAL;
        goto out;
    }
    printf("serve: listening on %s port %d%s\n", so.listen, stc_serve_port(srv),
           so.allow_private ? " (private addresses allowed)" : "");
    fflush(stdout);
    sigdelset(&set, SIGPIPE);
    int sig = 0;
    while (sigwait(&set, &sig) != 0)
        ;
    printf("serve: signal %d, stopping\n", sig);
    fflush(stdout);
    stc_serve_stop(srv);
    printf("serve: stopped\n");
    code = 0;
    goto out;
bad:
    fprintf(stderr, "starttls-check serve: %s\n", err.msg);
out:
    stc_config_free(cfg);
    return code;
}
