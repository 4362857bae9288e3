"""NAME
    worldconf - parse testbed/world.conf, the declarative "local mail world".

SYNOPSIS
    from worldconf import load_world
    world = load_world("testbed/world.conf", prefix="127.77")
    for d in world.domains: ...

DESCRIPTION
    One line per case domain (a line starting with white space continues the
    previous one):

        DOMAIN  key=value  key=value ...

    The format is documented at the top of world.conf and in
    testbed/README.md. This module only parses and validates; it allocates
    the SMTP host addresses (in file order, so appending a case never moves an
    existing host) and parses the expectations used by
    tests/integration/world_test.py. It has no side effects.

DIAGNOSTICS
    ConfError(path:line: message) for any unknown key, value or malformed item.
"""

import re

# Behaviours implemented by testbed/smtpd/smtpd.py (contract with its author).
SMTPD_BEHAVIOURS = {
    "good", "no-starttls", "starttls-454", "handshake-fail", "tls10",
    "tls10-only", "weak-ciphers", "throttle-421", "no-banner",
    "banner-close", "garbage", "endless-multiline", "drip",
    "plaintext-after-starttls", "reset-after-starttls", "tls-alert",
    "huge-line", "many-ehlo-lines", "accept-no-read", "reject-localhost-helo",
    "starttls-pipelining-answer", "old-ssl", "rate-limit", "anon-dh1024",
}
# Behaviours handled by the world itself.
WORLD_BEHAVIOURS = {
    "refused",   # A record, nothing listening
    "nxdomain",  # MX name has no address record at all
    "postfix",   # the real Postfix instance (one per world)
}
CERT_VARIANTS = {"valid", "selfsigned", "wrongname", "expired", "notyet",
                 "nochain", "unknownca", "rsa1024", "sha1", "cnonly"}
DNS_STATES = {"signed", "unsigned", "bogus", "expired"}
STS_TXT = {"valid", "two", "none", "badid"}
POLICY_MODES = {"enforce", "testing", "none"}
HTTPS_VARIANTS = {"ok", "redirect", "content-type", "oversized", "malformed",
                  "wrongcert", "404", "nodns"}
TLSRPT_VARIANTS = {"valid", "two", "malformed", "none"}
FEATURES = {"base", "mtasts", "tlsrpt", "dane", "policylist", "hostile", "deep"}

HOST_KEYS = {"smtp", "cert", "tlsa", "cname", "addr", "greeting_delay_ms",
             "reply_delay_ms", "tls_versions", "ciphers", "server_order", "key", "ipv6"}
# LABEL.ipv6=: no (A only), yes (A + AAAA, both served), only (AAAA only),
# refused (A + AAAA, nothing listens on the IPv6 address), noroute (A + an
# AAAA inside the world's unreachable route: this machine has no route to it).
IPV6_MODES = {"no", "yes", "only", "refused", "noroute"}
TLS_VERSIONS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
DOMAIN_KEYS = {"dns", "mx", "sts", "policy", "policy_mx", "policy_max_age",
               "https", "tlsrpt", "policylist", "policylist_mx", "cli"}

# Top-level keys of the JSON domain object that expectations may name.
TOP_KEYS = {"domain", "status", "status_text", "message", "mx_hostnames", "mx_hosts",
            "preferred_hostnames", "implicit_mx", "null_mx"}
# extra_results keys (domain-level checks other than mta_sts).
EXTRA_KEYS = {"tls-rpt", "dane", "policylist", "dnssec"}

TLSA_RE = re.compile(r"^(bad)?([0-3])([01])([0-2])$")
# MX labels are DNS labels: underscores and edge hyphens are allowed so the
# world can serve MX names that are valid DNS names but odd host names.
LABEL_RE = re.compile(r"^(@|[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?)$")
DOMAIN_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
OP_RE = re.compile(r"(!?[:~]|[<>])")

FIRST_HOST_NET = 1   # case hosts: PREFIX.1.1 .. PREFIX.9.250
LAST_HOST_NET = 9


class ConfError(Exception):
    pass


class Expect:
    """One assertion: PATH OP VALUE, e.g. mx1.certificate.result_type:certificate-expired."""

    def __init__(self, feature, text, path, op, value):
        self.feature, self.text, self.path, self.op, self.value = \
            feature, text, path, op, value

    def __repr__(self):
        return "%s[%s]" % (self.text, self.feature)


