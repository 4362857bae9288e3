#!/bin/sh
# NAME
#     report_bench.sh - how fast `starttls-check report` builds a large report
# SYNOPSIS
#     bench/report_bench.sh [BIN]        (BIN, or $STC_BIN, default build/starttls-check)
#     BENCH_N=100000 BENCH_DIR=/tmp/stc-report-bench bench/report_bench.sh
# DESCRIPTION
#     Generates a synthetic scan output of BENCH_N domains (bench/report_gen.py,
#     JSON Lines in the shape scan -o writes; kept in BENCH_DIR between runs),
#     turns it into a SQLite copy too (the domains table of scan --db, json
#     column only), and prints for `report` of each: wall time, peak RSS
#     (/usr/bin/time -v) and the page's size; then the same for --compare (the
#     file against itself). With tests/browser/node_modules present it also
#     loads the JSON Lines report in headless chromium and prints the time until
#     the table is drawn and one search. A release build measures the tool, an
#     ASan build mostly the sanitizer. Prints figures; asserts nothing.
# LIMITS
#     BENCH_N 100,000 makes a ~380 MB input; BENCH_DIR needs about twice that.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
BIN=${1:-${STC_BIN:-$REPO/build/starttls-check}}
N=${BENCH_N:-100000}
DIR=${BENCH_DIR:-/tmp/stc-report-bench}
mkdir -p "$DIR"
IN=$DIR/scan-$N.jsonl
DB=$DIR/scan-$N.db
if [ ! -s "$IN" ]; then
    echo "generating $N synthetic domains into $IN"
    python3 "$HERE/report_gen.py" "$N" > "$IN.tmp" && mv "$IN.tmp" "$IN"
fi
if [ ! -s "$DB" ]; then
    python3 - "$IN" "$DB" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[2] + ".tmp")
con.execute("CREATE TABLE IF NOT EXISTS domains(domain TEXT PRIMARY KEY, status INTEGER NOT NULL,"
            " status_text TEXT NOT NULL, message TEXT, mx_count INTEGER, mta_sts_mode TEXT,"
            " checked_at INTEGER NOT NULL, json TEXT NOT NULL)")
with open(sys.argv[1]) as f:
    con.executemany("INSERT OR REPLACE INTO domains(domain,status,status_text,checked_at,json)"
                    " VALUES(?,0,'',0,?)", ((l[11:l.index('"', 11)], l.rstrip("\n")) for l in f))
con.commit()
con.close()
import os; os.rename(sys.argv[2] + ".tmp", sys.argv[2])
PY
fi
echo "input: $(du -h "$IN" | cut -f1) JSON Lines, $(du -h "$DB" | cut -f1) database, $N domains"
run() { # label, args...
    label=$1
    shift
    /usr/bin/time -v -o "$DIR/time.txt" "$BIN" report "$@" -o "$DIR/report.html" 2>"$DIR/err.txt"
    rc=$?
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$DIR/time.txt")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$DIR/time.txt")
    size=$(du -h "$DIR/report.html" | cut -f1)
    printf '%-28s exit %s  wall %s  peak RSS %s MiB  page %s\n' "$label" "$rc" "$wall" \
        "$((rss / 1024))" "$size"
}
run "report JSON Lines" "$IN"
run "report database" "$DB"
run "report --compare (itself)" "$IN" --compare "$IN"
if [ -d "$REPO/tests/browser/node_modules" ] && [ -x /usr/bin/chromium ]; then
    "$BIN" report "$IN" -o "$DIR/report.html" 2>/dev/null
    NODE_PATH="$REPO/tests/browser/node_modules" node - "$DIR/report.html" <<'JS'
const puppeteer = require("puppeteer-core");
(async () => {
  const b = await puppeteer.launch({ executablePath: "/usr/bin/chromium", headless: true,
    args: ["--no-sandbox", "--disable-gpu"] });
  const p = await b.newPage();
  const t0 = Date.now();
  await p.goto("file://" + process.argv[2], { waitUntil: "load", timeout: 300000 });
  await p.waitForFunction(() => document.querySelectorAll("#dt-body tr").length > 0,
    { timeout: 300000 });
  const t1 = Date.now();
  await p.type("#q", "d0999");
  const n = await p.$eval("#dt-count", (e) => e.textContent);
  const t2 = Date.now();
  const mem = (await p.metrics()).JSHeapUsedSize;
  console.log(`browser: table drawn after ${((t1 - t0) / 1000).toFixed(1)} s, a search ` +
    `(${n}) ${t2 - t1} ms, JS heap ${(mem / 1048576).toFixed(0)} MiB`);
  await b.close();
})().catch((e) => { console.log("browser: " + e.message); process.exit(0); });
JS
fi
