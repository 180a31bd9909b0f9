#!/usr/bin/env bash
# compare-load.sh: zone loading, cidns-authd against NSD and Knot DNS (issue 10, point 5).
# For each size, a gen-zone zone and its same-information DNS twin (--twin same-info: DESC and
# STATE as two TXT records of one RRset, the EP as an SVCB: 3 records per resource on both
# sides), unsigned and, with --signed, signed (cidns-admin zone sign; ldns-signzone, Ed25519).
# For each, in the same run, one server at a time on its own loopback address:
#   - launch to first answer: from the exec to the first real answer (a query for a name in the
#     zone answered with data, polled every 20 ms), and the peak RSS by then (the largest VmHWM
#     of the server's processes) with the PSS of all its processes (shared pages counted once);
#   - reload: the zonefile replaced by one with the next serial, then the request (cidns-authd:
#     SIGHUP; nsd: SIGHUP; knotd: knotc zone-reload) until that serial is answered (polled every
#     20 ms), the peak during it (VmHWM reset through /proc/PID/clear_refs before, sampled every
#     20 ms) and, with queries for existing names at a fixed rate meanwhile, the failed queries
#     (lost or not NOERROR; must be zero);
#   - zone check: time and peak RSS of cidns-admin zone check, nsd-checkzone and kzonecheck.
# Then a table with the ratios cidns/nsd and cidns/knot. Only 127.0.0.0/8 is used; every process
# it starts is stopped and its temporary folder removed on exit (unless --keep).
set -euo pipefail
FREEPORT=$(dirname "$(realpath "${BASH_SOURCE[0]}")")/freeport.py  # a port free for UDP and TCP

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

usage() {
  cat <<'EOF'
usage: contrib/bench/compare-load.sh [--build DIR] [--sizes "100000 1000000"] [--signed]
                                     [--rate QPS] [--work DIR] [--keep]
Launch to first answer, peak RSS, reload time and peak, and zone check time and memory for
cidns-authd, NSD and Knot DNS on a gen-zone zone and its same-information DNS twin.
  --build DIR   where cidns-authd, cidns-admin, cidns-lookup, cidns-perf and gen-zone are
                (default build/release; built there when missing)
  --sizes LIST  resources per zone, in order (default "100000")
  --signed      also the signed zones: cidns-admin zone sign, ldns-signzone (Ed25519)
  --rate QPS    queries per second during each reload (default 1000)
  --work DIR    folder for the temporary folder (default /tmp; 1,000,000 resources signed need
                about 6 GB there)
  --keep        keep the temporary folder (zones, configs, logs, raw results)
Exit status: 0 done, 1 a measurement failed, 2 usage error or a missing tool.
EOF
}

BUILD_DIR=$ROOT/build/release
SIZES=100000
SIGNED=0
RATE=1000
WORK=/tmp
KEEP=0
while (($#)); do
  case $1 in
    --build) BUILD_DIR=$(cd "${2:?--build needs a folder}" && pwd) && shift 2 ;;
    --sizes) SIZES=${2:?--sizes needs a list} && shift 2 ;;
    --signed) SIGNED=1 && shift ;;
    --rate) RATE=${2:?--rate needs a number} && shift 2 ;;
    --work) WORK=${2:?--work needs a folder} && shift 2 ;;
    --keep) KEEP=1 && shift ;;
    -h | --help) usage && exit 0 ;;
    *) usage >&2 && exit 2 ;;
  esac
done
for n in $SIZES; do
  [[ $n =~ ^[0-9]+$ ]] && ((n >= 10)) || { echo "compare-load: --sizes: '$n' is not a whole number >= 10" >&2; exit 2; }
done
[[ $RATE =~ ^[0-9]+$ ]] && ((RATE >= 1)) || { echo "compare-load: --rate: '$RATE' is not a whole number >= 1" >&2; exit 2; }

