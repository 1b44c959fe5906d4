#!/usr/bin/env bash
# Installs the system tools the tests use (Nix 2.8 from Debian, OpenSSH, iproute2, busybox and dash
# (the shells the remote scripts' specs run in, with bash), shellcheck (which checks them), age,
# iptables and nftables, which load the firewall rules the profiles write in a test namespace,
# prometheus for promtool, which checks the alert rules, and systemd-container and sudo for the
# systemd test hosts: systemd-nspawn boots them, sudo runs a deploy user's privileged steps),
# writes an offline Nix configuration and makes the Nix store (/nix). Idempotent: safe to run on
# every CI start.
set -euo pipefail

pkgs=(nix-bin busybox-static dash shellcheck git openssh-server openssh-client iproute2 util-linux procps age iptables nftables prometheus systemd-container sudo curl)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian's prometheus package starts its server where systemd runs; the tests only need promtool.
if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled -q prometheus 2>/dev/null; then
  systemctl disable --now prometheus >/dev/null 2>&1 || true
fi

# Offline Nix: no daemon, no nixbld group, no binary cache, no network registry.
mkdir -p /etc/nix
[ -f /etc/nix/registry.json ] || echo '{"flakes":[],"version":2}' > /etc/nix/registry.json
conf=/etc/nix/nix.conf
want=(
  'experimental-features = nix-command flakes'
  'build-users-group ='
  'sandbox = true'
  'sandbox-paths = /bin/sh=/bin/busybox /bin/busybox'
  'substituters ='
  'flake-registry = /etc/nix/registry.json'
)
touch "$conf"
for line in "${want[@]}"; do
  key=${line%% =*}
  if grep -qE "^${key} =" "$conf"; then
    sed -i "s|^${key} =.*|${line}|" "$conf"
  else
    echo "$line" >> "$conf"
  fi
done
git config --global --get-all safe.directory 2>/dev/null | grep -qx '\*' || git config --global --add safe.directory '*'
git config --global user.email >/dev/null 2>&1 || git config --global user.email ci@nix-fleet.invalid
git config --global user.name >/dev/null 2>&1 || git config --global user.name nix-fleet-ci
# Nix makes /nix on first use, but the tour's and the tests' hosts bind-mount onto /nix before
# anything has used Nix: on a machine where Nix never ran that failed with "mount: /nix: mount
# point does not exist". Make the store now.
[ -d /nix/store ] || nix-store --init
[ -d /nix/store ] || { echo "setup: nix-store --init did not make /nix/store" >&2; exit 1; }
nix --version
