import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostsSharingTarget, machineOf, sameMachine, type Machine } from './shared-targets';

// ssh -G per machine: slow on a loaded machine.
jest.setTimeout(60000);

const machine = (over: Partial<Machine>): Machine => ({ name: 'a', port: 22, addresses: [], local: false, ...over });

describe('sameMachine', () => {
  it.each([
    ['the same name', machine({}), machine({}), true],
    ['the same name on another port', machine({}), machine({ port: 2222 }), false],
    ['two names of this machine', machine({ local: true }), machine({ name: 'b', local: true }), true],
    ['this machine and another', machine({ local: true }), machine({ name: 'b' }), false],
    ['another machine and this one', machine({ name: 'b' }), machine({ local: true }), false],
    ['two names sharing an address', machine({ addresses: ['10.0.0.1', '10.0.0.2'] }), machine({ name: 'b', addresses: ['10.0.0.3', '10.0.0.2'] }), true],
    ['two names with no address in common', machine({ addresses: ['10.0.0.1'] }), machine({ name: 'b', addresses: ['10.0.0.3'] }), false],
    ['two unresolved names', machine({}), machine({ name: 'b' }), false],
    ['a shared address on another port', machine({ addresses: ['10.0.0.1'] }), machine({ name: 'b', port: 2222, addresses: ['10.0.0.1'] }), false],
  ])('%s: %j and %j -> %s', (_what, a, b, same) => {
    expect(sameMachine(a, b)).toBe(same);
  });
});

describe('machineOf', () => {
  const root = mkdtempSync(join(tmpdir(), 'machine-of-'));
  const sshConfig = join(root, 'ssh_config');
  writeFileSync(sshConfig, 'Host web-alias\n  HostName 10.0.0.21\n  Port 2200\nHost self-alias\n  HostName LOCALHOST\n');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('follows the ssh config to the machine and port ssh connects to', async () => {
    expect(await machineOf({ host: 'web-alias', configFile: sshConfig })).toEqual({ name: '10.0.0.21', port: 2200, addresses: ['10.0.0.21'], local: false });
    expect(await machineOf({ host: '10.0.0.22', port: 2022, configFile: sshConfig })).toEqual({ name: '10.0.0.22', port: 2022, addresses: ['10.0.0.22'], local: false });
    expect(await machineOf({ host: 'self-alias', configFile: sshConfig })).toMatchObject({ name: 'localhost', port: 22, local: true });
  });

  it('looks a target up once a process', () => {
    const target = { host: '10.0.0.23', configFile: sshConfig };
    expect(machineOf({ ...target })).toBe(machineOf({ ...target }));
    expect(machineOf({ ...target, port: 2222 })).not.toBe(machineOf({ ...target }));
  });
});

