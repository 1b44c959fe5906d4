// build.json: the cached output of a host's build, and the contract for its consumers.
//
// A cache hit restores build.json but not the store paths it names (they may have been built
// on another machine or garbage-collected), and a record from a shared cache is only a claim.
// Consumers (closure-size, deploy) call verifiedRecord() before they measure, lock, copy or
// activate anything: the record must name this host's toplevel as the flake evaluates it at
// this commit (evaluated once per build hash, see toplevels.ts), and is then realised.
import { writeJsonFile } from '@nx/devkit';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { hostDistDir } from '../constants';
import { drvInstallable, isStorePath, nixBuildArgs, parseNixBuildJson, toplevelInstallable, type Toplevel } from './nix-argv';
import { nixVersion } from './nix-version';
import { run } from '../process/run';
import { sharedToplevel, type EvalPeer } from './fleet-eval';

export interface BuildRecord {
  host: string;
  system: string;
  drvPath: string;
  outPath: string;
  nixVersion: string;
  /** host.json deployment.buildOn "remote": built on the target at deploy time, never here. */
  buildOn?: 'remote';
}

export function buildRecordPath(workspaceRoot: string, host: string): string {
  return join(workspaceRoot, hostDistDir(host), 'build.json');
}

export function outLinkPath(workspaceRoot: string, host: string): string {
  return join(workspaceRoot, hostDistDir(host), 'system');
}

export function writeBuildRecord(workspaceRoot: string, record: BuildRecord): string {
  const file = buildRecordPath(workspaceRoot, record.host);
  writeJsonFile(file, record, { appendNewLine: true });
  return file;
}

/** The outPath of the build record a previous run left, if any: to tell a new system from the same. */
export function previousOutPath(workspaceRoot: string, host: string): string | undefined {
  try {
    const outPath = JSON.parse(readFileSync(buildRecordPath(workspaceRoot, host), 'utf-8')).outPath;
    return typeof outPath === 'string' ? outPath : undefined;
  } catch {
    return undefined;
  }
}

export function readBuildRecord(workspaceRoot: string, host: string): BuildRecord {
  const file = buildRecordPath(workspaceRoot, host);
  if (!existsSync(file)) {
    throw new Error(`No build record for host "${host}" at ${file}. Run "nx run ${host}:build" first.`);
  }
  let record: Partial<BuildRecord>;
  try {
    record = JSON.parse(readFileSync(file, 'utf-8'));
  } catch (e) {
    throw new Error(`The build record ${file} is not valid JSON (${(e as Error).message}). Rebuild with "nx run ${host}:build --skip-nx-cache".`);
  }
  if (record?.host !== host || !isStorePath(record.drvPath) || !record.drvPath.endsWith('.drv') || !isStorePath(record.outPath)) {
    throw new Error(
      `The build record ${file} is not a record of host "${host}" (host ${JSON.stringify(record?.host)}, ` +
        `drvPath ${JSON.stringify(record?.drvPath)}, outPath ${JSON.stringify(record?.outPath)}). ` +
        `Refusing to use it. Rebuild with "nx run ${host}:build --skip-nx-cache".`,
    );
  }
  return record as BuildRecord;
}

/** Refuses a record (build.json, toplevel.json) that is not `expected`, naming the host, both paths and the fix. */
export function checkRecord(record: Toplevel & { host: string }, expected: Toplevel, file: string, kind = 'build record', untouched = 'nothing was measured or sent'): void {
  if (record.drvPath === expected.drvPath && record.outPath === expected.outPath) return;
  throw new Error(
    `The ${kind} ${file} names ${record.outPath} (${record.drvPath}), but the flake evaluates ` +
      `host "${record.host}" to ${expected.outPath} (${expected.drvPath}) at this commit. Refusing to use it: ${untouched}. ` +
      `Rebuild with "nx run ${record.host}:build --skip-nx-cache"; if it happens again, a cache input is missing or a shared cache holds a wrong record.`,
  );
}

/**
 * The host's build record, proven to be this host's system at this commit and present in the
 * local store (built from its derivation when a cache hit restored only the record).
 * `evalHash` (the hash of the host's eval task) keys the local proof, so a warm run does not
 * evaluate again; without one, the consumers of a run share one evaluation of `peers`.
 */
export async function verifiedRecord(workspaceRoot: string, host: string, flakeRef: string, evalHash?: string, peers: EvalPeer[] = []): Promise<BuildRecord> {
  const record = readBuildRecord(workspaceRoot, host);
  const expected = await sharedToplevel({ host, key: evalHash }, peers, { root: workspaceRoot, flakeRef });
  checkRecord(record, expected, relative(workspaceRoot, buildRecordPath(workspaceRoot, host)));
  // A host built on its target has only its derivation here, by design.
  if (!existsSync(record.outPath) && record.buildOn !== 'remote') {
    // Evaluation wrote the derivation; only a garbage-collected one needs the flake again.
    const installables = [existsSync(record.drvPath) ? drvInstallable(record.drvPath, await nixVersion()) : toplevelInstallable(flakeRef, host)];
    const result = await run('nix', nixBuildArgs({ installables, outLink: outLinkPath(workspaceRoot, host) }), { cwd: workspaceRoot, streamStderr: true, echo: true });
    const { outPath } = parseNixBuildJson(result.stdout);
    if (outPath !== record.outPath) {
      throw new Error(`Building ${record.drvPath} gave ${outPath}, not ${record.outPath} as recorded for "${host}". Rebuild with "nx run ${host}:build --skip-nx-cache".`);
    }
  }
  return record;
}
