// A Nix tokenizer just deep enough to find the paths a file names: comments are skipped,
// strings keep their text apart from their ${...} code, and path literals are told from
// division, URIs and identifiers as Nix's own lexer does (nixexpr lexer.l).

export type NixToken =
  | { kind: 'path'; text: string; interpolated: boolean; interps: NixToken[][] }
  | { kind: 'spath' | 'hpath' | 'uri' | 'ident' | 'op' | 'other'; text: string }
  | { kind: 'string'; text: string; interps: NixToken[][] };

const URI = /^[a-zA-Z][a-zA-Z0-9+\-.]*:[a-zA-Z0-9%/?:@&=+$,\-_.!~*']+/y;
/** A path: segments with at least one "/", e.g. ./a, ../b, a/b, /abs; `${` may continue it. */
const PATH = /^[a-zA-Z0-9._+-]*(?:\/[a-zA-Z0-9._+-]+)+\/?/y;
const PATH_OPEN = /^[a-zA-Z0-9._+-]*\/(?=\$\{)/y;
const HPATH = /^~(?:\/[a-zA-Z0-9._+-]+)+\/?/y;
const SPATH = /^<[a-zA-Z0-9._+-]+(?:\/[a-zA-Z0-9._+-]+)*>/y;
const IDENT = /^[a-zA-Z_][a-zA-Z0-9_'-]*/y;
const NUMBER = /^[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?/y;

function at(re: RegExp, src: string, pos: number): string | undefined {
  re.lastIndex = 0;
  const m = re.exec(src.slice(pos));
  return m ? m[0] : undefined;
}

interface Lexed {
  tokens: NixToken[];
  end: number;
}

/** Tokens of `src` from `pos`; with `inInterp`, stops after the `}` that closes a `${`. */
export function tokenizeNix(src: string, pos = 0, inInterp = false): Lexed {
  const tokens: NixToken[] = [];
  let depth = 0;
  while (pos < src.length) {
    const c = src[pos];
    if (/\s/.test(c)) {
      pos++;
    } else if (c === '#') {
      const nl = src.indexOf('\n', pos);
      pos = nl < 0 ? src.length : nl + 1;
    } else if (c === '/' && src[pos + 1] === '*') {
      const close = src.indexOf('*/', pos + 2);
      pos = close < 0 ? src.length : close + 2;
    } else if (c === '"') {
      const s = lexString(src, pos + 1, false);
      tokens.push(s.token);
      pos = s.end;
    } else if (c === "'" && src[pos + 1] === "'") {
      const s = lexString(src, pos + 2, true);
      tokens.push(s.token);
      pos = s.end;
    } else if (c === '{' || (c === '$' && src[pos + 1] === '{')) {
      depth++;
      tokens.push({ kind: 'op', text: c === '$' ? '${' : '{' });
      pos += c === '$' ? 2 : 1;
    } else if (c === '}') {
      if (inInterp && depth === 0) return { tokens, end: pos + 1 };
      depth--;
      tokens.push({ kind: 'op', text: '}' });
      pos++;
    } else {
      const word = at(URI, src, pos);
      const path = word ? undefined : (at(PATH_OPEN, src, pos) ?? at(PATH, src, pos));
      if (word) {
        tokens.push({ kind: 'uri', text: word });
        pos += word.length;
      } else if (path) {
        const p = lexPath(src, pos, path);
        tokens.push(p.token);
        pos = p.end;
      } else {
        const other = at(HPATH, src, pos) ?? at(SPATH, src, pos);
        const kind = other ? (other.startsWith('~') ? 'hpath' : 'spath') : undefined;
        const text = other ?? at(IDENT, src, pos) ?? at(NUMBER, src, pos) ?? (src.startsWith('++', pos) || src.startsWith('//', pos) ? src.slice(pos, pos + 2) : c);
        tokens.push({ kind: kind ?? (/^[a-zA-Z_]/.test(text) ? 'ident' : /^[0-9]/.test(text) ? 'other' : 'op'), text } as NixToken);
        pos += text.length;
      }
    }
  }
  return { tokens, end: pos };
}

/** A path literal, with any `${...}` parts (Nix 2.4+): the text keeps `${` where code was. */
function lexPath(src: string, pos: number, first: string): { token: NixToken; end: number } {
  let text = first;
  let end = pos + first.length;
  let interpolated = false;
  const interps: NixToken[][] = [];
  while (src.startsWith('${', end)) {
    interpolated = true;
    const inner = tokenizeNix(src, end + 2, true);
    interps.push(inner.tokens);
    end = inner.end;
    text += '${}';
    // `*` matches everywhere, if only the empty string.
    const more = at(/^[a-zA-Z0-9._+\-/]*/y, src, end) as string;
    text += more;
    end += more.length;
  }
  return { token: { kind: 'path', text, interpolated, interps }, end };
}

/** A "..." or ''...'' string from just after its opening quote. */
function lexString(src: string, pos: number, indented: boolean): { token: NixToken; end: number } {
  let text = '';
  const interps: NixToken[][] = [];
  while (pos < src.length) {
    if (indented && src.startsWith("''", pos)) {
      const next = src[pos + 2];
      if (next === '$' || next === "'") {
        text += next;
        pos += 3;
        continue;
      }
      if (next === '\\') {
        text += src[pos + 3] ?? '';
        pos += 4;
        continue;
      }
      return { token: { kind: 'string', text, interps }, end: pos + 2 };
    }
    if (!indented && src[pos] === '"') return { token: { kind: 'string', text, interps }, end: pos + 1 };
    if (!indented && src[pos] === '\\') {
      text += src[pos + 1] ?? '';
      pos += 2;
      continue;
    }
    // `$$` is two characters of text to Nix's lexer, so `$${` opens no interpolation.
    if (src.startsWith('$$', pos)) {
      text += '$$';
      pos += 2;
      continue;
    }
    if (src.startsWith('${', pos)) {
      const inner = tokenizeNix(src, pos + 2, true);
      interps.push(inner.tokens);
      text += '${}';
      pos = inner.end;
      continue;
    }
    text += src[pos++];
  }
  return { token: { kind: 'string', text, interps }, end: pos };
}
