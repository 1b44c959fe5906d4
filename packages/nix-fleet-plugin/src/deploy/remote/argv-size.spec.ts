// ssh hands the target ONE string (shJoin of the argv), run as `$SHELL -c STRING`, and the local
// ssh gets it as one argument too. Linux refuses any single argument of MAX_ARG_STRLEN (32 pages,
// 131072 bytes with its NUL) or more with E2BIG, whatever ARG_MAX is. The biggest remote call is
// the activation, which carries four programs as text: it has to fit with every path at PATH_MAX.
import { spawnSync } from 'node:child_process';
import { shJoin, withPrivilege } from '../../ssh/argv';
import * as remote from '../remote-scripts';
import { planReadArgv } from '../plan-script';
import { listGenerationsArgv } from '../../operations/generations-script';
import { lockOwner } from '../lock';

const MAX_ARG_STRLEN = 32 * 4096;
/** A path as long as the target may have one (PATH_MAX 4096, with its NUL). */
const path = (name: string) => `/${name}/`.padEnd(4095, 'x');
const token = 'd' + 'z'.repeat(40);
const ctx: remote.DeployContext = {
  profile: path('profile'),
  outPath: path('out'),
  mode: 'dry-activate',
  runDir: `${path('state').slice(0, 4000)}/${token}`,
  windowSeconds: 3600,
  activationSeconds: 86400,
  previousCurrent: path('previous'),
  lockDir: path('lock'),
  setProfile: true,
  previousProfile: path('previous-profile'),
  previousProfileLink: path('link'),
  currentSystemPath: path('current'),
  switchGeneration: '999999999',
  maxGeneration: '999999999',
};

const CALLS: Array<[string, string[]]> = [
  ['lock-and-read', remote.lockAndReadArgv(ctx.lockDir, lockOwner(token), ctx.currentSystemPath, ctx.profile, path('state'))],
  ['break-lock', remote.breakLockArgv(ctx.lockDir, token, path('state'))],
  ['unlock', remote.unlockArgv(ctx.lockDir, token)],
  ['activate', remote.activateArgv(ctx, 86400)],
  ['follow', remote.followArgv(ctx.runDir, 2 ** 40, 86400)],
  ['commit', remote.commitArgv(ctx)],
  ['rollback', remote.rollbackArgv(ctx)],
  ['fetch-url', remote.fetchUrlArgv(`http://${'h'.repeat(253)}/${'p'.repeat(8000)}`, 3600)],
  ['plan-read', planReadArgv(ctx.currentSystemPath)],
  ['list-generations', listGenerationsArgv(ctx.profile, ctx.currentSystemPath, path('state'))],
];

/** The one string ssh sends: bounded, behind a privilege command, as target.ts builds it. */
const commandLine = (argv: string[]) => shJoin(withPrivilege(remote.boundedArgv(86400, argv), 'deploy', ['sudo', '-n', '-u', 'root']));

it('this kernel refuses one argument of MAX_ARG_STRLEN bytes, and takes one a byte shorter', () => {
  const spawn = (bytes: number) => spawnSync('true', ['x'.repeat(bytes)]).error;
  expect((spawn(MAX_ARG_STRLEN) as NodeJS.ErrnoException | undefined)?.code).toBe('E2BIG');
  expect(spawn(MAX_ARG_STRLEN - 1)).toBeUndefined();
});

it.each(CALLS)('%s with every path at PATH_MAX fits in one argument', (_name, argv) => {
  const line = commandLine(argv);
  expect(Buffer.byteLength(line)).toBeLessThan(MAX_ARG_STRLEN);
  // And the kernel takes it, as the target's `$SHELL -c` gets it.
  const r = spawnSync('sh', ['-c', 'exit 0', 'sh', line]);
  expect(r.error).toBeUndefined();
  expect(r.status).toBe(0);
});

it('the programs themselves take less than half of it: activate and rollback with the default paths', () => {
  const usual = { ...ctx, profile: '/nix/var/nix/profiles/system', outPath: `/nix/store/${'a'.repeat(32)}-nixos-system-web-24.11`, runDir: `/run/nix-fleet/${token}` };
  for (const argv of [remote.activateArgv(usual, 600), remote.rollbackArgv(usual)]) {
    expect(Buffer.byteLength(commandLine(argv))).toBeLessThan(MAX_ARG_STRLEN / 2);
  }
});
