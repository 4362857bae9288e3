#!/bin/sh
# fixture.sh - a throwaway DNSSEC world for the dns layer's live test.
#
#   fixture.sh start DIR   generate keys + zones in DIR (must exist, empty),
#                          claim a free /24 NET in 127.250.0.0/16 (reserved
#                          for unit tests: no world prefix uses it), start
#                          NSD on NET.2 and a validating unbound on NET.1,
#                          write NET.1 to DIR/resolver, wait (bounded) until
#                          unbound gives an AD answer; prints "ready", exit 0.
#   fixture.sh stop DIR    stop the two daemons named by DIR's pid files
#                          (only if /proc/PID/cmdline still names them),
#                          release NET and remove DIR.
#
# Claiming NET: an atomic mkdir of /tmp/stc-dns-fixture.net.N (N = 1..200)
# holding the owner DIR; a claim whose owner DIR is gone is stale and taken
# over. So two runs at once on one machine get two different NETs.
#
# Zones (all on loopback; nothing leaves 127.0.0.0/8):
#   .          signed fake root, trust anchor DIR/root.key
#   stc-sec.   signed: MX set, null MX, A/AAAA, TXT, TLSA, CNAME
#   stc-insec. unsigned, delegated without DS (provably insecure)
#   stc-bogus. signed, DS in the root, then records altered after signing
#   stc-lame.  delegated to an address where nothing listens (SERVFAIL)
#   test.      unsigned (RFC 6761 name: libunbound's default local zone)
# Needs root (port 53), nsd, unbound, ldns-keygen, ldns-signzone, dig.
set -eu

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
LOCKS=/tmp/stc-dns-fixture.net

stop_pid() { # pidfile program
    [ -f "$1" ] || return 0
    pid=$(cat "$1" 2>/dev/null || true)
    case "$pid" in ''|*[!0-9]*) return 0 ;; esac
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$2"; then
        kill -TERM "$pid" 2>/dev/null || true
        i=0
        while [ -d "/proc/$pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        [ -d "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    fi
    return 0
}

if [ "$cmd" = stop ]; then
    [ -f "$dir/.stc-dns-fixture" ] || { echo "$dir is not a fixture dir" >&2; exit 1; }
    stop_pid "$dir/unbound.pid" unbound
    stop_pid "$dir/nsd.pid" nsd
    n=$(cat "$dir/net" 2>/dev/null || true)
    case "$n" in ''|*[!0-9]*) ;; *)
        [ "$(cat "$LOCKS.$n/owner" 2>/dev/null)" = "$(cd "$dir" && pwd)" ] && rm -rf "$LOCKS.$n" ;;
    esac
    rm -rf "$dir"
    exit 0
fi
[ "$cmd" = start ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ -d "$dir" ] || { echo "no such dir $dir" >&2; exit 1; }
cd "$dir"
dir=$(pwd)
: >.stc-dns-fixture

# Claim a /24 (see the header); bounded: at most 200 tries.
net=
n=1
while [ $n -le 200 ]; do
    if mkdir "$LOCKS.$n" 2>/dev/null; then
        echo "$dir" >"$LOCKS.$n/owner"
        net=$n
        break
    fi
    owner=$(cat "$LOCKS.$n/owner" 2>/dev/null || true)
    if [ -n "$owner" ] && [ ! -d "$owner" ]; then
        # stale claim: take it over only if our rename of it wins
        if mv "$LOCKS.$n" "$LOCKS.$n.stale.$$" 2>/dev/null; then
            rm -rf "$LOCKS.$n.stale.$$"
            continue
        fi
    fi
    n=$((n + 1))
done
[ -n "$net" ] || { echo "fixture: no free net in 127.250.1-200.0/24" >&2; exit 1; }
echo "$net" >net
NSD_ADDR=127.250.$net.2
UB_ADDR=127.250.$net.1
DEAD_ADDR=127.250.$net.9
echo "$UB_ADDR" >resolver

keygen() { # zone -> prints key base name
    ldns-keygen -a ECDSAP256SHA256 -k "$1"
}

