#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build (-DCIDNS_FUZZ=ON, clang) for a fixed
# time over a copy of its seed corpus; fails if any target finds a crash, a
# sanitizer error, a timeout or an out-of-memory.
#   fuzz_wire -> seeds tests/fuzz/corpus/wire/, work copy tests/fuzz/corpus-work/wire/
# Crash inputs are kept in BUILD/fuzz-artifacts/<name>/, logs in BUILD/fuzz-logs/.
# Usage: bash contrib/fuzz.sh [BUILD_DIR (build/fuzz)] [SECONDS_PER_TARGET (30)]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build=${1:-build/fuzz}
seconds=${2:-30}
src=tests/fuzz
work=$src/corpus-work

shopt -s nullglob
sources=("$src"/fuzz_*.cpp)
targets=()
for f in "${sources[@]}"; do
  name=$(basename "$f" .cpp)
  bin=$build/$src/$name
  if [[ ! -x $bin ]]; then
    echo "fuzz.sh: $bin is missing: build it first (cmake -DCIDNS_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++)" >&2
    exit 2
  fi
  targets+=("$name")
done
if ((${#targets[@]} == 0)); then
  echo "fuzz.sh: no fuzz targets ($src/fuzz_*.cpp): nothing to do"
  exit 0
fi

# UBSan findings count as crashes; leaks too. llvm-symbolizer gives readable stacks.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}

# One target: its report goes to stdout, its status to BUILD/fuzz-logs/<short>.status.
fuzz_one() {
  local name=$1 short=${1#fuzz_}
  local seeds=$src/corpus/$short corpus=$work/$short artifacts=$build/fuzz-artifacts/$short
  local log=$build/fuzz-logs/$short.log
  rm -rf "$corpus" "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  if [[ -d $seeds ]]; then
    cp -R "$seeds"/. "$corpus"/
  else
    echo "fuzz.sh: warning: no seed corpus $seeds/, starting empty"
  fi
  local dict=()
  [[ -f $src/$short.dict ]] && dict=(-dict="$src/$short.dict")
  echo "fuzz.sh: $name for ${seconds}s over $(find "$corpus" -type f | wc -l) seed(s) ..."
  local rc=0
  "$build/$src/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65535 -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" \
    "$corpus" >"$log" 2>&1 || rc=$?
  if ((rc == 0)); then
    local execs
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    echo "fuzz.sh: $name ok (${execs:-?} runs, corpus now $(find "$corpus" -type f | wc -l) inputs)"
  else
    # From the first error report on (the lines before it are progress noise).
    local first
    first=$(grep -n -m 1 -E '^==[0-9]+==|ERROR: libFuzzer|runtime error:|^INFO: a leak|Assertion' "$log" |
      cut -d: -f1 || true)
    echo "fuzz.sh: $name FAILED (exit $rc); from $log:"
    if [[ -n $first ]]; then tail -n "+$first" "$log"; else tail -n 40 "$log"; fi | head -n 80 | sed 's/^/    /'
    find "$artifacts" -type f -printf "    artifact: %p\n"
  fi
  echo "$rc" >"$build/fuzz-logs/$short.status"
}

# libFuzzer runs one process on one core: run as many targets at once as there are cores
# (CIDNS_FUZZ_JOBS to override), each still for the full time.
jobs=${CIDNS_FUZZ_JOBS:-$(nproc)}
mkdir -p "$build/fuzz-logs"
echo "fuzz.sh: ${#targets[@]} target(s), ${seconds}s each, $jobs at a time"
running=0
for name in "${targets[@]}"; do
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
  rm -f "$build/fuzz-logs/${name#fuzz_}.status"
  fuzz_one "$name" >"$build/fuzz-logs/${name#fuzz_}.report" 2>&1 &
  running=$((running + 1))
done
wait || true

failed=()
for name in "${targets[@]}"; do
  short=${name#fuzz_}
  cat "$build/fuzz-logs/$short.report"
  status=$(cat "$build/fuzz-logs/$short.status" 2>/dev/null || echo missing)
  [[ $status == 0 ]] || failed+=("$name")
done

if ((${#failed[@]})); then
  echo "fuzz.sh: ${#failed[@]} of ${#targets[@]} target(s) failed: ${failed[*]}"
  exit 1
fi
echo "fuzz.sh: all ${#targets[@]} target(s) ran ${seconds}s without a crash"
