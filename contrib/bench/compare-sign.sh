#!/usr/bin/env bash
# Signing speed, cidns keys against OpenSSL's own: `openssl speed ed25519`, `ecdsap256` and
# `sm2` beside `sign_bench` for the same algorithm, one core (pinned),
# alternating, RUNS times each, then a table of signatures (and verifications) per second and
# the cidns/openssl ratios of each pair of runs.
# Usage: contrib/bench/compare-sign.sh [SECONDS]   (default 3; RUNS=2 CPU=0 SIZE=200 BUILD_DIR)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

secs=${1:-${DURATION:-3}}
runs=${RUNS:-2}
cpu=${CPU:-0}
size=${SIZE:-200}
build=${BUILD_DIR:-build/release}
bench=$build/contrib/bench/sign_bench
command -v openssl >/dev/null || { echo "compare-sign.sh: openssl not found" >&2; exit 1; }
if [[ ! -x $bench ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" --parallel "${JOBS:-2}" --target sign_bench
fi
pin=()
command -v taskset >/dev/null && pin=(taskset -c "$cpu")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run_openssl ALG NAME PATTERN: appends "ALG openssl sign/s verify/s" from the result line of
# `openssl speed NAME` (rates per second of user CPU time, openssl speed's default), e.g.
#  253 bits EdDSA (Ed25519)   0.0001s   0.0002s  14049.0   4961.0
#  256 bits ecdsa (nistp256)   0.0000s   0.0001s  26906.1  10946.5
#  256 bits SM2 (CurveSM2)   0.0005s   0.0004s   1858.9   2716.7
run_openssl() {
  local cmd=("${pin[@]}" openssl speed -seconds "$secs" "$2") rates
  echo "  \$ ${cmd[*]}"
  "${cmd[@]}" 2>/dev/null >"$work/out"
  rates=$(awk -v p="$3" 'index($0, p) && $NF ~ /^[0-9.]+$/ { print $(NF-1), $NF }' "$work/out")
  if [[ -z $rates ]]; then
    echo "compare-sign.sh: no '$3' line in the output of openssl speed:" >&2
    cat "$work/out" >&2
    exit 1
  fi
  echo "$1 openssl $rates" >>"$work/results"
}

# run_cidns ALG: appends "ALG cidns sign/s verify/s", per second of the thread's CPU time.
run_cidns() {
  local cmd=("${pin[@]}" "$bench" --alg "$1" --seconds "$secs" --threads 1 --size "$size" --verify
    --json)
  echo "  \$ ${cmd[*]}"
  "${cmd[@]}" | python3 -c 'import json, sys
r = json.load(sys.stdin)
print(sys.argv[1], "cidns", round(r["sign"]["per_core"], 1), round(r["verify"]["per_core"], 1))' \
    "$1" >>"$work/results"
}

for ((i = 1; i <= runs; i++)); do
  echo "run $i/$runs"
  run_openssl ed25519 ed25519 'EdDSA (Ed25519)'
  run_cidns ed25519
  run_openssl p256 ecdsap256 'ecdsa (nistp256)'
  run_cidns p256
  run_openssl sm2 sm2 'SM2 (CurveSM2)'
  run_cidns sm2
done

python3 - "$work/results" "$secs" "$size" "$runs" <<'PY'
import sys
path, secs, size, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rows = {}
for line in open(path):
    alg, who, sign, verify = line.split()
    rows.setdefault((alg, who), []).append((float(sign), float(verify)))
def rng(v):
    lo, hi = min(v), max(v)
    return f"{lo:,.0f}" if round(lo) == round(hi) else f"{lo:,.0f}-{hi:,.0f}"
print()
print(f"one core, {secs} s per measurement, {runs} runs; cidns signs {size}-byte messages "
      "(openssl speed: 20 bytes, ECDSA without hashing)")
print()
print("| algorithm | openssl sign/s | cidns sign/s | cidns/openssl sign | openssl verify/s | cidns verify/s | cidns/openssl verify |")
print("|---|---|---|---|---|---|---|")
for alg in ("ed25519", "p256", "sm2"):
    o, c = rows[(alg, "openssl")], rows[(alg, "cidns")]
    sr = [c[i][0] / o[i][0] for i in range(len(o))]
    vr = [c[i][1] / o[i][1] for i in range(len(o))]
    fmt = lambda r: "-".join(sorted({f"{x:.2f}" for x in (min(r), max(r))}))
    print(f"| {alg} | {rng([x[0] for x in o])} | {rng([x[0] for x in c])} | {fmt(sr)} "
          f"| {rng([x[1] for x in o])} | {rng([x[1] for x in c])} | {fmt(vr)} |")
PY
