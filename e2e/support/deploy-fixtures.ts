// Fixture pieces for deploy tests: switch scripts that record on the host, host.json
// deployment records for test hosts, and readers of a host's state.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nixString } from '../../packages/nix-fleet-plugin/src/generators/shared/nix-text';
import type { FixtureHost } from './fixture-fleet';
import { startSystemdHosts } from './systemd-hosts';
import { startTestHosts, type TestHost, type TestNetwork } from './test-hosts';
import { createWorkspace, type Workspace } from './workspace';

/** Per host (under its own /nix): one line "<mode> <system>" per switch-to-configuration run. */
export const ACTIVATION_LOG = '/nix/var/nix-fleet/activations.log';
export const SYSTEM_PROFILE = '/nix/var/nix/profiles/system';

export interface SwitchBehaviour {
  /** Exit 1 with this message after recording (a broken activation). */
  fail?: string;
  /** Exit 1 after recording when this file exists on the host (a system that breaks later). */
  failIf?: string;
  /** Sleep this long before finishing (a slow activation). */
  sleepSeconds?: number;
  /** Half a second after activation, take eth0 down for this many seconds. */
  linkDownSeconds?: number;
  /** Stop the host's sshd as activation ends (open sessions live on), start it again after this many seconds. */
  sshdDownSeconds?: number;
  /**
   * Print a line every 0.1 s for 3 s, and after this many seconds kill every ssh session of the
   * host (the listener stays): a dropped connection while activation writes to its stdout.
   * The last line of the activation log, "<mode> <system> complete", proves it ran to the end.
   */
  cutSessionsAfterSeconds?: number;
  /**
   * Ignore SIGTERM (its sleep inherits that), record, wait this long, and only then point
   * /run/current-system at the system and log "<mode> <system> complete": an activation that a
   * TERM does not stop, which lands late unless it is killed.
   */
  lateSwitchSeconds?: number;
  /** Lines to print as NixOS's does for dry-activate ("would restart the following units: ..."). */
  say?: string[];
}

/** Kills the sshd processes below this host's listener (its sessions), never another host's. */
const KILL_SESSIONS =
  'l=$(cat /run/sshd.pid); kids() { for p in $(pgrep -P "$1"); do echo "$p"; kids "$p"; done; }; ' +
  'for p in $(kids "$l"); do if [ "$(cat /proc/$p/comm 2>/dev/null)" = sshd ]; then kill -9 "$p"; fi; done';

/** A switch-to-configuration that behaves like NixOS's for /run/current-system and records itself. */
export function recordingSwitchScript(b: SwitchBehaviour = {}): string {
  const lines = [
    '#!/bin/sh',
    'sys=$(cd "$(dirname "$0")/.." && pwd)',
    'mkdir -p /nix/var/nix-fleet',
    `echo "$1 $sys" >> ${ACTIVATION_LOG}`,
  ];
  if (b.lateSwitchSeconds) lines.splice(1, 0, "trap '' TERM");
  if (b.lateSwitchSeconds) lines.push(`sleep ${b.lateSwitchSeconds}`);
  lines.push('case "$1" in switch|test) ln -sfn "$sys" /run/current-system ;; esac');
  if (b.lateSwitchSeconds) lines.push(`echo "$1 $sys complete" >> ${ACTIVATION_LOG}`);
  if (b.sleepSeconds) lines.push(`sleep ${b.sleepSeconds}`);
  if (b.linkDownSeconds) {
    lines.push(`setsid sh -c 'sleep 0.5; ip link set eth0 down; sleep ${b.linkDownSeconds}; ip link set eth0 up' </dev/null >/dev/null 2>&1 &`);
  }
  if (b.sshdDownSeconds) {
    lines.push(
      // sshd rewrites its argv as "sshd: /usr/sbin/sshd -D ... [listener] ...".
      `pid=$(cat /run/sshd.pid); cmd=$(tr '\\0' ' ' < /proc/$pid/cmdline | sed -e 's/^sshd: //' -e 's/ \\[listener\\].*//'); kill "$pid"`,
      `setsid sh -c "sleep ${b.sshdDownSeconds}; exec $cmd" </dev/null >/dev/null 2>&1 &`,
    );
  }
  if (b.cutSessionsAfterSeconds) {
    lines.push(
      `setsid sh -c ${shellWord(`sleep ${b.cutSessionsAfterSeconds}; ${KILL_SESSIONS}`)} </dev/null >/dev/null 2>&1 &`,
      'i=0; while [ $i -lt 30 ]; do echo "activating step $i"; sleep 0.1; i=$((i+1)); done',
      `echo "$1 $sys complete" >> ${ACTIVATION_LOG}`,
    );
  }
  for (const line of b.say ?? []) lines.push(`echo ${shellWord(line)}`);
  if (b.fail) lines.push(`echo "${b.fail}" >&2`, 'exit 1');
  if (b.failIf) lines.push(`if [ -e ${b.failIf} ]; then echo "fixture: ${b.failIf} exists" >&2; exit 1; fi`);
  lines.push('echo "activated $1 $sys"', '');
  return lines.join('\n');
}

