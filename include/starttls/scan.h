/* scan.h - bulk scans: a domain list in, JSON Lines / SQLite / statistics out.
 *
 * A scan reads a list of domains (CSV "rank,domain", one per line, or a
 * chosen column), checks them with a pool of worker threads sharing one
 * checker, a single-flight host cache and a per-IP connection cap, and
 * streams each domain's result to its outputs as it finishes. Memory stays
 * nearly flat in the number of domains (bounded queues, capped cache; only
 * the input domain names are kept, exactly, for duplicates and resume).
 *
 * Typical use (the `starttls-check scan` command):
 *     struct stc_scan_opts o; stc_scan_opts_init(&o);   // sets o.size: always call it
 *     o.output = "out.jsonl"; o.db = "scan.db"; o.resume = 1;
 *     stc_scan_new(cfg, &o, &scan, &err);
 *     rc = stc_scan_run(scan, fd, &err);      // STC_E_INTERRUPTED when stopped
 *     stc_scan_get_stats(scan, &stats);
 *     stc_scan_free(scan);
 */
#ifndef STARTTLS_SCAN_H
#define STARTTLS_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "checker.h"
#include "error.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STC_SCAN_DEFAULT_THREADS 256 /* see docs/scan.md for the measurements */
#define STC_SCAN_DEFAULT_STACK (256 * 1024)
#define STC_SCAN_DEFAULT_PER_IP 2 /* see docs/scan.md, "Scanning the Internet politely" */
#define STC_SCAN_DEFAULT_CACHE_TTL_S 3600
#define STC_SCAN_DEFAULT_CACHE_MAX 65536
#define STC_SCAN_DEFAULT_RETRY_DELAY_MS 2000
#define STC_SCAN_MAX_THREADS 4096
#define STC_SCAN_DEFAULT_LEASE_S 60

/** How hard to stop (stc_scan_stop, or the tick callback's return value). */
enum stc_scan_stop_level {
    STC_SCAN_GO = 0,
    STC_SCAN_STOP = 1,  /**< read no more; domains in flight finish and are written */
    STC_SCAN_CANCEL = 2 /**< also refuse new connections; unfinished domains are not written */
};

/*
 * Growing structs: stc_scan_progress, stc_scan_opts and stc_scan_stats start
 * with `size`, the sizeof the struct as the side that filled it knew it.
 * New members are only ever appended; the library reads and writes no byte
 * past the caller's size, so a program built against an older header keeps
 * working with a newer library (and reads a newer library's structs up to
 * its own size). stc_scan_opts_init and stc_scan_get_stats are macros that
 * pass the caller's sizeof.
 */

/** Progress counters, passed to the tick callback (size: the library's sizeof). */
struct stc_scan_progress {
    size_t size;       /**< sizeof(struct stc_scan_progress) in the library: check it before
                            reading a member newer than the library may be */
    uint64_t total;    /**< data lines in the input (0: unknown, e.g. stdin) */
    uint64_t lines;    /**< data lines read so far */
    uint64_t done;     /**< domains checked and written */
    uint64_t resumed;  /**< skipped: already in the outputs (--resume) */
    uint64_t rejected; /**< bad lines (see the reject log) */
    uint64_t duplicates;
    uint64_t errors;      /**< domains with status error/could-not-connect, and failed checks */
    uint64_t in_flight;   /**< being checked now */
    uint64_t connections; /**< SMTP connections made */
    int64_t elapsed_ms;
};

/**
 * Called from the thread running stc_scan_run about every tick_ms.
 * Returns an enum stc_scan_stop_level: STC_SCAN_GO to carry on.
 */
typedef int (*stc_scan_tick_fn)(void *ctx, const struct stc_scan_progress *p);

struct stc_scan_opts {
    size_t size;           /**< set by stc_scan_opts_init; stc_scan_new refuses 0 */
    unsigned threads;      /**< worker threads; 0: STC_SCAN_DEFAULT_THREADS */
    size_t stack_size;     /**< per worker; 0: STC_SCAN_DEFAULT_STACK */
    unsigned per_ip;       /**< simultaneous SMTP connections per IP; 0: default */
    long cache_ttl_s;      /**< host cache lifetime; <0: default; 0: no host cache */
    size_t cache_max;      /**< host cache entries; 0: default */
    size_t queue_size;     /**< reader->worker queue; 0: 2 * threads */
    int column;            /**< -1: auto (rank,domain or one name); else 0-based CSV column */
    long retry_delay_ms;   /**< back-off before retrying a host that answered 421; <0: default */
    /* The strings are borrowed: stc_scan_new copies them. */
    const char *output;    /**< JSON Lines file; "-": stdout; NULL: none */
    const char *db;        /**< SQLite file, or PostgreSQL "postgresql://..."; NULL: none */
    const char *rejects;   /**< reject log file; "-": stderr; NULL: none (still counted) */
    int resume;            /**< skip domains already in db/output; else outputs start empty */
    int fresh;             /**< ignore the host results stored in db (still store new ones) */
    const char *exclude;   /**< opt-out file: domains, addresses, CIDR ranges; NULL: none */
    unsigned rate;         /**< new SMTP connections per second, whole scan; 0: no cap */
    long tick_ms;          /**< tick period; 0: 200 */
    stc_scan_tick_fn tick; /**< may be NULL */
    void *tick_ctx;
    /* PostgreSQL (docs/distributed.md); the strings are borrowed like the others. */
    const char *name;      /**< PostgreSQL: the scan's name (many scans share a database);
                                NULL: "default" */
    long lease_s;          /**< worker: seconds a claimed job is held without a heartbeat;
                                0: STC_SCAN_DEFAULT_LEASE_S */
    unsigned batch;        /**< worker: jobs claimed at once; 0: about 2 x threads */
    const char *worker_id; /**< worker: its name in the jobs table; NULL: host:pid */
    int worker;            /**< made for stc_scan_work: the scan's rows are kept as they are */
};

