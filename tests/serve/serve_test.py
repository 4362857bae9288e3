#!/usr/bin/python3
"""serve_test.py - starttls-check serve against the local mail world.

Starts `BIN serve` on PREFIX.0.80 (port 0: any free port), talks HTTP to it
from loopback addresses of the world's prefix and checks the page, the JSON
API (good and bad input: invalid and over-long names, huge bodies, unknown
ids, bad methods), the security headers, the per-client rate limit, the
bounded queue (503), one check per domain (100 concurrent clients asking
for one domain get one check), the address filter (without
--allow-private nothing is sent to the world's loopback hosts: the result
says "not tested" and the world's SMTP log has no connection), and SIGTERM
in the middle of a check (no new connection, the running check finishes and
is stored, exit 0).

Usage: serve_test.py BIN [-k NAME]   (the world must be up; WORLD_PREFIX)
Prints "ok NAME" / "FAIL NAME: why"; exit 0 when all passed, 1 otherwise,
2 when the world is not up.
"""
import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
WORLD = os.path.join(REPO, "testbed", "world")
PREFIX = os.environ.get("WORLD_PREFIX", "127.77")
RUN = os.environ.get("WORLD_RUN", os.path.join(REPO, "testbed", "run"))
SANITIZER = ("AddressSanitizer", "runtime error:", "LeakSanitizer", "ThreadSanitizer")


class Fail(Exception):
    pass


def world_env():
    out = subprocess.run([WORLD, "env"], capture_output=True, text=True)
    if out.returncode != 0:
        print("serve_test: the world is not up", file=sys.stderr)
        sys.exit(2)
    env = dict(re.findall(r"(\w+)=(\S+)", out.stdout))
    return env


class Server:
    """One `serve` process; stop() sends SIGTERM and checks the exit."""

    def __init__(self, bin_, env, *extra, allow_private=True, host=None, db=None):
        self.dir = tempfile.mkdtemp(prefix="serve_test.")
        self.db = db or os.path.join(self.dir, "serve.db")
        self.host = host or PREFIX + ".0.80"
        args = [bin_, "serve", "--listen", self.host + ":0", "--db", self.db,
                "--resolver", env["WORLD_RESOLVER"], "--trust-anchor",
                env["WORLD_TRUST_ANCHOR"], "--ca-file", env["WORLD_CA"], "--timeout", "10"]
        if allow_private:
            args.append("--allow-private")
        args += list(extra)
        self.err = open(os.path.join(self.dir, "stderr"), "w+")
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.err, text=True)
        line = self.p.stdout.readline()
        m = re.search(r"port (\d+)", line)
        if not m:
            self.p.kill()
            raise Fail("serve did not start: %r %s" % (line, self.stderr()))
        self.port = int(m.group(1))

    def stderr(self):
        self.err.flush()
        self.err.seek(0)
        return self.err.read()

    def request(self, method, path, body=None, headers=None, src=None, timeout=30):
        c = http.client.HTTPConnection(self.host, self.port, timeout=timeout,
                                       source_address=(src, 0) if src else None)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            c.close()

    def api(self, method, path, obj=None, src=None, raw=None):
        body = raw if raw is not None else (json.dumps(obj) if obj is not None else None)
        st, h, data = self.request(method, path, body,
                                   {"Content-Type": "application/json"}, src=src)
        try:
            doc = json.loads(data) if data else None
        except ValueError:
            raise Fail("%s %s: %d answer is not JSON: %r" % (method, path, st, data[:200]))
        return st, h, doc

    def start(self, domain, src=None):
        return self.api("POST", "/api/v1/checks", {"domain": domain}, src=src)

    def wait_done(self, cid, limit=90):
        t = time.monotonic()
        while time.monotonic() - t < limit:
            st, _, doc = self.api("GET", "/api/v1/checks/" + cid)
            if st != 200:
                raise Fail("GET check %s: %d %r" % (cid, st, doc))
            if doc["state"] == "done":
                return doc
            time.sleep(0.2)
        raise Fail("check %s not done after %d s" % (cid, limit))

    def stop(self, within=60):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(within)
        except subprocess.TimeoutExpired:
            self.p.kill()
            raise Fail("serve did not stop within %d s of SIGTERM" % within)
        err = self.stderr()
        for mark in SANITIZER:
            if mark in err:
                raise Fail("sanitizer report: " + err[err.index(mark):][:400])
        if rc != 0:
            raise Fail("serve exited %d after SIGTERM: %s" % (rc, err[-400:]))