describe("the machines of one nx run, in the run's file", () => {
  let root: string;
  const machinesDir = () => join(root, '.nx', 'nix-fleet', 'machines');
  const runFiles = () => (existsSync(machinesDir()) ? readdirSync(machinesDir()).sort() : []);
  const host = (name: string, deployment?: unknown) => {
    mkdirSync(join(root, 'hosts', name), { recursive: true });
    writeFileSync(join(root, 'hosts', name, 'host.json'), JSON.stringify({ type: 'server', system: 'x86_64-linux', deployment }));
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'shared-targets-run-'));
    host('a', { targetHost: '10.1.0.1' });
    host('b', { targetHost: '10.1.0.2' });
    host('no-deployment');
    host('numeric', { targetHost: 42 });
    host('dash', { targetHost: '-oProxyCommand=x' });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const mine = () => machineOf({ host: '10.1.0.1' });
  const saved = (file: string): Record<string, Machine> => JSON.parse(readFileSync(join(machinesDir(), file), 'utf-8'));

  it('has nothing to compare without a hosts folder', async () => {
    expect(await hostsSharingTarget(join(root, 'nowhere'), 'a', await mine(), undefined, 'run1')).toEqual([]);
  });

  it('writes nothing without a run id', async () => {
    expect(await hostsSharingTarget(root, 'a', await mine())).toEqual([]);
    expect(existsSync(join(root, '.nx'))).toBe(false);
  });

  it('saves the machines it looked up (not its own, not hosts without a usable targetHost), one file per run and ssh config', async () => {
    await hostsSharingTarget(root, 'a', await mine(), undefined, 'run1');
    expect(runFiles()).toHaveLength(1);
    expect(runFiles()[0]).toMatch(/^run1-[0-9a-f]{8}\.json$/);
    expect(Object.values(saved(runFiles()[0])).map((m) => m.name)).toEqual(['10.1.0.2']);
    await hostsSharingTarget(root, 'a', await mine(), join(root, 'ssh_config'), 'run1');
    await hostsSharingTarget(root, 'a', await mine(), undefined, 'run2');
    expect(runFiles()).toHaveLength(3);
  });

  it("names every twin, sorted, and the same ones again from the run's file", async () => {
    const twins = ['q', 'c', 'x', 'm', 'z', 'k', 'f', 'w', 'd', 'p'];
    for (const name of twins) host(name, { targetHost: '10.1.0.1' });
    host('e', { targetHost: '10.1.0.1', port: 2222 });
    const first = await hostsSharingTarget(root, 'a', await mine(), undefined, 'run1');
    expect(first).toEqual([...twins].sort());
    expect(await hostsSharingTarget(root, 'a', await mine(), undefined, 'run1')).toEqual(first);
  });

  it('takes what an earlier task of the run saved instead of looking up again, and writes nothing then', async () => {
    await hostsSharingTarget(root, 'a', await mine(), undefined, 'run1');
    const [file] = runFiles();
    // What an earlier task found for b's address: the machine a deploys to.
    const theirs = await mine();
    const earlier = Object.fromEntries(Object.keys(saved(file)).map((key) => [key, theirs]));
    writeFileSync(join(machinesDir(), file), JSON.stringify(earlier));
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(join(machinesDir(), file), old, old);
    expect(await hostsSharingTarget(root, 'a', await mine(), undefined, 'run1')).toEqual(['b']);
    expect(statSync(join(machinesDir(), file)).mtimeMs).toBeLessThan(Date.now() - 60_000);
    expect(await hostsSharingTarget(root, 'a', await mine())).toEqual([]);
  });

  it('looks up again when the file is torn, and mends it', async () => {
    await hostsSharingTarget(root, 'a', await mine(), undefined, 'run1');
    const [file] = runFiles();
    writeFileSync(join(machinesDir(), file), '{"x": ');
    expect(await hostsSharingTarget(root, 'a', await mine(), undefined, 'run1')).toEqual([]);
    expect(Object.values(saved(file)).map((m) => m.name)).toEqual(['10.1.0.2']);
  });

  it('keeps the machines other tasks saved when it adds its own', async () => {
    await hostsSharingTarget(root, 'a', await mine(), undefined, 'run1');
    const [file] = runFiles();
    writeFileSync(join(machinesDir(), file), JSON.stringify({ other: machine({ name: 'other' }) }));
    await hostsSharingTarget(root, 'a', await mine(), undefined, 'run1');
    expect(Object.values(saved(file)).map((m) => m.name).sort()).toEqual(['10.1.0.2', 'other']);
  });

  it("removes other runs' files older than a day, and keeps younger ones", async () => {
    mkdirSync(machinesDir(), { recursive: true });
    const aged = (name: string, hours: number) => {
      writeFileSync(join(machinesDir(), name), '{}');
      const t = new Date(Date.now() - hours * 3_600_000);
      utimesSync(join(machinesDir(), name), t, t);
    };
    aged('old-00000000.json', 25);
    aged('young-00000000.json', 23);
    await hostsSharingTarget(root, 'a', await mine(), undefined, 'run1');
    expect(runFiles().filter((f) => !f.startsWith('run1-'))).toEqual(['young-00000000.json']);
  });
});
