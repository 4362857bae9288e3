#!/bin/bash
# NAME
#     views_test.sh - a sound domain with advice only is a success in every view
# SYNOPSIS
#     tests/integration/views_test.sh BIN
# DESCRIPTION
#     Runs BIN on world cases whose every host is sound and authenticated and
#     whose findings below failure are advice only (one TLSA record without a
#     next-key record; an MTA-STS max_age of one day), in the three views:
#     the text report (first line "DOMAIN: success", exit 0), JSON (status 0,
#     status_text success, exit 0) and --nagios (STARTTLS OK, exit 0). The
#     advice is still there: a recommendation in the text and the JSON.
#     good.test is the control (3 1 1 + 2 1 1, max_age two weeks).
#     The world must be up (testbed/world up).
# DIAGNOSTICS
#     One "ok"/"FAIL" line per check; exit 0 when all passed, 1 otherwise,
#     2 when the world is not up.
set -u
BIN=${1:?usage: views_test.sh BIN}
HERE=$(cd "$(dirname "$0")" && pwd)
eval "$("$HERE/../../testbed/world" env)" || exit 2
A=(--resolver "$WORLD_RESOLVER" --trust-anchor "$WORLD_TRUST_ANCHOR" --ca-file "$WORLD_CA"
   --timeout 10)
failed=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; failed=1; }

# views DOMAIN ADVICE: ADVICE is a fixed string of the recommendation expected
views() {
    local d=$1 advice=$2 out rc
    out=$("$BIN" "${A[@]}" "$d" 2>&1)
    rc=$?
    [ "$rc" = 0 ] && ok "$d text: exit 0" || bad "$d text: exit $rc"
    [[ "${out%%$'\n'*}" == "$d: success "* ]] && ok "$d text: success" ||
        bad "$d text: first line ${out%%$'\n'*}"
    if [ -n "$advice" ]; then
        tr -s ' \n' ' ' <<<"$out" | grep -qF -- "$advice" && ok "$d text: advice given" ||
            bad "$d text: no '$advice'"
    fi
    out=$("$BIN" "${A[@]}" --json "$d" 2>/dev/null)
    rc=$?
    [ "$rc" = 0 ] && ok "$d json: exit 0" || bad "$d json: exit $rc"
    /usr/bin/python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
assert o["status"] == 0 and o["status_text"] == "success", (o["status"], o["message"])
advice = sys.argv[1]
if advice:
    assert advice in json.dumps(o), "advice missing"
' "$advice" <<<"$out" && ok "$d json: status 0" || bad "$d json"
    out=$("$BIN" "${A[@]}" --nagios "$d" 2>/dev/null)
    rc=$?
    [ "$rc" = 0 ] && [[ "$out" == "STARTTLS OK - $d:"* ]] && ok "$d nagios: OK" ||
        bad "$d nagios: exit $rc: ${out%%$'\n'*}"
}

views good.test ""
views dane311.test "3 1 1 for the server's public key and 2 1 1 for its issuing CA's key"
views dane211.test "3 1 1 for the server's public key and 2 1 1 for its issuing CA's key"
views sts-day.test "Raise max_age to at least 604800"
exit $failed
