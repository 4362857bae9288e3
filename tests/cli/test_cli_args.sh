#!/bin/bash
# test_cli_args.sh - starttls-check's command line: help, version, usage
# errors and invalid domain names, all without a single network packet.
#
# Usage: tests/cli/test_cli_args.sh [BIN]     (BIN, else $STC_BIN, else build/starttls-check)
#
# Every run points --resolver at 127.250.19.9:PORT (127.250.0.0/16 is kept
# for unit tests: no world prefix uses it), PORT chosen free at run time by a
# listener of ours that binds port 0 and records any UDP or TCP traffic; each run is also
# wrapped in `timeout 5`, so an accidental query shows as an error, a delay
# or a recorded packet. Exit 0 when every case passes, 1 otherwise.
set -u

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-${STC_BIN:-$here/../../build/starttls-check}}
if [ ! -x "$bin" ]; then
    echo "test_cli_args: binary $bin not found or not executable" >&2
    exit 1
fi

RESOLVER_ADDR=127.250.19.9
RESOLVER_PORT=
tmp=$(mktemp -d)
listener_pid=
cleanup() {
    if [ -n "$listener_pid" ]; then
        kill "$listener_pid" 2>/dev/null
        wait "$listener_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# A listener on the fake resolver address: it binds a UDP port the kernel
# picks, the same port in TCP (a few tries if that one is taken), writes the
# port to $tmp/ready and every datagram or connection it sees to $tmp/traffic.
if ! command -v python3 >/dev/null 2>&1; then
    echo "test_cli_args: python3 missing: cannot run the traffic listener" >&2
    exit 1
fi
python3 - "$RESOLVER_ADDR" "$tmp/traffic" "$tmp/ready" <<'EOF' &
import os, select, socket, sys
addr, log, ready = sys.argv[1], sys.argv[2], sys.argv[3]
for _ in range(20):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((addr, 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind((addr, port))
        break
    except OSError:
        u.close()
        t.close()
else:
    sys.exit("no port free in both UDP and TCP")
t.listen(8)
with open(ready + ".tmp", "w") as f:
    f.write("%d\n" % port)
os.rename(ready + ".tmp", ready)
while True:
    r, _, _ = select.select([u, t], [], [])
    with open(log, "a") as f:
        if u in r:
            _, peer = u.recvfrom(4096)
            f.write("udp from %s\n" % (peer,))
        if t in r:
            c, peer = t.accept()
            f.write("tcp from %s\n" % (peer,))
            c.close()
EOF
listener_pid=$!
for _ in $(seq 50); do
    [ -e "$tmp/ready" ] && break
    sleep 0.1
done
if [ ! -e "$tmp/ready" ]; then
    echo "test_cli_args: could not start the traffic listener" >&2
    exit 1
fi
RESOLVER_PORT=$(cat "$tmp/ready")

failures=0
cases=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# run NAME ARGS...: run the binary (no stdin, 5 s limit); sets rc, out, err.
run() {
    cases=$((cases + 1))
    name=$1
    shift
    timeout 5 "$bin" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
    if grep -q -e 'Sanitizer' -e 'runtime error:' "$tmp/err"; then
        fail "$name: sanitizer report: $err"
    fi
    if [ "$rc" -eq 124 ]; then
        fail "$name: still running after 5 s (did it query the network?)"
    fi
    # Nothing unprintable may reach a terminal (tab and newline aside).
    if LC_ALL=C grep -q -P '[\x00-\x08\x0b-\x1f\x7f]' "$tmp/out" "$tmp/err"; then
        fail "$name: raw control bytes in the output"
    fi
}

expect_rc() {
    [ "$rc" -eq "$1" ] || fail "$name: exit $rc, want $1 (stderr: $err)"
}

expect_err() {
    printf '%s' "$err" | grep -q -F -e "$1" || fail "$name: stderr lacks '$1': $err"
}

expect_out() {
    printf '%s' "$out" | grep -q -F -e "$1" || fail "$name: stdout lacks '$1': $out"
}

R=(--resolver "$RESOLVER_ADDR@$RESOLVER_PORT")

# --help: exit 0, every option with its default.
run help --help
expect_rc 0
for opt in --domain --json --timeout --resolver --trust-anchor --ca-file --ca-path --port \
    --https-port --helo --mx --policy-list --checks --no-dane --no-color --help --version; do
    expect_out "$opt"
done
expect_out "(default: 30)"
expect_out "(default: 25)"
expect_out "(default: 443)"
expect_out "(default: all)"
expect_out "64 usage error"
[ -z "$err" ] || fail "help: stderr not empty: $err"
run help-single-dash -help
expect_rc 0
expect_out "Usage: starttls-check"
run help-short -h
expect_rc 0
expect_out "Usage: starttls-check"

# --version.
run version --version
expect_rc 0
printf '%s\n' "$out" | grep -q -E '^starttls-check [0-9]+\.[0-9]+\.[0-9]+' ||
    fail "version: got '$out'"
# The allocator line: STC_EXPECT_MEMORY is what this build links (set by
# CMake). A jemalloc build shows the settings of src/cli/cli_malloc.c in
# effect (they are lost without a word if jemalloc does not see them), and
# MALLOC_CONF from the environment still wins.
case ${STC_EXPECT_MEMORY:-} in
jemalloc)
    expect_out "memory: jemalloc 5."
    expect_out "thread caches of up to 4 blocks a size, 1024 bytes at most, arenas percpu"
    out=$(MALLOC_CONF=tcache:false "$bin" --version 2>&1)
    expect_out "thread caches off, arenas percpu" ;;
libc) expect_out "memory: the C library's malloc" ;;
*) fail "version: STC_EXPECT_MEMORY is '${STC_EXPECT_MEMORY:-}', not jemalloc or libc" ;;
esac
run version-short -V
expect_rc 0
expect_out "starttls-check "

