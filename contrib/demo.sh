#!/usr/bin/env bash
# The cidns demo (README command 1): installs what is missing, builds Release into
# build/release, then walks the example hierarchy in zonefiles/ (see
# zonefiles/README.md for who serves what):
#   1. checks every zone       cidns-admin zone check FILE --origin ZONE
#   2. prints every zone       cidns-admin zone print FILE --origin ZONE (one as JSON)
#   3. signs every zone with its operator's key (zonefiles/sign.sh: keys in
#      zonefiles/keys, each parent publishing its children's DS, the root's DS
#      as trust anchor) into build/release/demo/signed, and verifies them
#   4. starts one cidns-authd per operator on 127.0.0.x:5380 serving the signed
#      zones, and a resolver on 127.0.0.1, looks names up (with signatures and
#      denial proofs too), and stops everything again (trap cleanup)
#   5. live STATE: provx.cn-north. is served from its unsigned zonefile, signed
#      online with its key from zonefiles/keys (the DS in cn-north. still matches)
#      and open to dynamic updates of pool1's STATE with an HMAC key made in the
#      run dir; cidns-state-agent reports h100-8x.pool1's STATE once, the resolver
#      shows it (after a flush of its cached copy) and so does a discovery; the
#      agent's key may not change DESC (refused, shown); a secondary on 127.0.0.31 follows
#      the zone by NOTIFY and incremental transfer and keeps serving it once the primary is
#      stopped
# Step 4 runs once the server and resolver programs exist; until then it says so.
# Options: --no-setup (skip contrib/setup.sh), --no-build (use the build dir as is).
# CIDNS_DEMO_BUILD=DIR uses another build dir than build/release (with --no-build:
# DIR/server/cidns-admin, DIR/resolver/cidns-lookup, ... must exist there).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

do_setup=1 do_build=1
for arg in "$@"; do
  case $arg in
    --no-setup) do_setup=0 ;;
    --no-build) do_build=0 ;;
    *) echo "demo.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

build=${CIDNS_DEMO_BUILD:-build/release}
admin=$build/server/cidns-admin
authd=$build/server/cidns-authd
resolverd=$build/resolver/cidns-resolverd
lookup=$build/resolver/cidns-lookup
agent=$build/contrib/examples/cidns-state-agent
run_dir=$build/demo                # pid files and logs of the demo's servers
port=5380

# The hierarchy, parents before children: "ADDRESS ZONE FILE", one operator per
# address (zonefiles/README.md). An operator serving several zones lists each.
operators=(
  "127.0.0.2  .                  zonefiles/root.zone"
  "127.0.0.3  cn-north.          zonefiles/cn-north.zone"
  "127.0.0.4  cn-east.           zonefiles/cn-east.zone"
  "127.0.0.5  fin.               zonefiles/fin.zone"
  "127.0.0.21 provx.cn-north.    zonefiles/provx.cn-north.zone"
  "127.0.0.22 hpcloud.cn-north.  zonefiles/hpcloud.cn-north.zone"
  "127.0.0.23 ascend.cn-east.    zonefiles/ascend.cn-east.zone"
  "127.0.0.24 yangtze.cn-east.   zonefiles/yangtze.cn-east.zone"
  "127.0.0.25 quantfin.fin.      zonefiles/quantfin.fin.zone"
)
resolver_addr=127.0.0.1

# The zone that takes dynamic updates (step 5): served from its unsigned zonefile and
# signed online with its operator's key (the one zonefiles/sign.sh signed it with, so the
# DS in cn-north. matches), open to STATE updates below pool1 with an HMAC key.
dyn_zone=provx.cn-north.
dyn_addr=127.0.0.21
hmac_name=pool1-agent
hmac_key=$run_dir/$hmac_name.hmac
# Its secondary (step 5): copies the zone by transfer, told of changes by NOTIFY.
sec_addr=127.0.0.31
xfr_key=$run_dir/xfr-key.hmac

# Names the lookup step asks for, with what they show.
lookups=(
  "h100-8x.pool1.provx.cn-north.   a resource: DESC, STATE and three EPs"
  "best.provx.cn-north.            an alias inside a provider zone"
  "anything.spot.provx.cn-north.   a wildcard"
  "infer-910b.ascend.cn-east.      an NPU inference API priced per 1000 tokens"
  "overflow.quantfin.fin.          a CNAME chain across fin. and provx.cn-north."
  "sandbox.yangtze.cn-east.        an alias that lands on a wildcard"
  "nonexistent.provx.cn-north.     NXDOMAIN"
)