/** Aggregate statistics (the original's AggregatedScan and more). */
struct stc_scan_stats {
    size_t size; /**< set by stc_scan_get_stats: the bytes it filled */
    /* input */
    uint64_t lines, rejected, duplicates, resumed;
    /* domains (this run) */
    uint64_t attempted;    /**< domains checked and written */
    uint64_t check_errors; /**< checks that failed outright (recorded with status 3) */
    uint64_t excluded;     /**< input domains on the --exclude list (recorded, not checked) */
    uint64_t with_mx;      /**< MX hosts found (or implicit MX) */
    uint64_t null_mx;
    uint64_t mtasts_testing, mtasts_enforce; /**< policy mode of domains with a policy */
    uint64_t mtasts_valid;                   /**< MTA-STS check success or warning */
    uint64_t tlsrpt;                         /**< valid TLS-RPT record */
    uint64_t connected;                      /**< at least one MX host connected */
    uint64_t starttls_all;                   /**< every connected MX host did STARTTLS */
    uint64_t valid_cert_all;                 /**< every connected MX host had a valid certificate */
    uint64_t dane_some, dane_all;            /**< DANE authenticated some / every MX host */
    uint64_t status[7];                      /**< domain status code distribution */
    /* unique MX hosts (each counted once, when first seen) */
    uint64_t unique_hosts, hosts_connected, hosts_starttls, hosts_valid_cert;
    uint64_t hosts_weak_cipher; /**< cipher check warning or worse */
    uint64_t hosts_dane;        /**< DANE authenticated */
    uint64_t tls_versions[5];   /**< negotiated TLSv1.3, TLSv1.2, TLSv1.1, TLSv1, other */
    /* work */
    uint64_t connections;      /**< SMTP connections made (per-IP gate grants) */
    uint64_t host_checks;      /**< host checks run (cache misses) */
    uint64_t cache_hits;       /**< host results reused */
    uint64_t throttle_retries; /**< hosts retried after a 421 */
    int64_t elapsed_ms;
};

struct stc_scan;

/** Defaults into o, and o->size = size (pass sizeof *o: use the macro). */
STC_EXPORT void stc_scan_opts_init_size(struct stc_scan_opts *o, size_t size);
#define stc_scan_opts_init(o) stc_scan_opts_init_size((o), sizeof *(o))

/**
 * Make a scan: opens/creates the outputs (reading them first for --resume),
 * installs the host cache and the per-IP gate into cfg (stc_config_set_host_check,
 * stc_config_set_connect_gate; any hook set before is replaced) and makes the
 * scan's checker from it. cfg and o (and o's strings) may be freed afterwards.
 * *out is owned by the caller: stc_scan_free.
 * STC_E_INVAL for bad options (also o->size 0: stc_scan_opts_init was not
 * called), STC_E_IO for files, STC_E_NOMEM.
 */
STC_EXPORT stc_rc stc_scan_new(struct stc_config *cfg, const struct stc_scan_opts *o,
                               struct stc_scan **out, struct stc_err *err);

/**
 * Read domains from fd (not closed) until EOF and check them all; returns
 * when every result is written and committed. STC_E_INTERRUPTED when stopped
 * (outputs are still consistent and closed cleanly), STC_E_IO for a read or
 * write error. Call once per scan.
 */
STC_EXPORT stc_rc stc_scan_run(struct stc_scan *s, int fd, struct stc_err *err);

/** Ask a running scan to stop (enum stc_scan_stop_level). Async-signal-safe. */
STC_EXPORT void stc_scan_stop(struct stc_scan *s, int level);

/** Statistics so far (final after stc_scan_run): at most size bytes of out are
 * written, out->size says how many (pass sizeof *out: use the macro). */
