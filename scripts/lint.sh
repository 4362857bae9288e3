#!/usr/bin/env bash
# NAME
#     lint.sh - static analysis of src/: cppcheck and clang-tidy
# SYNOPSIS
#     scripts/lint.sh [FILE.c...]
#     make lint
# DESCRIPTION
#     1. cppcheck (warning, portability, performance; C11) over src/.
#     2. clang-tidy with the checks of .clang-tidy (bugprone, cert,
#        clang-analyzer, misc, performance, portability, minus the listed
#        exceptions; every warning is an error) over every src/**/*.c, using
#        the compile_commands.json of a configure-only CMake build in
#        build-lint/ (clang, so the flags match clang-tidy's parser).
#     FILE.c arguments limit both tools to those files.
#     A finding that is a false positive is silenced where it occurs, with a
#     reason: "// cppcheck-suppress ID  reason" or "// NOLINT(check) reason".
#     Level and rationale: docs/hardening.md.
# ENVIRONMENT
#     LINT_BUILD  build directory for compile_commands.json (build-lint)
#     LINT_JOBS   parallel clang-tidy processes (number of CPUs)
# EXIT STATUS
#     0 clean; 1 findings; 2 a tool is missing or the configure failed.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${LINT_BUILD:-build-lint}
JOBS=${LINT_JOBS:-$(nproc 2>/dev/null || echo 2)}
TIDY=${CLANG_TIDY:-clang-tidy}

for tool in cppcheck "$TIDY" cmake clang; do
    command -v "$tool" >/dev/null 2>&1 || { echo "lint.sh: $tool not found (make deps)" >&2; exit 2; }
done

if [ $# -gt 0 ]; then
    files=("$@")
else
    mapfile -t files < <(find src -name '*.c' | sort)
fi
[ ${#files[@]} -gt 0 ] || { echo "lint.sh: no files" >&2; exit 2; }

status=0

# ---- cppcheck
echo "lint.sh: cppcheck $(cppcheck --version | sed 's/Cppcheck //') on ${#files[@]} files"
# _GNU_SOURCE and STC_VERSION come from CMake; the system headers are not
# parsed (missingIncludeSystem), so cppcheck judges our code, not glibc's.
if ! cppcheck --enable=warning,portability,performance --std=c11 --language=c \
    --error-exitcode=1 --inline-suppr --quiet -j "$JOBS" \
    --suppress=missingIncludeSystem \
    -D_GNU_SOURCE -DSTC_VERSION=\"0\" -D__GNUC__ \
    -I include -I src "${files[@]}"; then
    echo "lint.sh: cppcheck found problems" >&2
    status=1
fi

# ---- clang-tidy
echo "lint.sh: $($TIDY --version | sed -n 's/.*LLVM version /clang-tidy /p') on ${#files[@]} files"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
cmake -S . -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
    -DSTC_TESTS=OFF -DSTC_FUZZ=OFF >"$out" 2>&1 ||
    { cat "$out" >&2; echo "lint.sh: cmake configure failed" >&2; exit 2; }
# One process per file; the exit status of any failing one is kept.
if ! printf '%s\0' "${files[@]}" |
    xargs -0 -n1 -P "$JOBS" "$TIDY" -p "$BUILD" --quiet >"$out" 2>&1; then
    status=1
fi
# clang-tidy prints "N warnings generated" noise on stderr; show findings only.
grep -E '(warning|error):|^ +[0-9]+ \||^ +\^' "$out" || true
if grep -qE '(warning|error):' "$out"; then
    status=1
fi

if [ "$status" = 0 ]; then
    echo "lint.sh: clean"
else
    echo "lint.sh: FINDINGS (fix them, or suppress a false positive in place with a reason)" >&2
fi
exit "$status"
