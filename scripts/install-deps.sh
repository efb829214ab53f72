#!/usr/bin/env bash
# Installs the Debian packages iscsim needs and changes nothing else about the machine: no
# service starts during the install (a policy-rc.d forbids it; the previous one is put back),
# a service the install enabled is disabled again (tgt ships tgt.service, which would hold
# port 3260), one that was enabled before is left alone, and apt's output goes to a log file
# (${XDG_CACHE_HOME:-~/.cache}/iscsim/install-deps.log) with a short summary here.
# Idempotent: when every package is present it does nothing at all.
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
  python3-pandas  # analysis/: the figure and table scripts read results with pandas
  chromium  # the report's test opens it headless (no service: a browser binary only)
  libiscsi-bin tgt  # wire mode interop: libiscsi's tools and test suite, the tgtd reference target
  slurmctld slurmd slurm-client munge  # `iscsim sweep --slurm`: its test starts a one-node Slurm of its own
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
as_root() { "${sudo_cmd[@]}" "$@"; }

log_dir="${XDG_CACHE_HOME:-$HOME/.cache}/iscsim"
mkdir -p "$log_dir" 2>/dev/null || log_dir="${TMPDIR:-/tmp}"
log="$log_dir/install-deps.log"
: >"$log"

# What enables a service: systemd's wants/requires links and SysV start links.
enabled_links() {
  {
    find /etc/systemd/system -path '*.wants/*' -o -path '*.requires/*'
    find /etc/rc[0-6S].d -name 'S*'
  } 2>/dev/null | LC_ALL=C sort
}
links_before=$(enabled_links)

# invoke-rc.d and deb-systemd-invoke ask policy-rc.d before starting anything; 101 is "no".
policy=/usr/sbin/policy-rc.d
saved_policy=""
if [ -e "$policy" ]; then
  saved_policy=$(mktemp)
  as_root cat "$policy" >"$saved_policy"
fi
restore_policy() {
  if [ -n "$saved_policy" ]; then
    as_root tee "$policy" <"$saved_policy" >/dev/null
    rm -f "$saved_policy"
  else
    as_root rm -f "$policy"
  fi
}
trap restore_policy EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
printf '#!/bin/sh\n# scripts/install-deps.sh of iscsim: start no service while installing\nexit 101\n' |
  as_root tee "$policy" >/dev/null
as_root chmod 755 "$policy"

echo "install-deps: installing ${missing[*]} (apt's output: $log)" >&2
export DEBIAN_FRONTEND=noninteractive
if ! {
  as_root apt-get update &&
    # tshark asks whether non-root users may capture; answer no without a prompt.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections &&
    as_root apt-get install -y --no-install-recommends "${missing[@]}"
} >>"$log" 2>&1; then
  echo "install-deps: apt failed; the end of $log:" >&2
  tail -n 20 "$log" >&2
  exit 1
fi

# A service the install enabled that had no link before is disabled again; a service that was
# enabled before keeps every link, new ones included.
declare -A disabled=()
for link in $(LC_ALL=C comm -13 <(echo "$links_before") <(enabled_links)); do
  name=$(basename "$link")
  case "$link" in
    /etc/systemd/*)
      if [ -z "${disabled[$name]:-}" ] && ! grep -q "/$name\$" <<<"$links_before"; then
        if command -v systemctl >/dev/null; then
          as_root systemctl --root=/ --quiet disable "$name" >>"$log" 2>&1
        else
          as_root rm -f "$link"
        fi
        disabled[$name]=1
      fi
      ;;
    *)
      script=${name#S[0-9][0-9]}
      if [ -z "${disabled[$script]:-}" ] && ! grep -Eq "/S[0-9]{2}$script\$" <<<"$links_before"; then
        # Also removes the links of a systemd unit of the same name.
        as_root update-rc.d "$script" disable >>"$log" 2>&1
        disabled[$script]=1
      fi
      ;;
  esac
done

echo "install-deps: installed ${#missing[@]} package(s)." >&2
if [ ${#disabled[@]} -gt 0 ]; then
  echo "install-deps: services they brought are not enabled and were not started: ${!disabled[*]}" >&2
fi
