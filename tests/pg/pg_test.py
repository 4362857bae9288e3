#!/usr/bin/python3
"""NAME
    pg_test.py - many scanner processes, one PostgreSQL 15, against the test world

SYNOPSIS
    tests/pg/pg_test.py [--bin BIN] TEST...
    TEST: all | direct | workers-kill | restart | errors | shared-cache

DESCRIPTION
    Each test starts a PRIVATE PostgreSQL cluster (tests/pg/pgcluster.sh:
    initdb in a temporary directory as the postgres user, a Unix socket in
    that directory, no TCP) and stops it afterwards; never the system
    service. The world (testbed/world, WORLD_PREFIX) must be up.
      direct        scan FILE --db postgresql://... --name: every world domain
                    once in domains, hosts/checks rows, --export gives the
                    same domains as JSON Lines; --aggregate computed in SQL
                    agrees with the scan's own aggregate (attempted, statuses);
                    `report URI --name` makes the HTML report of it
      workers-kill  --enqueue (COPY; a bad line and a duplicate recorded in
                    rejects), three workers, kill -9 of one while it holds
                    claimed jobs: its jobs come back after the lease and the
                    others finish; every domain exactly once (domains, jobs
                    all done, export lines unique), scan-status says done
      restart       two workers; the cluster is restarted mid-scan (fast
                    shutdown ends their connections): they reconnect with
                    back-off and finish; every domain exactly once, exit 0
      shared-cache  host_cache holds exactly the hosts whose checks all ran;
                    a worker of a second scan checks again exactly the other
                    hosts (host checks = those hosts + retries after 421,
                    cache hits = every other lookup), reuses the stored
                    results unchanged, stores nothing it reused, and gives
                    the same status to a domain whose inputs are the same;
                    --fresh and other options (--no-dane) check every host
                    again, each once
      errors        a bad connection string, a wrong password, a missing
                    database, a missing scan: one clear message each, exit
                    74 (66 for the missing scan), quickly, no password shown

DIAGNOSTICS
    Exit 0 when all pass, 1 on a failure, 2 when the world is not up or
    PostgreSQL cannot be started (a missing prerequisite is a failure).
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(REPO, "testbed", "lib"))
sys.path.insert(0, os.path.join(REPO, "tests", "scan"))
import scan_test  # noqa: E402

CLUSTER = os.path.join(HERE, "pgcluster.sh")
PSQL = "/usr/lib/postgresql/15/bin/psql"
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer")


Fail = scan_test.Fail     # one failure class: the shared expectations raise it too
check = scan_test.check


class Cluster:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="stc-pg-")
        os.chmod(self.dir, 0o755)
        r = subprocess.run(["bash", CLUSTER, "start", self.dir + "/pg", "5432"],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise Fail("cannot start PostgreSQL: " + r.stderr)
        self.uri = r.stdout.strip()

    def sql(self, q):
        r = subprocess.run([PSQL, "-XAtq", self.uri, "-c", q], capture_output=True, text=True,
                           timeout=60)
        check(r.returncode == 0, "psql: %s: %s" % (q, r.stderr))
        return [line.split("|") for line in r.stdout.splitlines()]

    def one(self, q):
        return self.sql(q)[0][0]

    def restart(self):
        r = subprocess.run(["bash", CLUSTER, "restart", self.dir + "/pg"], capture_output=True,
                           text=True, timeout=120)
        check(r.returncode == 0, "restart failed: " + r.stderr)

    def stop(self):
        subprocess.run(["bash", CLUSTER, "stop", self.dir + "/pg"], capture_output=True,
                       timeout=120)
        subprocess.run(["rm", "-rf", self.dir])


class Env(scan_test.Env):
    """The world's domains and the checker options, as scan_test.py has them."""

    def checker(self):
        return self.base()[2:]


def no_sanitizer(err):
    for m in SANITIZER_MARKS:
        check(m not in err, "sanitizer report:\n" + err[-3000:])


def run(cmd, timeout=300):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    no_sanitizer(r.stderr)
    return r


def scan_id(pg, name):
    return pg.one("SELECT id FROM scans WHERE name='%s'" % name)


