import { fleetMarkdown, pathsNamedIn } from './fleet-docs';

describe('fleet docs', () => {
  it('drops repository-only passages and runs nx through npx', () => {
    const doc = [
      'Build: `nx run web1:build`, or `nx affected -t build`.',
      '<!-- repo-only -->',
      'Tests: `e2e/tests/x.spec.ts`.',
      '<!-- /repo-only -->',
      'Already `npx nx g host a`; nx.json, @nix-fleet/nx and the nx CLI stay.',
      '```',
      'nx run-many -t deploy',
      '```',
      '',
    ].join('\n');
    expect(fleetMarkdown(doc)).toBe(
      [
        'Build: `npx nx run web1:build`, or `npx nx affected -t build`.',
        'Already `npx nx g host a`; nx.json, @nix-fleet/nx and the nx CLI stay.',
        '```',
        'npx nx run-many -t deploy',
        '```',
        '',
      ].join('\n'),
    );
  });

  it('finds the workspace paths a doc names, not examples, URLs or machine paths', () => {
    const doc =
      'See `tools/check-nix-parse.sh` and `hosts/<name>/host.json`, [Secrets](Secrets.md#keys), ' +
      '`/run/current-system`, `ssh-ng://b1`, `packages/profiles/default.nix`, `services/nginx`.';
    expect(pathsNamedIn('[up](../../README.md) [x](https://nixos.org)', 'docs/reference/a.md')).toEqual(['README.md']);
    expect(pathsNamedIn(doc, 'docs/Deploying.md')).toEqual(['docs/Secrets.md', 'packages/profiles/default.nix', 'tools/check-nix-parse.sh']);
  });
});
