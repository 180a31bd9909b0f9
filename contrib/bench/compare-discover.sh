#!/usr/bin/env bash
# compare-discover.sh (issue 8, bench b): end-to-end DISCOVER through cidns-resolverd over a
# generated, signed hierarchy on loopback: the root delegating three regions (cn-north.,
# cn-east., cn-west.), the regions delegating PROVIDERS provider zones between them
# (p00.cn-north., p01.cn-east., ...), each provider zone with RESOURCES resources (DESC +
# STATE + EP, kind/family/count/price/region varied). Every zone has its own Ed25519 key;
# each parent publishes its children's DS; the root's DS is the resolver's trust anchor.
# Three cidns-authd serve the three levels (127.0.2.1 the root, 127.0.2.2 the regions,
# 127.0.2.3 every provider zone; port 5380, as the glue says); cidns-resolverd listens on
# 127.0.2.10. discover_bench times discoveries of SELECTOR under SCOPE through the stub:
#   cold        the resolver's cache emptied before each discovery (cidns-admin resolver
#               flush . --subtree): every zone's KEY, DS and delegation fetched again;
#   warm infra  a new selector each time (limit= varied), so the merged result is not cached
#               but the zones' keys and delegations are;
#   warm        the same selector again: the merged result from the resolver's cache.
# Every process this script starts is stopped on exit.
#
# Usage: compare-discover.sh [--quick] [--help]      (--quick: PROVIDERS=12 COLD=5 WARM=50)
# Environment (defaults): PROVIDERS=100 RESOURCES=20 COLD=20 WARM=200 SCOPE=.
#   SELECTOR="kind=gpu accel.family=h100,h800 accel.count>=8 price<=3CNY free>=1 order=price limit=10"
#   PARALLEL=16 (--discover-parallel) ZONES=PROVIDERS+8 (--discover-zones) DEADLINE=3000
#   SEED=1 BUILD_DIR=build/release KEEP=0 (1: keep the temporary directory)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build/release}
[[ -d $BUILD_DIR ]] && BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
PROVIDERS=${PROVIDERS:-100}
RESOURCES=${RESOURCES:-20}
COLD=${COLD:-20}
WARM=${WARM:-200}
SCOPE=${SCOPE:-.}
SELECTOR=${SELECTOR:-kind=gpu accel.family=h100,h800 accel.count>=8 price<=3CNY free>=1 order=price limit=10}
PARALLEL=${PARALLEL:-16}
DEADLINE=${DEADLINE:-3000}
SEED=${SEED:-1}
KEEP=${KEEP:-0}

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case $1 in
    --quick) PROVIDERS=12 COLD=5 WARM=50 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
ZONES=${ZONES:-$((PROVIDERS + 8))}

say() { printf '%s\n' "$*" >&2; }
die() { say "compare-discover: $*"; exit 1; }
show() { local q; printf -v q ' %q' "$@"; say "+${q}"; }
for v in PROVIDERS RESOURCES COLD WARM PARALLEL ZONES DEADLINE SEED; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number (got '${!v}')"
done
((PROVIDERS >= 3 && PROVIDERS <= 999 && RESOURCES >= 1 && COLD >= 1 && WARM >= 1)) ||
  die "PROVIDERS 3..999, RESOURCES, COLD, WARM >= 1"
((COLD + 1 < 1000)) || die "COLD must be below 999 (the warm-infra run varies limit=)"

RESOLVERD=$BUILD_DIR/resolver/cidns-resolverd
AUTHD=$BUILD_DIR/server/cidns-authd
ADMIN=$BUILD_DIR/server/cidns-admin
BENCH=$BUILD_DIR/contrib/bench/discover_bench
for p in "$RESOLVERD" "$AUTHD" "$ADMIN" "$BENCH"; do
  [[ -x $p ]] || die "$p is not built (ninja -C $BUILD_DIR cidns-resolverd cidns-authd cidns-admin discover_bench)"
done
command -v python3 >/dev/null || die "python3 is missing"