# Usage errors: 64 and a pointer to --help, before any query.
run unknown-option "${R[@]}" --bogus example.com
expect_rc 64
expect_err '"--bogus"'
expect_err "--help"
run unknown-single-dash "${R[@]}" -nosuch example.com
expect_rc 64
expect_err '"-nosuch"'
run missing-argument "${R[@]}" example.com --timeout
expect_rc 64
expect_err "needs an argument"
run missing-domain-argument "${R[@]}" -domain
expect_rc 64
expect_err "needs an argument"
run no-domain "${R[@]}"
expect_rc 64
expect_err "no domain given"
run flag-with-argument "${R[@]}" --json=yes example.com
expect_rc 64
expect_err "takes no argument"
run bad-timeout "${R[@]}" --timeout 0 example.com
expect_rc 64
expect_err "--timeout"
run bad-timeout-word "${R[@]}" --timeout soon example.com
expect_rc 64
run bad-port "${R[@]}" --port 70000 example.com
expect_rc 64
expect_err "--port"
run bad-https-port "${R[@]}" --https-port x example.com
expect_rc 64
run bad-checks "${R[@]}" --checks smtp,carrier-pigeon example.com
expect_rc 64
expect_err '"carrier-pigeon"'
run empty-mx "${R[@]}" --mx a.example,,b.example example.com
expect_rc 64
run bad-mx "${R[@]}" --mx 'mx..example.com' example.com
expect_rc 64
expect_err 'invalid --mx pattern "mx..example.com"'
run control-bytes-in-option "${R[@]}" $'--\x1b[31mred' example.com
expect_rc 64
expect_err '\x1b[31mred'

