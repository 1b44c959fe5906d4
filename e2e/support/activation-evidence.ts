// What a deploy left on a test host about how its activation was started: a transient systemd
// unit where systemd is PID 1 (its journal shows it, no activation.pid), else setsid (an
// activation.pid, no unit). Deploy suites that run on both kinds of host check it per case.
import { exists, type HostKind } from './deploy-fixtures';
import type { SystemdHost } from './systemd-hosts';
import type { TestHost } from './test-hosts';

/** The newest deploy's state folder on the host (its name is the deploy's token). */
export async function latestRun(h: TestHost): Promise<string> {
  return (await h.exec(['sh', '-c', 'ls -1td /run/nix-fleet/d*/ | head -1'])).trim().replace(/\/$/, '');
}

/** Lines of the unit's journal (systemd's own and the unit's output). */
export async function unitJournal(h: SystemdHost, unit: string): Promise<string> {
  return h.journal(['-o', 'cat', '-u', unit]);
}

/**
 * How the newest deploy on the host started its activation: 'unit' (a transient unit that ran
 * and ended, no activation.pid) or 'setsid' (an activation.pid, and no systemd on the host).
 * Anything else, e.g. both or neither, is an error naming what was found.
 */
export async function activationStarter(kind: HostKind, h: TestHost): Promise<'unit' | 'setsid'> {
  const run = await latestRun(h);
  const pidFile = await exists(h, `${run}/activation.pid`);
  if (kind === 'namespace') {
    const systemd = await exists(h, '/run/systemd/system');
    if (pidFile && !systemd) return 'setsid';
    throw new Error(`${h.name} ${run}: activation.pid ${pidFile ? 'present' : 'absent'}, /run/systemd/system ${systemd ? 'present' : 'absent'}`);
  }
  const unit = `nix-fleet-activate-${run.split('/').pop()}.service`;
  const journal = await unitJournal(h as SystemdHost, unit);
  const started = journal.includes(`Started ${unit}`);
  if (!pidFile && started) return 'unit';
  throw new Error(`${h.name} ${run}: activation.pid ${pidFile ? 'present' : 'absent'}; journal of ${unit}:\n${journal}`);
}