# ---- temporary directory and cleanup ----------------------------------------------------------
TMP=$(mktemp -d /tmp/cidns-compare-discover.XXXXXX)
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
  if ((KEEP)); then say "compare-discover: kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
declare -A PID_OF=()
start() { # NAME LOG CMD... (in the background, pid in PID_OF[NAME])
  local name=$1 log=$2
  shift 2
  ((QUIET)) || show "$@"
  "$@" >"$log" 2>&1 &
  PIDS+=($!)
  PID_OF[$name]=$!
}
stop() { # NAME: stop it and forget its pid
  local p=${PID_OF[$1]} _ i
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  for i in "${!PIDS[@]}"; do [[ ${PIDS[$i]} == "$p" ]] && unset 'PIDS[i]'; done
  PIDS=("${PIDS[@]}")
}
QUIET=0
port_free() { # ADDR PORT
  python3 -c "
import socket, sys
for k in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, k); s.bind((sys.argv[1], int(sys.argv[2]))); s.close()
" "$1" "$2" 2>/dev/null
}

ROOT_ADDR=127.0.2.1
REGION_ADDR=127.0.2.2
PROV_ADDR=127.0.2.3
RES_ADDR=127.0.2.10
RES_PORT=5380
for a in $ROOT_ADDR $REGION_ADDR $PROV_ADDR $RES_ADDR; do
  port_free "$a" 5380 || die "$a:5380 is in use (another run of this script?)"
done

# ---- the hierarchy -------------------------------------------------------------------------------
cd "$TMP"
mkdir -p zones keys signed
python3 - "$PROVIDERS" "$RESOURCES" "$SEED" "$ROOT_ADDR" "$REGION_ADDR" "$PROV_ADDR" <<'EOF'
# Writes zones/<zone>.zone (unsigned) and zones.list ("ZONE PARENT FILE", parents first).
import random, sys
providers, resources, seed = map(int, sys.argv[1:4])
root_addr, region_addr, prov_addr = sys.argv[4:7]
rng = random.Random(seed)
regions = {"cn-north": ["beijing", "tianjin", "zhangjiakou"],
           "cn-east": ["shanghai", "hangzhou", "wuhu"],
           "cn-west": ["chengdu", "guiyang", "qingyang"]}
soa = "@ SOA ns1 hostmaster 2026112501 1h 10m 14d 5m\n@ NS ns1\n"
gpus = [("nvidia", "nvidia-h100-sxm5", "h100", 80), ("nvidia", "nvidia-h800-sxm5", "h800", 80),
        ("nvidia", "nvidia-a800-sxm4-80g", "a800", 80), ("nvidia", "nvidia-l40s", "l40s", 48),
        ("nvidia", "nvidia-h20-sxm5", "h20", 96)]
npus = [("huawei", "huawei-910b", "910b", 64), ("huawei", "huawei-910c", "910c", 128)]
listing = [". - root.zone"]
children = {r: [] for r in regions}
for i in range(providers):
    region = list(regions)[i % 3]
    children[region].append(f"p{i:02d}" if providers <= 100 else f"p{i:03d}")
with open("zones/root.zone", "w") as f:
    f.write(f"$ORIGIN .\n$TTL 1d\n@ SOA a.root-servers. hostmaster.root-servers. 1 1h 10m 14d 1h\n"
            f"@ NS a.root-servers.\na.root-servers. ADDR {root_addr}\n")
    for r in regions:
        f.write(f"{r}. NS ns1.{r}.\nns1.{r}. ADDR {region_addr}\n")
for r, provs in children.items():
    listing.append(f"{r}. . {r}.zone")
    with open(f"zones/{r}.zone", "w") as f:
        f.write(f"$ORIGIN {r}.\n$TTL 1h\n{soa}ns1 ADDR {region_addr}\n")
        for p in provs:
            f.write(f"{p} NS ns1.{p}\nns1.{p} ADDR {prov_addr}\n")
