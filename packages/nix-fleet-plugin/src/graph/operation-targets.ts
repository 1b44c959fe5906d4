// The day-two targets of a host project: rollback, generations and exec. None builds anything
// or is cached: each acts on (or reads) the machine as it is now.
import type { TargetConfiguration } from '@nx/devkit';
import { PLUGIN_NAME } from '../constants';
import type { NormalizedPluginOptions } from './options';

// They read only host.json (the address); a cheap hash, since nothing is cached anyway.
const inputs = ['{projectRoot}/host.json'];

export function operationTargets(host: string, options: NormalizedPluginOptions): Record<string, TargetConfiguration> {
  // help.command is what `nx show project` offers to run: the target's own options.
  const target = (executor: string, name: string, description: string, example: Record<string, unknown>): TargetConfiguration => ({
    executor: `${PLUGIN_NAME}:${executor}`,
    options: { host },
    cache: false,
    inputs,
    metadata: { description, technologies: ['nix'], help: { command: `npx nx run ${host}:${name} --help`, example: { options: example } } },
  });
  return {
    [options.rollbackTargetName]: target('rollback', options.rollbackTargetName, `Switch ${host} back to the generation before its current one (or --to=N), confirmed like a deploy`, { to: 1 }),
    [options.generationsTargetName]: target('generations', options.generationsTargetName, `List the system profile generations of ${host}: number, date, system, running, boots`, { json: true }),
    [options.execTargetName]: target('exec', options.execTargetName, `Run one shell command on ${host} and report its output and exit code`, { command: 'systemctl is-active nginx' }),
  };
}