if [[ -t 1 ]]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
run() { printf '$ %s\n' "$*"; "$@"; }

# ---- 0. packages and build ------------------------------------------------------------
if ((do_setup)); then
  say "Installing missing Debian packages (contrib/setup.sh)"
  bash contrib/setup.sh
fi
if ((do_build)); then
  say "Building Release into $build (GCC, Ninja)"
  run cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=g++ >/dev/null
  targets=(cidns-admin)
  known=$(ninja -C "$build" -t targets all)
  for t in cidns-authd cidns-resolverd cidns-lookup cidns-state-agent; do
    # Programs still being written are built once their CMake target exists.
    if grep -q "^$t: " <<<"$known"; then targets+=("$t"); fi
  done
  run cmake --build "$build" --parallel "${JOBS:-2}" --target "${targets[@]}"
fi
[[ -x $admin ]] || { echo "demo.sh: $admin is missing (build failed?)" >&2; exit 1; }

# ---- 1. check every zone --------------------------------------------------------------
say "Checking the example zones (cidns-admin zone check)"
bad=0
for entry in "${operators[@]}"; do
  read -r addr zone file <<<"$entry"
  if run "$admin" zone check "$file" --origin "$zone"; then
    echo "   ok: $zone ($file, served by $addr)"
  else
    echo "   FAILED: $zone ($file)"
    bad=$((bad + 1))
  fi
done
if ((bad)); then
  echo "demo.sh: $bad zone(s) have errors" >&2
  exit 1
fi

# ---- 2. print every zone --------------------------------------------------------------
say "Printing the example zones in canonical form (cidns-admin zone print)"
for entry in "${operators[@]}"; do
  read -r addr zone file <<<"$entry"
  echo
  echo "; ---- zone $zone from $file, served by $addr:$port"
  run "$admin" zone print "$file" --origin "$zone"
done
say "One zone as JSON (cidns-admin zone print --json), the shape every --json output shares"
run "$admin" zone print zonefiles/fin.zone --origin fin. --json

# ---- 3. sign -------------------------------------------------------------------------
signed_dir=$run_dir/signed
say "Signing the hierarchy: one key per operator, DS in every parent (zonefiles/sign.sh)"
run bash zonefiles/sign.sh --out "$signed_dir" --validity 30d --admin "$admin"
run cat "$signed_dir/root.anchor"
say "Verifying the root against the trust anchor and its children's DS (cidns-admin zone verify)"
run "$admin" zone verify "$signed_dir/root.zone" --origin . --anchor "$signed_dir/root.anchor" \
  --child "$signed_dir/cn-north.zone" --child "$signed_dir/cn-east.zone" --child "$signed_dir/fin.zone"
say "The signed provider zone, first lines (KEY at the apex, SIG per RRset, NSEC chain)"
head -n 12 "$signed_dir/provx.cn-north.zone"

# ---- 4. serve and resolve -------------------------------------------------------------
if [[ ! -x $authd || ! -x $lookup ]]; then
  say "Serving: cidns-authd or cidns-lookup is not built; done after the zone checks"
  exit 0
fi

pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_ready ADDR ZONE LOG [LOOKUP-FLAGS...]: a real query and a real answer, not
# just an open port (BENCHMARKING.md); 5 s at most.
wait_ready() {
  local addr=$1 zone=$2 log=$3 i
  shift 3
  for ((i = 0; i < 50; i++)); do
    if "$lookup" --server "$addr:$port" "$@" "$zone" SOA >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "demo.sh: no answer for $zone SOA from $addr:$port; $log:" >&2
  cat "$log" >&2 || true
  return 1
}

# The zone's signing key as zonefiles/sign.sh finds it: zonefiles/keys/K<zone>+*.private.
zone_key() {
  local f
  for f in zonefiles/keys/"K$1+"*.private; do [[ -e $f ]] && { echo "$f"; return 0; }; done
  echo "demo.sh: no key for $1 in zonefiles/keys" >&2
  return 1
}

