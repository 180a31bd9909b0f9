#!/usr/bin/env bash
# Zonefile parsing, cidns against NSD: generates a zone of N resources (DESC, STATE, EP each)
# and its DNS twin (same names, one TXT per resource holding the DESC text), then times
# `cidns-admin zone check` and `nsd-checkzone` on them, alternating, RUNS times each, and
# prints wall time, CPU time (user+sys), peak memory, throughput and the ratios.
# Usage: contrib/bench/compare-zone-parse.sh [RESOURCES]   (default 1000000; RUNS=2)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

n=${1:-1000000}
runs=${RUNS:-2}
build=${BUILD_DIR:-build/release}
command -v nsd-checkzone >/dev/null || bash contrib/setup.sh
if [[ ! -x $build/server/cidns-admin || ! -x $build/contrib/bench/gen-zone ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" --parallel "${JOBS:-2}" --target cidns-admin gen-zone
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$build/contrib/bench/gen-zone" "$n" "$work/cidns.zone" "$work/dns.zone"
cidns_bytes=$(stat -c %s "$work/cidns.zone")
dns_bytes=$(stat -c %s "$work/dns.zone")

# measure NAME COMMAND...: appends "wall user sys maxrss_kb" to $work/NAME.times
measure() {
  local name=$1
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/t" "$@" >/dev/null
  cat "$work/t" >>"$work/$name.times"
}
for ((i = 1; i <= runs; i++)); do
  echo "run $i/$runs"
  echo "  \$ $build/server/cidns-admin zone check $work/cidns.zone --origin provx.cn-north."
  measure cidns "$build/server/cidns-admin" zone check "$work/cidns.zone" --origin provx.cn-north.
  echo "  \$ nsd-checkzone provx.cn-north. $work/dns.zone"
  measure nsd nsd-checkzone provx.cn-north. "$work/dns.zone"
done

python3 - "$work" "$n" "$cidns_bytes" "$dns_bytes" <<'PY'
import sys
work, n, cb, db = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def load(name):
    rows = [list(map(float, l.split())) for l in open(f"{work}/{name}.times") if l.strip()]
    return [(w, u + s, rss) for w, u, s, rss in rows]
c, d = load("cidns"), load("nsd")
def rng(v, fmt="{:.2f}"):
    return fmt.format(min(v)) if min(v) == max(v) else (fmt + "-" + fmt).format(min(v), max(v))
print(f"\n{n} resources; cidns zone {cb/1e6:.0f} MB ({3*n+3} records), DNS twin {db/1e6:.0f} MB ({n+3} records)")
print(f"{'':16}{'wall s':>14}{'CPU s':>14}{'peak MiB':>12}{'MB/s (CPU)':>14}{'records/s (CPU)':>18}")
for name, t, size, recs in (("cidns-admin", c, cb, 3*n+3), ("nsd-checkzone", d, db, n+3)):
    print(f"{name:16}{rng([x[0] for x in t]):>14}{rng([x[1] for x in t]):>14}"
          f"{rng([x[2]/1024 for x in t], '{:.0f}'):>12}"
          f"{rng([size/1e6/x[1] for x in t], '{:.0f}'):>14}{rng([recs/x[1] for x in t], '{:.0f}'):>18}")
pairs = list(zip(c, d))
print("ratio cidns/nsd, same run: wall " + rng([a[0]/b[0] for a, b in pairs]) +
      ", CPU " + rng([a[1]/b[1] for a, b in pairs]) + "  (below 1: cidns is faster)")
PY
