// npm run lab: the hosts outlive the command, the printed deploy command works as printed, and
// --down leaves nothing of the lab (namespaces, processes, bridge, temp dirs, state).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/workspace';
import { alive, type LabState } from '../../../tools/lab/state';

const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf-8' });

describe('npm run lab', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'nix-fleet-lab-spec-')), 'lab');
  const env = { ...process.env, NIX_FLEET_LAB_DIR: dir };
  const lab = (args: string[] = []) =>
    spawnSync('npm', ['run', '--silent', 'lab', ...(args.length ? ['--', ...args] : [])], { cwd: REPO_ROOT, env, encoding: 'utf-8' });
  let state: LabState;

  afterAll(() => {
    lab(['--down']);
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('refuses an unknown argument by name and starts nothing', () => {
    const r = lab(['--dwon']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('lab: unknown argument --dwon.');
    expect(existsSync(dir)).toBe(false);
  });

  it('starts three hosts that outlive the command, and the printed deploy command deploys to one', () => {
    const r = lab();
    expect(`${r.status}\n${r.stderr}`).toMatch(/^0\n/);
    state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf-8'));
    expect(state.status).toBe('ready');
    // The command has exited; its hosts have not.
    expect(alive(state.supervisorPid)).toBe(true);
    for (const pid of state.pids) expect(alive(pid)).toBe(true);
    for (const ns of state.namespaces) expect(namespaces()).toContain(ns);

    // Exactly what it printed: the cd and export lines, then the deploy line.
    const lines = r.stdout.split('\n').map((l) => l.trim());
    const cd = lines.find((l) => l.startsWith('cd '))!;
    const exp = lines.find((l) => l.startsWith('export NIX_FLEET_SSH_CONFIG='))!;
    const deploy = lines.find((l) => /^npx nx run \S+:deploy\s/.test(l))!;
    for (const c of ['--mode=plan', ':generations', ':rollback', 'exec --command=']) expect(r.stdout).toContain(c);
    expect(r.stdout).toContain('npm run lab -- --down');
    const ran = spawnSync('bash', ['-c', [cd, exp, deploy].join(' && ')], { encoding: 'utf-8', env: process.env });
    expect(`${ran.status}\n${ran.stdout}${ran.stderr}`).toMatch(/^0\n[\s\S]*Deploy \(1 host\): 1 deployed/);
    const host = deploy.match(/run (\S+):deploy/)![1];
    const result = JSON.parse(readFileSync(join(state.workspace!, 'dist/deploy/hosts', `${host}.json`), 'utf-8'));
    expect(result.status).toBe('deployed');

    // A second `npm run lab` shows the running lab instead of starting another.
    const again = lab();
    expect(again.stdout).toContain('The lab is already running.');
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf-8')).supervisorPid).toBe(state.supervisorPid);
  });

  it('--down removes every namespace, process, the bridge and every temp dir; a second --down has nothing to do', () => {
    const r = lab(['--down']);
    expect(`${r.status}\n${r.stderr}`).toMatch(/^0\n/);
    expect(r.stdout).toContain('Lab removed: 3 test hosts');
    expect(alive(state.supervisorPid)).toBe(false);
    for (const pid of state.pids) expect(alive(pid)).toBe(false);
    for (const ns of state.namespaces) expect(namespaces()).not.toContain(ns);
    expect(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf-8' })).not.toContain(` ${state.bridge}:`);
    for (const d of [state.hostsDir!, state.workspace!, dir]) expect(existsSync(d)).toBe(false);
    expect(lab(['--down']).stdout).toContain('No lab to stop');
  });

  it('--down also removes a lab whose supervisor was killed (its hosts outlived it)', () => {
    expect(lab().status).toBe(0);
    const killed: LabState = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf-8'));
    process.kill(killed.supervisorPid, 'SIGKILL');
    for (const deadline = Date.now() + 5000; alive(killed.supervisorPid) && Date.now() < deadline; ) execFileSync('sleep', ['0.1']);
    expect(alive(killed.supervisorPid)).toBe(false);
    expect(killed.pids.filter(alive)).toEqual(killed.pids);
    const r = lab(['--down']);
    expect(`${r.status}\n${r.stderr}`).toMatch(/^0\n/);
    for (const pid of killed.pids) expect(alive(pid)).toBe(false);
    for (const ns of killed.namespaces) expect(namespaces()).not.toContain(ns);
    for (const d of [killed.hostsDir!, killed.workspace!, dir]) expect(existsSync(d)).toBe(false);
  });
});