for r, provs in children.items():
    for p in provs:
        zone = f"{p}.{r}."
        listing.append(f"{zone} {r}. {zone}zone")
        out = [f"$ORIGIN {zone}\n$TTL 1h\n{soa}ns1 ADDR {prov_addr}\n"]
        for k in range(resources):
            city = rng.choice(regions[r])
            roll = rng.random()
            if roll < 0.7:
                vendor, model, family, mem = rng.choice(gpus)
                kind, count = "gpu", rng.choice([1, 2, 4, 8, 8])
            elif roll < 0.9:
                vendor, model, family, mem = rng.choice(npus)
                kind, count = "npu", rng.choice([4, 8, 16])
            else:
                kind = "cpu"
            if kind == "cpu":
                desc = (f"kind=cpu vcpu={rng.choice([32, 64, 128])} mem={rng.choice([128, 256, 512])}GiB "
                        f"region={r}.{city} sched=vm price={rng.randint(5, 40) / 10:.1f}CNY "
                        f"price.unit=node-hour")
            else:
                desc = (f"kind={kind} accel.vendor={vendor} accel.model={model} accel.family={family} "
                        f"accel.count={count} accel.mem={mem}GiB region={r}.{city} "
                        f"frameworks=pytorch:2.4,{'mindspore:2.3' if kind == 'npu' else 'vllm:0.6'} "
                        f"sched={rng.choice(['k8s', 'vm', 'baremetal', 'container'])} "
                        f"price={rng.randint(5, 60) / 10:.1f}CNY price.unit=accel-hour")
            out.append(f"r{k:03d} DESC ( {desc} )\n"
                       f"     30s STATE free={rng.randint(0, 64)} score={rng.randint(0, 10)} "
                       f"updated=2026-11-25T10:00:00Z source=measured\n"
                       f"     EP 10 1 grpc gw{k % 4}.{p}.{r}.example 443 alpn=h2 auth=mtls path=/v1\n")
        with open(f"zones/{zone}zone", "w") as f:
            f.write("".join(out))
open("zones.list", "w").write("\n".join(listing) + "\n")
EOF
NZONES=$(wc -l <zones.list)
say "compare-discover: $NZONES zones generated ($PROVIDERS provider zones of $RESOURCES resources); signing"

# Keys, DS to each parent, then signing (a zone's DS needs only its key, so any order works).
declare -A KEY_OF=()
while read -r zone parent file; do
  KEY_OF[$zone]=$("$ADMIN" keygen --zone "$zone" --alg ed25519 --ksk --out keys | grep '\.private$')
  [[ -n ${KEY_OF[$zone]} ]] || die "keygen for $zone printed no .private file"
  if [[ $zone == . ]]; then
    "$ADMIN" zone ds "${KEY_OF[$zone]}" >root.anchor
  else
    "$ADMIN" zone ds "${KEY_OF[$zone]}" >>"zones/$parent.ds"
  fi
done <zones.list
while read -r zone parent file; do
  src=zones/$file
  if [[ -s zones/$zone.ds ]]; then
    cat "zones/$file" "zones/$zone.ds" >"zones/$file.withds"
    src=zones/$file.withds
  fi
  "$ADMIN" zone sign "$src" --origin "$zone" --key "${KEY_OF[$zone]}" --validity 30d --quiet \
    -o "signed/$file" >sign.log 2>&1 || die "signing $zone failed: $(tail -n 3 sign.log)"
done <zones.list
"$ADMIN" zone verify signed/root.zone --origin . --anchor root.anchor >/dev/null ||
  die "the signed root does not verify against its anchor"

# ---- servers -------------------------------------------------------------------------------------
zone_args() { # PREDICATE(root|region|provider) -> --zone Z=FILE ...
  local zone parent file
  while read -r zone parent file; do
    case $1 in
      root) [[ $zone == . ]] ;;
      region) [[ $parent == . && $zone != . ]] ;;
      provider) [[ $parent != . && $parent != - ]] ;;
    esac && printf -- '--zone\n%s=%s\n' "$zone" "$TMP/signed/$file"
  done <zones.list
}
mapfile -t ROOT_Z < <(zone_args root)
mapfile -t REGION_Z < <(zone_args region)
mapfile -t PROV_Z < <(zone_args provider)
start root "$TMP/authd-root.log" "$AUTHD" --listen "$ROOT_ADDR:5380" "${ROOT_Z[@]}" --threads 1 \
  --control off --log-level warning
