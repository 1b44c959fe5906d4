// A new fleet's .sops.yaml and its admin key: every secret is readable by its owner (docs/Secrets.md).
import type { Tree } from '@nx/devkit';
import { ageRecipientOfKeyFile, checkAgeRecipient } from '../../host/age-key';
import { GeneratorInputError } from './names';

export const SOPS_CONFIG = '.sops.yaml';
/**
 * Stands where the admin's age key belongs until the user gives one. packages/profiles/secrets.nix
 * fails the evaluation of every host with secrets while .sops.yaml holds it; keep the two in step.
 */
export const ADMIN_PLACEHOLDER = 'NIX-FLEET-ADMIN-AGE-KEY-PLACEHOLDER';
export const ADMIN_FLAG = '--admin-age-key';
const ADMIN_HOW = 'age-keygen -y ~/.config/sops/age/keys.txt';

export interface AdminKey {
  /** The admin's age recipient, or undefined for the placeholder. */
  key?: string;
  /** Where it came from, for the message the user reads. */
  source: string;
}

/** --admin-age-key, else the public key of SOPS_AGE_KEY_FILE's identity, else none (the placeholder). */
export function resolveAdminKey(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): AdminKey {
  if (flag !== undefined && flag !== '') return { key: checkAgeRecipient(flag, ADMIN_FLAG, ADMIN_HOW), source: ADMIN_FLAG };
  const file = env.SOPS_AGE_KEY_FILE;
  if (file) return { key: ageRecipientOfKeyFile(file), source: `SOPS_AGE_KEY_FILE (${file})` };
  return { source: 'none given' };
}

/** A new fleet's .sops.yaml: the admin key and a rule that gives it everything under secrets/. */
export function fleetSopsConfig(admin: string | undefined): string {
  return [
    '# sops: which age keys may decrypt which secret files (docs/Secrets.md). Public keys only.',
    '# `nx g host <name> --age-key=age1...` adds a host key and a rule for secrets/<name>.yaml.',
    'keys:',
    ...adminLines(admin),
    'creation_rules:',
    '  # Anything else under secrets/ is for the admin only until a rule above names a host.',
    '  - path_regex: secrets/[^/]+\\.(yaml|json|env)$',
    '    key_groups:',
    '      - age:',
    '          - *admin',
    '',
  ].join('\n');
}

function adminLines(admin: string | undefined): string[] {
  return admin
    ? ['  # The admin (you): your age public key. The private key stays in ~/.config/sops/age/keys.txt.', `  - &admin ${admin}`]
    : [
        `  # ${ADMIN_PLACEHOLDER}: replace the value below with your age public key, e.g.`,
        `  #   npx nx g @nix-fleet/nx:init ${ADMIN_FLAG}="$(${ADMIN_HOW})"`,
        '  # Until then sops cannot encrypt and every host with profiles.secrets fails evaluation.',
        `  - &admin ${ADMIN_PLACEHOLDER}`,
      ];
}

const ADMIN_LINE = /^( +- &admin )(\S+) *$/m;
/** The placeholder with the comment above it, as fleetSopsConfig writes them. */
const PLACEHOLDER_BLOCK = new RegExp(`^ *# ${ADMIN_PLACEHOLDER}:.*\n(?: *#.*\n)*? *- &admin ${ADMIN_PLACEHOLDER} *$`, 'm');

/** The admin key .sops.yaml names (the placeholder included), or undefined when it has no &admin. */
export function adminKeyIn(text: string): string | undefined {
  return text.match(ADMIN_LINE)?.[2];
}

/**
 * Gives the fleet its .sops.yaml: writes one when it has none, or puts a given admin key in place
 * of the placeholder. An admin key that differs from the given one is refused (re-encrypting is
 * the user's step). Returns what to tell the user.
 */
export function ensureFleetSopsConfig(tree: Tree, flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const admin = resolveAdminKey(flag, env);
  if (!tree.exists(SOPS_CONFIG)) {
    tree.write(SOPS_CONFIG, fleetSopsConfig(admin.key));
    return [admin.key ? `${SOPS_CONFIG}: admin key from ${admin.source}.` : placeholderMessage()];
  }
  const text = tree.read(SOPS_CONFIG, 'utf-8') ?? '';
  const current = adminKeyIn(text);
  if (!admin.key) return current === ADMIN_PLACEHOLDER ? [placeholderMessage()] : [];
  if (current === admin.key) return [];
  if (current === ADMIN_PLACEHOLDER) {
    const next = PLACEHOLDER_BLOCK.test(text)
      ? text.replace(PLACEHOLDER_BLOCK, adminLines(admin.key).join('\n'))
      : text.replace(ADMIN_LINE, `$1${admin.key}`);
    tree.write(SOPS_CONFIG, next);
    return [`${SOPS_CONFIG}: the admin placeholder is now your key (from ${admin.source}).`];
  }
  throw new GeneratorInputError(
    current
      ? `${SOPS_CONFIG} already names the admin key ${current}, not ${admin.key} (from ${admin.source}). To change it, edit ${SOPS_CONFIG} by hand, then run sops updatekeys on every file under secrets/.`
      : `${SOPS_CONFIG} exists but has no "- &admin <key>" line under keys:, so ${admin.source} was not added. Add that line by hand (docs/Secrets.md).`,
  );
}

export function placeholderMessage(): string {
  return (
    `${SOPS_CONFIG} has no admin key yet (a placeholder): without it no secret can be encrypted. Add yours with ` +
    `npx nx g @nix-fleet/nx:init ${ADMIN_FLAG}="$(${ADMIN_HOW})" (make a key first with age-keygen -o ~/.config/sops/age/keys.txt).`
  );
}
