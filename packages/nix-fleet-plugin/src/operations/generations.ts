// A host's system profile generations, parsed from LIST_GENERATIONS: which one runs now, which
// one boots, and which systems a failed deploy left (never a rollback target).
import { listGenerationsArgv } from './generations-script';
import type { Target } from '../deploy/target';

export interface Generation {
  number: number;
  /** When the generation link was made, ISO 8601. */
  date: string;
  system: string;
  /** Its system is the one running now. */
  running: boolean;
  /** It is the profile's current generation: the default at the next boot. */
  boots: boolean;
  /** Its system has bin/switch-to-configuration: a NixOS system one can switch to. */
  activatable: boolean;
  /** The latest deploy run of its system still recorded on the host failed. */
  failed: boolean;
}

export interface HostGenerations {
  /** The running system ('' if none). */
  running: string;
  /** The profile's current generation number, if it has one. */
  current?: number;
  generations: Generation[];
}

/** "system-41-link" -> 41 */
export function generationOf(link: string): number | undefined {
  const m = /-(\d+)-link$/.exec(link);
  return m ? Number(m[1]) : undefined;
}

/** Systems whose latest recorded run failed: activation exit code not 0, or rolled back. */
export function failedSystems(runs: Array<{ time: number; rc: string; decision: string; system: string }>): Set<string> {
  const latest = new Map<string, { time: number; failed: boolean }>();
  for (const r of runs) {
    const failed = (r.rc !== '-' && r.rc !== '0') || r.decision === 'rolled-back' || r.decision === 'rollback-failed';
    const seen = latest.get(r.system);
    if (!seen || r.time >= seen.time) latest.set(r.system, { time: r.time, failed });
  }
  return new Set([...latest].filter(([, v]) => v.failed).map(([s]) => s));
}

export function parseGenerations(stdout: string): HostGenerations {
  let running = '';
  let link = '';
  const gens: Array<Omit<Generation, 'running' | 'boots' | 'failed'>> = [];
  const runs: Array<{ time: number; rc: string; decision: string; system: string }> = [];
  for (const line of stdout.split('\n')) {
    const [key, ...rest] = line.split('=');
    const value = rest.join('=');
    if (key === 'current') running = value.trim();
    else if (key === 'profile-link') link = value.trim();
    else if (key === 'generation') {
      const [n, mtime, ok, system] = value.trim().split(' ');
      gens.push({ number: Number(n), date: new Date(Number(mtime) * 1000).toISOString(), activatable: ok === '1', system });
    } else if (key === 'run') {
      const [time, rc, decision, system] = value.trim().split(' ');
      runs.push({ time: Number(time), rc, decision, system });
    }
  }
  const current = generationOf(link);
  const failed = failedSystems(runs);
  const generations = gens
    .sort((a, b) => a.number - b.number)
    .map((g) => ({ ...g, running: g.system === running, boots: g.number === current, failed: failed.has(g.system) }));
  return { running, current, generations };
}

export async function readGenerations(t: Target, paths: { profilePath: string; currentSystemPath: string; stateDir: string }, timeoutMs: number): Promise<HostGenerations> {
  const r = await t.exec(listGenerationsArgv(paths.profilePath, paths.currentSystemPath, paths.stateDir), { timeoutMs });
  return parseGenerations(r.stdout);
}