# The dynamic zone's files in the run dir: a copy of the unsigned zonefile (the server
# may write the zone back to it), a fresh journal, and the agent's HMAC key.
prepare_dynamic_zone() {
  local file=$1
  rm -rf "$run_dir/state" "$run_dir/secondary-state" "$hmac_key" "$xfr_key"
  mkdir -p "$run_dir/state"
  cp "$file" "$run_dir/$(basename "$file")"
  run "$admin" keygen --hmac "$hmac_name" --out "$hmac_key"
  run "$admin" keygen --hmac xfr-key --out "$xfr_key"
}

start_servers() {
  mkdir -p "$run_dir"
  local entry addr zone file key
  declare -A zones_of=()
  for entry in "${operators[@]}"; do
    read -r addr zone file <<<"$entry"
    if [[ $zone == "$dyn_zone" ]]; then
      prepare_dynamic_zone "$file"
      key=$(zone_key "$zone")
      zones_of[$addr]+=" --zone $zone=$run_dir/$(basename "$file") --key $zone=$key"
    else
      zones_of[$addr]+=" --zone $zone=$signed_dir/$(basename "$file")"
    fi
  done
  # One server per operator, each with its own control socket (the default path is
  # shared) and one serving thread (two cores are plenty for a demo).
  local extra
  for addr in "${!zones_of[@]}"; do
    extra=()
    if [[ $addr == "$dyn_addr" ]]; then
      extra=(--hmac-key "$hmac_key" --allow-update "$dyn_zone $hmac_name. *.pool1.$dyn_zone STATE"
        --hmac-key "$xfr_key" --allow-xfr "$dyn_zone xfr-key"
        --notify "$dyn_zone $sec_addr:$port xfr-key" --state-dir "$run_dir/state")
    fi
    # Started directly, not through run(): $! must be the server's own pid.
    echo "\$ $authd --listen $addr:$port${zones_of[$addr]}${extra[*]:+ ${extra[*]@Q}} --threads 1 --control $run_dir/authd-$addr.sock &"
    # shellcheck disable=SC2086 # the --zone list is meant to split
    "$authd" --listen "$addr:$port" ${zones_of[$addr]} "${extra[@]}" --threads 1 \
      --control "$run_dir/authd-$addr.sock" >"$run_dir/authd-$addr.log" 2>&1 &
    pids+=($!)
    [[ $addr == "$dyn_addr" ]] && dyn_pid=$!
  done
  for entry in "${operators[@]}"; do
    read -r addr zone file <<<"$entry"
    wait_ready "$addr" "$zone" "$run_dir/authd-$addr.log" --norec
  done
  # The secondary has no zonefile: it transfers the zone from the primary.
  extra=(--hmac-key "$xfr_key" --secondary "$dyn_zone $dyn_addr:$port xfr-key"
    --state-dir "$run_dir/secondary-state")
  echo "\$ $authd --listen $sec_addr:$port ${extra[*]@Q} --threads 1 --control $run_dir/authd-$sec_addr.sock &"
  "$authd" --listen "$sec_addr:$port" "${extra[@]}" --threads 1 \
    --control "$run_dir/authd-$sec_addr.sock" >"$run_dir/authd-$sec_addr.log" 2>&1 &
  pids+=($!)
  wait_ready "$sec_addr" "$dyn_zone" "$run_dir/authd-$sec_addr.log" --norec
  [[ -x $resolverd ]] || return 0
  rm -rf "$run_dir/cache"
  echo "\$ $resolverd --listen $resolver_addr:$port --root 127.0.0.2:$port --trust-anchor $signed_dir/root.anchor --cache $run_dir/cache --control $run_dir/resolverd.sock &"
  "$resolverd" --listen "$resolver_addr:$port" --root "127.0.0.2:$port" \
    --trust-anchor "$signed_dir/root.anchor" --cache "$run_dir/cache" \
    --control "$run_dir/resolverd.sock" >"$run_dir/resolverd.log" 2>&1 &
  pids+=($!)
  wait_ready "$resolver_addr" provx.cn-north. "$run_dir/resolverd.log"
}

