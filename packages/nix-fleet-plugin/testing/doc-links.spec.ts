import { anchorsOf, brokenLinks, headingSlug } from './doc-links';

describe('doc links', () => {
  it.each([
    ['Firewall: `profiles.fleet.firewall` (fleet-firewall.nix, lib/firewall.nix)', 'firewall-profilesfleetfirewall-fleet-firewallnix-libfirewallnix'],
    ['One shared connection per host', 'one-shared-connection-per-host'],
    ['Plan: what a deploy would change, per host, before anything moves', 'plan-what-a-deploy-would-change-per-host-before-anything-moves'],
  ])('slugs %j as GitHub does', (heading, slug) => expect(headingSlug(heading.replace(/`/g, ''))).toBe(slug));

  it('finds links to missing files, missing anchors and other-folder escapes; ignores URLs and code', () => {
    const files = new Map([
      ['docs/A.md', '# A\n## Two words\n<a id="decision-1"></a>\n[ok](B.md) [ok](#two-words) [ok](B.md#b) [ok](A.md#decision-1) [ok](https://x.org/y.md)\n`[not](Code.md)`\n```\n[not](Fence.md)\n```\n[bad](C.md) [bad](#nope) [bad](B.md#nope) [bad](../../etc/passwd) [ok](reference)'],
      ['docs/B.md', '# B'],
      ['docs/reference/x.md', '[ok](../A.md#a) [bad](../Architecture.md#decision-6)'],
    ]);
    expect(brokenLinks(files)).toEqual([
      'docs/A.md: #nope',
      'docs/A.md: ../../etc/passwd',
      'docs/A.md: B.md#nope',
      'docs/A.md: C.md',
      'docs/reference/x.md: ../Architecture.md#decision-6',
    ]);
    expect([...anchorsOf('# T\n# T\n## Firewall: `a.b` (x)\n```\n# not a heading\n```\n')]).toEqual(['t', 't-1', 'firewall-ab-x']);
  });
});
