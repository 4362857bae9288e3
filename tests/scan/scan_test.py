#!/usr/bin/python3
"""NAME
    scan_test.py - `starttls-check scan` against the local mail world.

SYNOPSIS
    tests/scan/scan_test.py [--bin BIN] [--run DIR] TEST...
    TEST: all, or a name below

DESCRIPTION
    Builds the input from testbed/world.conf (every case domain, as
    "rank,domain"), runs BIN scan with the world's resolver, trust anchor and
    CA, and checks:
      basic        every domain appears exactly once in the JSON Lines file
                   and the database, statuses agree between them, the
                   aggregate counts them
      rejects      bad lines (too many columns, invalid name, NUL byte, a
                   10 KB line) and duplicates are in the reject log with
                   their line numbers, and never checked; every valid domain
                   (an unusable MX name too) has one record; checked +
                   rejected + duplicates = input lines
      resume-kill  kill -9 after some lines, then --resume: the set is
                   complete, nothing duplicated in the file or the database
      sigint       SIGINT mid-scan: exit 130, database passes
                   integrity_check, file and database hold the same domains;
                   --resume completes the set
      no-smtp      --checks mta-sts,tls-rpt makes no connection to port 25
                   (strace -f -e connect) and the aggregate counts none
      cache-reuse  host_cache after a run holds exactly the hosts whose checks
                   all ran; a second run on the same --db within the TTL checks
                   again exactly the others (host checks, cache hits), reuses
                   the stored results unchanged, and gives the same status to
                   every domain whose inputs (hosts, domain-level verdicts) are
                   the same
      cache-options  host results made with other options (--no-dane, --port)
                   are not reused
      cache-transient  refused and 421 hosts are not stored; --fresh ignores
                   the stored cache; --cache-ttl bounds reuse
      db-fault     a trigger that raises on one domain's insert: that domain is
                   in neither output, the others are whole, exit 74;
                   --resume completes the set
      disk-full    outputs on a small tmpfs (mounted by the test): exit 74,
                   file and database agree; --resume after growing it
      signal-pipe  SIGINT/SIGTERM while the input pipe is stalled: exit 130
                   within 3 s, complete results in both outputs
      signal-twice a slow host in flight: two SIGINTs exit within 3 s keeping
                   the complete result; one SIGINT lets the slow ones finish
      signal-db-locked  SIGINT while another program holds the database
                   lock: exit within 3 s
      durable      output files have mode 0644 under umask 0; the --resume
                   rewrite of the JSON file fsyncs the directory (strace)
      probe-throttle  ratelimit.test (421 to the probe connections): retried
                   once after the back-off, the first result (session fine,
                   probes "not tested") kept over a retry throttled at once
      exclude      --exclude with a domain, an MX host name, an address and a
                   CIDR range: no connect() to them (strace), one record per
                   excluded input domain, the hosts reported as excluded; the
                   MTA-STS policy host's address excluded: no HTTPS connect
      rate         --rate 10: at most 11 connect() calls in any second (strace)
      big-seen     --resume over 10,000 recorded domains, each listed twice:
                   the input and resume sets spill their names to an
                   unlinked file under TMPDIR (strace: two O_TMPFILE opens
                   there), each is skipped once and counted once as a
                   duplicate, only the new domains are checked; the same with
                   TMPDIR missing (the names stay in memory)
      domain-timeout  slowmx.test (three silent MX hosts) with --timeout 2
                   --domain-timeout 3: one host checked, two "not tested",
                   TLS-RPT still checked, done within the budget
    BIN: --bin, env STC_BIN, default build/starttls-check. The world must be
    up (testbed/world up; WORLD_PREFIX names it). Tests that connect to the
    world's rate-limit host are in RATE_LIMITED (--list-rate-limited prints
    them for CTest's RESOURCE_LOCK); the ones that need its first connection
    served wait for an earlier window to pass (testbed/lib/ratewindow.py).
    Prints PASS/FAIL per test.

DIAGNOSTICS
    Exit 0 when all pass, 1 on a failure, 2 when the world is not up.
"""

import argparse
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(REPO, "testbed", "lib"))
from ratewindow import CTEST_LOCK as RATE_LOCK  # noqa: E402
from ratewindow import rate_limit_addrs, wait_closed  # noqa: E402
from worldconf import load_world  # noqa: E402

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer",
                   "WARNING: ThreadSanitizer")


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


class Env:
    def __init__(self, args):
        self.bin = args.bin
        env = subprocess.run([os.path.join(REPO, "testbed", "world"), "env"],
                             capture_output=True, text=True)
        self.wenv = dict(kv.split("=", 1) for kv in env.stdout.split())
        if subprocess.run([os.path.join(REPO, "testbed", "world"), "status"],
                          capture_output=True).returncode != 0:
            print("scan_test: the world is not up (testbed/world up)", file=sys.stderr)
            sys.exit(2)
        self.run = args.run or self.wenv["WORLD_RUN"]
        # the world as it runs (WORLD_PREFIX): the host addresses are its own
        self.world = load_world(self.wenv["WORLD_CONF"], self.wenv["WORLD_PREFIX"])
        self.domains = [d.name for d in self.world.domains]

    def rate_limit_wait(self):
        """Before a scan whose result depends on the world's rate-limit host
        serving its first connection: wait until a window opened by an earlier
        connection (another test, an earlier scan) has passed."""
        addrs = [a for d in self.world.domains for a in rate_limit_addrs(d)]
        check(addrs, "no rate-limit host in the world")
        left = wait_closed(self.run, addrs)
        check(not left, "the rate-limit window of %s keeps reopening (%.1f s left): a test"
              " connects to it without RESOURCE_LOCK %s?" % (" ".join(addrs), left, RATE_LOCK))

    def base(self):
        return [self.bin, "scan", "--resolver", self.wenv["WORLD_RESOLVER"],
                "--trust-anchor", self.wenv["WORLD_TRUST_ANCHOR"],
                "--ca-file", self.wenv["WORLD_CA"], "--timeout", "10",
                # one 10 s host per domain at most (slowmx.test has three silent ones)
                "--domain-timeout", "15", "--progress", "0"]

    def csv(self, path, extra=b""):
        with open(path, "wb") as f:
            f.write(b"# world.conf case domains\n")
            for i, d in enumerate(self.domains):
                f.write(("%d,%s\n" % (i + 1, d)).encode())
            f.write(extra)


