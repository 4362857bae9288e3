#!/usr/bin/python3
"""NAME
    seed_shape_test.py - our --json against the original checker's JSON, key for key.

SYNOPSIS
    tests/integration/seed_shape_test.py [--bin BIN] [--seed DIR] [-k DOMAIN]... [-j N] [-v]

DESCRIPTION
    DIR (default: ../shared/seed-json beside the repository, or beside the
    main checkout when this is a git worktree; env STC_SEED_JSON)
    holds DOMAIN.json files: what the original EFF checker printed for the
    domains of testbed/world.conf, run against our test world (SHAPES.md
    there). For every such file this runs

        BIN --json --resolver R --trust-anchor RUN/root.key --ca-file RUN/ca.pem
            --timeout 10 DOMAIN

    against the running world (WORLD_PREFIX, WORLD_RUN as for world_test.py)
    and walks the recorded object beside ours:

    - keys: every key the original emits must be in ours at the same place
      with the same name. Keys that name hosts (results) or checks (checks)
      follow the verdict: where a deviation below covers that place, a host
      or check the original has and we do not is allowed.
    - types: the same JSON type. A null in the recording is a Go nil slice,
      map or pointer: ours may be null or the type the original writes at
      that place in other recordings (a list for preferred_hostnames, an
      object for mta_sts). A null of ours where the original has a value
      fails.
    - values: domain, status, status_text, name, mode, mxs, policy,
      preferred_hostnames and the host keys of results must be equal, except
      under a place listed in DEVIATIONS for that domain (a verdict on which
      we deliberately differ from the original, with the reason; the same
      list is in docs/json.md). Free text (description, message, messages)
      was blanked in the recordings and is compared by type only.

    A deviation that no longer differs is reported as "stale" (not a
    failure: other work may make verdicts agree).

DIAGNOSTICS
    One PASS/FAIL line per domain (FAIL lists each problem), then
    "N passed, N failed". Exit 0 when all passed, 1 on a failure, 2 when the
    recordings, the binary or the world are missing (a failure, never a skip).
"""

import argparse
import concurrent.futures
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TESTBED = os.path.join(REPO, "testbed")
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(TESTBED, "lib"))

from worldconf import ConfError, load_world  # noqa: E402

CLI_TIMEOUT = 10
PROC_TIMEOUT = 240
# Places whose values are compared (the last key of the path).
VALUE_KEYS = {"domain", "status", "status_text", "name", "mode", "mxs", "policy",
              "preferred_hostnames"}
# Objects whose keys are data (host names, check names), not fixed names.
NAMED_MAPS = {"results", "checks"}

# Verdicts on which we deliberately differ from the original: (domains,
# places, reason). A place is a path prefix ("status", "results", "mta_sts");
# under it values are not compared, hosts or checks the original has may be
# missing, and a null of ours is accepted. Keep docs/json.md in step.
NO_STS = """allrefused bannerclose cname conns cve dane211 dane311 danebad daneexpired danemixed
    daneunsigned daneusage1 deep12 deepclient deepgood deepold deepweak expired garbage hsfail
    inject manyehlo multi nochain nostarttls notyet nxmx partnx pl-mismatch postfix refused
    rpt-malformed rpt-missing rpt-two selfsigned starttls454 throttle tls10 tls10only tlsalert
    unknownca unsigned weakciphers wrongname""".split()
