// nx g host --age-key: adds the host's age key and its creation rule to .sops.yaml (docs/Secrets.md).
import type { Tree } from '@nx/devkit';
import { GeneratorInputError } from '../shared/names';
import type { NormalizedHostOptions } from './normalize';

export const SOPS_CONFIG = '.sops.yaml';

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
/** An age X25519 recipient: "age1" and 58 bech32 characters (32 bytes of key, 6 of checksum). */
const AGE_KEY = new RegExp(`^age1[${BECH32}]{58}$`);

/** BIP-173 checksum: a key with a typo fails here even when its characters look right. */
function bech32ChecksumOk(key: string): boolean {
  const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  const sep = key.lastIndexOf('1');
  const hrp = key.slice(0, sep);
  const values = [
    ...[...hrp].map((c) => c.charCodeAt(0) >> 5),
    0,
    ...[...hrp].map((c) => c.charCodeAt(0) & 31),
    ...[...key.slice(sep + 1)].map((c) => BECH32.indexOf(c)),
  ];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i];
  }
  return chk === 1;
}

export function checkAgeKey(key: string): string {
  const trimmed = key.trim();
  if (!AGE_KEY.test(trimmed) || !bech32ChecksumOk(trimmed)) {
    throw new GeneratorInputError(
      `Invalid --age-key "${key}": give the host's age public key ("age1" and 58 lowercase characters), ` +
        'e.g. --age-key="$(ssh-keyscan -t ed25519 <address> | ssh-to-age)".',
    );
  }
  return trimmed;
}

const escapeRegex = (name: string) => name.replace(/[.]/g, '\\.');

function ruleFor(name: string, withAdmin: boolean): string[] {
  return [
    `  - path_regex: secrets/${escapeRegex(name)}\\.yaml$`,
    '    key_groups:',
    '      - age:',
    ...(withAdmin ? ['          - *admin'] : []),
    `          - *${name}`,
  ];
}

/** .sops.yaml with the host's key and rule added (text edit: the file's comments stay). */
export function addHostToSopsConfig(text: string | null, name: string, ageKey: string): string {
  const keyLine = `  - &${name} ${ageKey}`;
  if (text === null) {
    return [
      '# sops: which age keys may decrypt which secret files (docs/Secrets.md).',
      'keys:',
      keyLine,
      'creation_rules:',
      ...ruleFor(name, false),
      '',
    ].join('\n');
  }
  const lines = text.replace(/\n$/, '').split('\n');
  const keysAt = lines.findIndex((l) => /^keys:\s*$/.test(l));
  if (keysAt === -1) {
    lines.unshift('keys:', keyLine);
  } else {
    let last = keysAt;
    for (let i = keysAt + 1; i < lines.length && !/^\S/.test(lines[i]); i++) {
      if (/^\s+- &/.test(lines[i])) last = i;
    }
    lines.splice(last + 1, 0, keyLine);
  }
  const rule = ruleFor(name, /^\s+- &admin\s/m.test(text));
  const rulesAt = lines.findIndex((l) => /^creation_rules:\s*$/.test(l));
  if (rulesAt === -1) {
    lines.push('creation_rules:', ...rule);
  } else {
    // Before the catch-all rule (and its comment): sops uses the first rule that matches.
    let at = lines.findIndex((l, i) => i > rulesAt && /^\s+- path_regex: secrets\/\[\^\/\]\+/.test(l));
    if (at !== -1 && /^\s+#/.test(lines[at - 1])) at -= 1;
    if (at === -1) at = lines.length;
    lines.splice(at, 0, ...rule);
  }
  return `${lines.join('\n')}\n`;
}

export interface SopsStep {
  /** Writes .sops.yaml (nothing without --age-key). */
  apply(): void;
  /** What to tell the user after the generator ran. */
  messages(): string[];
}

/** Checks --age-key before anything is written; throws naming the flag and the fix. */
export function planSopsStep(tree: Tree, options: NormalizedHostOptions, ageKey: string | undefined): SopsStep {
  const { name } = options;
  const target = options.hostJson.deployment?.targetHost ?? '<address>';
  if (ageKey === undefined || ageKey === '') {
    return {
      apply: () => undefined,
      messages: () => [
        `${name} has no key in ${SOPS_CONFIG} yet, so secrets/${name}.yaml cannot be encrypted for it. After its first install, add it with:`,
        `  nx g @nix-fleet/nx:host ${regenerateFlags(options)} --force --age-key="$(ssh-keyscan -t ed25519 ${target} | ssh-to-age)"`,
        `(--force rewrites ${options.root}/configuration.nix and keeps a detected hardware file; or add the key and rule by hand, see docs/Secrets.md).`,
      ],
    };
  }
  const key = checkAgeKey(ageKey);
  const current = tree.exists(SOPS_CONFIG) ? (tree.read(SOPS_CONFIG, 'utf-8') ?? '') : null;
  const existing = current?.match(new RegExp(`^\\s+- &${escapeRegex(name)} (\\S+)`, 'm'));
  if (existing && existing[1] !== key) {
    throw new GeneratorInputError(
      `${SOPS_CONFIG} already has a key for "${name}" (${existing[1]}). Replace it there by hand, then run: sops updatekeys secrets/${name}.yaml`,
    );
  }
  return {
    apply: () => {
      if (!existing) tree.write(SOPS_CONFIG, addHostToSopsConfig(current, name, key));
    },
    messages: () => [
      existing
        ? `${SOPS_CONFIG} already lets ${name} decrypt secrets/${name}.yaml.`
        : `${SOPS_CONFIG}: added ${name}'s age key and a rule for secrets/${name}.yaml. Create it with: sops secrets/${name}.yaml`,
    ],
  };
}

/** The flags that regenerate this host as it was written (its host.json). */
function regenerateFlags(options: NormalizedHostOptions): string {
  const { hostJson } = options;
  const d = hostJson.deployment ?? {};
  const list = (flag: string, values: string[] | undefined) => (values?.length ? [`--${flag}=${values.join(',')}`] : []);
  return [
    options.name,
    `--type=${hostJson.type}`,
    `--system=${hostJson.system}`,
    ...list('roles', hostJson.roles),
    ...list('profiles', hostJson.profiles),
    ...list('tags', d.tags),
    ...(d.targetHost ? [`--target-host=${d.targetHost}`] : []),
    ...(d.targetUser ? [`--target-user=${d.targetUser}`] : []),
  ].join(' ');
}

/**
 * .sops.yaml with `ageKey` as the host's key: added with its rule as `nx g host --age-key` does,
 * or put in place of the host's older key (install made the host a new SSH host key).
 */
export function setHostAgeKey(text: string | null, name: string, ageKey: string): string {
  const key = checkAgeKey(ageKey);
  const anchor = new RegExp(`^(\\s+- &${escapeRegex(name)} )\\S+`, 'm');
  if (text !== null && anchor.test(text)) return text.replace(anchor, `$1${key}`);
  return addHostToSopsConfig(text, name, key);
}
