"""NAME
    world - bring the local mail world up or down (entry: testbed/world).

SYNOPSIS
    testbed/world [--run DIR] [--prefix 127.77] COMMAND
      up [--scale N:M] [--greeting-delay-ms MS] [--reply-delay-ms MS] [--timeout S]
      down | status | env | gen | hosts | clean

DESCRIPTION
    `gen` writes everything under the run directory from testbed/world.conf:
    test CA and certificates (pki/, ca.pem), DNS keys and zones (dns/),
    nsd.conf, unbound.conf, root.hints, root.key (trust anchor), smtpd.json,
    nginx.conf + www/, policylist.json, state.json. `up` runs gen, then starts
    (or restarts, when its generated input changed) NSD, unbound, nginx, the
    SMTP test server and Postfix, and waits until unbound answers with AD and
    every listener is in LISTEN state. `down` sends SIGTERM (then SIGKILL) to
    the pids in the run directory's pid files after checking that each pid
    still runs the expected program; it never matches by name. `--scale` is
    sticky (kept in state.json) until `up --scale 0`.

DIAGNOSTICS
    Exit 0 on success; 1 with a message (and the log tail) on failure.
    `status` exits 0 when everything runs, 3 when nothing does, 1 otherwise.
"""

import argparse
import hashlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTBED = os.path.dirname(HERE)
sys.dont_write_bytecode = True     # keep testbed/lib free of __pycache__
sys.path.insert(0, HERE)

import dnsgen  # noqa: E402
import pki as pkimod  # noqa: E402
import scale as scalemod  # noqa: E402
import web  # noqa: E402
from worldconf import ConfError, load_world  # noqa: E402

PYTHON = "/usr/bin/python3"
# behaviours whose point is legacy (RSA key exchange) suites get an RSA key
RSA_BEHAVIOURS = {"weak-ciphers", "tls10", "tls10-only"}
SMTPD = os.path.join(TESTBED, "smtpd", "smtpd.py")
POSTFIX_INSTANCE = os.path.join(TESTBED, "postfix", "postfix-instance")


def log(msg):
    print("world: " + msg, file=sys.stderr, flush=True)


def die(msg):
    log(msg)
    sys.exit(1)


