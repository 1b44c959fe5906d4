// A host's age key in .sops.yaml: the key and a creation rule for secrets/<host>.yaml that also names
// the admin (docs/Secrets.md). Used by nx g host --age-key and by install.
import type { Tree } from '@nx/devkit';
import { HOSTNAME_PATTERN } from '../../constants';
import { checkAgeRecipient } from '../../host/age-key';
import { GeneratorInputError } from '../shared/names';
import { adminKeyIn, fleetSopsConfig, placeholderMessage, resolveAdminKey, ADMIN_PLACEHOLDER, SOPS_CONFIG } from '../shared/sops-admin';
import type { NormalizedHostOptions } from './normalize';

export { SOPS_CONFIG };

/** The host's age recipient, checked (bech32 checksum included); the error names --age-key. */
export function checkAgeKey(key: string): string {
  return checkAgeRecipient(key, '--age-key', 'ssh-keyscan -t ed25519 <address> | ssh-to-age');
}

const escapeRegex = (name: string) => name.replace(/[.]/g, '\\.');

function ruleFor(name: string): string[] {
  return [`  - path_regex: secrets/${escapeRegex(name)}\\.yaml$`, '    key_groups:', '      - age:', '          - *admin', `          - *${name}`];
}

/** .sops.yaml with the host's key and rule added (text edit: the file's comments stay). */
export function addHostToSopsConfig(text: string, name: string, ageKey: string): string {
  const keyLine = `  - &${name} ${ageKey}`;
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
  const rule = ruleFor(name);
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

export interface HostRecipientChange {
  /** The new .sops.yaml text (unchanged when the host's key was there). */
  text: string;
  status: 'added' | 'present';
  /** What the user should know, e.g. that the admin key is still a placeholder. */
  notes: string[];
}

/**
 * .sops.yaml (null: none yet) with the host's recipient and a rule for secrets/<host>.yaml naming
 * the admin and the host. A missing file starts as a new fleet's (admin from SOPS_AGE_KEY_FILE, or
 * the placeholder). Throws, naming the fix, on a bad key, a file without an admin, or another key
 * already held for the host.
 */
export function withHostRecipient(text: string | null, host: string, recipient: string, env: NodeJS.ProcessEnv = process.env): HostRecipientChange {
  if (!HOSTNAME_PATTERN.test(host)) throw new GeneratorInputError(`Invalid host name "${host}" for ${SOPS_CONFIG}.`);
  const key = checkAgeKey(recipient);
  const base = text ?? fleetSopsConfig(resolveAdminKey(undefined, env).key);
  const admin = adminKeyIn(base);
  if (admin === undefined) {
    throw new GeneratorInputError(
      `${SOPS_CONFIG} has no "- &admin <key>" line under keys:, so ${host}'s secrets would be readable by ${host} alone. ` +
        'Add your age public key there as "- &admin age1..." (age-keygen -y ~/.config/sops/age/keys.txt), then run this again.',
    );
  }
  const notes = admin === ADMIN_PLACEHOLDER ? [placeholderMessage()] : [];
  const existing = base.match(new RegExp(`^\\s+- &${escapeRegex(host)} (\\S+)`, 'm'));
  if (existing && existing[1] !== key) {
    throw new GeneratorInputError(
      `${SOPS_CONFIG} already has a key for "${host}" (${existing[1]}). Replace it there by hand, then run: sops updatekeys secrets/${host}.yaml`,
    );
  }
  if (existing) return { text: base, status: 'present', notes };
  return { text: addHostToSopsConfig(base, host, key), status: 'added', notes };
}

/** Adds the host's age recipient to the tree's .sops.yaml (see withHostRecipient); returns what changed. */
export function addHostRecipient(tree: Tree, host: string, recipient: string, env: NodeJS.ProcessEnv = process.env): HostRecipientChange {
  const current = tree.exists(SOPS_CONFIG) ? (tree.read(SOPS_CONFIG, 'utf-8') ?? '') : null;
  const change = withHostRecipient(current, host, recipient, env);
  if (change.text !== current) tree.write(SOPS_CONFIG, change.text);
  return change;
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
  // Computed now, so a bad key or file throws before the host's files are written.
  const current = tree.exists(SOPS_CONFIG) ? (tree.read(SOPS_CONFIG, 'utf-8') ?? '') : null;
  const change = withHostRecipient(current, name, ageKey);
  return {
    apply: () => {
      if (change.text !== current) tree.write(SOPS_CONFIG, change.text);
    },
    messages: () => [
      change.status === 'present'
        ? `${SOPS_CONFIG} already lets ${name} decrypt secrets/${name}.yaml.`
        : `${SOPS_CONFIG}: added ${name}'s age key and a rule for secrets/${name}.yaml (the admin and ${name}). Create it with: sops secrets/${name}.yaml`,
      ...change.notes,
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
    ...(hostJson.nixpkgs ? [`--nixpkgs=${hostJson.nixpkgs}`] : []),
    ...list('roles', hostJson.roles),
    ...list('profiles', hostJson.profiles),
    ...list('tags', d.tags),
    ...(d.targetHost ? [`--target-host=${d.targetHost}`] : []),
    ...(d.targetUser ? [`--target-user=${d.targetUser}`] : []),
  ].join(' ');
}
