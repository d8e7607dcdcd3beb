#!/usr/bin/env bash
# Builds the C test port twice — plain, and with AddressSanitizer + UndefinedBehaviorSanitizer — and runs its tests
# (CTest) against protocol/spec/vectors — then, with clang, the libFuzzer target on the vectors as seeds (FUZZ-SECONDS of
# fuzzing; 0, the default, runs the seeds only). Maven's protocol module runs it in its test phase (-Dc.fuzz.seconds=N);
# by hand:
#   protocol/c/ctest.sh [BUILD-DIR [FUZZ-SECONDS]]     (default: protocol/target/c, 0)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../target/c}
fuzz_seconds=${2:-0}
[[ "$fuzz_seconds" =~ ^[0-9]+$ ]] || { echo "ctest.sh: FUZZ-SECONDS must be a whole number, was '$fuzz_seconds'" >&2; exit 2; }
for tool in cmake cc; do
  command -v "$tool" >/dev/null 2>&1 || { echo "ctest.sh: $tool is missing (apt-get install cmake gcc; ./fleetkit test installs them)" >&2; exit 1; }
done
variants=(plain sanitize)
if command -v clang >/dev/null 2>&1; then
  variants+=(fuzz)
elif [ "$fuzz_seconds" -gt 0 ]; then
  echo "ctest.sh: fuzzing asked for ($fuzz_seconds s) but there is no clang (apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
else
  echo "[c] no clang: the libFuzzer target is not built (apt-get install clang libclang-rt-14-dev)"
fi
for variant in "${variants[@]}"; do
  flags=()
  [ "$variant" = sanitize ] && flags=(-DFK_SANITIZE=ON)
  [ "$variant" = fuzz ] && flags=(-DCMAKE_C_COMPILER=clang -DFK_FUZZ=ON -DFK_FUZZ_SECONDS="$fuzz_seconds")
  echo "[c] $variant: configure, build (-Wall -Wextra -Werror -std=c99), test"
  mkdir -p "$out/$variant"
  log="$out/$variant/build.log"
  if ! { cmake -S "$here" -B "$out/$variant" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${flags[@]}" && cmake --build "$out/$variant" --parallel 2; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "ctest.sh: the $variant build failed (above)" >&2
    exit 1
  fi
  ctest --test-dir "$out/$variant" --output-on-failure
  if [ "$variant" = fuzz ]; then
    awk '/^[0-9]+\/[0-9]+ Test: / { name = $3 } /Done [0-9]+ runs/ { print "[c] libFuzzer " name ": " $0 }' \
      "$out/fuzz/Testing/Temporary/LastTest.log" || true
  fi
done
