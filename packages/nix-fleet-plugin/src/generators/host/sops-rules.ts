// Line edits of .sops.yaml as a person may have written it: new lines take the file's own
// indentation, the host's rule goes before the first rule that would otherwise take its file
// (sops uses the first creation rule whose path_regex matches), and other top-level keys stay whole.
import { GeneratorInputError } from '../shared/names';
import { SOPS_CONFIG } from '../shared/sops-admin';

/** The lines of a top-level block ("keys:", "creation_rules:"): from its header to the next top-level key. */
export function blockEnd(lines: string[], header: number): number {
  let end = header + 1;
  while (end < lines.length && !/^[^\s#]/.test(lines[end])) end++;
  // Blank lines and comments at the end belong to whatever follows.
  while (end > header + 1 && /^\s*(#.*)?$/.test(lines[end - 1])) end--;
  return end;
}

/** The indentation of a block's sequence items ("  " when it has none yet). */
export function itemIndent(lines: string[], header: number): string {
  for (let i = header + 1; i < blockEnd(lines, header); i++) {
    const m = lines[i].match(/^(\s*)- /);
    if (m) return m[1];
  }
  return '  ';
}

export interface CreationRule {
  /** First line of the rule (its "- "), and one past its last line. */
  start: number;
  end: number;
  /** Its path_regex as sops reads it (quotes removed); undefined: the rule takes every file. */
  pathRegex?: string;
}

function unquote(value: string): string {
  const v = value.replace(/\s+#.*$/, '').trim();
  if (v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1).replace(/''/g, "'");
  if (v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\\\/g, '\\');
  return v;
}

export function creationRules(lines: string[], header: number): CreationRule[] {
  const indent = itemIndent(lines, header);
  const end = blockEnd(lines, header);
  const starts: number[] = [];
  for (let i = header + 1; i < end; i++) if (lines[i].startsWith(`${indent}- `)) starts.push(i);
  return starts.map((start, n) => {
    const stop = n + 1 < starts.length ? starts[n + 1] : end;
    const line = lines.slice(start, stop).find((l) => /^\s*(- )?path_regex:/.test(l));
    return { start, end: stop, pathRegex: line === undefined ? undefined : unquote(line.replace(/^\s*(- )?path_regex:/, '')) };
  });
}

/** Whether sops would pick this rule for file (a path_regex JavaScript cannot read counts as a match). */
export function ruleTakes(rule: CreationRule, file: string): boolean {
  if (rule.pathRegex === undefined) return true;
  try {
    return new RegExp(rule.pathRegex).test(file);
  } catch {
    return true;
  }
}

/** Where a rule for file goes: before the first rule that takes it (and the comments above that rule). */
export function ruleInsertAt(lines: string[], header: number, file: string): number {
  const first = creationRules(lines, header).find((r) => ruleTakes(r, file));
  if (!first) return blockEnd(lines, header);
  let at = first.start;
  while (at > header + 1 && /^\s*#/.test(lines[at - 1])) at--;
  return at;
}

/**
 * The line of a top-level key ("keys", "creation_rules"), -1 when absent. An empty flow list
 * (`creation_rules: []`) becomes a block header; a non-empty flow list is refused (it is not edited).
 */
export function topLevel(lines: string[], key: string): number {
  const at = lines.findIndex((l) => l.startsWith(`${key}:`));
  if (at === -1) return -1;
  const m = lines[at].slice(key.length + 1).match(/^\s*(\[\s*\])?\s*(#.*)?$/);
  if (!m) {
    throw new GeneratorInputError(
      `${SOPS_CONFIG} writes ${key} on one line (${lines[at].trim()}); write it as a block list, one "- " item per line (docs/Secrets.md), then run this again.`,
    );
  }
  if (m[1]) lines[at] = `${key}:${m[2] ? ` ${m[2]}` : ''}`;
  return at;
}

export const escapeRegex = (name: string) => name.replace(/[.]/g, '\\.');
const ruleRegex = (name: string) => `secrets/${escapeRegex(name)}\\.yaml$`;

function ruleFor(name: string, indent: string): string[] {
  const i = indent;
  return [`${i}- path_regex: ${ruleRegex(name)}`, `${i}  key_groups:`, `${i}    - age:`, `${i}        - *admin`, `${i}        - *${name}`];
}

const splitLines = (text: string) => ({ eol: text.includes('\r\n') ? '\r\n' : '\n', lines: text.replace(/\r?\n$/, '').split(/\r?\n/) });

/** The path_regex of the rule sops would use for secrets/<name>.yaml, when it is not the host's own rule. */
export function ruleBeforeHostRule(text: string, name: string): string | undefined {
  const { lines } = splitLines(text);
  const rulesAt = topLevel(lines, 'creation_rules');
  const first = rulesAt === -1 ? undefined : creationRules(lines, rulesAt).find((r) => ruleTakes(r, `secrets/${name}.yaml`));
  return first && first.pathRegex !== ruleRegex(name) ? (first.pathRegex ?? '(a rule without path_regex)') : undefined;
}

export const hasHostRule = (text: string, name: string) => {
  const { lines } = splitLines(text);
  const rulesAt = topLevel(lines, 'creation_rules');
  return rulesAt !== -1 && creationRules(lines, rulesAt).some((r) => r.pathRegex === ruleRegex(name));
};

/**
 * .sops.yaml with the host's key (unless it has it) and rule added (text edit: the file's comments,
 * indentation and line endings stay).
 */
export function addHostToSopsConfig(text: string, name: string, ageKey: string, withKey = true): string {
  const { eol, lines } = splitLines(text);
  const keysAt = topLevel(lines, 'keys');
  if (!withKey) {
    // the key is there already
  } else if (keysAt === -1) {
    lines.unshift('keys:', `  - &${name} ${ageKey}`);
  } else {
    let last = keysAt;
    for (let i = keysAt + 1; i < blockEnd(lines, keysAt); i++) if (/^\s+- &/.test(lines[i])) last = i;
    lines.splice(last + 1, 0, `${itemIndent(lines, keysAt)}- &${name} ${ageKey}`);
  }
  const rulesAt = topLevel(lines, 'creation_rules');
  if (rulesAt === -1) {
    lines.push('creation_rules:', ...ruleFor(name, '  '));
  } else {
    lines.splice(ruleInsertAt(lines, rulesAt, `secrets/${name}.yaml`), 0, ...ruleFor(name, itemIndent(lines, rulesAt)));
  }
  return `${lines.join(eol)}${eol}`;
}

/**
 * The host's rule as an older @nix-fleet/nx (or a person) wrote it, without the admin: the admin
 * is added before the host's key. Undefined when the rule names the admin or is not there.
 */
export function withAdminInHostRule(text: string, name: string): string | undefined {
  const { eol, lines } = splitLines(text);
  const rulesAt = topLevel(lines, 'creation_rules');
  if (rulesAt === -1) return undefined;
  const rule = creationRules(lines, rulesAt).find((r) => r.pathRegex === ruleRegex(name));
  if (!rule) return undefined;
  const body = lines.slice(rule.start, rule.end);
  if (body.some((l) => /^\s*- \*admin\s*(#.*)?$/.test(l))) return undefined;
  const hostAt = body.findIndex((l) => new RegExp(`^\\s*- \\*${name}\\s*(#.*)?$`).test(l));
  if (hostAt === -1) {
    throw new GeneratorInputError(
      `${SOPS_CONFIG}'s rule for secrets/${name}.yaml does not name the admin (*admin), so only ${name} could read that file. ` +
        `Add "- *admin" to its age list by hand, then run: sops updatekeys secrets/${name}.yaml`,
    );
  }
  const indent = body[hostAt].match(/^\s*/)![0];
  lines.splice(rule.start + hostAt, 0, `${indent}- *admin`);
  return `${lines.join(eol)}${eol}`;
}
