// The remote shell programs are the .sh files beside this one, read once as text: the target gets
// a program as `sh -c TEXT NAME WORD...` over ssh and holds none of these files. A line
// `. ./lib-NAME.sh` (how shellcheck follows it) is replaced by that file's text, once per program.
// Any other line that sources a file would look for it on the target, so it fails here, when the
// plugin loads.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const INCLUDE = /^\. \.\/(lib-[a-z-]+\.sh)$/;
const SOURCES = /^\s*(\.|source)\s/;

/** The text of the given files, one after another, with their includes inlined. */
export function remoteScript(...files: string[]): string {
  return scriptText(__dirname, files);
}

/** remoteScript of the files in dir. */
export function scriptText(dir: string, files: string[]): string {
  const included = new Set<string>();
  const expand = (file: string): string => {
    if (included.has(file)) return '';
    included.add(file);
    return readFileSync(join(dir, file), 'utf-8')
      .split('\n')
      .map((line) => {
        const include = INCLUDE.exec(line)?.[1];
        if (include === undefined) {
          if (SOURCES.test(line)) throw new Error(`${file}: "${line.trim()}" is not an include of the form ". ./lib-NAME.sh"`);
          return line;
        }
        if (!existsSync(join(dir, include))) throw new Error(`${file} includes ${include}, which does not exist in ${dir}`);
        return expand(include);
      })
      .join('\n');
  };
  return files.map(expand).join('\n');
}
