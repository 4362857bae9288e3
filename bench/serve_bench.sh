#!/bin/sh
# NAME
#     serve_bench.sh - requests per second of `starttls-check serve` against the test world
# SYNOPSIS
#     WORLD_PREFIX=127.89 bench/serve_bench.sh [BIN]   (default build/starttls-check)
#     BENCH_SECONDS=5 BENCH_CLIENTS=32 BENCH_FRESH="200:40" BENCH_MAX_CHECKS="4 16"
# DESCRIPTION
#     Brings the world up (WORLD_PREFIX's) and starts `BIN serve --allow-private
#     --rate 0` on PREFIX.0.86. Cached results: BENCH_CLIENTS keep-alive clients
#     (each from its own loopback address) for BENCH_SECONDS each on a finished
#     check's JSON, a domain's latest check (database), a POST answered by the
#     result cache, and the page (bench/serve_load.py). Fresh checks: the world
#     scaled to BENCH_FRESH domains:hosts (testbed/world up --scale), every
#     domain POSTed at once, timed until all are done, for each --max-checks in
#     BENCH_MAX_CHECKS; the scale is reset (up --scale 0) at the end. Prints the
#     machine's load average and CPU count beside the figures (a shared machine
#     skews them). Asserts nothing.
# LIMITS
#     The load generator is Python threads: on a small machine it competes with
#     the server for the CPU, so the cached figures are a floor.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
BIN=${1:-${STC_BIN:-$REPO/build/starttls-check}}
SECS=${BENCH_SECONDS:-5}
CLIENTS=${BENCH_CLIENTS:-32}
FRESH=${BENCH_FRESH:-200:40}
MAXC=${BENCH_MAX_CHECKS:-"4 16"}
PREFIX=${WORLD_PREFIX:-127.77}
WORLD=$REPO/testbed/world
DB=$(mktemp -d /tmp/serve_bench.XXXXXX)
PID=
cleanup() {
    [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    "$WORLD" up --scale 0 >/dev/null 2>&1
    rm -rf "$DB"
}
trap cleanup EXIT INT TERM

start() { # $1: max checks
    "$BIN" serve --allow-private --rate 0 --queue 256 --max-checks "$1" --timeout 10 \
        --listen "$PREFIX.0.86:0" --db "$DB/serve-$1.db" --resolver "$WORLD_RESOLVER" \
        --trust-anchor "$WORLD_TRUST_ANCHOR" --ca-file "$WORLD_CA" >"$DB/out" 2>"$DB/err" &
    PID=$!
    i=0
    while ! grep -q "port" "$DB/out" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    BASE="http://$PREFIX.0.86:$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$DB/out")"
}
stop() { kill -TERM "$PID"; wait "$PID"; PID=; }

"$WORLD" up >/dev/null || exit 2
eval "$("$WORLD" env)"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) (before)"
echo "binary: $BIN"

start 4
echo "== cached results ($CLIENTS clients, ${SECS} s each)"
/usr/bin/python3 "$HERE/serve_load.py" cached "$BASE" "$SECS" "$CLIENTS"
stop

echo "== fresh checks: scaled world $FRESH"
"$WORLD" up --scale "$FRESH" >/dev/null || exit 2
N=${FRESH%%:*}
DOMAINS=$(i=1; while [ $i -le "$N" ]; do printf 'd%d.scale.test ' $i; i=$((i + 1)); done)
for m in $MAXC; do
    start "$m"
    printf -- "--max-checks %s: " "$m"
    # shellcheck disable=SC2086
    /usr/bin/python3 "$HERE/serve_load.py" fresh "$BASE" 16 $DOMAINS
    stop
done
echo "machine: load average $(cut -d' ' -f1-3 /proc/loadavg) (after)"
