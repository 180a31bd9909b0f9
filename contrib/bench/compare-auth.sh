#!/usr/bin/env bash
# compare-auth.sh: cidns-authd against NSD, Knot DNS and the bare UDP echo floor, measured the
# way /work/shared/BENCHMARKING.md (and contrib/bench/README.md) describes:
#   - a 100,000-resource zone (gen-zone) served by cidns-authd, its DNS twin served by NSD and
#     by knotd (one UDP, TCP and background worker; skipped, with a note, when knotd is missing
#     and cannot be installed);
#   - servers pinned to CPU 0 with one serving thread, load generators pinned to CPU 1;
#   - query mix: 95 % existing names drawn uniformly, 5 % names that do not exist;
#   - (a) saturation run: QPS and server CPU µs per answered query (Δ utime+stime of every
#     thread of the server's process tree ÷ completed queries), after a warm-up;
#   - (b) fixed-rate run (20k qps): p50 / p99 latency;
#   - RUNS repetitions, reported as ranges, ratios taken within each run.
# Only 127.0.0.0/8 is used; every process it starts is stopped on exit.
#
# Environment (defaults): RUNS=2 RESOURCES=100000 QUERIES=500000 WARMUP=2 DURATION=10
#   RATE=20000 OUTSTANDING=200 SERVER_CPU=0 CLIENT_CPU=1 ECHO_BATCH=32 SEED=1
#   BUILD_DIR=build/release (built when a program is missing) JOBS=<nproc> KEEP=0 (1: keep
#   the temporary directory with zones, configs, logs and raw outputs)
set -euo pipefail
FREEPORT=$(dirname "$(realpath "${BASH_SOURCE[0]}")")/freeport.py  # a port free for UDP and TCP

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build/release}
RUNS=${RUNS:-2}
RESOURCES=${RESOURCES:-100000}
QUERIES=${QUERIES:-500000}
WARMUP=${WARMUP:-2}
DURATION=${DURATION:-10}
RATE=${RATE:-20000}
OUTSTANDING=${OUTSTANDING:-200}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
ECHO_BATCH=${ECHO_BATCH:-32}
SEED=${SEED:-1}
JOBS=${JOBS:-$(nproc)}
KEEP=${KEEP:-0}

AUTHD_ADDR=127.0.0.2
NSD_ADDR=127.0.0.3
ECHO_ADDR=127.0.0.4
KNOT_ADDR=127.0.0.5

say() { printf '%s\n' "$*" >&2; }
die() {
  say "compare-auth: $*"
  exit 1
}
# Prints a command line, shell-quoted, as it is run.
show() {
  local q
  printf -v q ' %q' "$@"
  say "+${q}"
}

for v in RUNS RESOURCES QUERIES WARMUP DURATION RATE OUTSTANDING SERVER_CPU CLIENT_CPU ECHO_BATCH; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number (got '${!v}')"
done
((RUNS >= 1 && DURATION >= 1 && RESOURCES >= 10)) || die "RUNS, DURATION >= 1 and RESOURCES >= 10"
CPUS=$(nproc --all)
((SERVER_CPU < CPUS && CLIENT_CPU < CPUS)) || die "needs CPUs $SERVER_CPU and $CLIENT_CPU (this machine has $CPUS)"
((SERVER_CPU != CLIENT_CPU)) || say "compare-auth: warning: server and load share CPU $SERVER_CPU"

# ---- tools -------------------------------------------------------------------------------------
need_tools() {
  local t
  for t in nsd dnsperf taskset python3 cmake ninja; do
    command -v "$t" >/dev/null || return 1
  done
}
if ! need_tools; then
  if [[ -x $ROOT/contrib/setup.sh ]]; then
    say "compare-auth: installing missing tools with contrib/setup.sh"
    bash "$ROOT/contrib/setup.sh"
  else
    say "compare-auth: installing nsd dnsperf"
    sudo=()
    ((EUID == 0)) || sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y install nsd dnsperf util-linux python3
  fi
  need_tools || die "still missing one of: nsd dnsperf taskset python3 cmake ninja"