run_lookups() {
  local entry name what rc
  export CIDNS_RESOLVER=$resolver_addr:$port
  for entry in "${lookups[@]}"; do
    read -r name what <<<"$entry"
    say "$name  ($what), through the resolver"
    rc=0
    run "$lookup" --dnssec "$name" || rc=$?
    echo "   (exit $rc: 0 answer, 1 NXDOMAIN/NODATA, 2 failure, 3 referral)"
  done
  say "The zone broken on purpose: yangtze.cn-east.'s price changed after signing"
  rc=0
  run "$lookup" --dnssec a10-2x.hz1.yangtze.cn-east. DESC || rc=$?
  echo "   (exit $rc: SERVFAIL, and the extended error says which record failed and why)"
  say "The same with CD (checking disabled): the data as received, not validated"
  run "$lookup" --cd a10-2x.hz1.yangtze.cn-east. DESC || true
  say "Iterating from the root ourselves (--trace), validating each link"
  run "$lookup" --trace --root 127.0.0.2:$port --trust-anchor "$signed_dir/root.anchor" \
    h100-8x.pool1.provx.cn-north. || true
  say "Resolver counters (cidns-admin resolver stats)"
  run "$admin" resolver stats --socket "$run_dir/resolverd.sock" || true
  say "Discovery 1: the cheapest 8 x H100/H800 in cn-north under 3 CNY per accelerator-hour"
  run "$lookup" --discover "kind=gpu accel.family=h100,h800 accel.count>=8 region=cn-north* price<=3CNY order=price" \
    --in cn-north. || true
  say "Discovery 2: any NPU with MindSpore in cn-east (every operator under cn-east.)"
  run "$lookup" --discover "kind=npu frameworks~mindspore region=cn-east* order=-accel.count" \
    --in cn-east. || true
  say "Discovery 3: FPGAs anywhere; then the same naming x-compliance (the financial operator's"
  echo "   offerings list it in 'mandatory': only a consumer that names it sees them)"
  run "$lookup" --discover "kind=fpga" --in . || true
  run "$lookup" --discover "kind=fpga x-compliance=csrc-regulated" --in . || true
  say "Discovery 4: GPUs in cn-east, where yangtze.cn-east.'s tampered record is dropped"
  echo "   (bogus results are never returned: the zone is named in the PARTIAL warning)"
  run "$lookup" --discover "kind=gpu region=cn-east* order=price limit=5" --in cn-east. || true
}

# Step 5: a provider's agent reports live STATE with a signed dynamic UPDATE.
run_agent() {
  local pool=h100-8x.pool1.$dyn_zone rc selector="kind=gpu accel.family=h100 accel.count>=8 free>=5"
  export CIDNS_RESOLVER=$resolver_addr:$port
  say "Live STATE: the resolver's copy of $pool STATE (cached by the lookups above, TTL 30 s)"
  run "$lookup" "$pool" STATE || true
  say "A discovery of H100 x 8 with 5 free, asked of provx.cn-north.'s server: none yet (free=3)"
  run "$lookup" --server "$dyn_addr:$port" --norec --discover "$selector" --in "$dyn_zone" || true
  say "The pool1 agent reports it once (cidns-state-agent: signed UPDATE, replace the STATE RRset)"
  rc=0
  run "$agent" --server "$dyn_addr:$port" --zone "$dyn_zone" --key "$hmac_key" \
    --name h100-8x.pool1 --count 1 --free-max 8 || rc=$?
  echo "   (exit $rc: 0 reported, 1 refused, 2 failure; the zone was re-signed online, serial + 1)"
  say "Through the resolver: still the cached value until its 30 s TTL runs out"
  run "$lookup" "$pool" STATE || true
  say "So flush the resolver's cached copy (cidns-admin resolver flush NAME): the new value, validated"
  run "$admin" resolver flush "$pool" --socket "$run_dir/resolverd.sock" || true
  run "$lookup" --dnssec "$pool" STATE || true
  say "The same discovery through the resolver (never asked before, so not cached): found now"
  run "$lookup" --discover "$selector" --in "$dyn_zone" || true
  say "The agent's key may change STATE below pool1 and nothing else: deleting DESC is refused"
  rc=0
  run "$admin" update --server "$dyn_addr:$port" --zone "$dyn_zone" --key "$hmac_key" \
    "del h100-8x.pool1 DESC" || rc=$?
  echo "   (exit $rc: 1 the server refused the update; the zone is unchanged)"
  say "The secondary at $sec_addr got the new version: NOTIFY, then an incremental transfer"
  run "$lookup" --server "$sec_addr:$port" --norec "$pool" STATE || true
  grep -h "transfer applied" "$run_dir/authd-$sec_addr.log" | sed 's/^/   /' || true
  say "Stopping the primary ($dyn_addr): the secondary keeps serving the zone, signatures and all"
  kill "$dyn_pid" 2>/dev/null || true
  wait "$dyn_pid" 2>/dev/null || true
  run "$lookup" --server "$sec_addr:$port" --norec --dnssec "$pool" STATE || true
}

