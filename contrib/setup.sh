#!/usr/bin/env bash
# Installs the Debian 12 packages cidns needs to build, test, fuzz, benchmark and
# run the demo. Quick and silent when everything is there already: it asks dpkg
# first and runs apt-get (update + install) only for what is missing.
# Usage: bash contrib/setup.sh        (as root, or as a user with sudo)
set -euo pipefail

packages=(
  # build
  build-essential g++ cmake ninja-build pkg-config git
  # libraries
  libprotozero-dev liblmdb-dev libboost-dev libboost-system-dev libssl-dev libfmt-dev
  libcli11-dev libtoml11-dev nlohmann-json3-dev
  # tests: gtest, interop against libprotobuf
  libgtest-dev libgmock-dev googletest libprotobuf-dev protobuf-compiler python3
  # fuzzing (libFuzzer lives in libclang-rt-14-dev), sanitizer symbols, formatting
  clang clang-14 libclang-rt-14-dev lld llvm clang-format-14
  # benchmarks, operations and peers for comparison (docs: BENCHMARKING)
  libbenchmark-dev lmdb-utils nsd dnsperf ldnsutils openssl procps iproute2 time
  unbound knot-resolver
)

declare -A installed=()
while read -r name status; do
  [[ $status == installed ]] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for p in "${packages[@]}"; do
  [[ -n ${installed[$p]:-} ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup.sh: installing ${#missing[@]} missing package(s): ${missing[*]}"
sudo=()
if ((EUID != 0)); then
  if ! command -v sudo >/dev/null; then
    echo "setup.sh: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  sudo=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-q -y -o Dpkg::Use-Pty=0 -o APT::Install-Recommends=false)
# Daemons shipped by peers (nsd) must not be started by the package scripts.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  own_policy=1
fi
cleanup() { if ((own_policy)); then "${sudo[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT

log=$(mktemp)
for step in update "install ${missing[*]}"; do
  # shellcheck disable=SC2086 # step is "update" or "install PKG..."
  if ! "${sudo[@]}" apt-get "${apt_opts[@]}" $step </dev/null >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "setup.sh: apt-get ${step%% *} failed" >&2
    exit 1
  fi
done
rm -f "$log"
echo "setup.sh: installed ${missing[*]}"
