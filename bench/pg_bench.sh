#!/bin/sh
# NAME
#     pg_bench.sh - 1, 2 and 4 workers against one PostgreSQL on a scaled, delayed world
# SYNOPSIS
#     bench/pg_bench.sh [BIN]        (BIN, or $STC_BIN, default build/starttls-check)
#     BENCH_SCALE=20000:2000 BENCH_WORKERS="1 2 4" BENCH_J=64 bench/pg_bench.sh
# DESCRIPTION
#     Brings the world (WORLD_PREFIX, default 127.77) up with --scale
#     BENCH_SCALE (default 5000:500: 20,000 domains take too long for a
#     shared two-core machine) and --greeting-delay-ms 500 --reply-delay-ms
#     50, starts a private PostgreSQL 15 cluster (tests/pg/pgcluster.sh),
#     and for each count in BENCH_WORKERS enqueues the scale domains as a
#     new scan, empties the shared host cache, runs that many `worker`
#     processes (-j BENCH_J each) to the end and prints: seconds,
#     domains/s, database transactions/s (pg_stat_database xact_commit)
#     and rows/s (tuples inserted, updated and deleted, pg_stat_database),
#     plus the load average before and after (the machine may be shared),
#     and the host checks made by all workers together against the distinct
#     MX hosts (the shared cache and single flight keep them close).
#     Restores the world with `up --scale 0` and stops the cluster at the
#     end. Prints figures; asserts nothing.
# LIMITS
#     Needs root (the world's ports) and postgresql-15.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
BIN=${1:-${STC_BIN:-$REPO/build/starttls-check}}
SCALE=${BENCH_SCALE:-5000:500}
WORKERS=${BENCH_WORKERS:-"1 2 4"}
J=${BENCH_J:-64}
PSQL=/usr/lib/postgresql/15/bin/psql
DIR=$(mktemp -d /tmp/stc-pgbench.XXXXXX)
chmod 755 "$DIR"
cleanup() {
    bash "$REPO/tests/pg/pgcluster.sh" stop "$DIR/pg"
    "$REPO/testbed/world" up --scale 0 >/dev/null 2>&1
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

"$REPO/testbed/world" up --scale "$SCALE" --greeting-delay-ms 500 --reply-delay-ms 50 >"$DIR/world.log" 2>&1 ||
    { cat "$DIR/world.log"; exit 1; }
eval "$("$REPO/testbed/world" env | sed 's/^/export /')"
LIST="$WORLD_RUN/scale-domains.csv"
N=$(wc -l <"$LIST")
DB=$(bash "$REPO/tests/pg/pgcluster.sh" start "$DIR/pg" 5432) || exit 1
CK="--resolver $WORLD_RESOLVER --trust-anchor $WORLD_TRUST_ANCHOR --ca-file $WORLD_CA --timeout 10 --progress 0"
q() { "$PSQL" -XAtq "$DB" -c "$1"; }
stat() { q "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted FROM pg_stat_database WHERE datname = 'stc'"; }
now() { date +%s.%N; }

echo "pg_bench: $N domains (--scale $SCALE, greeting 500 ms, replies 50 ms), -j $J per worker"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
printf '%-8s %8s %10s %12s %10s %8s\n' workers seconds domains/s transactions/s rows/s done
for w in $WORKERS; do
    name="bench$w"
    "$BIN" scan --db "$DB" --name "$name" --enqueue "$LIST" 2>/dev/null || exit 1
    q "DELETE FROM host_cache" >/dev/null
    sleep 1 # let the statistics collector catch up
    s0=$(stat)
    t0=$(now)
    i=0
    pids=""
    while [ $i -lt "$w" ]; do
        # shellcheck disable=SC2086
        "$BIN" worker $CK --db "$DB" --name "$name" -j "$J" --worker-id "w$i" \
            --aggregate-json "$DIR/agg$w.$i.json" >/dev/null 2>"$DIR/w$w.$i.log" &
        pids="$pids $!"
        i=$((i + 1))
    done
    # shellcheck disable=SC2086
    wait $pids
    t1=$(now)
    sleep 1
    s1=$(stat)
    done_n=$(q "SELECT count(*) FROM domains d JOIN scans s ON s.id = d.scan_id WHERE s.name = '$name'")
    hosts_n=$(q "SELECT count(DISTINCT hostname) FROM hosts h JOIN scans s ON s.id = h.scan_id WHERE s.name = '$name'")
    checks_n=$(cat "$DIR"/agg$w.*.json | python3 -c 'import json,sys; print(sum(json.loads(l)["host_checks"] - json.loads(l)["throttle_retries"] for l in sys.stdin if l.strip()))')
    echo "host checks by all workers: $checks_n for $hosts_n distinct MX hosts" >"$DIR/hosts$w"
    echo "$w $t0 $t1 $s0 $s1 $done_n" | awk -F'[ |]' '{
        secs = $3 - $2; tx = $6 - $4; rows = $7 - $5;
        printf "%-8d %8.1f %10.1f %12.1f %10.1f %8d\n", $1, secs, $8 / secs, tx / secs, rows / secs, $8 }'
done
for w in $WORKERS; do echo "$w workers: $(cat "$DIR/hosts$w")"; done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
