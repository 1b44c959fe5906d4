// npm run lab -- --down against a stale or edited state file: it never signals a foreign process,
// deletes a foreign namespace or link, or removes a foreign folder. No test hosts are started:
// every case is a state file naming things that are not the lab's.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { down } from '../../../tools/lab/down';
import { up } from '../../../tools/lab/lab';
import { foreignParts, isLabSupervisor, unsafeLabDir } from '../../../tools/lab/owned';
import { alive, readState, stateFile, writeState, type LabState } from '../../../tools/lab/state';

describe('npm run lab -- --down with a state file that names what is not the lab', () => {
  const root = mkdtempSync(join(tmpdir(), 'nix-fleet-lab-state-spec-'));
  const dir = join(root, 'lab');
  const foreignDir = join(root, 'precious');
  let victim: ChildProcess;
  const state = (over: Partial<LabState>): LabState => ({ status: 'ready', supervisorPid: victim.pid!, pids: [], namespaces: [], hosts: [], ...over });
  const quietly = async (run: () => Promise<number>) => {
    const spy = [jest.spyOn(console, 'log').mockImplementation(() => undefined), jest.spyOn(console, 'error').mockImplementation(() => undefined)];
    try {
      return { code: await run(), err: spy[1].mock.calls.map((c) => String(c[0])).join('\n') };
    } finally {
      for (const s of spy) s.mockRestore();
    }
  };

  beforeEach(() => {
    victim = spawn('sleep', ['60'], { stdio: 'ignore' });
    mkdirSync(foreignDir, { recursive: true });
    writeFileSync(join(foreignDir, 'keep'), 'mine');
  });
  afterEach(() => victim.kill('SIGKILL'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each<[string, Partial<LabState>]>([
    ['a foreign folder as the workspace', { workspace: foreignDir }],
    ['a foreign folder as the hosts folder', { hostsDir: foreignDir }],
    ['a lab-looking name that climbs out of it', { workspace: join(tmpdir(), 'nix-fleet-lab-ws-abcdef', '..', '..', foreignDir) }],
    ['a namespace the lab did not make', { namespaces: ['nf-foreign-ns'] }],
    ['a link the lab did not make', { bridge: 'nfzzforeign0' }],
    ['PID 1 as the supervisor', { supervisorPid: 1, workspace: foreignDir }],
  ])('%s: refused by name, nothing touched, the state kept', async (_what, over) => {
    writeState(dir, state(over));
    const { code, err } = await quietly(() => down(dir));
    expect(code).toBe(1);
    expect(err).toContain('names what is not the lab');
    expect(alive(victim.pid!)).toBe(true);
    expect(existsSync(join(foreignDir, 'keep'))).toBe(true);
    expect(existsSync(stateFile(dir))).toBe(true);
  });

  it('a supervisor PID now used by another process (the lab crashed) is not signalled; the rest is removed', async () => {
    writeState(dir, state({}));
    expect(isLabSupervisor(victim.pid!, dir)).toBe(false);
    const { code } = await quietly(() => down(dir));
    expect(code).toBe(0);
    expect(alive(victim.pid!)).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });

  it('a second npm run lab while the first is starting leaves that lab alone', async () => {
    // Stands in for the supervisor: its command line is what isLabSupervisor checks.
    const starting = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '--', '/x/tools/lab/supervisor.ts', dir], { stdio: 'ignore' });
    try {
      for (const deadline = Date.now() + 5000; !isLabSupervisor(starting.pid!, dir) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
      writeState(dir, state({ status: 'starting', supervisorPid: starting.pid! }));
      const { code, err } = await quietly(() => up(dir));
      expect(code).toBe(1);
      expect(err).toContain(`a lab is starting (supervisor pid ${starting.pid})`);
      expect(alive(starting.pid!)).toBe(true);
      expect(readState(dir)?.status).toBe('starting');
    } finally {
      starting.kill('SIGKILL');
      // Should up() ever start a real lab here (the guard broken), remove it rather than leak it.
      const now = readState(dir);
      if (now && now.supervisorPid !== starting.pid) await quietly(() => down(dir));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("accepts the names the lab's supervisor makes (they carry its pid)", () => {
    const pid = 4242;
    const tag = `${pid.toString(36)}0`;
    const lab: LabState = {
      ...state({ supervisorPid: pid }),
      namespaces: [`nf-${pid}-${tag}-lab1`, `nf-${pid}-${tag}-lab2`],
      bridge: `nf${tag}br`,
      hostsDir: join(tmpdir(), `nix-fleet-hosts-${pid}-AbC123`),
      workspace: join(tmpdir(), 'nix-fleet-lab-ws-xYz789'),
    };
    expect(foreignParts(lab)).toEqual([]);
    // Another supervisor's names (another pid) are not this state's.
    expect(foreignParts({ ...lab, supervisorPid: 4243 })).toHaveLength(4);
  });

  it('a lab folder that others can write, or a link, is refused; state is never written through a planted link', () => {
    const shared = join(root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    expect(unsafeLabDir(shared)).toBe(`${shared} is writable by others (mode 777)`);
    const link = join(root, 'link');
    symlinkSync(foreignDir, link);
    expect(unsafeLabDir(link)).toBe(`${link} is not a folder (a link or a file)`);
    expect(unsafeLabDir(join(root, 'none'))).toBeUndefined();
    // A link planted where writeState puts its temporary file: the link goes, its target stays.
    mkdirSync(dir, { recursive: true });
    expect(unsafeLabDir(dir)).toBeUndefined();
    symlinkSync(join(foreignDir, 'keep'), `${stateFile(dir)}.${process.pid}.tmp`);
    writeState(dir, state({}));
    expect(readFileSync(join(foreignDir, 'keep'), 'utf-8')).toBe('mine');
    expect(readState(dir)?.status).toBe('ready');
  });

  it('a state file that is not JSON is named, not a stack trace', () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(stateFile(dir), '{"supervisorPid": 1,');
    expect(() => readState(dir)).toThrow(`${stateFile(dir)} is not the lab's state`);
  });
});
