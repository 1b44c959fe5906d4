# shellcheck shell=sh
# shellcheck disable=SC2034 # this file sets the deploy context; the scripts that include it read it
# The deploy context: what the activation-phase scripts (activate, activation, watchdog, commit,
# rollback) know about one deploy, sent as NAME=VALUE words (contextArgs in remote-scripts.ts), so
# the watchdog, which outlives the deployer's connection, can roll back on its own.
. ./lib-params.sh

# read_context WORD...: sets the context from its words; an unknown name, a missing one or an
# empty one (but the previous_*, switch_generation and max_generation, which may be '') ends the
# script. Values from the target's environment never count: every name is unset first.
read_context() {
  once "$@"
  unset profile out_path mode run_dir window_seconds activation_seconds previous_current lock_dir \
    set_profile previous_profile previous_profile_link current_system_path switch_generation max_generation
  for param_word do
    case $param_word in
      profile=*) profile=${param_word#*=} ;;
      out_path=*) out_path=${param_word#*=} ;;
      mode=*) mode=${param_word#*=} ;;
      run_dir=*) run_dir=${param_word#*=} ;;
      window_seconds=*) window_seconds=${param_word#*=} ;;
      activation_seconds=*) activation_seconds=${param_word#*=} ;;
      previous_current=*) previous_current=${param_word#*=} ;;
      lock_dir=*) lock_dir=${param_word#*=} ;;
      set_profile=*) set_profile=${param_word#*=} ;;
      previous_profile=*) previous_profile=${param_word#*=} ;;
      previous_profile_link=*) previous_profile_link=${param_word#*=} ;;
      current_system_path=*) current_system_path=${param_word#*=} ;;
      switch_generation=*) switch_generation=${param_word#*=} ;;
      max_generation=*) max_generation=${param_word#*=} ;;
      *) bad_param "$param_word" ;;
    esac
  done
  required "profile=$profile" "out_path=$out_path" "mode=$mode" "run_dir=$run_dir" "window_seconds=$window_seconds" \
    "activation_seconds=$activation_seconds" "lock_dir=$lock_dir" "set_profile=$set_profile" "current_system_path=$current_system_path"
  : "${previous_current?}" "${previous_profile?}" "${previous_profile_link?}" "${switch_generation?}" "${max_generation?}"
  numbers "window_seconds=$window_seconds" "activation_seconds=$activation_seconds"
}
