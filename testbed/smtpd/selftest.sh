#!/bin/sh
# selftest.sh - start smtpd.py with one listener per behaviour on
# 127.77.250.x:25 and check each on the wire with openssl s_client and small
# python socket clients. Throwaway certificates (root -> intermediate -> leaf)
# are made in a temp dir. Prints one PASS/FAIL line per check; exit status 0
# only if everything passed. Everything is bounded by timeouts and the server
# is stopped on exit. Needs root (port 25). Loopback only.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
T=$(mktemp -d /tmp/smtpd-selftest.XXXXXX)
PIDFILE=$T/smtpd.pid
stop_server() {
    if [ -f "$PIDFILE" ]; then
        pid=$(cat "$PIDFILE")
        kill -TERM "$pid" 2>/dev/null
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
            sleep 0.1; i=$((i + 1))
        done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    fi
}
trap 'stop_server; rm -rf "$T"' EXIT INT TERM

# --- certificates: root CA, intermediate, leaf (leaf + chain = as in the world)
cd "$T" || exit 1
ossl() { timeout 30 openssl "$@" >/dev/null 2>&1 || { echo "openssl $1 failed"; exit 1; }; }
ossl req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -days 2 \
    -subj "/CN=selftest root" -addext basicConstraints=critical,CA:true \
    -addext keyUsage=critical,keyCertSign,cRLSign
ossl req -newkey rsa:2048 -nodes -keyout int.key -out int.csr -subj "/CN=selftest intermediate"
printf 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n' > int.ext
ossl x509 -req -in int.csr -CA root.pem -CAkey root.key -CAcreateserial -days 2 \
    -extfile int.ext -out int.pem
ossl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj "/CN=mx.selftest.test"
printf 'subjectAltName=DNS:mx.selftest.test\nextendedKeyUsage=serverAuth\n' > leaf.ext
ossl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -CAcreateserial -days 2 \
    -extfile leaf.ext -out leaf.pem

BEHAVIOURS="good no-starttls starttls-454 handshake-fail tls10 tls10-only
weak-ciphers throttle-421 no-banner banner-close garbage endless-multiline drip
plaintext-after-starttls reset-after-starttls tls-alert huge-line
many-ehlo-lines accept-no-read starttls-pipelining-answer old-ssl"

# --- config: 127.77.250.N, N = 1.. in the order above; .100 = good with delays
# shellcheck disable=SC2086
$PY - "$T" $BEHAVIOURS > smtpd.json <<'EOF'
import json, sys
t, behs = sys.argv[1], sys.argv[2:]
ls = []
for i, b in enumerate(behs + ["good"]):
    ls.append({"addr": "127.77.250.%d" % (i + 1 if i < len(behs) else 100),
               "port": 25, "hostname": "mx.selftest.test", "behaviour": b,
               "cert": t + "/leaf.pem", "key": t + "/leaf.key",
               "chain": t + "/int.pem",
               "greeting_delay_ms": 500 if i == len(behs) else 0,
               "reply_delay_ms": 200 if i == len(behs) else 0})
# .101: TLS tuning keys (TLS 1.2 only, two suites, the client's order)
ls.append(dict(ls[0], addr="127.77.250.101", tls_versions=["TLSv1.2"],
               ciphers="ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA", prefer_server_order=False))
print(json.dumps({"listeners": ls}, indent=1))
EOF

if ! timeout 20 $PY "$HERE/smtpd.py" --config smtpd.json --pidfile "$PIDFILE" \
        --log smtpd.log; then
    echo "FAIL start: smtpd.py did not start"; exit 1
fi
[ -s "$PIDFILE" ] || { echo "FAIL start: no pid file"; exit 1; }
echo "PASS start: pid $(cat "$PIDFILE"), pid file present after launcher exit"

FAILS=0
pass() { echo "PASS $1: $2"; }
fail() { echo "FAIL $1: $2"; FAILS=$((FAILS + 1)); }
addr() { n=1; for b in $BEHAVIOURS; do [ "$b" = "$1" ] && { echo 127.77.250.$n; return; }; n=$((n + 1)); done; }

