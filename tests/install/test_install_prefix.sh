#!/bin/bash
# NAME
#     test_install_prefix.sh - `cmake --install BUILD --prefix DIR` gives a usable tree in DIR
# SYNOPSIS
#     tests/install/test_install_prefix.sh BUILD_DIR SOURCE_DIR [EXTRA_CFLAGS]
# DESCRIPTION
#     Installs into a fresh directory chosen at install time (not the
#     configured prefix) and checks that starttls.pc names that directory
#     (prefix=DIR; pkg-config gives -IDIR/include and -LDIR/LIBDIR), that
#     examples/check_domain.c builds from the pkg-config flags alone and
#     runs against DIR's library, that it sees the headers' version at run
#     time, and that DIR/bin/starttls-check runs with DIR's library.
# DIAGNOSTICS
#     One "ok"/"FAIL" line per item; exit 0 when all passed, 1 otherwise.
set -u
BUILD=${1:?usage: test_install_prefix.sh BUILD_DIR SOURCE_DIR [EXTRA_CFLAGS]}
SRC=${2:?usage: test_install_prefix.sh BUILD_DIR SOURCE_DIR [EXTRA_CFLAGS]}
EXTRA=${3:-}
DIR=$(mktemp -d /tmp/stc-prefix.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
# shellcheck source=tests/install/checks.sh
. "$(dirname "$0")/checks.sh"

if ! cmake --install "$BUILD" --prefix "$DIR" >"$DIR.log" 2>&1; then
    bad "cmake --install --prefix"; sed 's/^/  | /' "$DIR.log"; rm -f "$DIR.log"; exit 1
fi
rm -f "$DIR.log"
LIBDIR=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$BUILD/CMakeCache.txt")
: "${LIBDIR:=lib}"
PC=$DIR/$LIBDIR/pkgconfig/starttls.pc
check "starttls.pc installed under the --prefix" test -f "$PC"
check "starttls.pc: prefix=$DIR" grep -qx "prefix=$DIR" "$PC"
check "starttls.pc names no other prefix" bash -c '! grep -q /usr/local "$1"' _ "$PC"
export PKG_CONFIG_PATH=$DIR/$LIBDIR/pkgconfig
unset PKG_CONFIG_SYSROOT_DIR
flags=$(pkg-config --cflags --libs starttls 2>&1)
echo "     pkg-config --cflags --libs starttls: $flags"
check "pkg-config: -I$DIR/include" grep -q -- "-I$DIR/include" <<<"$flags"
check "pkg-config: -L$DIR/$LIBDIR -lstarttls" grep -qE -- "-L$DIR/$LIBDIR( | .* )-lstarttls" <<<"$flags"
cat >"$DIR/version.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <starttls/starttls.h>
int main(void)
{
    char *json = NULL;
    struct stc_result *r = NULL;
    struct stc_err e = {0};
    if (strcmp(stc_version(), STC_VERSION_STRING) != 0 || stc_version_number() != STC_VERSION_NUMBER)
        return 1;
    if (stc_result_sample(NULL, &r, &e) != STC_OK || stc_result_to_json(r, 1, &json, &e) != STC_OK)
        return 2;
    stc_free(json);
    stc_result_free(r);
    printf("%s\n", stc_version());
    return 0;
}
C
# shellcheck disable=SC2086
if cc -std=c11 -Wall -Wextra -Werror $EXTRA "$DIR/version.c" $flags -o "$DIR/version" 2>"$DIR/cc.log" &&
    cc -std=c11 -Wall -Wextra -Werror $EXTRA "$SRC/examples/check_domain.c" $flags \
        -o "$DIR/check_domain" 2>>"$DIR/cc.log"; then
    ok "programs build from pkg-config's flags alone"
    v=$(LD_LIBRARY_PATH=$DIR/$LIBDIR "$DIR/version" 2>&1)
    check "run-time version = header version ($v), stc_free of a library string" test $? = 0
    LD_LIBRARY_PATH=$DIR/$LIBDIR "$DIR/check_domain" >/dev/null 2>&1
    rc=$?
    check "installed example runs (usage, exit 64; got $rc)" test "$rc" = 64
else
    bad "programs build from pkg-config's flags alone"
    sed 's/^/  | /' "$DIR/cc.log"
fi
check "DIR/bin/starttls-check runs with DIR's library" \
    runs_with_lib "$DIR/bin/starttls-check" "$DIR/$LIBDIR"
exit $failed