start regions "$TMP/authd-regions.log" "$AUTHD" --listen "$REGION_ADDR:5380" "${REGION_Z[@]}" \
  --threads 1 --control off --log-level warning
say "+ (the provider authd gets ${#PROV_Z[@]} arguments: --zone ZONE=FILE for each provider zone)"
"$AUTHD" --listen "$PROV_ADDR:5380" "${PROV_Z[@]}" --threads 1 --control off --log-level warning \
  >"$TMP/authd-providers.log" 2>&1 &
PIDS+=($!)
PID_OF[providers]=$!
SOCK=$TMP/resolverd.sock
RES_CMD=("$RESOLVERD" --listen "$RES_ADDR:$RES_PORT" --root "$ROOT_ADDR:5380"
  --trust-anchor "$TMP/root.anchor" --cache "$TMP/rcache" --threads 1 --control "$SOCK"
  --discover-parallel "$PARALLEL" --discover-zones "$ZONES" --discover-deadline "$DEADLINE"
  --log-level warning)
start resolverd "$TMP/resolverd.log" "${RES_CMD[@]}"

# Ready = a real DISCOVER got a real reply (the authds asked directly, the resolver through
# its whole chain); the resolver's cache is flushed before every cold discovery anyway.
wait_ready() { # NAME ADDR:PORT SCOPE
  local t0=$SECONDS
  until "$BENCH" -s "$2" --scope "$3" --selector "limit=1" -n 1 --timeout-ms 2000 --json \
    2>/dev/null | grep -q '"errors": 0'; do
    kill -0 "${PID_OF[$1]}" 2>/dev/null || { tail -n 20 "$TMP"/*.log >&2 || true; die "$1 exited"; }
    ((SECONDS - t0 < 60)) || die "$1 gave no answer within 60 s"
    sleep 0.2
  done
}
wait_ready root "$ROOT_ADDR:5380" .
wait_ready regions "$REGION_ADDR:5380" cn-north.
wait_ready providers "$PROV_ADDR:5380" p00.cn-north.
wait_ready resolverd "$RES_ADDR:$RES_PORT" .
say "compare-discover: every server answers"

# ---- the runs -----------------------------------------------------------------------------------
RESULTS=$TMP/results.tsv
: >"$RESULTS"
BENCH_ARGS=(-s "$RES_ADDR:$RES_PORT" --scope "$SCOPE" --selector "$SELECTOR" --json)
run() { # LABEL discover_bench ARGS...: one row of the table
  local label=$1 out
  shift
  show "$BENCH" "${BENCH_ARGS[@]}" "$@"
  out=$("$BENCH" "${BENCH_ARGS[@]}" "$@") || die "$label: discover_bench failed: $out"
  printf '%s\t%s\n' "$label" "$out" >>"$RESULTS"
}
# Cold: a new resolver process on an empty cache directory for every discovery (nothing in
# its LMDB cache nor in its memory). Ready = its port is bound, then 0.2 s (a query would
# fill the cache). COLD_METHOD=flush empties the running resolver's cache with `cidns-admin resolver
# flush . --subtree` instead (see README: that flush removed nothing at the time of writing).
COLD_METHOD=${COLD_METHOD:-restart}
cold_restart() {
  stop resolverd
  rm -rf "$TMP/rcache"
  QUIET=1 start resolverd "$TMP/resolverd.log" "${RES_CMD[@]}"
  local t0=$SECONDS
  until ! port_free "$RES_ADDR" "$RES_PORT"; do
    kill -0 "${PID_OF[resolverd]}" 2>/dev/null || die "resolverd exited: $(tail -n 5 "$TMP/resolverd.log")"
    ((SECONDS - t0 < 30)) || die "resolverd did not bind $RES_ADDR:$RES_PORT within 30 s"
    sleep 0.05
  done
  sleep 0.2
}
if [[ $COLD_METHOD == restart ]]; then
  show "(for each of $COLD: restart cidns-resolverd on an empty cache, then)" \
    "$BENCH" "${BENCH_ARGS[@]}" -n 1
  COLD_ROWS=$TMP/cold.jsonl
  : >"$COLD_ROWS"
  for _ in $(seq 1 "$COLD"); do
    cold_restart
    "$BENCH" "${BENCH_ARGS[@]}" -n 1 >>"$COLD_ROWS" || die "cold discovery failed: $(tail -n 1 "$COLD_ROWS")"
  done
  python3 - "$COLD_ROWS" >>"$RESULTS" <<'EOF2'
# Merges one-discovery rows into one row of the same shape.
import json, math, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ms = sorted(r["p50_ms"] for r in rows)
q = lambda p: ms[min(len(ms), max(1, math.ceil(p * len(ms)))) - 1]
out = {"count": len(ms), "p50_ms": q(0.5), "p90_ms": q(0.9), "p99_ms": q(0.99), "max_ms": ms[-1],
       "mean_ms": sum(ms) / len(ms), "resources_min": min(r["resources_min"] for r in rows),
       "resources_max": max(r["resources_max"] for r in rows),
       "problem": next((r["problem"] for r in reversed(rows) if r["problem"]), "")}
for k in ("partial", "failures", "errors", "secure", "insecure", "bogus"):
    out[k] = sum(r[k] for r in rows)
print("cold (new resolver, empty cache)\t" + json.dumps(out))
EOF2
else
  FLUSH="$ADMIN resolver flush . --subtree --socket $SOCK >/dev/null"
  run "cold (cache flushed each time)" -n "$COLD" --before "$FLUSH"
fi
run "cold result, warm infrastructure" -n "$COLD" -w 1 --vary-limit
run "warm (result cached)" -n "$WARM" -w 1
STATS=$("$ADMIN" resolver stats --socket "$SOCK" 2>/dev/null | grep -E '^(discovery|upstream)\.' | tr '\n' ' ' || true)

# ---- table ---------------------------------------------------------------------------------------
echo
echo "compare-discover: DISCOVER \"$SELECTOR\" under $SCOPE through cidns-resolverd (1 thread,"
echo "validating, --discover-parallel $PARALLEL --discover-zones $ZONES): $NZONES signed zones (root,"
echo "3 regions, $PROVIDERS providers x $RESOURCES resources) on 3 cidns-authd (1 thread each) by level;"
echo "discover_bench via the stub, sync, one at a time. Loopback; nothing pinned."
echo
python3 - "$RESULTS" <<'EOF'
import json, sys
rows = [l.rstrip("\n").split("\t", 1) for l in open(sys.argv[1]) if l.strip()]
cols = ["mode", "n", "p50 ms", "p90 ms", "p99 ms", "max ms", "resources", "secure", "partial",
        "fail"]
t = [cols]
problems = []
for label, js in rows:
    j = json.loads(js)
    res = str(j["resources_min"]) if j["resources_min"] == j["resources_max"] else \
        f'{j["resources_min"]}..{j["resources_max"]}'
    t.append([label, str(j["count"]), f'{j["p50_ms"]:.3f}', f'{j["p90_ms"]:.3f}',
              f'{j["p99_ms"]:.3f}', f'{j["max_ms"]:.3f}', res, str(j["secure"]),
              str(j["partial"]), str(j["failures"] + j["errors"])])
    if j["problem"]:
        problems.append(f'{label}: {j["problem"]}')
w = [max(len(r[i]) for r in t) for i in range(len(cols))]
for i, r in enumerate(t):
    print("  ".join(c.ljust(w[j]) for j, c in enumerate(r)).rstrip())
    if i == 0:
        print("  ".join("-" * x for x in w))
for p in problems:
    print("last problem, " + p[:600])
EOF
echo
echo "Resolver stats after the warm runs: $STATS"
echo "Resolver: $(printf ' %q' "${RES_CMD[@]}")"