# s_client NAME ADDR EXPECT-REGEX [options...]: a STARTTLS handshake with
# s_client; passes if the output matches the regex
s_client() {
    name=$1 a=$2 want=$3; shift 3
    out=$(timeout 10 openssl s_client -starttls smtp -connect "$a:25" \
        -servername mx.selftest.test -CAfile "$T/root.pem" -brief "$@" \
        </dev/null 2>&1)
    if printf '%s\n' "$out" | grep -Eq "$want"; then
        pass "$name" "s_client $* -> /$want/"
    else
        fail "$name" "s_client $* did not match /$want/: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-300)"
    fi
}

s_client good "$(addr good)" 'Verification: OK' -verify_return_error
s_client good "$(addr good)" 'Protocol version: TLSv1\.3'
s_client good "$(addr good)" 'Protocol version: TLSv1\.2' -tls1_2
s_client good "$(addr good)" 'alert protocol version|no protocols available|unsupported protocol|handshake failure' -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
s_client tls10 "$(addr tls10)" 'Protocol version: TLSv1$' -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
s_client tls10 "$(addr tls10)" 'Protocol version: TLSv1\.3'
s_client tls10-only "$(addr tls10-only)" 'Protocol version: TLSv1$' -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
s_client tls10-only "$(addr tls10-only)" 'alert protocol version|unsupported protocol|wrong version' -tls1_2
for c in NULL-SHA256 NULL-SHA NULL-MD5 ECDHE-RSA-NULL-SHA AECDH-NULL-SHA \
         ADH-AES128-SHA AECDH-AES128-SHA ADH-AES256-GCM-SHA384 DHE-RSA-AES128-SHA \
         AES128-SHA ECDHE-RSA-AES128-GCM-SHA256; do
    s_client weak-ciphers "$(addr weak-ciphers)" "Ciphersuite: $c\$" -tls1_2 -cipher "$c:@SECLEVEL=0"
done
s_client weak-ciphers "$(addr weak-ciphers)" 'Ciphersuite: ECDHE-RSA-AES256-GCM-SHA384' -cipher 'ALL:eNULL:@SECLEVEL=0'
s_client weak-ciphers "$(addr weak-ciphers)" 'alert protocol version|unsupported protocol' -tls1_3
s_client tls-alert "$(addr tls-alert)" 'alert handshake failure'
s_client plaintext-after-starttls "$(addr plaintext-after-starttls)" 'Protocol version: TLSv1\.3'
s_client many-ehlo-lines "$(addr many-ehlo-lines)" 'Protocol version: TLSv1\.3'
s_client old-ssl "$(addr old-ssl)" 'Protocol version: TLSv1\.3'
s_client tuned 127.77.250.101 'Ciphersuite: ECDHE-RSA-AES128-GCM-SHA256$'
s_client tuned 127.77.250.101 'Ciphersuite: AES256-SHA$' -cipher 'AES256-SHA:ECDHE-RSA-AES128-GCM-SHA256'
s_client tuned 127.77.250.101 'alert protocol version|unsupported protocol' -tls1_3

# --- python socket clients
# shellcheck disable=SC2086
if ! timeout 120 $PY - "$T" $BEHAVIOURS <<'EOF'
import socket, ssl, sys, time
t, behs = sys.argv[1], sys.argv[2:]
ADDR = {b: "127.77.250.%d" % (i + 1) for i, b in enumerate(behs)}
fails = 0

def res(name, ok, why):
    global fails
    print("%s %s: %s" % ("PASS" if ok else "FAIL", name, why))
    fails += not ok

def conn(b, timeout=5):
    s = socket.create_connection((ADDR.get(b, b), 25), timeout=timeout)
    return s

def reply(s, limit=1 << 20):
    """read one full SMTP reply (all lines), bytes"""
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError(data[:200])
        data += chunk
        lines = data.split(b"\r\n")
        for l in lines[:-1]:
            if len(l) >= 4 and l[3:4] == b" ":
                return data
        if len(data) > limit:
            raise ValueError("too long")