def raw_status(S, head, body):
    """Send a request on a raw socket (send errors ignored), return the status code."""
    import socket
    sk = socket.create_connection((S.host, S.port), timeout=20)
    try:
        try:
            sk.sendall(head)
            sk.sendall(body)
        except OSError:
            pass
        data = b""
        while b"\r\n" not in data:
            got = sk.recv(4096)
            if not got:
                break
            data += got
    except OSError as e:
        return "no answer: %s (%r)" % (e, data[:100])
    finally:
        sk.close()
    m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
    return int(m.group(1)) if m else "no status line: %r" % data[:100]


def expect(cond, what):
    if not cond:
        raise Fail(what)


def is_error(st, h, doc, status, code):
    expect(st == status, "want %d, got %d %r" % (status, st, doc))
    expect(isinstance(doc, dict) and doc.get("error", {}).get("status") == status and
           doc["error"].get("code") == code, "error document %r, want code %s" % (doc, code))
    expect(h.get("cache-control") == "no-store", "API error cached: %r" % h.get("cache-control"))
    expect(h.get("content-type", "").startswith("application/json"), "error not JSON")


# ---------------------------------------------------------------- cases
def t_page_and_headers(S, env):
    st, h, body = S.request("GET", "/")
    expect(st == 200, "GET / %d" % st)
    csp = h.get("content-security-policy", "")
    expect("script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1]
           .split(";")[0], "CSP allows inline script: %r" % csp)
    expect("frame-ancestors 'none'" in csp, "no frame-ancestors: %r" % csp)
    expect(h.get("x-content-type-options") == "nosniff", "no nosniff")
    expect(b"<form" in body and b"name=\"domain\"" in body, "no form")
    expect(b"<script>" not in body and b"onclick" not in body, "inline script in the page")
    st, h, js = S.request("GET", "/static/app.js")
    expect(st == 200 and h["content-type"].startswith("text/javascript") and b"fetch(" in js,
           "app.js")


def t_check_flow(S, env):
    st, h, doc = S.start("Good.Test.")
    expect(st == 202, "POST: %d %r" % (st, doc))
    cid = doc["id"]
    expect(re.fullmatch(r"[0-9a-f]{32}", cid), "id %r" % cid)
    expect(doc["domain"] == "good.test", "not normalized: %r" % doc["domain"])
    expect(h.get("location") == "/api/v1/checks/" + cid, "Location %r" % h.get("location"))
    done = S.wait_done(cid)
    expect(done["status"] == 0 and done["result"]["status"] == 0, "good.test status %r" %
           done.get("status"))
    expect("mx1.good.test." in done["result"]["results"], "not the --json document")
    st, _, again = S.start("good.test")
    expect(st == 200 and again["id"] == cid and again["cached"] is True,
           "asking again within the cache: %d %r" % (st, again))
    st, _, latest = S.api("GET", "/api/v1/domains/good.test/latest")
    expect(st == 200 and latest["id"] == cid and latest["result"]["domain"] == "good.test",
           "latest %d" % st)
    st, _, hist = S.api("GET", "/api/v1/domains/good.test/history")
    expect(st == 200 and [c["id"] for c in hist["checks"]] == [cid], "history %r" % hist)
    st, _, page = S.request("GET", "/check/" + cid)
    expect(st == 200 and b"good.test" in page and ("/check/" + cid).encode() in page and
           b"id=\"permalink\"" in page, "report page")
    st, _, page = S.request("GET", "/domain/good.test")
    expect(st == 200 and cid.encode() in page, "history page")
    # The form without script: 303 to the check's page.
    st, h, _ = S.request("POST", "/check", "domain=good.test",
                         {"Content-Type": "application/x-www-form-urlencoded"})
    expect(st == 303 and h.get("location") == "/check/" + cid, "form POST: %d %r" % (st, h))


