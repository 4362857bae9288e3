#!/bin/bash
# NAME
#     example_test.sh - examples/check_domain against the local mail world
# SYNOPSIS
#     tests/integration/example_test.sh CHECK_DOMAIN_BIN
# DESCRIPTION
#     The example program (public API only, linked to libstarttls.so) checks
#     good.test and expired.test: exit code = domain status, one "host"
#     line per MX host with each check's status, the domain-level checks,
#     and a JSON document at the end that parses and names the domain.
#     The world must be up (testbed/world up).
# DIAGNOSTICS
#     One "ok"/"FAIL" line per item; exit 0 when all passed, 1 otherwise.
set -u
BIN=${1:?usage: example_test.sh CHECK_DOMAIN_BIN}
HERE=$(cd "$(dirname "$0")" && pwd)
eval "$("$HERE/../../testbed/world" env)" || exit 2
failed=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; failed=1; }

# run DOMAIN WANT_RC WORD...: the output holds each WORD (a fixed string).
run() {
    local d=$1 want=$2
    shift 2
    local out rc
    out=$("$BIN" "$d" "$WORLD_RESOLVER" "$WORLD_TRUST_ANCHOR" "$WORLD_CA" 2>&1)
    rc=$?
    [ "$rc" = "$want" ] && ok "$d: exit $rc" || { bad "$d: exit $rc, want $want"; }
    for w in "$@"; do
        grep -qF -- "$w" <<<"$out" && ok "$d: has '$w'" || bad "$d: no '$w'"
    done
    # The JSON document starts at the first line that is exactly "{".
    if sed -n '/^{$/,$p' <<<"$out" |
        /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(d["domain"] != sys.argv[1])' "$d"
    then ok "$d: JSON parses and names the domain"
    else bad "$d: JSON"; fi
    if grep -qE 'AddressSanitizer|runtime error:|LeakSanitizer' <<<"$out"; then
        bad "$d: sanitizer report"
    fi
    [ "$failed" = 0 ] || printf '  | %s\n' "$out" | head -30
}

run good.test 0 "good.test: success (0)" "host mx1.good.test (preference 10, address" \
    "  certificate: success" "  starttls: success" "  dane: success" "domain check mta_sts: success"
run expired.test 2 "expired.test: failure (2)" "  certificate: failure" \
    "- The certificate expired"
# An invalid domain is an argument error of the library call.
out=$("$BIN" 'bad..name' "$WORLD_RESOLVER" 2>&1)
[ $? = 64 ] && ok "invalid domain: exit 64" || bad "invalid domain: $out"
exit $failed
