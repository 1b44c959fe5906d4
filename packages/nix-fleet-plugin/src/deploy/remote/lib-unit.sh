# shellcheck shell=sh
# Work that must outlive the ssh session as a transient systemd unit, where the target runs
# systemd (as nixos-rebuild-ng does): a unit is outside every session's cgroup, so neither the
# session's end nor an sshd restart (which may kill every process in ssh.service's cgroup) ends
# it. Where no systemd runs, the callers use setsid.

# has_systemd: systemd is PID 1 here and systemd-run exists.
has_systemd() { [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; }

# sd_run UNIT WHAT OUT ERR WAIT ARGV...: ARGV as the transient unit UNIT, its output appended to
# the files OUT and ERR. WAIT is --wait (wait for the unit, exit with its exit code) or ''.
# systemd expands $NAME and ${NAME} in a unit's command line, also one sent over D-Bus (a
# script's ${rc} became ''), so every $ is doubled: $$ is a literal $. The description is ours:
# systemd writes the default one, the command line, into the unit's file, where a script's lines
# would be read as settings. TimeoutStopSec: a stop sends SIGKILL to the whole unit this long
# after SIGTERM.
sd_run() {
  sd_unit=$1; sd_what=$2; sd_out=$3; sd_err=$4; sd_wait=$5; shift 5
  sd_n=$#
  for sd_word do set -- "$@" "$(printf '%s\n' "$sd_word" | sed 's/\$/$$/g')"; done
  shift "$sd_n"
  # Unquoted on purpose: '' is no word.
  # shellcheck disable=SC2086
  systemd-run --unit="$sd_unit" --description="nix-fleet $sd_what of deploy ${sd_unit##*-}" --collect \
    --no-ask-password --quiet $sd_wait --service-type=exec -p TimeoutStopSec=5s --setenv=PATH="$PATH" \
    -p StandardOutput="append:$sd_out" -p StandardError="append:$sd_err" "$@"
}

# unit_alive KIND RUN_DIR: that deploy's watchdog or activation runs as a unit (KIND watchdog or activate).
unit_alive() { systemctl is-active -q "nix-fleet-$1-${2##*/}.service" 2>/dev/null; }

# stop_watchdog_unit RUN_DIR: the decision is taken; --no-block: nothing waits for the watchdog.
stop_watchdog_unit() {
  if has_systemd; then systemctl stop --no-block "nix-fleet-watchdog-${1##*/}.service" 2>/dev/null; fi
  return 0
}
