"""NAME
    dnsgen - zones, DNSSEC keys and signatures, nsd.conf and unbound.conf.

SYNOPSIS
    z = Zones(run_dir, world); z.add(...); z.build() -> nsd.conf text

DESCRIPTION
    The fake Internet's DNS: a signed root zone ".", signed TLD zones, one zone
    per case domain, all served by one NSD at PREFIX.0.1 (name server
    ns.nic.test). Signing uses one ECDSAP256SHA256 key (flags 257) per zone,
    made by ldns-keygen once and kept in run/dns/keys/ZONE/, and
    ldns-signzone with NSEC and a fixed validity 2020-01-01..2040-01-01
    (expired zones: 2020..2021). A zone is re-signed only when its unsigned
    text changed, so `world up` is cheap when nothing changed.
    bogus zones: the parent publishes the DS of a second key that the zone
    does not contain. The root's DS is the validator's trust anchor
    (run/root.key).

DIAGNOSTICS
    subprocess.CalledProcessError from ldns-keygen / ldns-signzone.
"""

import os
import subprocess

ALG = "ECDSAP256SHA256"
VALID = ("20200101000000", "20400101000000")
EXPIRED = ("20200101000000", "20210101000000")
TTL = 60
NS_NAME = "ns.nic.test."


class Zone:
    def __init__(self, name, state="signed"):
        self.name = name.rstrip(".") + "."   # "." for the root
        self.state = state                    # signed unsigned bogus expired
        self.records = []                     # zone-file lines, owner relative or absolute

    def rr(self, owner, rtype, data, ttl=None):
        self.records.append("%s\t%d\tIN\t%s\t%s" % (owner, ttl or TTL, rtype, data))

    @property
    def fname(self):
        return "root" if self.name == "." else self.name.rstrip(".")


def _read(p):
    try:
        with open(p) as f:
            return f.read()
    except FileNotFoundError:
        return None


def _write_if_changed(p, text):
    if _read(p) == text:
        return False
    with open(p + ".tmp", "w") as f:
        f.write(text)
    os.replace(p + ".tmp", p)
    return True