def expect_exactly_once(env, pg, name, tmp):
    sid = scan_id(pg, name)
    rows = pg.sql("SELECT domain FROM domains WHERE scan_id=%s" % sid)
    got = sorted(r[0] for r in rows)
    check(got == sorted(env.domains),
          "domains table: %d rows, missing %s, extra %s" % (
              len(got), sorted(set(env.domains) - set(got))[:5],
              sorted(set(got) - set(env.domains))[:5]))
    out = os.path.join(tmp, name + ".export.jsonl")
    r = run([env.bin, "scan-status", "--db", pg.uri, "--name", name, "--export", out])
    check(r.returncode == 0, "export failed: " + r.stderr)
    with open(out) as f:
        lines = [json.loads(line)["domain"] for line in f]
    check(len(lines) == len(set(lines)) == len(env.domains),
          "export: %d lines, %d unique" % (len(lines), len(set(lines))))
    orphans = pg.one("SELECT count(*) FROM hosts h WHERE scan_id=%s AND NOT EXISTS (SELECT 1"
                     " FROM domains d WHERE d.scan_id=h.scan_id AND d.domain=h.domain)" % sid)
    check(orphans == "0", "hosts rows without a domain: " + orphans)


def t_direct(env, pg, tmp):
    inp = os.path.join(tmp, "list.csv")
    env.csv(inp)
    agg = os.path.join(tmp, "agg.json")
    r = run([env.bin, "scan"] + env.checker() +
            ["-j", "16", "--db", pg.uri, "--name", "direct", "--aggregate-json", agg, inp])
    check(r.returncode == 0, "scan exit %d: %s" % (r.returncode, r.stderr[-2000:]))
    expect_exactly_once(env, pg, "direct", tmp)
    # the HTML report reads the scan out of PostgreSQL (issue 16)
    html = os.path.join(tmp, "direct.html")
    rtmp = os.path.join(tmp, "report-tmp")
    os.mkdir(rtmp)
    r = subprocess.run([env.bin, "report", pg.uri, "--name", "direct", "-o", html],
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, TMPDIR=rtmp))
    no_sanitizer(r.stderr)
    check(r.returncode == 0, "report of the PostgreSQL scan: exit %d: %s" % (r.returncode,
                                                                           r.stderr))
    with open(html) as f:
        page = f.read()
    check('data-k="domains" data-n="%d"' % len(env.domains) in page,
          "report: not %d domains in the headline" % len(env.domains))
    check('["good.test",0,' in page, "report: good.test is not a success row")
    check(os.listdir(rtmp) == [], "report left its temporary export behind")
    sid = scan_id(pg, "direct")
    check(int(pg.one("SELECT count(*) FROM hosts WHERE scan_id=%s" % sid)) > 50, "few hosts rows")
    check(int(pg.one("SELECT count(*) FROM checks WHERE scan_id=%s" % sid)) > 300,
          "few checks rows")
    # the same row contents as SQLite: the good.test domain is a success
    check(pg.one("SELECT status_text FROM domains WHERE scan_id=%s AND domain='good.test'" % sid)
          == "success", "good.test not a success")
    sql_agg = os.path.join(tmp, "sqlagg.json")
    r = run([env.bin, "scan-status", "--db", pg.uri, "--name", "direct", "--aggregate-json",
             sql_agg])
    check(r.returncode == 0, "scan-status --aggregate-json: " + r.stderr)
    a, b = json.load(open(agg)), json.load(open(sql_agg))

    def flat(d, p=""):
        out = {}
        for k, v in d.items():
            if isinstance(v, dict):
                out.update(flat(v, p + k + "."))
            else:
                out[p + k] = v
        return out
    fa, fb = flat(a), flat(b)
    for key in fa:
        if any(w in key for w in ("attempted", "status", "with_mx", "connected", "starttls",
                                  "mta_sts", "mtasts", "valid_cert", "unique", "dane",
                                  "tls_rpt", "tls_versions", "weak")):
            check(fa[key] == fb.get(key), "aggregate %s: scan %s, SQL %s" % (
                key, fa[key], fb.get(key)))
    # a second run without --resume replaces the scan's rows, never duplicates
    r = run([env.bin, "scan"] + env.checker() + ["-j", "16", "--db", pg.uri, "--name", "direct",
                                                 inp])
    check(r.returncode == 0, "second scan failed: " + r.stderr[-2000:])
    expect_exactly_once(env, pg, "direct", tmp)


