#!/bin/sh
# NAME
#     scan_bench.sh - how fast `starttls-check scan` is against the scaled test world
# SYNOPSIS
#     bench/scan_bench.sh [BIN]          (BIN, or $STC_BIN, default build/starttls-check)
#     BENCH_CONFIGS="2000:500 20000:2000" BENCH_JOBS="32 64 128 256 512" bench/scan_bench.sh
# DESCRIPTION
#     For each N:M in BENCH_CONFIGS, brings up a scaled world (N domains over M
#     MX hosts), first without delays, then with --greeting-delay-ms 500
#     --reply-delay-ms 50, and prints for each run: domains per second, SMTP
#     connections per unique MX host (the scan's own counter and the test
#     server's log), peak RSS (/usr/bin/time -v), and the floor: one bare
#     STARTTLS handshake per unique host that can do one (openssl s_client
#     -starttls smtp, same 10 s limit as the scan,
#     xargs -P BENCH_FLOOR_P in parallel), so the scan reads as a ratio to it.
#     On the delayed world of the first config it sweeps -j over BENCH_JOBS.
#     By default it uses a world of its own (prefix BENCH_PREFIX=127.91, run
#     dir BENCH_RUN=/tmp/stc-bench-world) so the normal world and other
#     people's tests are untouched, and takes it down at the end (also on
#     Ctrl-C). BENCH_SHARED=1 uses the normal world instead and restores it
#     with `testbed/world up --scale 0`. Prints figures; asserts nothing.
# LIMITS
#     Needs root (ports 25/53/443 on 127.0.0.0/8). Each scan run is capped by
#     BENCH_RUN_TIMEOUT seconds (default 900).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
BIN=${1:-${STC_BIN:-$REPO/build/starttls-check}}
CONFIGS=${BENCH_CONFIGS:-"2000:500 20000:2000"}
JOBS=${BENCH_JOBS:-"32 64 128 256 512"}
DEFAULT_J=${BENCH_DEFAULT_J:-256}
FLOOR_P=${BENCH_FLOOR_P:-64}
RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-900}
CHECKS=${BENCH_CHECKS:-}
if [ "${BENCH_SHARED:-0}" = 1 ]; then
    WORLD="$REPO/testbed/world"
    RUN="$REPO/testbed/run"
else
    RUN=${BENCH_RUN:-/tmp/stc-bench-world}
    WORLD="$REPO/testbed/world --run $RUN --prefix ${BENCH_PREFIX:-127.91}"
fi
OUT=$(mktemp -d /tmp/scan_bench.XXXXXX)

restore() {
    if [ "${BENCH_SHARED:-0}" = 1 ]; then
        $WORLD up --scale 0 >/dev/null 2>&1
    else
        $WORLD down >/dev/null 2>&1
    fi
    rm -rf "$OUT"
}
trap 'restore; exit 130' INT TERM
trap restore EXIT

[ -x "$BIN" ] || { echo "scan_bench: no binary $BIN" >&2; exit 2; }

log_lines() { [ -f "$RUN/smtpd.log" ] && wc -l < "$RUN/smtpd.log" || echo 0; }

# floor: one bare STARTTLS handshake per used host, FLOOR_P at a time
floor() {
    # Only hosts that can complete a STARTTLS handshake: tarpits and broken
    # hosts have no handshake to time (the scan spends its --timeout on them).
    awk -F, '$5 > 0 && ($3 == "good" || $3 == "tls10-only") {print $1 " " $2}' \
        "$RUN/scale-hosts.csv" > "$OUT/hosts"
    n=$(wc -l < "$OUT/hosts")
    t0=$(date +%s.%N)
    # QUIT after the handshake so s_client does not sit until the server's idle timeout
    xargs -P "$FLOOR_P" -L 1 sh -c 'printf "QUIT\r\n" | timeout 10 openssl s_client -brief \
        -crlf -starttls smtp -connect "$1:25" -servername "$0" >/dev/null 2>&1' \
        < "$OUT/hosts"
    t1=$(date +%s.%N)
    echo "$n $(echo "$t1 - $t0" | bc -l)"
}

# one scan run: prints domains/s, conns/host, RSS
scan() { # $1 label, $2 -j
    eval "$($WORLD env)"
    csv="$RUN/scale-domains.csv"
    before=$(log_lines)
    set -- "$1" "$2"
    /usr/bin/time -v -o "$OUT/time" timeout "$RUN_TIMEOUT" "$BIN" scan \
        --resolver "$WORLD_RESOLVER" --trust-anchor "$WORLD_TRUST_ANCHOR" \
        --ca-file "$WORLD_CA" --timeout 10 -j "$2" --progress 0 \
        ${CHECKS:+--checks $CHECKS} --output /dev/null --aggregate-json "$OUT/agg.json" \
        "$csv" 2>"$OUT/err"
    rc=$?
    after=$(log_lines)
    python3 - "$OUT/agg.json" "$OUT/time" "$1" "$2" "$rc" "$((after - before))" <<'PY'
import json, re, sys
agg, tf, label, j, rc, logconns = sys.argv[1:]
try:
    a = json.load(open(agg))
except Exception:
    print("%-34s -j %-4s exit %s (no aggregate)" % (label, j, rc)); sys.exit()
t = open(tf).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
secs = a["elapsed_ms"] / 1000.0
h = max(a["unique_hosts"], 1)
print("%-34s -j %-4s %6d domains %7.1f s %8.1f dom/s  conn/host %.2f (smtpd log %.2f)  "
      "host checks %d  RSS %d MiB  exit %s" % (
          label, j, a["attempted"], secs, a["attempted"] / secs if secs else 0,
          a["connections"] / h, int(logconns) / h, a["host_checks"], rss // 1024, rc))
PY
}

echo "scan_bench: $BIN; world $RUN; $(nproc) CPUs; checks ${CHECKS:-default}"
first=1
for cfg in $CONFIGS; do
    for delay in "" "--greeting-delay-ms 500 --reply-delay-ms 50"; do
        label="$cfg${delay:+ delayed}"
        if ! $WORLD up --scale "$cfg" $delay >"$OUT/up" 2>&1; then
            echo "scan_bench: world up --scale $cfg failed:"; tail -5 "$OUT/up"; continue
        fi
        set -- $(floor)
        echo "== $label: floor: $1 bare STARTTLS handshakes, -P $FLOOR_P: $(printf %.1f "$2") s" \
             "($(echo "$1 / $2" | bc -l | xargs printf %.1f) hosts/s)"
        scan "$label" "$DEFAULT_J"
        if [ -n "$delay" ] && [ $first = 1 ]; then
            for j in $JOBS; do
                [ "$j" = "$DEFAULT_J" ] || scan "$label" "$j"
            done
        fi
    done
    first=0
done
