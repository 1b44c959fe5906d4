// The machine checks that read the fleet: two hosts naming one machine, and a deploy to this
// machine that nobody asked for, refused from the host's eval task before anything runs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import type { HostJson } from '../host/host-json';
import { checkMachine, refuseUnaskedLocalDeploy } from './machine-check';
import { deployPlan } from './options';
import { localOptions } from './local-target';

// ssh -G and name lookups: slow on a loaded machine.
jest.setTimeout(30000);

describe('checkMachine', () => {
  const root = mkdtempSync(join(tmpdir(), 'machine-check-'));
  const sshConfig = join(root, 'ssh_config');
  const host = (name: string, deployment: HostJson['deployment']) => {
    mkdirSync(join(root, 'hosts', name), { recursive: true });
    writeFileSync(join(root, 'hosts', name, 'host.json'), JSON.stringify({ type: 'server', system: 'x86_64-linux', deployment }));
  };
  beforeAll(() => {
    writeFileSync(sshConfig, 'Host db-alias\n  HostName 10.0.0.12\n');
    host('web1', { targetHost: '10.0.0.11' });
    host('web2', { targetHost: '10.0.0.11' });
    host('web4', { targetHost: '10.0.0.11', port: 22 });
    host('web3', { targetHost: '10.0.0.11', port: 2222 });
    host('db1', { targetHost: '10.0.0.12' });
    host('db2', { targetHost: 'db-alias' });
    host('loop', { targetHost: '127.0.0.2' });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const check = (name: string, deployment: HostJson['deployment'], options: { local?: boolean; targetHost?: string; port?: number } = {}) => {
    const plan = deployPlan(name, { type: 'server', system: 'x86_64-linux', deployment }, localOptions(options), { NIX_FLEET_SSH_CONFIG: sshConfig });
    return checkMachine(root, name, plan, { local: options.local, targetHost: options.targetHost, allowed: false }).then(
      (machine) => ({ machine, message: undefined }),
      (e: unknown) => ({ machine: undefined, message: (e as Error).message }),
    );
  };

  it('names every host.json that deploys to the same machine, and the fix', async () => {
    expect((await check('web1', { targetHost: '10.0.0.11' })).message).toBe(
      "hosts/web1/host.json and hosts/web2/host.json, hosts/web4/host.json all deploy to 10.0.0.11: one machine would get another host's system. Give each host its own deployment.targetHost.",
    );
  });

  it('an ssh alias is named with the address it stands for, once', async () => {
    expect((await check('db2', { targetHost: 'db-alias' })).message).toMatch(/^hosts\/db2\/host\.json and hosts\/db1\/host\.json all deploy to db-alias \(10\.0\.0\.12\): /);
  });

  it('--targetHost is named as the source, with a port other than 22', async () => {
    expect((await check('fresh1', { targetHost: 'fresh1.lan' }, { targetHost: '10.0.0.11', port: 2222 })).message).toMatch(
      /^--targetHost=10\.0\.0\.11 and hosts\/web3\/host\.json all deploy to 10\.0\.0\.11 port 2222: /,
    );
  });

  it('--local is named as the source, and this machine as such', async () => {
    expect((await check('ares', {}, { local: true })).message).toMatch(/^--local and hosts\/loop\/host\.json all deploy to localhost \(this machine\): /);
  });

  it('a machine no other host names passes, and is returned for the later checks', async () => {
    expect(await check('web3', { targetHost: '10.0.0.11', port: 2222 })).toEqual({ machine: { name: '10.0.0.11', port: 2222, addresses: ['10.0.0.11'], local: false }, message: undefined });
  });

  it('this machine unasked is refused before the fleet is read', async () => {
    expect((await check('loop', { targetHost: '127.0.0.2' })).message).toContain('Host "loop" deploys to 127.0.0.2, which is this machine');
  });
});

describe('refuseUnaskedLocalDeploy', () => {
  type Task = { project: string; target: string; overrides?: Record<string, unknown> };
  const context = (tasks: Task[], options: Record<string, unknown> = {}, plugins: unknown[] = []) =>
    ({
      nxJsonConfiguration: { plugins },
      projectsConfigurations: {
        projects: { ares: { targets: { build: { executor: '@nix-fleet/nx:build' }, switch: { executor: '@nix-fleet/nx:deploy', options } } } },
      },
      taskGraph: { tasks: Object.fromEntries(tasks.map((t, i) => [`t${i}`, { target: { project: t.project, target: t.target }, overrides: t.overrides ?? {} }])) },
    }) as unknown as ExecutorContext;
  const refusal = (ctx: ExecutorContext, deployment?: { targetHost?: string; port?: number }) =>
    refuseUnaskedLocalDeploy(ctx, 'ares', deployment).then(
      () => undefined,
      (e: unknown) => (e as Error).message,
    );
  const deploy: Task = { project: 'ares', target: 'switch' };

  it("refuses a run that deploys the host to this machine, naming the run's own deploy target", async () => {
    expect(await refusal(context([{ project: 'ares', target: 'build' }, deploy]), { targetHost: 'localhost' })).toContain(
      'Host "ares" deploys to localhost, which is this machine: its activation would run as root here. Nothing was run. Pass --local to mean it (nx run ares:switch --local)',
    );
  });

  // Every row has all four columns: jest reads a test function with more parameters than its row as one taking done().
  it.each<[string, Task[], { targetHost?: string; port?: number } | undefined, Record<string, unknown>]>([
    ['the run builds it only', [{ project: 'ares', target: 'build' }], { targetHost: 'localhost' }, {}],
    ["the run deploys another host's switch", [{ project: 'web1', target: 'switch' }], { targetHost: 'localhost' }, {}],
    ['--local was given', [{ ...deploy, overrides: { local: true } }], { targetHost: 'localhost' }, {}],
    ['the target options say local', [deploy], { targetHost: 'localhost' }, { local: true }],
    ['no targetHost at all', [deploy], undefined, {}],
    ['--targetHost names another machine', [{ ...deploy, overrides: { targetHost: '10.0.0.5' } }], { targetHost: 'localhost' }, {}],
    ['localhost on another port is a tunnel', [deploy], { targetHost: 'localhost', port: 2222 }, {}],
    ['--port makes it a tunnel', [{ ...deploy, overrides: { port: 2222 } }], { targetHost: 'localhost', port: 22 }, {}],
    ['a targetHost the deploy task will refuse itself', [deploy], { targetHost: 'localhost:70000' }, {}],
  ])('lets it through when %s', async (_label, tasks, deployment, options) => {
    expect(await refusal(context(tasks, options), deployment)).toBeUndefined();
  });

  it('lets it through when nx.json allows local targets', async () => {
    const ctx = context([deploy], {}, [{ plugin: '@nix-fleet/nx', options: { allowLocalTargets: true } }]);
    expect(await refusal(ctx, { targetHost: '127.0.0.1' })).toBeUndefined();
  });

  it('a --targetHost of this machine is refused even when host.json names another', async () => {
    expect(await refusal(context([{ ...deploy, overrides: { targetHost: '127.0.0.1' } }]), { targetHost: '10.0.0.5' })).toContain('deploys to 127.0.0.1, which is this machine');
  });

  it('a --targetHost of this machine is refused for a host.json without deployment', async () => {
    expect(await refusal(context([{ ...deploy, overrides: { targetHost: 'localhost' } }]), undefined)).toContain('deploys to localhost, which is this machine');
  });

  it('tasks of targets the host does not define, and hosts without projects, are not its deploy', async () => {
    expect(await refusal(context([{ project: 'ares', target: 'lint' }]), { targetHost: 'localhost' })).toBeUndefined();
    expect(await refusal(context([{ project: 'zeus', target: 'switch' }]), { targetHost: 'localhost' })).toBeUndefined();
    const noProject = { ...context([deploy]), projectsConfigurations: { projects: {} } } as unknown as ExecutorContext;
    expect(await refusal(noProject, { targetHost: 'localhost' })).toBeUndefined();
  });

  it('a context without projects or tasks has nothing to refuse', async () => {
    expect(await refusal({} as ExecutorContext, { targetHost: 'localhost' })).toBeUndefined();
  });
});
