#!/usr/bin/env bash
# compare-hostile.sh: the hostile-client run of issue 11 against one cidns-authd binary, so that
# the figures can be taken before and after a fix with the same command:
#   1. slow TCP: CONNS connections each sending one byte every 4 s (reconnecting when closed), a
#      legitimate client (another source address) sending 25 TCP queries over 25 s: answered,
#      answered within 1 s, latency; once with every hostile connection from 127.0.0.1, once
#      spread over SPREAD addresses (127.1.0.1 up), so that a per-address cap alone does not pass;
#   2. idle TCP: the same with connections that send nothing;
#   3. never-reading clients: 250 connections pipelining queries with ~60 KB answers and never
#      reading: server RSS at start, at its peak, 5 s after they closed;
#   4. UDP flood from one socket for FLOOD_SECONDS: reply rate and server CPU; QR=1 messages
#      (malformed and well-formed, UDP and TCP): answered or not;
#   5. amplification: UDP queries with max_size 65535 for answers of ~1 KB, ~8 KB, ~60 KB and a
#      sweep of answers around 65,508–65,535 bytes: reply/query ratio, TC, lost replies;
#   6. reloads (not with --quick): RSS after the first load of a 200,000-resource zone (gen-zone)
#      and after each of 3 `cidns-admin server reload --wait`.
# The zone for 1–5 is written here: EP records at fixed-width names, sized after a calibration
# run (two names of 100 and 200 records measured over TCP). Only 127.0.0.0/8 is used; the server
# runs with a private control socket in a temporary directory; everything started is stopped on
# exit. Figures: lines "RESULT ..." from hostile-clients, then a summary table on stdout.
#
# Environment (defaults): BUILD_DIR=build/n3 (hostile-clients and gen-zone are built there when
#   missing), CONNS=256, SPREAD=64, FLOOD_SECONDS=5, THREADS=1 (server threads), RELOAD_RESOURCES=200000,
#   RELOADS=3, KEEP=0 (1: keep the temporary directory and the server log).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build/n3}
CONNS=${CONNS:-256}
SPREAD=${SPREAD:-64}
FLOOD_SECONDS=${FLOOD_SECONDS:-5}
THREADS=${THREADS:-1}
RELOAD_RESOURCES=${RELOAD_RESOURCES:-200000}
RELOADS=${RELOADS:-3}
KEEP=${KEEP:-0}
AUTHD=""
ADMIN=""
ADDRESS=127.0.0.2
QUICK=0
ORIGIN=hostile.test.

usage() {
  cat <<EOF
usage: compare-hostile.sh --authd PATH [--admin PATH] [--address 127.0.x.y] [--quick]
  --authd PATH     the cidns-authd binary to attack (required)
  --admin PATH     cidns-admin, for the reload scenario (default: next to --authd, else PATH)
  --address ADDR   loopback address the server listens on (default $ADDRESS); hostile clients
                   come from 127.0.0.1, the legitimate client from 127.0.0.99
  --quick          skip the 200,000-resource reload scenario
  --help           this text
Environment: BUILD_DIR CONNS SPREAD FLOOD_SECONDS THREADS RELOAD_RESOURCES RELOADS KEEP (see the header).
EOF
}

say() { printf 'compare-hostile: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}

while (($#)); do
  case $1 in
    --authd) AUTHD=${2:?}; shift 2 ;;
    --admin) ADMIN=${2:?}; shift 2 ;;
    --address) ADDRESS=${2:?}; shift 2 ;;
    --quick) QUICK=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