class Zones:
    def __init__(self, run_dir, nsd_addr):
        self.run = os.path.abspath(run_dir)
        self.dir = os.path.join(self.run, "dns")
        self.keys = os.path.join(self.dir, "keys")
        self.nsd_addr = nsd_addr
        self.zones = {}
        os.makedirs(self.keys, exist_ok=True)

    def zone(self, name, state="signed"):
        key = name.rstrip(".") + "."
        if key not in self.zones:
            self.zones[key] = Zone(name, state)
        return self.zones[key]

    # ------------------------------------------------------------ keys
    def _key(self, zone, tag="ksk"):
        """Base path of the zone's key (created once)."""
        d = os.path.join(self.keys, zone.fname)
        os.makedirs(d, exist_ok=True)
        marker = os.path.join(d, tag)
        base = _read(marker)
        if base and os.path.exists(os.path.join(d, base.strip() + ".private")):
            return os.path.join(d, base.strip())
        out = subprocess.run(["ldns-keygen", "-k", "-a", ALG, "-r", "/dev/urandom", zone.name],
                             cwd=d, check=True, capture_output=True, text=True).stdout.strip()
        with open(marker, "w") as f:
            f.write(out + "\n")
        return os.path.join(d, out)

    def ds(self, zone):
        """DS record text (owner IN DS ...) the parent publishes for zone."""
        tag = "ghost" if zone.state == "bogus" else "ksk"
        return _read(self._key(zone, tag) + ".ds").strip()

    def dnskey(self, zone):
        return _read(self._key(zone) + ".key").strip()

    # ------------------------------------------------------------ build
    def delegate(self, parent, child):
        """NS (and DS when the child is signed, bogus or expired) in parent."""
        parent.rr(child.name, "NS", NS_NAME)
        if child.state != "unsigned":
            ds = self.ds(child).split()
            # "name IN DS tag alg dt digest"
            parent.rr(child.name, "DS", " ".join(ds[3:]))

    def build(self):
        """Write all zone files (signed where declared) and return nsd.conf."""
        zdir = os.path.join(self.dir, "zones")
        os.makedirs(zdir, exist_ok=True)
        nsd_zones = []
        for z in self.zones.values():
            header = ("$ORIGIN %s\n$TTL %d\n@\t%d\tIN\tSOA\t%s hostmaster.nic.test. "
                      "1 3600 600 86400 %d\n@\t%d\tIN\tNS\t%s\n"
                      % (z.name, TTL, TTL, NS_NAME, TTL, TTL, NS_NAME))
            text = header + "\n".join(z.records) + "\n"
            src = os.path.join(zdir, z.fname + ".zone")
            signed = src + ".signed"
            changed = _write_if_changed(src, text)
            if z.state == "unsigned":
                served = src
            else:
                served = signed
                if changed or not os.path.exists(signed):
                    inc, exp = EXPIRED if z.state == "expired" else VALID
                    subprocess.run(["ldns-signzone", "-i", inc, "-e", exp, "-o", z.name,
                                    "-f", signed + ".tmp", src, self._key(z)],
                                   check=True, capture_output=True)
                    os.replace(signed + ".tmp", signed)
            nsd_zones.append((z.name, served))
        conf = ["server:",
                "    ip-address: %s" % self.nsd_addr,
                "    port: 53",
                "    do-ip6: no",
                "    server-count: 1",
                "    username: \"\"",
                "    chroot: \"\"",
                "    zonesdir: \"%s\"" % zdir,
                "    pidfile: \"%s/nsd.pid\"" % self.run,
                "    logfile: \"%s/nsd.log\"" % self.run,
                "    database: \"\"",
                "    zonelistfile: \"%s/nsd.zonelist\"" % self.dir,
                "    xfrdfile: \"%s/nsd.xfrd.state\"" % self.dir,
                "    xfrdir: \"%s\"" % self.dir,
                "    hide-version: yes",
                "    verbosity: 1",
                "    reuseport: no",
                "    tcp-count: 1000",
                # NSD limits responses per client netblock (RRL, 200 q/s by
                # default); the only client is our resolver, which a bulk
                # scan drives far past that, so turn the limit off.
                "    rrl-ratelimit: 0",
                "    rrl-whitelist-ratelimit: 0",
                "remote-control:",
                "    control-enable: no",
                ""]
        for name, path in sorted(nsd_zones):
            conf += ["zone:", "    name: \"%s\"" % name, "    zonefile: \"%s\"" % path, ""]
        return "\n".join(conf)

    def trust_anchor(self):
        return self.ds(self.zones["."]) + "\n"


def root_hints(nsd_addr):
    return ".\t3600000\tIN\tNS\t%s\n%s\t3600000\tIN\tA\t%s\n" % (NS_NAME, NS_NAME, nsd_addr)


def unbound_conf(run_dir, addr, tlds):
    run = os.path.abspath(run_dir)
    lines = ["server:",
             "    interface: %s" % addr,
             "    port: 53",
             "    outgoing-interface: %s" % addr,
             "    do-ip6: no",
             "    do-daemonize: yes",
             "    num-threads: 2",
             "    username: \"\"",
             "    chroot: \"\"",
             "    directory: \"%s\"" % run,
             "    pidfile: \"%s/unbound.pid\"" % run,
             "    logfile: \"%s/unbound.log\"" % run,
             "    use-syslog: no",
             "    verbosity: 1",
             "    val-log-level: 2",
             "    log-servfail: yes",
             "    root-hints: \"%s/root.hints\"" % run,
             "    trust-anchor-file: \"%s/root.key\"" % run,
             "    do-not-query-localhost: no",
             "    access-control: 127.0.0.0/8 allow",
             "    outgoing-range: 4096",
             "    num-queries-per-thread: 2048",
             "    so-reuseport: no",
             "    cache-max-ttl: 300",
             "    cache-max-negative-ttl: 30",
             "    val-bogus-ttl: 5",
             "    minimal-responses: no",
             "    prefetch: no"]
    # RFC 6761 names are served as empty local zones by default; the world uses them.
    for t in sorted(tlds):
        lines.append("    local-zone: \"%s.\" nodefault" % t)
    lines += ["remote-control:", "    control-enable: no", ""]
    return "\n".join(lines)