def enqueue(env, pg, name, tmp):
    inp = os.path.join(tmp, name + ".csv")
    env.csv(inp, extra=("bad..name\n1,%s\n" % env.domains[0]).encode())
    r = run([env.bin, "scan", "--db", pg.uri, "--name", name, "--enqueue", inp])
    check(r.returncode == 0, "enqueue failed: " + r.stderr)
    sid = scan_id(pg, name)
    check(pg.one("SELECT count(*) FROM jobs WHERE scan_id=%s" % sid) == str(len(env.domains)),
          "jobs not loaded")
    rej = pg.sql("SELECT lineno, reason FROM rejects WHERE scan_id=%s ORDER BY lineno" % sid)
    check(len(rej) == 2 and "invalid" in rej[0][1] and "duplicate" in rej[1][1],
          "rejects: %r" % rej)


def worker(env, pg, name, wid, extra=(), log=None):
    return subprocess.Popen([env.bin, "worker"] + env.checker() +
                            ["--db", pg.uri, "--name", name, "--worker-id", wid] + list(extra),
                            stdout=subprocess.DEVNULL, stderr=log or subprocess.PIPE, text=True)


def finish(procs, limit=400):
    errs = []
    for p in procs:
        try:
            _, err = p.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            p.kill()
            raise Fail("a worker did not finish")
        no_sanitizer(err or "")
        errs.append((p.returncode, err))
    return errs


def t_workers_kill(env, pg, tmp):
    enqueue(env, pg, "kill", tmp)
    sid = scan_id(pg, "kill")
    opts = ["-j", "3", "--batch", "3", "--lease", "4"]
    victim = worker(env, pg, "kill", "victim", opts)
    others = [worker(env, pg, "kill", "w%d" % i, opts) for i in (1, 2)]
    deadline = time.time() + 120
    while time.time() < deadline:
        done = int(pg.one("SELECT count(*) FROM domains WHERE scan_id=%s AND worker='victim'"
                          % sid))
        held = int(pg.one("SELECT count(*) FROM jobs WHERE scan_id=%s AND worker='victim' AND"
                          " state='claimed'" % sid))
        if done >= 2 and held > 0:
            break
        time.sleep(0.1)
    else:
        raise Fail("the victim never held jobs after recording some")
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    lost = [r[0] for r in pg.sql("SELECT domain FROM jobs WHERE scan_id=%s AND worker='victim'"
                                 " AND state='claimed'" % sid)]
    check(lost, "nothing held by the victim at its death")
    for code, err in finish(others):
        check(code == 0, "worker exit %d: %s" % (code, err[-2000:]))
    expect_exactly_once(env, pg, "kill", tmp)
    states = pg.sql("SELECT state, count(*) FROM jobs WHERE scan_id=%s GROUP BY 1" % sid)
    check(states == [["done", str(len(env.domains))]], "job states: %r" % states)
    redone = pg.sql("SELECT domain, worker, attempts FROM jobs WHERE scan_id=%s AND domain IN (%s)"
                    % (sid, ",".join("'%s'" % d for d in lost)))
    check(all(r[1] != "victim" and int(r[2]) >= 2 for r in redone),
          "the victim's jobs were not taken over: %r" % redone)
    r = run([env.bin, "scan-status", "--db", pg.uri, "--name", "kill", "--json"])
    st = json.loads(r.stdout)
    check(st["done"] == len(env.domains) and st["queued"] == 0 and st["in_flight"] == 0
          and st["rejected"] == 2, "scan-status: %r" % st)