soa() { echo "\$TTL 300
$1 SOA ns. hostmaster.$1 1 3600 600 86400 300
$1 NS ns."; }

# stc-sec.
{ soa stc-sec.; cat <<Z
stc-sec. MX 20 mx2.stc-sec.
stc-sec. MX 10 MX1.stc-sec.
stc-sec. MX 10 a.mx.stc-sec.
stc-sec. MX 30 mx1.stc-sec.
stc-sec. TXT "hello"
mx1.stc-sec. A 127.88.53.11
mx1.stc-sec. A 127.88.53.10
mx1.stc-sec. AAAA 2001:db8::10
mx2.stc-sec. A 127.88.53.12
a.mx.stc-sec. A 127.88.53.13
_25._tcp.mx1.stc-sec. TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
_25._tcp.mx1.stc-sec. TLSA 2 0 0 deadbeef
_mta-sts.stc-sec. TXT "v=STSv1; " "id=20240101T000000"
multi.stc-sec. TXT "one"
multi.stc-sec. TXT "t" "w" "o"
nullmx.stc-sec. MX 0 .
alias.stc-sec. CNAME mx2.stc-sec.
Z
} >stc-sec.zone
# stc-insec. (unsigned)
{ soa stc-insec.; cat <<Z
stc-insec. MX 10 mx.stc-insec.
mx.stc-insec. A 127.88.53.20
Z
} >stc-insec.zone
# stc-bogus. (signed, then altered)
{ soa stc-bogus.; cat <<Z
stc-bogus. MX 10 mx.stc-bogus.
mx.stc-bogus. A 127.88.53.30
stc-bogus. TXT "genuine"
Z
} >stc-bogus.zone

# test. (unsigned; libunbound has it as a default local zone, which we turn off)
{ soa test.; cat <<Z
test. MX 10 mx.test.
mx.test. A 127.88.53.40
Z
} >test.zone

for z in stc-sec stc-bogus; do
    k=$(keygen "$z.")
    ldns-signzone -n "$z.zone" "$k" >/dev/null
    cat "$k.ds" >>ds.txt
done
# Alter signed data: the RRSIGs no longer match.
sed -i -e 's/^\(mx\.stc-bogus\.[[:space:]].*A[[:space:]]*\)127\.88\.53\.30/\1127.88.53.31/' \
       -e 's/"genuine"/"forged!"/' stc-bogus.zone.signed
grep -q 127.88.53.31 stc-bogus.zone.signed
grep -q forged stc-bogus.zone.signed

{ echo "\$TTL 300
. SOA ns. hostmaster. 1 3600 600 86400 300
. NS ns.
ns. A $NSD_ADDR
stc-sec. NS ns.
stc-insec. NS ns.
stc-bogus. NS ns.
stc-lame. NS ns.stc-lame.
test. NS ns.
ns.stc-lame. A $DEAD_ADDR"
  cat ds.txt
} >root.zone
rk=$(keygen .)
ldns-signzone -n root.zone "$rk" >/dev/null
cp "$rk.key" root.key

cat >nsd.conf <<C
server:
    ip-address: $NSD_ADDR
    port: 53
    username: ""
    chroot: ""
    zonesdir: "$dir"
    pidfile: "$dir/nsd.pid"
    database: ""
    zonelistfile: "$dir/zone.list"
    xfrdfile: "$dir/xfrd.state"
    xfrdir: "$dir"
    logfile: "$dir/nsd.log"
    server-count: 1
    verbosity: 1
    reuseport: no
remote-control:
    control-enable: no
zone:
    name: "."
    zonefile: "root.zone.signed"
zone:
    name: "stc-sec."
    zonefile: "stc-sec.zone.signed"
zone:
    name: "stc-bogus."
    zonefile: "stc-bogus.zone.signed"
zone:
    name: "test."
    zonefile: "test.zone"
zone:
    name: "stc-insec."
    zonefile: "stc-insec.zone"
C

cat >unbound.conf <<C
server:
    interface: $UB_ADDR
    port: 53
    outgoing-interface: $UB_ADDR
    username: ""
    chroot: ""
    directory: "$dir"
    pidfile: "$dir/unbound.pid"
    logfile: "$dir/unbound.log"
    use-syslog: no
    verbosity: 1
    num-threads: 1
    so-reuseport: no
    do-ip6: no
    do-not-query-localhost: no
    access-control: 127.0.0.0/8 allow
    trust-anchor-file: "$dir/root.key"
    trust-anchor-signaling: no
    root-key-sentinel: no
    qname-minimisation: no
    val-log-level: 2
    module-config: "validator iterator"
    local-zone: "test." nodefault
remote-control:
    control-enable: no
stub-zone:
    name: "."
    stub-addr: $NSD_ADDR
C

nsd-checkconf nsd.conf
unbound-checkconf unbound.conf >/dev/null
nsd -c "$dir/nsd.conf"
unbound -c "$dir/unbound.conf"

i=0
while :; do
    if dig +time=1 +tries=1 @$UB_ADDR stc-sec. SOA +dnssec 2>/dev/null | grep -q 'flags:.* ad'; then
        echo ready
        exit 0
    fi
    i=$((i + 1))
    if [ $i -ge 20 ]; then
        echo "fixture: unbound gave no AD answer in time; logs:" >&2
        tail -n 20 nsd.log unbound.log >&2 || true
        exit 1
    fi
    sleep 0.5
done
