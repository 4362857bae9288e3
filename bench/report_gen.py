#!/usr/bin/python3
"""NAME
    report_gen.py - a synthetic scan output (JSON Lines) for bench/report_bench.sh

SYNOPSIS
    bench/report_gen.py N > results.jsonl

DESCRIPTION
    N domain objects in the shape `starttls-check scan -o` writes
    (docs/json.md): one to three MX hosts each, under some 2,000 provider
    suffixes (a few large ones, as in real scans), with a fixed mix of
    statuses, certificate failures, TLS versions, suites, MTA-STS modes,
    TLS-RPT and DANE states, so every chart of the report has data. The
    sequence is fixed (seeded), so runs compare.
"""

import json
import random
import sys

VERSIONS = ["TLSv1.3"] * 7 + ["TLSv1.2"] * 3 + ["TLSv1"]
SUITES = ["TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
          "TLS_RSA_WITH_AES_128_CBC_SHA"]
CERTS = [("valid", None)] * 12 + [("expired", "certificate-expired"),
                                  ("wrongname", "certificate-host-mismatch"),
                                  ("untrusted", "certificate-not-trusted")]
DESC = "The host advertises STARTTLS after EHLO and completes a TLS handshake."


def check(name, status, msgs=(), details=None, rtype=None):
    c = {"name": name, "status": status,
         "status_text": ["Success", "Warning", "Failure", "Error"][status],
         "description": DESC, "messages": list(msgs)}
    if rtype:
        c["result_type"] = rtype
    if details:
        c["details"] = details
    return c


def host(rnd, domain, name, pref):
    reach = rnd.random() > 0.04
    tls = reach and rnd.random() > 0.05
    kind, rtype = rnd.choice(CERTS)
    checks = {"connectivity": check("connectivity", 0 if reach else 3,
                                    [] if reach else ["connection refused"],
                                    {"addresses": 1, "banner": name + " ESMTP"})}
    worst = 0 if reach else 3
    if reach:
        checks["starttls"] = check("starttls", 0 if tls else 2,
                                   [] if tls else ["STARTTLS is not offered"],
                                   {"advertised": tls, "handshake": tls},
                                   None if tls else "starttls-not-supported")
        worst = max(worst, 0 if tls else 2)
    if tls:
        bad = kind != "valid"
        days = -30 if kind == "expired" else rnd.randint(5, 800)
        checks["certificate"] = check(
            "certificate", 2 if bad else 0, ["The certificate has a problem"] if bad else [],
            {"subject": "CN=" + name, "issuer": "CN=Synthetic CA", "days_to_expiry": days,
             "chain_trusted": kind != "untrusted", "name_matches": kind != "wrongname",
             "valid": not bad, "key_type": "EC", "key_bits": 256}, rtype)
        ver = rnd.choice(VERSIONS)
        checks["version"] = check("version", 1 if ver == "TLSv1" else 0, [],
                                  {"negotiated": ver, "legacy_accepted": []})
        checks["cipher"] = check("cipher", 0, [], {"negotiated": rnd.choice(SUITES), "bits": 128})
        worst = max(worst, 2 if bad else 0, 1 if ver == "TLSv1" else 0)
    return {"name": "hostnames", "domain": domain, "hostname": name, "preference": pref,
            "address": "192.0.2.%d" % rnd.randint(1, 254), "status": worst,
            "status_text": ["Success", "Warning", "Failure", "Error"][worst],
            "description": "Checks of one MX host", "messages": [],
            "details": {"connected": reach, "connections": 3, "ehlo_name": "bench"},
            "checks": checks}, worst, reach, tls


def domain(rnd, i, suffixes):
    d = "d%06d.example" % i
    hosts, results, worst, reach_any, tls_all = [], {}, 0, False, True
    own = rnd.random() < 0.3
    for k in range(rnd.choice([1, 1, 2, 2, 3])):
        sfx = d if own else rnd.choice(suffixes)
        name = "mx%d.%s" % (k + 1, sfx)
        h, w, reach, tls = host(rnd, d, name, 10 * (k + 1))
        hosts.append(name + ".")
        results[name + "."] = h
        worst = max(worst, w)
        reach_any |= reach
        tls_all &= tls or not reach
    mode = rnd.choice(["", "", "", "", "enforce", "testing", "none"])
    sts_status = 1 if mode == "" else 0
    mta = {"name": "mta-sts", "status": sts_status, "status_text": "Success",
           "description": "MTA-STS", "messages": [], "policy": "", "mode": mode, "mxs": [],
           "details": {"active": mode != ""},
           "checks": {"mta-sts-text": check("mta-sts-text", sts_status)}}
    rpt = rnd.random() < 0.2
    extra = {"tls-rpt": check("tls-rpt", 0 if rpt else 1, [],
                              {"record": "v=TLSRPTv1; rua=mailto:r@" + d} if rpt else None)}
    signed = rnd.random() < 0.15
    dane = signed and rnd.random() < 0.5
    extra["dane"] = check("dane", 0, [], {"mx_dnssec": "secure" if signed else "insecure",
                                         "coverage": "all" if dane else "none",
                                         "hosts": len(hosts),
                                         "hosts_authenticated": len(hosts) if dane else 0})
    status = 5 if not reach_any else 4 if not tls_all else \
        {0: 0, 1: 1, 2: 2, 3: 3}[max(worst, 0)]
    return {"domain": d, "status": status,
            "status_text": ["success", "warning", "failure", "error", "no_starttls",
                            "could_not_connect", "bad_hostname"][status],
            "message": "%d MX hosts checked" % len(hosts), "mx_hosts": hosts,
            "preferred_hostnames": hosts[:1], "implicit_mx": False, "null_mx": False,
            "results": results, "mta_sts": mta, "extra_results": extra,
            "details": {"dnssec_validated": True,
                        "mx_dnssec": "secure" if signed else "insecure"}}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    rnd = random.Random(16)
    big = ["google.com", "outlook.com", "protection.outlook.com", "mimecast.com", "zoho.com"]
    suffixes = big * 200 + ["provider%d.net" % k for k in range(2000)]
    out = sys.stdout
    for i in range(n):
        out.write(json.dumps(domain(rnd, i, suffixes), separators=(",", ":")))
        out.write("\n")


if __name__ == "__main__":
    main()
