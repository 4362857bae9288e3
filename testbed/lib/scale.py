"""NAME
    scale - generated domains for benchmarks (`world up --scale N:M`).

SYNOPSIS
    s = build_scale(world, zones, pki, run_dir, n, m, greeting_ms, reply_ms)
    s.listeners  -> smtpd listener dicts

DESCRIPTION
    N domains d1.scale.test .. dN.scale.test (rank order, written to
    run/scale-domains.csv as `rank,domain`, no header) over M MX hosts
    hJ.mx.scale.test at PREFIX.10.1 .. PREFIX.250.250, all in one unsigned zone
    scale.test (delegated from test. without DS). The host of a domain is drawn
    from a Zipf-like law (weight 1/J^1.3) with a fixed seed, so a few
    "providers" host most domains and the long tail hosts one or two. The top
    tenth of hosts are paired (MX 10 + MX 20 of one provider). About 4% of the
    hosts (never the top 20) misbehave: refused, no-banner, drip (tarpits),
    no-starttls, starttls-454, self-signed or expired certificate, TLS 1.0
    only. 0.5% of domains point at an MX name that does not resolve; 20%
    publish a TLS-RPT record. All hosts use one *.mx.scale.test certificate.
    run/scale-hosts.csv lists host,address,behaviour,cert,domains.
"""

import bisect
import itertools
import os
import random

SEED = 8461
ZIPF_S = 1.3          # 3000 hosts: top host ~25% of domains, tail 0-2 each
FIRST_NET, LAST_NET = 10, 250
ZONE = "scale.test"
MISBEHAVIOUR = [  # (cumulative probability, smtp behaviour, cert variant)
    (0.015, "refused", "valid"),
    (0.020, "no-banner", "valid"),
    (0.025, "drip", "valid"),
    (0.030, "no-starttls", "valid"),
    (0.033, "starttls-454", "valid"),
    (0.036, "good", "selfsigned"),
    (0.039, "good", "expired"),
    (0.042, "tls10-only", "valid"),
]
MAX_HOSTS = (LAST_NET - FIRST_NET + 1) * 250


class Scale:
    def __init__(self):
        self.listeners = []
        self.hosts = 0
        self.domains = 0


def parse_scale(text):
    if text in (None, "", "0", "off"):
        return None
    try:
        n, m = (int(x) for x in text.split(":"))
    except ValueError:
        raise SystemExit("--scale wants N:M, e.g. 10000:500")
    if not (1 <= n <= 1000000 and 1 <= m <= MAX_HOSTS):
        raise SystemExit("--scale: need 1 <= N <= 1000000 and 1 <= M <= %d" % MAX_HOSTS)
    return n, m


def build_scale(world, zones, pki, run_dir, n, m, greeting_ms=0, reply_ms=0):
    rng = random.Random(SEED)
    s = Scale()
    s.hosts, s.domains = m, n
    zone = zones.zone(ZONE, "unsigned")
    certs = {v: pki.leaf(["*.mx." + ZONE], v, rsa=True) for v in ("valid", "selfsigned", "expired")}
    behaviour = []
    for j in range(m):
        b, c = "good", "valid"
        if j >= 20:
            r = rng.random()
            for p, bb, cc in MISBEHAVIOUR:
                if r < p:
                    b, c = bb, cc
                    break
        behaviour.append((b, c))
    counts = [0] * m
    weights = [1.0 / (j + 1) ** ZIPF_S for j in range(m)]
    cum = list(itertools.accumulate(weights))
    total = cum[-1]
    paired = max(2, m // 10)
    rpt_txt = '"v=TLSRPTv1; rua=mailto:tlsrpt@%s"'
    with open(os.path.join(run_dir, "scale-domains.csv.tmp"), "w") as csv:
        for rank in range(1, n + 1):
            name = "d%d" % rank
            csv.write("%d,%s.%s\n" % (rank, name, ZONE))
            r = rng.random()
            if r < 0.005:
                zone.rr(name, "MX", "10 gone%d.mx" % rank)
                continue
            j = min(bisect.bisect_left(cum, rng.random() * total), m - 1)
            counts[j] += 1
            zone.rr(name, "MX", "10 h%d.mx" % (j + 1))
            if j < paired and (j ^ 1) < m:
                counts[j ^ 1] += 1
                zone.rr(name, "MX", "20 h%d.mx" % ((j ^ 1) + 1))
            if rng.random() < 0.2:
                zone.rr("_smtp._tls." + name, "TXT", rpt_txt % (name + "." + ZONE))
    os.replace(os.path.join(run_dir, "scale-domains.csv.tmp"),
               os.path.join(run_dir, "scale-domains.csv"))
    with open(os.path.join(run_dir, "scale-hosts.csv"), "w") as hc:
        hc.write("host,address,behaviour,cert,domains\n")
        for j in range(m):
            addr = world.addr(FIRST_NET + j // 250, j % 250 + 1)
            host = "h%d.mx.%s" % (j + 1, ZONE)
            b, c = behaviour[j]
            zone.rr("h%d.mx" % (j + 1), "A", addr)
            hc.write("%s,%s,%s,%s,%d\n" % (host, addr, b, c, counts[j]))
            if b == "refused":
                continue
            cert = certs[c]
            s.listeners.append({
                "addr": addr, "port": 25, "hostname": host, "behaviour": b,
                "cert": cert.cert, "key": cert.key, "chain": cert.chain,
                "greeting_delay_ms": greeting_ms, "reply_delay_ms": reply_ms})
    return s
