// Turning generator input into Nix source text safely: strings escaped, attribute names quoted when needed.
import { NIX_KEYWORDS } from './names';

/** A Nix double-quoted string literal holding `text` exactly. */
export function nixString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$\{/g, '\\${')}"`;
}

/**
 * One attribute name as Nix source. Names with "-" are valid Nix identifiers, but are quoted
 * anyway so that `profiles."power-user".enable` never reads as a subtraction to a person.
 */
export function nixAttr(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_']*$/.test(name) && !NIX_KEYWORDS.includes(name) ? name : nixString(name);
}

/** A dotted attribute path, each part quoted as needed: `profiles."power-user"`. */
export function nixAttrPath(parts: string[]): string {
  return parts.map(nixAttr).join('.');
}

/** Text for a one-line `#` comment: no newlines can end the comment early. */
export function nixComment(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
