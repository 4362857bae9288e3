# checks.sh - sourced by the install tests: one "ok"/"FAIL" line per check.
# check WHAT CMD...   runs CMD; failed=1 when it fails.
# runs_with_lib BIN LIBDIR   BIN loads LIBDIR/libstarttls.so.0 and runs --version.
failed=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; failed=1; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
runs_with_lib() {
    local l
    l=$(ldd "$1" | awk '/libstarttls/ {print $3}') &&
        test "$(realpath "$l")" = "$(realpath "$2/libstarttls.so.0")" &&
        "$1" --version >/dev/null
}
