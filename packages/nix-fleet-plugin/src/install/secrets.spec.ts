// The host's age recipient in .sops.yaml: added with its rule, or put in place of an older key.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ageRecipientFromSshKey } from '../identity/age-recipient';
import { recordAgeRecipient } from './secrets';

describe('recordAgeRecipient', () => {
  let root: string;
  const recipients: string[] = [];
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'nix-fleet-keys-'));
    for (const n of [1, 2]) {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, `k${n}`)]);
      recipients.push(ageRecipientFromSshKey(readFileSync(join(dir, `k${n}.pub`), 'utf-8')));
    }
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'nix-fleet-sops-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('adds the key and a rule, then replaces the key on a second install and keeps the rest', async () => {
    writeFileSync(join(root, '.sops.yaml'), `# mine\nkeys:\n  - &admin ${recipients[1]}\ncreation_rules:\n  - path_regex: secrets/[^/]+\\.yaml$\n    key_groups:\n      - age:\n          - *admin\n`);
    expect(await recordAgeRecipient(root, 'web2', recipients[0])).toEqual([`.sops.yaml: web2 is ${recipients[0]}`, 'No secrets/web2.yaml yet; create it with: sops secrets/web2.yaml']);
    const once = readFileSync(join(root, '.sops.yaml'), 'utf-8');
    expect(once).toContain(`  - &web2 ${recipients[0]}\n`);
    expect(once).toContain('          - *admin\n          - *web2\n');
    await recordAgeRecipient(root, 'web2', recipients[1]);
    expect(readFileSync(join(root, '.sops.yaml'), 'utf-8')).toBe(once.replace(`&web2 ${recipients[0]}`, `&web2 ${recipients[1]}`));
  });

  it('prints the exact sops command when the host has secrets and sops is not installed', async () => {
    mkdirSync(join(root, 'secrets'));
    writeFileSync(join(root, 'secrets/web2.yaml'), 'x: ENC[...]\n');
    const lines = await recordAgeRecipient(root, 'web2', recipients[0]);
    const sops = (() => {
      try {
        execFileSync('sh', ['-c', 'command -v sops']);
        return true;
      } catch {
        return false;
      }
    })();
    if (!sops) expect(lines[lines.length - 1]).toBe('sops is not installed here: re-key secrets/web2.yaml before the host boots, with: sops updatekeys --yes secrets/web2.yaml');
  });
});
