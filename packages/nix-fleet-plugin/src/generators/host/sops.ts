// A host's age key in .sops.yaml: the key and a creation rule for secrets/<host>.yaml that also names
// the admin (docs/Secrets.md). Used by nx g host --age-key and by install.
import type { Tree } from '@nx/devkit';
import { HOSTNAME_PATTERN } from '../../constants';
import { checkAgeRecipient } from '../../host/age-key';
import { GeneratorInputError } from '../shared/names';
import { addHostToSopsConfig, escapeRegex, hasHostRule, ruleBeforeHostRule, withAdminInHostRule } from './sops-rules';
import { adminKeyIn, fleetSopsConfig, placeholderMessage, resolveAdminKey, ADMIN_PLACEHOLDER, SOPS_CONFIG } from '../shared/sops-admin';
import type { NormalizedHostOptions } from './normalize';

export { SOPS_CONFIG };

/** The host's age recipient, checked (bech32 checksum included); the error names --age-key. */
export function checkAgeKey(key: string): string {
  return checkAgeRecipient(key, '--age-key', 'ssh-keyscan -t ed25519 <address> | ssh-to-age');
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
  if (host === 'admin') {
    throw new GeneratorInputError(
      `A host named "admin" cannot get a key in ${SOPS_CONFIG}: &admin there is the fleet's admin key. Rename the host, or add its key by hand under another anchor.`,
    );
  }
  const existing = base.match(new RegExp(`^\\s+- &${escapeRegex(host)} (\\S+)`, 'm'));
  if (existing && existing[1] !== key) {
    throw new GeneratorInputError(
      `${SOPS_CONFIG} already has a key for "${host}" (${existing[1]}). Replace it there by hand, then run: sops updatekeys secrets/${host}.yaml`,
    );
  }
  // One key per holder: a host given the admin's or another host's key could read their secrets.
  const owner = existing ? undefined : base.match(new RegExp(`^\\s+- &(\\S+) ${key}\\s*(#.*)?$`, 'm'))?.[1];
  if (owner) {
    throw new GeneratorInputError(
      `--age-key ${key} is already ${owner === 'admin' ? "the admin's key" : `host "${owner}"'s key`} in ${SOPS_CONFIG}; each host has its own (from its SSH host key: ssh-keyscan -t ed25519 <address> | ssh-to-age).`,
    );
  }
  if (existing && hasHostRule(base, host)) {
    const before = ruleBeforeHostRule(base, host);
    if (before !== undefined) {
      notes.push(`${SOPS_CONFIG}: the rule ${before} comes before the one for secrets/${host}.yaml and takes that file first (sops uses the first match), so ${host} cannot read it: move ${host}'s rule above it.`);
    }
    const mended = withAdminInHostRule(base, host);
    if (mended === undefined) return { text: base, status: 'present', notes };
    notes.push(`${SOPS_CONFIG}: the rule for secrets/${host}.yaml now names the admin too; if that file exists, re-encrypt it for both: sops updatekeys secrets/${host}.yaml`);
    return { text: mended, status: 'added', notes };
  }
  return { text: addHostToSopsConfig(base, host, key, !existing), status: 'added', notes };
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
  if (ageKey === undefined) {
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
        ? `${SOPS_CONFIG} already has ${name}'s key and a rule for secrets/${name}.yaml.`
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

/**
 * .sops.yaml with `ageKey` as the host's key: withHostRecipient's, after putting the key in place
 * of the host's older one (install gave the host a new SSH host key).
 */
export function setHostAgeKey(text: string | null, name: string, ageKey: string, env: NodeJS.ProcessEnv = process.env): HostRecipientChange {
  const key = checkAgeKey(ageKey);
  const anchor = new RegExp(`^(\\s+- &${escapeRegex(name)} )\\S+`, 'm');
  return withHostRecipient(text !== null && anchor.test(text) ? text.replace(anchor, `$1${key}`) : text, name, key, env);
}
