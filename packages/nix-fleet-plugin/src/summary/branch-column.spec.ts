import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderPlanTable } from '../deploy/plan-report';
import { hostBranch, withBranchColumn } from './branch-column';

describe('the nixpkgs column of fleet tables', () => {
  const table = { headers: ['host', 'status', 'size'], body: [['a', 'ok', '1'], ['b', 'ok', '2'], ['total', '', '3']], rightAligned: [0, 2] };

  it.each([
    ['one branch', ['stable', 'stable', null]],
    ['no host.json read (all unknown alike)', [undefined, undefined, null]],
    ['only a total row', [null, null, null]],
  ])('leaves the table alone with %s', (_what, branches) => {
    expect(withBranchColumn(table, branches)).toBe(table);
  });

  it('inserts the column after the host when branches differ; a row without host.json shows "?"', () => {
    expect(withBranchColumn(table, ['stable', undefined, null])).toEqual({
      headers: ['host', 'nixpkgs', 'status', 'size'],
      body: [['a', 'stable', 'ok', '1'], ['b', '?', 'ok', '2'], ['total', '', '', '3']],
      rightAligned: [0, 3],
    });
  });

  it('reads host.json "nixpkgs", unstable when absent, undefined for a broken or missing file', () => {
    const root = mkdtempSync(join(tmpdir(), 'branch-'));
    try {
      const write = (host: string, text: string) => {
        mkdirSync(join(root, 'hosts', host), { recursive: true });
        writeFileSync(join(root, 'hosts', host, 'host.json'), text);
      };
      write('web1', '{"type":"server","system":"x86_64-linux","nixpkgs":"stable"}');
      write('ares', '{"type":"laptop","system":"x86_64-linux"}');
      write('bad', '{"type":"laptop","system":"x86_64-linux","nixpkgs":"nixos-24.05"}');
      write('torn', '{"type":');
      expect(['web1', 'ares', 'bad', 'torn', 'missing'].map((h) => hostBranch(root, h))).toEqual(['stable', 'unstable', undefined, undefined, undefined]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('the plan table shows it for a fleet that mixes branches', () => {
    const rows = [
      { host: 'ares', status: 'unreachable', nixpkgs: 'unstable', result: undefined },
      { host: 'web1', status: 'unreachable', nixpkgs: 'stable', result: undefined },
    ];
    expect(renderPlanTable(rows).split('\n')[0]).toMatch(/^host  nixpkgs   plan\s+packages/);
    expect(renderPlanTable(rows.map((r) => ({ ...r, nixpkgs: 'stable' }))).split('\n')[0]).toMatch(/^host  plan\s+packages/);
  });
});
