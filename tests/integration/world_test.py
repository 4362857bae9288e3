#!/usr/bin/python3
"""NAME
    world_test.py - check starttls-check against every case of the local mail world.

SYNOPSIS
    tests/integration/world_test.py [BIN] [--bin BIN] [--features base,hostile|all]
        [-k NAME]... [--list] [--rate-limited] [-j N] [-v] [--up] [--run DIR]
        [--conf FILE]

DESCRIPTION
    Reads testbed/world.conf (the same parser as the generator), and for every
    case domain with an expectation group in the selected features runs

        BIN --json --resolver R --trust-anchor RUN/root.key --ca-file RUN/ca.pem
            --timeout 10 [case cli=...] DOMAIN

    then checks the JSON domain object (docs/json.md) against the case's
    expect.FEATURE= items and against docs/starttls-check.schema.json (JSON
    Schema, python3-jsonschema), that the exit code equals the domain status, and
    that stderr carries no sanitizer report. BIN: positional argument, --bin,
    or env STC_BIN (default build/starttls-check). Features: --features, or
    env STC_WORLD_FEATURES, default "base". -k selects cases by exact name,
    else by substring. --list prints the selected case names (one per line,
    for CTest registration) and runs nothing; --rate-limited keeps only the
    cases with a "rate-limit" host (they hold CTest's RESOURCE_LOCK
    world_ratelimit). Before such a case, the test waits until a rate-limit
    window opened by an earlier connection has passed (testbed/lib/
    ratewindow.py). The world must be up (testbed/world up; --up does it
    first).

DIAGNOSTICS
    One PASS/FAIL line per case (FAIL lists each failed item), then
    "N passed, N failed" as the last line. Exit 0 when nothing failed,
    1 on a failed case, 2 on a usage or environment error.
"""

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TESTBED = os.path.join(REPO, "testbed")
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(TESTBED, "lib"))

from ratewindow import CTEST_LOCK as RATE_LOCK  # noqa: E402
from ratewindow import rate_limit_addrs, wait_closed  # noqa: E402
from worldconf import FEATURES, ConfError, load_world, resolve_path  # noqa: E402

CLI_TIMEOUT = 10            # --timeout given to the checker
PROC_TIMEOUT = 240          # wall-clock cap for one checker run
# How the checker is told about the generated EFF-format policy list; only
# passed to cases whose policylist expectations are selected.
POLICYLIST_ARGS = ["--policy-list", "{run}/policylist.json"]
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer",
                   "WARNING: ThreadSanitizer")
MISSING = object()
CHECK_STATUS_TEXTS = ("Success", "Warning", "Failure", "Error")   # the original's spelling


def fail_env(msg):
    print("world_test: " + msg, file=sys.stderr)
    print("0 passed, 0 failed")
    sys.exit(2)


# ---------------------------------------------------------------- JSON schema
SCHEMA_PATH = os.path.join(REPO, "docs", "starttls-check.schema.json")
_schema_validator = None


def load_schema():
    """Load docs/starttls-check.schema.json once (python3-jsonschema)."""
    global _schema_validator
    try:
        import jsonschema
    except ImportError:
        fail_env("python3-jsonschema is not installed (scripts/install-deps.sh)")
    try:
        with open(SCHEMA_PATH) as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
    except (OSError, ValueError, jsonschema.exceptions.SchemaError) as e:
        fail_env("bad schema %s: %s" % (SCHEMA_PATH, e))
    _schema_validator = cls(schema)


def schema_problems(obj):
    """One message per schema violation of a JSON output, with its path."""
    out = []
    for e in sorted(_schema_validator.iter_errors(obj), key=lambda e: list(e.absolute_path))[:10]:
        path = "/".join(str(p) for p in e.absolute_path) or "(top)"
        out.append("schema: at %s: %s" % (path, e.message[:200]))
    return out


# ---------------------------------------------------------------- assertions
def lookup(obj, domain, path):
    """Return the JSON value an expectation path names, or MISSING."""
    kind, label, rest = resolve_path(domain, path)
    if kind == "top":
        node, rest = obj, rest
    elif kind == "mta_sts":
        node = obj.get("mta_sts")
    elif kind == "extra":
        node = (obj.get("extra_results") or {}).get(rest[0])
        rest = rest[1:]
    elif kind == "host":
        host = domain.host(label)
        # results is keyed by the absolute name, as the original keys it.
        node = (obj.get("results") or {}).get(host.name.rstrip(".") + ".")
        if isinstance(node, dict) and rest and rest[0] in (node.get("checks") or {}):
            node = node["checks"][rest[0]]
            rest = rest[1:]
        elif isinstance(node, dict) and rest and rest[0] not in node:
            return MISSING                   # a check that did not run
    else:
        return MISSING
    if node is None:
        return MISSING
    if not rest:                             # a bare node means its status_text
        rest = ["status_text"] if kind != "top" else rest
    for key in rest:
        if not isinstance(node, dict) or key not in node:
            return MISSING
        parent, node = node, node[key]
    return node


