#!/usr/bin/env bash
# demo.sh - bring the loopback test mail world up and check a few of its domains:
# a clean pass, certificate and STARTTLS failures, and hostile servers.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin="$build/starttls-check"
[ -x "$bin" ] || { echo "demo: $bin not built (run make build)" >&2; exit 1; }

testbed/world up
eval "$(testbed/world env)"
args=(--resolver "$WORLD_RESOLVER" --trust-anchor "$WORLD_TRUST_ANCHOR" --ca-file "$WORLD_CA" --timeout 10)

run() {
    echo
    echo "\$ starttls-check $*"
    "$bin" "${args[@]}" "$@" || echo "(exit code $?)"
}

run good.test          # clean pass: STARTTLS, valid certificate, TLS 1.3, DANE, MTA-STS, TLS-RPT
run expired.test       # certificate expired
run nostarttls.test    # STARTTLS not offered
run multi.test         # three MX hosts
run tls10only.test     # only TLS 1.0
run garbage.test       # hostile: binary garbage instead of a greeting
run drip.test          # hostile: greeting one byte per second (ends at the deadline)
run --json danebad.test  # JSON output: a TLSA record that matches nothing
echo
echo "The world stays up for more experiments; stop it with: testbed/world down"
