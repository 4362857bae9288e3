#!/usr/bin/python3
"""NAME
    recommend_audit.py - every warning and failure comes with a fix, and reports read
    like a careful person wrote them, on every world case

SYNOPSIS
    tests/integration/recommend_audit.py BIN [-k NAME]...

DESCRIPTION
    Runs BIN --json on every case domain of testbed/world.conf (with the
    policy list, and the case's own cli= arguments) and checks that each
    check node at warning or worse with a message has a recommendation in
    its check: on itself or below it; on the host check it belongs to (such
    as HOST.certificate); or anywhere in the domain-level check it belongs
    to (mta_sts, tls-rpt, dane, policylist: one fix, e.g. "publish the TXT
    record", may answer the findings of several sub-checks). Cases whose
    command fails (no JSON) are skipped and named. The world must be up
    (testbed/world up).

DIAGNOSTICS
    One line per uncovered finding (domain, node path, status, message);
    "N cases, N findings without a fix" last. Exit 0 when every finding has
    a fix, 1 otherwise, 2 when the world is not up.
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTBED = os.path.join(HERE, "..", "..", "testbed")
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(TESTBED, "lib"))
from worldconf import load_world  # noqa: E402


def has_rec(node):
    return bool(node.get("recommendations")) or \
        any(has_rec(c) for c in (node.get("checks") or {}).values())


def uncovered(path, node, top_has):
    """Findings at warning or worse without a fix, below node."""
    out = []
    if node.get("status", 0) >= 1 and node.get("messages") and not top_has and not has_rec(node):
        out.append((path, node["status_text"], node["messages"][0][:140]))
    for k, c in (node.get("checks") or {}).items():
        out += uncovered(path + "/" + k, c, top_has)
    return out


def audit(obj):
    found = []
    for host, h in (obj.get("results") or {}).items():
        for k, c in (h.get("checks") or {}).items():
            found += uncovered(host + "/" + k, c, bool(c.get("recommendations")))
    tops = dict(obj.get("extra_results") or {})
    if obj.get("mta_sts"):
        tops["mta_sts"] = obj["mta_sts"]
    for k, c in tops.items():
        found += uncovered(k, c, has_rec(c))
    return found


# A count that disagrees with its noun.
BAD_COUNTS = [re.compile(p) for p in (
    r"\(s\)", r"\b1 (?:[\w-]+ ){0,2}(?:hosts|records|findings|patterns)\b",
    r"\ball 1\b", r"\bof the 1\b", r"\bboth 2\b")]
# Pairs of fixes that say the same thing: (specific, generic).
SAME_FIX = [
    ("Publish a TLSA record for the certificate's public key", "Publish TLSA records ("),
    ("Sign the zone of", "Sign the domain's zone"),
]


def texts(node, path):
    """(path, kind, text) for every message and recommendation below node."""
    out = [(path, "message", m) for m in node.get("messages") or []]
    out += [(path, "recommendation", r) for r in node.get("recommendations") or []]
    for k, c in (node.get("checks") or {}).items():
        out += texts(c, path + "/" + k)
    return out


def wording(obj):
    """Counts that disagree with their nouns, fixes given twice in other words."""
    all_texts = [("domain", "message", obj.get("message") or "")]
    all_texts += [("domain", "recommendation", r) for r in obj.get("recommendations") or []]
    for host, h in (obj.get("results") or {}).items():
        all_texts += texts(h, host)
    tops = dict(obj.get("extra_results") or {})
    if obj.get("mta_sts"):
        tops["mta_sts"] = obj["mta_sts"]
    for k, c in tops.items():
        all_texts += texts(c, k)
    found = []
    for path, kind, t in all_texts:
        for rx in BAD_COUNTS:
            if rx.search(t):
                found.append((path, kind, t[:140]))
    recs = [t for _, kind, t in all_texts if kind == "recommendation"]
    for specific, generic in SAME_FIX:
        if any(specific in r for r in recs) and any(generic in r for r in recs):
            found.append(("domain", "twice", "%r and %r" % (specific, generic)))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("-k", action="append", default=[])
    args = ap.parse_args()
    r = subprocess.run([os.path.join(TESTBED, "world"), "env"], capture_output=True, text=True)
    env = dict(line.split("=", 1) for line in r.stdout.split() if "=" in line)
    if r.returncode != 0 or "WORLD_RESOLVER" not in env:
        print("recommend_audit: the world is not up", file=sys.stderr)
        return 2
    world = load_world(env.get("WORLD_CONF", os.path.join(TESTBED, "world.conf")),
                       env.get("WORLD_PREFIX", "127.77"))
    cases = [d for d in world.domains if not args.k or any(k in d.name for k in args.k)]

    def run(d):
        cmd = [args.bin, "--json", "--resolver", env["WORLD_RESOLVER"], "--trust-anchor",
               env["WORLD_TRUST_ANCHOR"], "--ca-file", env["WORLD_CA"], "--timeout", "5",
               "--policy-list", env["WORLD_POLICY_LIST"]] + list(d.cli) + [d.name]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
        except subprocess.TimeoutExpired:
            return d.name, None, "no answer within 240 s"
        try:
            return d.name, json.loads(p.stdout), ""
        except ValueError:
            return d.name, None, p.stderr.strip()[-200:]

    bad = words = nojson = 0
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for name, obj, err in pool.map(run, cases):
            if obj is None:
                nojson += 1
                print("FAIL %s: no JSON (%s)" % (name, err))
                continue
            for path, st, msg in audit(obj):
                bad += 1
                print("%s | %s | %s | %s" % (name, path, st, msg))
            for path, kind, text in wording(obj):
                words += 1
                print("%s | %s | wording (%s) | %s" % (name, path, kind, text))
    print("%d cases, %d findings without a fix, %d wording problems, %d without JSON"
          % (len(cases), bad, words, nojson))
    return 1 if bad or words or nojson else 0


if __name__ == "__main__":
    sys.exit(main())