def t_restart(env, pg, tmp):
    enqueue(env, pg, "restart", tmp)
    sid = scan_id(pg, "restart")
    logs = [open(os.path.join(tmp, "w%d.log" % i), "w+") for i in (1, 2)]
    ws = [worker(env, pg, "restart", "r%d" % i, ["-j", "4", "--batch", "4", "--lease", "60"],
                 log=logs[i - 1]) for i in (1, 2)]
    deadline = time.time() + 120
    while int(pg.one("SELECT count(*) FROM domains WHERE scan_id=%s" % sid)) < 10:
        check(time.time() < deadline, "no progress before the restart")
        time.sleep(0.2)
    pg.restart()
    for p in ws:
        try:
            p.wait(timeout=400)
        except subprocess.TimeoutExpired:
            p.kill()
            raise Fail("a worker did not finish after the restart")
    for i, (p, f) in enumerate(zip(ws, logs)):
        f.seek(0)
        err = f.read()
        no_sanitizer(err)
        check(p.returncode == 0, "worker %d exit %d after the restart: %s" % (
            i + 1, p.returncode, err[-2000:]))
    expect_exactly_once(env, pg, "restart", tmp)
    states = pg.sql("SELECT state, count(*) FROM jobs WHERE scan_id=%s GROUP BY 1" % sid)
    check(states == [["done", str(len(env.domains))]], "job states: %r" % states)


def t_errors(env, pg, tmp):
    inp = os.path.join(tmp, "one.csv")
    with open(inp, "w") as f:
        f.write("1,good.test\n")
    d = pg.uri.split("host=")[1].split("&")[0]
    port = pg.uri.split("port=")[1].split("&")[0]
    cases = [
        ("postgresql://u:secretword@[bad", "URI"),
        ("postgresql:///stc?host=%s&port=%s&user=stcpw&password=wrong" % (d, port),
         "password authentication failed"),
        ("postgresql:///nosuchdb?host=%s&port=%s&user=postgres" % (d, port),
         "does not exist"),
    ]
    for uri, words in cases:
        for cmd in (["scan"] + env.checker() + ["--db", uri, inp],
                    ["worker"] + env.checker() + ["--db", uri, "--name", "x"],
                    ["scan-status", "--db", uri, "--name", "x"]):
            t0 = time.time()
            r = run([env.bin] + cmd, timeout=60)
            check(r.returncode == 74, "%s %s: exit %d (want 74): %s" % (cmd[0], uri,
                                                                      r.returncode, r.stderr))
            lines = [x for x in r.stderr.splitlines() if "postgresql" in x]
            check(len(lines) >= 1 and words in r.stderr, "%s %s: unclear: %r" % (
                cmd[0], uri, r.stderr))
            check("wrong" not in r.stderr and "secretword" not in r.stderr,
                  "password shown: " + r.stderr)
            check(time.time() - t0 < 20, "slow failure")
    r = run([env.bin, "scan-status", "--db", pg.uri, "--name", "nosuchscan"])
    check(r.returncode == 66 and "no scan named nosuchscan" in r.stderr,
          "missing scan: %d %s" % (r.returncode, r.stderr))
    r = run([env.bin, "worker", "--db", "x.db"])
    check(r.returncode == 64 and "postgresql" in r.stderr, "worker on SQLite: " + r.stderr)


def worker_stats(env, pg, name, tmp, extra=()):
    agg = os.path.join(tmp, name + ".agg.json")
    r = run([env.bin, "worker"] + env.checker() + ["--db", pg.uri, "--name", name, "-j", "16",
                                                   "--aggregate-json", agg] + list(extra))
    check(r.returncode == 0, "worker %s exit %d: %s" % (name, r.returncode, r.stderr[-2000:]))
    with open(agg) as f:
        return json.load(f)


def cache_rows(pg, key):
    """{hostname: checked_at} of the host_cache rows made under options key (md5 of config)."""
    return {h: int(t) for h, t in pg.sql("SELECT hostname, checked_at FROM host_cache"
                                         " WHERE md5(config)='%s'" % key)}


