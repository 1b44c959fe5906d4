// The tour's fleet: three hosts on the fixture flake (no nixpkgs, builds offline in a second).
// web1 and web2 import the "web" profile, ares (a laptop) does not: a change to that profile
// must produce new systems for the web servers only.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordingSwitchScript } from '../../e2e/support/deploy-fixtures';
import { nixString } from '../../packages/nix-fleet-plugin/src/generators/shared/nix-text';
import { FIXTURE_FLAKE, FIXTURE_LIB, fixtureProfiles, writeWorkspaceFile, type FixturePackage } from '../../e2e/support/fixture-fleet';
import { bindHostKey, type TestHost, type TestNetwork } from '../../e2e/support/test-hosts';

const MiB = 1024 * 1024;

export interface DemoHost {
  /** The Nx project and NixOS host name. */
  name: string;
  type: 'laptop' | 'server';
  /** The test host (network namespace) it deploys to. */
  target: TestHost;
  importsWeb: boolean;
  packages: FixturePackage[];
}

export function demoHosts(net: TestNetwork): DemoHost[] {
  const [a, b, c] = net.hosts;
  return [
    { name: 'web1', type: 'server', target: a, importsWeb: true, packages: [{ name: 'shop', version: '1.0', size: 1 * MiB }] },
    { name: 'web2', type: 'server', target: b, importsWeb: true, packages: [{ name: 'blog', version: '1.0', size: 512 * 1024 }] },
    { name: 'ares', type: 'laptop', target: c, importsWeb: false, packages: [{ name: 'editor', version: '1.0', size: 3 * MiB }] },
  ];
}

const nixPackage = (p: FixturePackage) => `{ name = "${p.name}"; version = "${p.version}"; size = ${p.size}; }`;

export function webProfile(nginxVersion: string): string {
  return `# The web profile: what every web server gets. Only hosts that import it change with it.\n{\n  packages = [ ${nixPackage({ name: 'nginx', version: nginxVersion, size: 2 * MiB })} ];\n}\n`;
}

export function configuration(host: DemoHost): string {
  const own = `[\n    ${host.packages.map(nixPackage).join('\n    ')}\n  ]`;
  const packages = host.importsWeb ? `web.packages ++ ${own}` : own;
  return [
    `# ${host.name}: ${host.importsWeb ? 'a web server (imports the web profile)' : 'a laptop (no web profile)'}.`,
    host.importsWeb ? 'let\n  web = import ../../packages/profiles/web.nix;\nin\n{' : '{',
    `  packages = ${packages};`,
    // Records each activation on the host, so the tour can show which hosts were switched.
    `  switchScript = ${nixString(recordingSwitchScript())};`,
    '}',
    '',
  ].join('\n');
}

export function hostJson(host: DemoHost, net: TestNetwork): Record<string, unknown> {
  return {
    type: host.type,
    system: 'x86_64-linux',
    ...(host.importsWeb ? { roles: ['web'] } : {}),
    deployment: { targetHost: host.target.name },
  };
}

export function writeDemoFleet(root: string, hosts: DemoHost[], net: TestNetwork): string[] {
  const files: Record<string, string> = {
    'flake.nix': FIXTURE_FLAKE,
    'nix/fixture-lib.nix': FIXTURE_LIB,
    'packages/profiles/default.nix': fixtureProfiles([{ name: 'base-tools', version: '1.0', size: 256 * 1024 }]),
    'packages/profiles/web.nix': webProfile('1.26'),
  };
  for (const h of hosts) {
    // The fleet names its hosts web1, web2, ares; ssh checks their keys under those names.
    bindHostKey(net, h.target.name, h.name);
    files[`hosts/${h.name}/host.json`] = `${JSON.stringify(hostJson(h, net), null, 2)}\n`;
    files[`hosts/${h.name}/configuration.nix`] = configuration(h);
  }
  for (const [file, content] of Object.entries(files)) writeWorkspaceFile(root, file, content);
  return Object.keys(files);
}

/** Bumps a package version inside a .nix file of the fleet; fails if the text is not there. */
export function bumpVersion(root: string, file: string, name: string, from: string, to: string): void {
  const path = join(root, file);
  const before = readFileSync(path, 'utf-8');
  const needle = `name = "${name}"; version = "${from}";`;
  if (!before.includes(needle)) throw new Error(`${file} has no ${name} ${from}`);
  writeFileSync(path, before.replace(needle, `name = "${name}"; version = "${to}";`));
}
