# shellcheck shell=sh
# Named parameters: every remote script takes NAME=VALUE words, not positions. A value is only
# ever assigned (${word#*=}), never evaluated, so quotes, $(...), backticks, newlines and a
# leading '-' reach the script exactly as they were sent.

# bad_param WORD: a word whose name this script does not take ends it (exit 2), naming the name.
bad_param() {
  printf 'nix-fleet: %s takes no parameter "%s"\n' "$0" "${1%%=*}" >&2
  exit 2
}

# once WORD...: ends the script (exit 2) when a name comes twice before any "--": the last would
# win, unseen. Every program calls it on all its words.
once() {
  param_seen=' '
  for param_word do
    [ "$param_word" = -- ] && break
    case $param_seen in
      *" ${param_word%%=*} "*)
        printf 'nix-fleet: %s takes "%s" once, not twice\n' "$0" "${param_word%%=*}" >&2
        exit 2
        ;;
    esac
    param_seen="$param_seen${param_word%%=*} "
  done
}

# required NAME=VALUE...: ends the script (exit 2) when a VALUE is empty, or its name was not given
# (each script unsets its names first). An empty path would be read as "." or "/".
required() {
  for param_word do
    [ -n "${param_word#*=}" ] && continue
    printf 'nix-fleet: %s needs a value; none was given\n' "${param_word%%=*}" >&2
    exit 2
  done
}

# numbers NAME=VALUE...: ends the script (exit 2) unless every VALUE is a whole number. A number
# goes into $((...)), which bash (NixOS's sh) evaluates as an expression, command substitutions
# in array subscripts included. Decimal digits only, no leading 0 ($((010)) is 8 in every shell,
# 08 an error) and at most 15 of them (bash wraps 20 digits around, busybox reads them as 0).
numbers() {
  for param_word do
    case ${param_word#*=} in
      '' | *[!0-9]* | 0?* | ????????????????*)
        printf 'nix-fleet: %s needs a whole number, not "%s"\n' "${param_word%%=*}" "${param_word#*=}" >&2
        exit 2
        ;;
    esac
  done
}
