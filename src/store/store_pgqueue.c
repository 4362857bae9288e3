/*
 * NAME
 *     store_pgqueue - the PostgreSQL work queue, progress, export, shared host cache, locks
 * SYNOPSIS
 *     store_enqueue_begin(st, err); store_enqueue_job(st, "a.example", 1, err); ...
 *     store_enqueue_end(st, &added, err);
 *     store_claim(st, worker, lease_s, 64, on_job, ctx, &n, err);
 *     store_heartbeat(st, worker, lease_s, err);
 *     store_status(st, &status, err); store_aggregate(st, &stats, err); store_export(st, f, err);
 * DESCRIPTION
 *     Enqueue COPYs the list into a temporary table, then moves it into
 *     jobs in the same transaction (a domain already queued for the scan
 *     stays as it is) and the bad lines into rejects. A claim is one
 *     statement: the first max jobs by line number that are queued or
 *     whose lease ran out, locked with FOR UPDATE SKIP LOCKED (workers
 *     never wait for each other), leased to the worker; a job claimed
 *     STC_SCAN_MAX_ATTEMPTS times without a result becomes 'failed'. The
 *     heartbeat extends the leases a worker holds. Every statement here
 *     is one autocommitted statement, so pg_run may send it again after a
 *     reconnect; no transaction is ever open while a worker checks hosts.
 *     The advisory locks are session-level (pg_try_advisory_lock), also
 *     outside any transaction.
 * LIMITS
 *     COPY lines are escaped (backslash, tab, newline); names are already
 *     validated by the input reader.
 * DIAGNOSTICS
 *     STC_E_INVAL on a SQLite store; STC_E_IO with the server's message;
 *     STC_E_NOTFOUND (no such scan / host row); STC_E_NOMEM.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../util/err.h"
#include "store_pg_int.h"
#include "store_queue.h"

void store_set_worker(struct store *st, const char *worker)
{
    struct pgstore *p = NULL;
    if (pg_of(st, &p, NULL) == STC_OK)
        snprintf(p->worker, sizeof p->worker, "%s", worker);
}

stc_rc store_enqueue_begin(struct store *st, struct stc_err *err)
{
    struct pgstore *p = NULL;
    char m[STC_ERR_MSG_MAX];
    stc_rc rc = pg_of(st, &p, err);
    if (rc != STC_OK)
        return rc;
    rc = pg_run(p,
                "BEGIN; CREATE TEMP TABLE stc_enq(kind text, lineno bigint, domain text,"
                " reason text) ON COMMIT DROP",
                0, NULL, NULL, err);
    if (rc != STC_OK)
        return rc;
    PGresult *r = PQexec(p->c, "COPY stc_enq FROM STDIN");
    int ok = PQresultStatus(r) == PGRES_COPY_IN;
    PQclear(r);
    return ok ? STC_OK : err_set(err, STC_E_IO, "postgresql: %s", pg_msg(p->c, m, sizeof m));
}

/* One COPY text field: backslash, tab, CR and LF escaped. */
static stc_rc field(struct buf *b, const char *s, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    for (; rc == STC_OK && *s; s++) {
        const char *e = *s == '\\' ? "\\\\" : *s == '\t' ? "\\t" : *s == '\n' ? "\\n"
                        : *s == '\r' ? "\\r" : NULL;
        rc = e ? buf_append_str(b, e, err) : buf_append(b, s, 1, err);
    }
    return rc;
}

static stc_rc copy_line(struct pgstore *p, const char *kind, uint64_t lineno, const char *domain,
                        const char *reason, struct stc_err *err)
{
    char m[STC_ERR_MSG_MAX], num[32];
    struct buf b;
    stc_rc rc = STC_OK;
    buf_init(&b, 8192);
    snprintf(num, sizeof num, "\t%" PRIu64 "\t", lineno);
    STC_GUARD(buf_append_str(&b, kind, err));
    STC_GUARD(buf_append_str(&b, num, err));
    STC_GUARD(field(&b, domain, err));
    STC_GUARD(buf_append_str(&b, "\t", err));
    STC_GUARD(reason ? field(&b, reason, err) : buf_append_str(&b, "\\N", err));
    STC_GUARD(buf_append_str(&b, "\n", err));
    STC_ENSURE(PQputCopyData(p->c, (const char *)b.data, (int)b.len) == 1, err, STC_E_IO,
               "postgresql: %s", pg_msg(p->c, m, sizeof m));
out:
    buf_free(&b);
    return rc;
}

