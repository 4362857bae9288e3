#!/usr/bin/python3
"""NAME
    smtpd.py - scripted SMTP server for the starttls-check loopback testbed

SYNOPSIS
    /usr/bin/python3 testbed/smtpd/smtpd.py --config run/smtpd.json
        --pidfile run/smtpd.pid --log run/smtpd.log [--foreground]
        [--workers N]

DESCRIPTION
    One asyncio process serves every listener of the config file (thousands
    are fine). Each listener has one behaviour: a well-behaved STARTTLS
    server ("good") or one of many broken/hostile ones (see BEHAVIOURS and
    testbed/smtpd/README.md). Python standard library only.

    Without --foreground the server daemonizes (double fork). The pid file
    is written after every socket is bound and listening; the launching
    process exits 0 only once that is done (1 on any setup error, with the
    reason on stderr). SIGTERM/SIGINT stop the server and remove the pid
    file.

    --workers N (default 1) forks N-1 extra processes that accept on the
    same listening sockets (more CPU for TLS handshakes in benchmarks). The
    pid file holds the main process; it stops the workers on SIGTERM.

LIMITS
    Command line 512 bytes incl. CRLF (longer: "500 line too long").
    Idle timeout 60 s per read, 300 s per connection, holding behaviours
    120 s. The log is rotated to LOG.1 at 64 MiB (one generation).

DIAGNOSTICS
    One log line per connection: time, listener, peer, behaviour, outcome,
    duration, negotiated TLS version and cipher when TLS came up.
"""

import argparse
import asyncio
import json
import logging
import os
import resource
import signal
import socket
import ssl
import struct
import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)
# asyncio warns "returning true from eof_received() has no effect when using
# ssl" for every TLS stream that sees EOF; per-connection outcomes are
# logged by us instead.
logging.getLogger("asyncio").setLevel(logging.CRITICAL)

LINE_MAX = 512               # RFC 5321 command line, CRLF included
IDLE_TIMEOUT = 60.0          # seconds without client input
SESSION_MAX = 300.0          # hard cap for one connection
HOLD_MAX = 120.0             # no-banner / accept-no-read
HANDSHAKE_TIMEOUT = 30.0
MAX_ERRORS = 20              # bad commands before 421
LOG_MAX = 64 * 1024 * 1024
BACKLOG = 1024
HUGE_LINE_BYTES = 1024 * 1024
HUGE_LINE_HOLD = 30.0        # seconds between the 1 MB line and its CRLF
MANY_EHLO_LINES = 10000
# "rate-limit": after a connection it serves, the listener answers 421 to
# every connection for this long (real limits count per minute; a few
# seconds cover the probes of one check and let a case run again soon).
# The window's start (wall clock) is kept in LOGDIR/ratelimit-ADDR-PORT, so
# every worker shares it and a test can wait for the window to pass
# (rate_limit_wait) instead of sleeping blindly.
RATE_LIMIT_WINDOW = 5.0
RATE_LIMIT_STATE = "ratelimit-%s-%d"


def rate_limit_served_at(path):
    """Wall-clock start of the current window, or None."""
    try:
        with open(path) as f:
            return float(f.read(64).strip())
    except (OSError, ValueError):
        return None
CLIENT_HELLO_MAX = 5 + 16384 + 2048

BEHAVIOURS = (
    "good", "no-starttls", "starttls-454", "handshake-fail", "tls10",
    "tls10-only", "weak-ciphers", "throttle-421", "no-banner",
    "banner-close", "garbage", "endless-multiline", "drip",
    "plaintext-after-starttls", "reset-after-starttls", "tls-alert",
    "huge-line", "many-ehlo-lines", "accept-no-read",
    "starttls-pipelining-answer", "old-ssl", "reject-localhost-helo", "rate-limit",
    "anon-dh1024",
)

# Behaviours that never reach a TLS handshake need no certificate.
NO_TLS = {"no-starttls", "starttls-454", "handshake-fail", "throttle-421",
          "no-banner", "banner-close", "garbage", "reset-after-starttls",
          "tls-alert", "accept-no-read"}

TLS_ALERT = bytes.fromhex("15030300020228")  # fatal handshake_failure

# Listener TLS tuning (optional keys; absent = the behaviour's profile).
TLS_VERSION_NAMES = {"TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1,
                     "TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3}
TLS_VERSION_ORDER = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]

# "old-ssl": scripted answers to SSLv2 and SSLv3 hellos (OpenSSL 3 speaks
# neither); every other ClientHello gets the normal TLS handshake.
OLD_SSL3_SUITES = (0x0035, 0x000a, 0x0005)   # AES256-SHA, DES-CBC3-SHA, RC4-SHA
OLD_SSL2_KINDS = (0x0700c0, 0x010080)        # DES-CBC3-MD5, RC4-MD5


