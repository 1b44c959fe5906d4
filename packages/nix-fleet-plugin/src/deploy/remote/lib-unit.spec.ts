// sd_run (lib-unit.sh) in each shell a target's /bin/sh may be, with a recording systemd-run on
// PATH: every $ of the command line reaches systemd doubled (systemd expands $NAME and ${NAME}
// in a unit's command line, and $$ is its literal $), with a description of our own.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHELLS } from '../../../testing/fake-remote-host';
import { remoteScript } from './script-text';

describe.each(SHELLS)('sd_run in %s', (shell) => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nix-fleet-sd-run-'));
    writeFileSync(join(dir, 'systemd-run'), `#!/bin/sh\nfor a do printf '%s\\037' "$a"; done > "${dir}/argv"\n`);
    chmodSync(join(dir, 'systemd-run'), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const sdRun = (...words: string[]) => {
    const script = `${remoteScript('lib-unit.sh')}\nsd_run "$@"`;
    const [cmd, ...pre] = shell.split(' ');
    const r = spawnSync(cmd, [...pre, '-c', script, 'spec', ...words], { encoding: 'utf-8', env: { PATH: `${dir}:${process.env.PATH}` } });
    expect(r.status).toBe(0);
    return readFileSync(join(dir, 'argv'), 'utf-8').split('\x1f').slice(0, -1);
  };

  it('doubles every $ of the command, options and names stay as given', () => {
    const text = 'echo "${13}" $rc $$ \'$(x)\'\nline two $';
    const argv = sdRun('nix-fleet-watchdog-dmx7abc', 'watchdog', '/run/nf/d/w.log', '/run/nf/d/w.err', '', '/bin/sh', '-c', text, 'nix-fleet-watchdog', 'run_dir=/run/$HOME/d', 'mode=-x');
    expect(argv.slice(-6)).toEqual(['/bin/sh', '-c', 'echo "$${13}" $$rc $$$$ \'$$(x)\'\nline two $$', 'nix-fleet-watchdog', 'run_dir=/run/$$HOME/d', 'mode=-x']);
    expect(argv).toContain('--unit=nix-fleet-watchdog-dmx7abc');
    expect(argv).toContain('--description=nix-fleet watchdog of deploy dmx7abc');
    expect(argv).toContain('StandardOutput=append:/run/nf/d/w.log');
    expect(argv).toContain('StandardError=append:/run/nf/d/w.err');
    expect(argv).not.toContain('--wait');
    expect(argv).not.toContain('');
  });

  it('passes --wait on when asked', () => {
    expect(sdRun('nix-fleet-rollback-dmx7abc', 'rollback', 'o', 'e', '--wait', 'sh', '-c', 'true')).toContain('--wait');
  });
});