def t_progress(S, env):
    st, _, doc = S.start("slowa.test")
    expect(st == 202, "POST slowa.test %d" % st)
    seen = set()
    t = time.monotonic()
    while time.monotonic() - t < 60:
        _, _, d = S.api("GET", "/api/v1/checks/" + doc["id"])
        for hst in d["progress"]["hosts"]:
            seen.add((hst["name"], hst["state"]))
        if d["state"] == "done":
            break
        time.sleep(0.1)
    expect(d["state"] == "done", "not done")
    expect(("mx1.slowa.test.", "running") in seen or ("mx1.slowa.test", "running") in seen,
           "never saw mx1 running: %r" % sorted(seen))
    expect(any(n.startswith("mx2.slowa.test") and s == "done" for n, s in seen) or
           d["state"] == "done", "mx2 never done")
    expect(any(n.startswith("mx2.slowa.test") and s in ("pending", "running") for n, s in seen),
           "mx2 never shown before it was done: %r" % sorted(seen))


def t_bad_input(S, env):
    for d in ["bad..name", "-x.test", "a" * 64 + ".test", ("a" * 60 + ".") * 5 + "test", "",
              "exa mple.test", "<script>alert(1)</script>", "x" * 3000]:
        st, h, doc = S.start(d)
        is_error(st, h, doc, 400, "invalid_domain")
    for raw in ["", "domain=x", "{\"domain\": 5}", "{\"domain\":\"a\\u0062.test\"}",
                "{\"domain\":\"good.test\",\"x\":1}", "[]", "{\"domain\":\"good.test\"} x"]:
        st, h, doc = S.api("POST", "/api/v1/checks", raw=raw)
        is_error(st, h, doc, 400, "invalid_body")
    # A huge body, declared and chunked: 413 before it is read (the server may
    # close while we still send, so the request goes out on a raw socket).
    big = b"{\"domain\":\"" + b"a" * 1000000 + b"\"}"
    st = raw_status(S, b"POST /api/v1/checks HTTP/1.1\r\nHost: x\r\nContent-Type: "
                    b"application/json\r\nContent-Length: %d\r\n\r\n" % len(big), big)
    expect(st == 413, "1 MB body: %r" % st)
    chunked = b"".join(b"3e8\r\n" + b"a" * 1000 + b"\r\n" for _ in range(5)) + b"0\r\n\r\n"
    st = raw_status(S, b"POST /api/v1/checks HTTP/1.1\r\nHost: x\r\nContent-Type: "
                    b"application/json\r\nTransfer-Encoding: chunked\r\n\r\n", chunked)
    expect(st == 413, "chunked 5 KB body: %r" % st)
    # Huge headers: refused by the HTTP library's memory limit.
    st, _, _ = S.request("GET", "/", headers={"X-Big": "b" * 40000})
    expect(st in (413, 431), "40 KB of headers: %d" % st)
    # Unknown and malformed ids, unknown paths.
    st, h, doc = S.api("GET", "/api/v1/checks/" + "0" * 32)
    is_error(st, h, doc, 404, "unknown_check")
    st, h, doc = S.api("GET", "/api/v1/checks/../../etc/passwd")
    expect(st in (400, 404), "path traversal id: %d" % st)
    st, h, doc = S.api("GET", "/api/v1/checks/XYZ")
    is_error(st, h, doc, 404, "unknown_check")
    st, h, doc = S.api("GET", "/api/v1/nothing")
    is_error(st, h, doc, 404, "not_found")
    st, h, doc = S.api("GET", "/api/v1/domains/never-checked.test/latest")
    is_error(st, h, doc, 404, "unknown_domain")
    st, h, doc = S.api("GET", "/api/v1/domains/bad..name/history")
    is_error(st, h, doc, 400, "invalid_domain")
    # Bad methods.
    for m, p in [("DELETE", "/api/v1/checks"), ("GET", "/api/v1/checks"),
                 ("PUT", "/api/v1/checks/" + "0" * 32), ("POST", "/api/v1/domains/a.test/latest")]:
        st, h, doc = S.api(m, p)
        is_error(st, h, doc, 405, "method_not_allowed")
        expect("allow" in h, "405 without Allow")
    # The HTML error page escapes what it shows.
    st, h, body = S.request("POST", "/check", "domain=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
                            {"Content-Type": "application/x-www-form-urlencoded"})
    expect(st == 400 and b"<script>alert" not in body, "error page: %d %r" % (st, body[:300]))


