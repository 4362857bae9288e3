#!/bin/bash
# NAME
#     dnssec_anchor_test.sh - DNSSEC validation is never silently off
# SYNOPSIS
#     tests/integration/dnssec_anchor_test.sh BIN
# DESCRIPTION
#     Runs BIN without --trust-anchor against the local mail world, once with
#     the default root key made unavailable (STC_ROOT_KEY names a missing
#     file) and once with STC_ROOT_KEY naming the world's root key, and
#     checks, in the text report and the JSON:
#     - unavailable: one "DNSSEC could not be validated" note (text) and
#       details.dnssec_validated false with details.dnssec_note (JSON); no
#       DANE node, no DANE column, no advice to sign a zone or publish TLSA
#       records; the domain's status is unchanged (good.test: 0);
#     - from STC_ROOT_KEY: validated, the DANE checks run and authenticate.
#     The world must be up (testbed/world up).
# DIAGNOSTICS
#     One "ok"/"FAIL" line per assertion; exit 0 when all passed, 1 otherwise,
#     2 when the world is not up.
set -u
BIN=${1:?usage: dnssec_anchor_test.sh BIN}
HERE=$(cd "$(dirname "$0")" && pwd)
WORLD=$HERE/../../testbed/world
eval "$("$WORLD" env)" || exit 2
A=(--resolver "$WORLD_RESOLVER" --ca-file "$WORLD_CA" --timeout 10)
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; failed=1; }
expect() { # expect NAME COMMAND...: the command must succeed
    local name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}
sanitizer_clean() {
    ! grep -qE 'AddressSanitizer|runtime error:|LeakSanitizer' "$1"
}

# --- no trust anchor at all
for d in good.test dane311.test; do
    STC_ROOT_KEY=$tmp/missing.key "$BIN" "${A[@]}" "$d" >"$tmp/text" 2>"$tmp/err.text"
    rc_text=$?
    STC_ROOT_KEY=$tmp/missing.key "$BIN" "${A[@]}" --json "$d" >"$tmp/json" 2>"$tmp/err.json"
    rc_json=$?
    expect "$d: text exit 0 without a trust anchor (got $rc_text)" [ "$rc_text" = 0 ]
    expect "$d: json exit 0 without a trust anchor (got $rc_json)" [ "$rc_json" = 0 ]
    expect "$d: text says once that DNSSEC could not be validated" \
        [ "$(grep -c 'DNSSEC could not be validated' "$tmp/text")" = 1 ]
    expect "$d: text names the missing trust anchor" grep -q 'missing.key' "$tmp/text"
    expect "$d: text has no DANE column" bash -c "! grep -qE 'CERTIFICATE +DANE' '$tmp/text'"
    expect "$d: text gives no advice to sign a zone" bash -c "! grep -qi 'sign the' '$tmp/text'"
    expect "$d: text gives no TLSA advice" bash -c "! grep -q 'TLSA' '$tmp/text'"
    expect "$d: text has no dnssec line saying insecure" \
        bash -c "! grep -qE '^  dnssec +insecure' '$tmp/text'"
    expect "$d: json says DNSSEC not validated" /usr/bin/python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
d = o["details"]
assert d["dnssec_validated"] is False, d
assert "DNSSEC could not be validated" in d["dnssec_note"], d
assert "dane" not in (o.get("extra_results") or {}), o.get("extra_results")
for h in o["results"].values():
    assert "dane" not in h.get("checks", {}), h["checks"].keys()
text = json.dumps(o)
assert "Sign the" not in text and "TLSA" not in text, "DNSSEC/DANE advice in the JSON"
assert o["status"] == 0, o["status"]
' "$tmp/json"
    expect "$d: no sanitizer report" sanitizer_clean "$tmp/err.text"
    expect "$d: no sanitizer report (json)" sanitizer_clean "$tmp/err.json"
done

# --- the default anchor from STC_ROOT_KEY (as /usr/share/dns/root.key would be)
STC_ROOT_KEY=$WORLD_RUN/root.key "$BIN" "${A[@]}" --json good.test >"$tmp/json" 2>"$tmp/err"
expect "default anchor: validated and DANE-authenticated" /usr/bin/python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert o["details"]["dnssec_validated"] is True, o["details"]
assert "dnssec_note" not in o["details"], o["details"]
assert o["details"]["mx_dnssec"] == "secure", o["details"]
assert o["extra_results"]["dane"]["details"]["coverage"] == "all", o["extra_results"]["dane"]
' "$tmp/json"
STC_ROOT_KEY=$WORLD_RUN/root.key "$BIN" "${A[@]}" good.test >"$tmp/text" 2>"$tmp/err"
expect "default anchor: text has no 'could not be validated' note" \
    bash -c "! grep -q 'could not be validated' '$tmp/text'"
expect "default anchor: text has the DANE column" grep -qE 'CERTIFICATE +DANE' "$tmp/text"
exit $failed
