#!/bin/bash
# parallel_test.sh - two runs of the dns live test's fixture, and two runs of
# the CLI argument test, at the same time on one machine must not collide.
#
# Usage: tests/integration/dns/parallel_test.sh BIN    (BIN: starttls-check)
#
# Starts two DNSSEC fixtures (fixture.sh) in two temp dirs at once; both must
# start, on different addresses outside every world's prefix (127.250.0.0/16,
# reserved for unit tests), and each resolver must give a validated answer.
# Then runs tests/cli/test_cli_args.sh twice at once; both must pass.
# Needs root (port 53). Exit 0 when all passes, 1 otherwise.
set -u

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-${STC_BIN:-$here/../../../build/starttls-check}}
fx=$here/fixture.sh
a=$(mktemp -d /tmp/stc-dns-par.XXXXXX)
b=$(mktemp -d /tmp/stc-dns-par.XXXXXX)
cleanup() {
    sh "$fx" stop "$a" >/dev/null 2>&1 || rm -rf "$a"
    sh "$fx" stop "$b" >/dev/null 2>&1 || rm -rf "$b"
}
trap cleanup EXIT
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

sh "$fx" start "$a" >"$a.log" 2>&1 &
pa=$!
sh "$fx" start "$b" >"$b.log" 2>&1 &
pb=$!
wait "$pa" || fail "fixture A did not start: $(cat "$a.log")"
wait "$pb" || fail "fixture B did not start: $(cat "$b.log")"
rm -f "$a.log" "$b.log"
na=$(cat "$a/resolver" 2>/dev/null)
nb=$(cat "$b/resolver" 2>/dev/null)
[ -n "$na" ] || fail "fixture A names no resolver address in $a/resolver"
[ -n "$nb" ] || fail "fixture B names no resolver address in $b/resolver"
[ "$na" != "$nb" ] || fail "both fixtures use resolver $na"
for r in "$na" "$nb"; do
    case "$r" in 127.250.*) ;; *) fail "resolver $r outside 127.250.0.0/16" ;; esac
    if [ -n "$r" ] && ! dig +time=2 +tries=1 @"$r" stc-sec. SOA +dnssec 2>/dev/null |
        grep -q 'flags:.* ad'; then
        fail "resolver $r gives no validated answer"
    fi
done

tmp=$(mktemp -d)
bash "$here/../../cli/test_cli_args.sh" "$bin" >"$tmp/1" 2>&1 &
p1=$!
bash "$here/../../cli/test_cli_args.sh" "$bin" >"$tmp/2" 2>&1 &
p2=$!
wait "$p1" || fail "cli args run 1: $(tail -n 5 "$tmp/1")"
wait "$p2" || fail "cli args run 2: $(tail -n 5 "$tmp/2")"
rm -rf "$tmp"

[ "$failures" -eq 0 ] || exit 1
echo "parallel_test: ok"
