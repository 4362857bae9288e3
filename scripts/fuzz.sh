#!/usr/bin/env bash
# NAME
#     fuzz.sh - build the libFuzzer harnesses and run each for a bounded time
# SYNOPSIS
#     scripts/fuzz.sh [SECONDS] [TARGET...]
#     make fuzz [FUZZ_SECONDS=60]
# DESCRIPTION
#     Configures build-fuzz/ with clang (-DSTC_FUZZ=ON: the library built with
#     -fsanitize=fuzzer-no-link,address,undefined), builds the fuzz_* targets
#     of fuzz/CMakeLists.txt and runs each one for SECONDS (default 60) with
#     -max_total_time, FUZZ_JOBS targets at a time (default: number of CPUs).
#     TARGET names select targets (smtp_reply or fuzz_smtp_reply); default all.
#
#     Seeds are read from fuzz/corpus/TARGET/ (checked in, never written);
#     the growing corpus, the log and any artifacts live in fuzz/out/TARGET/
#     (git-ignored), so later runs start where earlier ones stopped.
#     A dictionary fuzz/dict/*.dict is passed where one fits.
#
#     Prints one line per target: executions, executions per second, edge
#     coverage (cov) and features (ft) from libFuzzer's last status line,
#     corpus size, and crashes (crash-, leak-, timeout- and oom- artifacts
#     written by this run). Reproduce one with
#         build-fuzz/fuzz/fuzz_TARGET fuzz/out/TARGET/crash-...
# ENVIRONMENT
#     FUZZ_BUILD  build directory (build-fuzz)   FUZZ_JOBS  parallel targets
#     CC          compiler (clang)               FUZZ_ARGS  extra libFuzzer flags
# EXIT STATUS
#     0 when every target ran its time without a finding; 1 when a target
#     crashed, leaked, hung or broke an invariant; 2 on a build/usage error.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_EACH=${1:-60}
[ $# -gt 0 ] && shift
case $SECONDS_EACH in
'' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac
BUILD=${FUZZ_BUILD:-build-fuzz}
JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
CC=${CC:-clang}
OUT=$ROOT/fuzz/out

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz.sh: $CC not found (install clang and libclang-rt-14-dev: make deps)" >&2
    exit 2
fi

# Warnings are the lint's and the gcc build's job; a clang-only warning must
# not stop the fuzzers, so the fuzz build does not use -Werror.
echo "fuzz.sh: building in $BUILD"
mkdir -p "$BUILD"
LOG=$BUILD/fuzz-build.log
cmake -S . -B "$BUILD" -DCMAKE_C_COMPILER="$CC" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSTC_FUZZ=ON -DSTC_TESTS=OFF -DSTC_SANITIZE=OFF -DSTC_WERROR=OFF >"$LOG" 2>&1 ||
    { cat "$LOG" >&2; exit 2; }
cmake --build "$BUILD" --target fuzzers -j"$JOBS" >>"$LOG" 2>&1 ||
    { tail -50 "$LOG" >&2; exit 2; }

all=()
for f in "$BUILD"/fuzz/fuzz_*; do
    [ -x "$f" ] && [ -f "$f" ] && all+=("$(basename "$f")")
done
targets=()
if [ $# -eq 0 ]; then
    targets=("${all[@]}")
else
    for t in "$@"; do
        t=fuzz_${t#fuzz_}
        [ -x "$BUILD/fuzz/$t" ] || { echo "fuzz.sh: no target $t (have: ${all[*]})" >&2; exit 2; }
        targets+=("$t")
    done
fi

dict_for() {
    case $1 in
    smtp_*) echo fuzz/dict/smtp.dict ;;
    mtasts_* | tlsrpt) echo fuzz/dict/mtasts.dict ;;
    policy_list | result_json) echo fuzz/dict/json.dict ;;
    dns_name | scan_input) echo fuzz/dict/dns_name.dict ;;
    dns_stub) echo fuzz/dict/dns_stub.dict ;;
    tls_*) echo fuzz/dict/tls.dict ;;
    esac
}

# Per-target libFuzzer options beyond the defaults.
opts_for() {
    case $1 in
    smtp_reply) echo "-max_len=36000" ;; # past the 32 KiB reply cap
    esac
}

run_one() {
    local t=$1 name=${1#fuzz_}
    local dir=$OUT/$name
    mkdir -p "$dir/corpus" "$ROOT/fuzz/corpus/$name"
    touch "$dir/.stamp"
    local dict args=()
    dict=$(dict_for "$name")
    [ -n "$dict" ] && [ -f "$dict" ] && args+=("-dict=$dict")
    # shellcheck disable=SC2207
    args+=($(opts_for "$name"))
    # shellcheck disable=SC2206
    args+=(${FUZZ_ARGS:-})
    set +e
    "$BUILD/fuzz/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$dir/" "${args[@]}" \
        "$dir/corpus" "$ROOT/fuzz/corpus/$name" >"$dir/log" 2>&1
    echo $? >"$dir/rc"
    set -e
}

summary() {
    local t=$1 name=${1#fuzz_}
    local dir=$OUT/$name
    local rc execs eps cov ft corp crashes
    rc=$(cat "$dir/rc" 2>/dev/null || echo 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2)
    corp=$(find "$dir/corpus" -type f | wc -l)
    crashes=$(find "$dir" -maxdepth 1 -type f -newer "$dir/.stamp" \
        \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    if [ "$rc" != 0 ] && [ "$crashes" = 0 ]; then
        crashes="1 (rc $rc)"
    fi
    printf '%-22s %12s %9s %7s %7s %7s  %s\n' "$name" "${execs:--}" "${eps:--}" "${cov:--}" \
        "${ft:--}" "$corp" "$crashes"
    [ "$rc" = 0 ] && [ "$crashes" = 0 ]
}

echo "fuzz.sh: ${#targets[@]} targets, ${SECONDS_EACH}s each, $JOBS at a time; output in fuzz/out/"
running=0
for t in "${targets[@]}"; do
    if [ "$running" -ge "$JOBS" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    run_one "$t" &
    running=$((running + 1))
done
wait || true

printf '%-22s %12s %9s %7s %7s %7s  %s\n' target executions exec/s cov ft corpus crashes
failed=0
for t in "${targets[@]}"; do
    summary "$t" || failed=1
done
if [ "$failed" != 0 ]; then
    echo "fuzz.sh: FINDINGS - see fuzz/out/TARGET/log and the artifacts there" >&2
    for t in "${targets[@]}"; do
        d=$OUT/${t#fuzz_}
        if [ "$(cat "$d/rc" 2>/dev/null || echo 1)" != 0 ]; then
            echo "---- ${t#fuzz_}" >&2
            grep -E 'invariant failed|ERROR:|SUMMARY:|runtime error|Test unit written' "$d/log" | head -8 >&2 || true
        fi
    done
    exit 1
fi
echo "fuzz.sh: no findings"
