#!/usr/bin/env bash
# Installs the Debian packages iscsim needs. Idempotent: installs nothing when all are present.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  clang
  libsimgrid-dev
  libboost-program-options-dev libboost-dev
  nlohmann-json3-dev
  libeigen3-dev
  libgtest-dev libgmock-dev
  libbenchmark-dev
  libpcap-dev
  nettle-dev
  tshark
  python3-matplotlib
  libiscsi-bin tgt  # wire mode interop: libiscsi's tools and test suite, the tgtd reference target
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | "${sudo_cmd[@]}" debconf-set-selections
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