HOST = ["results", "status"]
DEVIATION_LIST = [
    (NO_STS, ["mta_sts"],
     "no MTA-STS published is a warning with the record and policy to publish (no mail is lost "
     "or read because of it); the original calls it a failure"),
    (["sts-notxt"], ["mta_sts"],
     "a policy without the _mta-sts TXT record is never fetched by senders: warning; the "
     "original fails the record but reports the policy as working"),
    (["sts-none", "sts-testing", "sts-nostarttls"], ["mta_sts"],
     "a valid policy (mode none, testing) served as text/plain passes; the original's policy-file "
     "verdict comes from its inverted Content-Type test"),
    (["sts-mismatch"], ["mta_sts", "status"],
     "the policy's mx lines exclude the MX host in enforce mode: senders refuse to deliver, so "
     "mta-sts-mx and the domain fail; the original does not let MTA-STS change the domain status"),
    (["sts-404", "sts-badid", "sts-nodns", "sts-redirect", "sts-two", "sts-wrongcert"], ["status"],
     "an MTA-STS record senders cannot use (policy unreachable, bad id, two records, redirect, "
     "wrong certificate) fails the domain; the original never lets MTA-STS change its status"),
    (["sts-malformed"], ["status", "mta_sts.mode"],
     "an invalid policy fails the domain, and mode is reported only from a valid policy; the "
     "original copies any mode: value (\"sometimes\")"),
    (["sts-oversized"], ["status", "mta_sts"],
     "a policy over 64 KiB is refused (RFC 8461 senders cap it too): failure, no mode or mxs; the "
     "original reads any size"),
    (["rpt-malformed", "rpt-two"], ["status"],
     "a TLS-RPT record senders ignore fails our tls-rpt check (the original has none) and the "
     "domain with it"),
    (["daneusage1"], HOST,
     "DANE (not in the original): a TLSA record with a PKIX usage (0/1), which SMTP senders "
     "ignore, is a warning"),
    (["danebad"], HOST,
     "DANE (not in the original): no TLSA record matches the certificate, so DANE senders defer "
     "the mail: failure"),
    (["deepweak", "weakciphers"], HOST,
     "the host accepts broken cipher suites: warning (the original's cipher check is disabled)"),
    (["tls10", "postfix"], HOST,
     "the host accepts TLS 1.0/1.1 (RFC 8996): warning; the original only looks for SSLv3"),
    (["tls10only"], HOST,
     "the host speaks only TLS 1.0: senders use it, so STARTTLS works with a deprecated version "
     "(warning); the original's Go client refuses TLS 1.0 and reports no STARTTLS (4)"),
    (["inject"], HOST,
     "the host answers plaintext pipelined after STARTTLS (command injection): warning; the "
     "original does not test it"),
    (["manyehlo"], HOST,
     "an EHLO reply of more than 100 lines exceeds our reply cap: STARTTLS cannot be tested "
     "(error); the original reads replies of any length"),
    (["bannerclose"], HOST + ["preferred_hostnames"],
     "the host greets with 220 and closes at EHLO: connected, but STARTTLS cannot be tested "
     "(error, 3); the original's client fails at EHLO and calls the host unreachable (5)"),
    (["bogus", "expiredsig"], ["status"],
     "the MX answer fails DNSSEC validation: error (3); the original sees no MX and reports "
     "could-not-connect (5)"),
    (["implicit"], HOST,
     "no MX records: the domain itself is the mail host (RFC 5321 5.1) and is checked; the "
     "original stops"),
    (["nullmx"], HOST + ["mta_sts"],
     "null MX (RFC 7505): the domain accepts no mail, nothing to check (success, no hosts, "
     "mta_sts null); the original tries to connect to \".\""),
    (["reset"], HOST,
     "the original's run recorded no hosts for reset.test (results {}, status 5); ours checks mx1, "
     "whose TLS handshake is reset: no STARTTLS (4)"),
]
DEVIATIONS = {}
for _domains, _places, _reason in DEVIATION_LIST:
    for _d in _domains:
        DEVIATIONS.setdefault(_d + ".test", []).extend((p, _reason) for p in _places)


def fail_env(msg):
    print("seed_shape_test: " + msg, file=sys.stderr)
    print("0 passed, 0 failed")
    sys.exit(2)