fi
NSD=$(command -v nsd)
DNSPERF=$(command -v dnsperf)
if ! command -v knotd >/dev/null; then
  say "compare-auth: installing knot (Knot DNS, the second peer)"
  sudo=()
  ((EUID == 0)) || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y install knot >&2 ||
    say "compare-auth: could not install knot: Knot DNS is left out of this run"
fi
KNOTD=$(command -v knotd || true)
CLK_TCK=$(getconf CLK_TCK)

# ---- build -------------------------------------------------------------------------------------
find_prog() { find "$BUILD_DIR" -type f -name "$1" -perm -u+x 2>/dev/null | head -n 1; }
AUTHD=$(find_prog cidns-authd)
PERF=$(find_prog cidns-perf)
GENZONE=$(find_prog gen-zone)
ECHO=$(find_prog udp_echo)
if [[ -z $AUTHD || -z $PERF || -z $GENZONE || -z $ECHO ]]; then
  if [[ ! -f $BUILD_DIR/build.ninja ]]; then
    show cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  show ninja -C "$BUILD_DIR" -j"$JOBS" cidns-authd cidns-perf gen-zone
  ninja -C "$BUILD_DIR" -j"$JOBS" cidns-authd cidns-perf gen-zone >&2 || die "build failed"
  # The echo floor is optional: the table says n/a without it.
  if ! ninja -C "$BUILD_DIR" -j"$JOBS" udp_echo >/dev/null 2>&1; then
    say "compare-auth: udp_echo does not build here: no echo floor in this comparison"
  fi
  AUTHD=$(find_prog cidns-authd)
  PERF=$(find_prog cidns-perf)
  GENZONE=$(find_prog gen-zone)
  ECHO=$(find_prog udp_echo)
fi
[[ -n $AUTHD && -n $PERF && -n $GENZONE ]] || die "cidns-authd, cidns-perf or gen-zone missing in $BUILD_DIR"

