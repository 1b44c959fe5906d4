// The tokenizer under the reach scan: what Nix's lexer calls a path, a string, a URI or an operator.
import { tokenizeNix, type NixToken } from './nix-tokens';

const show = (t: NixToken): string => `${t.kind}:${t.text}${'interps' in t && t.interps.length > 0 ? `[${t.interps.map((i) => i.map(show).join(' ')).join('|')}]` : ''}`;
const tokens = (src: string) => tokenizeNix(src).tokens.map(show);

describe('tokenizeNix', () => {
  it.each([
    ['./a.nix ../b a/b /abs/c dir/', ['path:./a.nix', 'path:../b', 'path:a/b', 'path:/abs/c', 'ident:dir', 'op:/']],
    ['./a/ b', ['path:./a/', 'ident:b']],
    ['x / y x/y', ['ident:x', 'op:/', 'ident:y', 'path:x/y']],
    ['https://e.org/a?b=c x:y x: y', ['uri:https://e.org/a?b=c', 'uri:x:y', 'ident:x', 'op::', 'ident:y']],
    ['~/a/b <nixpkgs> <nixpkgs/lib> a < b', ['hpath:~/a/b', 'spath:<nixpkgs>', 'spath:<nixpkgs/lib>', 'ident:a', 'op:<', 'ident:b']],
    ["a-b' _c 1.5e3 42 a++b a // b", ["ident:a-b'", 'ident:_c', 'other:1.5e3', 'other:42', 'ident:a', 'op:++', 'ident:b', 'ident:a', 'op://', 'ident:b']],
    ['{ a = 1; }', ['op:{', 'ident:a', 'op:=', 'other:1', 'op:;', 'op:}']],
    ['{ ${n} = 1.25e-3; }', ['op:{', 'op:${', 'ident:n', 'op:}', 'op:=', 'other:1.25e-3', 'op:;', 'op:}']],
  ])('reads %j', (src, expected) => {
    expect(tokens(src)).toEqual(expected);
  });

  it.each([
    ['a # ./x\nb', ['ident:a', 'ident:b']],
    ['a # ./x', ['ident:a']],
    ['a /* ./x\n */ b', ['ident:a', 'ident:b']],
    ['a /* ./x', ['ident:a']],
    // As in Nix's lexer: `a/` is no path without a name after it, so `/*` opens a comment.
    ['a/*b*/c', ['ident:a', 'ident:c']],
  ])('skips the comments of %j', (src, expected) => {
    expect(tokens(src)).toEqual(expected);
  });

  it.each([
    ['"a\\"b\\\\c"', ['string:a"b\\c']],
    ['"x${ y }z" w', ['string:x${}z[ident:y]', 'ident:w']],
    ['"${ { a = "}"; } }" w', ['string:${}[op:{ ident:a op:= string:} op:; op:}]', 'ident:w']],
    ['"$${x}" w', ['string:$${x}', 'ident:w']],
    ['"open', ['string:open']],
    ['"ends in \\', ['string:ends in ']],
    ["''a''$b'''c''\\td'' w", ["string:a$b'ctd", 'ident:w']],
    ["''${./p}'' w", ['string:${}[path:./p]', 'ident:w']],
    ["'' \"x\" '' w", ['string: "x" ', 'ident:w']],
    ["''x''\\", ['string:x']],
    // Backslashes escape nothing in an indented string.
    ["''a\\nb'' w", ['string:a\\nb', 'ident:w']],
  ])('keeps the text of %j apart from its code', (src, expected) => {
    expect(tokens(src)).toEqual(expected);
  });

  it('reads a path\'s ${...} parts as code, and keeps what follows them in the path', () => {
    expect(tokens('./a/${x}/b${y.z}c.nix w')).toEqual(['path:./a/${}/b${}c.nix[ident:x|ident:y op:. ident:z]', 'ident:w']);
    expect(tokens('./${n} w')).toEqual(['path:./${}[ident:n]', 'ident:w']);
    const [path] = tokenizeNix('./a/${x} ./b').tokens;
    expect(path).toMatchObject({ kind: 'path', interpolated: true });
    expect(tokenizeNix('./b').tokens[0]).toMatchObject({ kind: 'path', interpolated: false, interps: [] });
  });

  it('stops after the } that closes an interpolation, past nested braces', () => {
    const src = '${ { a = { }; } }rest';
    expect(tokenizeNix(src, 2, true)).toEqual({ tokens: tokenizeNix('{ a = { }; }').tokens, end: src.indexOf('rest') });
    expect(tokenizeNix('} x', 0)).toEqual({ tokens: [{ kind: 'op', text: '}' }, { kind: 'ident', text: 'x' }], end: 3 });
  });
});
