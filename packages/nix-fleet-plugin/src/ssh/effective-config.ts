// What ssh would do for a target without connecting (`ssh -G`): the operator's ssh config applied.
import { execFile } from 'node:child_process';
import { sshEffectiveConfigArgs, type SshTarget } from './argv';
import { parseSshG } from './options';

export type ConfigQueryTarget = Pick<SshTarget, 'host' | 'port'> & Partial<Pick<SshTarget, 'user' | 'sshOptions' | 'configFile'>>;

/** The effective ssh config for the target, or undefined when ssh cannot tell (within 10 s). */
export function effectiveSshConfig(target: ConfigQueryTarget): Promise<Record<string, string> | undefined> {
  const args = sshEffectiveConfigArgs({ sshOptions: [], connectTimeout: 10, ...target });
  return new Promise((resolve) => {
    execFile('ssh', args, { timeout: 10000, encoding: 'utf-8' }, (error, stdout) => resolve(error ? undefined : parseSshG(stdout)));
  });
}
