#!/usr/bin/env bash
# Zone signing, cidns against ldns: generates a zone of N resources (gen-zone: DESC, STATE, EP
# each) and its DNS twin, makes an Ed25519 key for each tool, then times, alternating, RUNS
# times each: `cidns-admin zone sign -j JOBS`, `ldns-signzone` (single-threaded: it has no
# thread option) and `cidns-admin zone sign -j 1`, with /usr/bin/time (elapsed, peak RSS, CPU),
# and prints a table: records in, signatures made, seconds of each run, peak RSS, and the ratios
# ldns/cidns for time and cidns/ldns for memory, from the same round.
# Run with --help for the options.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

usage() {
  cat <<'EOF'
usage: contrib/bench/compare-sign-zone.sh [--resources N] [--work DIR] [--runs R] [--jobs J]
                                          [--twin full|txt] [--no-j1] [--keep]

Signs a synthetic zone of N resources with `cidns-admin zone sign` and its DNS twin with
`ldns-signzone`, both with a fresh Ed25519 key and the same fixed validity window, in the
same session, alternating: each round runs cidns -j J, ldns-signzone, cidns -j 1.

  --resources N   resources in the zone (default 1000000)
  --work DIR      where the zones, keys and signed outputs go (default build/sign-zone-work;
                  a 1,000,000-resource run needs about 5 GB there). A fresh subdirectory is
                  made inside and removed at the end unless --keep.
  --runs R        rounds (default 2)
  --jobs J        threads of the parallel cidns run (default 2)
  --twin full     (default) the twin gen-zone writes (one TXT per resource holding the DESC
                  text) plus, per resource, its STATE as an SPF RRset (TXT format, a type of
                  its own) and its EP as an SVCB RRset: ldns-signzone then signs the same
                  number of RRsets as cidns (4 per resource with the NSEC)
  --twin txt      gen-zone's twin as it is: 2 RRsets per resource (TXT, NSEC), half the
                  signatures of cidns; compare the per-signature figures then
  --no-j1         skip the single-threaded cidns run
  --keep          keep the work directory
Environment: BUILD_DIR (build/release).

ldns-signzone has no thread option: it always signs on one core.
EOF
}

n=1000000
base=build/sign-zone-work
runs=2
jobs=2
twin=full
j1=1
keep=0
while (($#)); do
  case $1 in
    --resources) n=${2:?}; shift 2 ;;
    --work) base=${2:?}; shift 2 ;;
    --runs) runs=${2:?}; shift 2 ;;
    --jobs) jobs=${2:?}; shift 2 ;;
    --twin) twin=${2:?}; shift 2 ;;
    --no-j1) j1=0; shift ;;
    --keep) keep=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
for v in n runs jobs; do
  [[ ${!v} =~ ^[0-9]+$ ]] && ((${!v} >= 1)) || { echo "compare-sign-zone.sh: bad number '${!v}'" >&2; exit 2; }
done
[[ $twin == full || $twin == txt ]] || { echo "compare-sign-zone.sh: --twin full or txt" >&2; exit 2; }