[[ -n $AUTHD && -x $AUTHD ]] || { usage >&2; die "--authd must name an executable"; }
[[ $ADDRESS =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "--address must be in 127.0.0.0/8"
if [[ -z $ADMIN ]]; then
  ADMIN=$(dirname "$AUTHD")/cidns-admin
  [[ -x $ADMIN ]] || ADMIN=$(command -v cidns-admin || true)
fi
((QUICK)) || [[ -n $ADMIN && -x $ADMIN ]] || die "no cidns-admin: give --admin or --quick"
for v in CONNS SPREAD FLOOD_SECONDS THREADS RELOAD_RESOURCES RELOADS; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number"
done

# ---- tools -------------------------------------------------------------------------------------
HC=$BUILD_DIR/contrib/bench/hostile-clients
GENZONE=$BUILD_DIR/contrib/bench/gen-zone
if [[ ! -x $HC || ! -x $GENZONE ]]; then
  if [[ ! -f $BUILD_DIR/build.ninja ]]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCIDNS_BENCH=ON >&2
  fi
  ninja -C "$BUILD_DIR" hostile-clients gen-zone >&2 || die "build failed"
fi

# ---- temporary directory and cleanup ----------------------------------------------------------
TMP=$(mktemp -d /tmp/cidns-hostile.XXXXXX)
SERVER=""
stop_server() {
  [[ -n $SERVER ]] || return 0
  kill -TERM "$SERVER" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$SERVER" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  SERVER=""
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_server
  if ((KEEP)); then say "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT=$(python3 "$(dirname "$(realpath "${BASH_SOURCE[0]}")")/freeport.py" "$ADDRESS")
HCS=("$HC" --server "$ADDRESS:$PORT")
RESULTS=$TMP/results.txt
: >"$RESULTS"

start_server() { # ZONE_NAME ZONE_FILE READY_NAME READY_TYPE
  stop_server
  "$AUTHD" --listen "$ADDRESS:$PORT" --zone "$1=$2" --threads "$THREADS" \
    --control "$TMP/control.sock" --log-level warning >>"$TMP/authd.log" 2>&1 &
  SERVER=$!
  local t0=$SECONDS
  until "${HCS[@]}" --type "$4" probe --name "$3"; do
    kill -0 "$SERVER" 2>/dev/null || { tail -n 20 "$TMP/authd.log" >&2; die "cidns-authd exited"; }
    ((SECONDS - t0 < 600)) || die "cidns-authd gave no answer within 600 s"
    sleep 0.2
  done
  say "cidns-authd (pid $SERVER) answers, $((SECONDS - t0)) s after start"
}
rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER/status"; }
hc() { # hostile-clients ARGS...: RESULT lines kept, shown as they come
  "${HCS[@]}" --pid "$SERVER" "$@" | tee -a "$RESULTS"
}
field() { # LINE KEY: the value of KEY=VALUE in LINE
  tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -n 1
}

# ---- zone: EP records of fixed size at fixed-width names ----------------------------------------
ep_records() { # NAME COUNT [EXTRA_PATH_BYTES]: COUNT EP records at NAME, the last one padded
  local name=$1 count=$2 extra=${3:-0} pad
  pad=$(printf '%*s' "$extra" '' | tr ' ' 'x')
  awk -v n="$name" -v c="$count" -v pad="$pad" 'BEGIN {
    for (i = 0; i < c; i++)
      printf "%s EP 10 1 grpc h%04d.hostile.example 443 path=/v1/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa%s\n",
        n, i, (i == c - 1 ? pad : "")
  }'
}
zone_head() {
  # shellcheck disable=SC2016 # $ORIGIN and $TTL are zone-file directives
  printf '$ORIGIN %s\n$TTL 1h\n@ SOA ns1 hostmaster 2026113001 1h 10m 14d 5m\n' "$ORIGIN"
  printf '@ NS ns1\nns1 ADDR 127.0.0.21\nsmall EP 10 1 grpc small.hostile.example 443\n'
}

say "calibrating answer sizes (names of 100 and 200 EP records)"
{
  zone_head
  ep_records c0100 100
  ep_records c0200 200
} >"$TMP/cal.zone"
start_server "$ORIGIN" "$TMP/cal.zone" "small.$ORIGIN" EP
CAL=$("${HCS[@]}" amplify "c0100.$ORIGIN" "c0200.$ORIGIN")
S100=$(field "$(grep 'name=c0100' <<<"$CAL")" tcp_answer_bytes)
S200=$(field "$(grep 'name=c0200' <<<"$CAL")" tcp_answer_bytes)
[[ $S100 =~ ^[0-9]+$ && $S200 =~ ^[0-9]+$ ]] || die "calibration failed: $CAL"
PER=$(((S200 - S100) / 100))
HEAD=$((S100 - 100 * PER))
count_for() { echo $((($1 - HEAD + PER / 2) / PER)); }
EDGE_N=$(((65508 - HEAD) / PER))
EDGE_BASE=$((HEAD + EDGE_N * PER))
K_LO=$((65508 - EDGE_BASE - 6))
((K_LO >= 0)) || K_LO=0
K_HI=$((65535 - EDGE_BASE + 4))
say "answer = $HEAD + $PER per record; edge names: $EDGE_N records + $K_LO..$K_HI bytes"
EDGES=()
{
  zone_head
  ep_records a001k "$(count_for 1000)"
  ep_records a008k "$(count_for 8000)"
  ep_records a060k "$(count_for 60000)"
  for ((k = K_LO; k <= K_HI; k++)); do
    name=$(printf 'e%04d' "$k")
    EDGES+=("$name.$ORIGIN")
    ep_records "$name" "$EDGE_N" "$k"
  done
} >"$TMP/hostile.zone"

# ---- scenarios 1–5 -----------------------------------------------------------------------------
start_server "$ORIGIN" "$TMP/hostile.zone" "small.$ORIGIN" EP
say "5. amplification"
hc amplify "small.$ORIGIN" "a001k.$ORIGIN" "a008k.$ORIGIN" "a060k.$ORIGIN" "${EDGES[@]}" >/dev/null
grep -v 'name=e[0-9]' "$RESULTS" | grep 'RESULT amplify' >&2 || true
say "4. UDP flood and QR=1"
hc udp-flood --seconds "$FLOOD_SECONDS" --name "small.$ORIGIN"
for spread in 1 "$SPREAD"; do
  say "1. slow TCP, from $spread address(es)"
  hc tcp-hold --mode slow --conns "$CONNS" --spread "$spread" --name "small.$ORIGIN"
  sleep 1
  say "2. idle TCP, from $spread address(es)"
  hc tcp-hold --mode idle --conns "$CONNS" --spread "$spread" --name "small.$ORIGIN"
  sleep 1
done
say "3. never-reading clients"
hc never-read --conns 250 --name "a060k.$ORIGIN"

# ---- scenario 6 ---------------------------------------------------------------------------------
if ((!QUICK)); then
  say "6. reloads of a $RELOAD_RESOURCES-resource zone"
  "$GENZONE" "$RELOAD_RESOURCES" "$TMP/big.zone" "$TMP/big-dns.zone" >&2
  rm -f "$TMP/big-dns.zone"
  start_server provx.cn-north. "$TMP/big.zone" r0.pool0.provx.cn-north. DESC
  line="RESULT reloads resources=$RELOAD_RESOURCES load_mib=$(rss_mib)"
  for ((i = 1; i <= RELOADS; i++)); do
    "$ADMIN" server reload --wait --socket "$TMP/control.sock" --timeout 600000 >/dev/null ||
      die "reload $i failed"
    sleep 1
    line+=" reload${i}_mib=$(rss_mib)"
  done
  echo "$line" | tee -a "$RESULTS"
fi
stop_server

# ---- summary ------------------------------------------------------------------------------------
get() { # PATTERN KEY
  field "$(grep -- "$1" "$RESULTS" | head -n 1)" "$2"
}
echo
echo "== compare-hostile: $AUTHD on $ADDRESS:$PORT, $THREADS thread(s) =="
hold_row() { # MODE SOURCES
  local p="mode=$1 conns=[0-9]* sources=$2 "
  printf '%-46s %s\n' "$1 TCP ($CONNS conns, $2 src): answered, <=1 s" \
    "$(get "$p" answered), $(get "$p" within_1s); first $(get "$p" first_ms) ms, max $(get "$p" max_ms) ms"
}
for spread in 1 "$SPREAD"; do
  hold_row slow "$spread"
  hold_row idle "$spread"
done
printf '%-46s %s\n' \
  "never-reading (250): RSS start/peak/+5 s" \
  "$(get never-read rss_start_mib) → $(get never-read rss_peak_mib) → $(get never-read rss_after_5s_mib) MiB" \
  "UDP flood (${FLOOD_SECONDS} s, 1 socket)" \
  "sent $(get udp-flood send_qps)/s, replies $(get udp-flood reply_qps)/s, server CPU $(get udp-flood server_cpu) ($(get udp-flood cpu_us_per_reply) µs/reply)" \
  "QR=1 answered: UDP malformed / well-formed" \
  "$(get qr-set udp_malformed_answered) / $(get qr-set udp_wellformed_answered); TCP $(get qr-set tcp_malformed_answered) / $(get qr-set tcp_wellformed_answered)"
for n in a001k a008k a060k; do
  printf '%-46s %s\n' "amplification, $(get "name=$n" tcp_answer_bytes)-byte answer" \
    "$(get "name=$n" udp_reply_bytes) B reply / $(get "name=$n" query_bytes) B query = $(get "name=$n" ratio)× (TC $(get "name=$n" tc))"
done
printf '%-46s %s\n' "answers of 65,508-65,535 B: lost over UDP" \
  "$(get amplify-summary edge_lost) of $(get amplify-summary edge_answers) (max ratio $(get amplify-summary max_ratio)×)"
if ((!QUICK)); then
  r=$(grep 'RESULT reloads' "$RESULTS" | head -n 1)
  printf '%-46s %s\n' "RSS after load, reload 1..$RELOADS (MiB)" \
    "$(field "$r" load_mib)$(for ((i = 1; i <= RELOADS; i++)); do printf ' → %s' "$(field "$r" "reload${i}_mib")"; done)"
fi
