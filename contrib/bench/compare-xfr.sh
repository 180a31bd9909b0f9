#!/usr/bin/env bash
# compare-xfr.sh: update-to-visible latency on a cidns-authd primary and on its XFR secondary
# (issue 12), over real processes on loopback:
#   - the primary serves a gen-zone zone of N resources signed online (an Ed25519 key from
#     cidns-admin keygen), takes UPDATEs of STATE signed with the HMAC key agent., lets the key
#     xfr. transfer the zone and NOTIFYs the secondary after every new version;
#   - the secondary (--secondary) copies the zone with the key xfr.: a full transfer first,
#     then an incremental one after each NOTIFY;
#   - when both give real answers (one update seen on each), update-load sends K updates one
#     after another over TCP and polls both servers for each (--watch): p50/p99 of the round
#     trip, of update-to-visible on the primary and on the secondary;
#   - then what the transfers were: the secondary's "transfer applied" log lines (full or
#     incremental), its counters (cidns-admin server transfers: bytes), and the primary's
#     "transfer of ..." lines (records, messages, bytes, ms), summed up by kind.
# Builds nothing: it takes a build directory holding cidns-authd, cidns-admin, gen-zone and
# update-load (exit 2 without update-load). Loopback only; everything it starts and writes is
# removed on exit.
set -euo pipefail
FREEPORT=$(dirname "$(realpath "${BASH_SOURCE[0]}")")/freeport.py  # a port free for UDP and TCP

usage() {
  cat <<'EOF'
usage: contrib/bench/compare-xfr.sh [--build DIR] [--resources N] [--updates K]
                                    [--watch-every K] [--keep]

  --build DIR       build directory with cidns-authd, cidns-admin, gen-zone, update-load
                    (default build/release; configure with -DCIDNS_BENCH=ON)
  --resources N     resources in the zone (default 100000)
  --updates K       updates sent to the primary (default 1000)
  --watch-every K   update-load samples visibility on every K-th update (default 1)
  --keep            keep the temporary directory (zone, keys, logs, raw outputs)
Environment: PRIMARY_CPU (0), SECONDARY_CPU (1), CLIENT_CPU (1): processes are pinned with
taskset when the machine has two CPUs or more.
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$ROOT/build/release
N=100000
K=1000
EVERY=1
KEEP=0
while (($#)); do
  case $1 in
    --build) BUILD=${2:?}; shift 2 ;;
    --resources) N=${2:?}; shift 2 ;;
    --updates) K=${2:?}; shift 2 ;;
    --watch-every) EVERY=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
PRIMARY_CPU=${PRIMARY_CPU:-0}
SECONDARY_CPU=${SECONDARY_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-1}

say() { printf '%s\n' "$*" >&2; }
die() {
  say "compare-xfr: $*"
  exit 1
}
show() {
  local q
  printf -v q ' %q' "$@"
  say "+${q}"
}
[[ -d $BUILD ]] || { say "compare-xfr: no build directory $BUILD"; exit 2; }
BUILD=$(cd "$BUILD" && pwd)
for v in N K EVERY PRIMARY_CPU SECONDARY_CPU CLIENT_CPU; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { say "compare-xfr: $v must be a whole number"; exit 2; }
done
((N >= 1 && K >= 1 && EVERY >= 1)) || { usage >&2; exit 2; }
command -v python3 >/dev/null || { say "compare-xfr: needs python3"; exit 2; }

# ---- programs ----------------------------------------------------------------------------------
find_prog() { find "$BUILD" -type f -name "$1" -perm -u+x 2>/dev/null | head -n 1; }
prog() { # NAME: the program in the build directory
  local p
  p=$(find_prog "$1")
  [[ -n $p ]] || {
    say "compare-xfr: $1 not in $BUILD: ninja -C $BUILD cidns-authd cidns-admin gen-zone update-load"
    exit 2
  }
  echo "$p"
}
AUTHD=$(prog cidns-authd)
ADMIN=$(prog cidns-admin)
GENZONE=$(prog gen-zone)
LOAD=$(find_prog update-load)
if [[ -z $LOAD ]]; then
  say "compare-xfr: update-load is not in $BUILD (contrib/bench/update_load.cpp; configure with"
  say "  -DCIDNS_BENCH=ON and run: ninja -C $BUILD update-load): nothing measured"
  exit 2
fi
"$AUTHD" --help 2>/dev/null | grep -q -- '--secondary' ||
  { say "compare-xfr: this cidns-authd has no --secondary"; exit 2; }
PIN_P=() PIN_S=() PIN_C=()
if (($(nproc) >= 2)); then
  PIN_P=(taskset -c "$PRIMARY_CPU")
  PIN_S=(taskset -c "$SECONDARY_CPU")
  PIN_C=(taskset -c "$CLIENT_CPU")
fi

