// Checks a fleet's CI workflow: GitHub's workflow schema through @action-validator/core (a real
// validator, run as WebAssembly), and every nx and nix command its steps run against the fleet itself.
import { validateWorkflow, type ValidationError } from '@action-validator/core';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, type Workspace } from './workspace';

/** The validator's errors, flattened to "path: detail" lines (oneOf branches included). */
export function workflowErrors(text: string): string[] {
  const flat = (errors: ValidationError[]): string[] =>
    errors.flatMap((e) => [
      `${'path' in e ? e.path : (e.location?.line ?? '')}: ${e.detail ?? e.title}`,
      ...('states' in e && e.states ? e.states.flatMap((s) => flat(s.errors)) : []),
    ]);
  return flat(validateWorkflow(text).errors);
}

/** One nx or nix command line of a `run:` script, split into words (quotes dropped). */
export function workflowCommands(text: string): string[][] {
  const doc = parse(text) as { jobs: Record<string, { steps: Array<{ run?: string }> }> };
  const lines = Object.values(doc.jobs)
    .flatMap((job) => job.steps.map((s) => s.run ?? ''))
    .flatMap((script) => script.split('\n'))
    .map((l) => l.trim());
  return lines
    .map((l) => (l.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^(["'])(.*)\1$/, '$2').replace(/="(.*)"$/, '=$1')))
    .filter((words) => (words[0] === 'npx' && words[1] === 'nx') || words[0] === 'nix');
}

const executorSchemas = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/nix-fleet-plugin/executors.json'), 'utf-8')).executors as Record<
  string,
  { schema: string }
>;

/** Why each command would not run in this fleet: unknown targets, options no executor takes, unknown nix flags. */
export function commandProblems(ws: Workspace, hosts: string[], commands: string[][]): string[] {
  const problems: string[] = [];
  const targetsOf = new Map(hosts.map((h) => [h, JSON.parse(ws.nx(['show', 'project', h, '--json']).stdout).targets]));
  for (const words of commands) {
    const line = words.join(' ');
    if (words[0] === 'npx') {
      const [, , sub, ...rest] = words;
      if (sub !== 'run-many' && sub !== 'affected') {
        problems.push(`${line}: nx ${sub} is not a run-many or affected command`);
        continue;
      }
      const t = rest.indexOf('-t');
      const target = t >= 0 ? rest[t + 1] : undefined;
      const flags = rest.filter((w, i) => w.startsWith('--') && i !== t + 1).map((w) => w.replace(/^--/, '').replace(/=.*$/, ''));
      for (const [host, targets] of targetsOf) {
        const def = target ? targets[target] : undefined;
        if (!def) {
          problems.push(`${line}: host ${host} has no target "${target}"`);
          continue;
        }
        const executor = String(def.executor).replace(/^@nix-fleet\/nx:/, '');
        const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/nix-fleet-plugin', executorSchemas[executor].schema), 'utf-8'));
        for (const flag of flags) if (!(flag in schema.properties)) problems.push(`${line}: the ${target} executor has no option "${flag}"`);
      }
    } else {
      const sub = words.slice(1).filter((w) => !w.startsWith('-'));
      const help = spawnSync('nix', [...sub, '--help'], { encoding: 'utf-8' });
      if (help.status !== 0) {
        problems.push(`${line}: "nix ${sub.join(' ')}" is not a nix command here`);
        continue;
      }
      for (const flag of words.filter((w) => w.startsWith('--'))) {
        if (!help.stdout.includes(flag.replace(/=.*$/, ''))) problems.push(`${line}: nix ${sub.join(' ')} has no flag ${flag}`);
      }
    }
  }
  return problems;
}
