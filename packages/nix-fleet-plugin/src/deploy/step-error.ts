// A failed deploy step: which step, and the output that explains it.

export type DeployStep = 'connect' | 'lock' | 'generation' | 'copy' | 'activation' | 'confirm' | 'health check' | 'rollback' | 'interrupted';

export class DeployStepError extends Error {
  constructor(
    readonly step: DeployStep,
    message: string,
    /** True when the ssh connection dropped: the target may still be activating or rolling back. */
    readonly connectionLost = false,
  ) {
    super(message);
    this.name = 'DeployStepError';
  }
}

/** Parses the key=value lines our remote scripts print. */
export function parseKeyValues(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

export { sleep } from '../process/processes';