def ssl3_flight(hello):
    """SSLv3 ServerHello (+ renegotiation_info when the SCSV was offered)
    and ServerHelloDone, or a handshake_failure alert; hello is the whole
    ClientHello record. RFC 6101 5.6.1.3."""
    try:
        body = hello[9:]
        sid = body[34]
        p = 35 + sid
        n = struct.unpack(">H", body[p:p + 2])[0]
        offered = [struct.unpack(">H", body[p + 2 + i:p + 4 + i])[0]
                   for i in range(0, n, 2)]
    except (IndexError, struct.error):
        return bytes.fromhex("15030000020232")          # decode_error
    pick = next((c for c in OLD_SSL3_SUITES if c in offered), None)
    if pick is None:
        return bytes.fromhex("15030000020228")          # handshake_failure
    ext = b""
    if 0x00ff in offered:
        ext = struct.pack(">HHHB", 5, 0xff01, 1, 0)    # renegotiation_info, empty
    sh = b"\x03\x00" + bytes(range(32)) + b"\x00" + struct.pack(">HB", pick, 0) + ext
    msgs = b"\x02" + struct.pack(">I", len(sh))[1:] + sh + b"\x0e\x00\x00\x00"
    return b"\x16\x03\x00" + struct.pack(">H", len(msgs)) + msgs


# "anon-dh1024": what OpenSSL's automatic DH does for an anonymous 128-bit
# suite (80-bit security: a 1024-bit prime) beside DHE-RSA suites that use
# the listener's 2048-bit group. A ClientHello offering no suite the TLS
# context has but TLS_DH_anon_WITH_AES_128_GCM_SHA256 gets a scripted
# ServerHello + ServerKeyExchange with the RFC 2409 1024-bit MODP prime.
ANON_DH_SUITE = 0x00a6
MODP1024 = bytes.fromhex(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF")


def offered_suites(hello):
    """(client_version, [suites]) of a ClientHello record, or None."""
    try:
        body = hello[9:]
        sid = body[34]
        p = 35 + sid
        n = struct.unpack(">H", body[p:p + 2])[0]
        return (struct.unpack(">H", body[0:2])[0],
                [struct.unpack(">H", body[p + 2 + i:p + 4 + i])[0] for i in range(0, n, 2)])
    except (IndexError, struct.error):
        return None


def anon_dh_flight():
    """TLS 1.2 ServerHello (DH_anon AES128-GCM), ServerKeyExchange with a
    1024-bit prime (no signature: anonymous), ServerHelloDone."""
    sh = b"\x03\x03" + bytes(range(32)) + b"\x00" + struct.pack(">HB", ANON_DH_SUITE, 0)
    ske = (struct.pack(">H", len(MODP1024)) + MODP1024 + b"\x00\x01\x02" +
           b"\x00\x01\x02")
    msgs = (b"\x02" + struct.pack(">I", len(sh))[1:] + sh +
            b"\x0c" + struct.pack(">I", len(ske))[1:] + ske + b"\x0e\x00\x00\x00")
    return b"\x16\x03\x03" + struct.pack(">H", len(msgs)) + msgs


def ssl2_server_hello(kinds):
    """SSLv2 SERVER-HELLO listing kinds, no certificate (draft 2.2 appendix)."""
    specs = b"".join(struct.pack(">I", k)[1:] for k in kinds)
    cid = bytes(range(16))
    body = struct.pack(">BBBHHHH", 4, 0, 1, 2, 0, len(specs), len(cid)) + specs + cid
    return struct.pack(">H", 0x8000 | len(body)) + body

# RFC 7919 ffdhe2048, so DHE and anonymous ADH suites work without dhparam.
FFDHE2048 = """-----BEGIN DH PARAMETERS-----
MIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz
+8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a
87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7
YdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi
7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD
ssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==
-----END DH PARAMETERS-----
"""


def patch_asyncio_alerts():
    """asyncio (3.11) drops the TLS alert OpenSSL queued when a handshake
    fails (wrong version, no shared cipher): the client would see a bare EOF
    where a real server sends an alert. Flush the outgoing BIO first."""
    from asyncio import sslproto
    proto = getattr(sslproto, "SSLProtocol", None)
    again = getattr(sslproto, "SSLAgainErrors", None)
    if proto is None or again is None or not hasattr(proto, "_do_handshake") \
            or not hasattr(proto, "_process_outgoing"):
        return

    def _do_handshake(self):
        try:
            self._sslobj.do_handshake()
        except again:
            self._process_outgoing()
        except ssl.SSLError as exc:
            try:
                self._process_outgoing()
            except Exception:
                pass
            self._on_handshake_complete(exc)
        else:
            self._on_handshake_complete(None)

    proto._do_handshake = _do_handshake


patch_asyncio_alerts()


class ConfigError(Exception):
    pass


# ---------------------------------------------------------------- logging

class Log:
    """Buffered, O_APPEND, size-bounded log shared by all worker processes."""

    def __init__(self, path):
        self.path = path
        self.fd = -1
        self.pending = []
        self.lines = 0
        self.open()

    def open(self):
        if self.fd >= 0:
            os.close(self.fd)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                          0o644)

    def write(self, line):
        self.pending.append(line + "\n")
        if len(self.pending) >= 256:
            self.flush()

    def flush(self):
        if not self.pending:
            return
        data = "".join(self.pending).encode("utf-8", "replace")
        self.pending = []
        try:
            os.write(self.fd, data)
            self.rotate()
        except OSError:
            pass

    def rotate(self):
        st = os.fstat(self.fd)
        try:
            cur = os.stat(self.path)
        except FileNotFoundError:
            self.open()
            return
        if cur.st_ino != st.st_ino:       # another worker rotated
            self.open()
        elif st.st_size > LOG_MAX:
            os.replace(self.path, self.path + ".1")
            self.open()


