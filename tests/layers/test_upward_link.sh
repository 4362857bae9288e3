#!/usr/bin/env bash
# test_upward_link.sh BUILD - the build refuses a call up the layer stack.
# Builds the EXCLUDE_FROM_ALL target stc_layercheck_upward_demo: the probe
# layer's objects (and those below) plus tests/layers/upward_call.c, which
# calls check_connectivity() of src/checks. The link must fail, naming it.
# Also builds stc_layercheck_probe, which must link: the check is not
# failing for some other reason.
set -uo pipefail
build=${1:?usage: test_upward_link.sh BUILD}
if ! cmake --build "$build" --target stc_layercheck_probe >/dev/null 2>&1; then
    echo "FAIL: stc_layercheck_probe does not link by itself" >&2
    exit 1
fi
out=$(cmake --build "$build" --target stc_layercheck_upward_demo 2>&1)
rc=$?
if [ "$rc" = 0 ]; then
    echo "FAIL: a probe-layer object calling into src/checks linked" >&2
    exit 1
fi
if ! grep -q "undefined reference to \`check_connectivity'" <<<"$out"; then
    echo "FAIL: the link failed, but not on the upward call:" >&2
    echo "$out" | tail -20 >&2
    exit 1
fi
grep "undefined reference" <<<"$out" | head -1
echo "ok: the upward call probe -> checks does not link"
