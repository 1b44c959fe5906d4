// .sops.yaml as people write it (other indentation, CRLF, comments, a catch-all first, more
// top-level keys, an older fleet's rule without the admin): adding a host keeps it valid YAML
// and gives the host's file a rule that sops picks first, naming the admin and the host.
import { creationRules, ruleTakes } from './sops-rules';
import { withHostRecipient } from './sops';

// A YAML parser already installed (js-yaml, through jest; it ships no types), to prove the file still parses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { load } = require('js-yaml') as { load: (text: string) => unknown };

const ADMIN = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
const HOST = 'age1f8y3sv78t68ym8397zrn24pqhzmjzvmv34fhs0dzwpnvzjksjecqqrm96c';
const HOST2 = 'age1w3wvfxlvrak7xqkg7xgx9p7c36vrc6yjhw4lsdt2gljp4m0vn9qqtpklgy';

interface Parsed {
  keys: string[];
  creation_rules: Array<{ path_regex?: string; key_groups?: Array<{ age: string[] }>; age?: string }>;
}

/** The recipients of the rule sops would use for file, read as sops reads the file (first match). */
function recipientsFor(text: string, file: string): string[] {
  const parsed = load(text) as Parsed;
  const rule = parsed.creation_rules.find((r) => r.path_regex === undefined || new RegExp(r.path_regex).test(file));
  return rule?.key_groups?.[0].age ?? (rule?.age ?? '').split(',').filter(Boolean);
}

const add = (text: string, host = 'web', key = HOST) => withHostRecipient(text, host, key, {});

describe('.sops.yaml written by hand: adding a host', () => {
  it.each<[string, string]>([
    ['four-space indentation', `keys:\n    - &admin ${ADMIN}\ncreation_rules:\n    - path_regex: secrets/.*\n      key_groups:\n        - age:\n            - *admin\n`],
    ['a catch-all rule without path_regex first', `keys:\n  - &admin ${ADMIN}\ncreation_rules:\n  - key_groups:\n      - age:\n          - *admin\n`],
    ['a quoted catch-all path_regex', `keys:\n  - &admin ${ADMIN}\ncreation_rules:\n  - path_regex: ".*\\\\.yaml$"\n    age: ${ADMIN}\n`],
    ['another top-level key after the rules', `keys:\n  - &admin ${ADMIN}\ncreation_rules:\n  - path_regex: other/.*\n    age: ${ADMIN}\n\nstores:\n  yaml:\n    indent: 2\n`],
    ['a comment after the admin key', `keys:\n  - &admin ${ADMIN} # me\ncreation_rules:\n  - path_regex: secrets/.*\n    age: ${ADMIN}\n`],
    ['comments after the top-level keys, no rules yet', `keys: # who may decrypt\n  - &admin ${ADMIN}\ncreation_rules: [] # none yet\n`],
    ['CRLF line endings', `keys:\r\n  - &admin ${ADMIN}\r\ncreation_rules:\r\n  - path_regex: secrets/.*\r\n    key_groups:\r\n      - age:\r\n          - *admin\r\n`],
  ])('%s: still YAML, the host rule is the one sops picks for its file, with both keys', (_what, text) => {
    const next = add(text).text;
    expect(recipientsFor(next, 'secrets/web.yaml')).toEqual([ADMIN, HOST]);
    expect((load(next) as Parsed).keys).toEqual([ADMIN, HOST]);
    expect(next.replace(/\r\n/g, '').includes('\n')).toBe(!text.includes('\r\n'));
    // Other files keep the rule they had.
    expect(recipientsFor(next, 'secrets/other.yaml')).toEqual(recipientsFor(text, 'secrets/other.yaml'));
  });

  it('an older fleet\'s rule without the admin gets it, with the command that re-encrypts', () => {
    const old = `keys:\n  - &admin ${ADMIN}\n  - &web ${HOST}\ncreation_rules:\n  - path_regex: secrets/web\\.yaml$\n    key_groups:\n      - age:\n          - *web\n`;
    const change = add(old);
    expect(change.status).toBe('added');
    expect(recipientsFor(change.text, 'secrets/web.yaml')).toEqual([ADMIN, HOST]);
    expect(change.notes.join('\n')).toContain('sops updatekeys secrets/web.yaml');
    expect(add(change.text).status).toBe('present');
  });

  it("a host rule that an earlier rule shadows is named, with the fix", () => {
    const text = `keys:\n  - &admin ${ADMIN}\n  - &web ${HOST}\ncreation_rules:\n  - path_regex: .*\n    age: ${ADMIN}\n  - path_regex: secrets/web\\.yaml$\n    key_groups:\n      - age:\n          - *admin\n          - *web\n`;
    const change = add(text);
    expect(change.status).toBe('present');
    expect(change.notes.join('\n')).toContain(".sops.yaml: the rule .* comes before the one for secrets/web.yaml and takes that file first (sops uses the first match), so web cannot read it: move web's rule above it.");
  });

  it('a host key without a rule gets its rule', () => {
    const text = `keys:\n  - &admin ${ADMIN}\n  - &web ${HOST}\ncreation_rules:\n  - path_regex: secrets/.*\n    age: ${ADMIN}\n`;
    expect(recipientsFor(add(text).text, 'secrets/web.yaml')).toEqual([ADMIN, HOST]);
  });

  it('rules written on one line are refused, naming the fix', () => {
    const text = `keys:\n  - &admin ${ADMIN}\ncreation_rules: [{path_regex: .*, age: ${ADMIN}}]\n`;
    expect(() => add(text)).toThrow('.sops.yaml writes creation_rules on one line');
  });

  it('a host rule without the admin in a form it cannot edit is refused, naming the fix', () => {
    const text = `keys:\n  - &admin ${ADMIN}\n  - &web ${HOST}\ncreation_rules:\n  - path_regex: secrets/web\\.yaml$\n    age: ${HOST}\n`;
    expect(() => add(text)).toThrow(`.sops.yaml's rule for secrets/web.yaml does not name the admin (*admin)`);
  });

  it('web and web1 (names that prefix each other): each file goes to its own host', () => {
    const both = add(add(`keys:\n  - &admin ${ADMIN}\ncreation_rules:\n`, 'web1', HOST2).text, 'web', HOST).text;
    expect(recipientsFor(both, 'secrets/web.yaml')).toEqual([ADMIN, HOST]);
    expect(recipientsFor(both, 'secrets/web1.yaml')).toEqual([ADMIN, HOST2]);
    const lines = both.split('\n');
    const rules = creationRules(lines, lines.indexOf('creation_rules:'));
    expect(rules.filter((r) => ruleTakes(r, 'secrets/web.yaml'))).toHaveLength(1);
  });

  it.each<[string, string, string, string]>([
    ['a host named admin', 'admin', HOST2, 'A host named "admin" cannot get a key in .sops.yaml'],
    ["the admin's key", 'db', ADMIN, `--age-key ${ADMIN} is already the admin's key in .sops.yaml`],
    ["another host's key", 'web2', HOST, `--age-key ${HOST} is already host "web"'s key in .sops.yaml`],
  ])('refuses %s', (_what, host, key, message) => {
    const text = add(`keys:\n  - &admin ${ADMIN}\ncreation_rules:\n`).text;
    expect(() => withHostRecipient(text, host, key, {})).toThrow(message);
  });
});