def ctx(min10=False):
    c = ssl.create_default_context(cafile=t + "/root.pem")
    c.check_hostname = True
    if min10:
        c.set_ciphers("DEFAULT:@SECLEVEL=0")
        c.minimum_version = ssl.TLSVersion.TLSv1
    return c

def ehlo_starttls(b):
    s = conn(b)
    banner = reply(s)
    s.sendall(b"EHLO client.test\r\n")
    e = reply(s)
    return s, banner, e

def check(name, fn):
    try:
        ok, why = fn()
    except Exception as e:
        ok, why = False, "exception %r" % (e,)
    res(name, ok, why)

def good_dialogue():
    s, banner, e = ehlo_starttls("good")
    if not banner.startswith(b"220 mx.selftest.test ESMTP"):
        return False, "banner %r" % banner
    want = b"250-mx.selftest.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250 8BITMIME\r\n"
    if e != want:
        return False, "ehlo %r" % e
    s.sendall(b"NOOP\r\nRSET\r\nHELO x\r\nFOO\r\n")
    r = b""
    while r.count(b"\r\n") < 4:
        r += s.recv(4096)
    if not (r.startswith(b"250 ") and b"500 " in r):
        return False, "noop/rset/helo/unknown %r" % r
    s.sendall(b"X" * 600 + b"\r\n")
    r = reply(s)
    if not r.startswith(b"500") or b"too long" not in r:
        return False, "long line %r" % r
    s.sendall(b"STARTTLS\r\n")
    r = reply(s)
    if not r.startswith(b"220 2.0.0"):
        return False, "starttls %r" % r
    ts = ctx().wrap_socket(s, server_hostname="mx.selftest.test")
    ts.sendall(b"EHLO client.test\r\n")
    e2 = reply(ts)
    if b"STARTTLS" in e2:
        return False, "STARTTLS advertised after TLS"
    ts.sendall(b"QUIT\r\n")
    r = reply(ts)
    if not r.startswith(b"221"):
        return False, "quit %r" % r
    return True, "220/EHLO(5 lines)/NOOP/RSET/HELO/500/too long/STARTTLS/%s/EHLO w/o STARTTLS/221" % ts.version()

def pipelined(b):
    s, _, _ = ehlo_starttls(b)
    s.sendall(b"STARTTLS\r\nNOOP\r\n")           # one segment
    r = reply(s)
    if not r.startswith(b"220"):
        return None, r
    ts = ctx().wrap_socket(s, server_hostname="mx.selftest.test")
    ts.settimeout(1.5)
    try:
        return ts.recv(4096), r
    except (socket.timeout, TimeoutError):
        return b"", r

def good_pipelining():
    got, r = pipelined("good")
    return got == b"", "pipelined STARTTLS+NOOP: nothing answered after TLS (got %r)" % got

def vuln_pipelining():
    got, r = pipelined("starttls-pipelining-answer")
    return got.startswith(b"250"), "pipelined NOOP answered inside TLS: %r" % got

def no_starttls():
    s, _, e = ehlo_starttls("no-starttls")
    s.sendall(b"STARTTLS\r\n")
    r = reply(s)
    return b"STARTTLS" not in e and r.startswith(b"502"), "not advertised, STARTTLS -> %r" % r[:40]

def starttls_454():
    s, _, e = ehlo_starttls("starttls-454")
    s.sendall(b"STARTTLS\r\n")
    r = reply(s)
    return b"STARTTLS" in e and r.startswith(b"454 4.7.0"), "advertised, STARTTLS -> %r" % r[:40]

def handshake_fail():
    s, _, _ = ehlo_starttls("handshake-fail")
    s.sendall(b"STARTTLS\r\n")
    r = reply(s)
    try:
        ctx().wrap_socket(s, server_hostname="mx.selftest.test")
    except (ssl.SSLError, OSError) as e:
        return r.startswith(b"220"), "220 then handshake error %r" % (str(e)[:60],)
    return False, "handshake succeeded"

