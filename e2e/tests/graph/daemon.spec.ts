// The plugin under the Nx daemon: the graph follows every file the plugin reads, edit after edit.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFixtureFleet, writeFixtureHost, writeWorkspaceFile } from '../../support/fixture-fleet';
import { createWorkspace, type Workspace } from '../../support/workspace';

describe('the project graph under the Nx daemon', () => {
  let ws: Workspace;
  // NX_USE_LOCAL: the daemon must not fetch nx@latest (NX-HERE.md).
  const daemon = { NX_DAEMON: 'true', NX_USE_LOCAL: 'true' };
  const projects = () => (JSON.parse(ws.nx(['show', 'projects', '--json'], { env: daemon }).stdout) as string[]).sort();
  const tags = (name: string) => JSON.parse(ws.nx(['show', 'project', name, '--json'], { env: daemon }).stdout).tags as string[];

  beforeAll(() => {
    ws = createWorkspace('nix-fleet-daemon-');
    writeFixtureFleet(ws.root, [{ name: 'ares', type: 'laptop' }, { name: 'web1' }]);
    ws.commit('fixture fleet');
  });
  afterAll(() => {
    ws.nx(['daemon', '--stop'], { env: daemon, allowFailure: true });
    ws.remove();
  });

  it('serves the inferred projects', () => {
    expect(projects()).toEqual(['ares', 'profiles', 'web1']);
    expect(ws.nx(['daemon'], { env: daemon }).stdout).toMatch(/Nx Daemon is currently running/);
  });

  it('follows an edited host.json, a new host and a removed one', () => {
    writeFixtureHost(ws.root, { name: 'ares', type: 'desktop' });
    expect(tags('ares')).toEqual(['type:desktop', 'nixpkgs:unstable']);
    writeFixtureHost(ws.root, { name: 'db1', roles: ['database'] });
    expect(projects()).toEqual(['ares', 'db1', 'profiles', 'web1']);
    expect(tags('db1')).toEqual(['type:server', 'nixpkgs:unstable', 'role:database']);
    rmSync(join(ws.root, 'hosts/db1'), { recursive: true });
    expect(projects()).toEqual(['ares', 'profiles', 'web1']);
  });

  it('marks a broken host.json invalid and recovers when it is fixed', () => {
    writeFileSync(join(ws.root, 'hosts/web1/host.json'), '{ "type": "toaster", "system": "x86_64-linux" }\n');
    expect(tags('web1')).toEqual(['nix-fleet:invalid']);
    writeFixtureHost(ws.root, { name: 'web1' });
    expect(tags('web1')).toEqual(['type:server', 'nixpkgs:unstable']);
  });

  it('rechecks roles against the profile library when a role is added', () => {
    writeWorkspaceFile(ws.root, 'packages/profiles/server/roles/web.nix', '{ }\n');
    writeFixtureHost(ws.root, { name: 'web1', roles: ['cache'] });
    expect(tags('web1')).toEqual(['nix-fleet:invalid']);
    writeWorkspaceFile(ws.root, 'packages/profiles/server/roles/cache.nix', '{ }\n');
    expect(tags('web1')).toEqual(['type:server', 'nixpkgs:unstable', 'role:cache']);
  });
});