def cache_run(env, pg, name, tmp, extra=()):
    """Enqueue every world domain as scan name, run one worker on it (every host within
    the domain budget), and give its statistics, {(domain, host): host node} and
    {domain: record} as the database holds them (scan-status --export)."""
    enqueue(env, pg, name, tmp)
    env.rate_limit_wait()   # ratelimit.test: its first connection served in every run
    st = worker_stats(env, pg, name, tmp, ["--domain-timeout", "60"] + list(extra))
    expect_exactly_once(env, pg, name, tmp)
    out = os.path.join(tmp, name + ".export.jsonl")
    # the hosts rows agree with the records on which hosts could not be checked
    sid = scan_id(pg, name)
    rows = {scan_test.host_key(h) for (h,) in pg.sql(
        "SELECT DISTINCT hostname FROM hosts WHERE scan_id=%s AND status=%d"
        % (sid, scan_test.STATUS_ERROR))}
    nodes = scan_test.host_nodes(out)
    errs = {h for (_, h), r in nodes.items() if r["status"] == scan_test.STATUS_ERROR}
    check(rows == errs, "%s: hosts rows in error %r, records %r" % (name, sorted(rows),
                                                                    sorted(errs)))
    return st, nodes, scan_test.load_jsonl(out)


def t_shared_cache(env, pg, tmp):
    """The host cache in the database, keyed by the options, reused by another machine:
    exactly the hosts whose checks all ran are stored; a second scan's worker (a process
    without memory of the first) checks again exactly the others and reuses every stored
    result unchanged, and a domain whose inputs are the same keeps its status; --fresh
    and other options (--no-dane) check every host again (scan_test.py cache-reuse says
    the same of one machine with SQLite)."""
    first, h1, dom1 = cache_run(env, pg, "c1", tmp)
    keys = [k for (k,) in pg.sql("SELECT DISTINCT md5(config) FROM host_cache")]
    check(len(keys) == 1, "host_cache after one scan: %d option keys" % len(keys))
    stored1 = cache_rows(pg, keys[0])
    scan_test.expect_stored(first, h1, stored1)
    scan_test.expect_checks("c1", first, h1, set())

    # Another worker, another scan: the stored hosts reused as they were.
    second, h2, dom2 = cache_run(env, pg, "c2", tmp)
    scan_test.expect_checks("c2", second, h2, stored1)
    scan_test.expect_reused(h1, h2, stored1, cache_rows(pg, keys[0]))
    scan_test.expect_same_status(dom1, dom2)

    # --fresh ignores what is stored (and stores again what it checked); other
    # options (--no-dane) are another key: every host checked once more.
    since = int(time.time())
    fresh, h3, _ = cache_run(env, pg, "c3", tmp, ["--fresh"])
    scan_test.expect_checks("c3 --fresh", fresh, h3, set())
    done3 = {h for (_, h), r in h3.items() if r["status"] != scan_test.STATUS_ERROR}
    stored3 = cache_rows(pg, keys[0])
    check(all(stored3.get(h, 0) >= since for h in done3),
          "--fresh did not store again: %r" % sorted(h for h in done3
                                                     if stored3.get(h, 0) < since))
    nodane, h4, _ = cache_run(env, pg, "c4", tmp, ["--no-dane"])
    scan_test.expect_checks("c4 --no-dane", nodane, h4, set())
    other = [k for (k,) in pg.sql("SELECT DISTINCT md5(config) FROM host_cache")
             if k != keys[0]]
    done4 = {h for (_, h), r in h4.items() if r["status"] != scan_test.STATUS_ERROR}
    check(len(other) == 1 and set(cache_rows(pg, other[0])) == done4,
          "--no-dane: host_cache keys %r, stored %r, want %r" % (
              other, sorted(cache_rows(pg, other[0])) if len(other) == 1 else None,
              sorted(done4)))


TESTS = {"direct": t_direct, "workers-kill": t_workers_kill, "restart": t_restart,
         "errors": t_errors, "shared-cache": t_shared_cache}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("STC_BIN",
                                                    os.path.join(REPO, "build", "starttls-check")))
    ap.add_argument("--run", default=None)
    ap.add_argument("tests", nargs="+")
    args = ap.parse_args()
    names = list(TESTS) if args.tests == ["all"] else args.tests
    env = Env(args)
    failed = 0
    for n in names:
        pg = None
        with tempfile.TemporaryDirectory(prefix="stc-pgtest-") as tmp:
            try:
                pg = Cluster()
                TESTS[n](env, pg, tmp)
                print("PASS", n)
            except (Fail, subprocess.TimeoutExpired) as e:
                failed += 1
                print("FAIL", n, e)
            finally:
                if pg:
                    pg.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
