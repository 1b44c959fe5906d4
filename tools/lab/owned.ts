// What `--down` may touch: only what this lab's supervisor made. The state file is a plain file in
// /tmp; a stale one (its PID reused) or an edited one must never make --down signal a foreign
// process, delete a foreign namespace or link, or remove a foreign folder.
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import type { LabState } from './state';

/** True when pid runs tools/lab/supervisor.ts for this lab dir (its command line says so). */
export function isLabSupervisor(pid: number, dir: string): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf-8').split('\0');
    const at = argv.findIndex((a) => a.endsWith('/tools/lab/supervisor.ts'));
    return at !== -1 && argv[at + 1] === dir;
  } catch {
    return false;
  }
}

const tmpRoots = (): string[] => {
  const roots = [resolve(tmpdir())];
  try {
    roots.push(realpathSync(tmpdir()));
  } catch {
    // tmpdir missing: nothing there is ours
  }
  return roots;
};

/** A real folder (not a link) directly in the temp dir, named as the lab names it. */
function isLabFolder(path: string, name: RegExp): boolean {
  const full = resolve(path);
  if (!tmpRoots().includes(dirname(full)) || !name.test(basename(full))) return false;
  try {
    return lstatSync(full).isDirectory();
  } catch {
    return true; // already gone: nothing to remove, nothing foreign either
  }
}

/**
 * The parts of the state that are not the lab's, each with why; empty when --down may remove
 * them all. The test hosts' names carry the supervisor's pid (e2e/support/test-hosts.ts:
 * namespace nf-<pid>-<tag>-lab<n>, bridge nf<tag>br with tag starting with the pid in base 36,
 * folder nix-fleet-hosts-<pid>-XXXXXX), so they must agree with state.supervisorPid.
 */
export function foreignParts(state: LabState): string[] {
  const pid = state.supervisorPid;
  if (!Number.isInteger(pid) || pid <= 1) return [`supervisorPid ${JSON.stringify(pid)} (not a lab supervisor's pid)`];
  const p36 = pid.toString(36);
  const ns = new RegExp(`^nf-${pid}-${p36}[0-9a-z]+-lab[1-9][0-9]*$`);
  const out: string[] = [];
  for (const n of Array.isArray(state.namespaces) ? state.namespaces : [state.namespaces]) {
    if (typeof n !== 'string' || !ns.test(n)) out.push(`namespace ${JSON.stringify(n)} (the lab's are nf-${pid}-…-lab<n>)`);
  }
  if (state.bridge !== undefined && !(typeof state.bridge === 'string' && new RegExp(`^nf${p36}[0-9a-z]+br$`).test(state.bridge))) {
    out.push(`bridge ${JSON.stringify(state.bridge)} (the lab's is nf${p36}…br)`);
  }
  const folders: Array<[string | undefined, RegExp, string]> = [
    [state.hostsDir, new RegExp(`^nix-fleet-hosts-${pid}-[A-Za-z0-9]{6}$`), `${tmpdir()}/nix-fleet-hosts-${pid}-XXXXXX`],
    [state.workspace, /^nix-fleet-lab-ws-[A-Za-z0-9]{6}$/, `${tmpdir()}/nix-fleet-lab-ws-XXXXXX`],
  ];
  for (const [path, name, expected] of folders) {
    if (path !== undefined && !(typeof path === 'string' && isLabFolder(path, name))) out.push(`folder ${JSON.stringify(path)} (the lab's is ${expected})`);
  }
  return out;
}

/**
 * The lab folder (in a shared temp dir, used as root) must be a real folder of this user that no
 * one else can write: otherwise another user could plant a state file or a link where the lab
 * writes. Returns why not, or undefined when it is fine or does not exist yet.
 */
export function unsafeLabDir(dir: string): string | undefined {
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return undefined;
  }
  if (!st.isDirectory()) return `${dir} is not a folder (a link or a file)`;
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return `${dir} belongs to uid ${st.uid}, not to you`;
  if ((st.mode & 0o022) !== 0) return `${dir} is writable by others (mode ${(st.mode & 0o777).toString(8)})`;
  return undefined;
}