say() { printf '%s\n' "$*" >&2; }
die() {
  say "compare-load: $*"
  exit 1
}
show() { # prints a command line, shell-quoted
  local q
  printf -v q ' %q' "$@"
  say "+${q}"
}

# ---- tools -------------------------------------------------------------------------------------
declare -A PKG=([nsd]=nsd [nsd-checkzone]=nsd [knotd]=knot [knotc]=knot
  [kzonecheck]=knot-dnssecutils [dnsperf]=dnsperf [python3]=python3 [/usr/bin/time]=time
  [ldns-signzone]=ldnsutils [ldns-keygen]=ldnsutils [ninja]=ninja-build [cmake]=cmake)
tools=(nsd nsd-checkzone knotd knotc kzonecheck dnsperf python3 /usr/bin/time)
((SIGNED)) && tools+=(ldns-signzone ldns-keygen)
missing=()
for t in "${tools[@]}"; do
  command -v "$t" >/dev/null || missing+=("${PKG[$t]}")
done
if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  say "compare-load: missing tools; install them with: apt-get install -y ${missing[*]}"
  exit 2
fi

# ---- build -------------------------------------------------------------------------------------
AUTHD=$BUILD_DIR/server/cidns-authd
ADMIN=$BUILD_DIR/server/cidns-admin
LOOKUP=$BUILD_DIR/resolver/cidns-lookup
PERF=$BUILD_DIR/contrib/bench/cidns-perf
GENZONE=$BUILD_DIR/contrib/bench/gen-zone
if [[ ! -x $AUTHD || ! -x $ADMIN || ! -x $LOOKUP || ! -x $PERF || ! -x $GENZONE ]]; then
  for t in cmake ninja; do command -v $t >/dev/null || { say "compare-load: install ${PKG[$t]}"; exit 2; }; done
  if [[ ! -f $BUILD_DIR/build.ninja ]]; then
    show cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCIDNS_BENCH=ON
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCIDNS_BENCH=ON >/dev/null
  fi
  show ninja -C "$BUILD_DIR" -j"${JOBS:-2}" cidns-authd cidns-admin cidns-lookup cidns-perf gen-zone
  ninja -C "$BUILD_DIR" -j"${JOBS:-2}" cidns-authd cidns-admin cidns-lookup cidns-perf gen-zone >&2 ||
    die "build failed"
fi

# ---- temporary folder and cleanup --------------------------------------------------------------
mkdir -p "$WORK"
TMP=$(mktemp -d "$WORK/cidns-compare-load.XXXXXX")
SERVER=""   # pid of the server now running
HELPERS=() # pids of load generators and samplers
stop_pid() { # PID: TERM, up to 10 s, then KILL
  local p=$1 _
  kill -TERM "$p" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}
cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in "${HELPERS[@]}" $SERVER; do stop_pid "$p"; done
  if ((KEEP)); then say "compare-load: kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- helpers in Python -------------------------------------------------------------------------
