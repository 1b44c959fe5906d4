// The key=value lines our remote scripts print, read back; and what a failed step carries.
import { DeployStepError, parseKeyValues } from './step-error';

describe('parseKeyValues', () => {
  it('reads each key=value line, trimmed, among lines of other output', () => {
    const stdout = ['activating the configuration...', '  running = /nix/store/abc-system  ', 'decided-by=watchdog', '', 'setting up /etc'].join('\n');
    expect(parseKeyValues(stdout)).toEqual({ running: '/nix/store/abc-system', 'decided-by': 'watchdog' });
  });

  it('splits at the first "=": a value may hold more of them', () => {
    expect(parseKeyValues('locked-by=token=d1 by alice@laptop pid 7 since x\n')).toEqual({ 'locked-by': 'token=d1 by alice@laptop pid 7 since x' });
  });

  it('a line starting with "=" names no key; an empty value is kept; the last of a repeated key wins', () => {
    expect(parseKeyValues('=orphan\nprofile=\nresult=pending\nresult=rolled-back')).toEqual({ profile: '', result: 'rolled-back' });
  });
});

describe('DeployStepError', () => {
  it('names its step, keeps its message, and says whether the connection was lost', () => {
    const e = new DeployStepError('copy', 'disk full');
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: 'DeployStepError', step: 'copy', message: 'disk full', connectionLost: false });
    expect(new DeployStepError('confirm', 'gone', true).connectionLost).toBe(true);
  });
});