class Host:
    def __init__(self, domain, label, pref):
        self.domain = domain      # Domain object
        self.label = label        # as written in mx= ("mx1", "@", "mx.other.test.")
        self.pref = pref
        self.smtp = "good"
        self.cert = "valid"
        self.tlsa = []            # list of (bad:bool, usage, selector, mtype)
        self.cname = None         # target label (relative) if the MX name is a CNAME
        self.addr = None          # dotted quad, allocated later
        self.addr_fixed = None
        self.greeting_delay_ms = 0
        self.reply_delay_ms = 0
        self.tls_versions = None  # smtpd listener tuning; None = the behaviour's profile
        self.ciphers = None
        self.server_order = True
        self.key = None           # "rsa" or "ec"; None = by behaviour
        self.ipv6 = "no"          # IPV6_MODES
        self.addr6 = None         # the AAAA address, allocated with addr

    @property
    def name(self):
        """The MX host name (what the MX record points at)."""
        return qualify(self.label, self.domain.name)

    @property
    def target(self):
        """The name that owns the A record and the TLSA record."""
        if self.cname:
            return qualify(self.cname, self.domain.name)
        return self.name

    @property
    def cert_names(self):
        names = [self.name]
        if self.cname:
            names.append(self.target)
        return names

    @property
    def listens(self):
        return self.smtp in SMTPD_BEHAVIOURS

    @property
    def has_address(self):
        return self.smtp != "nxdomain"

    @property
    def has_a(self):
        """An A record (an IPv4 address) is published."""
        return self.addr is not None and self.ipv6 != "only"

    @property
    def listens6(self):
        """smtpd listens on the IPv6 address too."""
        return self.listens and self.ipv6 in ("yes", "only")

    @property
    def listens4(self):
        return self.listens and self.ipv6 != "only"


class Domain:
    def __init__(self, name, lineno):
        self.name = name
        self.lineno = lineno
        self.dns = "signed"
        self.mx_mode = "mx"       # mx | none (implicit MX) | null (MX 0 .)
        self.hosts = []
        self.sts = None
        self.policy = None
        self.policy_mx = None
        self.policy_max_age = 1209600
        self.https = "ok"
        self.tlsrpt = "none"
        self.policylist = None
        self.policylist_mx = None
        self.cli = []
        self.expects = {}         # feature -> [Expect]

    def host(self, label):
        for h in self.hosts:
            if h.label == label:
                return h
        return None

    @property
    def has_policy_host(self):
        return self.policy is not None or self.https != "ok"

    @property
    def features(self):
        return sorted(self.expects)


def qualify(label, domain):
    if label == "@":
        return domain
    if label.endswith("."):
        return label[:-1]
    return label + "." + domain


class World:
    def __init__(self, prefix):
        self.prefix = prefix
        self.domains = []

    def addr(self, third, fourth):
        return "%s.%d.%d" % (self.prefix, third, fourth)

    @property
    def prefix6(self):
        """The world's unique-local IPv6 /64, derived from the prefix so two
        worlds never share addresses: 127.77 -> fd77::, 127.200 -> fd00:200::."""
        n = int(self.prefix.split(".")[1])
        return "fd%02d::" % n if n < 100 else "fd00:%d::" % n

    def addr6(self, third, fourth):
        """PREFIX.X.Y's IPv6 twin: fdNN::X:Y (the decimal digits as hex groups)."""
        return "%s%d:%d" % (self.prefix6, third, fourth)

    def addr6_noroute(self, third, fourth):
        """An address inside unreachable_route6: no route from this machine."""
        return "%sffff:%d:%d" % (self.prefix6, third, fourth)

    @property
    def unreachable_route6(self):
        """`ip -6 route add unreachable` this prefix: connect() fails at once
        with EHOSTUNREACH and nothing leaves the machine."""
        return "%sffff:0:0/96" % self.prefix6

    @property
    def nsd_addr(self):
        return self.addr(0, 1)

    @property
    def resolver_addr(self):
        return self.addr(0, 53)

    @property
    def https_addr(self):
        return self.addr(0, 43)

    @property
    def postfix_addr(self):
        return self.addr(0, 25)

    def hosts(self):
        for d in self.domains:
            for h in d.hosts:
                yield h

    def domain(self, name):
        for d in self.domains:
            if d.name == name:
                return d
        return None


def _logical_lines(path):
    cur, start = None, 0
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].rstrip()
            if not line.strip():
                continue
            if raw[0] in " \t":
                if cur is None:
                    raise ConfError("%s:%d: continuation line without a case" % (path, n))
                cur += " " + line.strip()
                continue
            if cur is not None:
                yield start, cur
            cur, start = line.strip(), n
    if cur is not None:
        yield start, cur


def _int(val, where):
    try:
        return int(val)
    except ValueError:
        raise ConfError("%s: not an integer: %r" % (where, val))


