// The remote programs as the target gets them: one text each, with every lib-*.sh it includes
// inlined once, and nothing left that would look for a file on the target.
import { readdirSync } from 'node:fs';
import * as scripts from '../remote-scripts';
import { REMOTE_FUNCTIONS } from '../remote-functions';
import { PLAN_READ } from '../plan-script';
import { LIST_GENERATIONS } from '../../operations/generations-script';
import { remoteScript } from './script-text';

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
