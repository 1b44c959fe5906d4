// The host's age recipient into .sops.yaml and its secrets re-keyed, before the host exists.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setHostAgeKey, SOPS_CONFIG } from '../generators/host/sops';
import { run } from '../process/run';

export function sopsUpdateKeysArgs(secretsFile: string): string[] {
  return ['updatekeys', '--yes', secretsFile];
}

async function onPath(command: string): Promise<boolean> {
  return run('sh', ['-c', 'command -v "$1"', 'sh', command]).then(() => true, () => false);
}

/** Returns what to tell the user; re-keys secrets/<host>.yaml with sops when sops is installed. */
export async function recordAgeRecipient(root: string, host: string, recipient: string): Promise<string[]> {
  const config = join(root, SOPS_CONFIG);
  const before = existsSync(config) ? readFileSync(config, 'utf-8') : null;
  const change = setHostAgeKey(before, host, recipient);
  writeFileSync(config, change.text);
  const lines = [`${SOPS_CONFIG}: ${host} is ${recipient}`, ...change.notes];
  const secrets = `secrets/${host}.yaml`;
  if (!existsSync(join(root, secrets))) return [...lines, `No ${secrets} yet; create it with: sops ${secrets}`];
  if (await onPath('sops')) {
    await run('sops', sopsUpdateKeysArgs(secrets), { cwd: root, echo: true, streamStderr: true });
    return [...lines, `${secrets} re-keyed for ${host}'s new key.`];
  }
  return [...lines, `sops is not installed here: re-key ${secrets} before the host boots, with: sops ${sopsUpdateKeysArgs(secrets).join(' ')}`];
}