def throttle():
    s = conn("throttle-421")
    r = reply(s)
    return r == b"421 4.7.0 Try again later\r\n" and s.recv(10) == b"", "421 then EOF"

def no_banner():
    s = conn("no-banner", timeout=2)
    try:
        d = s.recv(10)
        return False, "got %r" % d
    except (socket.timeout, TimeoutError):
        return True, "nothing within 2 s, connection open"

def banner_close():
    s = conn("banner-close")
    r = reply(s)
    return r.startswith(b"220 ") and s.recv(10) == b"", "220 then EOF"

def garbage():
    s = conn("garbage")
    d = b""
    while True:
        c = s.recv(65536)
        if not c:
            break
        d += c
    return len(d) == 4096 and b"\x00" in d and b"\x1b[" in d, "%d bytes incl. NUL/ESC then EOF" % len(d)

def endless():
    s, _, _ = ehlo_starttls("good")   # warm-up no-op
    s = conn("endless-multiline")
    reply(s)
    s.sendall(b"EHLO client.test\r\n")
    d = b""
    while len(d) < 2 << 20:
        c = s.recv(65536)
        if not c:
            return False, "EOF after %d bytes" % len(d)
        d += c
    lines = d.split(b"\r\n")[:-1]
    ok = all(l.startswith(b"250-") for l in lines)
    return ok, "%d lines, all 250- continuation, still going" % len(lines)

def drip():
    s = conn("drip")
    t0 = time.monotonic()
    d = b""
    s.settimeout(0.2)
    while time.monotonic() - t0 < 3.5:
        try:
            c = s.recv(100)
            if not c:
                break
            d += c
        except (socket.timeout, TimeoutError):
            pass
    return 3 <= len(d) <= 5 and b"220 mx".startswith(d), "%r in 3.5 s" % d

def plaintext_after():
    s, _, _ = ehlo_starttls("plaintext-after-starttls")
    s.sendall(b"STARTTLS\r\n")
    time.sleep(0.3)
    r = s.recv(4096)
    ts = ctx().wrap_socket(s, server_hostname="mx.selftest.test")
    ts.sendall(b"EHLO x\r\n")
    e = reply(ts)
    return r == b"220 Ready\r\n250 injected\r\n" and e.startswith(b"250-"), \
        "one read %r, then TLS %s works" % (r, ts.version())

def reset_after():
    s, _, _ = ehlo_starttls("reset-after-starttls")
    s.sendall(b"STARTTLS\r\n")
    r = reply(s)
    try:
        ctx().wrap_socket(s, server_hostname="mx.selftest.test")
    except ConnectionResetError as e:
        return r.startswith(b"220"), "220 then ECONNRESET in handshake"
    except Exception as e:
        return False, "unexpected %r" % e
    return False, "handshake succeeded"

def tls_alert():
    s, _, _ = ehlo_starttls("tls-alert")
    s.sendall(b"STARTTLS\r\n")
    reply(s)
    try:
        ctx().wrap_socket(s, server_hostname="mx.selftest.test")
    except ssl.SSLError as e:
        return "HANDSHAKE_FAILURE" in str(e), "%s" % str(e)[:70]
    return False, "handshake succeeded"

def huge_line():
    s = conn("huge-line")
    d = b""
    t0 = time.monotonic()
    while len(d) < (1 << 20) + 4 and time.monotonic() - t0 < 5:
        d += s.recv(1 << 20)
    return len(d) == (1 << 20) + 4 and b"\n" not in d, "%d bytes, no CRLF yet" % len(d)

def many_ehlo():
    s, _, e = ehlo_starttls("many-ehlo-lines")
    lines = e.split(b"\r\n")[:-1]
    ok = len(lines) >= 10000 and lines[-1] == b"250 OK" and b"250-STARTTLS" in lines
    s.sendall(b"STARTTLS\r\n")
    r = reply(s)
    ts = ctx().wrap_socket(s, server_hostname="mx.selftest.test")
    return ok and r.startswith(b"220"), "%d lines, last %r, then TLS %s" % (len(lines), lines[-1], ts.version())