def _parse_expect(feature, items, where):
    out = []
    for item in items.split(","):
        item = item.strip()
        if not item:
            continue
        m = OP_RE.search(item)
        if not m or m.start() == 0:
            raise ConfError("%s: bad expectation %r (want PATH:VALUE, PATH~VALUE, "
                            "PATH!:VALUE, PATH<N or PATH>N)" % (where, item))
        out.append(Expect(feature, item, item[:m.start()], m.group(1), item[m.end():]))
    return out


def _parse_line(path, lineno, line):
    where = "%s:%d" % (path, lineno)
    fields = line.split()
    name = fields[0].lower().rstrip(".")
    if not DOMAIN_RE.match(name):
        raise ConfError("%s: bad domain name %r" % (where, fields[0]))
    d = Domain(name, lineno)
    host_attrs = []
    for f in fields[1:]:
        if "=" not in f:
            raise ConfError("%s: expected key=value, got %r" % (where, f))
        key, val = f.split("=", 1)
        if key.startswith("expect."):
            feat = key[len("expect."):]
            if feat not in FEATURES:
                raise ConfError("%s: unknown feature %r (one of %s)" %
                                (where, feat, ",".join(sorted(FEATURES))))
            d.expects.setdefault(feat, []).extend(_parse_expect(feat, val, where))
        elif key == "mx":
            if val in ("none", "null"):
                d.mx_mode = val
                if val == "none":
                    d.hosts.append(Host(d, "@", 0))
            else:
                for ent in val.split(","):
                    if ":" not in ent:
                        raise ConfError("%s: mx entry %r is not PREF:LABEL" % (where, ent))
                    pref, label = ent.split(":", 1)
                    label = label.lower()
                    if not LABEL_RE.match(label) or label == "@":
                        raise ConfError("%s: bad mx label %r" % (where, label))
                    if label.endswith(".") and not label.endswith("." + name + "."):
                        raise ConfError("%s: absolute mx label %r must lie inside %s"
                                        % (where, label, name))
                    d.hosts.append(Host(d, label, _int(pref, where)))
        elif key in DOMAIN_KEYS:
            if key == "dns":
                _check(val, DNS_STATES, where, key)
                d.dns = val
            elif key == "sts":
                _check(val, STS_TXT, where, key)
                d.sts = val
            elif key == "policy":
                _check(val, POLICY_MODES, where, key)
                d.policy = val
            elif key == "policy_mx":
                d.policy_mx = val.split(",")
            elif key == "policy_max_age":
                d.policy_max_age = _int(val, where)
            elif key == "https":
                _check(val, HTTPS_VARIANTS, where, key)
                d.https = val
            elif key == "tlsrpt":
                _check(val, TLSRPT_VARIANTS, where, key)
                d.tlsrpt = val
            elif key == "policylist":
                _check(val, {"enforce", "testing"}, where, key)
                d.policylist = val
            elif key == "policylist_mx":
                d.policylist_mx = val.split(",")
            elif key == "cli":
                d.cli = val.split(",")
        elif "." in key and key.rsplit(".", 1)[1] in HOST_KEYS:
            host_attrs.append((key.rsplit(".", 1), val))
        else:
            raise ConfError("%s: unknown key %r" % (where, key))
    if not d.hosts and d.mx_mode == "mx":
        d.hosts.append(Host(d, "mx1", 10))     # default: mx=10:mx1
    for (label, attr), val in host_attrs:
        h = d.host(label)
        if h is None:
            raise ConfError("%s: %s.%s: no MX host %r in mx=" % (where, label, attr, label))
        if attr == "smtp":
            _check(val, SMTPD_BEHAVIOURS | WORLD_BEHAVIOURS, where, "smtp")
            h.smtp = val
        elif attr == "cert":
            _check(val, CERT_VARIANTS, where, "cert")
            h.cert = val
        elif attr == "tlsa":
            for spec in val.split(","):
                m = TLSA_RE.match(spec)
                if not m:
                    raise ConfError("%s: bad tlsa spec %r (want USM digits like 311, "
                                    "optionally prefixed by 'bad')" % (where, spec))
                h.tlsa.append((bool(m.group(1)), int(m.group(2)), int(m.group(3)),
                               int(m.group(4))))
        elif attr == "cname":
            if not LABEL_RE.match(val) or val.endswith(".") or val == "@":
                raise ConfError("%s: cname target must be a relative label: %r" % (where, val))
            h.cname = val
        elif attr == "addr":
            parts = val.split(".")
            if len(parts) != 2:
                raise ConfError("%s: addr is the last two octets, e.g. 9.200" % where)
            h.addr_fixed = (_int(parts[0], where), _int(parts[1], where))
        elif attr in ("greeting_delay_ms", "reply_delay_ms"):
            setattr(h, attr, _int(val, where))
        elif attr == "tls_versions":
            vers = val.split(",")
            for v in vers:
                _check(v, set(TLS_VERSIONS), where, "tls_versions")
            h.tls_versions = vers
        elif attr == "ciphers":
            if not re.match(r"^[A-Za-z0-9@=+!:_-]+$", val):
                raise ConfError("%s: bad ciphers %r" % (where, val))
            h.ciphers = val
        elif attr == "server_order":
            _check(val, {"yes", "no"}, where, "server_order")
            h.server_order = val == "yes"
        elif attr == "key":
            _check(val, {"rsa", "ec"}, where, "key")
            h.key = val
        elif attr == "ipv6":
            _check(val, IPV6_MODES, where, "ipv6")
            h.ipv6 = val
    # A misbehaving policy host implies a policy (enforce); decide that
    # first so the _mta-sts TXT record follows from it.
    if d.policy is None and d.https != "ok":
        d.policy = "enforce"
    if d.sts is None:
        d.sts = "valid" if d.policy else "none"
    return d


