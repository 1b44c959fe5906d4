// cpuacct cgroups (v1) for the deploy benchmark: the CPU time of a process tree, counted whoever
// reaps its processes, and of the ssh and nix clients it starts (moved by PATH shims).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup/cpuacct';

export class CpuGroup {
  constructor(readonly path: string) {}

  static create(name: string): CpuGroup | undefined {
    const path = join(ROOT, name);
    try {
      if (!existsSync(path)) mkdirSync(path);
      return new CpuGroup(path);
    } catch {
      return undefined;
    }
  }

  child(name: string): CpuGroup | undefined {
    return CpuGroup.create(join(this.path.slice(ROOT.length + 1), name));
  }

  /** Seconds of CPU used by every process that ran in this group (and its children) since reset(). */
  seconds(): number {
    return Number(readFileSync(join(this.path, 'cpuacct.usage'), 'utf-8')) / 1e9;
  }

  reset(): void {
    writeFileSync(join(this.path, 'cpuacct.usage'), '0');
  }

  add(pid: number): void {
    writeFileSync(join(this.path, 'cgroup.procs'), String(pid));
  }

  /** argv that runs `argv` inside this group. */
  wrap(argv: string[]): string[] {
    return ['sh', '-c', `echo $$ > ${this.path}/cgroup.procs && exec "$@"`, 'sh', ...argv];
  }

  /** A group is removed once its last process has exited; one may still be exiting. */
  remove(): void {
    for (let attempt = 0; existsSync(this.path) && attempt < 50; attempt++) {
      try {
        rmdirSync(this.path);
      } catch {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      }
    }
  }
}

/**
 * A folder of shims put first on PATH: each moves itself into its command's group and execs the
 * real command (the one found on PATH now), so its CPU time is counted apart.
 */
export function commandShims(groups: Record<string, CpuGroup>, realPath = process.env.PATH ?? ''): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'nix-fleet-bench-shims-'));
  for (const [command, group] of Object.entries(groups)) {
    const real = realPath
      .split(':')
      .map((d) => join(d, command))
      .find((p) => existsSync(p));
    if (!real) throw new Error(`${command} is not on PATH`);
    writeFileSync(join(dir, command), `#!/bin/sh\necho $$ > ${group.path}/cgroup.procs\nexec ${real} "$@"\n`);
    chmodSync(join(dir, command), 0o755);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
