#!/usr/bin/env bash
# NAME
#     check-layers.sh - every #include in src/ goes down the layer stack
# SYNOPSIS
#     scripts/check-layers.sh BUILD/layers.txt
# DESCRIPTION
#     layers.txt is written by CMake from the stc_layer() calls of
#     CMakeLists.txt, one line per layer: "probe: probe util dns smtp tls"
#     (the layer and every layer it may use). For each src/LAYER/*.[ch],
#     every #include "..." is resolved against the file's folder; a header
#     in a layer not on LAYER's line is an upward (or sideways) include.
#     Public headers (<starttls/...>) are allowed everywhere. A folder
#     under src/ that is not in the map is an error too: a new layer must
#     be declared in CMakeLists.txt first.
#     The link-time counterpart is the stc_layercheck_<layer> targets.
# EXIT STATUS
#     0 clean; 1 an include goes the wrong way; 2 usage.
set -euo pipefail
map=${1:?usage: check-layers.sh BUILD/layers.txt}
cd "$(dirname "$0")/.."
[ -r "$map" ] || { echo "check-layers.sh: cannot read $map" >&2; exit 2; }
declare -A allowed
while IFS=: read -r layer uses; do
    [ -n "$layer" ] && allowed[$layer]=" $uses "
done <"$map"
status=0
for dir in src/*/; do
    layer=$(basename "$dir")
    if [ -z "${allowed[$layer]+x}" ]; then
        echo "check-layers.sh: src/$layer is not a layer in CMakeLists.txt (stc_layer)" >&2
        status=1
        continue
    fi
    for f in "$dir"*.c "$dir"*.h; do
        [ -e "$f" ] || continue
        while IFS= read -r inc; do
            path=$(realpath -m --relative-to=src "$dir$inc")
            case $path in
            */*) target=${path%%/*} ;;
            *) echo "$f: #include \"$inc\" leaves src/" >&2; status=1; continue ;;
            esac
            case ${allowed[$layer]} in
            *" $target "*) ;;
            *)
                echo "$f: #include \"$inc\": $layer may not include $target (allowed:${allowed[$layer]})" >&2
                status=1
                ;;
            esac
        done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
    done
done
[ "$status" = 0 ] && echo "check-layers.sh: every include goes down (${#allowed[@]} layers)"
exit "$status"