def _check(val, allowed, where, key):
    if val not in allowed:
        raise ConfError("%s: %s=%s: not one of %s" % (where, key, val, ", ".join(sorted(allowed))))


def load_world(path, prefix="127.77"):
    if not re.match(r"^127\.\d{1,3}$", prefix) or prefix in ("127.0",):
        raise ConfError("WORLD_PREFIX must be 127.N with N != 0, got %r" % prefix)
    world = World(prefix)
    seen = set()
    for lineno, line in _logical_lines(path):
        d = _parse_line(path, lineno, line)
        if d.name in seen:
            raise ConfError("%s:%d: duplicate domain %s" % (path, lineno, d.name))
        seen.add(d.name)
        world.domains.append(d)
    _allocate(world, path)
    _validate_expects(world, path)
    return world


def _allocate(world, path):
    used = set()
    postfix = 0
    for h in world.hosts():
        if h.addr_fixed:
            used.add(h.addr_fixed)
    nxt = [FIRST_HOST_NET, 1]
    for h in world.hosts():
        if h.smtp == "postfix":
            postfix += 1
            h.addr = world.postfix_addr
            if h.ipv6 != "no":
                raise ConfError("%s: %s: ipv6= is not supported with smtp=postfix" % (path, h.name))
            continue
        if not h.has_address:
            continue
        if h.addr_fixed:
            h.addr = world.addr(*h.addr_fixed)
            _set_addr6(world, h, h.addr_fixed)
            continue
        while tuple(nxt) in used:
            _bump(nxt)
        h.addr = world.addr(*nxt)
        used.add(tuple(nxt))
        _set_addr6(world, h, nxt)
        _bump(nxt)
        if nxt[0] > LAST_HOST_NET:
            raise ConfError("%s: too many hosts for %s.%d-%d.*" %
                            (path, world.prefix, FIRST_HOST_NET, LAST_HOST_NET))
    if postfix > 1:
        raise ConfError("%s: only one host may use smtp=postfix" % path)


def _set_addr6(world, h, xy):
    if h.ipv6 in ("yes", "only", "refused"):
        h.addr6 = world.addr6(*xy)
    elif h.ipv6 == "noroute":
        h.addr6 = world.addr6_noroute(*xy)


def _bump(nxt):
    nxt[1] += 1
    if nxt[1] > 250:
        nxt[0], nxt[1] = nxt[0] + 1, 1


def resolve_path(domain, path):
    """Split an expectation path into (kind, host_label_or_None, rest[]).

    kind: 'top' (domain object key), 'mta_sts', 'extra' (extra_results[rest[0]]),
    'host' (results[host].…). Longest declared host label wins."""
    parts = path.split(".")
    if parts[0] in TOP_KEYS and len(parts) == 1:
        return "top", None, parts
    if parts[0] == "mta_sts":
        return "mta_sts", None, parts[1:]
    if parts[0] in EXTRA_KEYS:
        return "extra", None, parts
    labels = sorted((h.label for h in domain.hosts), key=len, reverse=True)
    for label in labels:
        lp = label.rstrip(".").split(".") if label != "@" else ["@"]
        if parts[:len(lp)] == lp:
            return "host", label, parts[len(lp):]
    return None, None, parts


def _validate_expects(world, path):
    for d in world.domains:
        for exps in d.expects.values():
            for e in exps:
                kind, _, _ = resolve_path(d, e.path)
                if kind is None:
                    raise ConfError("%s:%d: expectation %r: %r is not a top-level key, "
                                    "mta_sts, an extra_results key or an MX label of %s"
                                    % (path, d.lineno, e.text, e.path.split(".")[0], d.name))
