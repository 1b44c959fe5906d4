// The remote shell programs are the .sh files beside this one, read once as text: the target gets
// a program as `sh -c TEXT NAME WORD...` over ssh and holds none of these files. A line
// `. ./lib-NAME.sh` (how shellcheck follows it) is replaced by that file's text, once per program.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const INCLUDE = /^\. \.\/(lib-[a-z-]+\.sh)$/;

/** The text of the given files, one after another, with their includes inlined. */
export function remoteScript(...files: string[]): string {
  const included = new Set<string>();
  const expand = (file: string): string => {
    included.add(file);
    return readFileSync(join(__dirname, file), 'utf-8')
      .split('\n')
      .map((line) => {
        const include = INCLUDE.exec(line)?.[1];
        if (include === undefined) return line;
        return included.has(include) ? '' : expand(include);
      })
      .join('\n');
  };
  return files.map(expand).join('\n');
}