def t_rate_limit(S, env, bin_):
    R = Server(bin_, env, "--rate", "3", host=PREFIX + ".0.81")
    try:
        a, b = PREFIX + ".200.1", PREFIX + ".200.2"
        for d in ["nostarttls.test", "expired.test", "selfsigned.test"]:
            st, _, doc = R.start(d, src=a)
            expect(st == 202, "start %s: %d %r" % (d, st, doc))
        st, h, doc = R.start("multi.test", src=a)
        is_error(st, h, doc, 429, "rate_limited")
        expect(int(h.get("retry-after", "0")) >= 1, "429 without Retry-After")
        # The same domain again is not a new check: no token needed.
        st, _, doc = R.start("expired.test", src=a)
        expect(st == 200, "a running check asked again: %d" % st)
        # Another client has its own budget.
        st, _, doc = R.start("multi.test", src=b)
        expect(st == 202, "another client: %d %r" % (st, doc))
    finally:
        R.stop()


def t_overload(S, env, bin_):
    O = Server(bin_, env, "--max-checks", "1", "--queue", "1", "--rate", "0",
               host=PREFIX + ".0.82")
    try:
        st1, _, d1 = O.start("slowa.test")
        time.sleep(0.5)
        st2, _, d2 = O.start("slowb.test")
        st3, h, d3 = O.start("good.test")
        expect(st1 == 202 and st2 == 202, "first two: %d %d" % (st1, st2))
        is_error(st3, h, d3, 503, "overloaded")
        expect(int(h.get("retry-after", "0")) >= 1, "503 without Retry-After")
        _, _, q = O.api("GET", "/api/v1/checks/" + d2["id"])
        expect(q["state"] == "queued", "second check %r" % q["state"])
    finally:
        O.stop()


