# shellcheck shell=sh
# Pruning old deploy state on the target, never anything else.
. ./lib-stop.sh

# prune_runs STATE_DIR KEEP LOCK_DIR: removes deploy state folders (named by their token,
# d<time in base 36><hex>, so they sort by age) but the newest KEEP, and never one whose
# watchdog or activation still runs.
prune_runs() {
  # A stateDir that is a symlink points elsewhere: nothing there is ours to remove.
  [ -L "$1" ] && return 0
  total=0
  for d in "$1"/d*; do
    is_run "$d" "$3" && total=$((total + 1))
  done
  extra=$((total - $2))
  for d in "$1"/d*; do
    [ "$extra" -gt 0 ] || return 0
    is_run "$d" "$3" || continue
    extra=$((extra - 1))
    pid_alive "$d/watchdog.pid" || pid_alive "$d/activation.pid" || unit_alive watchdog "$d" || unit_alive activate "$d" || rm -rf "$d"
  done
}
# is_run PATH LOCK_DIR: a deploy state folder: a token's name (d, then 16 or more of [0-9a-z]), a
# real folder (no symlink), not the lock, holding what only a deploy writes there. A stateDir
# set to a system folder by mistake (/usr/bin has dash, date, dd, ...) loses nothing.
is_run() {
  n=${1##*/}
  case "$n" in d????????????????*) ;; *) return 1 ;; esac
  case "$n" in d*[!0-9a-z]*) return 1 ;; esac
  [ -d "$1" ] && [ ! -L "$1" ] && [ "$1" != "$2" ] || return 1
  [ -e "$1/activation.log" ] || [ -e "$1/decision" ]
}
