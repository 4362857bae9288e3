#!/bin/bash
# NAME
#     test_install.sh - `cmake --install` into a DESTDIR, then use what it installed
# SYNOPSIS
#     tests/install/test_install.sh BUILD_DIR SOURCE_DIR [EXTRA_CFLAGS]
# DESCRIPTION
#     Installs BUILD_DIR into a temporary DESTDIR (the configured prefix) and
#     checks: the command, libstarttls.so.0 with SONAME libstarttls.so.0 and
#     the libstarttls.so link, every public header, starttls.pc (Libs
#     -lstarttls, Requires.private of the six libraries), the man page. Then,
#     with PKG_CONFIG_PATH and PKG_CONFIG_SYSROOT_DIR pointing into the
#     DESTDIR, `pkg-config --cflags --libs starttls` names the installed
#     include and lib directories, and examples/check_domain.c compiles and
#     links against the INSTALLED header and library only (no -I of the
#     source tree), and runs far enough to print its usage. EXTRA_CFLAGS:
#     e.g. the sanitizer flags the library was built with.
# DIAGNOSTICS
#     One "ok"/"FAIL" line per item; exit 0 when all passed, 1 otherwise.
set -u
BUILD=${1:?usage: test_install.sh BUILD_DIR SOURCE_DIR [EXTRA_CFLAGS]}
SRC=${2:?usage: test_install.sh BUILD_DIR SOURCE_DIR [EXTRA_CFLAGS]}
EXTRA=${3:-}
DEST=$(mktemp -d /tmp/stc-install.XXXXXX)
trap 'rm -rf "$DEST"' EXIT
# shellcheck source=tests/install/checks.sh
. "$(dirname "$0")/checks.sh"

if ! DESTDIR=$DEST cmake --install "$BUILD" >"$DEST.log" 2>&1; then
    bad "cmake --install"; sed 's/^/  | /' "$DEST.log"; rm -f "$DEST.log"; exit 1
fi
rm -f "$DEST.log"
PREFIX=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD/CMakeCache.txt")
LIBDIR=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$BUILD/CMakeCache.txt")
MANDIR=$(sed -n 's/^CMAKE_INSTALL_MANDIR:PATH=//p' "$BUILD/CMakeCache.txt")
: "${LIBDIR:=lib}" "${MANDIR:=share/man}"
R=$DEST$PREFIX

check "bin/starttls-check is executable" test -x "$R/bin/starttls-check"
# The command finds the libstarttls installed beside it (RPATH $ORIGIN/../LIBDIR).
check "installed starttls-check runs with the installed libstarttls" \
    runs_with_lib \
    "$R/bin/starttls-check" "$R/$LIBDIR"
check "$LIBDIR/libstarttls.so.0 installed" test -e "$R/$LIBDIR/libstarttls.so.0"
check "$LIBDIR/libstarttls.so (link for -lstarttls)" test -e "$R/$LIBDIR/libstarttls.so"
soname=$(objdump -p "$R/$LIBDIR/libstarttls.so.0" 2>/dev/null | awk '$1 == "SONAME" {print $2}')
check "SONAME is libstarttls.so.0 (got '$soname')" test "$soname" = libstarttls.so.0
for h in "$SRC"/include/starttls/*.h; do
    check "header starttls/$(basename "$h")" cmp -s "$h" "$R/include/starttls/$(basename "$h")"
done
PC=$R/$LIBDIR/pkgconfig/starttls.pc
check "starttls.pc installed" test -f "$PC"
check "starttls.pc: Libs -lstarttls" grep -qE '^Libs:.*-lstarttls' "$PC"
check "starttls.pc: Requires.private" \
    grep -qE '^Requires.private: openssl libunbound libcurl jansson libidn2 sqlite3$' "$PC"
check "man page man1/starttls-check.1" cmp -s "$SRC/docs/starttls-check.1" \
    "$R/$MANDIR/man1/starttls-check.1"

export PKG_CONFIG_PATH=$R/$LIBDIR/pkgconfig PKG_CONFIG_SYSROOT_DIR=$DEST
flags=$(pkg-config --cflags --libs starttls 2>&1)
echo "     pkg-config --cflags --libs starttls: $flags"
check "pkg-config: -I of the installed include dir" grep -q -- "-I$R/include" <<<"$flags"
check "pkg-config: -L of the installed lib dir and -lstarttls" \
    grep -qE -- "-L$R/$LIBDIR( | .* )-lstarttls" <<<"$flags"
check "pkg-config --modversion" test "$(pkg-config --modversion starttls)" = \
    "$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD/CMakeCache.txt")"
check "pkg-config --static resolves Requires.private" pkg-config --exists --static starttls

# The example against the installed API only (no source-tree include path).
# shellcheck disable=SC2086
if cc -std=c11 -Wall -Wextra -Werror $EXTRA "$SRC/examples/check_domain.c" $flags \
        -o "$DEST/check_domain" 2>"$DEST/cc.log"; then
    ok "examples/check_domain.c builds against the installed header + pkg-config"
    out=$(LD_LIBRARY_PATH=$R/$LIBDIR "$DEST/check_domain" 2>&1)
    rc=$?
    check "installed example runs (usage, exit 64; got $rc)" test "$rc" = 64
    ldd "$DEST/check_domain" | grep -q "$R/$LIBDIR/libstarttls.so.0" ||
        LD_LIBRARY_PATH=$R/$LIBDIR ldd "$DEST/check_domain" | grep -q "$R/$LIBDIR/libstarttls.so.0"
    check "example loads the installed libstarttls.so.0" test $? = 0
    : "$out"
else
    bad "examples/check_domain.c builds against the installed header + pkg-config"
    sed 's/^/  | /' "$DEST/cc.log"
fi
exit $failed
