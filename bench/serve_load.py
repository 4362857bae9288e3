#!/usr/bin/python3
"""serve_load.py - load for bench/serve_bench.sh (prints figures, asserts nothing).

serve_load.py cached BASE SECONDS CLIENTS   GET of one finished check (in memory),
                                            of /domains/D/latest (database) and
                                            POST of a domain checked recently
                                            (the result cache): requests/s each
serve_load.py fresh BASE CLIENTS DOMAIN...  POST every domain (CLIENTS threads),
                                            then poll until all are done: checks/s
Clients use keep-alive connections from distinct loopback source addresses.
"""
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlparse


def conn(base, src):
    u = urlparse(base)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=60, source_address=(src, 0))


def req(c, method, path, body=None):
    c.request(method, path, body=body, headers={"Content-Type": "application/json"})
    r = c.getresponse()
    return r.status, r.read()


def srcs(base, n):
    h = urlparse(base).hostname.split(".")
    return ["%s.%s.%d.%d" % (h[0], h[1], 202 + i // 250, 1 + i % 250) for i in range(n)]


def hammer(base, secs, clients, method, path, body=None):
    count, errors = [0], [0]
    lock = threading.Lock()
    stop = time.monotonic() + secs

    def run(src):
        c = conn(base, src)
        n = e = 0
        while time.monotonic() < stop:
            try:
                st, _ = req(c, method, path, body)
                n += 1
                e += st >= 400
            except (OSError, http.client.HTTPException):
                e += 1
                c.close()
                c = conn(base, src)
        with lock:
            count[0] += n
            errors[0] += e
    ts = [threading.Thread(target=run, args=(s,)) for s in srcs(base, clients)]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return count[0] / (time.monotonic() - t0), errors[0]


def cached(base, secs, clients):
    c = conn(base, srcs(base, 1)[0])
    st, data = req(c, "POST", "/api/v1/checks", json.dumps({"domain": "good.test"}))
    cid = json.loads(data)["id"]
    while json.loads(req(c, "GET", "/api/v1/checks/" + cid)[1])["state"] != "done":
        time.sleep(0.2)
    for name, m, p, b in [("GET /api/v1/checks/ID (finished, in memory)", "GET",
                           "/api/v1/checks/" + cid, None),
                          ("GET /api/v1/domains/good.test/latest (database)", "GET",
                           "/api/v1/domains/good.test/latest", None),
                          ("POST /api/v1/checks good.test (result cache)", "POST",
                           "/api/v1/checks", json.dumps({"domain": "good.test"})),
                          ("GET / (the page)", "GET", "/", None)]:
        rps, err = hammer(base, secs, clients, m, p, b)
        print("%-52s %8.0f requests/s  (%d clients, %d errors)" % (name, rps, clients, err))


def fresh(base, clients, domains):
    ids, lock, errs = [], threading.Lock(), []
    todo = list(domains)

    def run(src):
        c = conn(base, src)
        while True:
            with lock:
                if not todo:
                    return
                d = todo.pop()
            st, data = req(c, "POST", "/api/v1/checks", json.dumps({"domain": d}))
            with lock:
                (ids.append(json.loads(data)["id"]) if st in (200, 202) else errs.append(st))
    t0 = time.monotonic()
    ts = [threading.Thread(target=run, args=(s,)) for s in srcs(base, clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    c = conn(base, srcs(base, 1)[0])
    pending = set(ids)
    while pending:
        for i in list(pending):
            if json.loads(req(c, "GET", "/api/v1/checks/" + i)[1])["state"] in ("done",
                                                                               "cancelled"):
                pending.discard(i)
        time.sleep(0.2)
    dt = time.monotonic() - t0
    print("fresh checks: %d domains in %.1f s = %.2f checks/s (%d refused: %s)" %
          (len(ids), dt, len(ids) / dt, len(errs), sorted(set(errs))))


if __name__ == "__main__":
    if sys.argv[1] == "cached":
        cached(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
    else:
        fresh(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
