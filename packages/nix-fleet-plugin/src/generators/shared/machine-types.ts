// What each host type switches on, read from the fleet's own packages/profiles/lib/machine-types.json,
// the file machine-type.nix reads too: the generator's messages and comments cannot drift from Nix.
import type { Tree } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_TYPES, PROFILES_ROOT, type HostType } from '../../constants';
import { GeneratorInputError } from '../../host/names';
import { nixAttrPath } from './nix-text';
import { fleetTemplate } from './workspace-files';

export const MACHINE_TYPES_FILE = `${PROFILES_ROOT}/lib/machine-types.json`;

export interface MachineType {
  summary: string;
  /** Profile paths switched on with mkDefault, e.g. "power-user.scientific.octave". */
  profiles: string[];
  /** Other options the type sets, for the record. */
  settings: string[];
}

/**
 * The fleet's machine types; a fleet made before the file existed gets the plugin's own copy.
 * A broken file is refused by name: the flake would fail on it too.
 */
export function readMachineTypes(tree: Tree): Record<HostType, MachineType> {
  const text = tree.read(MACHINE_TYPES_FILE, 'utf-8') ?? readFileSync(join(fleetTemplate().base, MACHINE_TYPES_FILE), 'utf-8');
  let data: Record<string, Partial<MachineType>>;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new GeneratorInputError(`${MACHINE_TYPES_FILE} is not valid JSON (${(e as Error).message}). Fix it or restore it from the plugin.`);
  }
  const result = {} as Record<HostType, MachineType>;
  for (const type of HOST_TYPES) {
    const entry = data[type];
    const isList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
    if (!entry || !isList(entry.profiles)) {
      throw new GeneratorInputError(`${MACHINE_TYPES_FILE} has no "profiles" list for type "${type}". Add one (it may be empty).`);
    }
    result[type] = { summary: String(entry.summary ?? type), profiles: entry.profiles as string[], settings: isList(entry.settings) ? (entry.settings as string[]) : [] };
  }
  return result;
}

/** The Nix line that turns one preset off, e.g. `"power-user".scientific.octave.enable = false;`. */
export function presetOffLine(profile: string): string {
  return `${nixAttrPath([...profile.split('.'), 'enable'])} = false;`;
}
