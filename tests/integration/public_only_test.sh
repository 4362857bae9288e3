#!/bin/bash
# NAME
#     public_only_test.sh - the address filter against the local mail world
# SYNOPSIS
#     tests/integration/public_only_test.sh BIN
# DESCRIPTION
#     publiconly.test has its MX host and mta-sts.publiconly.test on loopback
#     (all of the world is). With --public-only the checker must refuse both
#     before any packet: the JSON says "not tested: address X is loopback",
#     the domain status is 3, and neither the world's SMTP server log (its
#     listener for mx1.publiconly.test) nor nginx's access log (SNI
#     mta-sts.publiconly.test) shows a connection. Then the same run without
#     the option must show up in both logs: the log check can fail.
# DIAGNOSTICS
#     "ok"/"FAIL" lines; exit 0 when all passed, 1 otherwise, 2 when the
#     world is not up.
set -u
BIN=${1:?usage: public_only_test.sh BIN}
HERE=$(cd "$(dirname "$0")" && pwd)
WORLD=$HERE/../../testbed/world
RUN=${WORLD_RUN:-$HERE/../../testbed/run}
eval "$("$WORLD" env)" || exit 2
A=(--json --resolver "$WORLD_RESOLVER" --trust-anchor "$WORLD_TRUST_ANCHOR" --ca-file "$WORLD_CA"
   --timeout 10)
ADDR=$("$WORLD" hosts | awk '$2 == "mx1.publiconly.test" {print $1}')
[ -n "$ADDR" ] || { echo "FAIL: no address for mx1.publiconly.test in the world"; exit 2; }
SMTPLOG=$RUN/smtpd.log
WEBLOG=$RUN/nginx-access.log
failed=0
fail() { echo "FAIL $*"; failed=1; }
# Connections to the case's listener / policy host in the logs so far.
smtp_seen() { grep -c " $ADDR:25 peer=" "$SMTPLOG" 2>/dev/null || true; }
web_seen() { grep -c " mta-sts.publiconly.test \"" "$WEBLOG" 2>/dev/null || true; }

s0=$(smtp_seen) w0=$(web_seen)
out=$("$BIN" "${A[@]}" --public-only publiconly.test 2>/tmp/public_only_test.$$.err)
rc=$?
sleep 1.5 # smtpd flushes its log every 0.5 s
[ "$rc" = 3 ] || fail "--public-only: exit $rc, want 3"
grep -q "not tested: address $ADDR is loopback (127.0.0.0/8)" <<<"$out" ||
    fail "--public-only: no refusal of $ADDR in the JSON"
grep -q '"address_refused": true' <<<"$out" || fail "--public-only: no address_refused fact"
grep -q "mta-sts.publiconly.test: not tested: address [0-9.]* is loopback" <<<"$out" ||
    fail "--public-only: the policy fetch was not refused"
grep -qE 'AddressSanitizer|runtime error:' /tmp/public_only_test.$$.err && fail "sanitizer report"
s1=$(smtp_seen) w1=$(web_seen)
[ "$s1" = "$s0" ] || fail "--public-only: the SMTP server logged $((s1 - s0)) connection(s) on $ADDR"
[ "$w1" = "$w0" ] || fail "--public-only: nginx logged $((w1 - w0)) request(s) for mta-sts.publiconly.test"
[ "$failed" = 0 ] && echo "ok --public-only: refused before any packet"

# The control: without the filter the same domain is connected to and logged.
"$BIN" "${A[@]}" publiconly.test >/dev/null 2>&1
sleep 1.5
s2=$(smtp_seen) w2=$(web_seen)
[ "$s2" -gt "$s1" ] || fail "control: no connection to $ADDR in $SMTPLOG (the log check is blind)"
[ "$w2" -gt "$w1" ] || fail "control: no request in $WEBLOG (the log check is blind)"
rm -f /tmp/public_only_test.$$.err
[ "$failed" = 0 ] && echo "ok control: without --public-only both servers saw the checker"
exit $failed
