#!/usr/bin/env bash
# THE test command (README, .ci/run). Phases, each reported PASS/FAIL:
#   setup          contrib/setup.sh (Debian packages)
#   release        GCC Release build in build/test-release, then its ctest: real processes,
#                  interop, the dependency rule, unit/net (every test with --no-asan)
#   debug-asan     GCC Debug + ASan build in build/debug-asan (no benches), then its
#                  ctest: the unit tests
#   fuzz           clang libFuzzer build in build/fuzz, then contrib/fuzz.sh (10 s per target)
# The last line is "test.sh: N passed, M failed" (phases); exit status 0 only if M is 0.
# Options: --no-setup --no-asan --no-fuzz --fuzz-time SECONDS; JOBS (default 2) sets
# build and ctest parallelism.
set -euo pipefail
self=$(realpath "${BASH_SOURCE[0]}")
cd "$(dirname "$self")/.."

jobs=${JOBS:-2}
fuzz_time=10
do_setup=1 do_asan=1 do_fuzz=1
while (($#)); do
  case $1 in
    --no-setup) do_setup=0 ;;
    --no-asan) do_asan=0 ;;
    --no-fuzz) do_fuzz=0 ;;
    --fuzz-time) fuzz_time=${2:?--fuzz-time needs SECONDS}; shift ;;
    -h | --help) sed -n '2,9p' "$self" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

passed=0 failed=0
summary=()
start_all=$SECONDS

# phase NAME CMD...: runs CMD in a subshell with errexit, records PASS/FAIL and the
# time, leaves the exit status in $rc. Never call it in an if/&&/|| context: bash
# would then ignore errexit inside CMD.
rc=0
phase() {
  local name=$1 t0=$SECONDS line
  shift
  echo
  echo "==== test.sh: $name ===="
  set +e
  (set -e; "$@")
  rc=$?
  set -e
  if ((rc == 0)); then
    passed=$((passed + 1))
    line=$(printf 'test.sh: PASS %-18s %5ds' "$name" $((SECONDS - t0)))
  else
    failed=$((failed + 1))
    line=$(printf 'test.sh: FAIL %-18s %5ds (exit %d)' "$name" $((SECONDS - t0)) "$rc")
  fi
  echo "$line"
  summary+=("$line")
}
# skip NAME WHY: a phase that cannot run because one it needs failed counts as failed.
skip() {
  local line
  line=$(printf 'test.sh: FAIL %-18s        (not run: %s)' "$1" "$2")
  failed=$((failed + 1))
  echo "$line"
  summary+=("$line")
}

configure() {  # DIR CMAKE-ARGS...
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja "$@"
}
build() {  # DIR [CMAKE-BUILD-ARGS...]
  local dir=$1
  shift
  cmake --build "$dir" --parallel "$jobs" "$@"
}
run_ctest() {
  ctest --test-dir "$1" --output-on-failure --no-tests=error -j "$jobs" --timeout 300
}

# Sanitizer settings for the debug-asan tests (UB already aborts: -fno-sanitize-recover).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export CTEST_OUTPUT_ON_FAILURE=1

if ((do_setup)); then
  phase setup bash contrib/setup.sh
fi

# With the sanitizer build, each test runs once, where it tells most (tests/CMakeLists.txt):
# unit tests under ASan/UBSan, real processes and the build's own checks in Release. Without
# it (--no-asan), the Release build runs them all.
release_tests=(-DCIDNS_UNIT_TESTS=ON)
((do_asan)) && release_tests=(-DCIDNS_UNIT_TESTS=OFF)
release_build() {
  # -O2, as Debian builds its packages: a third less compile time than CMake's -O3 default.
  # No benchmark programs (no test uses them; contrib/bench/*.sh build their own): an eighth
  # of this build, and this script must finish within 30 minutes on 2 cores. Its own build
  # directory, so that these settings never reach build/release (the demo's, the benches').
  configure build/test-release -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=g++ \
    -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" -DCIDNS_BENCH=OFF -DCIDNS_PROCESS_TESTS=ON \
    "${release_tests[@]}"
  build build/test-release
}
phase "release build" release_build
if ((rc == 0)); then
  phase "release ctest" run_ctest build/test-release
else
  skip "release ctest" "release build failed"
fi

if ((do_asan)); then
  asan_build() {
    # -g1: line tables only. Sanitizer reports keep their file:line stacks; the build is about
    # a quarter faster than with full debug information (-g).
    # AddressSanitizer only: UBSan runs in the fuzz build, over every decoder; here it would add
    # a third to this build's compile time (this script must finish within 30 minutes on 2
    # cores). `cmake -DCIDNS_SANITIZE=ON` alone gives both.
    configure build/debug-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=g++ \
      -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DCIDNS_SANITIZERS=address \
      -DCIDNS_SANITIZE=ON -DCIDNS_BENCH=OFF -DCIDNS_UNIT_TESTS=ON -DCIDNS_PROCESS_TESTS=OFF
    # Only the unit tests and what they use: the programs' own main files run in Release.
    build build/debug-asan --target cidns_unit_tests
  }
  phase "debug-asan build" asan_build
  if ((rc == 0)); then
    phase "debug-asan ctest" run_ctest build/debug-asan
  else
    skip "debug-asan ctest" "debug-asan build failed"
  fi
fi

if ((do_fuzz)); then
  fuzz_build() {
    # -O1 and assertions on: the usual libFuzzer trade-off of speed against checks; line tables
    # only, which is all a crash's stack needs.
    configure build/fuzz -DCIDNS_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only"
    build build/fuzz
  }
  phase "fuzz build" fuzz_build
  if ((rc == 0)); then
    phase "fuzz run" bash contrib/fuzz.sh build/fuzz "$fuzz_time"
  else
    skip "fuzz run" "fuzz build failed"
  fi
fi

echo
echo "==== test.sh: summary ($((SECONDS - start_all)) s) ===="
printf '%s\n' "${summary[@]}"
echo "test.sh: $passed passed, $failed failed"
((failed == 0))