function shellWord(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** extraConfig for a fixture host: its switch script. */
export function switchScriptConfig(b: SwitchBehaviour = {}): string {
  return `  switchScript = ${nixString(recordingSwitchScript(b))};\n`;
}

/** A test host's fixture: one package of `size` zero bytes at `version`, deployed to the host, with a recording switch script. */
export function testHostFixture(net: TestNetwork, host: TestHost, version: string, behaviour: SwitchBehaviour = {}, size = 65536): FixtureHost {
  return { name: host.name, packages: [{ name: `${host.name}-app`, version, size }], hostJson: deploymentFor(net, host), extraConfig: switchScriptConfig(behaviour) };
}

/** host.json fields that point deploy at a test host: its name is a Host block of the network's ssh config. */
export function deploymentFor(_net: TestNetwork, host: TestHost, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { deployment: { targetHost: host.name, ...extra } };
}

/**
 * Makes every deploy in this process use the network's ssh config, as an operator would with
 * NIX_FLEET_SSH_CONFIG (host.json may not name an ssh config: -F is not an allowed option).
 * Returns the function that puts the environment back.
 */
export function useNetworkSshConfig(net: TestNetwork): () => void {
  const before = process.env.NIX_FLEET_SSH_CONFIG;
  process.env.NIX_FLEET_SSH_CONFIG = net.sshConfigFile;
  return () => {
    if (before === undefined) delete process.env.NIX_FLEET_SSH_CONFIG;
    else process.env.NIX_FLEET_SSH_CONFIG = before;
  };
}

export function builtOutPath(workspaceRoot: string, host: string): string {
  return JSON.parse(readFileSync(join(workspaceRoot, 'dist/hosts', host, 'build.json'), 'utf-8')).outPath;
}

export function deployResult(workspaceRoot: string, host: string): Record<string, any> {
  return JSON.parse(readFileSync(join(workspaceRoot, 'dist/deploy/hosts', `${host}.json`), 'utf-8'));
}

export async function readLink(host: TestHost, path: string): Promise<string> {
  return (await host.exec(['sh', '-c', 'readlink -f "$1" || true', 'x', path])).trim();
}

export async function activations(host: TestHost): Promise<string[]> {
  const text = await host.exec(['sh', '-c', `cat ${ACTIVATION_LOG} 2>/dev/null || true`]);
  return text.split('\n').filter(Boolean);
}

/** The system profile's generations on a test host, as nix-env lists them: "<number> <link target>". */
export async function generations(host: TestHost): Promise<string[]> {
  const script = `cd /nix/var/nix/profiles && for l in system-*-link; do [ -e "$l" ] && echo "$(echo "$l" | sed 's/system-\\(.*\\)-link/\\1/') $(readlink -f "$l")"; done; true`;
  return (await host.exec(['sh', '-c', script])).split('\n').filter(Boolean).sort((a, b) => parseInt(a) - parseInt(b));
}

/** Connections sshd has authenticated on this host so far (multiplexed sessions are not new connections). */
export function authentications(host: Pick<TestHost, 'sshdLog'>): number {
  if (!existsSync(host.sshdLog)) return 0;
  return readFileSync(host.sshdLog, 'utf-8').split('\n').filter((l) => l.includes('Accepted publickey')).length;
}

export async function exists(host: TestHost, path: string): Promise<boolean> {
  return (await host.exec(['sh', '-c', 'test -e "$1" && echo yes || echo no', 'x', path])).trim() === 'yes';
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Test hosts reached through their network's ssh config, and a workspace to deploy them from. */
export interface DeployFleet {
  net: TestNetwork;
  ws: Workspace;
  /** Puts NIX_FLEET_SSH_CONFIG back, stops the hosts and removes the workspace. */
  teardown(): Promise<void>;
}

/** The kinds of test host: a network namespace with sshd as root and no init, or systemd as PID 1 (systemd-hosts.ts). */
export type HostKind = 'namespace' | 'systemd';

export async function startDeployFleet(count: number, namePrefix: string, workspacePrefix: string, kind: HostKind = 'namespace'): Promise<DeployFleet> {
  const net = kind === 'systemd' ? await startSystemdHosts(count, { namePrefix }) : await startTestHosts(count, { namePrefix });
  const restoreSsh = useNetworkSshConfig(net);
  const ws = createWorkspace(workspacePrefix);
  return {
    net,
    ws,
    teardown: async () => {
      restoreSsh();
      await net.teardown();
      ws.remove();
    },
  };
}