def clean(text, limit=200):
    """Printable ASCII only: network text never reaches the log raw."""
    out = "".join(c if 32 <= ord(c) < 127 else "?" for c in str(text))
    return out[:limit]


# ---------------------------------------------------------------- config

def load_config(path):
    try:
        with open(path, "rb") as f:
            cfg = json.load(f)
    except (OSError, ValueError) as e:
        raise ConfigError("%s: %s" % (path, e))
    if not isinstance(cfg, dict) or not isinstance(cfg.get("listeners"), list):
        raise ConfigError("%s: expected {\"listeners\": [...]}" % path)
    out = []
    seen = set()
    for i, l in enumerate(cfg["listeners"]):
        where = "%s: listeners[%d]" % (path, i)
        if not isinstance(l, dict):
            raise ConfigError(where + ": not an object")
        addr, port = l.get("addr"), l.get("port", 25)
        beh, host = l.get("behaviour"), l.get("hostname")
        if not isinstance(addr, str) or not isinstance(port, int) \
                or not 0 < port < 65536:
            raise ConfigError(where + ": bad addr/port")
        if beh not in BEHAVIOURS:
            raise ConfigError(where + ": unknown behaviour %r" % (beh,))
        if not isinstance(host, str) or not host or clean(host, 255) != host \
                or " " in host:
            raise ConfigError(where + ": bad hostname")
        if (addr, port) in seen:
            raise ConfigError(where + ": duplicate %s:%d" % (addr, port))
        seen.add((addr, port))
        d = {"addr": addr, "port": port, "hostname": host, "behaviour": beh}
        for k in ("greeting_delay_ms", "reply_delay_ms"):
            v = l.get(k) or 0
            if not isinstance(v, (int, float)) or v < 0 or v > 600000:
                raise ConfigError(where + ": bad " + k)
            d[k] = v / 1000.0
        for k in ("cert", "key", "chain"):
            v = l.get(k)
            if v is not None and not isinstance(v, str):
                raise ConfigError(where + ": bad " + k)
            d[k] = os.path.abspath(v) if v else None
        if beh not in NO_TLS and not (d["cert"] and d["key"]):
            raise ConfigError(where + ": behaviour %s needs cert and key" % beh)
        d["tuning"] = load_tuning(l, where)
        out.append(d)
    return out


def load_tuning(l, where):
    """Optional TLS keys: "tls_versions" (a contiguous list such as
    ["TLSv1.2"]), "ciphers" (OpenSSL list for TLS 1.2 and older),
    "prefer_server_order" (default true). Returns a hashable tuple."""
    vers = l.get("tls_versions")
    if vers is not None:
        if not isinstance(vers, list) or not vers or \
                any(v not in TLS_VERSION_NAMES for v in vers):
            raise ConfigError(where + ": bad tls_versions (known: %s)"
                              % ", ".join(TLS_VERSION_ORDER))
        idx = sorted(TLS_VERSION_ORDER.index(v) for v in vers)
        if idx != list(range(idx[0], idx[-1] + 1)):
            raise ConfigError(where + ": tls_versions must be contiguous")
        vers = (TLS_VERSION_ORDER[idx[0]], TLS_VERSION_ORDER[idx[-1]])
    ciphers = l.get("ciphers")
    if ciphers is not None and (not isinstance(ciphers, str) or not ciphers
                                or clean(ciphers, 1000) != ciphers):
        raise ConfigError(where + ": bad ciphers")
    order = l.get("prefer_server_order", True)
    if not isinstance(order, bool):
        raise ConfigError(where + ": prefer_server_order must be true or false")
    return (vers, ciphers, order)


def tls_profile(behaviour):
    return {"tls10": "tls10", "tls10-only": "tls10-only",
            "weak-ciphers": "weak"}.get(behaviour, "modern")