def t_concurrent(S, env):
    """100 clients at once, each from its own address: one check of one domain."""
    results, errors = [], []

    def client(i):
        src = "%s.201.%d" % (PREFIX, i + 1)
        try:
            st, _, doc = S.start("multi.test", src=src)
            st2, _, page = S.request("GET", "/", src=src)
            results.append((st, doc.get("id"), st2))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append("%s: %s" % (src, e))
    threads = [threading.Thread(target=client, args=(i,)) for i in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    expect(not errors, "client errors: %s" % errors[:3])
    expect(len(results) == 100, "%d answers" % len(results))
    ids = {r[1] for r in results}
    expect(len(ids) == 1, "%d checks for one domain" % len(ids))
    expect(sum(1 for r in results if r[0] == 202) <= 1 and all(r[0] in (200, 202) and r[2] == 200
                                                             for r in results),
           "statuses %r" % sorted({(r[0], r[2]) for r in results}))
    S.wait_done(ids.pop())


def smtp_log_count(addr):
    try:
        with open(os.path.join(RUN, "smtpd.log"), errors="replace") as f:
            return sum(1 for line in f if (" %s:25 peer=" % addr) in line)
    except OSError:
        return 0


def t_address_filter(S, env, bin_):
    hosts = subprocess.run([WORLD, "hosts"], capture_output=True, text=True).stdout
    m = re.search(r"^(\S+)\s+mx1\.publiconly\.test\b", hosts, re.M)
    expect(m, "no mx1.publiconly.test in the world")
    addr = m.group(1)
    before = smtp_log_count(addr)
    P = Server(bin_, env, allow_private=False, host=PREFIX + ".0.83")
    try:
        st, _, doc = P.start("publiconly.test")
        expect(st == 202, "start %d" % st)
        done = P.wait_done(doc["id"])
        res = done["result"]
        expect(res["status"] == 3, "status %r" % res["status"])
        conn = res["results"]["mx1.publiconly.test."]["checks"]["connectivity"]
        expect(any(("not tested: address %s is loopback" % addr) in m for m in conn["messages"]),
               "no refusal: %r" % conn["messages"])
        st, _, page = P.request("GET", "/check/" + doc["id"])
        expect(b"not tested: address" in page, "the report page does not say it")
    finally:
        P.stop()
    time.sleep(1.5)  # smtpd flushes its log every 0.5 s
    expect(smtp_log_count(addr) == before, "the world's SMTP server saw a connection on %s" % addr)


def t_sigterm(S, env, bin_):
    T = Server(bin_, env, host=PREFIX + ".0.84")
    st, _, doc = T.start("slowa.test")
    expect(st == 202, "start %d" % st)
    st2, _, q = T.start("slowb.test")
    t = time.monotonic()
    while time.monotonic() - t < 20:
        _, _, d = T.api("GET", "/api/v1/checks/" + doc["id"])
        if d["state"] == "running" and d["progress"]["hosts"]:
            break
        time.sleep(0.1)
    expect(d["state"] == "running", "never running")
    T.p.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    refused = False
    try:
        T.request("GET", "/", timeout=3)
    except OSError:
        refused = True
    expect(refused, "still accepting connections after SIGTERM")
    T.stop(within=60)
    db = sqlite3.connect(T.db)
    rows = dict(db.execute("SELECT id, status FROM serve_checks").fetchall())
    db.close()
    expect(doc["id"] in rows, "the running check was not stored")


def t_postgres(S, env, bin_):
    """--db postgresql://...: a private cluster; the history outlives the process."""
    cluster = os.path.join(REPO, "tests", "pg", "pgcluster.sh")
    d = tempfile.mkdtemp(prefix="serve_pg.")
    port = str(20000 + os.getpid() % 20000)
    r = subprocess.run(["bash", cluster, "start", d, port], capture_output=True, text=True)
    expect(r.returncode == 0, "PostgreSQL did not start: %s" % r.stderr[-500:])
    uri = r.stdout.strip().splitlines()[-1]
    try:
        P = Server(bin_, env, db=uri, host=PREFIX + ".0.87")
        try:
            st, _, doc = P.start("good.test")
            expect(st == 202, "start %d %r" % (st, doc))
            P.wait_done(doc["id"])
        finally:
            P.stop()
        Q = Server(bin_, env, db=uri, host=PREFIX + ".0.87")
        try:
            st, _, latest = Q.api("GET", "/api/v1/domains/good.test/latest")
            expect(st == 200 and latest["id"] == doc["id"] and
                   latest["result"]["domain"] == "good.test", "latest from PostgreSQL %d" % st)
            st, _, hist = Q.api("GET", "/api/v1/domains/good.test/history")
            expect([c["id"] for c in hist["checks"]] == [doc["id"]], "history %r" % hist)
            st, _, page = Q.request("GET", "/check/" + doc["id"])
            expect(st == 200 and b"permalink" in page, "report page from PostgreSQL %d" % st)
            st, h, err = Q.api("GET", "/api/v1/checks/" + "f" * 32)
            is_error(st, h, err, 404, "unknown_check")
        finally:
            Q.stop()
    finally:
        subprocess.run(["bash", cluster, "stop", d], capture_output=True)


CASES = [("page_and_headers", t_page_and_headers, 0), ("check_flow", t_check_flow, 0),
         ("progress", t_progress, 0), ("bad_input", t_bad_input, 0),
         ("rate_limit", t_rate_limit, 1), ("overload", t_overload, 1),
         ("concurrent_100", t_concurrent, 0), ("address_filter", t_address_filter, 1),
         ("sigterm_mid_check", t_sigterm, 1), ("postgres", t_postgres, 1)]


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    bin_ = os.path.abspath(args[0])
    only = args[args.index("-k") + 1] if "-k" in args else None
    env = world_env()
    failed = 0
    S = Server(bin_, env, "--rate", "0")
    try:
        for name, fn, needs_bin in CASES:
            if only and only != name:
                continue
            try:
                fn(S, env, bin_) if needs_bin else fn(S, env)
                print("ok", name)
            except Fail as e:
                print("FAIL %s: %s" % (name, e))
                failed += 1
            except Exception as e:  # noqa: BLE001 - a crash of the test is a failure
                print("FAIL %s: %s: %s" % (name, type(e).__name__, e))
                failed += 1
    finally:
        try:
            S.stop()
        except Fail as e:
            print("FAIL main server: %s" % e)
            failed += 1
    print("%d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
