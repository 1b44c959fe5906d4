# shellcheck shell=sh
# A Nix profile's generations: the links PROFILE-N-link beside it, and where links lead.

# resolve LINK: where LINK leads, nothing when it leads nowhere (readlink -f prints a missing
# last component as it is, and a fresh host has no system yet).
resolve() { if [ -e "$1" ]; then readlink -f "$1"; fi; }
# gen_of LINK_NAME: the number of a generation link's name, e.g. 41 of system-41-link.
gen_of() { printf '%s\n' "$1" | sed -n 's/^.*-\([0-9][0-9]*\)-link$/\1/p'; }
# generation_numbers PROFILE: the numbers of the profile's generation links, one a line.
generation_numbers() {
  for l in "$1"-*-link; do
    [ -L "$l" ] || continue
    n=${l#"$1"-}; n=${n%-link}
    case "$n" in ''|*[!0-9]*) continue ;; esac
    echo "$n"
  done
}
# max_generation PROFILE: the highest generation number, 0 when there is none.
max_generation() {
  m=0
  for n in $(generation_numbers "$1"); do [ "$n" -gt "$m" ] && m=$n; done
  echo "$m"
}
# newer_generations PROFILE MAX: generations numbered above MAX, the highest recorded under the
# lock: only those can be this run's. An empty MAX (unknown) names none.
newer_generations() {
  case "$2" in ''|*[!0-9]*) return 0 ;; esac
  for n in $(generation_numbers "$1"); do [ "$n" -gt "$2" ] && echo "$n"; done
  return 0
}
