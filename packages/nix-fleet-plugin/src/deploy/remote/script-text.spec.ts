// The remote programs as the target gets them: one text each, with every lib-*.sh it includes
// inlined once, and nothing left that would look for a file on the target.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as scripts from '../remote-scripts';
import { REMOTE_FUNCTIONS } from '../remote-functions';
import { PLAN_READ } from '../plan-script';
import { LIST_GENERATIONS } from '../../operations/generations-script';
import { remoteScript, scriptText } from './script-text';

const PROGRAMS = Object.entries({ ...scripts, REMOTE_FUNCTIONS, PLAN_READ, LIST_GENERATIONS }).filter(
  (entry): entry is [string, string] => typeof entry[1] === 'string',
);

it('every .sh file beside is a program the plugin sends, or a lib-*.sh a program includes', () => {
  const sent = PROGRAMS.map(([, text]) => text).join('\n');
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.sh'))) {
    // Its first line after the shellcheck directive is in some program's text.
    const line = remoteScript(file).split('\n').find((l) => l && !l.startsWith('# shellcheck'));
    expect([file, sent.includes(line ?? '\0')]).toEqual([file, true]);
  }
});

it.each(PROGRAMS)('%s: includes inlined, each function defined once', (_name, text) => {
  expect(text.split('\n').filter((l) => /^\s*\.\s/.test(l))).toEqual([]);
  const defined = [...text.matchAll(/^([a-z_]+)\(\) \{/gm)].map((m) => m[1]);
  expect(defined).toEqual([...new Set(defined)]);
});

it('a lib included by two routes comes once, before the text that includes it', () => {
  const text = remoteScript('commit.sh');
  expect(text.match(/^bad_param\(\) \{/gm)).toHaveLength(1);
  expect(text.indexOf('bad_param() {')).toBeLessThan(text.indexOf('read_context() {'));
  expect(text.indexOf('read_context() {')).toBeLessThan(text.indexOf('rollback() {'));
});

describe('an include script-text.ts cannot inline fails when the plugin loads, not on the target', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nix-fleet-script-text-'));
    writeFileSync(join(dir, 'lib-a.sh'), 'a() { :; }\n');
    writeFileSync(join(dir, 'lib-b.sh'), '. ./lib-a.sh\nb() { a; }\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const program = (text: string) => {
    writeFileSync(join(dir, 'p.sh'), text);
    return () => scriptText(dir, ['p.sh']);
  };

  it.each(['. ./lib-a.sh # the functions', '. "./lib-a.sh"', '  . ./lib-a.sh', 'source ./lib-a.sh', '. lib-a.sh', '. ./lib_a.sh'])('%j', (line) => {
    expect(program(`${line}\na\n`)).toThrow(`p.sh: "${line.trim()}" is not an include of the form ". ./lib-NAME.sh"`);
  });

  it('a missing lib names itself and the file that includes it', () => {
    expect(program('. ./lib-gone.sh\n')).toThrow(/p\.sh includes lib-gone\.sh, which does not exist/);
  });

  it('a lib given again after it was included comes once, and adds nothing that would run', () => {
    for (const files of [['lib-b.sh', 'lib-a.sh'], ['lib-a.sh', 'lib-a.sh']]) {
      const text = scriptText(dir, files);
      expect(text.match(/^a\(\) \{/gm)).toHaveLength(1);
      expect(spawnSync('sh', ['-c', `set -e\n${text}\na`]).status).toBe(0);
    }
  });

  it('files given together stay apart: one that ends without a newline does not run into the next', () => {
    writeFileSync(join(dir, 'lib-c.sh'), 'c() { echo c; }');
    writeFileSync(join(dir, 'd.sh'), 'c');
    expect(spawnSync('sh', ['-c', scriptText(dir, ['lib-c.sh', 'd.sh'])], { encoding: 'utf-8' }).stdout).toBe('c\n');
  });
});
