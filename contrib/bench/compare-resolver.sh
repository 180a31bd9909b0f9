#!/usr/bin/env bash
# compare-resolver.sh: cidns-resolverd against Unbound and Knot Resolver, measured the way
# /work/shared/BENCHMARKING.md describes (servers pinned to CPU 0 with one serving thread, load
# pinned to CPU 1, server CPU µs per answer from /proc/PID/task/*/stat deltas):
#   (1) cache hits: QPS and server CPU µs per answered query, after a warm-up pass that fills the
#       cache. cidns-resolverd resolves a gen-zone zone served by cidns-authd (behind a small
#       unsigned root served by the same cidns-authd); Unbound and Knot Resolver forward
#       (policy.FORWARD for kresd) to NSD serving the DNS twin of the same zone (same names);
#   (2) p50 / p99 latency at a fixed rate (20k qps) of cache hits;
#   (3) cold resolution of a three-level signed chain (. -> cn-north. -> provx.cn-north., the
#       zonefiles/ signed by sign.sh, served by cidns-authd on 127.0.0.2/.3/.21:5380), validated
#       against the root anchor, with an empty cache (cidns-resolverd only: no DNS twin chain);
#   (4) restart to warm: stop cidns-resolverd, stop its upstream, start it on the same cache,
#       time from launch to the first cached answer.
# cidns-perf loads cidns-resolverd, dnsperf loads the DNS peers. Only 127.0.0.0/8 is used
# (127.0.1.x, except the chain of (3), which needs the zonefiles' own addresses); every process
# this script starts is stopped on exit.
#
# Usage: compare-resolver.sh [--seconds N] [--rounds N] [--help]
# Environment (defaults): RESOURCES=10000 RATE=20000 OUTSTANDING=200 WARMUP=2 SERVER_CPU=0
#   CLIENT_CPU=1 SEED=1 BUILD_DIR=build/release KEEP=0 (1: keep the temporary directory)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build/release}
# Absolute: the script works in its temporary directory (BUILD_DIR=build/p must still work).
[[ -d $BUILD_DIR ]] && BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
DURATION=10
ROUNDS=2
RESOURCES=${RESOURCES:-10000}
RATE=${RATE:-20000}
OUTSTANDING=${OUTSTANDING:-200}
WARMUP=${WARMUP:-2}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
SEED=${SEED:-1}
KEEP=${KEEP:-0}

usage() { sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case $1 in
    --seconds) DURATION=${2:-}; shift ;;
    --rounds) ROUNDS=${2:-}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

say() { printf '%s\n' "$*" >&2; }
die() { say "compare-resolver: $*"; exit 1; }
show() { local q; printf -v q ' %q' "$@"; say "+${q}"; }
for v in DURATION ROUNDS RESOURCES RATE OUTSTANDING WARMUP SERVER_CPU CLIENT_CPU; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number (got '${!v}')"
done
((ROUNDS >= 1 && DURATION >= 1 && RESOURCES >= 10)) || die "--rounds, --seconds >= 1, RESOURCES >= 10"

RESOLVERD=$BUILD_DIR/resolver/cidns-resolverd
AUTHD=$BUILD_DIR/server/cidns-authd
ADMIN=$BUILD_DIR/server/cidns-admin
PERF=$BUILD_DIR/contrib/bench/cidns-perf
GENZONE=$BUILD_DIR/contrib/bench/gen-zone
for p in "$RESOLVERD" "$AUTHD" "$ADMIN" "$PERF" "$GENZONE"; do
  [[ -x $p ]] || die "$p is not built (ninja -C $BUILD_DIR cidns-resolverd cidns-authd cidns-admin cidns-perf gen-zone)"
done
for t in nsd dnsperf taskset python3; do
  command -v "$t" >/dev/null || die "$t is missing (bash contrib/setup.sh installs it)"
done

