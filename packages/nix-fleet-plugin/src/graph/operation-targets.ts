// The day-two targets of a host project: rollback, generations and exec. None builds anything
// or is cached: each acts on (or reads) the machine as it is now.
import type { TargetConfiguration } from '@nx/devkit';
import { PLUGIN_NAME } from '../constants';
import type { NormalizedPluginOptions } from './options';

// They read only host.json (the address); a cheap hash, since nothing is cached anyway.
const inputs = ['{projectRoot}/host.json'];

export function operationTargets(host: string, options: NormalizedPluginOptions): Record<string, TargetConfiguration> {
  const target = (executor: string, description: string, command: string, example: Record<string, unknown>): TargetConfiguration => ({
    executor: `${PLUGIN_NAME}:${executor}`,
    options: { host },
    cache: false,
    inputs,
    metadata: { description, technologies: ['nix'], help: { command, example: { options: example } } },
  });
  return {
    [options.rollbackTargetName]: target('rollback', `Switch ${host} back to the generation before its current one (or --to=N), confirmed like a deploy`, 'nix-env --help', { to: 1 }),
    [options.generationsTargetName]: target('generations', `List the system profile generations of ${host}: number, date, system, running, boots`, 'nix-env --help', { json: true }),
    [options.execTargetName]: target('exec', `Run one shell command on ${host} and report its output and exit code`, 'ssh --help', { command: 'systemctl is-active nginx' }),
  };
}