build=${BUILD_DIR:-build/release}
admin=$build/server/cidns-admin
gen=$build/contrib/bench/gen-zone
for tool in ldns-signzone ldns-keygen /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "compare-sign-zone.sh: $tool not found (ldnsutils, time, python3)" >&2; exit 1; }
done
if [[ ! -x $admin || ! -x $gen ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" --parallel "${JOBS:-2}" --target cidns-admin gen-zone
fi
admin=$(realpath "$admin")
gen=$(realpath "$gen")

mkdir -p "$base"
work=$(mktemp -d "$(realpath "$base")/run.XXXXXX")
cleanup() { if ((keep)); then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
origin=provx.cn-north.
# One validity window for both tools, so runs are comparable and outputs reproducible.
inception=$(date -u -d '1 hour ago' +%Y%m%d%H%M%S)
expiration=$(date -u -d '30 days' +%Y%m%d%H%M%S)

echo "machine: $(nproc) CPUs ($(nproc --all) online), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -r)"
echo "cidns: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (with local changes)'), $(grep -m1 '^CMAKE_BUILD_TYPE' "$build/CMakeCache.txt" 2>/dev/null | cut -d= -f2) build, $(grep -m1 '^CMAKE_CXX_COMPILER:' "$build/CMakeCache.txt" 2>/dev/null | cut -d= -f2 | xargs -r basename) $(gcc -dumpfullversion 2>/dev/null)"
echo "ldns: $(ldns-signzone -v 2>&1 | head -1); $(openssl version)"
echo "work directory: $work ($(df -h --output=avail "$work" | tail -1 | tr -d ' ') free)"
echo

# ---- zones -------------------------------------------------------------------------------------
echo "\$ $gen $n cidns.zone dns-txt.zone"
(cd "$work" && "$gen" "$n" cidns.zone dns-txt.zone) | tee "$work/gen.out"
cidns_in=$(awk '$1 == "cidns.zone:" { print $2 }' "$work/gen.out")
txt_in=$(awk '$1 == "dns-txt.zone:" { print $2 }' "$work/gen.out")
if [[ $twin == full ]]; then
  # The STATE and EP lines of the cidns zone, in resource order (gen-zone writes both zones in
  # the same order), become an SPF (TXT-format strings, a type of its own so it is an RRset of
  # its own) and an SVCB after each resource's TXT in the twin:
  #   "  30s STATE free=0 score=0 ..."               -> "  30 SPF \"free=0\" \"score=0\" ..."
  #   "  EP 10 1 grpc gw0.provx.example 443 alpn=h2 auth=mtls path=/v1"
  #     -> "  SVCB 10 gw0.provx.example. alpn=h2 port=443 key65280=\"grpc\" key65281=\"1\"
  #         key65282=\"mtls\" key65283=\"/v1\""   (protocol, weight, then the other parameters)
  echo "making the full twin: TXT (DESC) + SPF (STATE) + SVCB (EP) per resource"
  awk '$1 == "STATE" || $2 == "STATE" || $1 == "EP"' "$work/cidns.zone" >"$work/side.txt"
  awk -v side="$work/side.txt" -v want="$n" '
    function q(s) { gsub(/[\\"]/, "\\\\&", s); return "\"" s "\"" }
    function ttl(s,   v) {
      if (s ~ /^[0-9]+$/) return s
      v = substr(s, 1, length(s) - 1) + 0
      if (s ~ /s$/) return v; if (s ~ /m$/) return v * 60; if (s ~ /h$/) return v * 3600
      if (s ~ /d$/) return v * 86400; return ""
    }
    function extra(   line, f, k, i, out, key, target) {
      if ((getline line < side) <= 0) { print "side file ended early" > "/dev/stderr"; exit 1 }
      k = split(line, f, /[ \t]+/)
      i = f[1] == "" ? 2 : 1
      if (f[i] == "STATE" || f[i + 1] == "STATE") {
        out = "  "
        if (f[i] != "STATE") { out = out ttl(f[i]) " "; i++ }
        out = out "SPF"
        for (i++; i <= k; i++) if (f[i] != "") out = out " " q(f[i])
        return out
      }
      # EP PRIORITY WEIGHT PROTOCOL TARGET PORT PARAMS...
      target = f[i + 4]; if (target !~ /\.$/) target = target "."
      out = "  SVCB " f[i + 1] " " target
      key = 65282
      for (p = i + 6; p <= k; p++) if (f[p] ~ /^alpn=/) out = out " " f[p]
      out = out " port=" f[i + 5] " key65280=" q(f[i + 3]) " key65281=" q(f[i + 2])
      for (p = i + 6; p <= k; p++) {
        if (f[p] == "" || f[p] ~ /^alpn=/) continue
        v = f[p]; sub(/^[^=]*=/, "", v)
        out = out " key" key++ "=" q(v)
      }
      return out
    }
    { print }
    $1 ~ /^r[0-9]/ { open = 1; count++ }
    open && /\)[ \t]*$/ { print extra(); print extra(); open = 0 }
    END {
      if (count != want) { print "twin: " count " resources, expected " want > "/dev/stderr"; exit 1 }
      if ((getline line < side) > 0) { print "side file has more lines" > "/dev/stderr"; exit 1 }
    }' "$work/dns-txt.zone" >"$work/dns.zone"
  rm -f "$work/side.txt" "$work/dns-txt.zone"
  dns_in=$((txt_in + 2 * n))
  per_ldns="TXT (DESC), SPF (STATE), SVCB (EP), NSEC"
else
  mv "$work/dns-txt.zone" "$work/dns.zone"
  dns_in=$txt_in
  per_ldns="TXT (DESC), NSEC"
fi
cidns_bytes=$(stat -c %s "$work/cidns.zone")
dns_bytes=$(stat -c %s "$work/dns.zone")

# ---- keys --------------------------------------------------------------------------------------
mkdir "$work/keys"
echo "\$ cidns-admin keygen --zone $origin --alg ed25519 --out $work/keys"
cidns_key=$("$admin" keygen --zone "$origin" --alg ed25519 --out "$work/keys" | grep '\.private$')
echo "\$ (cd $work/keys && ldns-keygen -a ED25519 $origin)"
ldns_key=$work/keys/$(cd "$work/keys" && ldns-keygen -a ED25519 "$origin")
echo "keys: $cidns_key, $ldns_key"
echo

# ---- runs --------------------------------------------------------------------------------------
# cpu_ticks: "busy steal" ticks of all CPUs from /proc/stat (busy: user nice system irq softirq;
# steal: time the hypervisor gave this VM's CPUs to someone else).
cpu_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $9; exit }' /proc/stat; }
tck=$(getconf CLK_TCK)
# measure LABEL OUTPUT COMMAND...: appends "LABEL round wall rss_kib user sys others steal sigs"
# to results: others is the CPU time the rest of the machine used during the run (all CPUs'
# busy time less the command's own user + sys), steal the CPU time the hypervisor took, both
# in seconds; sigs counts the SIG (cidns) or RRSIG (ldns) records in OUTPUT (the type column:
# NSEC type lists also name SIG/RRSIG).
measure() {
  local label=$1 output=$2 before after others steal sigs
  shift 2
  echo "  \$ $*"
  rm -f "$output"
  before=$(cpu_ticks)
  if ! /usr/bin/time -f '%e %M %U %S' -o "$work/time" "$@" >"$work/$label.log" 2>&1; then
    cat "$work/$label.log" >&2
    exit 1
  fi
  after=$(cpu_ticks)
  read -r others steal < <(echo "$before $after $(cat "$work/time")" |
    awk -v t="$tck" '{ printf "%.1f %.1f\n", ($3 - $1) / t - $7 - $8, ($4 - $2) / t }')
  sed 's/^/    /' "$work/$label.log" | tail -3
  case $label in
    ldns) sigs=$(awk '$4 == "RRSIG" { n++ } END { print n + 0 }' "$output") ;;
    *) sigs=$(awk '$3 == "SIG" { n++ } END { print n + 0 }' "$output") ;;
  esac
  echo "    $(cat "$work/time") (s, KiB, user s, sys s); others' CPU ${others} s, steal ${steal} s; $sigs signatures"
  echo "$label $round $(cat "$work/time") $others $steal $sigs" >>"$work/results"
}
cidns_sign() {
  measure "$1" "$work/$1.signed" "$admin" zone sign "$work/cidns.zone" --origin "$origin" \
    -k "$cidns_key" -j "$2" --inception "$inception" --expiration "$expiration" -o "$work/$1.signed"
}
for ((round = 1; round <= runs; round++)); do
  echo "round $round/$runs"
  cidns_sign cidns-j$jobs "$jobs"
  measure ldns "$work/ldns.signed" ldns-signzone -o "$origin" -i "$inception" -e "$expiration" \
    -f "$work/ldns.signed" "$work/dns.zone" "$ldns_key"
  ((j1)) && cidns_sign cidns-j1 1
done
same=
if ((j1)) && ((jobs != 1)); then
  cmp -s "$work/cidns-j$jobs.signed" "$work/cidns-j1.signed" && same=yes || same=NO
fi

python3 - "$work/results" "$n" "$twin" "$jobs" "$cidns_in" "$dns_in" "$cidns_bytes" "$dns_bytes" \
  "$per_ldns" "$same" <<'PY'
import sys
path, n, twin, jobs = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
cidns_in, dns_in, cb, db = map(int, sys.argv[5:9])
per_ldns, same = sys.argv[9], sys.argv[10]
rows = {}
for line in open(path):
    label, rnd, wall, rss, user, sys_, others, steal, sigs = line.split()
    rows.setdefault(label, []).append(dict(wall=float(wall), rss=int(rss) / 1024,
        cpu=float(user) + float(sys_), others=max(0.0, float(others)), steal=float(steal),
        sigs=int(sigs)))
def rng(v, f="{:.2f}"):
    lo, hi = min(v), max(v)
    return f.format(lo) if f.format(lo) == f.format(hi) else f.format(lo) + "-" + f.format(hi)
def each(v, f="{:.2f}"):
    return " / ".join(f.format(x) for x in v)
ldns = rows["ldns"]
print()
print(f"{n:,} resources. cidns zone: {cb/1e6:.0f} MB, {cidns_in:,} records; DNS twin ({twin}): "
      f"{db/1e6:.0f} MB, {dns_in:,} records.")
print(f"RRsets signed per resource: cidns 4 (DESC, STATE, EP, NSEC); ldns-signzone "
      f"{4 if twin == 'full' else 2} ({per_ldns}).")
if twin == "txt":
    print("  gen-zone's twin holds only the DESC text: ldns-signzone makes half the signatures "
          "of cidns; the µs/signature column is the fair figure.")
else:
    print("  The twin's STATE is an SPF RRset (TXT-format strings under a type of its own) and its "
          "EP an SVCB RRset: the same RRsets as cidns, with similar sizes.")
print("ldns-signzone has no thread option: it signs on one core. Times: elapsed seconds of "
      "each round; CPU = user + sys. Ratios pair the runs of the same round.")
print()
hdr = ["tool", "threads", "records in", "signatures", "seconds (each run)", "CPU s",
       "peak RSS MiB", "µs CPU/signature", "ldns/cidns time", "ldns/cidns CPU", "cidns/ldns memory"]
print("| " + " | ".join(hdr) + " |")
print("|" + "---|" * len(hdr))
order = [k for k in rows if k.startswith("cidns-j") and k != "cidns-j1"] + ["ldns"] + \
        (["cidns-j1"] if "cidns-j1" in rows else [])
for label in order:
    r = rows[label]
    sigs = rng([x["sigs"] for x in r], "{:,}")
    per = [x["cpu"] / x["sigs"] * 1e6 for x in r]
    if label == "ldns":
        name, threads, rin, tr, cr, mr = "ldns-signzone", "1", dns_in, "1", "1", "1"
    else:
        name, threads, rin = "cidns-admin zone sign", label[len("cidns-j"):], cidns_in
        k = min(len(r), len(ldns))
        tr = rng([ldns[i]["wall"] / r[i]["wall"] for i in range(k)])
        cr = rng([ldns[i]["cpu"] / r[i]["cpu"] for i in range(k)])
        mr = rng([r[i]["rss"] / ldns[i]["rss"] for i in range(k)])
    print(f"| {name} | {threads} | {rin:,} | {sigs} | {each([x['wall'] for x in r])} | "
          f"{rng([x['cpu'] for x in r])} | {rng([x['rss'] for x in r], '{:.0f}')} | "
          f"{rng(per, '{:.1f}')} | {tr} | {cr} | {mr} |")
print()
for label in order:
    r = rows[label]
    print(f"{label}: signatures/s (wall) {rng([x['sigs'] / x['wall'] for x in r], '{:,.0f}')}, "
          f"CPU s used by other processes during each run: {each([x['others'] for x in r], '{:.1f}')}"
          f", stolen by the hypervisor: {each([x['steal'] for x in r], '{:.1f}')}")
if twin == "txt":
    for label in order:
        if label == "ldns":
            continue
        r = rows[label]
        k = min(len(r), len(ldns))
        print(f"per signature, ldns/{label} wall: " + rng(
            [(ldns[i]["wall"] / ldns[i]["sigs"]) / (r[i]["wall"] / r[i]["sigs"]) for i in range(k)]))
if same:
    print(f"cidns -j {jobs} and -j 1 outputs identical: {same}")
print("Elapsed times, and the -j speed-up most, depend on what else runs: a run during which other "
      "processes used more than a few CPU seconds, or the hypervisor stole some, did not have "
      "the cores to itself; CPU s and µs/signature are the steadier figures then.")
PY