def make_context(cert, key, chain, profile, tuning, dhfile):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certfile, tmp = cert, None
    try:
        if chain:
            fd, tmp = tempfile.mkstemp(prefix="smtpd-chain-", suffix=".pem")
            with os.fdopen(fd, "wb") as out:
                for p in (cert, chain):
                    with open(p, "rb") as f:
                        data = f.read()
                    out.write(data if data.endswith(b"\n") else data + b"\n")
            certfile = tmp
        try:
            ctx.load_cert_chain(certfile, key)
        except ssl.SSLError as e:
            # A deliberately weak test certificate (RSA-1024, SHA-1): the
            # server may serve it, only the client must judge it.
            if "too small" not in str(e) and "too weak" not in str(e):
                raise
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
            ctx.load_cert_chain(certfile, key)
    finally:
        if tmp:
            os.unlink(tmp)
    ctx.load_dh_params(dhfile)
    if profile == "modern":
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    elif profile == "tls10":
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    elif profile == "tls10-only":
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1
    elif profile == "weak":
        # Server preference keeps strong suites first for normal clients;
        # a probe offering only weak suites gets one of them.
        ctx.set_ciphers("ALL:eNULL:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    else:
        raise ConfigError("unknown TLS profile " + profile)
    vers, ciphers, order = tuning
    if ciphers:
        ctx.set_ciphers(ciphers)
    if vers:
        ctx.minimum_version = TLS_VERSION_NAMES[vers[0]]
        ctx.maximum_version = TLS_VERSION_NAMES[vers[1]]
    if order:
        ctx.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
    else:
        ctx.options &= ~ssl.OP_CIPHER_SERVER_PREFERENCE    # Python sets it by default
    return ctx


def build_contexts(listeners):
    fd, dhfile = tempfile.mkstemp(prefix="smtpd-dh-", suffix=".pem")
    with os.fdopen(fd, "w") as f:
        f.write(FFDHE2048)
    cache = {}
    try:
        for l in listeners:
            if l["behaviour"] in NO_TLS:
                l["ctx"] = None
                continue
            k = (l["cert"], l["key"], l["chain"], tls_profile(l["behaviour"]),
                 l["tuning"])
            if k not in cache:
                try:
                    cache[k] = make_context(*k, dhfile)
                except (OSError, ssl.SSLError) as e:
                    raise ConfigError("%s:%d: TLS setup (%s, %s): %s" % (
                        l["addr"], l["port"], l["cert"], l["key"], e))
            l["ctx"] = cache[k]
    finally:
        os.unlink(dhfile)
    return len(cache)


def bind_all(listeners):
    socks = []
    try:
        for l in listeners:
            fam = socket.AF_INET6 if ":" in l["addr"] else socket.AF_INET
            s = socket.socket(fam, socket.SOCK_STREAM)
            socks.append(s)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if fam == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            if l["behaviour"] == "accept-no-read":
                # small window so the client's writes block quickly
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            try:
                s.bind((l["addr"], l["port"]))
            except OSError as e:
                raise ConfigError("bind %s:%d: %s" % (l["addr"], l["port"],
                                                      e.strerror))
            s.listen(BACKLOG)
            s.setblocking(False)
            l["sock"] = s
    except BaseException:
        for s in socks:
            s.close()
        raise
    return socks


# ---------------------------------------------------------------- sessions

class PeerGone(Exception):
    pass


class Session:
    __slots__ = ("l", "reader", "writer", "buf", "skipping", "tls",
                 "outcome", "errors", "tlsinfo")

    def __init__(self, l, reader, writer):
        self.l = l
        self.reader = reader
        self.writer = writer
        self.buf = bytearray()
        self.skipping = False
        self.tls = False
        self.outcome = None
        self.errors = 0
        self.tlsinfo = ""

    # -- I/O
    async def fill(self, timeout=IDLE_TIMEOUT):
        async with asyncio.timeout(timeout):
            data = await self.reader.read(4096)
        if not data:
            raise PeerGone()
        self.buf += data

    async def read_line(self):
        """Next command line without CRLF, or None if it was too long."""
        buf = self.buf
        while True:
            i = buf.find(b"\n")
            if i >= 0:
                line = bytes(buf[:i + 1])
                del buf[:i + 1]
                if self.skipping or len(line) > LINE_MAX:
                    self.skipping = False
                    return None
                return line.rstrip(b"\r\n")
            if len(buf) > LINE_MAX:
                buf.clear()
                self.skipping = True
            await self.fill()

    def discard_input(self):
        """Forget every byte received so far (before a TLS handshake)."""
        self.buf.clear()
        self.skipping = False
        rb = getattr(self.reader, "_buffer", None)
        if rb is not None:
            rb.clear()

    async def send(self, data):
        self.writer.write(data)
        await self.writer.drain()

    async def reply(self, *lines):
        if self.l["reply_delay_ms"]:
            await asyncio.sleep(self.l["reply_delay_ms"])
        await self.send("".join(lines).encode())

    async def read_tls_record(self, timeout=10.0):
        """Read one raw TLS record (the ClientHello) from the plain stream."""
        while len(self.buf) < 5:
            await self.fill(timeout)
        n = struct.unpack(">H", bytes(self.buf[3:5]))[0]
        if self.buf[0] != 0x16 or 5 + n > CLIENT_HELLO_MAX:
            return False
        while len(self.buf) < 5 + n:
            await self.fill(timeout)
        return True

    async def peek(self, n, timeout=10.0):
        """Up to n bytes from the socket without consuming them (the
        transport must be paused); b"" when nothing came in time."""
        sock = self.writer.get_extra_info("socket")
        raw = socket.socket(fileno=os.dup(sock.fileno()))
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    data = raw.recv(n, socket.MSG_PEEK | socket.MSG_DONTWAIT)
                except BlockingIOError:
                    data = None
                if data is not None and (len(data) >= n or data == b""):
                    return data
                await asyncio.sleep(0.005)
            return data or b""
        finally:
            raw.close()

    async def close_gracefully(self, wait=2.0):
        """FIN, then drain the client's input a moment so it sees our data
        instead of a RST."""
        w = self.writer
        try:
            await w.drain()
            if w.can_write_eof():
                w.write_eof()
            async with asyncio.timeout(wait):
                while await self.reader.read(4096):
                    pass
        except Exception:
            pass

    def reset(self):
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
        self.writer.transport.abort()

    def peer_closed(self):
        """True once the peer sent FIN (TCP_INFO state CLOSE_WAIT), without
        reading anything."""
        sock = self.writer.get_extra_info("socket")
        try:
            info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
        except (OSError, AttributeError):
            return True
        return info[0] != 1          # not TCP_ESTABLISHED

    # -- SMTP
    async def banner(self):
        if self.l["greeting_delay_ms"]:
            await asyncio.sleep(self.l["greeting_delay_ms"])
        await self.send(("220 %s ESMTP testbed\r\n" % self.l["hostname"])
                        .encode())

    def ehlo_lines(self):
        b = self.l["behaviour"]
        lines = ["250-%s" % self.l["hostname"], "250-PIPELINING",
                 "250-SIZE 10240000"]
        if not self.tls and b != "no-starttls":
            lines.append("250-STARTTLS")
        lines.append("250 8BITMIME")
        return lines

    async def ehlo(self):
        b = self.l["behaviour"]
        if b == "endless-multiline":
            await self.endless_multiline()
            return
        lines = self.ehlo_lines()
        if b == "many-ehlo-lines":
            lines[-1] = "250-8BITMIME"
            if self.l["reply_delay_ms"]:
                await asyncio.sleep(self.l["reply_delay_ms"])
            await self.send(("\r\n".join(lines) + "\r\n").encode())
            for start in range(0, MANY_EHLO_LINES, 500):
                chunk = "".join("250-X-FILLER-%05d\r\n" % i for i in
                                range(start, min(start + 500,
                                                 MANY_EHLO_LINES)))
                await self.send(chunk.encode())
            await self.send(b"250 OK\r\n")
            return
        await self.reply("\r\n".join(lines) + "\r\n")

    def helo_rejected(self, arg):
        """reject-localhost-helo: EHLO/HELO localhost (or localhost.*, or no
        name) is refused, as Postfix's reject_non_fqdn_helo_hostname and many
        MTAs' anti-spam rules do."""
        if self.l["behaviour"] != "reject-localhost-helo":
            return False
        name = arg.strip().lower()
        return name == b"" or name.split(b".")[0] == b"localhost"

    async def endless_multiline(self):
        if self.l["reply_delay_ms"]:
            await asyncio.sleep(self.l["reply_delay_ms"])
        await self.send(("250-%s\r\n" % self.l["hostname"]).encode())
        n = 0
        while True:                  # until the client closes (or SESSION_MAX)
            chunk = "".join("250-X-ENDLESS-%010d\r\n" % i
                            for i in range(n, n + 256)).encode()
            n += 256
            await self.send(chunk)   # raises once the client is gone
            await asyncio.sleep(0.005)

    async def starttls(self):
        b = self.l["behaviour"]
        w = self.writer
        if b == "no-starttls":
            await self.reply("502 5.5.1 Error: command not implemented\r\n")
            return True
        if b == "starttls-454":
            await self.reply("454 4.7.0 TLS not available\r\n")
            return True
        if b == "handshake-fail":
            await self.reply("220 2.0.0 Ready to start TLS\r\n")
            try:
                await self.fill(10.0)
            except (TimeoutError, PeerGone):
                pass
            await self.send(b"this is not TLS\r\n\x00\xff\xfe garbage "
                            + bytes(range(0, 256, 7)) + b"\r\n")
            await self.close_gracefully()
            self.outcome = "handshake-garbage-sent"
            return False
        if b == "reset-after-starttls":
            self.discard_input()
            await self.reply("220 2.0.0 Ready to start TLS\r\n")
            try:
                await self.fill(5.0)          # the ClientHello
            except (TimeoutError, PeerGone):
                pass
            self.reset()
            self.outcome = "rst-sent"
            return False
        if b == "tls-alert":
            self.discard_input()
            await self.reply("220 2.0.0 Ready to start TLS\r\n")
            try:
                ok = await self.read_tls_record()
            except (TimeoutError, PeerGone):
                self.outcome = "no-client-hello"
                return False
            await self.send(TLS_ALERT)
            await self.close_gracefully()
            self.outcome = "alert-sent" if ok else "alert-sent-bad-hello"
            return False
        # handshake behaviours
        if b == "old-ssl":
            if self.l["reply_delay_ms"]:
                await asyncio.sleep(self.l["reply_delay_ms"])
            self.discard_input()
            w.write(b"220 2.0.0 Ready to start TLS\r\n")
            w.transport.pause_reading()          # keep the ClientHello in the socket
            head = await self.peek(11)
            if head[:1] == b"\x16" and head[9:11] == b"\x03\x00":
                w.transport.resume_reading()
                if await self.read_tls_record():
                    await self.send(ssl3_flight(bytes(self.buf)))
                await self.close_gracefully()
                self.outcome = "sslv3-answered"
                return False
            if len(head) >= 5 and head[0] & 0x80 and head[2] == 1 \
                    and head[3:5] == b"\x00\x02":
                w.transport.resume_reading()
                await self.send(ssl2_server_hello(OLD_SSL2_KINDS))
                await self.close_gracefully()
                self.outcome = "sslv2-answered"
                return False
            # anything else: the normal handshake below (start_tls resumes reading)
        elif b == "anon-dh1024":
            self.discard_input()
            w.write(b"220 2.0.0 Ready to start TLS\r\n")
            w.transport.pause_reading()          # keep the ClientHello in the socket
            head = await self.peek(5)
            n = struct.unpack(">H", head[3:5])[0] if len(head) == 5 else 0
            hello = await self.peek(5 + n) if head[:1] == b"\x16" and n else b""
            got = offered_suites(hello) if len(hello) == 5 + n else None
            ours = {c["id"] & 0xffff for c in self.l["ctx"].get_ciphers()}
            if got and ANON_DH_SUITE in got[1] and not ours & set(got[1]):
                w.transport.resume_reading()
                await self.read_tls_record()
                await self.send(anon_dh_flight())
                await self.close_gracefully()
                self.outcome = "anon-dh1024-answered"
                return False
        elif b == "starttls-pipelining-answer":
            # vulnerable (CVE-2011-0411): keep what was pipelined after
            # STARTTLS and execute it once TLS is up, answering inside TLS
            await self.reply("220 2.0.0 Ready to start TLS\r\n")
        elif b == "plaintext-after-starttls":
            if self.l["reply_delay_ms"]:
                await asyncio.sleep(self.l["reply_delay_ms"])
            self.discard_input()
            w.write(b"220 Ready\r\n250 injected\r\n")       # one write
        else:
            if self.l["reply_delay_ms"]:
                await asyncio.sleep(self.l["reply_delay_ms"])
            self.discard_input()                 # no plaintext survives TLS
            w.write(b"220 2.0.0 Ready to start TLS\r\n")
        # no await between the write above and start_tls pausing the
        # transport, so the ClientHello can never land in our buffers
        await w.start_tls(self.l["ctx"],
                          ssl_handshake_timeout=HANDSHAKE_TIMEOUT)
        self.tls = True
        so = w.get_extra_info("ssl_object")
        if so is not None:
            c = so.cipher()
            self.tlsinfo = "%s/%s" % (so.version(), c[0] if c else "?")
        return True

    async def dialogue(self):
        while True:
            line = await self.read_line()
            if line is None:
                await self.reply("500 5.5.0 Error: line too long\r\n")
                if not await self.count_error():
                    return
                continue
            verb, _, arg = line.partition(b" ")
            verb = verb.upper()
            if verb in (b"EHLO", b"HELO") and self.helo_rejected(arg):
                await self.reply("550 5.7.1 <%s>: Helo command rejected: localhost is not a"
                                 " name from the Internet\r\n"
                                 % arg.strip().decode("ascii", "replace")[:64])
            elif verb == b"EHLO":
                await self.ehlo()
            elif verb == b"HELO":
                await self.reply("250 %s\r\n" % self.l["hostname"])
            elif verb == b"STARTTLS":
                if arg.strip():
                    await self.reply("501 5.5.4 Syntax: STARTTLS\r\n")
                elif self.tls:
                    await self.reply("503 5.5.1 Error: TLS already active\r\n")
                elif not await self.starttls():
                    return
            elif verb in (b"NOOP", b"RSET"):
                await self.reply("250 2.0.0 Ok\r\n")
            elif verb == b"MAIL":
                await self.reply("250 2.1.0 Ok\r\n")
            elif verb == b"RCPT":
                await self.reply("550 5.7.1 Relay access denied\r\n")
            elif verb == b"DATA":
                await self.reply("554 5.5.1 Error: no valid recipients\r\n")
            elif verb == b"VRFY":
                await self.reply("252 2.0.0 Cannot VRFY\r\n")
            elif verb == b"QUIT":
                await self.reply("221 2.0.0 Bye\r\n")
                if not self.tls:
                    await self.close_gracefully()
                self.outcome = "quit"
                return
            else:
                await self.reply("500 5.5.2 Error: command not recognized\r\n")
                if not await self.count_error():
                    return

    async def count_error(self):
        self.errors += 1
        if self.errors < MAX_ERRORS:
            return True
        await self.reply("421 4.7.0 Error: too many errors\r\n")
        self.outcome = "too-many-errors"
        return False

    # -- behaviours: what happens before the SMTP dialogue
    async def run(self):
        b = self.l["behaviour"]
        if b == "rate-limit":
            now = time.time()
            state = self.l.get("rate_state")
            served = rate_limit_served_at(state) if state else self.l.get("served_at")
            if served is not None and 0 <= now - served < RATE_LIMIT_WINDOW:
                await self.send(b"421 4.7.0 Error: too many connections, try again later\r\n")
                await self.close_gracefully()
                self.outcome = "421-rate-limited"
                return
            self.l["served_at"] = now
            if state:
                try:
                    with open(state + ".tmp%d" % os.getpid(), "w") as f:
                        f.write("%.6f\n" % now)
                    os.replace(state + ".tmp%d" % os.getpid(), state)
                except OSError:
                    pass
            await self.banner()
            await self.dialogue()
        elif b == "throttle-421":
            if self.l["greeting_delay_ms"]:
                await asyncio.sleep(self.l["greeting_delay_ms"])
            await self.send(b"421 4.7.0 Try again later\r\n")
            await self.close_gracefully()
            self.outcome = "421-sent"
        elif b == "no-banner":
            self.outcome = "held-timeout"
            try:
                async with asyncio.timeout(HOLD_MAX):
                    while await self.reader.read(4096):
                        pass
                self.outcome = "held-eof"
            except TimeoutError:
                pass
        elif b == "banner-close":
            await self.banner()
            await self.close_gracefully()
            self.outcome = "banner-closed"
        elif b == "garbage":
            junk = (b"\x00\x1b[2J\x1b[H\x1b]0;pwned\x07\x1b[31m\x00\xff\xfe"
                    b"\x1bP+q\x1b\\\x9b6n\x00\r\n")
            junk += os.urandom(4096 - len(junk))
            await self.send(junk)
            await self.close_gracefully()
            self.outcome = "garbage-sent"
        elif b == "drip":
            if self.l["greeting_delay_ms"]:
                await asyncio.sleep(self.l["greeting_delay_ms"])
            text = ("220 %s ESMTP testbed\r\n" % self.l["hostname"]).encode()
            for i in range(len(text)):
                await self.send(text[i:i + 1])
                if i + 1 < len(text):
                    await asyncio.sleep(1.0)
            await self.dialogue()
        elif b == "huge-line":
            if self.l["greeting_delay_ms"]:
                await asyncio.sleep(self.l["greeting_delay_ms"])
            await self.send(b"220 ")
            chunk = b"x" * 65536
            for _ in range(HUGE_LINE_BYTES // len(chunk)):
                await self.send(chunk)
            await asyncio.sleep(HUGE_LINE_HOLD)
            await self.send(b"\r\n")
            await self.dialogue()
        elif b == "accept-no-read":
            self.writer.transport.pause_reading()
            await self.banner()
            self.outcome = "held-timeout"
            deadline = time.monotonic() + HOLD_MAX
            while time.monotonic() < deadline:
                await asyncio.sleep(1.0)
                if self.peer_closed():
                    self.outcome = "held-peer-closed"
                    break
        else:
            await self.banner()
            await self.dialogue()


class Server:
    def __init__(self, listeners, log):
        self.listeners = listeners
        self.log = log
        self.tasks = set()
        self.servers = []
        self.count = 0

    async def start(self):
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(self.loop_exception)
        for l in self.listeners:
            srv = await asyncio.start_server(
                lambda r, w, l=l: self.handle(l, r, w), sock=l["sock"],
                backlog=BACKLOG, limit=65536)
            self.servers.append(srv)
        self.flusher = loop.call_later(0.5, self.periodic_flush)

    def periodic_flush(self):
        self.log.flush()
        self.flusher = asyncio.get_running_loop().call_later(
            0.5, self.periodic_flush)

    def loop_exception(self, loop, context):
        exc = context.get("exception")
        if isinstance(exc, (OSError, ssl.SSLError, ConnectionError,
                            TimeoutError, asyncio.CancelledError)):
            return                    # per-connection noise, already logged
        self.log.write("%s loop-error %s %s" % (
            time.strftime("%Y-%m-%dT%H:%M:%S"),
            clean(context.get("message")), clean(repr(exc))))

    async def handle(self, l, reader, writer):
        task = asyncio.current_task()
        self.tasks.add(task)
        self.count += 1
        t0 = time.monotonic()
        s = Session(l, reader, writer)
        peer = writer.get_extra_info("peername") or ("?", 0)
        try:
            async with asyncio.timeout(SESSION_MAX):
                await s.run()
        except PeerGone:
            s.outcome = s.outcome or "eof"
        except TimeoutError:
            s.outcome = s.outcome or "timeout"
        except asyncio.CancelledError:
            s.outcome = "shutdown"
        except ssl.SSLError as e:
            s.outcome = "tls-error:" + (e.reason or str(e))
        except (ConnectionError, OSError) as e:
            s.outcome = s.outcome or ("conn-error:" + (e.strerror
                                                       or type(e).__name__))
        except Exception as e:         # a bug here must not kill the server
            s.outcome = "internal-error:%s:%s" % (type(e).__name__, e)
        finally:
            self.tasks.discard(task)
            try:
                if not writer.transport.is_closing():
                    writer.close()
            except Exception:
                pass
            self.log.write("%s %s:%d peer=%s:%s behaviour=%s outcome=%s "
                           "dur=%.3f%s" % (
                               time.strftime("%Y-%m-%dT%H:%M:%S"),
                               l["addr"], l["port"], peer[0], peer[1],
                               l["behaviour"], clean(s.outcome or "closed"),
                               time.monotonic() - t0,
                               " tls=" + s.tlsinfo if s.tlsinfo else ""))

    async def stop(self):
        for srv in self.servers:
            srv.close()
        for t in list(self.tasks):
            t.cancel()
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=5)
        self.flusher.cancel()
        self.log.flush()


# ---------------------------------------------------------------- process

def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass


def write_pidfile(path):
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % os.getpid())
    os.replace(tmp, path)


