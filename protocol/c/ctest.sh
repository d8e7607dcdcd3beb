#!/usr/bin/env bash
# Builds the C test port twice — plain, and with AddressSanitizer + UndefinedBehaviorSanitizer — and runs its tests
# (CTest) against protocol/spec/vectors. Maven's protocol module runs it in its test phase; by hand:
#   protocol/c/ctest.sh [BUILD-DIR]     (default: protocol/target/c)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../target/c}
for tool in cmake cc; do
  command -v "$tool" >/dev/null 2>&1 || { echo "ctest.sh: $tool is missing (apt-get install cmake gcc; ./fleetkit test installs them)" >&2; exit 1; }
done
for variant in plain sanitize; do
  flags=()
  [ "$variant" = sanitize ] && flags=(-DFK_SANITIZE=ON)
  echo "[c] $variant: configure, build (-Wall -Wextra -Werror -std=c99), test"
  mkdir -p "$out/$variant"
  log="$out/$variant/build.log"
  if ! { cmake -S "$here" -B "$out/$variant" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${flags[@]}" && cmake --build "$out/$variant" --parallel 2; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "ctest.sh: the $variant build failed (above)" >&2
    exit 1
  fi
  ctest --test-dir "$out/$variant" --output-on-failure
done