STC_EXPORT void stc_scan_get_stats_size(struct stc_scan *s, struct stc_scan_stats *out,
                                        size_t size);
#define stc_scan_get_stats(s, out) stc_scan_get_stats_size((s), (out), sizeof *(out))

/** The statistics as a table / as one JSON object (members past st->size count as 0).
 * STC_E_IO on a write error. */
STC_EXPORT stc_rc stc_scan_stats_print(const struct stc_scan_stats *st, FILE *out,
                                       struct stc_err *err);
STC_EXPORT stc_rc stc_scan_stats_json(const struct stc_scan_stats *st, FILE *out,
                                      struct stc_err *err);

STC_EXPORT void stc_scan_free(struct stc_scan *s);

/* ---- Many machines, one PostgreSQL database (docs/distributed.md) ---- */

/** What stc_scan_enqueue did with the list. */
struct stc_scan_enqueued {
    uint64_t lines;      /**< data lines read */
    uint64_t added;      /**< jobs added (a domain queued before is not queued again) */
    uint64_t rejected;   /**< bad lines, recorded in the rejects table */
    uint64_t duplicates; /**< repeated domains in the list, recorded as rejects */
};

/**
 * Load the list on fd into the jobs table of scan `name` of PostgreSQL
 * database db (COPY). Without resume the scan starts empty (its results,
 * jobs and rejects are deleted); with it, domains are added to it.
 * STC_E_INVAL (not PostgreSQL, bad name), STC_E_IO, STC_E_NOMEM.
 */
STC_EXPORT stc_rc stc_scan_enqueue(const char *db, const char *name, int fd, int column,
                                   int resume, struct stc_scan_enqueued *out,
                                   struct stc_err *err);

/**
 * Run a scan made by stc_scan_new (opts.db PostgreSQL, opts.name the scan)
 * as a worker: claim jobs in batches (FOR UPDATE SKIP LOCKED) under a lease
 * renewed by a heartbeat, check them, write each domain and mark its job
 * done in one transaction. Returns when no job is left (the leases of
 * other workers' jobs are waited out: a dead worker's jobs are done here),
 * or STC_E_INTERRUPTED when stopped (held jobs are given back).
 */
STC_EXPORT stc_rc stc_scan_work(struct stc_scan *s, struct stc_err *err);

/** The oldest scan in db with jobs left (for a worker without --name). STC_E_NOTFOUND. */
STC_EXPORT stc_rc stc_scan_pick(const char *db, char *name, size_t n, struct stc_err *err);

/** Progress of a distributed scan across all workers. */
struct stc_scan_status {
    size_t size;        /**< set by stc_scan_status_get: the bytes it filled */
    uint64_t jobs;      /**< jobs enqueued */
    uint64_t queued;    /**< waiting */
    uint64_t in_flight; /**< claimed under a live lease */
    uint64_t expired;   /**< claimed, lease ran out (back to the queue at the next claim) */
    uint64_t done;      /**< jobs done */
    uint64_t failed;    /**< claimed STC_SCAN_MAX_ATTEMPTS times without a result */
    uint64_t rejected;  /**< bad or duplicate input lines */
    uint64_t recorded;  /**< domains with results (also from a direct scan) */
    uint64_t errors;    /**< recorded with status error or could-not-connect */
    unsigned workers;   /**< distinct workers holding live leases */
    double rate;        /**< domains per second over the last minute */
    int64_t eta_s;      /**< seconds to finish at that rate; -1: unknown */
    int64_t elapsed_s;  /**< since the scan was created */
};
#define STC_SCAN_MAX_ATTEMPTS 5

/** Progress of scan `name` in db: at most size bytes of out are written (pass sizeof
 *  *out: use the macro). STC_E_NOTFOUND (no such scan), STC_E_IO. */
STC_EXPORT stc_rc stc_scan_status_get_size(const char *db, const char *name,
                                           struct stc_scan_status *out, size_t size,
                                           struct stc_err *err);
#define stc_scan_status_get(db, name, out, err)                                                  \
    stc_scan_status_get_size((db), (name), (out), sizeof *(out), (err))
/** Aggregate statistics of scan `name` computed in SQL over its recorded domains (at most
 *  size bytes of out written, as stc_scan_get_stats). */
STC_EXPORT stc_rc stc_scan_db_stats_size(const char *db, const char *name,
                                         struct stc_scan_stats *out, size_t size,
                                         struct stc_err *err);
#define stc_scan_db_stats(db, name, out, err)                                                    \
    stc_scan_db_stats_size((db), (name), (out), sizeof *(out), (err))
/** Write every recorded domain of scan `name` as JSON Lines (input order). */
STC_EXPORT stc_rc stc_scan_export(const char *db, const char *name, FILE *out,
                                  struct stc_err *err);

#ifdef __cplusplus
}
#endif
#endif