def remove_pidfile(path):
    try:
        with open(path) as f:
            if f.read().strip() != str(os.getpid()):
                return
        os.unlink(path)
    except OSError:
        pass


def set_pdeathsig():
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


async def serve(listeners, log, pidfile, is_main, ready_fd, children):
    srv = Server(listeners, log)
    await srv.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if is_main:
        write_pidfile(pidfile)
        log.write("%s start pid=%d listeners=%d workers=%d" % (
            time.strftime("%Y-%m-%dT%H:%M:%S"), os.getpid(), len(listeners),
            len(children) + 1))
        log.flush()
        if ready_fd >= 0:
            os.write(ready_fd, b"ok\n")
            os.close(ready_fd)
    await stop.wait()
    for pid in children:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    await srv.stop()
    log.write("%s stop pid=%d connections=%d" % (
        time.strftime("%Y-%m-%dT%H:%M:%S"), os.getpid(), srv.count))
    log.flush()
    for pid in children:
        for _ in range(100):
            try:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    break
            except ChildProcessError:
                break
            await asyncio.sleep(0.05)
    if is_main:
        remove_pidfile(pidfile)


def run_process(listeners, log, pidfile, is_main, ready_fd, children):
    try:
        asyncio.run(serve(listeners, log, pidfile, is_main, ready_fd,
                          children))
    finally:
        log.flush()