# ---- temporary directory and cleanup ----------------------------------------------------------
TMP=$(mktemp -d /tmp/cidns-compare-xfr.XXXXXX)
PIDS=()
cleanup() {
  local rc=$? p _
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do
      kill -0 "$p" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$p" 2>/dev/null || true
  done
  if ((KEEP)); then say "compare-xfr: kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

peak_rss_mib() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo n/a; }

# ---- zone and keys -----------------------------------------------------------------------------
cd "$TMP"
show "$GENZONE" "$N" zone.cidns zone.dns
"$GENZONE" "$N" zone.cidns zone.dns >&2
rm -f zone.dns
ZONE=$(awk '$1 == "$ORIGIN" { print $2; exit }' zone.cidns)
[[ -n $ZONE ]] || die "no \$ORIGIN in zone.cidns"
mkdir keys state-p state-s
show "$ADMIN" keygen --zone "$ZONE" --alg ed25519 --out keys
ZKEY=$("$ADMIN" keygen --zone "$ZONE" --alg ed25519 --out keys | grep '\.private$')
for k in agent xfr; do
  show "$ADMIN" keygen --hmac "$k." --out "$k.hmac"
  "$ADMIN" keygen --hmac "$k." --out "$k.hmac" >/dev/null
done

# ---- servers -----------------------------------------------------------------------------------
PADDR=127.0.0.5
SADDR=127.0.0.6
PPORT=$(python3 "$FREEPORT" "$PADDR")
SPORT=$(python3 "$FREEPORT" "$SADDR")
PRIMARY_CMD=("${PIN_P[@]}" "$AUTHD" --listen "$PADDR:$PPORT" --zone "$ZONE=$TMP/zone.cidns"
  --key "$TMP/$ZKEY" --hmac-key "$TMP/agent.hmac" --hmac-key "$TMP/xfr.hmac"
  --allow-update "$ZONE agent. *.$ZONE STATE" --allow-xfr "$ZONE xfr."
  --notify "$ZONE $SADDR:$SPORT xfr." --state-dir "$TMP/state-p" --threads 1
  --control "$TMP/p.sock" --log-level info)
SECONDARY_CMD=("${PIN_S[@]}" "$AUTHD" --listen "$SADDR:$SPORT"
  --secondary "$ZONE $PADDR:$PPORT xfr." --hmac-key "$TMP/xfr.hmac" --state-dir "$TMP/state-s"
  --threads 1 --control "$TMP/s.sock" --log-level info)

# Ready = a real answer: one update applied by the primary and seen (a plain STATE query) at
# every WATCH. Up to 600 s (a large zone is signed first, then transferred in full).
wait_ready() { # NAME PID WATCH...
  local name=$1 pid=$2 t0=$SECONDS
  shift 2
  until warm_update "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || {
      tail -n 20 primary.log secondary.log >&2 2>/dev/null || true
      die "$name exited before answering"
    }
    ((SECONDS - t0 < 600)) || die "$name gave no answer within 600 s"
    sleep 0.5
  done
  say "compare-xfr: $name ready after $((SECONDS - t0)) s"
}
warm_update() { # WATCH...: one update applied and seen at every WATCH
  local w watch=()
  for w in "$@"; do watch+=(--watch "$w"); done
  "$LOAD" --server "$PADDR:$PPORT" --zone "$ZONE" --key agent.hmac --resources "$N" --updates 1 \
    --timeout 120000 "${watch[@]}" --json >warm.json || return 1
  python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if j["ok"] == 1 and all(w["visible"] == 1 for w in j["watch"]) else 1)' warm.json
}

show "${PRIMARY_CMD[@]}"
"${PRIMARY_CMD[@]}" >primary.log 2>&1 &
PRIMARY_PID=$!
PIDS+=("$PRIMARY_PID")
wait_ready "primary" "$PRIMARY_PID" "$PADDR:$PPORT"
show "${SECONDARY_CMD[@]}"
"${SECONDARY_CMD[@]}" >secondary.log 2>&1 &
SECONDARY_PID=$!
PIDS+=("$SECONDARY_PID")
wait_ready "secondary" "$SECONDARY_PID" "$PADDR:$PPORT" "$SADDR:$SPORT"

# ---- the run -----------------------------------------------------------------------------------
LOAD_CMD=("${PIN_C[@]}" "$LOAD" --server "$PADDR:$PPORT" --zone "$ZONE" --key agent.hmac
  --resources "$N" --updates "$K" --watch "$PADDR:$PPORT" --watch "$SADDR:$SPORT"
  --watch-every "$EVERY" --json)
say "compare-xfr: $K updates"
show "${LOAD_CMD[@]}"
"${LOAD_CMD[@]}" >load.json || say "compare-xfr: warning: update-load: some updates failed"
sleep 1 # the last transfers land
"$ADMIN" server transfers --socket "$TMP/s.sock" --json >secondary-transfers.json 2>&1 || true
"$ADMIN" server transfers --socket "$TMP/p.sock" --json >primary-transfers.json 2>&1 || true
P_RSS=$(peak_rss_mib "$PRIMARY_PID")
S_RSS=$(peak_rss_mib "$SECONDARY_PID")

