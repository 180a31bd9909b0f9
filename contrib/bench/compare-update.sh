#!/usr/bin/env bash
# compare-update.sh: sustained authenticated dynamic UPDATEs per second (one STATE change each),
# cidns-authd against Knot DNS, in one run (issue 12). On a gen-zone zone of N resources and its
# DNS twin:
#   - cidns-authd serves the zone signed online (Ed25519 key from cidns-admin keygen), takes
#     UPDATEs signed with an HMAC key (--allow-update for STATE), journals in a temp dir;
#     update-load sends K updates one after another over TCP and polls the server for each
#     update's visibility;
#   - a second cidns-authd (when this build has --secondary) serves the zone as an XFR
#     secondary of the first (NOTIFY, then incremental transfer), pinned to the clients' CPU;
#     update-load polls it too: update-to-visible on a secondary;
#   - knotd serves the DNS twin with automatic DNSSEC signing (Ed25519, one CSK), TSIG
#     hmac-sha256 (the same secret) allowed to update, journal in the temp dir; ONE knsupdate
#     process (over TCP, -v) sends the same K updates from a script (delete the name's TXT, add
#     one TXT with the STATE text, send; each send waits for its answer), timed by wall clock;
#   - prints updates/s of each, the ratio cidns/knot, the cidns round trip and update-to-visible
#     p50/p99, the peak RSS of each server and the versions.
# Builds nothing: it takes a build directory holding cidns-authd, cidns-admin, gen-zone and
# update-load. Loopback only; everything it starts and writes is removed on exit.
set -euo pipefail
FREEPORT=$(dirname "$(realpath "${BASH_SOURCE[0]}")")/freeport.py  # a port free for UDP and TCP

usage() {
  cat <<'EOF'
usage: contrib/bench/compare-update.sh [--build DIR] [--resources N] [--updates K] [--runs R]
                                       [--watch-every K] [--keep]

  --build DIR       build directory with cidns-authd, cidns-admin, gen-zone, update-load
                    (default build/release; configure with -DCIDNS_BENCH=ON)
  --resources N     resources in the zone (default 100000)
  --updates K       updates per server and run (default 1000)
  --runs R          rounds, each cidns-authd then Knot on the same servers (default 1)
  --watch-every K   update-load samples visibility on every K-th update (default 1)
  --no-secondary    no cidns secondary (visibility on the primary only)
  --keep            keep the temporary directory (zones, configs, logs, raw outputs)
Environment: SERVER_CPU (0), CLIENT_CPU (1): servers and clients are pinned with taskset
when the machine has two CPUs or more.

Needs knotd, knsupdate and kdig (Debian: apt-get install -y knot knot-dnsutils); exits 2
without them.
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$ROOT/build/release
N=100000
K=1000
RUNS=1
EVERY=1
KEEP=0
SECONDARY=1
while (($#)); do
  case $1 in
    --build) BUILD=${2:?}; shift 2 ;;
    --resources) N=${2:?}; shift 2 ;;
    --updates) K=${2:?}; shift 2 ;;
    --runs) RUNS=${2:?}; shift 2 ;;
    --watch-every) EVERY=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --no-secondary) SECONDARY=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}

say() { printf '%s\n' "$*" >&2; }
die() {
  say "compare-update: $*"
  exit 1
}
show() {
  local q
  printf -v q ' %q' "$@"
  say "+${q}"
}
[[ -d $BUILD ]] || { say "compare-update: no build directory $BUILD"; exit 2; }
BUILD=$(cd "$BUILD" && pwd)
for v in N K RUNS EVERY SERVER_CPU CLIENT_CPU; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { say "compare-update: $v must be a whole number"; exit 2; }
done
((N >= 1 && K >= 1 && RUNS >= 1 && EVERY >= 1)) || { usage >&2; exit 2; }

# ---- tools -------------------------------------------------------------------------------------
missing=()
for t in knotd knsupdate kdig python3; do
  command -v "$t" >/dev/null || missing+=("$t")
