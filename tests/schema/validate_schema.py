#!/usr/bin/python3
"""NAME
    validate_schema.py - docs/starttls-check.schema.json against real serializer output

SYNOPSIS
    tests/schema/validate_schema.py SCHEMA_TREES_BIN

DESCRIPTION
    Checks that the schema is itself valid (its draft's metaschema), that the
    JSON of stc_result_sample and of a hand-built tree using every key
    (schema_trees sample|full) validates, and that the schema is not
    vacuous: mutations that break docs/json.md (a status out of range, a
    mismatched status_text, an unknown key on a check node, a missing
    required key, a wrong type) are each rejected. A host node printed on
    its own is checked against the host definition.

DIAGNOSTICS
    One "ok"/"FAIL" line per item; exit 0 when all passed, 1 otherwise,
    2 when python3-jsonschema is missing.
"""
import copy
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "..", "docs", "starttls-check.schema.json")

try:
    import jsonschema
except ImportError:
    print("validate_schema: python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(2)

failed = 0


def report(ok, what, detail=""):
    global failed
    print("%s %s%s" % ("ok  " if ok else "FAIL", what, (": " + detail) if detail else ""))
    failed += not ok


def errors(validator, obj):
    return ["/".join(map(str, e.absolute_path)) + ": " + e.message[:160]
            for e in validator.iter_errors(obj)]


def tree(bin_, which):
    r = subprocess.run([bin_, which], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        report(False, "schema_trees " + which, r.stderr.strip())
        return None
    return json.loads(r.stdout)


def main():
    bin_ = sys.argv[1]
    with open(SCHEMA) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
        report(True, "schema is valid against its metaschema (%s)" % cls.__name__)
    except jsonschema.exceptions.SchemaError as e:
        report(False, "schema metaschema", str(e)[:300])
        return 1
    v = cls(schema)
    host_v = cls(dict(schema, **{"$ref": "#/$defs/host"}))

    trees = {w: tree(bin_, w) for w in ("sample", "full", "host")}
    for w in ("sample", "full"):
        if trees[w] is not None:
            errs = errors(v, trees[w])
            report(not errs, "%s tree validates" % w, "; ".join(errs[:5]))
    if trees["host"] is not None:
        errs = errors(host_v, trees["host"])
        report(not errs, "host node validates against $defs/host", "; ".join(errs[:5]))

    full = trees["full"]
    if full is None:
        return 1
    # The full tree really uses every key of docs/json.md.
    keys = set(full)
    want = {"domain", "status", "status_text", "message", "mx_hostnames", "mx_hosts",
            "preferred_hostnames",
            "implicit_mx", "null_mx", "results", "mta_sts", "extra_results", "recommendations",
            "details"}
    report(keys == want, "full tree has every domain key", str(sorted(want ^ keys)))
    h = full["results"]["mx1.full.example."]
    hk = {"name", "domain", "hostname", "preference", "address", "status", "status_text",
          "description", "messages", "result_type", "recommendations", "details", "checks"}
    report(hk <= set(h), "full tree host has every host key",
           str(sorted(hk - set(h))))

    host1 = lambda o: o["results"]["mx1.full.example."]
    mutations = [
        ("domain status 7", lambda o: o.__setitem__("status", 7)),
        ("domain status_text mismatch", lambda o: o.__setitem__("status_text", "success")),
        ("unknown domain key", lambda o: o.__setitem__("surprise", 1)),
        ("missing results", lambda o: o.pop("results")),
        ("check status 4", lambda o: host1(o)["checks"]["cipher"].__setitem__("status", 4)),
        ("check status_text mismatch",
         lambda o: host1(o)["checks"]["cipher"].__setitem__("status_text", "failure")),
        ("unknown key on a check node",
         lambda o: host1(o)["checks"]["starttls"].__setitem__("extra", True)),
        ("missing messages", lambda o: host1(o)["checks"]["version"].pop("messages")),
        ("message not a string", lambda o: host1(o)["checks"]["version"]["messages"].append(3)),
        ("detail of a nested type",
         lambda o: host1(o)["checks"]["version"]["details"].__setitem__("x", {"a": 1})),
        ("days_to_expiry a string",
         lambda o: host1(o)["checks"]["certificate"]["details"].__setitem__("days_to_expiry", "3")),
        ("preference negative", lambda o: host1(o).__setitem__("preference", -1)),
        ("mta_sts a string", lambda o: o.__setitem__("mta_sts", "none")),
        ("nested check unknown key",
         lambda o: o["mta_sts"]["checks"]["mta-sts-policy-file"]["checks"]["nested"].__setitem__("x", 1)),
        ("mx_dnssec unknown value", lambda o: o["details"].__setitem__("mx_dnssec", "maybe")),
        ("empty recommendations", lambda o: o.__setitem__("recommendations", [])),
        ("implicit_mx not a bool", lambda o: o.__setitem__("implicit_mx", 0)),
        ("check status_text not the original's spelling",
         lambda o: host1(o)["checks"]["cipher"].__setitem__("status_text", "error")),
        ("host node not named hostnames", lambda o: host1(o).__setitem__("name", "mx1")),
        ("results key without the trailing dot",
         lambda o: o["results"].__setitem__("mx3.full.example", copy.deepcopy(host1(o)))),
        ("preferred_hostnames without the trailing dot",
         lambda o: o.__setitem__("preferred_hostnames", ["mx1.full.example"])),
        ("mta_sts without mode", lambda o: o["mta_sts"].pop("mode")),
        ("mta_sts policy not a string", lambda o: o["mta_sts"].__setitem__("policy", None)),
        ("mta_sts named mta_sts", lambda o: o["mta_sts"].__setitem__("name", "mta_sts")),
    ]
    for what, mutate in mutations:
        o = copy.deepcopy(full)
        mutate(o)
        report(bool(errors(v, o)), "schema rejects: " + what)
    return 1 if failed else 0


if __name__ == "__main__":
    rc = main()
    print("%s" % ("all passed" if rc == 0 and not failed else "%d failed" % failed))
    sys.exit(rc or (1 if failed else 0))
