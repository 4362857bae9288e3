#!/bin/bash
# NAME
#     test_exports.sh - libstarttls.so exports the stc_ API and nothing else;
#     the command uses that API only
# SYNOPSIS
#     tests/install/test_exports.sh LIBSTARTTLS.so STARTTLS-CHECK
# DESCRIPTION
#     1. Every symbol libstarttls.so defines in its dynamic symbol table is
#        named stc_* (the linker's own _init/_fini/_edata/_end/__bss_start
#        aside): an internal function that loses its `static` or gains
#        STC_EXPORT fails here.
#     2. starttls-check has libstarttls.so.0 as a NEEDED library, and every
#        symbol it leaves undefined that the library defines is an stc_ one.
# DIAGNOSTICS
#     One "ok"/"FAIL" line per item; exit 0 when all passed, 1 otherwise.
set -u
LIB=${1:?usage: test_exports.sh LIBSTARTTLS.so STARTTLS-CHECK}
CLI=${2:?usage: test_exports.sh LIBSTARTTLS.so STARTTLS-CHECK}
failed=0
exported=$(nm -D --defined-only "$LIB" | awk '{print $NF}' | sort -u)
stray=$(grep -vE '^(stc_.*|_init|_fini|_edata|_end|__bss_start)$' <<<"$exported")
n=$(grep -c '^stc_' <<<"$exported")
if [ -z "$stray" ] && [ "$n" -gt 0 ]; then
    echo "ok   libstarttls exports $n symbols, all stc_"
else
    echo "FAIL libstarttls exports symbols outside the stc_ API:"
    sed 's/^/  | /' <<<"$stray"
    failed=1
fi
if readelf -d "$CLI" | grep -q 'NEEDED.*\[libstarttls\.so\.0\]'; then
    echo "ok   starttls-check links the shared libstarttls.so.0"
else
    echo "FAIL starttls-check does not link libstarttls.so.0"
    failed=1
fi
used=$(nm -D --undefined-only "$CLI" | awk '{print $NF}' | sed 's/@.*//' | sort -u)
both=$(comm -12 <(echo "$used") <(echo "$exported"))
if [ -n "$both" ] && ! grep -qv '^stc_' <<<"$both"; then
    echo "ok   starttls-check takes $(wc -l <<<"$both") symbols from libstarttls, all stc_"
else
    echo "FAIL starttls-check takes non-API symbols from libstarttls:"
    grep -v '^stc_' <<<"$both" | sed 's/^/  | /'
    failed=1
fi
exit $failed