# ---- temporary directory and cleanup ----------------------------------------------------------
TMP=$(mktemp -d /tmp/cidns-compare-auth.XXXXXX)
PIDS=()
descendants() {
  local c
  for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$c"
    descendants "$c"
  done
}
cleanup() {
  local rc=$? p all=() kids=() _
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do
    mapfile -t kids < <(descendants "$p")
    all+=("$p" "${kids[@]}")
  done
  if ((${#all[@]} > 0)); then
    kill -TERM "${all[@]}" 2>/dev/null || true
    for _ in $(seq 1 30); do
      kill -0 "${all[@]}" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "${all[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
  fi
  if ((KEEP)); then say "compare-auth: kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- helpers in Python -------------------------------------------------------------------------
cat >"$TMP/cpu.py" <<'EOF'
# cpu.py PID: clock ticks of utime+stime of every thread of PID and its descendants.
import os, sys
def stat_fields(path):
    with open(path) as f:
        s = f.read()
    return s[s.rindex(")") + 2:].split()  # fields from 3 (state) on; comm may hold spaces
root = int(sys.argv[1])
children = {}
for d in os.listdir("/proc"):
    if d.isdigit():
        try:
            children.setdefault(int(stat_fields(f"/proc/{d}/stat")[1]), []).append(int(d))
        except (OSError, ValueError):
            pass
todo, ticks = [root], 0
while todo:
    p = todo.pop()
    todo += children.get(p, [])
    try:
        for t in os.listdir(f"/proc/{p}/task"):
            f = stat_fields(f"/proc/{p}/task/{t}/stat")
            ticks += int(f[11]) + int(f[12])  # fields 14 and 15
    except (OSError, ValueError):
        pass
print(ticks)
EOF

cat >"$TMP/queries.py" <<'EOF'
# queries.py ZONE ORIGIN COUNT SEED OUT_CIDNS OUT_DNS: names of the DESC records of ZONE;
# COUNT queries, 95 % of them drawn uniformly from those names, 5 % names that do not exist
# (the first label prefixed with "nx-"), shuffled. Also writes ready files with one name.
import random, sys
zone, origin, count, seed, out_c, out_d = sys.argv[1:7]
names = []
with open(zone) as f:
    for line in f:
        if line[:1] in (" ", "\t", "$", ";", "@", "\n"):
            continue
        tok = line.split()
        if len(tok) >= 2 and tok[1].upper() == "DESC":
            n = tok[0]
            names.append(n if n.endswith(".") else n + "." + origin)
if not names:
    sys.exit(f"{zone}: no DESC records found")
rng = random.Random(int(seed))
count = int(count)
missing = count * 5 // 100
picks = [rng.choice(names) for _ in range(count - missing)]
picks += ["nx-" + rng.choice(names) for _ in range(missing)]
rng.shuffle(picks)
with open(out_c, "w") as c, open(out_d, "w") as d:
    for n in picks:
        c.write(n + "\n")
        d.write(n + " TXT\n")
with open(out_c + ".ready", "w") as c, open(out_d + ".ready", "w") as d:
    c.write(names[0] + "\n")
    d.write(names[0] + " TXT\n")
print(len(names))
EOF

cat >"$TMP/parse.py" <<'EOF'
# parse.py perf FILE | dnsperf FILE | dnsperf-latency FILE
# Prints "completed qps p50_ms p99_ms resp_bytes rcodes" (fields that do not apply: -).
import json, math, re, sys
kind, path = sys.argv[1], sys.argv[2]
def pct(sorted_values, q):
    if not sorted_values:
        return float("nan")
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]
if kind == "perf":
    j = json.loads(open(path).read().strip().splitlines()[-1])
    rc = ",".join(f"{k}:{v}" for k, v in j["rcodes"].items()) or "none"
    print(j["completed"], f'{j["qps"]:.0f}', f'{j["latency_ms"]["p50"]:.3f}',
          f'{j["latency_ms"]["p99"]:.3f}', f'{j["avg_response_bytes"]:.0f}', rc, j["lost"])
elif kind == "dnsperf":
    text = open(path).read()
    completed = int(re.search(r"Queries completed:\s+(\d+)", text).group(1))
    lost = int(re.search(r"Queries lost:\s+(\d+)", text).group(1))
    qps = float(re.search(r"Queries per second:\s+([\d.]+)", text).group(1))
    resp = re.search(r"response (\d+)", text)
    m = re.search(r"Response codes:\s+(.*)", text)
    rc = ",".join(f"{a}:{b}" for a, b in re.findall(r"([A-Z]+) (\d+)", m.group(1))) if m else "none"
    print(completed, f"{qps:.0f}", "-", "-", resp.group(1) if resp else "-", rc or "none", lost)
elif kind == "dnsperf-latency":
    lat = []
    for line in open(path):
        tok = line.split()
        if len(tok) == 5 and tok[0] == ">" and tok[1] != "T":
            try:
                lat.append(float(tok[4]) * 1000.0)
            except ValueError:
                pass
    lat.sort()
    print(len(lat), "-", f"{pct(lat, 0.50):.3f}", f"{pct(lat, 0.99):.3f}", "-", "-", "-")
EOF

cat >"$TMP/table.py" <<'EOF'
# table.py RESULTS.tsv: ranges over runs; ratios to NSD, Knot and the echo floor within each run.
import collections, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
hdr = rows[0]
data = [dict(zip(hdr, r)) for r in rows[1:]]
by = collections.defaultdict(dict)  # server -> run -> row
for d in data:
    by[d["server"]][d["run"]] = d
def num(x):
    try:
        return float(x)
    except ValueError:
        return None
def rng(vals, fmt):
    vals = [v for v in vals if v is not None]
    if not vals:
        return "n/a"
    lo, hi = min(vals), max(vals)
    return fmt.format(lo) if fmt.format(lo) == fmt.format(hi) else fmt.format(lo) + "–" + fmt.format(hi)
def ratio(server, peer):
    out = []
    for run, d in by[server].items():
        p = by.get(peer, {}).get(run)
        a, b = num(d["cpu_us"]), num(p["cpu_us"]) if p else None
        out.append(a / b if a and b else None)
    return out
cols = ["server", "QPS (saturated)", "server busy", "CPU µs/answer", "vs NSD", "vs Knot", "vs echo",
        "p50 ms @rate", "p99 ms @rate", "resp B", "lost (sat.)"]
table = [cols]
order = [s for s in ("cidns-authd", "nsd", "knotd", "udp_echo", "udp_echo-dnsperf") if s in by]
for s in order:
    runs = list(by[s].values())
    table.append([
        s,
        rng([num(r["qps"]) for r in runs], "{:.0f}"),
        rng([num(r["busy_pct"]) for r in runs], "{:.0f}%"),
        rng([num(r["cpu_us"]) for r in runs], "{:.2f}"),
        "1" if s == "nsd" else rng(ratio(s, "nsd"), "{:.2f}×"),
        "1" if s == "knotd" else rng(ratio(s, "knotd"), "{:.2f}×"),
        "1" if s == "udp_echo" else rng(ratio(s, "udp_echo"), "{:.2f}×"),
        rng([num(r["p50_ms"]) for r in runs], "{:.3f}"),
        rng([num(r["p99_ms"]) for r in runs], "{:.3f}"),
        rng([num(r["resp_bytes"]) for r in runs], "{:.0f}"),
        rng([num(r["lost"]) for r in runs], "{:.0f}"),
    ])
w = [max(len(r[i]) for r in table) for i in range(len(cols))]
for i, r in enumerate(table):
    print("  ".join(c.ljust(w[j]) for j, c in enumerate(r)).rstrip())
    if i == 0:
        print("  ".join("-" * w[j] for j in range(len(cols))))
print()
for s in order:
    for run, d in sorted(by[s].items()):
        if d["rcodes"] != "-":
            print(f"  run {run} {s}: rcodes {d['rcodes']}")
if "udp_echo-dnsperf" in by:
    print("  udp_echo-dnsperf: dnsperf against the same echo, for its latency floor: the latency")
    print("  columns compare within a client (cidns-authd with udp_echo; nsd and knotd with")
    print("  udp_echo-dnsperf).")
EOF

# ---- zones and query files ---------------------------------------------------------------------
cd "$TMP"
show "$GENZONE" "$RESOURCES" "$TMP/cidns.zone" "$TMP/dns.zone"
"$GENZONE" "$RESOURCES" "$TMP/cidns.zone" "$TMP/dns.zone" >&2
ORIGIN=$(awk '$1 == "$ORIGIN" { print $2; exit }' "$TMP/cidns.zone")
DNS_ORIGIN=$(awk '$1 == "$ORIGIN" { print $2; exit }' "$TMP/dns.zone")
[[ -n $ORIGIN && $ORIGIN == "$DNS_ORIGIN" ]] || die "zones have no or different \$ORIGIN"
NAMES=$(python3 "$TMP/queries.py" "$TMP/cidns.zone" "$ORIGIN" "$QUERIES" "$SEED" \
  "$TMP/queries-cidns.txt" "$TMP/queries-dns.txt")
say "compare-auth: zone $ORIGIN: $NAMES resources; $QUERIES queries (95 % existing, 5 % missing)"

# ---- servers -----------------------------------------------------------------------------------
AUTHD_PORT=$(python3 "$FREEPORT" "$AUTHD_ADDR")
NSD_PORT=$(python3 "$FREEPORT" "$NSD_ADDR")
ECHO_PORT=$(python3 "$FREEPORT" "$ECHO_ADDR")
KNOT_PORT=$(python3 "$FREEPORT" "$KNOT_ADDR")

mkdir -p "$TMP/nsd"
cp "$TMP/dns.zone" "$TMP/nsd/dns.zone"
cat >"$TMP/nsd/nsd.conf" <<EOF
server:
  ip-address: $NSD_ADDR@$NSD_PORT
  do-ip4: yes
  do-ip6: no
  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "$TMP/nsd"
  database: ""
  pidfile: "$TMP/nsd/nsd.pid"
  xfrdfile: "$TMP/nsd/xfrd.state"
  zonelistfile: "$TMP/nsd/zone.list"
  logfile: "$TMP/nsd/nsd.log"
  verbosity: 0
  hide-version: yes
  hide-identity: yes
  rrl-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "$ORIGIN"
  zonefile: "dns.zone"
EOF

mkdir -p "$TMP/knot"
cp "$TMP/dns.zone" "$TMP/knot/dns.zone"
cat >"$TMP/knot/knot.conf" <<EOF
server:
    rundir: "$TMP/knot"
    listen: $KNOT_ADDR@$KNOT_PORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$TMP/knot"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "$TMP/knot"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: "$ORIGIN"
    file: "$TMP/knot/dns.zone"
EOF

AUTHD_CMD=(taskset -c "$SERVER_CPU" "$AUTHD" --listen "$AUTHD_ADDR:$AUTHD_PORT"
  --zone "$ORIGIN=$TMP/cidns.zone" --threads 1 --control off --log-level warning)
NSD_CMD=(taskset -c "$SERVER_CPU" "$NSD" -d -c "$TMP/nsd/nsd.conf")
KNOT_CMD=(taskset -c "$SERVER_CPU" "$KNOTD" -c "$TMP/knot/knot.conf")
ECHO_CMD=(taskset -c "$SERVER_CPU" "$ECHO" --listen "$ECHO_ADDR:$ECHO_PORT" --batch "$ECHO_BATCH")

declare -A SERVER_PID=()
start_server() { # NAME LOG CMD...
  local name=$1 log=$2
  shift 2
  show "$@"
  "$@" >"$log" 2>&1 &
  PIDS+=($!)
  SERVER_PID[$name]=$!
}
start_server cidns-authd "$TMP/authd.log" "${AUTHD_CMD[@]}"
start_server nsd "$TMP/nsd/nsd.out" "${NSD_CMD[@]}"
if [[ -n $KNOTD ]]; then
  start_server knotd "$TMP/knot/knotd.out" "${KNOT_CMD[@]}"
fi
if [[ -n $ECHO ]]; then
  start_server udp_echo "$TMP/echo.log" "${ECHO_CMD[@]}"
fi

# Ready = a real query got a real NOERROR answer (a timeout is not "up").
ready_cidns() { # ADDR PORT
  "$PERF" -s "$1:$2" -d "$TMP/queries-cidns.txt.ready" -t DESC -w 0.5 --json 2>/dev/null |
    grep -q '"completed": 1,.*"NOERROR": 1'
}
ready_dns() { # ADDR PORT
  "$DNSPERF" -s "$1" -p "$2" -d "$TMP/queries-dns.txt.ready" -t 1 2>/dev/null |
    grep -q 'NOERROR 1 '
}
wait_ready() { # NAME CHECK... ; up to 120 s
  local name=$1 t0=$SECONDS
  shift
  until "$@"; do
    if ! kill -0 "${SERVER_PID[$name]}" 2>/dev/null; then
      cat "$TMP"/*.log "$TMP"/nsd/*.out "$TMP"/nsd/nsd.log "$TMP"/knot/*.out 2>/dev/null |
        tail -n 20 >&2 || true
      die "$name exited before answering"
    fi
    ((SECONDS - t0 < 120)) || die "$name gave no answer within 120 s"
    sleep 0.2
  done
  say "compare-auth: $name answers ($((SECONDS - t0)) s after the check began)"
}
wait_ready cidns-authd ready_cidns "$AUTHD_ADDR" "$AUTHD_PORT"
wait_ready nsd ready_dns "$NSD_ADDR" "$NSD_PORT"
if [[ -n $KNOTD ]]; then wait_ready knotd ready_dns "$KNOT_ADDR" "$KNOT_PORT"; fi
if [[ -n $ECHO ]]; then wait_ready udp_echo ready_cidns "$ECHO_ADDR" "$ECHO_PORT"; fi

# ---- measurements ------------------------------------------------------------------------------
LOAD=(taskset -c "$CLIENT_CPU")
LIMIT=$((DURATION + 30)) # no load command may hang the script
# Each sets CMD to the load command line.
perf_cmd() { # ADDR PORT MODE(sat|rate) SECONDS
  local extra=(-c "$OUTSTANDING")
  if [[ $3 == rate ]]; then extra+=(-Q "$RATE"); fi
  CMD=("${LOAD[@]}" "$PERF" -s "$1:$2" -d "$TMP/queries-cidns.txt" -t DESC "${extra[@]}"
    -l "$4" -w 1 --json)
}
dnsperf_cmd() { # ADDR PORT MODE SECONDS
  local extra=(-c 1 -q "$OUTSTANDING")
  if [[ $3 == rate ]]; then extra+=(-Q "$RATE" -v); fi
  CMD=("${LOAD[@]}" "$DNSPERF" -s "$1" -p "$2" -d "$TMP/queries-dns.txt" "${extra[@]}" -l "$4" -t 1)
}
CMD=()
load_cmd() { # SERVER MODE SECONDS
  case $1 in
    cidns-authd) perf_cmd "$AUTHD_ADDR" "$AUTHD_PORT" "$2" "$3" ;;
    udp_echo) perf_cmd "$ECHO_ADDR" "$ECHO_PORT" "$2" "$3" ;;
    nsd) dnsperf_cmd "$NSD_ADDR" "$NSD_PORT" "$2" "$3" ;;
    knotd) dnsperf_cmd "$KNOT_ADDR" "$KNOT_PORT" "$2" "$3" ;;
    udp_echo-dnsperf) dnsperf_cmd "$ECHO_ADDR" "$ECHO_PORT" "$2" "$3" ;;
  esac
}
declare -A SHOWN=()
run_load() { # SERVER MODE SECONDS OUT
  load_cmd "$1" "$2" "$3"
  if [[ -z ${SHOWN[$1$2$3]:-} ]]; then
    show "${CMD[@]}"
    SHOWN[$1$2$3]=1
  fi
  timeout "$LIMIT" "${CMD[@]}" >"$4" 2>&1 || die "$1: load run failed (exit $?): $(tail -n 5 "$4")"
}
now() { date +%s.%N; }

SERVERS=(nsd cidns-authd)
if [[ -n $KNOTD ]]; then SERVERS+=(knotd); fi
if [[ -n $ECHO ]]; then SERVERS+=(udp_echo udp_echo-dnsperf); fi
RESULTS=$TMP/results.tsv
printf 'run\tserver\tcompleted\tqps\tcpu_us\tbusy_pct\tp50_ms\tp99_ms\tresp_bytes\trcodes\tlost\n' >"$RESULTS"
for run in $(seq 1 "$RUNS"); do
  for s in "${SERVERS[@]}"; do
    if [[ $s == udp_echo-dnsperf ]]; then
      # dnsperf's own floor: its latency against the same echo (the two clients differ).
      say "compare-auth: run $run/$RUNS, $s: ${RATE} qps ${DURATION}s (latency only)"
      out=$TMP/run$run-$s
      run_load "$s" rate "$DURATION" "$out-rate.txt"
      read -r _ _ p50 p99 _ _ _ < <(python3 "$TMP/parse.py" dnsperf-latency "$out-rate.txt") || true
      [[ -n ${p99:-} ]] || die "$s: cannot read $out-rate.txt"
      printf '%s\t%s\t-\t-\t-\t-\t%s\t%s\t-\t-\t-\n' "$run" "$s" "$p50" "$p99" >>"$RESULTS"
      say "  $s: p50 ${p50} ms, p99 ${p99} ms"
      continue
    fi
    say "compare-auth: run $run/$RUNS, $s: warm-up ${WARMUP}s, saturation ${DURATION}s, ${RATE} qps ${DURATION}s"
    out=$TMP/run$run-$s
    if ((WARMUP > 0)); then run_load "$s" sat "$WARMUP" "$out-warmup.txt"; fi
    c0=$(python3 "$TMP/cpu.py" "${SERVER_PID[$s]}")
    t0=$(now)
    run_load "$s" sat "$DURATION" "$out-sat.txt"
    t1=$(now)
    c1=$(python3 "$TMP/cpu.py" "${SERVER_PID[$s]}")
    kind=perf
    [[ $s == nsd || $s == knotd ]] && kind=dnsperf
    read -r completed qps _ _ resp rcodes lost < <(python3 "$TMP/parse.py" "$kind" "$out-sat.txt") || true
    [[ -n ${lost:-} ]] || die "$s: cannot read $out-sat.txt"
    run_load "$s" rate "$DURATION" "$out-rate.txt"
    [[ $s == nsd || $s == knotd ]] && kind=dnsperf-latency
    read -r _ _ p50 p99 _ _ _ < <(python3 "$TMP/parse.py" "$kind" "$out-rate.txt") || true
    [[ -n ${p99:-} ]] || die "$s: cannot read $out-rate.txt"
    read -r cpu_us busy < <(python3 -c "
import sys
c0, c1, t0, t1, n, hz = map(float, sys.argv[1:])
sec = (c1 - c0) / hz
print(f'{sec * 1e6 / n:.3f}' if n else 'nan', f'{100 * sec / (t1 - t0):.1f}')
" "$c0" "$c1" "$t0" "$t1" "$completed" "$CLK_TCK")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$s" "$completed" "$qps" \
      "$cpu_us" "$busy" "$p50" "$p99" "$resp" "$rcodes" "$lost" >>"$RESULTS"
    say "  $s: ${qps} qps, ${cpu_us} µs CPU/answer (server busy ${busy} %), p50 ${p50} ms, p99 ${p99} ms"
  done
done

echo
echo "compare-auth: $NAMES-resource zone, $QUERIES queries (95 % existing, 5 % missing), $RUNS run(s);"
echo "servers on CPU $SERVER_CPU (one thread), load on CPU $CLIENT_CPU; saturation: ${WARMUP} s warm-up +"
echo "${DURATION} s at $OUTSTANDING outstanding; latency: ${RATE} qps for ${DURATION} s. CPU µs/answer ="
echo "Δ(utime+stime) of the server's threads ÷ completed queries; ratios are taken within each run."
echo
python3 "$TMP/table.py" "$RESULTS"
echo
echo "Servers:"
printf -v q ' %q' "${AUTHD_CMD[@]}"
echo " ${q}"
printf -v q ' %q' "${NSD_CMD[@]}"
echo " ${q}   (nsd.conf: server-count 1, rrl-ratelimit 0)"
if [[ -n $KNOTD ]]; then
  printf -v q ' %q' "${KNOT_CMD[@]}"
  echo " ${q}   (knot.conf: udp/tcp/background-workers 1, no journal)"
fi
if [[ -n $ECHO ]]; then
  printf -v q ' %q' "${ECHO_CMD[@]}"
  echo " ${q}"
fi
echo "Load (the same for each run):"
for s in "${SERVERS[@]}"; do
  for mode in sat rate; do
    if [[ $s == udp_echo-dnsperf && $mode == sat ]]; then continue; fi
    load_cmd "$s" "$mode" "$DURATION"
    printf -v q ' %q' "${CMD[@]}"
    echo " ${q}"
  done
done