def no_sanitizer(stderr):
    for m in SANITIZER_MARKS:
        check(m not in stderr, "sanitizer report:\n" + stderr[-3000:])


def jsonl_domains(path):
    out = []
    with open(path, "rb") as f:
        data = f.read()
    check(data == b"" or data.endswith(b"\n"), "JSON file does not end with a newline")
    for line in data.splitlines():
        out.append(json.loads(line)["domain"])
    return out


def db_domains(path):
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT domain FROM domains")]
    finally:
        con.close()


def expect_complete(env, out, db):
    j = jsonl_domains(out)
    check(len(j) == len(set(j)), "duplicates in JSON file: %d lines, %d domains" % (len(j), len(set(j))))
    check(set(j) == set(env.domains), "JSON file misses %s, extra %s" % (
        sorted(set(env.domains) - set(j))[:5], sorted(set(j) - set(env.domains))[:5]))
    d = db_domains(db)
    check(len(d) == len(set(d)), "duplicates in the database")
    check(set(d) == set(env.domains), "database misses %s" % sorted(set(env.domains) - set(d))[:5])


def wait_lines(path, n, proc, limit=120):
    end = time.time() + limit
    while time.time() < end:
        if proc.poll() is not None:
            raise Fail("scan ended before %d lines" % n)
        try:
            with open(path, "rb") as f:
                if f.read().count(b"\n") >= n:
                    return
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    raise Fail("no %d lines after %d s" % (n, limit))


def write_list(path, domains, extra=b""):
    with open(path, "wb") as f:
        for d in domains:
            f.write(("%s\n" % d).encode())
        f.write(extra)


def run_scan(env, args, timeout=180, **kw):
    p = subprocess.run(env.base() + args, capture_output=True, text=True, timeout=timeout, **kw)
    no_sanitizer(p.stderr)
    return p


def load_jsonl(path):
    with open(path) as f:
        return {o["domain"]: o for o in (json.loads(line) for line in f)}


def load_json(path):
    with open(path) as f:
        return json.load(f)


def host_result(dom, host):
    """A host's node in a domain's results, keyed with or without the final dot."""
    r = dom.get("results") or {}
    h = host.rstrip(".")
    return r[h + "."] if h + "." in r else r[h]


def host_check(dom, host, check):
    # results is keyed by the absolute host name, as the original keys it
    return host_result(dom, host)["checks"].get(check)


# ------------------------------------------------------------------- tests
def t_basic(env, tmp):
    inp, out, db, agg = (os.path.join(tmp, x) for x in ("in.csv", "o.jsonl", "s.db", "a.json"))
    env.csv(inp)
    p = subprocess.run(env.base() + ["-j", "64", "--output", out, "--db", db,
                                     "--aggregate-json", agg, inp],
                       capture_output=True, text=True, timeout=300)
    no_sanitizer(p.stderr)
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    expect_complete(env, out, db)
    con = sqlite3.connect(db)
    dbst = dict(con.execute("SELECT domain, status FROM domains"))
    hosts = con.execute("SELECT count(*) FROM hosts").fetchone()[0]
    checks = con.execute("SELECT count(*) FROM checks WHERE hostname=''").fetchone()[0]
    con.close()
    with open(out) as f:
        for line in f:
            o = json.loads(line)
            check(dbst[o["domain"]] == o["status"], "status differs for " + o["domain"])
    check(hosts > 0 and checks > 0, "no host or domain-check rows")
    with open(agg) as f:
        a = json.load(f)
    check(a["attempted"] == len(env.domains), "aggregate attempted %d" % a["attempted"])
    check(sum(a["status"].values()) == len(env.domains), "status distribution does not add up")
    check(a["with_mx"] > 0 and a["unique_hosts"] > 0 and a["connections"] > 0, "empty aggregate")


def t_rejects(env, tmp):
    inp, out, rej = (os.path.join(tmp, x) for x in ("in.csv", "o.jsonl", "r.log"))
    extra = (b"1,2,good.test\n"                # too many columns (auto)
             b"7,bad..name.test\n"             # invalid domain
             b"8,nul\x00.test\n"               # NUL byte
             b"9," + b"a" * 10240 + b".test\n"  # 10 KB line
             b"10,GOOD.test\n"                 # duplicate (after normalization)
             b"\n   \n# comment\n")
    env.csv(inp, extra)
    n = len(env.domains) + 2  # comment line + 1-based
    agg = os.path.join(tmp, "a.json")
    p = subprocess.run(env.base() + ["-j", "64", "--checks", "mta-sts", "--output", out,
                                     "--rejects", rej, "--aggregate-json", agg, inp],
                       capture_output=True, text=True, timeout=300)
    no_sanitizer(p.stderr)
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    j = jsonl_domains(out)
    check(sorted(j) == sorted(env.domains), "checked set differs from the valid domains")
    with open(rej, "rb") as f:
        log = f.read().decode()
    want = {n: "too many columns", n + 1: "invalid domain", n + 2: "NUL byte",
            n + 3: "longer than", n + 4: "duplicate"}
    for ln, reason in want.items():
        check(("line %d\t" % ln) in log and reason in log.split("line %d\t" % ln)[1].split("\n")[0],
              "reject log lacks line %d (%s):\n%s" % (ln, reason, log))
    check(log.count("\n") == 5, "reject log has %d lines, want 5:\n%s" % (log.count("\n"), log))
    check("4 rejected lines" in p.stderr and "1 duplicates" in p.stderr, "summary: " + p.stderr)
    a = load_json(agg)
    check(a["attempted"] + a["excluded"] + a["rejected"] + a["duplicates"] == a["lines"]
          == len(env.domains) + 5,
          "counts do not add up: %r" % a)
    check("%d input lines" % a["lines"] in p.stderr, "summary lacks the input lines: " + p.stderr)


