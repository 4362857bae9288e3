#!/bin/bash
# NAME
#     test_cli_nagios.sh - the --nagios options of starttls-check, without a network
# SYNOPSIS
#     tests/cli/test_cli_nagios.sh BIN
# DESCRIPTION
#     Option handling only (nothing is checked, no query is sent): --help
#     documents --nagios, --warn-days, --crit-days; with --nagios every
#     usage problem is a "STARTTLS UNKNOWN - ..." line on stdout and exit 3
#     (Nagios plugin guidelines); --warn-days/--crit-days without --nagios
#     are a usage error (64).
# DIAGNOSTICS
#     One "ok"/"FAIL" line per case; exit 0 when all passed, 1 otherwise.
set -u
BIN=${1:?usage: test_cli_nagios.sh BIN}
failed=0

# t NAME WANT_RC STDOUT_REGEX ARGS...
t() {
    local name=$1 want=$2 re=$3
    shift 3
    local out rc
    out=$("$BIN" "$@" 2>/dev/null)
    rc=$?
    if [ "$rc" = "$want" ] && [[ "$out" =~ $re ]]; then
        echo "ok   $name"
    else
        echo "FAIL $name: exit $rc (want $want), stdout: ${out:0:300}"
        failed=1
    fi
}

t help 0 '--nagios .*--warn-days N .*--crit-days N .*With --nagios: 0 OK' --help
t invalid-domain 3 '^STARTTLS UNKNOWN - bad\.\.name: invalid domain' --nagios 'bad..name'
t idna-garbage 3 '^STARTTLS UNKNOWN - .*\\xff' --nagios $'\xff.example'
t crit-above-warn 3 '^STARTTLS UNKNOWN - usage: --crit-days \(15\) must not exceed --warn-days \(14\)$' \
    --nagios --crit-days 15 example.com
t crit-above-warn-given 3 'must not exceed --warn-days \(20\)' \
    --nagios --warn-days 20 --crit-days 21 example.com
t days-negative 3 '^STARTTLS UNKNOWN - usage: invalid --warn-days "-1"' \
    --nagios --warn-days -1 example.com
t days-garbage 3 '^STARTTLS UNKNOWN - usage: invalid --crit-days "7x"' \
    --nagios --crit-days 7x example.com
t days-too-big 3 'give days from 0 to 36500' --nagios --warn-days 36501 example.com
t with-json 3 '^STARTTLS UNKNOWN - usage: --nagios and --json exclude each other' \
    --nagios --json example.com
t two-domains 3 '^STARTTLS UNKNOWN - usage: --nagios checks one domain, 2 given' \
    --nagios a.example b.example
t no-domain 3 '^STARTTLS UNKNOWN - usage: no domain given' --nagios
t unknown-option-before 3 '^STARTTLS UNKNOWN - usage: unknown or ambiguous option' \
    --bogus --nagios example.com
t single-dash 3 '^STARTTLS UNKNOWN - usage: ' -nagios -bogus example.com
t bad-resolver 3 '^STARTTLS UNKNOWN - .*invalid resolver' --nagios --resolver 'not an address' example.com
t warn-without-nagios 64 '^$' --warn-days 30 example.com
t crit-without-nagios 64 '^$' --crit-days 3 example.com
# Nothing raw: the UNKNOWN line of a hostile name is escaped.
out=$("$BIN" --nagios $'evil\x1b[2J|x=1' 2>/dev/null)
if [[ "$out" == *$'\x1b'* ]] || [[ "$out" == *'|'* ]]; then
    echo "FAIL hostile-name: raw bytes or '|' in: $out"
    failed=1
else
    echo "ok   hostile-name"
fi
exit $failed
