// @nix-fleet/nx:install: a new machine gets the host's system through nixos-anywhere, from the
// store paths of the host's build, and an SSH host key made here before its first boot.
import type { ExecutorContext } from '@nx/devkit';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveHost } from '../../host/resolve-host';
import { parseTargetAddress } from '../../host/target-address';
import { verifiedRecord } from '../../nix/build-record';
import { flakeRefFor } from '../../nix/flake-ref';
import { parseNixBuildJson } from '../../nix/nix-argv';
import { abortReason, CommandError } from '../../process/command-error';
import { run } from '../../process/run';
import { stopExitCode, watchForStop } from '../../deploy/stop-signal';
import { makeHostIdentity } from '../../install/identity';
import { diskoScriptBuildArgs, disksEvalArgs, generateHardwareArgs, nixosAnywhereArgs, probeAnswered, probeArgs } from '../../install/install-argv';
import { fleetKnownHostsOption, fleetKnownHostsPath, pinHostKey, pinnedKey } from '../../install/known-hosts';
import { recordAgeRecipient } from '../../install/secrets';
import { evalHashOf } from '../task-hash';
import { checkedOptions } from '../option-rule';
import type { InstallExecutorSchema } from './schema';

export const NIXOS_ANYWHERE = 'nixos-anywhere';

export function installTarget(options: InstallExecutorSchema, host: string, hostTarget: string | undefined) {
  const given = options.targetHost ?? hostTarget;
  if (!given) throw new Error(`No address for ${host}: pass --target-host=root@<address> (the machine booted into any Linux with SSH, or the NixOS installer).`);
  const address = parseTargetAddress(given, '--target-host', {});
  const timeout = options.connectTimeout ?? 10;
  if (!(timeout > 0 && timeout <= 600)) throw new Error(`--connect-timeout=${timeout} is not a number of seconds from more than 0 to 600.`);
  return { host: address.host, user: address.user ?? 'root', port: address.port, sshOptions: [], connectTimeout: timeout, configFile: process.env.NIX_FLEET_SSH_CONFIG || undefined };
}

/**
 * A LUKS layout from nx g host --encrypt reads its passphrase from /tmp/disk.key in the installer.
 * The passphrase file is the disk's key: only its owner may read it, and it is the file itself
 * (a link may be changed to point elsewhere between this check and the copy).
 */
export function checkDiskKeyFile(disko: string, given: string | undefined, root: string): string | undefined {
  const luks = disko.includes('"/tmp/disk.key"');
  if (given === undefined) {
    if (luks) throw new Error('disko.nix encrypts the disk with the passphrase from /tmp/disk.key: pass --disk-key-file=<file holding the passphrase> (it is copied there in the installer, never into the new system).');
    return undefined;
  }
  if (!luks) throw new Error(`--disk-key-file is for a disko.nix with LUKS (nx g host --encrypt); this host's disko.nix reads no /tmp/disk.key. Leave the flag out.`);
  const file = resolve(root, given);
  const stat = lstatOrUndefined(file);
  if (!stat) throw new Error(`--disk-key-file ${given} does not exist. Give the file that holds the disk passphrase.`);
  if (stat.isSymbolicLink()) throw new Error(`--disk-key-file ${given} is a symbolic link: give the file itself.`);
  if (!stat.isFile()) throw new Error(`--disk-key-file ${given} is not a regular file: give the file that holds the disk passphrase.`);
  if ((stat.mode & 0o077) !== 0) throw new Error(`--disk-key-file ${given} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}): chmod 600 ${given}, and change the passphrase if others have read it.`);
  if (stat.size === 0) throw new Error(`--disk-key-file ${given} is empty: put the disk passphrase in it.`);
  return file;
}

function lstatOrUndefined(file: string) {
  try {
    return lstatSync(file);
  } catch {
    return undefined;
  }
}

/** "main /dev/vda, data /dev/sdb": the disks disko.nix would wipe, by the evaluated configuration. */
export function parseDisks(stdout: string): string[] {
  const disks = JSON.parse(stdout) as Record<string, unknown>;
  return Object.entries(disks).map(([name, device]) => `${name} (${String(device)})`);
}

