#!/bin/bash
# NAME
#     nagios_test.sh - starttls-check --nagios against the local mail world
# SYNOPSIS
#     tests/integration/nagios_test.sh BIN
# DESCRIPTION
#     Runs BIN --nagios on world cases with a known verdict and checks the
#     plugin exit code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), the status
#     line (Nagios plugin guidelines: "SERVICE STATE - text | perfdata") and
#     the performance data. The world must be up (testbed/world up).
# DIAGNOSTICS
#     One "ok"/"FAIL" line per case; exit 0 when all passed, 1 otherwise,
#     2 when the world is not up.
set -u
BIN=${1:?usage: nagios_test.sh BIN}
HERE=$(cd "$(dirname "$0")" && pwd)
WORLD=$HERE/../../testbed/world
eval "$("$WORLD" env)" || exit 2
A=(--resolver "$WORLD_RESOLVER" --trust-anchor "$WORLD_TRUST_ANCHOR" --ca-file "$WORLD_CA")
failed=0

# case NAME WANT_RC FIRST_LINE_REGEX [ARGS...]
case_() {
    local name=$1 want=$2 re=$3
    shift 3
    local out rc first
    out=$("$BIN" "${A[@]}" --nagios "$@" 2>/tmp/nagios_test.$$.err)
    rc=$?
    first=${out%%$'\n'*}
    local why=""
    [ "$rc" = "$want" ] || why="exit $rc, want $want"
    [[ "$first" =~ $re ]] || why="$why; first line does not match /$re/"
    # Exactly one '|' (none on UNKNOWN usage lines), on the first line.
    local bars=${out//[^|]/} nbars=1
    [ "$want" = 3 ] && nbars=0
    [ "${#bars}" = "$nbars" ] || why="$why; ${#bars} '|' in the output"
    grep -qE 'AddressSanitizer|runtime error:|LeakSanitizer' /tmp/nagios_test.$$.err &&
        why="$why; sanitizer report"
    if [ -n "$why" ]; then
        echo "FAIL $name: ${why#; }"
        printf '  | %s\n' "$out" | head -8
        failed=1
    else
        echo "ok   $name: $first"
    fi
    rm -f /tmp/nagios_test.$$.err
}

PERF='\| (days_to_expiry=-?[0-9]+;[0-9]+;[0-9]+ )?hosts_passing=[0-9]+;;;0;[0-9]+ hosts_total=[0-9]+$'
case_ good 0 "^STARTTLS OK - good\.test: 1/1 MX hosts pass $PERF" good.test
case_ good-perf 0 '\| days_to_expiry=[0-9]+;14;7 hosts_passing=1;;;0;1 hosts_total=1$' good.test
# Sound and authenticated, with advice only (one TLSA record, a one-day max_age): OK.
case_ dane311 0 "^STARTTLS OK - dane311\.test: 1/1 MX hosts pass $PERF" dane311.test
case_ sts-day 0 "^STARTTLS OK - sts-day\.test: 1/1 MX hosts pass $PERF" sts-day.test
case_ expired 2 "^STARTTLS CRITICAL - expired\.test: 0/1 MX hosts pass; failure: .*expired .* $PERF" \
    expired.test
case_ tls10only 1 "^STARTTLS WARNING - tls10only\.test: 0/1 MX hosts pass; warning: .* $PERF" \
    tls10only.test
case_ nobanner 2 "^STARTTLS CRITICAL - nobanner\.test: 0/1 MX hosts pass; could_not_connect: .* $PERF" \
    --timeout 3 nobanner.test
# Thresholds: a certificate with years left becomes WARNING / CRITICAL when asked.
case_ warn-days 1 "^STARTTLS WARNING - good\.test: .*expires in [0-9]+ days .*;9999;7 " \
    --warn-days 9999 good.test
case_ crit-days 2 "^STARTTLS CRITICAL - good\.test: .*;9999;9999 " \
    --warn-days 9999 --crit-days 9999 good.test
case_ invalid-domain 3 '^STARTTLS UNKNOWN - bad\.\.name: invalid domain' 'bad..name'
case_ crit-above-warn 3 '^STARTTLS UNKNOWN - usage: --crit-days \(20\) must not exceed' \
    --crit-days 20 good.test
case_ two-domains 3 '^STARTTLS UNKNOWN - usage: --nagios checks one domain' good.test multi.test
case_ bad-option 3 '^STARTTLS UNKNOWN - usage: ' --no-such-option good.test
exit $failed