# ---- peers: install when root, else skip --------------------------------------------------------
install_pkg() { # PACKAGE
  ((EUID == 0)) || return 1
  local policy=/usr/sbin/policy-rc.d own=0 rc=0
  if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; own=1; fi
  say "compare-resolver: apt-get install $1"
  DEBIAN_FRONTEND=noninteractive apt-get -q -y -o APT::Install-Recommends=false install "$1" \
    </dev/null >/dev/null 2>&1 || rc=1
  ((own)) && rm -f "$policy"
  return $rc
}
PEERS=()
command -v unbound >/dev/null || install_pkg unbound || true
if command -v unbound >/dev/null; then PEERS+=(unbound); else say "compare-resolver: unbound not installed (not root): skipped"; fi
command -v kresd >/dev/null || install_pkg knot-resolver || true
if command -v kresd >/dev/null; then PEERS+=(kresd); else say "compare-resolver: kresd not installed (not root): skipped"; fi
CLK_TCK=$(getconf CLK_TCK)

# ---- temporary directory and cleanup ----------------------------------------------------------
TMP=$(mktemp -d /tmp/cidns-compare-resolver.XXXXXX)
PIDS=()
cleanup() {
  local rc=$? _
  trap - EXIT INT TERM
  if ((${#PIDS[@]} > 0)); then
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    for _ in $(seq 1 30); do
      kill -0 "${PIDS[@]}" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "${PIDS[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
  fi
  if ((KEEP)); then say "compare-resolver: kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
declare -A PID_OF=()
start() { # NAME LOG CMD... (runs in the background, pid in PID_OF[NAME])
  local name=$1 log=$2
  shift 2
  show "$@"
  "$@" >"$log" 2>&1 &
  PIDS+=($!)
  PID_OF[$name]=$!
}
stop() { # NAME
  local p=${PID_OF[$1]} _
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}
free_port() { # ADDR: a port free for UDP and TCP
  python3 - "$1" <<'EOF'
import random, socket, sys
for _ in range(200):
    port, socks = random.randint(20000, 39999), []
    try:
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(socket.AF_INET, kind); socks.append(s); s.bind((sys.argv[1], port))
        print(port); break
    except OSError:
        pass
    finally:
        for s in socks: s.close()
else:
    sys.exit("no free port")
EOF
}
port_free() { # ADDR PORT
  python3 -c "
import socket, sys
for k in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, k); s.bind((sys.argv[1], int(sys.argv[2]))); s.close()
" "$1" "$2" 2>/dev/null
}
cpu_ticks() { # PID: utime+stime of every thread
  local t f s=0 a=()
  for t in /proc/"$1"/task/*/stat; do
    f=$(<"$t") || continue
    f=${f##*) }
    read -r -a a <<<"$f"
    s=$((s + a[11] + a[12]))
  done
  echo "$s"
}
now() { date +%s.%N; }

# ---- zones and query files ---------------------------------------------------------------------
AUTH_ADDR=127.0.1.2 # the small root and the gen-zone zone, one cidns-authd, port 5380 (glue)
NSD_ADDR=127.0.1.3
RES_ADDR=127.0.1.10
UNB_ADDR=127.0.1.11
KRES_ADDR=127.0.1.12
port_free "$AUTH_ADDR" 5380 || die "$AUTH_ADDR:5380 is in use"
cd "$TMP"
"$GENZONE" "$RESOURCES" "$TMP/gen.cidns" "$TMP/gen.dns" >/dev/null
ORIGIN=$(awk '$1 == "$ORIGIN" { print $2; exit }' "$TMP/gen.cidns")
sed "s/\b127\.0\.0\.21\b/$AUTH_ADDR/" "$TMP/gen.cidns" >"$TMP/zone.cidns"
cp "$TMP/gen.dns" "$TMP/zone.dns"
cat >"$TMP/root.cidns" <<EOF
\$ORIGIN .
\$TTL 1d
@                 SOA   a.root-servers. hostmaster.root-servers. 1 1h 10m 14d 1h
@                 NS    a.root-servers.
a.root-servers.   ADDR  $AUTH_ADDR
$ORIGIN           NS    ns1.$ORIGIN
ns1.$ORIGIN       ADDR  $AUTH_ADDR
EOF
python3 - "$TMP/zone.cidns" "$ORIGIN" "$SEED" <<'EOF'
# queries: every DESC name once, 95 % of names existing and 5 % "nx-" names, shuffled.
import random, sys
zone, origin, seed = sys.argv[1:4]
names = []
for line in open(zone):
    if line[:1] in (" ", "\t", "$", ";", "@", "\n"):
        continue
    tok = line.split()
    if len(tok) >= 2 and tok[1].upper() == "DESC":
        names.append(tok[0] if tok[0].endswith(".") else tok[0] + "." + origin)
rng = random.Random(int(seed))
picks = names + ["nx-" + rng.choice(names) for _ in range(len(names) * 5 // 95)]
rng.shuffle(picks)
with open("q.cidns", "w") as c, open("q.dns", "w") as d:
    for n in picks:
        c.write(n + "\n"); d.write(n + " TXT\n")
open("ready.cidns", "w").write(names[0] + "\n")
open("ready.dns", "w").write(names[0] + " TXT\n")
EOF
NQ=$(wc -l <q.cidns)

# ---- servers -----------------------------------------------------------------------------------
NSD_PORT=$(free_port $NSD_ADDR)
RES_PORT=$(free_port $RES_ADDR)
UNB_PORT=$(free_port $UNB_ADDR)
KRES_PORT=$(free_port $KRES_ADDR)
PIN=(taskset -c "$SERVER_CPU")
LOAD=(taskset -c "$CLIENT_CPU")

# Upstreams: not pinned to CPU 0 (only the cache-hit server is measured), on CPU 1 with the load.
start authd "$TMP/authd.log" "${LOAD[@]}" "$AUTHD" --listen "$AUTH_ADDR:5380" \
  --zone ".=$TMP/root.cidns" --zone "$ORIGIN=$TMP/zone.cidns" --threads 1 --control off --log-level warning
mkdir -p nsd
cat >nsd/nsd.conf <<EOF
server:
  ip-address: $NSD_ADDR@$NSD_PORT
  do-ip6: no
  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "$TMP"
  database: ""
  pidfile: "$TMP/nsd/nsd.pid"
  xfrdfile: "$TMP/nsd/xfrd.state"
  zonelistfile: "$TMP/nsd/zone.list"
  logfile: "$TMP/nsd/nsd.log"
  rrl-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "$ORIGIN"
  zonefile: "zone.dns"
EOF
start nsd "$TMP/nsd.out" "${LOAD[@]}" nsd -d -c "$TMP/nsd/nsd.conf"

RES_CMD=("${PIN[@]}" "$RESOLVERD" --listen "$RES_ADDR:$RES_PORT" --root "$AUTH_ADDR:5380"
  --cache "$TMP/rcache" --threads 1 --control "$TMP/resolverd.sock" --log-level warning)
start resolverd "$TMP/resolverd.log" "${RES_CMD[@]}"

UNB_CMD=()
if [[ " ${PEERS[*]} " == *" unbound "* ]]; then
  cat >unbound.conf <<EOF
server:
  interface: $UNB_ADDR@$UNB_PORT
  port: $UNB_PORT
  num-threads: 1
  do-ip6: no
  username: ""
  chroot: ""
  directory: "$TMP"
  pidfile: "$TMP/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 0
  module-config: "iterator"
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  msg-cache-size: 256m
  rrset-cache-size: 512m
  local-zone: "$ORIGIN" nodefault
  domain-insecure: "$ORIGIN"
  ratelimit: 0
remote-control:
  control-enable: no
forward-zone:
  name: "$ORIGIN"
  forward-addr: $NSD_ADDR@$NSD_PORT
EOF
  UNB_CMD=("${PIN[@]}" unbound -d -c "$TMP/unbound.conf")
  start unbound "$TMP/unbound.log" "${UNB_CMD[@]}"
fi
KRES_CMD=()
if [[ " ${PEERS[*]} " == *" kresd "* ]]; then
  mkdir -p kres
  cat >kres/config <<EOF
net.listen('$KRES_ADDR', $KRES_PORT, { kind = 'dns' })
net.ipv6 = false
cache.open(512 * MB, 'lmdb://$TMP/kres/cache')
trust_anchors.remove('.')
policy.add(policy.suffix(policy.FORWARD({'$NSD_ADDR@$NSD_PORT'}), {todname('$ORIGIN')}))
EOF
  KRES_CMD=("${PIN[@]}" kresd -n -c "$TMP/kres/config" "$TMP/kres")
  start kresd "$TMP/kresd.log" "${KRES_CMD[@]}"
fi

# Ready = a real query got a real NOERROR answer.
ready_perf() { # ADDR:PORT FILE
  "$PERF" -s "$1" -d "$2" -t DESC -w 0.5 --json 2>/dev/null | grep -q '"NOERROR": 1'
}
ready_dns() { # ADDR PORT
  dnsperf -s "$1" -p "$2" -d "$TMP/ready.dns" -t 1 2>/dev/null | grep -q 'NOERROR 1 '
}
wait_ready() { # NAME CHECK...
  local name=$1 t0=$SECONDS
  shift
  until "$@"; do
    kill -0 "${PID_OF[$name]}" 2>/dev/null || { tail -n 20 "$TMP"/*.log "$TMP"/*.out >&2 || true; die "$name exited before answering"; }
    ((SECONDS - t0 < 60)) || die "$name gave no answer within 60 s"
    sleep 0.2
  done
}
wait_ready authd ready_perf "$AUTH_ADDR:5380" "$TMP/ready.cidns"
wait_ready nsd ready_dns "$NSD_ADDR" "$NSD_PORT"
wait_ready resolverd ready_perf "$RES_ADDR:$RES_PORT" "$TMP/ready.cidns"
[[ -n ${PID_OF[unbound]:-} ]] && wait_ready unbound ready_dns "$UNB_ADDR" "$UNB_PORT"
[[ -n ${PID_OF[kresd]:-} ]] && wait_ready kresd ready_dns "$KRES_ADDR" "$KRES_PORT"
say "compare-resolver: every server answers; zone $ORIGIN, $NQ names in the query list"

# ---- (1) and (2): cache hits ---------------------------------------------------------------------
LIMIT=$((DURATION + WARMUP + 60))
load() { # SERVER MODE(fill|sat|rate) SECONDS OUT
  local s=$1 mode=$2 secs=$3 extra=()
  case $s in
    resolverd)
      extra=(-c "$OUTSTANDING")
      [[ $mode == fill ]] && extra=(-c 20 -w 3)
      [[ $mode == rate ]] && extra+=(-Q "$RATE")
      [[ $mode == fill ]] || extra+=(-l "$secs" -w 1)
      timeout "$LIMIT" "${LOAD[@]}" "$PERF" -s "$RES_ADDR:$RES_PORT" -d "$TMP/q.cidns" -t DESC \
        "${extra[@]}" --json >"$4" 2>&1 ;;
    unbound | kresd)
      local addr=$UNB_ADDR port=$UNB_PORT
      [[ $s == kresd ]] && addr=$KRES_ADDR port=$KRES_PORT
      extra=(-c 1 -q "$OUTSTANDING")
      [[ $mode == fill ]] && extra=(-c 1 -q 20 -t 3)
      [[ $mode == rate ]] && extra+=(-Q "$RATE" -v)
      [[ $mode == fill ]] || extra+=(-l "$secs" -t 1)
      timeout "$LIMIT" "${LOAD[@]}" dnsperf -s "$addr" -p "$port" -d "$TMP/q.dns" "${extra[@]}" >"$4" 2>&1 ;;
  esac
}
parse() { # KIND FILE -> completed qps p50 p99 rcodes
  python3 - "$1" "$2" <<'EOF'
import json, math, re, sys
kind, path = sys.argv[1:3]
text = open(path).read()
if kind == "perf":
    j = json.loads(text.strip().splitlines()[-1])
    rc = ",".join(f"{k}:{v}" for k, v in j["rcodes"].items()) or "none"
    print(j["completed"], f'{j["qps"]:.0f}', f'{j["latency_ms"]["p50"]:.3f}', f'{j["latency_ms"]["p99"]:.3f}', rc)
elif kind == "dnsperf":
    c = re.search(r"Queries completed:\s+(\d+)", text).group(1)
    q = float(re.search(r"Queries per second:\s+([\d.]+)", text).group(1))
    m = re.search(r"Response codes:\s+(.*)", text)
    rc = ",".join(f"{a}:{b}" for a, b in re.findall(r"([A-Z]+) (\d+)", m.group(1))) if m else "none"
    print(c, f"{q:.0f}", "-", "-", rc)
else:
    lat = sorted(float(t[4]) * 1000 for t in (l.split() for l in text.splitlines())
                 if len(t) == 5 and t[0] == ">" and t[1] != "T")
    pct = lambda q: lat[max(0, math.ceil(q * len(lat)) - 1)] if lat else float("nan")
    print(len(lat), "-", f"{pct(0.5):.3f}", f"{pct(0.99):.3f}", "-")
EOF
}
SERVERS=(resolverd "${PEERS[@]}")
RESULTS=$TMP/results.tsv
: >"$RESULTS"
for s in "${SERVERS[@]}"; do
  say "compare-resolver: $s: filling the cache (one pass of $NQ queries)"
  load "$s" fill 0 "$TMP/$s-fill.txt" || die "$s: fill failed: $(tail -n 3 "$TMP/$s-fill.txt")"
done
for r in $(seq 1 "$ROUNDS"); do
  for s in "${SERVERS[@]}"; do
    k=perf
    [[ $s == resolverd ]] || k=dnsperf
    ((WARMUP > 0)) && { load "$s" sat "$WARMUP" "$TMP/$s-warm.txt" || die "$s: warm-up failed"; }
    c0=$(cpu_ticks "${PID_OF[$s]}"); t0=$(now)
    load "$s" sat "$DURATION" "$TMP/$s-sat-$r.txt" || die "$s: load failed: $(tail -n 3 "$TMP/$s-sat-$r.txt")"
    t1=$(now); c1=$(cpu_ticks "${PID_OF[$s]}")
    read -r n_done qps _ _ rc < <(parse "$k" "$TMP/$s-sat-$r.txt")
    load "$s" rate "$DURATION" "$TMP/$s-rate-$r.txt" || die "$s: rate run failed"
    [[ $k == dnsperf ]] && k=latency
    read -r _ _ p50 p99 _ < <(parse "$k" "$TMP/$s-rate-$r.txt")
    read -r us busy < <(python3 -c "
import sys
c0, c1, t0, t1, n, hz = map(float, sys.argv[1:]); sec = (c1 - c0) / hz
print(f'{sec * 1e6 / n:.2f}' if n else 'nan', f'{100 * sec / (t1 - t0):.0f}')" "$c0" "$c1" "$t0" "$t1" "$n_done" "$CLK_TCK")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$s" "$qps" "$us" "$busy" "$p50" "$p99" "$rc" >>"$RESULTS"
    say "  round $r $s: $qps qps, $us µs CPU/answer (busy $busy %), p50 $p50 ms, p99 $p99 ms, rcodes $rc"
  done
done

# ---- (4) restart to warm -------------------------------------------------------------------------
restart_ms=()
for r in $(seq 1 "$ROUNDS"); do
  stop resolverd
  t0=$(now)
  start resolverd "$TMP/resolverd-restart.log" "${RES_CMD[@]}"
  until "$PERF" -s "$RES_ADDR:$RES_PORT" -d "$TMP/ready.cidns" -t DESC -w 0.02 --json 2>/dev/null | grep -q '"NOERROR": 1'; do
    kill -0 "${PID_OF[resolverd]}" 2>/dev/null || die "resolverd did not restart: $(tail -n 5 "$TMP/resolverd-restart.log")"
    python3 -c "import time,sys; sys.exit(time.time() - $t0 > 30)" || die "resolverd: no answer 30 s after restart"
  done
  t1=$(now)
  restart_ms+=("$(python3 -c "print(f'{($t1 - $t0) * 1000:.0f}')")")
done
# The answer above must have come from the cache: with the upstream gone, ask again.
stop authd
if ready_perf "$RES_ADDR:$RES_PORT" "$TMP/ready.cidns"; then from_cache=yes; else from_cache=NO; fi

# ---- (3) cold resolution of the signed three-level chain ----------------------------------------
cold_ms=() cold_note=""
CHAIN=("127.0.0.2 . root" "127.0.0.3 cn-north. cn-north" "127.0.0.21 provx.cn-north. provx.cn-north")
for c in "${CHAIN[@]}"; do
  read -r a _ _ <<<"$c"
  port_free "$a" 5380 || cold_note="$a:5380 is in use (the demo?): cold resolution skipped"
done
if [[ -z $cold_note ]]; then
  if ! bash "$ROOT/zonefiles/sign.sh" --out "$TMP/signed" --admin "$ADMIN" >"$TMP/sign.log" 2>&1; then
    cold_note="zonefiles/sign.sh failed: $(tail -n 2 "$TMP/sign.log")"
  fi
fi
if [[ -z $cold_note ]]; then
  for c in "${CHAIN[@]}"; do
    read -r a z f <<<"$c"
    start "chain-$a" "$TMP/chain-$a.log" "$AUTHD" --listen "$a:5380" --zone "$z=$TMP/signed/$f.zone" \
      --threads 1 --control off --log-level warning
  done
  echo "h100-8x.pool1.provx.cn-north." >"$TMP/cold.q"
  for c in "${CHAIN[@]}"; do
    read -r a z _ <<<"$c"
    echo "$z" >"$TMP/soa.q"
    t0=$SECONDS
    until "$PERF" -s "$a:5380" -d "$TMP/soa.q" -t SOA -w 0.5 --json 2>/dev/null | grep -q '"NOERROR": 1'; do
      ((SECONDS - t0 < 30)) || die "chain server $a gave no answer"
      sleep 0.2
    done
  done
  CPORT=$(free_port 127.0.1.13)
  for r in $(seq 1 "$ROUNDS"); do
    rm -rf "$TMP/cold-cache"
    start cold "$TMP/cold.log" "${PIN[@]}" "$RESOLVERD" --listen "127.0.1.13:$CPORT" --root 127.0.0.2:5380 \
      --trust-anchor "$TMP/signed/root.anchor" --cache "$TMP/cold-cache" --threads 1 \
      --control "$TMP/cold.sock" --log-level warning
    # Ready on a name outside the chain's cache path would warm it: wait for the port instead.
    t0=$SECONDS
    until ! port_free 127.0.1.13 "$CPORT"; do ((SECONDS - t0 < 30)) || die "cold resolverd did not start"; sleep 0.05; done
    sleep 0.2
    "$PERF" -s "127.0.1.13:$CPORT" -d "$TMP/cold.q" -t DESC -w 5 --json >"$TMP/cold-$r.json" 2>&1 || true
    read -r n _ p50 _ rc < <(parse perf "$TMP/cold-$r.json") || true
    if [[ ${n:-0} == 1 && $rc == NOERROR:1 ]]; then cold_ms+=("$p50"); else cold_note="cold query failed: ${rc:-?}"; fi
    # The same name again: a cache hit, for scale.
    "$PERF" -s "127.0.1.13:$CPORT" -d "$TMP/cold.q" -t DESC -w 5 --json >"$TMP/hot-$r.json" 2>&1 || true
    read -r _ _ hot _ _ < <(parse perf "$TMP/hot-$r.json") || true
    stop cold
  done
fi

# ---- table ---------------------------------------------------------------------------------------
echo
echo "compare-resolver: $NQ names ($RESOURCES resources + 5 % missing) of $ORIGIN, $ROUNDS round(s);"
echo "servers on CPU $SERVER_CPU (one thread), load on CPU $CLIENT_CPU; cache-hit saturation ${DURATION} s at"
echo "$OUTSTANDING outstanding after ${WARMUP} s warm-up; latency at $RATE qps for ${DURATION} s."
echo "cidns-resolverd -> cidns-authd (root + zone); unbound / kresd -> forward -> NSD (DNS twin)."
echo
python3 - "$RESULTS" <<'EOF'
import collections, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
by = collections.defaultdict(dict)
for r in rows:
    by[r[1]][r[0]] = r
def num(x):
    try: return float(x)
    except ValueError: return None
def rng(vals, fmt):
    vals = [v for v in vals if v is not None]
    if not vals: return "n/a"
    a, b = fmt.format(min(vals)), fmt.format(max(vals))
    return a if a == b else a + "–" + b
def ratio(s, peer):
    out = []
    for run, r in by[s].items():
        p = by.get(peer, {}).get(run)
        out.append(num(r[3]) / num(p[3]) if p and num(r[3]) and num(p[3]) else None)
    return out
names = {"resolverd": "cidns-resolverd", "unbound": "unbound", "kresd": "kresd"}
cols = ["server", "QPS (hits)", "busy", "CPU µs/answer", "vs unbound", "vs kresd", "p50 ms", "p99 ms", "rcodes"]
t = [cols]
for s in by:
    rs = list(by[s].values())
    t.append([names[s], rng([num(r[2]) for r in rs], "{:.0f}"), rng([num(r[4]) for r in rs], "{:.0f}%"),
              rng([num(r[3]) for r in rs], "{:.2f}"),
              "1" if s == "unbound" else rng(ratio(s, "unbound"), "{:.2f}×"),
              "1" if s == "kresd" else rng(ratio(s, "kresd"), "{:.2f}×"),
              rng([num(r[5]) for r in rs], "{:.3f}"), rng([num(r[6]) for r in rs], "{:.3f}"), rs[-1][7]])
w = [max(len(r[i]) for r in t) for i in range(len(cols))]
for i, r in enumerate(t):
    print("  ".join(c.ljust(w[j]) for j, c in enumerate(r)).rstrip())
    if i == 0: print("  ".join("-" * x for x in w))
EOF
echo
if ((${#cold_ms[@]})); then
  echo "cold resolution, signed chain . -> cn-north. -> provx.cn-north., validated, empty cache:"
  echo "  cidns-resolverd: ${cold_ms[*]} ms (the same name again, from the cache: ${hot:-?} ms)"
fi
[[ -z $cold_note ]] || echo "cold resolution: $cold_note"
echo "restart to warm (launch on the same cache -> first cached answer): cidns-resolverd ${restart_ms[*]} ms;"
echo "  answered from the cache with its upstream stopped: $from_cache"
echo
echo "Commands:"
printf -v q ' %q' "${RES_CMD[@]}"; echo " $q"
((${#UNB_CMD[@]})) && { printf -v q ' %q' "${UNB_CMD[@]}"; echo " $q"; }
((${#KRES_CMD[@]})) && { printf -v q ' %q' "${KRES_CMD[@]}"; echo " $q"; }
exit 0