export default async function installExecutor(given: InstallExecutorSchema, context: ExecutorContext) {
  const root = context.root;
  const label = given.host ?? context.projectName ?? 'install';
  let options = given;
  // Ctrl-C, SIGTERM or nx gone: nixos-anywhere is stopped and the host's private key removed
  // (Node's default for a signal ends the process without running any cleanup).
  const stop = watchForStop();
  const out = { cwd: root, echo: true, streamStderr: true, signal: stop.signal } as const;
  let identity: Awaited<ReturnType<typeof makeHostIdentity>> | undefined;
  let pinned: string | undefined;
  try {
    options = checkedOptions('install', given, context);
    const { host, hostJson } = resolveHost(options, context);
    const target = installTarget(options, host, hostJson.deployment?.targetHost);
    if (!existsSync(join(root, 'hosts', host, 'disko.nix'))) {
      throw new Error(`hosts/${host}/disko.nix is missing: install partitions from it. Write one with "nx g @nix-fleet/nx:host ${host} --type=${hostJson.type} --hardware=qemu-vm --force" (or --hardware=generated), or see docs/Migration-Guide.md for a machine that runs NixOS already.`);
    }
    const diskKeyFile = options.generateHardwareConfig ? undefined : checkDiskKeyFile(readFileSync(join(root, 'hosts', host, 'disko.nix'), 'utf-8'), options.diskKeyFile, root);
    // Before anything is sent: a machine that answers with the host's pinned key is installed.
    if (pinnedKey(root, host)) {
      // ssh splits GlobalKnownHostsFile on whitespace: the pin would never be seen, and the check pass.
      const knownHosts = fleetKnownHostsOption(root) ?? fleetKnownHostsPath(root);
      const probe = await run('ssh', probeArgs(target, host, knownHosts), { cwd: root, signal: stop.signal }).then(
        (r) => r.stdout.trim(),
        (e) => (e instanceof CommandError && probeAnswered(e.stderr) ? '' : undefined),
      );
      if (probe !== undefined) {
        throw new Error(
          `${target.host} answers with the host key pinned for ${host} in known_hosts${probe ? ` and runs ${probe}` : ''}: it is installed already, and a second install is never an accident. ` +
            `Update it with "nx run ${host}:deploy". To reinstall on purpose, delete the "${host}" line from known_hosts first.`,
        );
      }
    }
    const flakeRef = flakeRefFor(root, options.flake);
    if (options.generateHardwareConfig) {
      const file = join(root, 'hosts', host, 'hardware-configuration.nix');
      await run(NIXOS_ANYWHERE, generateHardwareArgs(target, file, flakeRef, host), { ...out, streamStdout: true });
      await run('git', ['add', '--', file], out);
      // The same hardware detected again leaves nothing to commit.
      if ((await run('git', ['status', '--porcelain', '--', file], { cwd: root, signal: stop.signal })).stdout.trim() !== '') {
        await run('git', ['commit', '-m', `hosts/${host}: hardware detected by nixos-anywhere`, '--', file], out);
      }
      console.log(`${host}: hardware-configuration.nix detected and committed; nothing was wiped. Install with: nx run ${host}:install --target-host=${options.targetHost ?? target.host}`);
      return { success: true };
    }
    const disks = parseDisks((await run('nix', disksEvalArgs(flakeRef, host), { cwd: root, signal: stop.signal })).stdout);
    if (!options.yes) {
      console.error(`Install of ${host} on ${target.host} would WIPE ${disks.join(', ')} (hosts/${host}/disko.nix). Nothing was done. Run again with --yes to install.`);
      return { success: false };
    }
    const record = await verifiedRecord(root, host, flakeRef, evalHashOf(context, host));
    const diskoScript = parseNixBuildJson((await run('nix', diskoScriptBuildArgs(flakeRef, host), out)).stdout).outPath;

    identity = await makeHostIdentity(host);
    // .sops.yaml first: it refuses a file without an admin key, before the host is pinned.
    for (const line of await recordAgeRecipient(root, host, identity.ageRecipient)) console.log(line);
    pinHostKey(root, host, identity.publicKey);
    pinned = host;
    console.log(`known_hosts: pinned ${host} ${identity.publicKey.split(' ').slice(0, 2).join(' ')}`);
    await run(NIXOS_ANYWHERE, nixosAnywhereArgs({ target, diskoScript, toplevel: record.outPath, extraFiles: identity.extraFiles, diskKeyFile }), { ...out, streamStdout: true });
    console.log(`${host}: installed ${record.outPath}. Commit known_hosts and .sops.yaml, then deploy with: nx run ${host}:deploy`);
    return { success: true };
  } catch (e) {
    console.error(`\nInstall of ${label} failed: ${(e as Error).message}`);
    if (pinned) {
      // The key pinned and in .sops.yaml is deleted now: the machine has it only if nixos-anywhere got that far.
      console.error(
        `known_hosts and .sops.yaml now name the host key made for this attempt. Do not commit them yet: run install again (it makes a new key), ` +
          `or, if the machine did boot the installed system, deploy with "nx run ${pinned}:deploy" (it checks that key).`,
      );
    }
    return { success: false };
  } finally {
    identity?.remove();
    stop.dispose();
    // Nothing is left to wait for, and nx may be gone: this process ends here.
    if (stop.signal.aborted) process.exit(stopExitCode(abortReason(stop.signal)));
  }
}