cat >"$TMP/mem.py" <<'EOF'
# mem.py snap PID | reset PID | watch PID STOPFILE: memory of PID and its descendants, in kB.
# snap: "max_VmHWM sum_Pss"; reset: writes 5 to each clear_refs (VmHWM := VmRSS); watch: samples
# every 20 ms (the process tree every 100 ms, Pss every 100 ms) until STOPFILE exists, then
# prints "max_VmHWM max_sum_Pss samples".
import os, sys, time
def tree(root):
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    s = f.read()
                kids.setdefault(int(s[s.rindex(")") + 2:].split()[1]), []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out
def field(path, name):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0
def hwm(pids):
    return max([field(f"/proc/{p}/status", "VmHWM:") for p in pids] + [0])
def pss(pids):
    return sum(field(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
mode, root = sys.argv[1], int(sys.argv[2])
if mode == "snap":
    pids = tree(root)
    print(hwm(pids), pss(pids))
elif mode == "reset":
    for p in tree(root):
        try:
            with open(f"/proc/{p}/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass
elif mode == "watch":
    stop, top_hwm, top_pss, i = sys.argv[3], 0, 0, 0
    while True:
        if i % 5 == 0:
            pids = tree(root)
            top_pss = max(top_pss, pss(pids))
        top_hwm = max(top_hwm, hwm(pids))
        i += 1
        if os.path.exists(stop):
            break
        time.sleep(0.02)
    print(top_hwm, top_pss, i)
EOF

cat >"$TMP/poll.py" <<'EOF'
# poll.py DEADLINE_S dns ADDR PORT NAME TYPE [SERIAL] | cidns LOOKUP ADDR:PORT NAME TYPE [SERIAL]
# Asks every 20 ms until an answer with data comes (with SERIAL: an SOA answer carrying that
# serial), then prints the time.time() of that answer; exit 1 at DEADLINE_S seconds.
import os, random, socket, struct, subprocess, sys, time
deadline = time.time() + float(sys.argv[1])
kind = sys.argv[2]
def qname(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"
def skip_name(m, i):
    while True:
        n = m[i]
        if n == 0:
            return i + 1
        if n & 0xC0 == 0xC0:
            return i + 2
        i += 1 + n
def dns_try(addr, port, name, qtype, serial):
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + qname(name) + struct.pack(">HH", qtype, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.2)
    try:
        s.connect((addr, port))
        s.send(q)
        m = s.recv(65535)
    except OSError:
        return False
    finally:
        s.close()
    if len(m) < 12:
        return False
    rid, flags, qd, an = struct.unpack(">HHHH", m[:8])
    if rid != qid or flags & 0xF != 0 or an == 0:
        return False
    if serial is None:
        return True
    i = 12
    for _ in range(qd):
        i = skip_name(m, i) + 4
    i = skip_name(m, i)
    rtype = struct.unpack(">H", m[i:i + 2])[0]
    if rtype != 6:
        return False
    i += 10
    i = skip_name(m, skip_name(m, i))
    return struct.unpack(">I", m[i:i + 4])[0] == serial
def cidns_try(lookup, server, name, qtype, serial):
    r = subprocess.run([lookup, "--server", server, "--norec", "--short", "--timeout", "200",
                        "--attempts", "1", name, qtype], capture_output=True, text=True)
    if r.returncode != 0 or not r.stdout.strip():
        return False
    return serial is None or r.stdout.split()[2] == str(serial)
if kind == "dns":
    addr, port, name, qtype = sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
    serial = int(sys.argv[7]) if len(sys.argv) > 7 else None
    code = {"TXT": 16, "SOA": 6}[qtype]
    ask = lambda: dns_try(addr, port, name, code, serial)
else:
    lookup, server, name, qtype = sys.argv[3:7]
    serial = int(sys.argv[7]) if len(sys.argv) > 7 else None
    ask = lambda: cidns_try(lookup, server, name, qtype, serial)
while time.time() < deadline:
    if ask():
        print(f"{time.time():.6f}")
        sys.exit(0)
    time.sleep(0.02)
sys.exit(1)
EOF

cat >"$TMP/failed.py" <<'EOF'
# failed.py perf|dnsperf FILE: prints "sent failed" (failed: lost or answered not NOERROR).
import json, re, sys
kind, text = sys.argv[1], open(sys.argv[2]).read()
if kind == "perf":
    j = json.loads(text.strip().splitlines()[-1])
    bad = sum(v for k, v in j["rcodes"].items() if k != "NOERROR")
    print(j["sent"] if "sent" in j else j["completed"] + j["lost"], j["lost"] + bad)
else:
    sent = int(re.search(r"Queries sent:\s+(\d+)", text).group(1))
    lost = int(re.search(r"Queries lost:\s+(\d+)", text).group(1))
    m = re.search(r"Response codes:\s+(.*)", text)
    codes = re.findall(r"([A-Z]+) (\d+)", m.group(1)) if m else []
    print(sent, lost + sum(int(v) for k, v in codes if k != "NOERROR"))
EOF

cat >"$TMP/table.py" <<'EOF2'
# table.py RESULTS.tsv: one block per size and variant; ratios cidns/nsd and cidns/knot.
import collections, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
hdr, data = rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]
blocks = collections.OrderedDict()
for d in data:
    blocks.setdefault((d["size"], d["variant"]), {})[d["tool"]] = d
def num(x):
    try:
        return float(x)
    except ValueError:
        return None
def ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "n/a"
metrics = [("launch_s", "launch to 1st answer, s", "{:.2f}"),
           ("launch_hwm", "  peak RSS, MiB", "{:.0f}"),
           ("launch_pss", "  PSS all processes, MiB", "{:.0f}"),
           ("reload_s", "reload to new serial, s", "{:.2f}"),
           ("reload_hwm", "  peak RSS during, MiB", "{:.0f}"),
           ("reload_pss", "  peak PSS during, MiB", "{:.0f}"),
           ("failed", "  failed queries / sent", None),
           ("check_s", "zone check, s", "{:.2f}"),
           ("check_hwm", "  peak RSS, MiB", "{:.0f}")]
for (size, variant), t in blocks.items():
    print(f"\n{int(size):,} resources, {variant}: {t['cidns']['records']} records (cidns), "
          f"{t['nsd']['records']} (twin)")
    cols = ["", "cidns", "nsd", "knot", "cidns/nsd", "cidns/knot"]
    table = [cols]
    for key, label, fmt in metrics:
        row = [label]
        for tool in ("cidns", "nsd", "knot"):
            v = t[tool][key]
            if fmt is None:
                row.append(f"{v} / {t[tool]['sent']}")
            else:
                row.append(fmt.format(num(v)) if num(v) is not None else "n/a")
        if fmt is None:
            row += ["", ""]
        else:
            c = num(t["cidns"][key])
            row += [ratio(c, num(t["nsd"][key])), ratio(c, num(t["knot"][key]))]
        table.append(row)
    w = [max(len(r[i]) for r in table) for i in range(len(cols))]
    for i, r in enumerate(table):
        print("  ".join(c.ljust(w[j]) if j == 0 else c.rjust(w[j]) for j, c in enumerate(r)))
        if i == 0:
            print("  ".join("-" * w[j] for j in range(len(cols))))
print("\nBelow 1: cidns is faster or smaller. Peak RSS: the largest VmHWM among the server's "
      "processes\n(NSD: main, xfrd and server child; reload: the forked reload process); PSS: "
      "the sum over\nall of them with shared pages counted once (sampled every 100 ms during "
      "a reload).")
EOF2

# ---- servers -----------------------------------------------------------------------------------
ORIGIN=provx.cn-north.
SERIAL1=2026112501
SERIAL2=2026112502
declare -A ADDR=([cidns]=127.0.9.1 [nsd]=127.0.9.2 [knot]=127.0.9.3)
declare -A PORT=()
for s in cidns nsd knot; do PORT[$s]=$(python3 "$FREEPORT" "${ADDR[$s]}"); done
NSD=$(command -v nsd)
KNOTD=$(command -v knotd)

# server_files NAME DIR ZONEFILE: writes the configuration; sets CMD (the server) and ZONE_AT
# (the zonefile it serves).
server_files() {
  local s=$1 d=$2
  mkdir -p "$d"
  case $s in
    cidns)
      ZONE_AT=$d/zone
      CMD=("$AUTHD" --listen "${ADDR[cidns]}:${PORT[cidns]}" --zone "$ORIGIN=$ZONE_AT" --threads 1
        --control "$d/ctl.sock" --state-dir "$d/state" --log-level warning)
      ;;
    nsd)
      ZONE_AT=$d/zone
      cat >"$d/nsd.conf" <<EOF2
server:
  ip-address: ${ADDR[nsd]}@${PORT[nsd]}
  do-ip4: yes
  do-ip6: no
  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "$d"
  database: ""
  pidfile: "$d/nsd.pid"
  xfrdfile: "$d/xfrd.state"
  zonelistfile: "$d/zone.list"
  logfile: "$d/nsd.log"
  verbosity: 0
  rrl-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "$ORIGIN"
  zonefile: "zone"
EOF2
      CMD=("$NSD" -d -c "$d/nsd.conf")
      ;;
    knot)
      ZONE_AT=$d/zone
      cat >"$d/knot.conf" <<EOF2
server:
    rundir: "$d"
    listen: ${ADDR[knot]}@${PORT[knot]}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
control:
    listen: "$d/knot.sock"
database:
    storage: "$d"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "$d"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
  - domain: "$ORIGIN"
    file: "$ZONE_AT"
EOF2
      CMD=("$KNOTD" -c "$d/knot.conf")
      ;;
  esac
}

# poll_args NAME [SERIAL]: sets POLL to poll.py's arguments after the deadline.
poll_args() {
  if [[ $1 == cidns ]]; then
    if (($# > 1)); then POLL=(cidns "$LOOKUP" "${ADDR[cidns]}:${PORT[cidns]}" "$ORIGIN" SOA "$2")
    else POLL=(cidns "$LOOKUP" "${ADDR[cidns]}:${PORT[cidns]}" "r0.pool0.$ORIGIN" DESC); fi
  else
    if (($# > 1)); then POLL=(dns "${ADDR[$1]}" "${PORT[$1]}" "$ORIGIN" SOA "$2")
    else POLL=(dns "${ADDR[$1]}" "${PORT[$1]}" "r0.pool0.$ORIGIN" TXT); fi
  fi
}

# load_cmd NAME SECONDS QUERYFILE: sets LOAD to a fixed-rate load command.
load_cmd() {
  if [[ $1 == cidns ]]; then
    LOAD=("$PERF" -s "${ADDR[cidns]}:${PORT[cidns]}" -d "$3" -t DESC -Q "$RATE" -l "$2" -w 1 --json)
  else
    LOAD=(dnsperf -s "${ADDR[$1]}" -p "${PORT[$1]}" -d "$3.dns" -Q "$RATE" -l "$2" -t 1 -c 1 -q 100)
  fi
}

# reload_req NAME DIR
reload_req() {
  case $1 in
    cidns | nsd) kill -HUP "$SERVER" ;;
    knot) knotc -s "$2/knot.sock" zone-reload "$ORIGIN" >/dev/null ;;
  esac
}

# measure_server NAME V1 V2 QUERYFILE: sets M (launch_s launch_hwm launch_pss reload_s
# reload_hwm reload_pss sent failed; kB, seconds). Runs in this shell, so cleanup sees SERVER.
measure_server() {
  local s=$1 v1=$2 v2=$3 qf=$4 d t0 t1 hwm pss rt0 rt1 rhwm rpss whwm wpss secs sent failed
  d=$TMP/srv-$s
  rm -rf "$d"
  server_files "$s" "$d"
  cp "$v1" "$ZONE_AT"
  sync
  show "${CMD[@]}"
  t0=$EPOCHREALTIME
  "${CMD[@]}" >"$d/out.log" 2>&1 &
  SERVER=$!
  poll_args "$s"
  t1=$(python3 "$TMP/poll.py" 900 "${POLL[@]}") || { tail -n 20 "$d/out.log" >&2; die "$s gave no answer"; }
  read -r hwm pss < <(python3 "$TMP/mem.py" snap "$SERVER")
  kill -0 "$SERVER" 2>/dev/null || die "$s exited"
  say "  $s: first answer after $(python3 -c "print(f'{$t1 - $t0:.2f}')") s, peak RSS $((hwm / 1024)) MiB"
  # Reload: the next serial in place (a new file, renamed over: its own mtime), queries meanwhile.
  cp "$v2" "$ZONE_AT.new"
  mv "$ZONE_AT.new" "$ZONE_AT"
  touch "$ZONE_AT"
  sync
  secs=$(python3 -c "print(int(max(10, 3 * ($t1 - $t0) + 5)))")
  load_cmd "$s" "$secs" "$qf"
  "${LOAD[@]}" >"$d/load.out" 2>&1 &
  local load_pid=$!
  HELPERS+=("$load_pid")
  sleep 1
  python3 "$TMP/mem.py" reset "$SERVER"
  rm -f "$d/stop"
  python3 "$TMP/mem.py" watch "$SERVER" "$d/stop" >"$d/watch.out" &
  local watch_pid=$!
  HELPERS+=("$watch_pid")
  poll_args "$s" "$SERIAL2"
  rt0=$EPOCHREALTIME
  reload_req "$s" "$d"
  rt1=$(python3 "$TMP/poll.py" 900 "${POLL[@]}") || die "$s never answered serial $SERIAL2"
  kill -0 "$load_pid" 2>/dev/null ||
    say "compare-load: warning: $s: the queries ended before the reload did (failed counts a part)"
  sleep 1
  touch "$d/stop"
  wait "$watch_pid" || true
  read -r rhwm _ < <(python3 "$TMP/mem.py" snap "$SERVER")
  read -r whwm wpss _ <"$d/watch.out"
  ((whwm > rhwm)) && rhwm=$whwm
  rpss=$wpss
  wait "$load_pid" || true
  HELPERS=()
  if [[ $s == cidns ]]; then
    read -r sent failed < <(python3 "$TMP/failed.py" perf "$d/load.out") || die "$s: $(tail -n 3 "$d/load.out")"
  else
    read -r sent failed < <(python3 "$TMP/failed.py" dnsperf "$d/load.out") || die "$s: $(tail -n 3 "$d/load.out")"
  fi
  say "  $s: new serial after $(python3 -c "print(f'{$rt1 - $rt0:.2f}')") s, peak RSS $((rhwm / 1024)) MiB, $failed of $sent queries failed"
  stop_pid "$SERVER"
  SERVER=""
  M=("$(python3 -c "print(f'{$t1 - $t0:.3f}')")" "$hwm" "$pss"
    "$(python3 -c "print(f'{$rt1 - $rt0:.3f}')")" "$rhwm" "$rpss" "$sent" "$failed")
}

# zone_check NAME FILE: prints "seconds peak_kB"; the check must pass.
zone_check() {
  local s=$1 f=$2 c
  case $s in
    cidns) c=("$ADMIN" zone check "$f" --origin "$ORIGIN") ;;
    nsd) c=(nsd-checkzone "$ORIGIN" "$f") ;;
    knot) c=(kzonecheck -d off -o "$ORIGIN" "$f") ;;
  esac
  show "${c[@]}"
  /usr/bin/time -f "%e %M" -o "$TMP/time.out" "${c[@]}" >"$TMP/check.out" 2>&1 ||
    die "$s: zone check failed: $(tail -n 3 "$TMP/check.out")"
  cat "$TMP/time.out"
}

