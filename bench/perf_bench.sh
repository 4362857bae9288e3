#!/bin/sh
# NAME
#     perf_bench.sh - CPU per domain, wall against the handshake floor and
#     peak RSS of two scanner binaries side by side, on the delayed world
# SYNOPSIS
#     bench/perf_bench.sh OLD_BIN NEW_BIN
#     BENCH_CONFIGS="2000:500 20000:2000" BENCH_FLAT="20000:2000 100000:2000" \
#         BENCH_NEW_ARGS="--dnssec=resolver" bench/perf_bench.sh OLD NEW
# DESCRIPTION
#     For each N:M in BENCH_CONFIGS brings up the scaled world (N domains
#     over M MX hosts) with the delays of the issue (--greeting-delay-ms 500
#     --reply-delay-ms 50), times the floor (one bare STARTTLS handshake per
#     used host, tarpits and dead hosts included: openssl s_client
#     -starttls smtp, the scan's 10 s timeout, BENCH_FLOOR_P at a time;
#     BENCH_FLOOR_ALL=0 times only the hosts that can complete one), then runs one untimed warm-up
#     scan (so the world's resolver cache is warm for both binaries alike)
#     and then OLD and NEW one after the other with the same options:
#     --timeout 10, default workers, no output but the statistics. Each run
#     is measured by /usr/bin/time: user+sys CPU seconds per domain, wall,
#     peak RSS; the scan's own statistics give SMTP connections per unique
#     MX host. It prints one table row per binary and world.
#     A third row runs NEW with --dnssec local (BENCH_LOCAL_ROW=0: not),
#     so the table shows what trusting the resolver's AD bit buys.
#     Then, for each N:M in BENCH_FLAT, a run of NEW alone (RSS flatness:
#     the same world, more domains; the "hosts" column says how many of its
#     MX hosts the domains use, since the host cache keeps one result each).
#     BENCH_NEW_ARGS / BENCH_OLD_ARGS add options to one side only (a lever
#     the old binary does not have). The load average at the start of each
#     run is printed with it: figures taken on a loaded machine are noise.
#     The world is its own (BENCH_PREFIX, default $WORLD_PREFIX or 127.91;
#     run dir BENCH_RUN, default /tmp/stc-perf-world.PREFIX) and is taken
#     down at the end, also on Ctrl-C. Prints figures; asserts nothing.
# LIMITS
#     Needs root (ports 25/53/443). Each scan is capped by BENCH_RUN_TIMEOUT
#     seconds (default 1200). The 100,000-domain world takes minutes to come up.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
[ $# -eq 2 ] || { echo "usage: perf_bench.sh OLD_BIN NEW_BIN" >&2; exit 2; }
OLD=$1
NEW=$2
CONFIGS=${BENCH_CONFIGS:-"2000:500 20000:2000"}
FLAT=${BENCH_FLAT-"20000:2000 50000:2000 100000:2000"}
FLOOR_P=${BENCH_FLOOR_P:-64}
RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-1200}
PREFIX=${BENCH_PREFIX:-${WORLD_PREFIX:-127.91}}
RUN=${BENCH_RUN:-/tmp/stc-perf-world.$PREFIX}
DELAY="--greeting-delay-ms 500 --reply-delay-ms 50"
WORLD="$REPO/testbed/world --run $RUN --prefix $PREFIX"
OUT=$(mktemp -d /tmp/perf_bench.XXXXXX)

for b in "$OLD" "$NEW"; do
    [ -x "$b" ] || { echo "perf_bench: no binary $b" >&2; exit 2; }
done
restore() {
    $WORLD down >/dev/null 2>&1
    rm -rf "$OUT"
}
trap 'restore; exit 130' INT TERM
trap restore EXIT

load1() { cut -d' ' -f1 /proc/loadavg; }

# floor: one bare STARTTLS handshake attempt per used host, the scan's 10 s
# limit: tarpits and dead hosts cost the floor their timeout as they cost
# the scan (BENCH_FLOOR_ALL=0: only hosts that can complete a handshake)
floor() {
    if [ "${BENCH_FLOOR_ALL:-1}" = 1 ]; then filter='$5 > 0'
    else filter='$5 > 0 && ($3 == "good" || $3 == "tls10-only")'; fi
    awk -F, "$filter"' {print $1 " " $2}' \
        "$RUN/scale-hosts.csv" > "$OUT/hosts"
    t0=$(date +%s.%N)
    xargs -P "$FLOOR_P" -L 1 sh -c 'printf "QUIT\r\n" | timeout 10 openssl s_client -brief \
        -crlf -starttls smtp -connect "$1:25" -servername "$0" >/dev/null 2>&1' \
        < "$OUT/hosts"
    t1=$(date +%s.%N)
    echo "$(wc -l < "$OUT/hosts") $(echo "$t1 - $t0" | bc -l)"
}

