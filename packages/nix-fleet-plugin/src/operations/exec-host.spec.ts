// exec on one host: output prefixed with the host name, exit codes, unreachable and timed out.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeTarget } from '../../testing/fake-target';
import { processIsAlive, sleep } from '../process/processes';
import { LocalHost } from '../deploy/local-target';
import { execArgv, execHost } from './exec-host';

async function exec(command: string, t = new LocalHost(0) as FakeTarget | LocalHost, timeoutSeconds = 10, local = true) {
  const out: string[] = [];
  const err: string[] = [];
  const result = await execHost('web1', command, t, { timeoutSeconds, local, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { result, out, err };
}

describe('execHost', () => {
  it('the command text is one sh -c argument, never split or expanded here', () => {
    expect(execArgv('systemctl is-active nginx; echo "$HOSTNAME"')).toEqual(['sh', '-c', 'systemctl is-active nginx; echo "$HOSTNAME"']);
  });

  it('prefixes each line with the host name and records exit 0', async () => {
    const { result, out, err } = await exec('echo one; echo two; echo warn >&2');
    expect(out).toEqual(['web1 | one', 'web1 | two']);
    expect(err).toEqual(['web1 | warn']);
    expect(result).toMatchObject({ host: 'web1', status: 'ok', exitCode: 0, stdout: 'one\ntwo\n', stderr: 'warn\n' });
  });

  it("shows a host's control characters as escapes: no carriage return or terminal sequence can overwrite the prefix or another host's line", async () => {
    const { out, err } = await exec(String.raw`printf 'ok\rweb2 | forged\n\033]52;c;aGk=\007\033[2K\n'; printf 'e\r\033[1Ax\n' >&2`);
    expect(out).toEqual(['web1 | ok\\rweb2 | forged', 'web1 | \\x1b]52;c;aGk=\\x07\\x1b[2K']);
    expect(err.join('\n')).not.toMatch(/[\r\u001b]/);
    expect(err).toContain('web1 | e');
  });

  it('reports a failing command\'s exit code', async () => {
    const { result, out } = await exec('echo inactive; exit 3');
    expect(out).toEqual(['web1 | inactive']);
    expect(result).toMatchObject({ status: 'failed', exitCode: 3, message: 'exit code 3' });
  });

  it('stops a command that runs past --timeout on the target itself, children included', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'nix-fleet-exec-spec-')), 'child.pid');
    // The child, not the shell, is what a kill of the shell alone would leave behind.
    const { result } = await exec(`sleep 30 & echo $! > ${pidFile}; wait`, undefined, 1);
    expect(result).toMatchObject({ status: 'timed-out', exitCode: 124 });
    expect(result.message).toBe("did not finish within 1s (--timeout); the target's timeout stopped it");
    const child = Number(readFileSync(pidFile, 'utf-8'));
    // Polled: the target's timeout signals the group, and the child may take a moment to go.
    for (let i = 0; i < 100 && processIsAlive(child); i++) await sleep(20);
    expect(processIsAlive(child)).toBe(false);
  });

  it('ssh\'s 255 is an unreachable host, said with its doubt', async () => {
    const t = new FakeTarget().on('health', { fail: 255, stderr: 'ssh: connect to host web1.lan port 22: No route to host' });
    const { result } = await exec('true', t, 10, false);
    expect(result).toMatchObject({ status: 'unreachable', exitCode: 255 });
    expect(result.message).toContain('No route to host');
  });

  it('a host-key refusal runs nothing', async () => {
    const t = new FakeTarget().on('host-keys', { fail: 1, stderr: 'would not check its host key' });
    const { result } = await exec('true', t, 10, false);
    expect(t.calls).toEqual(['host-keys']);
    expect(result).toMatchObject({ status: 'unreachable', exitCode: null });
  });
});
