# Is a text valid JSON? null if so, else what is wrong and on which line. builtins.fromJSON's own
# error cannot be caught (not even by tryEval) and names no file, so read-hosts.nix asks this
# first and throws with the file's name. Builtins only, tested with real Nix against fromJSON.
text:
let
  inherit (builtins)
    elem
    elemAt
    filter
    foldl'
    head
    isList
    isString
    length
    match
    split
    tail
    ;
  string = ''"([^"\\[:cntrl:]]|\\(["\\/bfnrt]|u[0-9a-fA-F]{4}))*"'';
  number = "-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][+-]?[0-9]+)?";
  token = "(${string}|${number}|true|false|null|[][{}:,]|[ \t\n\r]+)";
  pieces = split token text;
  # split alternates text between matches (must be empty) and the matches' groups.
  stray = filter (p: isString p && p != "") pieces;
  tokens = map head (filter isList pieces);
  isSpace = t: match "[ \t\n\r]+" t != null;
  newlines = t: (length (split "\n" t) - 1) / 2;
  kind =
    t:
    if elem t [
      "{"
      "}"
      "["
      "]"
      ":"
      ","
    ] then
      t
    else if match string t != null then
      "string"
    else
      "scalar";
  afterValue = stack: if stack == [ ] then "end" else "comma-or-close";
  step =
    s: t:
    let
      k = kind t;
      top = if s.stack == [ ] then null else head s.stack;
      valueOk = elem s.expect [
        "value"
        "value-or-close"
      ];
      fail = s // {
        error = "unexpected ${if t == "" then "end" else "'${t}'"} on line ${toString s.line}";
      };
    in
    if s.error != null then
      s
    else if isSpace t then
      s // { line = s.line + newlines t; }
    else if (k == "string" || k == "scalar") && valueOk then
      s // { expect = afterValue s.stack; }
    else if k == "string" && elem s.expect [
      "key"
      "key-or-close"
    ] then
      s // { expect = "colon"; }
    else if k == ":" && s.expect == "colon" then
      s // { expect = "value"; }
    else if k == "{" && valueOk then
      s // {
        stack = [ "object" ] ++ s.stack;
        expect = "key-or-close";
      }
    else if k == "[" && valueOk then
      s // {
        stack = [ "array" ] ++ s.stack;
        expect = "value-or-close";
      }
    else if
      k == "}"
      && top == "object"
      && elem s.expect [
        "key-or-close"
        "comma-or-close"
      ]
    then
      s // {
        stack = tail s.stack;
        expect = afterValue (tail s.stack);
      }
    else if
      k == "]"
      && top == "array"
      && elem s.expect [
        "value-or-close"
        "comma-or-close"
      ]
    then
      s // {
        stack = tail s.stack;
        expect = afterValue (tail s.stack);
      }
    else if k == "," && s.expect == "comma-or-close" then
      s // { expect = if top == "object" then "key" else "value"; }
    else
      fail;
  final =
    foldl' step {
      stack = [ ];
      expect = "value";
      line = 1;
      error = null;
    } tokens;
in
if stray != [ ] then
  "not valid JSON: unexpected '${elemAt stray 0}'"
else if final.error != null then
  "not valid JSON: ${final.error}"
else if final.expect != "end" then
  "not valid JSON: it ends too early (line ${toString final.line})"
else
  null