# ---- report ------------------------------------------------------------------------------------
echo
echo "compare-xfr: $N-resource zone ($ZONE) signed online, $K STATE updates one after another"
echo "over TCP to the primary ($PADDR:$PPORT, CPU $PRIMARY_CPU), NOTIFY + XFR to the secondary"
echo "($SADDR:$SPORT, CPU $SECONDARY_CPU); update-load on CPU $CLIENT_CPU polls both every 1 ms."
echo
python3 - load.json "$P_RSS" "$S_RSS" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
rows = [("", "p50 ms", "p99 ms", "seen", "not visible")]
rows.append(("round trip (update to signed reply)", f'{j["rtt_ms"]["p50"]:.2f}',
             f'{j["rtt_ms"]["p99"]:.2f}', str(j["ok"]), "-"))
for what, w in zip(("update-to-visible, primary", "update-to-visible, secondary"), j["watch"]):
    rows.append((what, f'{w["p50_ms"]:.2f}', f'{w["p99_ms"]:.2f}', str(w["visible"]),
                 str(w["not_visible"])))
wd = [max(len(r[i]) for r in rows) for i in range(5)]
for r in rows:
    print("  ".join(c.ljust(wd[0]) if i == 0 else c.rjust(wd[i]) for i, c in enumerate(r)))
print(f'\n{j["ok"]}/{j["updates"]} updates applied, {j["updates_per_s"]:.1f} updates/s;'
      f' peak RSS primary {sys.argv[2]} MiB, secondary {sys.argv[3]} MiB')
EOF

echo
echo "Transfers (the secondary's log, \"transfer applied\"):"
grep -E 'transfer applied' secondary.log >applied.txt || true
echo "  full: $(grep -c ' full transfer applied' applied.txt || true)," \
  "incremental: $(grep -c ' incremental transfer applied' applied.txt || true)"
{ head -n 3 applied.txt; (($(wc -l <applied.txt) <= 6)) || echo "..."; tail -n +4 applied.txt | tail -n 3; } |
  sed 's/^/  /'
grep -E 'incremental transfer .* not applied|refresh failed' secondary.log | head -n 5 | sed 's/^/  /' || true
python3 - secondary-transfers.json <<'EOF'
import json, sys
try:
    j = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    sys.exit(print("  (cidns-admin server transfers gave no JSON)"))
def find(o):
    if isinstance(o, dict):
        if "secondary" in o:
            return o["secondary"]
        for v in o.values():
            r = find(v)
            if r is not None:
                return r
    return None
for z in find(j) or []:
    t = z.get("transfers", {})
    print(f'  counters: {z.get("zone")}: serial {z.get("serial")}, full {t.get("full")}, '
          f'incremental {t.get("incremental")}, up to date {t.get("up_to_date")}, failed '
          f'{t.get("failed")}, {z.get("bytes")} bytes received in all')
EOF

echo
echo "Transfers (the primary's log, \"transfer of ...\"):"
grep -E 'transfer of .* bytes\)' primary.log >served.txt || true
python3 - served.txt <<'EOF'
import re, statistics, sys
pat = re.compile(r": (full|incremental|up to date)[^:]*: (\d+) records in (\d+) messages "
                 r"\((\d+) bytes\), (\d+) ms")
kinds = {}
for line in open(sys.argv[1]):
    m = pat.search(line)
    if m:
        kinds.setdefault(m[1], []).append(tuple(int(x) for x in m.groups()[1:]))
for k, v in kinds.items():
    col = lambda i: [x[i] for x in v]
    print(f"  {k}: {len(v)} transfer(s); records median {statistics.median(col(0)):.0f}, "
          f"bytes median {statistics.median(col(2)):.0f} (min {min(col(2))}, max {max(col(2))}), "
          f"ms median {statistics.median(col(3)):.0f}, max {max(col(3))}")
if "full" in kinds and "incremental" in kinds:
    ratio = statistics.median(x[2] for x in kinds["incremental"]) / kinds["full"][0][2]
    print(f"  median incremental / first full transfer, bytes: {ratio:.6f}")
EOF
{ head -n 3 served.txt; (($(wc -l <served.txt) <= 6)) || echo "..."; tail -n +4 served.txt | tail -n 3; } |
  sed 's/^/  /'

echo
echo "Commands:"
printf -v q ' %q' "${PRIMARY_CMD[@]}"
echo " ${q}"
printf -v q ' %q' "${SECONDARY_CMD[@]}"
echo " ${q}"
printf -v q ' %q' "${LOAD_CMD[@]}"
echo " ${q}"
