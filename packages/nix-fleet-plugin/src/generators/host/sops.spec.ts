import { readJson, type Tree } from '@nx/devkit';
import { snapshotTree, treeWithProfiles } from '../../../testing/test-tree';
import { hostGenerator } from './generator';
import { ADMIN_PLACEHOLDER, fleetSopsConfig } from '../shared/sops-admin';
import { addHostRecipient, checkAgeKey, SOPS_CONFIG } from './sops';

// Public keys printed by age-keygen (the first is the example in age's README); no private key here.
const KEY = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
const OTHER_KEY = 'age1f8y3sv78t68ym8397zrn24pqhzmjzvmv34fhs0dzwpnvzjksjecqqrm96c';

const REPO_LIKE = `# sops rules.
keys:
  # Admin key.
  - &admin ${OTHER_KEY}
  - &web-server ${OTHER_KEY}
creation_rules:
  - path_regex: secrets/web-server\\.yaml$
    key_groups:
      - age:
          - *admin
          - *web-server
  # Anything else under secrets/ is for the admin only.
  - path_regex: secrets/[^/]+\\.(yaml|json|env)$
    key_groups:
      - age:
          - *admin
`;

describe('host generator: .sops.yaml', () => {
  let tree: Tree;
  let log: jest.SpyInstance;
  beforeEach(() => {
    tree = treeWithProfiles();
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => log.mockRestore());

  it.each([KEY, OTHER_KEY, ` ${KEY}\n`])('accepts the age key %j', (key) => {
    expect(checkAgeKey(key)).toBe(key.trim());
  });

  it('adds the key next to the others and the rule before the catch-all, with the admin', async () => {
    tree.write(SOPS_CONFIG, REPO_LIKE);
    await hostGenerator(tree, { name: 'media1', type: 'server', targetHost: '10.0.10.15', ageKey: KEY });
    const text = tree.read(SOPS_CONFIG, 'utf-8') ?? '';
    expect(text).toBe(
      REPO_LIKE.replace(`  - &web-server ${OTHER_KEY}\n`, `  - &web-server ${OTHER_KEY}\n  - &media1 ${KEY}\n`).replace(
        '  # Anything else',
        '  - path_regex: secrets/media1\\.yaml$\n    key_groups:\n      - age:\n          - *admin\n          - *media1\n  # Anything else',
      ),
    );
    expect(readJson(tree, 'hosts/media1/host.json').type).toBe('server');
  });

  it('creates a new fleet\'s .sops.yaml (admin placeholder) when the workspace has none, and names the admin in the rule', async () => {
    delete process.env.SOPS_AGE_KEY_FILE;
    const callback = await hostGenerator(tree, { name: 'web1', type: 'server', ageKey: KEY });
    callback();
    expect(tree.read(SOPS_CONFIG, 'utf-8')).toBe(
      fleetSopsConfig(undefined).replace('creation_rules:\n', `creation_rules:\n`).replace(`  - &admin ${ADMIN_PLACEHOLDER}\n`, `  - &admin ${ADMIN_PLACEHOLDER}\n  - &web1 ${KEY}\n`).replace(
        '  # Anything else',
        '  - path_regex: secrets/web1\\.yaml$\n    key_groups:\n      - age:\n          - *admin\n          - *web1\n  # Anything else',
      ),
    );
    expect(log.mock.calls.map((c) => c[0]).join('\n')).toContain('.sops.yaml has no admin key yet (a placeholder)');
  });

  it('adds the host to the rule with the admin a new fleet got, and a second host after it', () => {
    tree.write(SOPS_CONFIG, fleetSopsConfig(OTHER_KEY));
    expect(addHostRecipient(tree, 'web1', KEY)).toEqual({ text: expect.any(String), status: 'added', notes: [] });
    expect(addHostRecipient(tree, 'db1', OTHER_KEY).status).toBe('added');
    expect(addHostRecipient(tree, 'web1', KEY).status).toBe('present');
    const text = tree.read(SOPS_CONFIG, 'utf-8') ?? '';
    expect(text).toContain(`  - &admin ${OTHER_KEY}\n  - &web1 ${KEY}\n  - &db1 ${OTHER_KEY}\ncreation_rules:\n`);
    expect(text).toContain(
      'creation_rules:\n  - path_regex: secrets/web1\\.yaml$\n    key_groups:\n      - age:\n          - *admin\n          - *web1\n' +
        '  - path_regex: secrets/db1\\.yaml$\n    key_groups:\n      - age:\n          - *admin\n          - *db1\n  # Anything else',
    );
  });

  it.each([
    ['a file without an admin key', '# empty\n', 'web1', /has no "- &admin <key>" line under keys:, so web1's secrets would be readable by web1 alone/],
    ['a hostile host name', REPO_LIKE, 'x: *admin', /Invalid host name "x: \*admin"/],
    ['a host name with a leading dash', REPO_LIKE, '-h', /Invalid host name "-h"/],
  ])('addHostRecipient refuses %s and writes nothing', (_what, text, host, message) => {
    tree.write(SOPS_CONFIG, text);
    expect(() => addHostRecipient(tree, host, KEY)).toThrow(message);
    expect(tree.read(SOPS_CONFIG, 'utf-8')).toBe(text);
  });

  it('leaves .sops.yaml alone when it already has this key for the host', async () => {
    tree.write(SOPS_CONFIG, REPO_LIKE);
    await hostGenerator(tree, { name: 'web-server', type: 'server', ageKey: OTHER_KEY });
    expect(tree.read(SOPS_CONFIG, 'utf-8')).toBe(REPO_LIKE);
  });

  it('without --age-key, writes no .sops.yaml and prints the command that adds the host', async () => {
    const callback = await hostGenerator(tree, {
      name: 'web1',
      type: 'server',
      roles: 'web',
      targetHost: '10.0.0.11',
      targetUser: 'root',
    });
    callback();
    expect(tree.exists(SOPS_CONFIG)).toBe(false);
    const printed = log.mock.calls.map((c) => c[0]).join('\n');
    expect(printed).toContain(
      'nx g @nix-fleet/nx:host web1 --type=server --system=x86_64-linux --nixpkgs=stable --roles=web --target-host=10.0.0.11 --target-user=root ' +
        '--force --age-key="$(ssh-keyscan -t ed25519 10.0.0.11 | ssh-to-age)"',
    );
  });

  const bad: Array<[string, string, RegExp]> = [
    ['not an age key', 'ssh-ed25519 AAAAC3Nza', /Invalid --age-key "ssh-ed25519 AAAAC3Nza": give an age public key .*--age-key="\$\(ssh-keyscan -t ed25519 <address> \| ssh-to-age\)"/],
    ['a typo (checksum)', KEY.replace('ql3z', 'ql3y'), /Invalid --age-key "age1ql3y/],
    ['upper case', KEY.toUpperCase(), /Invalid --age-key/],
    ['too short', KEY.slice(0, -1), /Invalid --age-key/],
    ['another key for the host', OTHER_KEY.replace(OTHER_KEY, KEY), /\.sops\.yaml already has a key for "web-server".*sops updatekeys secrets\/web-server\.yaml/],
  ];
  it.each(bad)('rejects %s before writing anything', async (_what, ageKey, message) => {
    expect.assertions(2);
    tree.write(SOPS_CONFIG, REPO_LIKE);
    const before = snapshotTree(tree);
    try {
      await hostGenerator(tree, { name: 'web-server', type: 'server', ageKey });
    } catch (e) {
      expect((e as Error).message).toMatch(message);
    }
    expect(snapshotTree(tree)).toEqual(before);
  });
});