done
if ((${#missing[@]})); then
  say "compare-update: missing ${missing[*]}: install Knot DNS and its utilities with"
  say "  apt-get install -y knot knot-dnsutils      (Debian/Ubuntu; python3 too if missing)"
  exit 2
fi
prog() { # NAME: the program in the build directory
  local p
  p=$(find "$BUILD" -type f -name "$1" -perm -u+x 2>/dev/null | head -n 1)
  [[ -n $p ]] || {
    say "compare-update: $1 not in $BUILD: ninja -C $BUILD cidns-authd cidns-admin gen-zone update-load"
    exit 2
  }
  echo "$p"
}
AUTHD=$(prog cidns-authd)
ADMIN=$(prog cidns-admin)
GENZONE=$(prog gen-zone)
LOAD=$(prog update-load)
KNOTD=$(command -v knotd)
if ((SECONDARY)) && ! "$AUTHD" --help 2>/dev/null | grep -q -- '--secondary'; then
  say "compare-update: this cidns-authd has no --secondary: visibility on the primary only"
  SECONDARY=0
fi
PIN_S=() PIN_C=()
if (($(nproc) >= 2)); then
  PIN_S=(taskset -c "$SERVER_CPU")
  PIN_C=(taskset -c "$CLIENT_CPU")
fi

# ---- temporary directory and cleanup ----------------------------------------------------------
TMP=$(mktemp -d /tmp/cidns-compare-update.XXXXXX)
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
  if ((KEEP)); then say "compare-update: kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# knsupdate.py OUT SERVER PORT ZONE KEYNAME SECRET N K BASE: the knsupdate script of K updates,
# the same names (round robin over gen-zone's names) and values update-load sends.
cat >"$TMP/knsupdate.py" <<'EOF'
import sys
out, server, port, zone, keyname, secret, n, k, base = sys.argv[1:10]
n, k, base = int(n), int(k), int(base)
with open(out, "w") as f:
    f.write(f"server {server} {port}\nzone {zone}\nkey hmac-sha256:{keyname} {secret}\n")
    for i in range(k):
        r = i % n
        name = f"r{r}.pool{r // 1000}.{zone}"
        text = f"free={i % 100} score={i % 11} updated={base + i} source=measured"
        f.write(f"update delete {name} TXT\nupdate add {name} 30 TXT \"{text}\"\nsend\n")
EOF

peak_rss_mib() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo n/a; }

# ---- zones and keys ----------------------------------------------------------------------------
cd "$TMP"
show "$GENZONE" "$N" cidns.zone dns.zone
"$GENZONE" "$N" cidns.zone dns.zone >&2
ZONE=$(awk '$1 == "$ORIGIN" { print $2; exit }' cidns.zone)
[[ -n $ZONE ]] || die "no \$ORIGIN in cidns.zone"
mkdir keys state state2 knot knot/db
show "$ADMIN" keygen --zone "$ZONE" --alg ed25519 --out keys
ZKEY=$("$ADMIN" keygen --zone "$ZONE" --alg ed25519 --out keys | grep '\.private$')
show "$ADMIN" keygen --hmac agent. --out agent.hmac
"$ADMIN" keygen --hmac agent. --out agent.hmac >/dev/null
SECRET=$(awk '$1 == "secret:" { print $2 }' agent.hmac)
[[ -n $SECRET ]] || die "no secret in agent.hmac"

# ---- servers -----------------------------------------------------------------------------------
CADDR=127.0.0.2
KADDR=127.0.0.3
SADDR=127.0.0.4
CPORT=$(python3 "$FREEPORT" "$CADDR")
KPORT=$(python3 "$FREEPORT" "$KADDR")
SPORT=$(python3 "$FREEPORT" "$SADDR")

AUTHD_CMD=("${PIN_S[@]}" "$AUTHD" --listen "$CADDR:$CPORT" --zone "$ZONE=$TMP/cidns.zone"
  --key "$TMP/$ZKEY" --hmac-key "$TMP/agent.hmac" --allow-update "$ZONE agent. *.$ZONE STATE"
  --state-dir "$TMP/state" --threads 1 --control off --log-level warning)
if ((SECONDARY)); then
  AUTHD_CMD+=(--allow-xfr "$ZONE agent." --notify "$ZONE $SADDR:$SPORT agent.")
fi
SEC_CMD=("${PIN_C[@]}" "$AUTHD" --listen "$SADDR:$SPORT" --secondary "$ZONE $CADDR:$CPORT agent."
  --hmac-key "$TMP/agent.hmac" --state-dir "$TMP/state2" --threads 1 --control off
  --log-level warning)
show "${AUTHD_CMD[@]}"
"${AUTHD_CMD[@]}" >authd.log 2>&1 &
AUTHD_PID=$!
PIDS+=("$AUTHD_PID")

cp dns.zone knot/dns.zone
cat >knot/knot.conf <<EOF
server:
    rundir: "$TMP/knot"
    listen: $KADDR@$KPORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
control:
    listen: "$TMP/knot/knot.sock"
log:
  - target: "$TMP/knot/knot.log"
    any: info
database:
    storage: "$TMP/knot/db"
key:
  - id: agent.
    algorithm: hmac-sha256
    secret: $SECRET
acl:
  - id: agent-update
    key: agent.
    action: update
policy:
  - id: ed25519
    algorithm: ed25519
    single-type-signing: on
    nsec3: off
template:
  - id: default
    storage: "$TMP/knot"
    zonefile-sync: -1
    journal-content: changes
zone:
  - domain: $ZONE
    file: "$TMP/knot/dns.zone"
    dnssec-signing: on
    dnssec-policy: ed25519
    acl: agent-update
EOF
KNOT_CMD=("${PIN_S[@]}" "$KNOTD" -c "$TMP/knot/knot.conf")
show "${KNOT_CMD[@]}"
"${KNOT_CMD[@]}" >knot/knotd.out 2>&1 &
KNOT_PID=$!
PIDS+=("$KNOT_PID")

# Ready = a real answer: for cidns one update applied (update-load, which also proves the key
# and the rule work), for Knot a signed SOA. Up to 600 s (a 1,000,000-resource zone signs first).
wait_ready() { # NAME PID CHECK...
  local name=$1 pid=$2 t0=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || {
      tail -n 20 authd.log secondary.log knot/knot.log knot/knotd.out >&2 2>/dev/null || true
      die "$name exited before answering"
    }
    ((SECONDS - t0 < 600)) || die "$name gave no answer within 600 s"
    sleep 0.5
  done
  say "compare-update: $name ready after $((SECONDS - t0)) s"
}
soa_serial() { # ADDR PORT
  kdig @"$1" -p "$2" +short SOA "$ZONE" | awk '{ print $3 }'
}
knot_signed() {
  ! grep -q "zone event 'load' failed" knot/knot.log || die "knotd: $(grep error: knot/knot.log)"
  kdig @"$KADDR" -p "$KPORT" +dnssec +norec SOA "$ZONE" | grep -q 'RRSIG[[:space:]]*SOA'
}
cidns_warm() { # [WATCH]: one update applied (and seen at WATCH)
  local watch=()
  [[ -z ${1:-} ]] || watch=(--watch "$1")
  "$LOAD" --server "$CADDR:$CPORT" --zone "$ZONE" --key agent.hmac --resources "$N" --updates 1 \
    --timeout 120000 "${watch[@]}" --json >warm.json || return 1
  [[ -z ${1:-} ]] || grep -q '"not_visible":0' warm.json
}
wait_ready cidns-authd "$AUTHD_PID" cidns_warm
SEC_PID=
if ((SECONDARY)); then
  show "${SEC_CMD[@]}"
  "${SEC_CMD[@]}" >secondary.log 2>&1 &
  SEC_PID=$!
  PIDS+=("$SEC_PID")
  wait_ready "cidns-authd secondary" "$SEC_PID" cidns_warm "$SADDR:$SPORT"
fi
wait_ready knotd "$KNOT_PID" knot_signed
# One untimed update on Knot as well, through knsupdate (the warm-up cidns had above).
python3 knsupdate.py warm.knsupdate "$KADDR" "$KPORT" "$ZONE" agent. "$SECRET" "$N" 1 0
knsupdate -v warm.knsupdate >knot/warm.out 2>&1 || die "knsupdate warm-up failed: $(cat knot/warm.out)"

# ---- runs --------------------------------------------------------------------------------------
now() { date +%s.%N; }
RESULTS=$TMP/results.tsv
printf 'run\tserver\tupdates\tok\tseconds\tups\trtt_p50\trtt_p99\tvis_p50\tvis_p99\tsec_p50\tsec_p99\tnot_visible\n' >"$RESULTS"
WATCH=(--watch "$CADDR:$CPORT")
((SECONDARY == 0)) || WATCH+=(--watch "$SADDR:$SPORT")
LOAD_CMD=()
KNS_CMD=()
for run in $(seq 1 "$RUNS"); do
  say "compare-update: run $run/$RUNS, cidns-authd: $K updates"
  LOAD_CMD=("${PIN_C[@]}" "$LOAD" --server "$CADDR:$CPORT" --zone "$ZONE" --key agent.hmac
    --resources "$N" --updates "$K" "${WATCH[@]}" --watch-every "$EVERY" --json)
  ((run > 1)) || show "${LOAD_CMD[@]}"
  "${LOAD_CMD[@]}" >"cidns-$run.json" || die "update-load failed: $(cat "cidns-$run.json")"
  python3 - "cidns-$run.json" "$run" >>"$RESULTS" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
w = (j["watch"] + [{}, {}])[:2]
f = lambda d, k: f'{d[k]:.3f}' if k in d else "-"
print(sys.argv[2], "cidns-authd", j["updates"], j["ok"], f'{j["seconds"]:.3f}',
      f'{j["updates_per_s"]:.3f}', f'{j["rtt_ms"]["p50"]:.3f}', f'{j["rtt_ms"]["p99"]:.3f}',
      f(w[0], "p50_ms"), f(w[0], "p99_ms"), f(w[1], "p50_ms"), f(w[1], "p99_ms"),
      "/".join(str(x["not_visible"]) for x in j["watch"]) or "-", sep="\t")
EOF
  say "  $(tail -n 1 "$RESULTS")"

  say "compare-update: run $run/$RUNS, knotd: $K updates (one knsupdate process)"
  python3 knsupdate.py "knot-$run.knsupdate" "$KADDR" "$KPORT" "$ZONE" agent. "$SECRET" "$N" "$K" \
    "$(date +%s)"
  s0=$(soa_serial "$KADDR" "$KPORT")
  KNS_CMD=("${PIN_C[@]}" knsupdate -v "$TMP/knot-$run.knsupdate")
  ((run > 1)) || show "${KNS_CMD[@]}"
  t0=$(now)
  "${KNS_CMD[@]}" >"knot-$run.out" 2>&1 || die "knsupdate failed: $(tail -n 5 "knot-$run.out")"
  t1=$(now)
  s1=$(soa_serial "$KADDR" "$KPORT")
  ok=$((s1 - s0))
  ((ok == K)) || say "compare-update: warning: Knot's serial moved by $ok, not $K"
  python3 -c "
import sys
run, k, ok, t0, t1 = sys.argv[1:]
s = float(t1) - float(t0)
print(run, 'knotd', k, ok, f'{s:.3f}', f'{int(ok) / s:.3f}', '-', '-', '-', '-', '-', '-', '-',
      sep='\t')
" "$run" "$K" "$ok" "$t0" "$t1" >>"$RESULTS"
  say "  $(tail -n 1 "$RESULTS")"
done
CIDNS_RSS=$(peak_rss_mib "$AUTHD_PID")
KNOT_RSS=$(peak_rss_mib "$KNOT_PID")
SEC_RSS=n/a
[[ -z $SEC_PID ]] || SEC_RSS=$(peak_rss_mib "$SEC_PID")

# ---- table -------------------------------------------------------------------------------------
echo
echo "compare-update: $N-resource zone ($ZONE), $K updates per server and run, $RUNS run(s);"
echo "each update replaces one resource's STATE (cidns) / TXT (Knot), sequential over TCP,"
echo "each waiting for its signed answer. Servers on CPU $SERVER_CPU, clients on CPU $CLIENT_CPU."
echo
python3 - "$RESULTS" "$CIDNS_RSS" "$KNOT_RSS" "$SEC_RSS" "$EVERY" <<'EOF'
import collections, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
data = [dict(zip(rows[0], r)) for r in rows[1:]]
by = collections.defaultdict(dict)
for d in data:
    by[d["server"]][d["run"]] = d
rss = {"cidns-authd": sys.argv[2], "knotd": sys.argv[3]}
def rng(vals, fmt):
    vals = [float(v) for v in vals if v not in ("-", "", None)]
    if not vals:
        return "n/a"
    lo, hi = fmt.format(min(vals)), fmt.format(max(vals))
    return lo if lo == hi else lo + "-" + hi
def pair(runs, a, b, fmt):
    x, y = rng([r[a] for r in runs], fmt), rng([r[b] for r in runs], fmt)
    return "n/a" if x == y == "n/a" else x + " / " + y
ratios = [float(d["ups"]) / float(by["knotd"][r]["ups"]) for r, d in by["cidns-authd"].items()
          if r in by["knotd"] and float(by["knotd"][r]["ups"]) > 0]
cols = ["server", "updates/s", "cidns/knot", "round trip p50/p99 ms", "visible p50/p99 ms",
        "on secondary p50/p99 ms", "not visible", "applied", "peak RSS MiB"]
table = [cols]
for s in ("cidns-authd", "knotd"):
    runs = list(by[s].values())
    table.append([
        s, rng([r["ups"] for r in runs], "{:.2f}"),
        rng(ratios, "{:.3f}") if s == "cidns-authd" else "1",
        pair(runs, "rtt_p50", "rtt_p99", "{:.2f}"), pair(runs, "vis_p50", "vis_p99", "{:.2f}"),
        pair(runs, "sec_p50", "sec_p99", "{:.2f}"),
        " ".join(r["not_visible"] for r in runs),
        " ".join(f'{r["ok"]}/{r["updates"]}' for r in runs),
        rss[s]])
w = [max(len(r[i]) for r in table) for i in range(len(cols))]
for i, r in enumerate(table):
    print("  ".join(c.ljust(w[j]) for j, c in enumerate(r)).rstrip())
    if i == 0:
        print("  ".join("-" * w[j] for j in range(len(cols))))
print()
print(f"Visibility: every {sys.argv[5]}. update polled over UDP every 1 ms until it shows (primary /")
print(f"secondary; 'not visible' = not within 5 s). Knot: rate only. cidns secondary peak RSS: {sys.argv[4]} MiB.")
EOF
echo
echo "Versions:"
echo "  $("$AUTHD" --version 2>&1 | head -n 1)"
echo "  $("$KNOTD" --version 2>&1 | head -n 1)"
echo "  $(knsupdate -V 2>&1 | head -n 1)"
echo "Commands:"
printf -v q ' %q' "${AUTHD_CMD[@]}"
echo " ${q}"
if [[ -n $SEC_PID ]]; then
  printf -v q ' %q' "${SEC_CMD[@]}"
  echo " ${q}"
fi
printf -v q ' %q' "${KNOT_CMD[@]}"
echo " ${q}   (knot.conf: Ed25519 CSK, NSEC, udp/tcp/background-workers 1, zonefile-sync -1)"
printf -v q ' %q' "${LOAD_CMD[@]}"
echo " ${q}"
printf -v q ' %q' "${KNS_CMD[@]}"
echo " ${q}   (timed by wall clock: K x {update delete NAME TXT; update add NAME 30 TXT \"...\"; send})"