def t_resume_kill(env, tmp):
    inp, out, db = (os.path.join(tmp, x) for x in ("in.csv", "o.jsonl", "s.db"))
    env.csv(inp)
    proc = subprocess.Popen(env.base() + ["-j", "8", "--cache-ttl", "0", "--output", out,
                                          "--db", db, inp],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_lines(out, 15, proc)
    proc.kill()
    proc.wait()
    before = len(jsonl_domains(out))
    check(before < len(env.domains), "scan finished before the kill")
    p = subprocess.run(env.base() + ["-j", "64", "--output", out, "--db", db, "--resume", inp],
                       capture_output=True, text=True, timeout=300)
    no_sanitizer(p.stderr)
    check(p.returncode == 0, "resume exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    check("skipped (resume)" in p.stderr, p.stderr)
    expect_complete(env, out, db)


def t_sigint(env, tmp):
    inp, out, db = (os.path.join(tmp, x) for x in ("in.csv", "o.jsonl", "s.db"))
    env.csv(inp)
    proc = subprocess.Popen(env.base() + ["-j", "8", "--output", out, "--db", db, inp],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_lines(out, 10, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    no_sanitizer(err)
    check(proc.returncode == 130, "exit %d after SIGINT: %s" % (proc.returncode, err[-2000:]))
    check("interrupted" in err, "no summary: " + err)
    con = sqlite3.connect(db)
    ok = con.execute("PRAGMA integrity_check").fetchone()[0]
    con.close()
    check(ok == "ok", "integrity_check: " + ok)
    j, d = jsonl_domains(out), db_domains(db)
    check(sorted(j) == sorted(d), "file and database differ after SIGINT")
    check(len(j) < len(env.domains), "SIGINT came too late to test")
    p = subprocess.run(env.base() + ["-j", "64", "--output", out, "--db", db, "--resume", inp],
                       capture_output=True, text=True, timeout=300)
    check(p.returncode == 0, "resume exit %d" % p.returncode)
    expect_complete(env, out, db)


def t_no_smtp(env, tmp):
    inp, out, agg = (os.path.join(tmp, x) for x in ("in.csv", "o.jsonl", "a.json"))
    trace = os.path.join(tmp, "strace.log")
    env.csv(inp)
    p = subprocess.run(["strace", "-f", "-qq", "-e", "trace=connect", "-o", trace] + env.base() +
                       ["-j", "32", "--checks", "mta-sts,tls-rpt", "--output", out,
                        "--aggregate-json", agg, inp],
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))  # LSan vs ptrace
    no_sanitizer(p.stderr)
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    check(sorted(jsonl_domains(out)) == sorted(env.domains), "not every domain checked")
    with open(trace) as f:
        smtp = [ln for ln in f if "htons(25)" in ln]
    check(not smtp, "connections to port 25:\n" + "".join(smtp[:5]))
    with open(agg) as f:
        a = json.load(f)
    check(a["connections"] == 0 and a["host_checks"] == 0, "aggregate counts SMTP work: %r" % a)
    with open(out) as f:
        for line in f:
            check(not json.loads(line).get("results"), "host results with SMTP off")


STATUS_ERROR = 3   # a check that could not run (refused, timed out, 421, DNS failure)


def host_key(name):
    """A host's name as host_cache keys it: lower case, no final dot."""
    return name.rstrip(".").lower()


def host_nodes(out):
    """{(domain, host key): host node} of every host result in a JSON Lines file."""
    return {(d, host_key(h)): r for d, o in load_jsonl(out).items()
            for h, r in (o.get("results") or {}).items()}


def past_budget(node):
    """A host the domain's time limit left unchecked (--domain-timeout)."""
    conn = (node.get("checks") or {}).get("connectivity") or {}
    return "time limit" in " ".join(conn.get("messages") or [])


def stored_hosts(db):
    """{hostname: checked_at} of the database's host_cache table."""
    con = sqlite3.connect(db)
    try:
        return dict(con.execute("SELECT hostname, checked_at FROM host_cache"))
    finally:
        con.close()


def verdicts(node, path=""):
    """(path, status) of a domain-level check and of every check below it."""
    out = [(path, node.get("status"))]
    for k, c in sorted((node.get("checks") or {}).items()):
        out += verdicts(c, path + "/" + k)
    return out


def without_text(node):
    """A result node without its prose (messages, recommendations): what a verdict
    is made of. (garbage.test's host quotes random bytes in its messages.)"""
    if isinstance(node, dict):
        return {k: without_text(v) for k, v in node.items()
                if k not in ("messages", "recommendations")}
    if isinstance(node, list):
        return [without_text(v) for v in node]
    return node


def domain_inputs(o):
    """What a domain's status is made of: its MX hosts, their results, and the
    verdicts of its domain-level checks (MTA-STS, TLS-RPT, ...), which are
    checked again in every run."""
    tops = dict(o.get("extra_results") or {})
    if o.get("mta_sts"):
        tops["mta_sts"] = o["mta_sts"]
    return (o.get("mx_hosts"), without_text(o.get("results")),
            sorted(v for k, c in tops.items() for v in verdicts(c, k)))


def expect_stored(first, h1, stored1):
    """After a first run on an empty cache: every host whose checks all ran is
    stored, no other; the world gives both kinds."""
    done1 = {h for (_, h), r in h1.items() if r["status"] != STATUS_ERROR}
    errors1 = {h for (_, h), r in h1.items()
               if r["status"] == STATUS_ERROR and not past_budget(r)}
    check(not done1 & errors1, "a host is an error in one domain, not in another: %r"
          % sorted(done1 & errors1))
    check(set(stored1) == done1, "host_cache after the first run: missing %r, transient"
          " stored %r" % (sorted(done1 - set(stored1)), sorted(set(stored1) - done1)))
    check(done1 and errors1 and first["host_checks"] > len(errors1),
          "first run: %d host checks, %d stored, %d errors; the world should give both"
          % (first["host_checks"], len(done1), len(errors1)))


def expect_checks(name, st, nodes, stored):
    """A run with the hosts of stored in its cache: one check (plus its retry after
    a 421) for each other host, a cache hit for every other host lookup."""
    again = {h for (_, h), r in nodes.items() if h not in stored and not past_budget(r)}
    asked = sum(1 for r in nodes.values() if not past_budget(r))
    check(st["host_checks"] == len(again) + st["throttle_retries"],
          "%s: %d host checks (%d retries after 421), want one for each of the %d"
          " hosts not stored: %s" % (name, st["host_checks"], st["throttle_retries"],
                                     len(again), " ".join(sorted(again))))
    check(st["cache_hits"] == asked - len(again),
          "%s: %d cache hits, want %d" % (name, st["cache_hits"], asked - len(again)))


def expect_reused(h1, h2, stored1, stored2):
    """The second run took the stored hosts' results as they were and did not store
    them again; of the others it stored those whose checks all ran."""
    changed = sorted("%s %s" % k for k, r in h2.items()
                     if k[1] in stored1 and r != h1.get(k))
    check(not changed, "reused host results differ from the first run's: %s"
          % " ".join(changed[:5]))
    check(all(stored2.get(h) == t for h, t in stored1.items()),
          "the second run stored again hosts it reused")
    done2 = {h for (_, h), r in h2.items() if h not in stored1 and not past_budget(r)
             and r["status"] != STATUS_ERROR}
    check(set(stored2) == set(stored1) | done2,
          "host_cache after the second run: %r, want the first's and %r"
          % (sorted(set(stored2) - set(stored1)), sorted(done2)))


def expect_same_status(dom1, dom2):
    """The same status wherever the same inputs went in. A host checked again may
    come out otherwise (it timed out under load, a 421 came at another moment):
    its domain's status may then differ."""
    check(sorted(dom1) == sorted(dom2), "the runs checked different domains")
    moved = []
    for d in sorted(dom1):
        if domain_inputs(dom1[d]) != domain_inputs(dom2[d]):
            moved.append(d)
            continue
        check(dom1[d]["status"] == dom2[d]["status"],
              "%s: status %s, then %s from the same results" % (d, dom1[d]["status"],
                                                              dom2[d]["status"]))
    if moved:
        print("  note: inputs differ between the runs for %s" % " ".join(moved))


def t_cache_reuse(env, tmp):
    """A second run on the same --db checks again exactly the hosts whose checks could
    not run in the first (status error: never stored), reuses every other host's
    result unchanged, and gives the same status to every domain whose inputs are
    the same. A host checked again may well come out otherwise (it timed out under
    load, or a 421 came at another moment): its domain's status may then differ."""
    inp, db = os.path.join(tmp, "in.csv"), os.path.join(tmp, "s.db")
    env.csv(inp)
    runs = []
    for i in (1, 2):
        out, agg = os.path.join(tmp, "o%d.jsonl" % i), os.path.join(tmp, "a%d.json" % i)
        env.rate_limit_wait()   # ratelimit.test: its first connection served in both runs
        # A domain budget that every host fits in: hosts past a shorter one are
        # not checked at all, so which hosts run would depend on the load.
        p = subprocess.run(env.base() + ["--domain-timeout", "60", "-j", "64", "--db", db,
                                         "--aggregate-json", agg, "--output", out, inp],
                           capture_output=True, text=True, timeout=300)
        no_sanitizer(p.stderr)
        check(p.returncode == 0, "run %d: exit %d: %s" % (i, p.returncode, p.stderr[-2000:]))
        runs.append((load_jsonl(out), host_nodes(out), load_json(agg), stored_hosts(db)))
    (dom1, h1, first, stored1), (dom2, h2, second, stored2) = runs

    expect_stored(first, h1, stored1)
    expect_checks("second run", second, h2, stored1)
    expect_reused(h1, h2, stored1, stored2)
    expect_same_status(dom1, dom2)


def t_cache_options(env, tmp):
    """A host result made under other options is never reused (DANE after --no-dane)."""
    inp, db, out, a2 = (os.path.join(tmp, x) for x in ("in.txt", "s.db", "o.jsonl", "a2.json"))
    write_list(inp, ["good.test", "dane311.test"])
    p = run_scan(env, ["--no-dane", "--db", db, inp])
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    p = run_scan(env, ["--db", db, "--output", out, "--aggregate-json", a2, inp])
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    o = load_jsonl(out)
    dane = host_check(o["good.test"], "mx1.good.test", "dane")
    check(dane is not None and dane["status"] == 0 and dane["details"].get("authenticated"),
          "DANE after a --no-dane run: %r" % dane)
    check(load_json(a2)["host_checks"] == 2, "the second run reused the --no-dane results")
    # Same options again: now the cache serves them.
    p = run_scan(env, ["--db", db, "--aggregate-json", a2, inp])
    check(p.returncode == 0 and load_json(a2)["host_checks"] == 0, "same options: no reuse")
    # Another SMTP port (not listening): nothing reused, every host could not connect.
    p = run_scan(env, ["--db", db, "--port", "2525", "--output", out, "--aggregate-json", a2,
                       inp])
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    check(load_json(a2)["host_checks"] == 2, "--port 2525 reused port 25 results")
    check(all(o["status"] == 5 for o in load_jsonl(out).values()), "port 2525 connected?")


def t_cache_transient(env, tmp):
    """Refused, throttled (421) hosts are not reused across runs; --fresh, --cache-ttl."""
    inp, db, a = (os.path.join(tmp, x) for x in ("in.txt", "s.db", "a.json"))
    write_list(inp, ["good.test", "allrefused.test", "throttle.test"])
    p = run_scan(env, ["--db", db, "--retry-delay", "0", "--aggregate-json", a, inp])
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    con = sqlite3.connect(db)
    cached = sorted(r[0] for r in con.execute("SELECT hostname FROM host_cache"))
    con.close()
    check(cached == ["mx1.good.test"], "host_cache holds %r" % cached)
    p = run_scan(env, ["--db", db, "--retry-delay", "0", "--aggregate-json", a, inp])
    st = load_json(a)
    check(st["host_checks"] >= 2 and st["cache_hits"] == 1,
          "transient outcomes reused: %d checks, %d hits" % (st["host_checks"], st["cache_hits"]))
    p = run_scan(env, ["--db", db, "--fresh", "--retry-delay", "0", "--aggregate-json", a, inp])
    check(p.returncode == 0, "--fresh exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    check(load_json(a)["cache_hits"] == 0, "--fresh used the stored cache")
    time.sleep(2.2)
    p = run_scan(env, ["--db", db, "--cache-ttl", "1", "--retry-delay", "0",
                       "--aggregate-json", a, inp])
    check(p.returncode == 0 and load_json(a)["cache_hits"] == 0, "--cache-ttl 1 reused an old result")


def t_probe_throttle(env, tmp):
    """Probes answered 421 are retried like a throttled session; a retry whose own
    session is throttled does not replace the first result; the checks say not tested."""
    inp, out, a = (os.path.join(tmp, x) for x in ("in.txt", "o.jsonl", "a.json"))
    write_list(inp, ["ratelimit.test"])
    env.rate_limit_wait()   # smtpd rate-limit: 421 for 5 s after a served connection
    p = run_scan(env, ["--output", out, "--aggregate-json", a, "--retry-delay", "1", inp])
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    st = load_json(a)
    check(st["throttle_retries"] == 1 and st["host_checks"] == 2,
          "%d retries, %d host checks; want 1 and 2" % (st["throttle_retries"], st["host_checks"]))
    dom = load_jsonl(out)["ratelimit.test"]
    host = "mx1.ratelimit.test"
    conn = host_check(dom, host, "connectivity")
    check(conn["status"] == 0, "the retry's throttled session replaced the first: %r"
          % conn.get("messages"))
    v = host_check(dom, host, "version")["details"]
    check(v.get("legacy_tested") is False and "legacy_refused" not in v,
          "legacy probe answered 421 but: %r" % v)
    c = host_check(dom, host, "cipher")["details"]
    check(c.get("weak_tested") is False, "weak probe answered 421 but: %r" % c)


FAST = ["good.test", "multi.test", "refused.test", "implicit.test", "nullmx.test",
        "selfsigned.test", "wrongname.test", "expired.test", "dane311.test", "sts-enforce.test",
        "tls10.test", "unsigned.test"]


def expect_agree(out, db):
    """The JSON file and the database hold the same domains, each wholly."""
    j = jsonl_domains(out)
    con = sqlite3.connect(db)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        d = [r[0] for r in con.execute("SELECT domain FROM domains")]
        orphans = [r[0] for r in con.execute(
            "SELECT DISTINCT domain FROM hosts WHERE domain NOT IN (SELECT domain FROM domains)"
            " UNION SELECT DISTINCT domain FROM checks"
            " WHERE domain NOT IN (SELECT domain FROM domains)")]
        nohosts = [r[0] for r in con.execute(
            "SELECT domain FROM domains WHERE json LIKE '%\"results\":{\"%'"
            " AND domain NOT IN (SELECT domain FROM hosts)")]
    finally:
        con.close()
    check(ok == "ok", "integrity_check: " + ok)
    check(len(j) == len(set(j)) and len(d) == len(set(d)), "duplicates")
    check(sorted(j) == sorted(d), "file and database differ: file only %r, db only %r" % (
        sorted(set(j) - set(d)), sorted(set(d) - set(j))))
    check(not orphans, "host/check rows of domains not recorded: %r" % orphans)
    check(not nohosts, "domains recorded without their host rows: %r" % nohosts)
    return j


def t_db_fault(env, tmp):
    """A failing insert rolls back that domain; file and database agree; exit 74; --resume."""
    inp, out, db = (os.path.join(tmp, x) for x in ("in.txt", "o.jsonl", "s.db"))
    write_list(inp, FAST)
    empty = os.path.join(tmp, "empty.txt")
    write_list(empty, [])
    p = run_scan(env, ["--db", db, empty])
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    con = sqlite3.connect(db)
    con.execute("CREATE TRIGGER boom BEFORE INSERT ON checks WHEN NEW.domain='multi.test'"
                " BEGIN SELECT RAISE(ABORT, 'injected fault'); END")
    con.commit()
    con.close()
    p = run_scan(env, ["-j", "1", "--output", out, "--db", db, inp])
    check(p.returncode == 74, "exit %d, want 74: %s" % (p.returncode, p.stderr[-2000:]))
    check("injected fault" in p.stderr, "the error is not reported: " + p.stderr[-2000:])
    j = expect_agree(out, db)
    check("multi.test" not in j, "multi.test recorded despite its failed insert")
    check("good.test" in j, "good.test (before the fault) lost")
    con = sqlite3.connect(db)
    con.execute("DROP TRIGGER boom")
    con.commit()
    con.close()
    p = run_scan(env, ["-j", "4", "--output", out, "--db", db, "--resume", inp])
    check(p.returncode == 0, "resume exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    check(sorted(expect_agree(out, db)) == sorted(FAST), "resume did not complete the set")


def t_disk_full(env, tmp):
    """On a full file system: exit 74, file and database agree, --resume completes."""
    mnt = os.path.join(tmp, "small")
    os.mkdir(mnt)
    inp, out, db = os.path.join(tmp, "in.txt"), os.path.join(mnt, "o.jsonl"), os.path.join(mnt, "s.db")
    write_list(inp, FAST)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160k,mode=0755", "tmpfs", mnt],
                       capture_output=True, text=True)
    check(r.returncode == 0, "mount tmpfs: " + r.stderr)
    try:
        p = run_scan(env, ["-j", "2", "--output", out, "--db", db, "--rejects",
                           os.path.join(tmp, "r.log"), inp])
        check(p.returncode == 74, "exit %d, want 74 (file system full): %s" % (
            p.returncode, p.stderr[-2000:]))
        check("full" in p.stderr.lower() or "space" in p.stderr.lower(),
              "no disk-full error: " + p.stderr[-2000:])
        j = expect_agree(out, db)
        check(len(j) < len(FAST), "everything fit: make the tmpfs smaller")
        r = subprocess.run(["mount", "-o", "remount,size=16m", mnt], capture_output=True, text=True)
        check(r.returncode == 0, "remount: " + r.stderr)
        p = run_scan(env, ["-j", "4", "--output", out, "--db", db, "--rejects",
                           os.path.join(tmp, "r.log"), "--resume", inp])
        check(p.returncode == 0, "resume exit %d: %s" % (p.returncode, p.stderr[-2000:]))
        check(sorted(expect_agree(out, db)) == sorted(FAST), "resume did not complete the set")
    finally:
        subprocess.run(["umount", mnt], capture_output=True)


def start_scan(env, args, tmp, **kw):
    """Popen of a scan with stderr to a file (stdin stays as given, e.g. an open pipe)."""
    errpath = os.path.join(tmp, "stderr.%d" % len(os.listdir(tmp)))
    proc = subprocess.Popen(env.base() + args, stdout=subprocess.DEVNULL,
                            stderr=open(errpath, "wb"), **kw)
    proc.errpath = errpath
    return proc


def stop_and_time(proc, sigs, limit):
    """Send each signal (0.3 s apart); return (seconds until exit, stderr). Never closes
    the scan's stdin."""
    t0 = time.time()
    for i, sig in enumerate(sigs):
        if i:
            time.sleep(0.3)
        proc.send_signal(sig)
    try:
        proc.wait(timeout=limit + 30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise Fail("no exit %d s after %r" % (limit + 30, sigs))
    took = time.time() - t0
    with open(proc.errpath, "rb") as f:
        err = f.read().decode(errors="replace")
    no_sanitizer(err)
    check(proc.returncode == 130, "exit %d after %r: %s" % (proc.returncode, sigs, err[-2000:]))
    check("interrupted" in err, "no summary: " + err[-2000:])
    check(took < limit, "took %.1f s to stop after %r (limit %d s)" % (took, sigs, limit))
    return took, err


def t_signal_pipe(env, tmp):
    """SIGINT or SIGTERM while the input pipe is stalled: prompt exit 130, results flushed."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        out, db = os.path.join(tmp, "o%d.jsonl" % sig), os.path.join(tmp, "s%d.db" % sig)
        proc = start_scan(env, ["-j", "4", "--output", out, "--db", db, "-"], tmp,
                          stdin=subprocess.PIPE)
        proc.stdin.write(b"good.test\nmulti.test\nimplicit.test\n")
        proc.stdin.flush()  # and never closed: the reader waits for more
        wait_lines(out, 3, proc)
        stop_and_time(proc, [sig], 3)
        proc.stdin.close()
        check(sorted(expect_agree(out, db)) == ["good.test", "implicit.test", "multi.test"],
              "results lost after a signal on a stalled pipe")


def t_signal_twice(env, tmp):
    """A slow host in flight: one SIGINT waits for it (its deadline), a second drops it at
    once; complete results are flushed either way."""
    inp, out, db = (os.path.join(tmp, x) for x in ("in.txt", "o.jsonl", "s.db"))
    write_list(inp, ["good.test", "noread.test", "nobanner.test"])
    args = ["--timeout", "6", "-j", "3", "--output", out, "--db", db, inp]
    proc = start_scan(env, args, tmp)
    wait_lines(out, 1, proc)
    stop_and_time(proc, [signal.SIGINT, signal.SIGINT], 3)
    check(expect_agree(out, db) == ["good.test"], "complete result lost or slow ones written")
    os.unlink(out)
    proc = start_scan(env, args, tmp)
    wait_lines(out, 1, proc)
    took, _ = stop_and_time(proc, [signal.SIGINT], 20)
    check(sorted(expect_agree(out, db)) == ["good.test", "nobanner.test", "noread.test"],
          "one SIGINT: the domains in flight were not finished and written")


def t_signal_db_locked(env, tmp):
    """SIGINT while the database is locked by another program: a prompt exit."""
    inp, out, db = (os.path.join(tmp, x) for x in ("in.txt", "o.jsonl", "s.db"))
    write_list(inp, ["good.test", "multi.test"])
    empty = os.path.join(tmp, "empty.txt")
    write_list(empty, [])
    check(run_scan(env, ["--db", db, empty]).returncode == 0, "creating the database")
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    try:
        proc = start_scan(env, ["-j", "2", "--output", out, "--db", db, "--resume", inp], tmp)
        time.sleep(1.5)
        check(proc.poll() is None, "the scan did not wait for the lock")
        t0 = time.time()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise Fail("no exit after SIGINT while the database is locked")
        took = time.time() - t0
        with open(proc.errpath, "rb") as f:
            err = f.read().decode(errors="replace")
        no_sanitizer(err)
        check(proc.returncode in (130, 74), "exit %d: %s" % (proc.returncode, err[-2000:]))
        check(took < 3, "took %.1f s to stop while SQLite waits for a lock" % took)
    finally:
        con.execute("ROLLBACK")
        con.close()


def t_durable(env, tmp):
    """Output files get explicit modes (0644 even under umask 0); the rename that
    reconciles the JSON file on --resume is followed by an fsync of its directory."""
    inp, out, db, agg = (os.path.join(tmp, x) for x in ("in.txt", "o.jsonl", "s.db", "a.json"))
    write_list(inp, ["good.test", "multi.test", "bad..name"])
    p = run_scan(env, ["--output", out, "--db", db, "--aggregate-json", agg, inp],
                 preexec_fn=lambda: os.umask(0))
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    for f in (out, db, agg, out + ".rejects"):
        mode = os.stat(f).st_mode & 0o777
        check(mode == 0o644, "%s has mode %o under umask 0, want 644" % (os.path.basename(f), mode))
    # The database loses a domain the file has: --resume rewrites the file (rename).
    con = sqlite3.connect(db)
    con.execute("DELETE FROM domains WHERE domain='multi.test'")
    con.commit()
    con.close()
    trace = os.path.join(tmp, "strace.log")
    p = subprocess.run(["strace", "-f", "-qq", "-e", "trace=openat,rename,renameat,renameat2,fsync",
                        "-o", trace] + env.base() + ["--output", out, "--db", db, "--resume", inp],
                       capture_output=True, text=True, timeout=120, preexec_fn=lambda: os.umask(0),
                       env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
    no_sanitizer(p.stderr)
    check(p.returncode == 0, "resume exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    check(os.stat(out).st_mode & 0o777 == 0o644, "the rewritten file has mode %o"
          % (os.stat(out).st_mode & 0o777))
    with open(trace) as f:
        lines = f.read().splitlines()
    ren = [i for i, ln in enumerate(lines) if "rename" in ln and "o.jsonl" in ln]
    check(ren, "no rename of the JSON file on --resume:\n" + "\n".join(lines[-20:]))
    dirfds = set()
    synced = False
    for ln in lines[ren[0]:]:
        m = re.search(r'openat\(AT_FDCWD, "%s/?", [^)]*O_DIRECTORY[^)]*\) = (\d+)' % re.escape(tmp), ln)
        if m:
            dirfds.add(m.group(1))
        m = re.search(r"fsync\((\d+)\)", ln)
        if m and m.group(1) in dirfds:
            synced = True
    check(synced, "no fsync of %s after the rename:\n%s" % (tmp, "\n".join(lines[ren[0]:][:20])))


def t_domain_timeout(env, tmp):
    """--domain-timeout bounds a domain with several dead MX hosts, TLS-RPT included."""
    inp, out = os.path.join(tmp, "in.txt"), os.path.join(tmp, "o.jsonl")
    write_list(inp, ["slowmx.test"])
    t0 = time.time()
    p = run_scan(env, ["--timeout", "2", "--domain-timeout", "3", "--output", out, inp])
    took = time.time() - t0
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    o = load_jsonl(out)["slowmx.test"]
    skipped = [h for h in ("mx2.slowmx.test", "mx3.slowmx.test")
               if "time limit" in " ".join(host_result(o, h)["checks"]["connectivity"]["messages"])]
    check(len(skipped) == 2, "hosts past the domain's time limit were checked: %r" % o["results"])
    mx1 = " ".join(host_result(o, "mx1.slowmx.test")["checks"]["connectivity"]["messages"])
    check("time limit" not in mx1, "the first host was not checked: " + mx1)
    check(o["extra_results"]["tls-rpt"]["status"] == 0, "TLS-RPT not checked within the budget")
    check(took < 3 + 1.5, "the domain took %.1f s with --domain-timeout 3" % took)
    # A budget too small for one host is refused.
    p = run_scan(env, ["--timeout", "4", "--domain-timeout", "3", inp])
    check(p.returncode == 64, "--domain-timeout below 1.5 x --timeout accepted: %d" % p.returncode)


def world_addr(env, host):
    r = subprocess.run([os.path.join(REPO, "testbed", "world"), "hosts"], capture_output=True,
                       text=True)
    for ln in r.stdout.splitlines():
        f = ln.split()
        if len(f) > 1 and f[1] == host:
            return f[0]
    raise Fail("no address for %s in testbed/world hosts" % host)


def traced_connects(trace):
    """(time, address) of every connect() to port 25 in an strace -ttt log."""
    out = []
    with open(trace) as f:
        for ln in f:
            m = re.search(r"^\S+\s+([0-9.]+) connect\(.*htons\(25\).*inet_addr\(\"([0-9.]+)\"\)", ln)
            if m:
                out.append((float(m.group(1)), m.group(2)))
    return out


def t_exclude(env, tmp):
    """--exclude: domains, host names, addresses and CIDR ranges get no packet; each
    excluded input domain has one record saying so; the counts add up."""
    inp, out, db, agg, exc, trace = (os.path.join(tmp, x) for x in (
        "in.txt", "o.jsonl", "s.db", "a.json", "exclude.txt", "strace.log"))
    write_list(inp, ["good.test", "multi.test", "refused.test", "implicit.test", "dane311.test"])
    good, multi1 = world_addr(env, "mx1.good.test"), world_addr(env, "mx1.multi.test")
    implicit = world_addr(env, "implicit.test")
    refused = [world_addr(env, h) for h in ("mx1.refused.test", "mx2.refused.test")]
    with open(exc, "w") as f:
        f.write("# opt-outs\nrefused.test\nmx1.multi.test\n%s\n\n%s/32\n" % (good, implicit))
    p = subprocess.run(["strace", "-f", "-qq", "-ttt", "-e", "trace=connect", "-o", trace] +
                       env.base() + ["--exclude", exc, "--output", out, "--db", db,
                                     "--aggregate-json", agg, inp],
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
    no_sanitizer(p.stderr)
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    addrs = {a for _, a in traced_connects(trace)}
    for a in [good, multi1, implicit] + refused:
        check(a not in addrs, "connected to excluded %s" % a)
    check(world_addr(env, "mx1.dane311.test") in addrs, "no connection at all? (strace)")
    o = load_jsonl(out)
    check(sorted(o) == sorted(["good.test", "multi.test", "refused.test", "implicit.test",
                               "dane311.test"]), "not one record per domain: %r" % sorted(o))
    check(sorted(expect_agree(out, db)) == sorted(o), "file and database differ")
    r = o["refused.test"]
    check(r["status"] == 3 and r["details"].get("excluded") is True and not r.get("results"),
          "excluded domain record: %r" % r)
    for dom, host in (("multi.test", "mx1.multi.test"), ("good.test", "mx1.good.test"),
                      ("implicit.test", "implicit.test")):
        msg = " ".join(host_result(o[dom], host)["checks"]["connectivity"]["messages"])
        check("exclude" in msg, "%s: %s not reported as excluded: %s" % (dom, host, msg))
    check(host_result(o["multi.test"], "mx2.multi.test")["status"] == 0, "mx2.multi.test not checked")
    a = load_json(agg)
    check(a["excluded"] == 1, "excluded count %r" % a.get("excluded"))
    check(a["attempted"] + a["excluded"] + a["rejected"] + a["duplicates"] == a["lines"] == 5,
          "counts do not add up: %r" % a)
    # The MTA-STS policy host's address excluded: no HTTPS packet either.
    https = env.wenv["WORLD_HTTPS"]
    with open(exc, "w") as f:
        f.write("%s/32\n" % https)
    write_list(inp, ["sts-enforce.test"])
    p = subprocess.run(["strace", "-f", "-qq", "-ttt", "-e", "trace=connect", "-o", trace] +
                       env.base() + ["--exclude", exc, "--output", out, inp],
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
    no_sanitizer(p.stderr)
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    with open(trace) as f:
        hits = [ln for ln in f if 'inet_addr("%s")' % https in ln]
    check(not hits, "connected to the excluded policy host:\n" + "".join(hits[:3]))
    sts = json.dumps(load_jsonl(out)["sts-enforce.test"].get("mta_sts"))
    check("exclu" in sts, "the MTA-STS result does not say the policy host is excluded: " + sts[:600])
    # A bad exclusion line is a usage error, before anything is checked.
    with open(exc, "w") as f:
        f.write("# comment\n" * 6 + "999.1.2.3/40\n")
    p = run_scan(env, ["--exclude", exc, "--output", out, inp])
    check(p.returncode == 64 and "line 7" in p.stderr, "bad --exclude line: exit %d %s"
          % (p.returncode, p.stderr[-500:]))


def t_rate(env, tmp):
    """--rate N: new SMTP connections across the scan, at most N per second."""
    inp, out, agg, trace = (os.path.join(tmp, x) for x in ("in.txt", "o.jsonl", "a.json",
                                                            "strace.log"))
    write_list(inp, FAST)
    p = subprocess.run(["strace", "-f", "-qq", "-ttt", "-e", "trace=connect", "-o", trace] +
                       env.base() + ["-j", "12", "--rate", "10", "--output", out,
                                     "--aggregate-json", agg, inp],
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
    no_sanitizer(p.stderr)
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    times = sorted(t for t, _ in traced_connects(trace))
    check(len(times) >= 20, "only %d connections" % len(times))
    worst = max(sum(1 for u in times if t <= u < t + 1.0) for t in times)
    check(worst <= 11, "%d connections within one second with --rate 10" % worst)
    check(times[-1] - times[0] >= (len(times) - 1) / 10.0 - 0.2,
          "%d connections in %.2f s with --rate 10" % (len(times), times[-1] - times[0]))


def t_big_seen(env, tmp):
    """The spilled seen and resume sets stay exact; a missing TMPDIR changes nothing."""
    n = 10000
    old = ["d%d.scale.test" % i for i in range(n)]
    new = FAST[:3]
    lines = old + [d.upper() for d in old] + new + new[:1]
    for tmpdir in (os.path.join(tmp, "t"), os.path.join(tmp, "missing")):
        made = not tmpdir.endswith("missing")
        if made:
            os.mkdir(tmpdir)
        inp, out, trace = (os.path.join(tmp, x) for x in ("in.txt", "o.jsonl", "strace.log"))
        with open(out, "w") as f:
            for d in old:
                f.write('{"domain":"%s","status":0}\n' % d)
        write_list(inp, lines)
        p = subprocess.run(["strace", "-f", "-qq", "-e", "trace=openat", "-o", trace] +
                           env.base() + ["-j", "8", "--checks", "mta-sts", "--output", out,
                                         "--resume", inp],
                           capture_output=True, text=True, timeout=180,
                           env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0", TMPDIR=tmpdir))
        no_sanitizer(p.stderr)
        check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-2000:]))
        want = "%d input lines: %d domains checked, %d skipped (resume), %d duplicates" % (
            len(lines), len(new), n, n + 1)
        check(want in p.stderr, "summary, want %r: %s" % (want, p.stderr[-2000:]))
        j = jsonl_domains(out)
        check(sorted(j) == sorted(old + new), "JSON file: %d lines, %d domains" % (
            len(j), len(set(j))))
        with open(trace) as f:
            opens = [ln for ln in f if "O_TMPFILE" in ln and '"%s"' % tmpdir in ln]
        if made:
            check(len(opens) == 2 and all("ENOENT" not in ln for ln in opens),
                  "want the input and resume sets' files in TMPDIR: %r" % opens)
        else:
            check(opens and all("ENOENT" in ln for ln in opens), "TMPDIR missing: %r" % opens)


# The tests that connect to the world's rate-limit host (ratelimit.test: every
# test that scans all world domains with SMTP checks). CTest gives them the
# RESOURCE_LOCK world_ratelimit (tests/scan/CMakeLists.txt), so they never
# throttle each other or world.ratelimit.test; the ones whose result depends
# on being served first also call env.rate_limit_wait().
RATE_LIMITED = {"basic", "resume-kill", "sigint", "cache-reuse", "probe-throttle"}

TESTS = {"basic": t_basic, "rejects": t_rejects, "resume-kill": t_resume_kill,
         "sigint": t_sigint, "no-smtp": t_no_smtp, "cache-reuse": t_cache_reuse,
         "cache-options": t_cache_options, "cache-transient": t_cache_transient,
         "db-fault": t_db_fault, "disk-full": t_disk_full, "signal-pipe": t_signal_pipe,
         "signal-twice": t_signal_twice, "signal-db-locked": t_signal_db_locked,
         "durable": t_durable, "probe-throttle": t_probe_throttle,
         "domain-timeout": t_domain_timeout, "exclude": t_exclude, "rate": t_rate,
         "big-seen": t_big_seen}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("STC_BIN",
                                                    os.path.join(REPO, "build", "starttls-check")))
    ap.add_argument("--run", default=None, help="the world's run directory (WORLD_RUN)")
    ap.add_argument("--list-rate-limited", action="store_true",
                    help="print the tests that connect to the rate-limit host (for CTest)")
    ap.add_argument("tests", nargs="*", default=["all"])
    args = ap.parse_args()
    if args.list_rate_limited:
        print("\n".join(sorted(RATE_LIMITED)))
        return
    names = list(TESTS) if args.tests in (["all"], []) else args.tests
    env = Env(args)
    failed = 0
    for name in names:
        with tempfile.TemporaryDirectory(prefix="scan_test.") as tmp:
            t0 = time.time()
            try:
                TESTS[name](env, tmp)
                print("PASS %s (%.1f s)" % (name, time.time() - t0))
            except (Fail, subprocess.TimeoutExpired, KeyError, ValueError) as e:
                failed += 1
                print("FAIL %s: %s" % (name, e))
    print("%d passed, %d failed" % (len(names) - failed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
