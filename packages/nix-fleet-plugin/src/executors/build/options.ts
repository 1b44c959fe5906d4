// Checks the build executor's scale-out options before anything runs.
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { gitIsIgnoredArgs, gitIsTrackedArgs } from '../../git/argv';
import { run } from '../../process/run';
import type { BuildExecutorSchema } from './schema';

/** [user@]host, an IPv4/IPv6 address or an ssh_config alias; never an option or a path. */
const BUILD_HOST = /^([a-z_][a-z0-9_.-]*@)?([A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\])$/;
/** A Nix store URL (file://, s3://, ssh://, ssh-ng://, http(s)://, local?root=...) or a store directory. */
const STORE_URL = /^([a-z][a-z0-9+.-]*:\/\/\S+|[a-z]+(\?\S*)?|\/\S*)$/;

export interface ScaleOptions {
  builders?: string;
  buildHost?: string;
  cacheTo?: string;
  signingKey?: string;
}

/** Returns the options with signingKey made absolute; throws naming the flag and the fix. */
export function checkScaleOptions(options: BuildExecutorSchema, root: string): ScaleOptions {
  const { builders, buildHost, cacheTo, signingKey } = options;
  if (builders !== undefined && /[\n\0]/.test(builders)) {
    throw new Error(`--builders must be one line in nix.conf's builders format, e.g. "ssh-ng://builder1 x86_64-linux - 4"; use ";" between machines.`);
  }
  if (buildHost !== undefined && !BUILD_HOST.test(buildHost)) {
    throw new Error(`--buildHost is ${JSON.stringify(buildHost)}: expected [user@]host (a name from your ssh config or an address), without a port; put ports in ssh config.`);
  }
  if (cacheTo !== undefined && !STORE_URL.test(cacheTo)) {
    throw new Error(`--cacheTo is ${JSON.stringify(cacheTo)}: expected a Nix store URL such as file:///var/cache/nix, s3://bucket or ssh-ng://cache-host.`);
  }
  let key: string | undefined;
  if (signingKey !== undefined) {
    if (!cacheTo) throw new Error(`--signingKey needs --cacheTo: the key signs what is pushed to the cache.`);
    key = isAbsolute(signingKey) ? signingKey : join(root, signingKey);
    if (!existsSync(key)) throw new Error(`--signingKey file ${signingKey} does not exist. Create one with "nix key generate-secret --key-name NAME > FILE".`);
  }
  return { builders, buildHost, cacheTo, signingKey: key };
}

/**
 * A signing key inside the workspace that git tracks, or would track after `git add -A`, ends
 * up in the flake's source and so world-readable in /nix/store. Refuse it before anything runs.
 */
export async function checkSigningKeyLocation(key: string, root: string): Promise<void> {
  // Through symlinks, as git and the flake see the file; "..x" is a name inside the workspace.
  const real = (path: string) => (existsSync(path) ? realpathSync(path) : path);
  const rel = relative(real(root), real(key));
  if (rel === '..' || rel.startsWith('../') || isAbsolute(rel)) return;
  const ok = (args: string[]) => run('git', args, { cwd: root }).then(() => true, () => false);
  const tracked = await ok(gitIsTrackedArgs(rel));
  if (tracked || !(await ok(gitIsIgnoredArgs(rel)))) {
    throw new Error(
      `--signingKey ${rel} is inside the workspace and ${tracked ? 'tracked by git' : 'not ignored by git'}: the flake would copy it into the world-readable /nix/store. ` +
        `Move it outside the repository (e.g. /etc/nix/cache-key.sec)${tracked ? `, then "git rm --cached ${rel}"` : ' or add it to .gitignore'}, and make a new key if it was ever committed or built.`,
    );
  }
}