def default_seed_dir():
    """REPO/../shared/seed-json; from a git worktree, the main checkout's."""
    first = os.path.join(os.path.dirname(REPO), "shared", "seed-json")
    if os.path.isdir(first):
        return first
    try:
        common = subprocess.run(["git", "-C", REPO, "rev-parse", "--path-format=absolute",
                                 "--git-common-dir"], capture_output=True, text=True,
                                timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return first
    if common:
        other = os.path.join(os.path.dirname(os.path.dirname(common)), "shared", "seed-json")
        if os.path.isdir(other):
            return other
    return first


def world_ready(resolver):
    """Does the world's resolver give a validated answer for test. SOA?"""
    try:
        r = subprocess.run(["dig", "@" + resolver, "+time=2", "+tries=1", "+dnssec", "test.",
                            "SOA"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    flags = r.stdout.split("flags:", 1)[-1].split(";", 1)[0]
    return "status: NOERROR" in r.stdout and " ad" in flags


def jtype(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "list"
    return "object"


def generic(path):
    """The path with data keys (host and check names) replaced by *."""
    out = []
    for i, k in enumerate(path):
        out.append("*" if i > 0 and path[i - 1] in NAMED_MAPS else k)
    return tuple(out)


def seed_types(seeds):
    """generic path -> set of non-null types the original writes there."""
    types = {}

    def walk(v, path):
        t = jtype(v)
        if t != "null":
            types.setdefault(generic(path), set()).add(t)
        if isinstance(v, dict):
            for k, x in v.items():
                walk(x, path + (k,))
        elif isinstance(v, list):
            for x in v:
                walk(x, path + ("[]",))

    for obj in seeds.values():
        walk(obj, ())
    return types


def show(path):
    return ".".join(path) if path else "(top)"


def covered(path, deviations):
    """The deviation whose place is a prefix of path, or None."""
    p = show(path)
    for place, reason in deviations:
        if p == place or p.startswith(place + "."):
            return place
    return None


class Compare:
    def __init__(self, types, deviations):
        self.types = types
        self.deviations = deviations
        self.problems = []
        self.used = set()        # deviations that excused a difference

    def excuse(self, path):
        place = covered(path, self.deviations)
        if place is not None:
            self.used.add(place)
        return place is not None

    def walk(self, seed, ours, path):
        st, ot = jtype(seed), jtype(ours)
        if st == "null":
            allowed = self.types.get(generic(path), set()) | {"null"}
            if ot not in allowed:
                self.problems.append("%s: the original writes %s there, ours is %s"
                                     % (show(path), "/".join(sorted(allowed)), ot))
            return
        if ot == "null" and self.excuse(path):
            return
        if st != ot:
            self.problems.append("%s: type %s in the original, %s in ours" % (show(path), st, ot))
            return
        key = path[-1] if path else ""
        if st == "object":
            data_keys = key in NAMED_MAPS
            for k, v in seed.items():
                if k in ours:
                    self.walk(v, ours[k], path + (k,))
                elif data_keys and self.excuse(path + (k,)):
                    continue
                else:
                    self.problems.append("%s: key %r missing" % (show(path), k))
            if key == "results" and set(seed) != set(ours) and not self.excuse(path):
                self.problems.append("results: hosts %s in the original, %s in ours"
                                     % (sorted(seed), sorted(ours)))
            return
        if st == "list":
            for i, x in enumerate(ours):
                want = {jtype(s) for s in seed} or self.types.get(generic(path + ("[]",)), set())
                if want and jtype(x) not in want:
                    self.problems.append("%s[%d]: type %s, the original writes %s"
                                         % (show(path), i, jtype(x), "/".join(sorted(want))))
        if key == "mxs" and seed == [""]:
            seed = []            # the original's split of an empty mx value: no mx lines
        if key in VALUE_KEYS and seed != ours and not self.excuse(path):
            self.problems.append("%s: %s in the original, %s in ours"
                                 % (show(path), json.dumps(seed)[:120], json.dumps(ours)[:120]))


def run_one(args, env, name, seed, types):
    cmd = [args.bin, "--json", "--resolver", env["resolver"], "--trust-anchor",
           env["trust_anchor"], "--ca-file", env["ca"], "--timeout", str(CLI_TIMEOUT), name]
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=PROC_TIMEOUT)
    except subprocess.TimeoutExpired:
        return name, ["checker did not finish in %ds" % PROC_TIMEOUT], [], None
    try:
        ours = json.loads(r.stdout.decode("utf-8"))
    except ValueError:
        return name, ["no JSON object on stdout (rc %d): %r" % (r.returncode, r.stdout[:200])], \
            [], None
    deviations = DEVIATIONS.get(name, [])
    c = Compare(types, deviations)
    c.walk(seed, ours, ())
    stale = [p for p, _ in deviations if p not in c.used]
    return name, c.problems, stale, ours


def main():
    ap = argparse.ArgumentParser(description="our JSON against the original checker's")
    ap.add_argument("--bin", default=os.environ.get("STC_BIN",
                                                    os.path.join(REPO, "build", "starttls-check")))
    ap.add_argument("--seed", default=os.environ.get("STC_SEED_JSON") or default_seed_dir())
    ap.add_argument("-k", action="append", default=[], metavar="DOMAIN")
    ap.add_argument("-j", type=int, default=4)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--run", default=os.environ.get("WORLD_RUN", os.path.join(TESTBED, "run")))
    ap.add_argument("--conf", default=os.environ.get("WORLD_CONF",
                                                     os.path.join(TESTBED, "world.conf")))
    ap.add_argument("--prefix", default=os.environ.get("WORLD_PREFIX", "127.77"))
    args = ap.parse_args()

    files = sorted(glob.glob(os.path.join(args.seed, "*.json")))
    if not files:
        fail_env("no recordings of the original in %s (expected DOMAIN.json files; "
                 "set STC_SEED_JSON or --seed)" % args.seed)
    seeds = {}
    for f in files:
        try:
            with open(f) as fh:
                seeds[os.path.basename(f)[:-len(".json")]] = json.load(fh)
        except (OSError, ValueError) as e:
            fail_env("cannot read %s: %s" % (f, e))
    types = seed_types(seeds)
    try:
        world = load_world(args.conf, args.prefix)
    except ConfError as e:
        fail_env(str(e))
    known = {d.name for d in world.domains}
    unknown = sorted(set(seeds) - known)
    if unknown:
        fail_env("recordings for domains not in %s: %s" % (args.conf, " ".join(unknown)))
    bad = sorted(set(DEVIATIONS) - set(seeds))
    if bad:
        fail_env("DEVIATIONS name domains without a recording: %s" % " ".join(bad))
    names = sorted(seeds)
    if args.k:
        names = [n for n in names if n in args.k]
        if not names:
            fail_env("no recording matches -k %s" % " ".join(args.k))
    if not os.access(args.bin, os.X_OK):
        fail_env("checker binary %s not found (--bin or STC_BIN)" % args.bin)
    run = os.path.abspath(args.run)
    env = {"resolver": world.resolver_addr, "trust_anchor": os.path.join(run, "root.key"),
           "ca": os.path.join(run, "ca.pem")}
    if not os.path.exists(env["trust_anchor"]) or not world_ready(env["resolver"]):
        fail_env("the world is not up (no validated answer from %s); run: testbed/world up"
                 % env["resolver"])

    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.j)) as pool:
        futs = [pool.submit(run_one, args, env, n, seeds[n], types) for n in names]
        for f in concurrent.futures.as_completed(futs):
            name, problems, stale, ours = f.result()
            for p in stale:
                print("stale deviation %s %s: the verdicts agree now" % (name, p))
            if problems:
                failed += 1
                print("FAIL %s" % name)
                for p in problems:
                    print("    " + p)
            else:
                passed += 1
                print("PASS %s%s" % (name, " (%d deviations)" % len(DEVIATIONS[name])
                                     if name in DEVIATIONS else ""))
            if args.verbose and ours is not None:
                print(json.dumps(ours, indent=1), file=sys.stderr)
            sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