stc_rc store_enqueue_job(struct store *st, const char *domain, uint64_t lineno,
                         struct stc_err *err)
{
    return copy_line((struct pgstore *)st, "j", lineno, domain, NULL, err);
}

stc_rc store_enqueue_reject(struct store *st, uint64_t lineno, const char *reason,
                            const char *text, struct stc_err *err)
{
    return copy_line((struct pgstore *)st, "r", lineno, text ? text : "", reason, err);
}

stc_rc store_enqueue_end(struct store *st, uint64_t *added, struct stc_err *err)
{
    struct pgstore *p = (struct pgstore *)st;
    char m[STC_ERR_MSG_MAX];
    stc_rc rc = STC_OK;
    PGresult *r = NULL;
    const char *v[1] = {p->scan_id_text};
    STC_ENSURE(PQputCopyEnd(p->c, NULL) == 1, err, STC_E_IO, "postgresql: %s",
               pg_msg(p->c, m, sizeof m));
    r = PQgetResult(p->c);
    STC_ENSURE(PQresultStatus(r) == PGRES_COMMAND_OK, err, STC_E_IO, "postgresql: %s",
               pg_msg(p->c, m, sizeof m));
    PQclear(r);
    r = NULL;
    while ((r = PQgetResult(p->c)) != NULL)
        PQclear(r);
    STC_GUARD(pg_run(p,
                     "INSERT INTO rejects(scan_id,lineno,reason,text) SELECT $1,lineno,reason,"
                     "domain FROM stc_enq WHERE kind='r' ON CONFLICT DO NOTHING",
                     1, v, NULL, err));
    STC_GUARD(pg_run(p,
                     "INSERT INTO jobs(scan_id,domain,lineno) SELECT $1,domain,min(lineno)"
                     " FROM stc_enq WHERE kind='j' GROUP BY domain ON CONFLICT DO NOTHING",
                     1, v, &r, err));
    *added = strtoull(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    r = NULL;
    STC_GUARD(pg_run(p, "COMMIT", 0, NULL, NULL, err));
out:
    PQclear(r);
    if (rc != STC_OK && PQtransactionStatus(p->c) != PQTRANS_IDLE)
        PQclear(PQexec(p->c, "ROLLBACK"));
    return rc;
}

stc_rc store_claim(struct store *st, const char *worker, long lease_s, unsigned max,
                   store_job_fn fn, void *ctx, unsigned *n, struct stc_err *err)
{
    struct pgstore *p = NULL;
    PGresult *r = NULL;
    char lease[24], lim[24], att[24];
    stc_rc rc = pg_of(st, &p, err);
    *n = 0;
    if (rc != STC_OK)
        return rc;
    snprintf(lease, sizeof lease, "%ld", lease_s);
    snprintf(lim, sizeof lim, "%u", max);
    snprintf(att, sizeof att, "%d", STC_SCAN_MAX_ATTEMPTS);
    const char *v[5] = {p->scan_id_text, worker, lease, lim, att};
    STC_GUARD(pg_run(
        p,
        "WITH c AS (SELECT scan_id, domain FROM jobs WHERE scan_id=$1 AND (state='queued' OR"
        " (state='claimed' AND lease_until<now())) ORDER BY lineno LIMIT $4"
        " FOR UPDATE SKIP LOCKED)"
        " UPDATE jobs j SET state=CASE WHEN j.attempts>=$5::int THEN 'failed' ELSE 'claimed' END,"
        " worker=$2, lease_until=now()+make_interval(secs=>$3::int), attempts=j.attempts+1,"
        " claimed_at=now() FROM c WHERE j.scan_id=c.scan_id AND j.domain=c.domain"
        " RETURNING j.domain, j.lineno, j.state",
        5, v, &r, err));
    for (int i = 0; i < PQntuples(r); i++) {
        if (strcmp(PQgetvalue(r, i, 2), "claimed") != 0)
            continue;
        STC_GUARD(fn(ctx, PQgetvalue(r, i, 0), strtoull(PQgetvalue(r, i, 1), NULL, 10), err));
        ++*n;
    }
out:
    PQclear(r);
    return rc;
}

stc_rc store_heartbeat(struct store *st, const char *worker, long lease_s, struct stc_err *err)
{
    struct pgstore *p = NULL;
    char lease[24];
    stc_rc rc = pg_of(st, &p, err);
    if (rc != STC_OK)
        return rc;
    snprintf(lease, sizeof lease, "%ld", lease_s);
    const char *v[3] = {p->scan_id_text, worker, lease};
    return pg_run(p,
                  "UPDATE jobs SET lease_until=now()+make_interval(secs=>$3::int)"
                  " WHERE scan_id=$1 AND worker=$2 AND state='claimed'",
                  3, v, NULL, err);
}

stc_rc store_release(struct store *st, const char *worker, struct stc_err *err)
{
    struct pgstore *p = NULL;
    stc_rc rc = pg_of(st, &p, err);
    if (rc != STC_OK)
        return rc;
    const char *v[2] = {p->scan_id_text, worker};
    return pg_run(p,
                  "UPDATE jobs SET state='queued', worker=NULL, lease_until=NULL,"
                  " attempts=greatest(attempts-1,0) WHERE scan_id=$1 AND worker=$2"
                  " AND state='claimed'",
                  2, v, NULL, err);
}

/* One number from a one-row, one-column query with the scan id as $1. */
static stc_rc count1(struct pgstore *p, const char *sql, uint64_t *out, struct stc_err *err)
{
    PGresult *r = NULL;
    const char *v[1] = {p->scan_id_text};
    stc_rc rc = pg_run(p, sql, 1, v, &r, err);
    if (rc == STC_OK)
        *out = PQntuples(r) == 1 ? strtoull(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    PQclear(r);
    return rc;
}

stc_rc store_jobs_left(struct store *st, uint64_t *left, struct stc_err *err)
{
    struct pgstore *p = NULL;
    stc_rc rc = pg_of(st, &p, err);
    if (rc != STC_OK)
        return rc;
    return count1(p, "SELECT count(*) FROM jobs WHERE scan_id=$1 AND state IN ('queued','claimed')",
                  left, err);
}

stc_rc store_pick_scan(const char *uri, char *name, size_t n, struct stc_err *err)
{
    struct store *st = NULL;
    struct store_opts o = {.keep = 1, .nameless = 1};
    PGresult *r = NULL;
    stc_rc rc = STC_OK;
    struct pgstore *p = NULL;
    STC_ENSURE(store_is_pg(uri), err, STC_E_INVAL,
               "this needs a PostgreSQL database (--db postgresql://...)");
    STC_GUARD(store_pg_open(uri, &o, &st, err));
    p = (struct pgstore *)st;
    STC_GUARD(pg_run(p,
                     "SELECT s.name FROM scans s WHERE EXISTS (SELECT 1 FROM jobs j WHERE"
                     " j.scan_id=s.id AND j.state IN ('queued','claimed')) ORDER BY s.id LIMIT 1",
                     0, NULL, &r, err));
    STC_ENSURE(PQntuples(r) == 1, err, STC_E_NOTFOUND, "no scan has jobs left");
    snprintf(name, n, "%s", PQgetvalue(r, 0, 0));
out:
    PQclear(r);
    struct stc_err ignore = {0};
    store_close(st, &ignore);
    return rc;
}

static uint64_t u(PGresult *r, int col)
{
    return strtoull(PQgetvalue(r, 0, col), NULL, 10);
}

stc_rc store_status(struct store *st, struct stc_scan_status *out, struct stc_err *err)
{
    struct pgstore *p = NULL;
    PGresult *r = NULL;
    stc_rc rc = STC_OK;
    STC_GUARD(pg_of(st, &p, err));
    const char *v[1] = {p->scan_id_text};
    STC_GUARD(pg_run(
        p,
        "SELECT count(*), count(*) FILTER (WHERE state='queued'),"
        " count(*) FILTER (WHERE state='claimed' AND lease_until>=now()),"
        " count(*) FILTER (WHERE state='claimed' AND lease_until<now()),"
        " count(*) FILTER (WHERE state='done'), count(*) FILTER (WHERE state='failed'),"
        " count(DISTINCT worker) FILTER (WHERE state='claimed' AND lease_until>=now()),"
        " (SELECT count(*) FROM rejects WHERE scan_id=$1),"
        " (SELECT count(*) FROM domains WHERE scan_id=$1),"
        " (SELECT count(*) FROM domains WHERE scan_id=$1 AND status IN (3,5)),"
        " (SELECT extract(epoch FROM now()-created_at)::bigint FROM scans WHERE id=$1),"
        " coalesce(count(*) FILTER (WHERE done_at>now()-interval '60 s')::float8 /"
        "  nullif(least(60, extract(epoch FROM now()-min(done_at) FILTER"
        "  (WHERE done_at>now()-interval '60 s'))), 0), 0)"
        " FROM jobs WHERE scan_id=$1",
        1, v, &r, err));
    memset(out, 0, sizeof *out);
    out->jobs = u(r, 0);
    out->queued = u(r, 1);
    out->in_flight = u(r, 2);
    out->expired = u(r, 3);
    out->done = u(r, 4);
    out->failed = u(r, 5);
    out->workers = (unsigned)u(r, 6);
    out->rejected = u(r, 7);
    out->recorded = u(r, 8);
    out->errors = u(r, 9);
    out->elapsed_s = (int64_t)strtoll(PQgetvalue(r, 0, 10), NULL, 10);
    out->rate = strtod(PQgetvalue(r, 0, 11), NULL);
    uint64_t left = out->queued + out->in_flight + out->expired;
    out->eta_s = left == 0 ? 0 : out->rate > 0 ? (int64_t)((double)left / out->rate) : -1;
out:
    PQclear(r);
    return rc;
}

/* The aggregate in one query; the columns in the order of the fields filled below. */
static const char AGG_SQL[] =
    "WITH d AS (SELECT * FROM domains WHERE scan_id=$1),"
    " c AS (SELECT * FROM checks WHERE scan_id=$1),"
    " h AS (SELECT h.*, EXISTS (SELECT 1 FROM c WHERE c.domain=h.domain AND"
    "  c.hostname=h.hostname AND c.\"check\"='connectivity' AND c.status=0) AS conn"
    "  FROM hosts h WHERE scan_id=$1),"
    " u AS (SELECT DISTINCT ON (hostname) * FROM h ORDER BY hostname, domain),"
    " per AS (SELECT domain, count(*) FILTER (WHERE conn) AS nconn,"
    "  count(*) FILTER (WHERE conn AND starttls=1) AS ntls,"
    "  count(*) FILTER (WHERE conn AND starttls=1 AND cert_valid=1) AS nvalid"
    "  FROM h GROUP BY domain)"
    " SELECT (SELECT count(*) FROM d),"
    " (SELECT count(*) FROM d WHERE mx_count>0),"
    " (SELECT count(*) FROM d WHERE (json->>'null_mx')::text IN ('true','1')),"
    " (SELECT count(*) FROM d WHERE mta_sts_mode='testing'),"
    " (SELECT count(*) FROM d WHERE mta_sts_mode='enforce'),"
    " (SELECT count(*) FROM d JOIN c USING (domain) WHERE c.hostname='' AND"
    "  c.\"check\"='mta_sts' AND d.mta_sts_mode IS NOT NULL AND c.status<=1),"
    " (SELECT count(*) FROM c WHERE hostname='' AND \"check\"='tls-rpt' AND status=0),"
    " (SELECT count(*) FROM per WHERE nconn>0),"
    " (SELECT count(*) FROM per WHERE nconn>0 AND ntls=nconn),"
    " (SELECT count(*) FROM per WHERE nconn>0 AND nvalid=nconn),"
    " (SELECT count(*) FROM u), (SELECT count(*) FROM u WHERE conn),"
    " (SELECT count(*) FROM u WHERE conn AND starttls=1),"
    " (SELECT count(*) FROM u WHERE conn AND starttls=1 AND cert_valid=1),"
    " (SELECT count(*) FROM u JOIN c ON c.domain=u.domain AND c.hostname=u.hostname"
    "  WHERE u.conn AND u.starttls=1 AND c.\"check\"='cipher' AND c.status>=1),"
    " (SELECT count(*) FROM u WHERE conn AND starttls=1 AND tls_version='TLSv1.3'),"
    " (SELECT count(*) FROM u WHERE conn AND starttls=1 AND tls_version='TLSv1.2'),"
    " (SELECT count(*) FROM u WHERE conn AND starttls=1 AND tls_version='TLSv1.1'),"
    " (SELECT count(*) FROM u WHERE conn AND starttls=1 AND tls_version='TLSv1'),"
    " (SELECT count(*) FROM u WHERE conn AND starttls=1 AND (tls_version IS NULL OR"
    "  tls_version NOT IN ('TLSv1.3','TLSv1.2','TLSv1.1','TLSv1'))),"
    " (SELECT count(*) FROM d WHERE status=0), (SELECT count(*) FROM d WHERE status=1),"
    " (SELECT count(*) FROM d WHERE status=2), (SELECT count(*) FROM d WHERE status=3"
    "  OR status>6 OR status<0),"
    " (SELECT count(*) FROM d WHERE status=4), (SELECT count(*) FROM d WHERE status=5),"
    " (SELECT count(*) FROM d WHERE status=6),"
    " (SELECT count(*) FROM d WHERE (json->'extra_results'->'dane'->'details'->>"
    "  'hosts_authenticated')::bigint > 0),"
    " (SELECT count(*) FROM d WHERE (json->'extra_results'->'dane'->'details'->>"
    "  'hosts_authenticated')::bigint >= (json->'extra_results'->'dane'->'details'->>"
    "  'hosts')::bigint AND (json->'extra_results'->'dane'->'details'->>"
    "  'hosts_authenticated')::bigint > 0),"
    " (SELECT count(*) FROM u JOIN d ON d.domain=u.domain WHERE u.conn AND u.starttls=1 AND"
    "  EXISTS (SELECT 1 FROM json_each(d.json->'results') e WHERE e.value->>'hostname'="
    "  u.hostname AND e.value->'checks'->'dane'->'details'->>'authenticated'='true'))";

stc_rc store_aggregate(struct store *st, struct stc_scan_stats *o, struct stc_err *err)
{
    struct pgstore *p = NULL;
    PGresult *r = NULL;
    stc_rc rc = STC_OK;
    STC_GUARD(pg_of(st, &p, err));
    const char *v[1] = {p->scan_id_text};
    STC_GUARD(pg_run(p, AGG_SQL, 1, v, &r, err));
    memset(o, 0, sizeof *o);
    uint64_t *f[] = {&o->attempted,       &o->with_mx,           &o->null_mx,
                     &o->mtasts_testing,  &o->mtasts_enforce,    &o->mtasts_valid,
                     &o->tlsrpt,          &o->connected,         &o->starttls_all,
                     &o->valid_cert_all,  &o->unique_hosts,      &o->hosts_connected,
                     &o->hosts_starttls,  &o->hosts_valid_cert,  &o->hosts_weak_cipher,
                     &o->tls_versions[0], &o->tls_versions[1],   &o->tls_versions[2],
                     &o->tls_versions[3], &o->tls_versions[4],   &o->status[0],
                     &o->status[1],       &o->status[2],         &o->status[3],
                     &o->status[4],       &o->status[5],         &o->status[6],
                     &o->dane_some,       &o->dane_all,          &o->hosts_dane};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        *f[i] = u(r, (int)i);
out:
    PQclear(r);
    return rc;
}

stc_rc store_export(struct store *st, FILE *f, struct stc_err *err)
{
    struct pgstore *p = NULL;
    PGresult *r = NULL;
    stc_rc rc = STC_OK;
    STC_GUARD(pg_of(st, &p, err));
    const char *v[1] = {p->scan_id_text};
    /* A cursor would stream; one result set is simpler and the json column is compact. */
    STC_GUARD(pg_run(p,
                     "SELECT d.json FROM domains d LEFT JOIN jobs j ON j.scan_id=d.scan_id AND"
                     " j.domain=d.domain WHERE d.scan_id=$1 ORDER BY j.lineno NULLS LAST,"
                     " d.domain",
                     1, v, &r, err));
    for (int i = 0; i < PQntuples(r); i++)
        STC_ENSURE(fputs(PQgetvalue(r, i, 0), f) >= 0 && fputc('\n', f) != EOF, err, STC_E_IO,
                   "write error");
out:
    PQclear(r);
    return rc;
}

stc_rc store_get_host(struct store *st, const char *host, const char *config, int64_t since,
                      void **blob, size_t *n, int64_t *checked_at, struct stc_err *err)
{
    struct pgstore *p = NULL;
    PGresult *r = NULL;
    stc_rc rc = STC_OK;
    char s[24];
    STC_GUARD(pg_of(st, &p, err));
    snprintf(s, sizeof s, "%" PRId64, since);
    const char *v[3] = {host, config, s};
    STC_GUARD(pg_run(p,
                     "SELECT result, checked_at FROM host_cache WHERE hostname=$1 AND config=$2"
                     " AND checked_at>=$3",
                     3, v, &r, err));
    STC_ENSURE(PQntuples(r) == 1, err, STC_E_NOTFOUND, "not cached");
    size_t len = 0;
    unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 0), &len);
    STC_ENSURE(b != NULL, err, STC_E_NOMEM, "out of memory");
    *blob = malloc(len ? len : 1);
    if (*blob == NULL) {
        PQfreemem(b);
        rc = err_set(err, STC_E_NOMEM, "out of memory");
        goto out;
    }
    memcpy(*blob, b, len);
    PQfreemem(b);
    *n = len;
    *checked_at = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
out:
    PQclear(r);
    return rc;
}

stc_rc store_try_lock(struct store *st, int32_t k1, int32_t k2, int *got, struct stc_err *err)
{
    struct pgstore *p = NULL;
    PGresult *r = NULL;
    char a[16], b[16];
    stc_rc rc = STC_OK;
    STC_GUARD(pg_of(st, &p, err));
    snprintf(a, sizeof a, "%d", (int)k1);
    snprintf(b, sizeof b, "%d", (int)k2);
    const char *v[2] = {a, b};
    STC_GUARD(pg_run(p, "SELECT pg_try_advisory_lock($1::int, $2::int)", 2, v, &r, err));
    *got = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
out:
    PQclear(r);
    return rc;
}

void store_unlock(struct store *st, int32_t k1, int32_t k2)
{
    struct pgstore *p = NULL;
    char a[16], b[16];
    if (pg_of(st, &p, NULL) != STC_OK)
        return;
    snprintf(a, sizeof a, "%d", (int)k1);
    snprintf(b, sizeof b, "%d", (int)k2);
    const char *v[2] = {a, b};
    struct stc_err ignore = {0};
    pg_run(p, "SELECT pg_advisory_unlock($1::int, $2::int)", 2, v, NULL, &ignore);
}