def accept_no_read():
    s = conn("accept-no-read")
    r = reply(s)
    s.setblocking(False)
    sent = 0
    chunk = b"x" * 65536
    t0 = time.monotonic()
    while time.monotonic() - t0 < 3:
        try:
            sent += s.send(chunk)
        except BlockingIOError:
            break
    return r.startswith(b"220") and sent < 16 << 20, "banner, writes blocked after %d bytes" % sent

def old_ssl_hello(hello):
    s, _, _ = ehlo_starttls("old-ssl")
    s.sendall(b"STARTTLS\r\n")
    r = reply(s)
    s.sendall(hello)
    data = b""
    try:
        while len(data) < 4096:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, TimeoutError):
        pass
    return r, data

def old_ssl3():
    # SSLv3 ClientHello offering RC4-SHA, AES256-SHA and the SCSV
    body = b"\x03\x00" + bytes(32) + b"\x00" + b"\x00\x06\x00\x05\x00\x35\x00\xff" + b"\x01\x00"
    hs = b"\x01" + len(body).to_bytes(3, "big") + body
    r, d = old_ssl_hello(b"\x16\x03\x00" + len(hs).to_bytes(2, "big") + hs)
    ok = r.startswith(b"220") and d[:3] == b"\x16\x03\x00" and d[5] == 2 and \
        d[9:11] == b"\x03\x00" and d[44:46] == b"\x00\x35" and b"\xff\x01\x00\x01\x00" in d
    return ok, "SSLv3 ServerHello %s" % d[:50].hex()

def old_ssl2():
    body = b"\x01\x00\x02\x00\x03\x00\x00\x00\x10" + b"\x01\x00\x80" + bytes(16)
    r, d = old_ssl_hello(bytes([0x80, len(body)]) + body)
    return r.startswith(b"220") and d[:1] == b"\x80" and d[2] == 4, "SSLv2 SERVER-HELLO %s" % d[:24].hex()

def delays():
    t0 = time.monotonic()
    s = conn("127.77.250.100")
    reply(s)
    t1 = time.monotonic()
    s.sendall(b"NOOP\r\n")
    reply(s)
    t2 = time.monotonic()
    return t1 - t0 >= 0.5 and t2 - t1 >= 0.2, "banner after %.2f s, reply after %.2f s" % (t1 - t0, t2 - t1)

for name, fn in [("good", good_dialogue), ("good", good_pipelining),
                 ("starttls-pipelining-answer", vuln_pipelining),
                 ("no-starttls", no_starttls), ("starttls-454", starttls_454),
                 ("handshake-fail", handshake_fail), ("throttle-421", throttle),
                 ("no-banner", no_banner), ("banner-close", banner_close),
                 ("garbage", garbage), ("endless-multiline", endless),
                 ("drip", drip), ("plaintext-after-starttls", plaintext_after),
                 ("reset-after-starttls", reset_after), ("tls-alert", tls_alert),
                 ("huge-line", huge_line), ("many-ehlo-lines", many_ehlo),
                 ("accept-no-read", accept_no_read), ("old-ssl", old_ssl3),
                 ("old-ssl", old_ssl2), ("delays", delays)]:
    check(name, fn)
sys.exit(1 if fails else 0)
EOF
then
    FAILS=$((FAILS + 1))
fi

# --- stop: SIGTERM removes the pid file and frees the ports
pid=$(cat "$PIDFILE")
stop_server
if kill -0 "$pid" 2>/dev/null || [ -e "$PIDFILE" ]; then
    fail stop "process or pid file still there"
else
    pass stop "SIGTERM: process gone, pid file removed"
fi
echo "log: $(wc -l < smtpd.log) lines, e.g.:"; grep -m3 behaviour= smtpd.log | sed 's/^/  /'
[ $FAILS -eq 0 ] && echo "ALL PASS" || echo "FAILURES: $FAILS"
[ $FAILS -eq 0 ]