def sha(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode() if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


class Ctx:
    def __init__(self, args):
        self.run = os.path.abspath(args.run)
        self.prefix = args.prefix
        self.conf = os.path.abspath(args.conf)

    def p(self, *parts):
        return os.path.join(self.run, *parts)

    def load_state(self):
        try:
            with open(self.p("state.json")) as f:
                return json.load(f)
        except (FileNotFoundError, ValueError):
            return {}

    def save_state(self, st):
        write(self.p("state.json"), json.dumps(st, indent=1, sort_keys=True) + "\n")


# ---------------------------------------------------------------- generation
def generate(ctx, scale=None, greeting_ms=0, reply_ms=0):
    """Write all generated files; return {service: input hash} and the world."""
    try:
        world = load_world(ctx.conf, ctx.prefix)
    except ConfError as e:
        die(str(e))
    os.makedirs(ctx.run, exist_ok=True)
    gi = ctx.p(".gitignore")
    if not os.path.exists(gi):
        write(gi, "*\n")
    pki = pkimod.PKI(ctx.p("pki"))
    pki.ensure_cas()
    shutil.copyfile(pki.root_pem, ctx.p("ca.pem"))

    zones = dnsgen.Zones(ctx.run, world.nsd_addr)
    root = zones.zone(".", "signed")
    tlds = sorted({d.name.rsplit(".", 1)[1] for d in world.domains} | {"test"})
    tld_zones = {t: zones.zone(t, "signed") for t in tlds}
    zones.delegate(root, tld_zones["test"])
    root.rr(dnsgen.NS_NAME, "A", world.nsd_addr)          # glue
    for t, z in tld_zones.items():
        if t != "test":
            zones.delegate(root, z)
    tld_zones["test"].rr("ns.nic", "A", world.nsd_addr)

    listeners, postfix, sites, policylist = [], None, [], {}
    www = ctx.p("www")
    for d in world.domains:
        z = zones.zone(d.name, d.dns)
        if d.mx_mode == "null":
            z.rr("@", "MX", "0 .")
        for h in d.hosts:
            if d.mx_mode == "mx":
                z.rr("@", "MX", "%d %s" % (h.pref, h.name + "."))
            cert = None
            if h.listens or h.smtp == "postfix" or h.tlsa:
                rsa = h.key == "rsa" if h.key else h.smtp in RSA_BEHAVIOURS
                cert = pki.leaf(h.cert_names, h.cert, rsa=rsa)
            if h.cname:
                z.rr(h.name + ".", "CNAME", h.target + ".")
            if h.has_a:
                z.rr(h.target + ".", "A", h.addr)
            if h.addr6:
                z.rr(h.target + ".", "AAAA", h.addr6)
            for bad, u, s, m in h.tlsa:
                z.rr("_25._tcp.%s." % h.target, "TLSA",
                     "%d %d %d %s" % (u, s, m, pki.tlsa_data(cert, u, s, m, bad)))
            if h.listens:
                li = {"addr": h.addr, "port": 25, "hostname": h.name, "behaviour": h.smtp,
                      "cert": cert.cert, "key": cert.key, "chain": cert.chain,
                      "greeting_delay_ms": h.greeting_delay_ms,
                      "reply_delay_ms": h.reply_delay_ms}
                # TLS tuning keys only when set: other listeners stay byte-identical
                if h.tls_versions:
                    li["tls_versions"] = h.tls_versions
                if h.ciphers:
                    li["ciphers"] = h.ciphers
                if not h.server_order:
                    li["prefer_server_order"] = False
                if h.listens4:
                    listeners.append(li)
                if h.listens6:
                    listeners.append(dict(li, addr=h.addr6))
            elif h.smtp == "postfix":
                postfix = {"addr": h.addr, "hostname": h.name, "cert": cert.cert,
                           "key": cert.key, "chain": cert.chain}
        # MTA-STS
        if d.has_policy_host:
            pol = web.policy_text(d) if d.https != "404" else ""
            sts_id = hashlib.sha1(pol.encode()).hexdigest()[:20]
            if d.https != "nodns":
                z.rr("mta-sts", "A", world.https_addr)
                host = "mta-sts." + d.name
                cert = pki.leaf([host], "wrongname" if d.https == "wrongcert" else "valid")
                sites.append((host, d.https, cert, web.write_site(www, d)))
        else:
            sts_id = hashlib.sha1(d.name.encode()).hexdigest()[:20]
        if d.sts == "valid":
            z.rr("_mta-sts", "TXT", '"v=STSv1; id=%s"' % sts_id)
        elif d.sts == "two":
            z.rr("_mta-sts", "TXT", '"v=STSv1; id=%s"' % sts_id)
            z.rr("_mta-sts", "TXT", '"v=STSv1; id=%s2"' % sts_id)
        elif d.sts == "badid":
            z.rr("_mta-sts", "TXT", '"v=STSv1; id=bad_id!%s"' % sts_id[:6])
        # TLS-RPT
        rua = '"v=TLSRPTv1; rua=mailto:tlsrpt@%s"' % d.name
        if d.tlsrpt in ("valid", "two"):
            z.rr("_smtp._tls", "TXT", rua)
        if d.tlsrpt == "two":
            z.rr("_smtp._tls", "TXT", '"v=TLSRPTv1; rua=https://tlsrpt.%s/report"' % d.name)
        elif d.tlsrpt == "malformed":
            z.rr("_smtp._tls", "TXT", '"v=TLSRPTv1; rua=not-a-uri"')
        if d.policylist:
            policylist[d.name] = {"mode": d.policylist,
                                  "mxs": d.policylist_mx or [h.name for h in d.hosts]}

    sc = None
    if scale:
        sc = scalemod.build_scale(world, zones, pki, ctx.run, scale[0], scale[1],
                                  greeting_ms, reply_ms)
        listeners += sc.listeners
    else:
        for f in ("scale-domains.csv", "scale-hosts.csv"):
            if os.path.exists(ctx.p(f)):
                os.unlink(ctx.p(f))
    # delegations from the TLDs (after all zones exist)
    for name, z in list(zones.zones.items()):
        if name.count(".") == 2:                 # "x.test."
            zones.delegate(tld_zones[name.split(".")[1]], z)

    nsd_conf = zones.build()
    write(ctx.p("nsd.conf"), nsd_conf)
    write(ctx.p("root.key"), zones.trust_anchor())
    write(ctx.p("root.hints"), dnsgen.root_hints(world.nsd_addr))
    unbound_conf = dnsgen.unbound_conf(ctx.run, world.resolver_addr, tlds)
    write(ctx.p("unbound.conf"), unbound_conf)

    default_cert = pki.leaf(["default.invalid"], "valid")
    nginx_conf = web.nginx_conf(ctx.run, world.https_addr, sites, default_cert)
    write(ctx.p("nginx.conf"), nginx_conf)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        os.makedirs(ctx.p("nginx-tmp", sub), exist_ok=True)

    smtpd_json = json.dumps({"listeners": listeners}, indent=1) + "\n"
    write(ctx.p("smtpd.json"), smtpd_json)
    write(ctx.p("policylist.json"), json.dumps({
        "timestamp": "2026-01-01T00:00:00Z", "expires": "2036-01-01T00:00:00Z",
        "version": "0.1", "author": "testbed/world",
        "policies": policylist, "policy-aliases": {}}, indent=1, sort_keys=True) + "\n")

    zone_texts = "".join(sorted(open(os.path.join(zones.dir, "zones", z.fname + ".zone")).read()
                                for z in zones.zones.values()))
    www_text = "".join(web.policy_text(d) + d.https for d in world.domains if d.has_policy_host)
    hashes = {
        "nsd": sha(nsd_conf, zone_texts),
        "unbound": sha(unbound_conf, zones.trust_anchor(), nsd_conf, zone_texts),
        "nginx": sha(nginx_conf, www_text),
        "smtpd": sha(smtpd_json),
        "postfix": sha(json.dumps(postfix, sort_keys=True)) if postfix else None,
    }
    return world, hashes, postfix, listeners, sc


# ---------------------------------------------------------------- processes
def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None


def pid_runs(pid, marker):
    """True when pid is alive and its command line mentions marker."""
    if not pid:
        return False
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        with open("/proc/%d/stat" % pid) as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                return False
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return marker in cmd


def listening_tcp():
    out = set()
    for fn, fam in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        try:
            f = open(fn)
        except FileNotFoundError:          # a kernel without IPv6
            continue
        with f:
            next(f)
            for line in f:
                parts = line.split()
                if parts[3] != "0A":
                    continue
                hexaddr, hexport = parts[1].split(":")
                raw = bytes.fromhex(hexaddr)
                # /proc prints each 32-bit word in host (little-endian) order
                raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
                out.add((socket.inet_ntop(fam, raw), int(hexport, 16)))
    return out


# ---------------------------------------------------------------- IPv6 on lo
def lo6_addrs(world):
    """The IPv6 host addresses this world puts on lo (refused ones too:
    nothing listens there, and a connection must still stay on lo)."""
    return sorted({h.addr6 for h in world.hosts()
                   if h.addr6 and h.ipv6 in ("yes", "only", "refused")})


def ip6(args, what, check=True):
    r = subprocess.run(["ip", "-6"] + args, capture_output=True, text=True)
    if check and r.returncode != 0:
        die("%s failed (ip -6 %s): %s" % (what, " ".join(args), r.stderr.strip()))
    return r.returncode == 0


def net6_up(ctx, world, st):
    """Add the world's ULAs to lo (/128 each) and its unreachable route;
    remove what an earlier world.conf added and this one no longer has."""
    want = lo6_addrs(world)
    for a in set(st.get("lo6", [])) - set(want):
        ip6(["addr", "del", a + "/128", "dev", "lo"], "removing " + a, check=False)
    if st.get("route6") and st["route6"] != world.unreachable_route6:
        ip6(["route", "del", "unreachable", st["route6"]], "removing the old route", check=False)
    for a in want:
        ip6(["addr", "replace", a + "/128", "dev", "lo"], "adding %s to lo" % a)
    ip6(["route", "replace", "unreachable", world.unreachable_route6], "unreachable route")
    st["lo6"] = want
    st["route6"] = world.unreachable_route6


def net6_down(st):
    n = 0
    for a in st.pop("lo6", []):
        n += ip6(["addr", "del", a + "/128", "dev", "lo"], "removing " + a, check=False)
    r = st.pop("route6", None)
    if r:
        ip6(["route", "del", "unreachable", r], "removing the unreachable route", check=False)
    return n


class Service:
    """A daemon with a pid file in the run directory."""

    def __init__(self, ctx, name, marker, pidfile):
        self.ctx, self.name, self.marker, self.pidfile = ctx, name, marker, pidfile

    def pid(self):
        return read_pid(self.pidfile)

    def running(self):
        return pid_runs(self.pid(), self.marker)

    def stop(self, timeout=5.0):
        pid = self.pid()
        if not pid_runs(pid, self.marker):
            if os.path.exists(self.pidfile):
                os.unlink(self.pidfile)
            return False
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        end = time.monotonic() + timeout
        while time.monotonic() < end and pid_runs(pid, self.marker):
            time.sleep(0.05)
        if pid_runs(pid, self.marker):
            log("%s (pid %d) ignored SIGTERM; sending SIGKILL" % (self.name, pid))
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            time.sleep(0.2)
        if os.path.exists(self.pidfile):
            os.unlink(self.pidfile)
        return True


def services(ctx):
    return {
        "nsd": Service(ctx, "nsd", "nsd", ctx.p("nsd.pid")),
        "unbound": Service(ctx, "unbound", "unbound", ctx.p("unbound.pid")),
        "nginx": Service(ctx, "nginx", "nginx: master", ctx.p("nginx.pid")),
        "smtpd": Service(ctx, "smtpd", "smtpd.py", ctx.p("smtpd.pid")),
    }


def run_cmd(args, what, **kw):
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        die("%s failed (%s):\n%s%s" % (what, " ".join(args), r.stdout, r.stderr))
    return r


def start_nsd(ctx):
    run_cmd(["nsd-checkconf", ctx.p("nsd.conf")], "nsd-checkconf")
    run_cmd(["nsd", "-c", ctx.p("nsd.conf")], "nsd")


def start_unbound(ctx):
    run_cmd(["unbound-checkconf", ctx.p("unbound.conf")], "unbound-checkconf")
    run_cmd(["unbound", "-c", ctx.p("unbound.conf")], "unbound")


def start_nginx(ctx):
    args = ["nginx", "-c", ctx.p("nginx.conf"), "-p", ctx.run + "/", "-e",
            ctx.p("nginx-error.log")]
    run_cmd(args + ["-t", "-q"], "nginx -t")
    run_cmd(args, "nginx")


def start_smtpd(ctx):
    if not os.path.exists(SMTPD):
        log("NOTE: %s does not exist yet; SMTP listeners not started" % SMTPD)
        return None
    out = open(ctx.p("smtpd.out"), "ab")
    proc = subprocess.Popen([PYTHON, SMTPD, "--config", ctx.p("smtpd.json"),
                             "--pidfile", ctx.p("smtpd.pid"), "--log", ctx.p("smtpd.log")],
                            stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                            start_new_session=True, close_fds=True)
    out.close()
    return proc


def postfix_available():
    return os.path.exists(POSTFIX_INSTANCE)


def postfix_start(ctx, pf):
    if not postfix_available():
        log("NOTE: %s does not exist yet; Postfix not started" % POSTFIX_INSTANCE)
        return False
    args = [POSTFIX_INSTANCE, "start", "--addr", pf["addr"], "--hostname", pf["hostname"],
            "--cert", pf["cert"], "--key", pf["key"], "--dir", ctx.p("postfix")]
    if pf.get("chain"):
        args += ["--chain", pf["chain"]]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        log("postfix-instance start failed (rc %d):\n%s%s" % (r.returncode, r.stdout, r.stderr))
        return False
    return True


def postfix_stop(ctx):
    if postfix_available() and os.path.isdir(ctx.p("postfix")):
        r = subprocess.run([POSTFIX_INSTANCE, "stop", "--dir", ctx.p("postfix")],
                           capture_output=True, text=True)
        if r.returncode != 0:
            log("postfix-instance stop: rc %d: %s%s" % (r.returncode, r.stdout, r.stderr))


def postfix_status(ctx):
    if not postfix_available():
        return None
    r = subprocess.run([POSTFIX_INSTANCE, "status", "--dir", ctx.p("postfix")],
                       capture_output=True, text=True)
    return r.returncode == 0


def dig(server, name, rtype, *extra):
    r = subprocess.run(["dig", "@" + server, "+time=1", "+tries=1", "+dnssec"] + list(extra)
                       + [name, rtype], capture_output=True, text=True)
    return r.stdout


def dns_ready(world):
    out = dig(world.resolver_addr, "test.", "SOA")
    return "status: NOERROR" in out and " ad" in out.split("flags:", 1)[-1].split(";", 1)[0]


def tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except FileNotFoundError:
        return ""


# ---------------------------------------------------------------- commands
def cmd_gen(ctx, args):
    st = ctx.load_state()
    sc = scalemod.parse_scale(args.scale) if getattr(args, "scale", None) is not None \
        else (tuple(st["scale"]) if st.get("scale") else None)
    t = time.monotonic()
    generate(ctx, sc, st.get("greeting_ms", 0), st.get("reply_ms", 0))
    log("generated %s in %.1fs" % (ctx.run, time.monotonic() - t))
    return 0


def cmd_up(ctx, args):
    t0 = time.monotonic()
    st = ctx.load_state()
    if args.scale is not None:
        sc = scalemod.parse_scale(args.scale)
        st["scale"] = list(sc) if sc else None
        st["greeting_ms"] = args.greeting_delay_ms or 0
        st["reply_ms"] = args.reply_delay_ms or 0
    else:
        sc = tuple(st["scale"]) if st.get("scale") else None
        if args.greeting_delay_ms is not None:
            st["greeting_ms"] = args.greeting_delay_ms
        if args.reply_delay_ms is not None:
            st["reply_ms"] = args.reply_delay_ms
    world, hashes, pf, listeners, scl = generate(ctx, sc, st.get("greeting_ms", 0),
                                                 st.get("reply_ms", 0))
    old = st.get("hashes", {})
    svc = services(ctx)
    started = []
    net6_up(ctx, world, st)
    ctx.save_state(st)                    # so `down` finds the addresses even if up fails

    def ensure(name, start):
        s = svc[name]
        if s.running() and old.get(name) == hashes[name]:
            return False
        if s.running():
            log("%s: configuration changed, restarting" % name)
            s.stop()
        start(ctx)
        started.append(name)
        return True

    nsd_restarted = ensure("nsd", start_nsd)
    if nsd_restarted and svc["unbound"].running():
        svc["unbound"].stop()                 # flush the validator's cache too
    ensure("unbound", start_unbound)
    ensure("nginx", start_nginx)
    smtpd_proc = None
    if os.path.exists(SMTPD):
        s = svc["smtpd"]
        if not (s.running() and old.get("smtpd") == hashes["smtpd"]):
            if s.running():
                log("smtpd: configuration changed, restarting")
                s.stop()
            smtpd_proc = start_smtpd(ctx)
            started.append("smtpd")
    else:
        log("NOTE: %s missing: SMTP listeners not started" % SMTPD)
    pf_ok = None
    if pf:
        running = postfix_status(ctx)
        if running and old.get("postfix") == hashes["postfix"]:
            pf_ok = True
        else:
            if running:
                postfix_stop(ctx)
            pf_ok = postfix_start(ctx, pf)
            if pf_ok:
                started.append("postfix")

    # wait until ready
    want = {(world.https_addr, 443)}
    if smtpd_proc is not None or svc["smtpd"].running():
        want |= {(li["addr"], 25) for li in listeners}
    if pf and pf_ok:
        want.add((pf["addr"], 25))
    deadline = t0 + args.timeout
    dns_ok = False
    while True:
        if not dns_ok:
            dns_ok = dns_ready(world)
        missing = want - listening_tcp()
        if dns_ok and not missing:
            break
        if smtpd_proc is not None and smtpd_proc.poll() not in (None, 0):
            die("smtpd.py exited with %s:\n%s%s" % (smtpd_proc.returncode,
                                                   tail(ctx.p("smtpd.out")),
                                                   tail(ctx.p("smtpd.log"))))
        if time.monotonic() > deadline:
            msg = "not ready after %ds:" % args.timeout
            if not dns_ok:
                msg += "\n  resolver %s gives no AD answer for test. SOA\n%s%s" % (
                    world.resolver_addr, tail(ctx.p("unbound.log")), tail(ctx.p("nsd.log")))
            if missing:
                msg += "\n  %d listeners missing, e.g. %s\n%s" % (
                    len(missing), sorted(missing)[:5], tail(ctx.p("smtpd.log")))
            die(msg)
        time.sleep(0.1)
    # a non-daemonizing smtpd.py: record its pid ourselves if it did not
    if smtpd_proc is not None and smtpd_proc.poll() is None and \
            not pid_runs(read_pid(ctx.p("smtpd.pid")), "smtpd.py"):
        write(ctx.p("smtpd.pid"), "%d\n" % smtpd_proc.pid)
    st["hashes"] = hashes
    ctx.save_state(st)
    extra = ""
    if scl:
        extra = ", scale %d domains over %d hosts" % (scl.domains, scl.hosts)
    log("up in %.1fs (%s)%s: %d domains, %d SMTP listeners%s" % (
        time.monotonic() - t0, "started " + ", ".join(started) if started else "already up",
        "" if os.path.exists(SMTPD) else " WITHOUT smtpd",
        len(world.domains), len(listeners), extra))
    return 0


def cmd_down(ctx, args):
    svc = services(ctx)
    stopped = []
    if svc["smtpd"].stop():
        stopped.append("smtpd")
    if postfix_status(ctx):
        postfix_stop(ctx)
        stopped.append("postfix")
    for name in ("nginx", "unbound", "nsd"):
        if svc[name].stop():
            stopped.append(name)
    st = ctx.load_state()
    st.pop("hashes", None)
    if net6_down(st):
        stopped.append("IPv6 addresses on lo")
    if os.path.isdir(ctx.run):
        ctx.save_state(st)
    log("down: %s" % ("stopped " + ", ".join(stopped) if stopped else "nothing was running"))
    return 0


def cmd_status(ctx, args):
    try:
        world = load_world(ctx.conf, ctx.prefix)
    except ConfError as e:
        die(str(e))
    svc = services(ctx)
    lis = listening_tcp()
    up = 0
    total = 0
    for name, s in svc.items():
        total += 1
        r = s.running()
        up += r
        print("%-8s %s" % (name, ("running pid %d" % s.pid()) if r else "stopped"))
    pf = postfix_status(ctx)
    if pf is not None:
        total += 1
        up += bool(pf)
        print("%-8s %s" % ("postfix", "running" if pf else "stopped"))
    try:
        with open(ctx.p("smtpd.json")) as f:
            want = {(li["addr"], 25) for li in json.load(f)["listeners"]}
        print("smtp     %d/%d listeners in LISTEN" % (len(want & lis), len(want)))
    except FileNotFoundError:
        pass
    if svc["unbound"].running():
        print("dns      %s" % ("validating (AD on test. SOA)" if dns_ready(world)
                               else "NOT answering with AD"))
    st = ctx.load_state()
    if st.get("scale"):
        print("scale    %d domains over %d hosts (run/scale-domains.csv)" % tuple(st["scale"]))
    return 0 if up == total else (3 if up == 0 else 1)


def cmd_env(ctx, args):
    try:
        world = load_world(ctx.conf, ctx.prefix)
    except ConfError as e:
        die(str(e))
    env = [("WORLD_PREFIX", ctx.prefix), ("WORLD_RUN", ctx.run),
           ("WORLD_RESOLVER", world.resolver_addr),
           ("WORLD_TRUST_ANCHOR", ctx.p("root.key")), ("WORLD_CA", ctx.p("ca.pem")),
           ("WORLD_NSD", world.nsd_addr), ("WORLD_HTTPS", world.https_addr),
           ("WORLD_POSTFIX", world.postfix_addr),
           ("WORLD_POLICY_LIST", ctx.p("policylist.json")),
           ("WORLD_CONF", ctx.conf)]
    if os.path.exists(ctx.p("scale-domains.csv")):
        env.append(("WORLD_SCALE_DOMAINS", ctx.p("scale-domains.csv")))
    for k, v in env:
        print("%s=%s" % (k, shlex.quote(v)))
    return 0


def cmd_hosts(ctx, args):
    try:
        world = load_world(ctx.conf, ctx.prefix)
    except ConfError as e:
        die(str(e))
    print("%-16s %-28s %-26s %-10s %s" % ("address", "host", "behaviour", "cert", "dns"))
    rows = [(world.nsd_addr, "ns.nic.test", "NSD authoritative :53", "", ""),
            (world.resolver_addr, "-", "unbound validating :53", "", ""),
            (world.https_addr, "mta-sts.*", "nginx MTA-STS :443", "", ""),
            (world.postfix_addr, "mx.postfix.test", "Postfix :25", "", "")]
    for h in world.hosts():
        if h.smtp == "postfix":
            continue
        name = h.name if not h.cname else "%s -> %s" % (h.name, h.target)
        if h.has_a or not h.addr6:
            rows.append((h.addr or "-", name, h.smtp, h.cert if h.listens else "-",
                         h.domain.dns))
        if h.addr6:
            beh = h.smtp if h.listens6 else "%s (v6 %s)" % (h.smtp, h.ipv6)
            rows.append((h.addr6, name, beh, h.cert if h.listens6 else "-", h.domain.dns))
    for r in rows:
        print("%-16s %-28s %-26s %-10s %s" % r)
    return 0


def cmd_clean(ctx, args):
    cmd_down(ctx, args)
    if os.path.isdir(ctx.run) and os.path.exists(ctx.p("state.json")):
        shutil.rmtree(ctx.run)
        log("removed %s" % ctx.run)
    return 0


def main(argv=None):
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)     # `world status | head`
    ap = argparse.ArgumentParser(prog="testbed/world", description=__doc__.split("\n\n")[2],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", default=os.environ.get("WORLD_RUN", os.path.join(TESTBED, "run")),
                    help="run directory (env WORLD_RUN, default testbed/run)")
    ap.add_argument("--prefix", default=os.environ.get("WORLD_PREFIX", "127.77"),
                    help="address prefix 127.N (env WORLD_PREFIX, default 127.77)")
    ap.add_argument("--conf", default=os.environ.get("WORLD_CONF",
                                                     os.path.join(TESTBED, "world.conf")))
    sub = ap.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="generate and start (idempotent)")
    up.add_argument("--scale", help="N:M generated domains over hosts; 0 = off (sticky)")
    up.add_argument("--greeting-delay-ms", type=int)
    up.add_argument("--reply-delay-ms", type=int)
    up.add_argument("--timeout", type=float, default=30.0)
    gen = sub.add_parser("gen", help="generate files only")
    gen.add_argument("--scale")
    for c in ("down", "status", "env", "hosts", "clean"):
        sub.add_parser(c)
    args = ap.parse_args(argv)
    if args.prefix in ("127.0",) or not args.prefix.startswith("127."):
        die("refusing prefix %r: must be 127.N, N != 0" % args.prefix)
    ctx = Ctx(args)
    if args.cmd in ("up", "down", "clean") and os.geteuid() != 0:
        die("must run as root (port 25/53/443)")
    return {"up": cmd_up, "down": cmd_down, "status": cmd_status, "env": cmd_env,
            "gen": cmd_gen, "hosts": cmd_hosts, "clean": cmd_clean}[args.cmd](ctx, args)


if __name__ == "__main__":
    sys.exit(main())