# walk NAME: iterate from the root as a resolver would, asking each authoritative
# server directly (--norec) and following the referrals' ADDR glue.
walk() {
  local name=$1 server=127.0.0.2:$port step rc json
  for ((step = 1; step <= 8; step++)); do
    echo "-- step $step: ask $server"
    rc=0
    run "$lookup" --server "$server" --norec "$name" || rc=$?
    if ((rc != 3)); then
      echo "   (exit $rc: 0 answer, 1 NXDOMAIN/NODATA, 2 failure)"
      # An alias whose target another operator serves: walk the target from the root too.
      local target
      target=$("$lookup" --server "$server" --norec --json "$name" 2>/dev/null | python3 -c '
import json, sys
try:
    m = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
owners = {r["name"] for r in m["answer"] if r["type"] != "CNAME"}
targets = [r["data"]["target"] for r in m["answer"] if r["type"] == "CNAME"]
if targets and targets[-1] not in owners:
    print(targets[-1])
' || true)
      if [[ -n $target ]] && ((${WALK_DEPTH:-0} < 4)); then
        echo "   the answer ends in an alias to $target, served elsewhere: walking that from the root"
        WALK_DEPTH=$((${WALK_DEPTH:-0} + 1)) walk "$target"
      fi
      return 0
    fi
    json=$("$lookup" --server "$server" --norec --json "$name" || true)
    server=$(python3 -c '
import json, sys
m = json.load(sys.stdin)
for r in m["additional"]:
    if r["type"] == "ADDR":
        d = r["data"]; a = d["address"]; p = d.get("port", 5380)
        print(("[%s]:%d" if ":" in a else "%s:%d") % (a, p)); break
' <<<"$json")
    [[ -n $server ]] || { echo "   referral without glue: stop"; return 0; }
    echo "   (exit 3: a referral; next server from the glue: $server)"
  done
}

if [[ -x $resolverd ]]; then
  say "Breaking one zone on purpose: a price in yangtze.cn-east. changed after signing"
  run sed -i 's/price=0.6CNY/price=0.5CNY/' "$signed_dir/yangtze.cn-east.zone"
fi
say "Starting one cidns-authd per operator${resolverd:+ (and a resolver once built)}"
start_servers
if [[ -x $resolverd ]]; then
  run_lookups
else
  for entry in "${lookups[@]}"; do
    read -r name what <<<"$entry"
    say "$name  ($what): walking down from the root"
    walk "$name"
  done
fi
say "A signed answer: the records with their SIGs (--dnssec sets DO)"
run "$lookup" --server 127.0.0.21:$port --norec --dnssec h100-8x.pool1.provx.cn-north. STATE || true
say "An NXDOMAIN with its proofs: the NSEC covering the name and the one covering the wildcard"
run "$lookup" --server 127.0.0.21:$port --norec --dnssec nonexistent.provx.cn-north. || true
say "Operators choose their algorithm: ascend.cn-east. signs with SM2 (SM3), hpcloud.cn-north. with P-256"
run "$lookup" --server 127.0.0.23:$port --norec --dnssec infer-910b.ascend.cn-east. STATE || true
say "A referral with the DS that pins the child's key"
run "$lookup" --server 127.0.0.3:$port --norec --dnssec h100-8x.pool1.provx.cn-north. || true
say "The same over TCP, and as JSON (every --json output shares this shape)"
run "$lookup" --server 127.0.0.21:$port --norec --tcp h100-1x.pool1.provx.cn-north. DESC || true
run "$lookup" --server 127.0.0.21:$port --norec --json best.provx.cn-north. || true
say "Server counters (cidns-admin server stats)"
run "$admin" server stats --socket "$run_dir/authd-127.0.0.21.sock" || true
if [[ -x $resolverd && -x $agent ]]; then
  run_agent
else
  say "Live STATE: cidns-resolverd or cidns-state-agent is not built; skipping the agent step"
fi
say "Stopping the servers"
cleanup
pids=()
say "Demo done"