# ---- runs --------------------------------------------------------------------------------------
RESULTS=$TMP/results.tsv
printf 'size\tvariant\ttool\trecords\tlaunch_s\tlaunch_hwm\tlaunch_pss\treload_s\treload_hwm\treload_pss\tsent\tfailed\tcheck_s\tcheck_hwm\n' >"$RESULTS"
say "compare-load: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); $(nsd -v 2>&1 | head -n 1); $(knotd --version); $(ldns-signzone -v 2>/dev/null | head -n 1 || true)"
for n in $SIZES; do
  z=$TMP/z$n
  mkdir -p "$z"
  show "$GENZONE" --twin same-info "$n" "$z/cidns.zone" "$z/dns.zone"
  "$GENZONE" --twin same-info "$n" "$z/cidns.zone" "$z/dns.zone" >"$z/gen.out"
  cat "$z/gen.out" >&2
  for f in cidns dns; do
    sed "0,/$SERIAL1/s//$SERIAL2/" "$z/$f.zone" >"$z/$f-2.zone"
  done
  # Queries: every 7th resource's name (all exist), for the load during reloads.
  awk -v o="$ORIGIN" -v n="$n" 'BEGIN { for (i = 0; i < n; i += 7) print "r" i ".pool" int(i / 1000) "." o }' >"$z/queries"
  sed 's/$/ TXT/' "$z/queries" >"$z/queries.dns"
  variants=(unsigned)
  if ((SIGNED)); then
    variants+=(signed)
    mkdir -p "$z/keys"
    show "$ADMIN" keygen --zone "$ORIGIN" --out "$z/keys"
    ckey=$("$ADMIN" keygen --zone "$ORIGIN" --out "$z/keys" | grep '\.private$')
    show ldns-keygen -a ED25519 "$ORIGIN"
    lkey=$z/keys/$(cd "$z/keys" && ldns-keygen -a ED25519 "$ORIGIN")
    for v in "" -2; do
      show "$ADMIN" zone sign "$z/cidns$v.zone" --key "$ckey" --inception 20261201000000 --expiration 20270101000000 -o "$z/cidns$v.signed"
      "$ADMIN" zone sign "$z/cidns$v.zone" --key "$ckey" --inception 20261201000000 \
        --expiration 20270101000000 -q -o "$z/cidns$v.signed"
      show ldns-signzone -i 20261201000000 -e 20270101000000 -f "$z/dns$v.signed" "$z/dns$v.zone" "$lkey"
      ldns-signzone -i 20261201000000 -e 20270101000000 -f "$z/dns$v.signed" "$z/dns$v.zone" "$lkey"
    done
  fi
  for variant in "${variants[@]}"; do
    if [[ $variant == signed ]]; then ext=signed; else ext=zone; fi
    for s in cidns nsd knot; do
      if [[ $s == cidns ]]; then v1=$z/cidns.$ext v2=$z/cidns-2.$ext; else v1=$z/dns.$ext v2=$z/dns-2.$ext; fi
      records=$(grep -c -v -E '^[[:space:]]*($|;|\$|\))' "$v1" || true)
      [[ $variant == unsigned ]] && records=$((3 * n + 3))
      say "compare-load: $n resources, $variant, $s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
      read -r cs chwm < <(zone_check "$s" "$v1")
      M=()
      measure_server "$s" "$v1" "$v2" "$z/queries"
      read -r ls lhwm lpss rs rhwm rpss sent failed <<<"${M[*]}"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$variant" "$s" \
        "$records" "$ls" "$((lhwm / 1024))" "$((lpss / 1024))" "$rs" "$((rhwm / 1024))" \
        "$((rpss / 1024))" "$sent" "$failed" "$cs" "$((chwm / 1024))" >>"$RESULTS"
    done
  done
  rm -rf "$z"
done

python3 "$TMP/table.py" "$RESULTS"
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs (other work disturbs the figures)."
echo
echo "Servers (one at a time, one serving thread each; ${RATE} queries/s for existing names during each reload):"
for s in cidns nsd knot; do
  server_files "$s" "$TMP/srv-$s"
  printf -v q ' %q' "${CMD[@]}"
  echo " ${q}"
done
echo "Reload: cidns-authd and nsd SIGHUP, knotd knotc zone-reload; zone check: cidns-admin zone check,"
echo "nsd-checkzone, kzonecheck -d off (no DNSSEC verification, as the other two)."
