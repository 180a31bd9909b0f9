#!/usr/bin/env bash
# Signs the example hierarchy end to end (zonefiles/README.md): one key per
# operator (a combined key, flags zone|sep), mixed algorithms (Ed25519 for most,
# P-256 for hpcloud.cn-north., SM2 for ascend.cn-east.), each parent publishing a
# DS for every child, and the root's DS written as the trust anchor.
#
#   bash zonefiles/sign.sh [--new-keys] [--out DIR] [--validity 365d] [--admin PATH]
#
# Keys live in zonefiles/keys/ (demo keys, committed: never use them for anything
# real); they are reused unless --new-keys (or none exist). The signed zones go to
# DIR (default zonefiles/signed/) as <zone>.zone, with DIR/root.anchor (the root's
# DS, what a resolver takes as --trust-anchor). The unsigned sources in zonefiles/
# are never changed: a parent's DS records are appended to a copy before signing.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

new_keys=0 out=$here/signed validity=365d admin=$root/build/release/server/cidns-admin
while (($#)); do
  case $1 in
    --new-keys) new_keys=1 ;;
    --out) out=$2; shift ;;
    --validity) validity=$2; shift ;;
    --admin) admin=$2; shift ;;
    -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "sign.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ -x $admin ]] || { echo "sign.sh: $admin not built (ninja -C build/release cidns-admin)" >&2; exit 2; }

# Parents before children: "ZONE FILE ALGORITHM".
zones=(
  ".                 root.zone               ed25519"
  "cn-north.         cn-north.zone           ed25519"
  "cn-east.          cn-east.zone            ed25519"
  "fin.              fin.zone                ed25519"
  "provx.cn-north.   provx.cn-north.zone     ed25519"
  "hpcloud.cn-north. hpcloud.cn-north.zone   p256"
  "ascend.cn-east.   ascend.cn-east.zone     sm2"
  "yangtze.cn-east.  yangtze.cn-east.zone    ed25519"
  "quantfin.fin.     quantfin.fin.zone       ed25519"
)
keys=$here/keys
mkdir -p "$keys" "$out"
if ((new_keys)); then rm -f "$keys"/K*.key "$keys"/K*.private; fi

key_of() {  # ZONE -> the .private file of its key
  local f
  for f in "$keys/K$1+"*.private; do [[ -e $f ]] && { echo "$f"; return; }; done
}

for entry in "${zones[@]}"; do
  read -r zone file alg <<<"$entry"
  if [[ -z $(key_of "$zone") ]]; then
    "$admin" keygen --zone "$zone" --alg "$alg" --ksk --out "$keys" >/dev/null
    echo "sign.sh: new $alg key for $zone: $(basename "$(key_of "$zone")" .private)"
  fi
done

# The DS records each parent publishes: every zone's DS goes to its parent.
ds_dir=$(mktemp -d)
trap 'rm -rf "$ds_dir"' EXIT
for entry in "${zones[@]}"; do
  read -r zone file alg <<<"$entry"
  key=$(key_of "$zone")
  if [[ $zone == . ]]; then
    "$admin" zone ds "$key" >"$out/root.anchor"
    continue
  fi
  parent=${zone#*.}
  [[ -n $parent ]] || parent=.
  "$admin" zone ds "$key" >>"$ds_dir/ds-$parent"
done

for entry in "${zones[@]}"; do
  read -r zone file alg <<<"$entry"
  src=$here/$file
  if [[ -s $ds_dir/ds-$zone ]]; then
    cat "$here/$file" "$ds_dir/ds-$zone" >"$ds_dir/$file"
    src=$ds_dir/$file
  fi
  "$admin" zone sign "$src" --origin "$zone" --key "$(key_of "$zone")" --validity "$validity" \
    --quiet -o "$out/$file"
  "$admin" zone verify "$out/$file" --origin "$zone" >/dev/null ||
    { echo "sign.sh: $out/$file does not verify" >&2; exit 1; }
done
"$admin" zone verify "$out/root.zone" --origin . --anchor "$out/root.anchor" >/dev/null
echo "sign.sh: signed ${#zones[@]} zones into $out (valid $validity); trust anchor $out/root.anchor"