# scan LABEL BIN FLOOR_S [extra args]: one row
scan() {
    label=$1 bin=$2 fl=$3
    shift 3
    eval "$($WORLD env)"
    la=$(load1)
    /usr/bin/time -f "%U %S %e %M" -o "$OUT/time" timeout "$RUN_TIMEOUT" "$bin" scan \
        --resolver "$WORLD_RESOLVER" --trust-anchor "$WORLD_TRUST_ANCHOR" \
        --ca-file "$WORLD_CA" --timeout 10 --progress 0 "$@" \
        --output /dev/null --rejects /dev/null --aggregate-json "$OUT/agg.json" \
        "$RUN/scale-domains.csv" 2>"$OUT/err"
    rc=$?
    python3 - "$OUT/agg.json" "$OUT/time" "$label" "$rc" "$fl" "$la" <<'PY'
import json, sys
agg, tf, label, rc, fl, la = sys.argv[1:]
try:
    a = json.load(open(agg))
    u, s, e, m = open(tf).read().split()[-4:]
except Exception:
    print("%-30s exit %s (no statistics)" % (label, rc)); sys.exit()
n = max(a["attempted"], 1)
cpu = float(u) + float(s)
wall = float(e)
fl = float(fl)
print("%-30s %7d %6d %10.2f %8.1f %7.1f %6.2f %9.2f %8d %6s %4s" % (
    label, a["attempted"], a["unique_hosts"], cpu / n * 1000.0, wall, fl,
    wall / fl if fl else 0, a["connections"] / max(a["unique_hosts"], 1),
    int(m) // 1024, la, rc))
PY
}

header() {
    printf "%-30s %7s %6s %10s %8s %7s %6s %9s %8s %6s %4s\n" "run" "domains" "hosts" "CPU ms/dom" \
        "wall s" "floor s" "w/fl" "conn/host" "RSS MiB" "load1" "exit"
}

up() { # N:M; a second `up` when a service did not come up the first time
    for try in 1 2; do
        if $WORLD up --scale "$1" $DELAY >"$OUT/up" 2>&1 && $WORLD status >/dev/null 2>&1; then
            return 0
        fi
    done
    echo "perf_bench: world up --scale $1 failed:"; tail -5 "$OUT/up"
    return 1
}

echo "perf_bench: old $OLD; new $NEW; $(nproc) CPUs;" \
     "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo);" \
     "$(. /etc/os-release && echo "$PRETTY_NAME"); world $PREFIX, delayed (500 ms greeting, 50 ms replies)"
echo "new-only options: ${BENCH_NEW_ARGS:-none}; old-only options: ${BENCH_OLD_ARGS:-none}"
header
for cfg in $CONFIGS; do
    up "$cfg" || continue
    set -- $(floor)
    fl=$2
    echo "-- $cfg: floor $1 used hosts, -P $FLOOR_P: $(printf %.1f "$fl") s"
    # warm-up: the world resolver's cache, the page cache; not printed
    eval "$($WORLD env)"
    timeout "$RUN_TIMEOUT" "$NEW" scan --resolver "$WORLD_RESOLVER" \
        --trust-anchor "$WORLD_TRUST_ANCHOR" --ca-file "$WORLD_CA" --timeout 10 \
        --progress 0 --output /dev/null --rejects /dev/null --aggregate-json /dev/null \
        "$RUN/scale-domains.csv" >/dev/null 2>&1
    # shellcheck disable=SC2086
    scan "$cfg old" "$OLD" "$fl" ${BENCH_OLD_ARGS:-}
    # shellcheck disable=SC2086
    scan "$cfg new" "$NEW" "$fl" ${BENCH_NEW_ARGS:-}
    # what the resolver's AD bit buys: the new binary validating locally
    [ "${BENCH_LOCAL_ROW:-1}" = 1 ] && scan "$cfg new, --dnssec local" "$NEW" "$fl" --dnssec local
done
for cfg in $FLAT; do
    up "$cfg" || continue
    echo "-- RSS flatness: $cfg (new only)"
    # shellcheck disable=SC2086
    scan "$cfg new" "$NEW" 0 ${BENCH_NEW_ARGS:-}
done