def status_alias(obj, domain, e):
    """status:failure compares status_text; status:2 the integer."""
    if e.path.split(".")[-1] == "status" and not e.value.lstrip("-").isdigit():
        return e.path[:-len("status")] + "status_text"
    return e.path


def check(obj, domain, e):
    """None when expectation e holds, else a message."""
    path = status_alias(obj, domain, e)
    actual = lookup(obj, domain, path)
    if actual is MISSING:
        return "%s: %s is missing" % (e.text, path)
    op, want = e.op, e.value
    neg = op.startswith("!")
    base = op.lstrip("!")
    ok = False
    try:
        if base in ("<", ">"):
            if isinstance(actual, bool) or not isinstance(actual, (int, float)):
                return "%s: %s is %r, not a number" % (e.text, path, actual)
            ok = actual < float(want) if base == "<" else actual > float(want)
        elif isinstance(actual, list):
            ok = want in [str(x) for x in actual] if base == ":" else \
                any(want in str(x) for x in actual)
        elif isinstance(actual, bool):
            ok = (str(actual).lower() == want.lower()) if base == ":" else want in str(actual)
        elif isinstance(actual, (int, float)):
            ok = actual == float(want) if base == ":" else want in str(actual)
        elif isinstance(actual, str) and (path.split(".")[-1] == "status_text" or
                                          actual in CHECK_STATUS_TEXTS):
            # check nodes spell it as the original ("Failure"), the domain in lower case
            ok = actual.lower() == want.lower() if base == ":" else want.lower() in actual.lower()
        elif isinstance(actual, str):
            ok = actual == want if base == ":" else want in actual
        else:
            ok = json.dumps(actual) == want if base == ":" else want in json.dumps(actual)
    except ValueError:
        return "%s: cannot compare %r with %r" % (e.text, actual, want)
    if neg:
        ok = not ok
    if ok:
        return None
    return "%s: got %s" % (e.text, json.dumps(actual)[:200])


# ---------------------------------------------------------------- running
def run_case(args, env, domain, features):
    # A rate-limit host: wait until a window opened by an earlier connection
    # (a scan test, a run before) has passed, so the case's first connection
    # is the one served (testbed/lib/ratewindow.py).
    left = wait_closed(args.run, rate_limit_addrs(domain))
    if left:
        return domain.name, ["the rate-limit window of %s keeps reopening (%.1f s left):"
                             " a test connects to it without RESOURCE_LOCK %s?"
                             % (" ".join(rate_limit_addrs(domain)), left, RATE_LOCK)], 0.0, []
    cmd = [args.bin, "--json", "--resolver", env["resolver"], "--trust-anchor",
           env["trust_anchor"], "--ca-file", env["ca"], "--timeout", str(CLI_TIMEOUT)]
    cmd += domain.cli
    if "policylist" in features and "policylist" in domain.expects:
        cmd += [a.format(run=args.run) for a in POLICYLIST_ARGS]
    cmd.append(domain.name)
    t = time.monotonic()
    problems = []
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=PROC_TIMEOUT)
    except subprocess.TimeoutExpired:
        return domain.name, ["checker did not finish in %ds" % PROC_TIMEOUT], 0.0, cmd
    dt = time.monotonic() - t
    out = r.stdout.decode("utf-8", "replace")
    err = r.stderr.decode("utf-8", "replace")
    for mark in SANITIZER_MARKS:
        if mark in err:
            problems.append("sanitizer report on stderr: %s" % err[err.index(mark):][:300])
            break
    if r.returncode < 0:
        problems.append("checker killed by signal %d" % -r.returncode)
    obj = None
    text = out.strip()
    for candidate in (text, text.split("\n", 1)[0]):
        try:
            obj = json.loads(candidate)
            break
        except ValueError:
            continue
    if not isinstance(obj, dict):
        problems.append("no JSON object on stdout (rc %d): %r; stderr: %r"
                        % (r.returncode, out[:200], err[-300:]))
        return domain.name, problems, dt, cmd
    problems += schema_problems(obj)
    if isinstance(obj.get("status"), int) and r.returncode >= 0 and \
            r.returncode != obj["status"]:
        problems.append("exit code %d != domain status %d" % (r.returncode, obj["status"]))
    for feat in sorted(features & set(domain.expects)):
        for e in domain.expects[feat]:
            msg = check(obj, domain, e)
            if msg:
                problems.append("[%s] %s" % (feat, msg))
    if args.verbose:
        problems_or_json = json.dumps(obj, indent=1)
        print("---- %s\n%s" % (domain.name, problems_or_json), file=sys.stderr)
    return domain.name, problems, dt, cmd