# Invalid domain names: 64, the name (escaped) and a reason, no query.
long_name=$(printf 'a%.0s' $(seq 60)).$(printf 'b%.0s' $(seq 60)).$(printf 'c%.0s' $(seq 60)).$(printf 'd%.0s' $(seq 60)).$(printf 'e%.0s' $(seq 52)).com
long_label=$(printf 'x%.0s' $(seq 64)).example.com
[ ${#long_name} -eq 300 ] || fail "test setup: long name has ${#long_name} bytes"
for d in "a..b" "$long_name" "exa mple.com" "$long_label" "" "." "exa_mple..com"; do
    run "invalid-domain '${d:0:40}'" "${R[@]}" "$d"
    expect_rc 64
    expect_err "starttls-check: invalid domain \"${d:0:40}"
done
run "dash-domain" "${R[@]}" -foo
expect_rc 64
expect_err '"-foo"'
run "dash-domain-after-ddash" "${R[@]}" -- -foo
expect_rc 64
expect_err 'invalid domain "-foo"'
run "dash-domain-option" "${R[@]}" -domain -foo.example
expect_rc 64
expect_err 'invalid domain "-foo.example"'
run "control-bytes-in-domain" "${R[@]}" $'ex\x1b]0;pwned\x07ample.com'
expect_rc 64
expect_err 'invalid domain "ex\x1b]0;pwned\x07ample.com"'
# One bad name among good ones: nothing is checked at all.
run "one-invalid-of-three" "${R[@]}" good.example a..b also-good.example
expect_rc 64
expect_err 'invalid domain "a..b"'
[ -z "$out" ] || fail "one-invalid-of-three: printed a report: $out"
run "invalid-json" "${R[@]}" --json a..b
expect_rc 64
[ -z "$out" ] || fail "invalid-json: printed on stdout: $out"

# report: usage errors, an unreadable scan leaves no page behind, an empty scan is a page.
run "report-no-file" report
expect_rc 64
expect_err "no scan file given"
run "report-missing" report "$tmp/none.jsonl" -o "$tmp/r.html"
expect_rc 74
expect_err "none.jsonl"
[ ! -e "$tmp/r.html" ] && [ ! -e "$tmp/r.html.tmp" ] || fail "report-missing: left a page behind"
: >"$tmp/empty.jsonl"
run "report-empty" report "$tmp/empty.jsonl" -o "$tmp/r.html"
expect_rc 0
grep -q 'data-k="domains" data-n="0"' "$tmp/r.html" || fail "report-empty: no page of 0 domains"
run "report-stdout" report "$tmp/empty.jsonl"
expect_rc 0
expect_out "Content-Security-Policy"
run "html-and-json" "${R[@]}" --html --json good.example
expect_rc 64
expect_err "--html and --json exclude each other"
run "html-two-domains" "${R[@]}" --html a.example b.example
expect_rc 64
expect_err "--html reports one domain"

# scan and serve name the option whose value the checker's configuration
# refused (src/cli/cli_config.c builds it for all three commands), as a
# single check does; scan names the option of a bad number, not its value.
run single-bad-helo "${R[@]}" --helo 'bad name' example.com
expect_rc 64
expect_err "starttls-check: --helo: invalid EHLO name"
run scan-bad-helo scan "${R[@]}" --helo 'bad name' -
expect_rc 64
expect_err "starttls-check scan: --helo: invalid EHLO name"
run scan-empty-resolver scan --resolver '' -
expect_rc 64
expect_err "starttls-check scan: --resolver: invalid resolver address"
run scan-bad-dnssec scan "${R[@]}" --dnssec sometimes -
expect_rc 64
expect_err "starttls-check scan: --dnssec: "
run scan-bad-threads scan "${R[@]}" --threads 0 -
expect_rc 64
expect_err "starttls-check scan: --threads: invalid value"
run scan-bad-probe-delay scan "${R[@]}" --probe-delay 5x -
expect_rc 64
expect_err 'starttls-check scan: invalid --probe-delay "5x"'
run scan-both-families scan "${R[@]}" --ipv4-only --ipv6-only -
expect_rc 64
expect_err "--ipv4-only and --ipv6-only exclude each other"
run serve-bad-helo serve --listen "$RESOLVER_ADDR:0" "${R[@]}" --helo 'bad name'
expect_rc 64
expect_err "starttls-check serve: --helo: invalid EHLO name"
run serve-empty-resolver serve --listen "$RESOLVER_ADDR:0" --resolver ''
expect_rc 64
expect_err "starttls-check serve: --resolver: invalid resolver address"
run serve-bad-port serve --listen "$RESOLVER_ADDR:0" "${R[@]}" --port 0
expect_rc 64
expect_err 'starttls-check serve: invalid --port "0"'

if [ -n "$listener_pid" ] && [ -s "$tmp/traffic" ]; then
    fail "network traffic reached the fake resolver: $(cat "$tmp/traffic")"
fi

echo "test_cli_args: $cases runs, $failures failures"
[ "$failures" -eq 0 ]