def main():
    ap = argparse.ArgumentParser(description="scripted SMTP test server")
    ap.add_argument("--config", required=True)
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--foreground", action="store_true")
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args()
    pidfile = os.path.abspath(a.pidfile)
    logpath = os.path.abspath(a.log)
    raise_nofile()
    try:
        listeners = load_config(a.config)
        for l in listeners:
            if l["behaviour"] == "rate-limit":
                l["rate_state"] = os.path.join(os.path.dirname(logpath),
                                               RATE_LIMIT_STATE % (l["addr"], l["port"]))
        build_contexts(listeners)
        bind_all(listeners)
        log = Log(logpath)
    except ConfigError as e:
        print("smtpd.py: %s" % e, file=sys.stderr)
        return 1
    except OSError as e:
        print("smtpd.py: %s" % e, file=sys.stderr)
        return 1

    ready_r = ready_w = -1
    if not a.foreground:
        ready_r, ready_w = os.pipe()
        if os.fork() > 0:                      # launcher: wait for "ok"
            os.close(ready_w)
            data = b""
            while True:
                chunk = os.read(ready_r, 64)
                if not chunk:
                    break
                data += chunk
            if data.startswith(b"ok"):
                return 0
            print("smtpd.py: server failed to start (see %s)" % logpath,
                  file=sys.stderr)
            return 1
        os.close(ready_r)
        os.setsid()
        if os.fork() > 0:
            os._exit(0)
        os.chdir("/")
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(log.fd, 2)                      # stray tracebacks go to the log
        os.close(null)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    children = []
    for _ in range(max(1, a.workers) - 1):
        pid = os.fork()
        if pid == 0:
            if ready_w >= 0:
                os.close(ready_w)
            set_pdeathsig()
            log.open()
            run_process(listeners, log, pidfile, False, -1, [])
            os._exit(0)
        children.append(pid)
    try:
        run_process(listeners, log, pidfile, True, ready_w, children)
    except Exception as e:
        log.write("fatal: %s" % clean(repr(e)))
        log.flush()
        remove_pidfile(pidfile)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