def world_ready(resolver):
    try:
        r = subprocess.run(["dig", "@" + resolver, "+time=2", "+tries=1", "+dnssec",
                            "test.", "SOA"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    flags = r.stdout.split("flags:", 1)[-1].split(";", 1)[0]
    return "status: NOERROR" in r.stdout and " ad" in flags


def main():
    ap = argparse.ArgumentParser(description="local mail world integration tests")
    ap.add_argument("binpos", nargs="?", metavar="BIN")
    ap.add_argument("--bin")
    ap.add_argument("--features", default=os.environ.get("STC_WORLD_FEATURES", "base"),
                    help="comma list of %s, or all" % ",".join(sorted(FEATURES)))
    ap.add_argument("-k", action="append", default=[], metavar="NAME")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--rate-limited", action="store_true",
                    help="only the cases with a rate-limit host (for CTest's RESOURCE_LOCK)")
    ap.add_argument("-j", type=int, default=8)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--up", action="store_true", help="run testbed/world up first")
    ap.add_argument("--run", default=os.environ.get("WORLD_RUN", os.path.join(TESTBED, "run")))
    ap.add_argument("--conf", default=os.environ.get("WORLD_CONF",
                                                     os.path.join(TESTBED, "world.conf")))
    ap.add_argument("--prefix", default=os.environ.get("WORLD_PREFIX", "127.77"))
    args = ap.parse_args()
    args.run = os.path.abspath(args.run)

    if args.features == "all":
        features = set(FEATURES)
    else:
        features = {f for f in args.features.split(",") if f}
        bad = features - FEATURES
        if bad:
            fail_env("unknown features %s (known: %s)" % (",".join(sorted(bad)),
                                                          ",".join(sorted(FEATURES))))
    try:
        world = load_world(args.conf, args.prefix)
    except ConfError as e:
        fail_env(str(e))
    cases = [d for d in world.domains if features & set(d.expects)]
    if args.k:
        names = {d.name for d in cases}
        chosen = []
        for k in args.k:
            exact = [d for d in cases if d.name == k]
            chosen += exact or [d for d in cases if k in d.name and d not in chosen]
            if not exact and not any(k in n for n in names):
                fail_env("no case matches -k %s with features %s" % (k, ",".join(sorted(features))))
        cases = [d for d in cases if d in chosen]
    if args.rate_limited:
        cases = [d for d in cases if rate_limit_addrs(d)]
    if args.list:
        for d in cases:
            print(d.name)
        return 0

    args.bin = args.bin or args.binpos or os.environ.get("STC_BIN") or \
        os.path.join(REPO, "build", "starttls-check")
    if not os.access(args.bin, os.X_OK):
        fail_env("checker binary %s not found or not executable (give BIN, --bin or STC_BIN)"
                 % args.bin)
    if args.up:
        r = subprocess.run([os.path.join(TESTBED, "world"), "--run", args.run, "--prefix",
                            args.prefix, "up"])
        if r.returncode != 0:
            fail_env("testbed/world up failed")
    env = {"resolver": world.resolver_addr, "trust_anchor": os.path.join(args.run, "root.key"),
           "ca": os.path.join(args.run, "ca.pem")}
    if not world_ready(world.resolver_addr) or not os.path.exists(env["trust_anchor"]):
        fail_env("the world is not up (no validated answer from %s); run: testbed/world up"
                 % world.resolver_addr)

    load_schema()
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.j)) as pool:
        futs = [pool.submit(run_case, args, env, d, features) for d in cases]
        for f in concurrent.futures.as_completed(futs):
            name, problems, dt, cmd = f.result()
            if problems:
                failed += 1
                print("FAIL %s (%.1fs)" % (name, dt))
                for p in problems:
                    print("    " + p)
                print("    command: " + " ".join(cmd))
            else:
                passed += 1
                print("PASS %s (%.1fs)" % (name, dt))
            sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
