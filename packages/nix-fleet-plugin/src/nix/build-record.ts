// build.json: the cached output of a host's build, and the contract for its consumers.
//
// A cache hit restores build.json but not the store paths it names (they may have been
// built on another machine or garbage-collected). Consumers (closure-size, deploy) call
// ensureRealised() first: it rebuilds or substitutes the toplevel and checks that the
// flake still evaluates to the recorded outPath.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostDistDir } from '../constants';
import { nixBuildArgs, parseNixBuildJson, toplevelInstallable } from './nix-argv';
import { run } from './run';

export interface BuildRecord {
  host: string;
  system: string;
  drvPath: string;
  outPath: string;
  nixVersion: string;
}

export function buildRecordPath(workspaceRoot: string, host: string): string {
  return join(workspaceRoot, hostDistDir(host), 'build.json');
}

export function outLinkPath(workspaceRoot: string, host: string): string {
  return join(workspaceRoot, hostDistDir(host), 'system');
}

export function writeBuildRecord(workspaceRoot: string, record: BuildRecord): string {
  const file = buildRecordPath(workspaceRoot, record.host);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
  return file;
}

export function readBuildRecord(workspaceRoot: string, host: string): BuildRecord {
  const file = buildRecordPath(workspaceRoot, host);
  if (!existsSync(file)) {
    throw new Error(`No build record for host "${host}" at ${file}. Run "nx run ${host}:build" first.`);
  }
  return JSON.parse(readFileSync(file, 'utf-8')) as BuildRecord;
}

/** Makes the record's outPath exist in the local store (substitute or rebuild), with a GC root. */
export async function ensureRealised(workspaceRoot: string, record: BuildRecord, flakeRef: string): Promise<void> {
  if (existsSync(record.outPath)) return;
  const installable = toplevelInstallable(flakeRef, record.host);
  const outLink = outLinkPath(workspaceRoot, record.host);
  const result = await run('nix', nixBuildArgs({ installable, outLink }), { cwd: workspaceRoot, streamStderr: true, echo: true });
  const { outPath } = parseNixBuildJson(result.stdout);
  if (outPath !== record.outPath) {
    throw new Error(
      `The cached build of "${record.host}" names ${record.outPath}, but the flake now builds ${outPath}. ` +
        `The cache key missed an input: rerun with "nx run ${record.host}:build --skip-nx-cache" and report the missing input.`,
    );
  }
}
