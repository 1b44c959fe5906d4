// The shell program that lists a profile's generations on the target: deploy/remote/list-generations.sh,
// run as constant text with named parameters (as in src/deploy/remote-scripts.ts).
import { remoteScript } from '../deploy/remote/script-text';

/**
 * profile=, current_system= (the running-system link), state_dir= (deploy state). Prints
 * key=value lines: current=<running system>, profile-link=<the profile's generation link>, one
 * generation=<number> <mtime> <1 if a NixOS system> <system> per generation link, and one
 * run=<mtime> <exit code|-> <decision|-> <system> per deploy run still recorded in state_dir
 * (/run: cleared at reboot).
 */
export const LIST_GENERATIONS = remoteScript('list-generations.sh');

export const listGenerationsArgv = (profile: string, currentSystem: string, stateDir: string) =>
  ['sh', '-c', LIST_GENERATIONS, 'nix-fleet', `profile=${profile}`, `current_system=${currentSystem}`, `state_dir=${stateDir}`];
