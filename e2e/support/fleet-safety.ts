// Checks a fleet (hosts/ + packages/profiles/) without nixpkgs: real `nix-instantiate --parse` of every
// .nix file, and real `nix-instantiate --eval` of the profile library's builtins-only helpers.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One `name = value;` of a parsed Nix file: its attribute path (nested sets flattened) and value text. */
export interface Assignment {
  path: string[];
  value: string;
}

/** The canonical text `nix-instantiate --parse` prints: comments gone, nested attribute paths expanded. */
export function parseNix(file: string): string {
  const r = spawnSync('nix-instantiate', ['--parse', file], { encoding: 'utf-8' });
  if (r.status !== 0) throw new Error(`nix-instantiate --parse ${file} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

function skipString(src: string, i: number): number {
  for (let j = i + 1; j < src.length; j++) {
    if (src[j] === '\\') j++;
    else if (src[j] === '"') return j + 1;
  }
  return src.length;
}

/** The value text from `start` to its `;`, skipping nested brackets and strings. */
function readValue(src: string, start: number): string {
  let depth = 0;
  for (let j = start; j < src.length; j++) {
    const c = src[j];
    if (c === '"') j = skipString(src, j) - 1;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return src.slice(start, j).trim();
      depth--;
    } else if (c === ';' && depth === 0) return src.slice(start, j).trim();
  }
  return src.slice(start).trim();
}

const isAssign = (src: string, j: number) => src.startsWith(' = ', j) && src[j + 3] !== '=';

/**
 * Every attribute assignment of a parsed Nix expression with its full path: `{ a = { b = x; }; }` and
 * `a.b = x` both give a.b; sets inside a value (`mkIf c { ... }`, `if c then { ... }`) continue its path.
 * Dynamic names (`${name}`) become "*".
 */
export function assignments(parsed: string): Assignment[] {
  const found: Assignment[] = [];
  const stack: Array<{ prefix: string[]; key: string | null }> = [{ prefix: [], key: null }];
  const top = () => stack[stack.length - 1];
  const record = (key: string, after: number) => {
    top().key = key;
    found.push({ path: [...top().prefix, key], value: readValue(parsed, after + 3) });
  };
  // A module's `config = { ... }` section sets the same options as a config-only module.
  const settings = () => found.map((a) => (a.path[0] === 'config' && a.path.length > 1 ? { ...a, path: a.path.slice(1) } : a));
  for (let i = 0; i < parsed.length; i++) {
    const c = parsed[i];
    if (c === '"') {
      const end = skipString(parsed, i);
      if (top().key === null && isAssign(parsed, end)) record(JSON.parse(parsed.slice(i, end)), end);
      i = end - 1;
    } else if (c === '$' && parsed[i + 1] === '{') {
      let depth = 0;
      let j = i + 1;
      for (; j < parsed.length; j++) {
        if (parsed[j] === '{') depth++;
        else if (parsed[j] === '}' && --depth === 0) break;
      }
      if (top().key === null && isAssign(parsed, j + 1)) record('*', j + 1);
      i = j;
    } else if (c === '{') {
      const t = top();
      stack.push({ prefix: t.key === null ? t.prefix : [...t.prefix, t.key], key: null });
    } else if (c === '}') {
      if (stack.length > 1) stack.pop();
    } else if (c === ';') {
      top().key = null;
    } else if (/[A-Za-z_]/.test(c) && !/[A-Za-z0-9_'.-]/.test(parsed[i - 1] ?? ' ')) {
      const m = /^[A-Za-z_][A-Za-z0-9_'-]*/.exec(parsed.slice(i));
      const name = m ? m[0] : c;
      const end = i + name.length;
      if (name === 'inherit' && top().key === null) {
        // `inherit (src) a b;` sets a and b too: recorded with the value "inherit".
        const stop = parsed.indexOf(';', end);
        const names = parsed.slice(end, stop).replace(/\([^)]*\)/, '').trim().split(/\s+/).filter(Boolean);
        for (const n of names) found.push({ path: [...top().prefix, n.replace(/^"|"$/g, '')], value: 'inherit' });
        i = stop;
        continue;
      }
      if (top().key === null && isAssign(parsed, end)) record(name, end);
      i = end - 1;
    }
  }
  return settings();
}

/** The value without parentheses and `lib.` prefixes: `((lib).mkDefault true)` -> `mkDefault true`. */
export function bare(value: string): string {
  return value
    .replace(/\(lib\)\./g, '')
    .replace(/\blib\./g, '')
    .replace(/[()]/g, '')
    .trim();
}

const endsWith = (path: string[], tail: string[]) =>
  path.length >= tail.length && tail.every((seg, k) => path[path.length - tail.length + k] === seg);
const isTrue = (value: string) => /^(mkDefault |mkForce |mkOverride \d+ )?true$/.test(bare(value));
const isFalse = (value: string) => /^(mkDefault |mkForce |mkOverride \d+ )?false$/.test(bare(value));
const FIREWALL_LISTS = ['allowedTCPPorts', 'allowedUDPPorts', 'allowedTCPPortRanges', 'allowedUDPPortRanges'];
const RULE_OPTIONS = ['extraCommands', 'extraInputRules', 'extraStopCommands'];
/** The one module that writes networking.firewall from profiles.fleet.firewall (through lib/firewall.nix). */
export const FIREWALL_MODULE = 'packages/profiles/fleet-firewall.nix';
/** openFirewall switches that are allowed to be on, and why. */
const OPEN_FIREWALL_ALLOWED: Array<[string[], string]> = [
  [['services', 'openssh', 'openFirewall'], 'SSH is one of the ports a server opens to everyone'],
  [['programs', 'steam', 'remotePlay', 'openFirewall'], 'gaming asserts the desktop profile, which servers refuse'],
];

function nixFilesUnder(root: string, dir: string): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir)).flatMap((entry) => {
    const rel = `${dir}/${entry}`;
    if (statSync(join(root, rel)).isDirectory()) return nixFilesUnder(root, rel);
    return entry.endsWith('.nix') ? [rel] : [];
  });
}

/** Evaluates a Nix expression (a function of `root`) with the real nix-instantiate, builtins only. */
export function evalNix<T>(root: string, expr: string): T {
  const r = spawnSync('nix-instantiate', ['--eval', '--strict', '--json', '--argstr', 'root', root, '-E', expr], {
    encoding: 'utf-8',
  });
  if (r.status !== 0) throw new Error(`nix-instantiate --eval failed: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as T;
}

interface LibraryView {
  hosts: Record<
    string,
    { type: string; deploy: { enable: boolean; user: string | null; port: number; sshOpenTo: string }; address: string | null }
  >;
}

/** What the profile library's own helpers say about the inventory. */
export function inventory(root: string): LibraryView {
  return evalNix<LibraryView>(
    root,
    `{ root }:
    let
      lib = import (/. + root + "/packages/profiles/lib");
      hosts = lib.readHosts (/. + root + "/hosts");
    in
    {
      hosts = builtins.mapAttrs (name: host: {
        inherit (host) type;
        deploy = lib.deployTarget host;
        address = host.deployment.targetHost or null;
      }) hosts;
    }`,
  );
}

interface FirewallView {
  violations: string[];
  sources: { ipv4: string[]; ipv6: string[]; unmatched: string[]; everywhere: string[]; errors?: string[] };
}

/** lib/firewall.nix on the inventory: world-open ports beyond 22/80/443, and the fleet's sources. */
export function firewallPlan(root: string, worldTCP: number[], subnets: string[]): FirewallView {
  return evalNix<FirewallView>(
    root,
    `{ root }:
    let
      lib = import (/. + root + "/packages/profiles/lib");
      hosts = lib.readHosts (/. + root + "/hosts");
    in
    {
      violations = lib.firewall.worldViolations { tcp = builtins.fromJSON ${JSON.stringify(JSON.stringify(worldTCP))}; };
      sources = lib.firewall.fleetSources {
        inherit hosts;
        subnets = builtins.fromJSON ${JSON.stringify(JSON.stringify(subnets))};
      };
    }`,
  );
}

const stringLiterals = (value: string) => [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);

/**
 * Every way this fleet could lose a deploy target's sshd or open a non-web port to everyone, as
 * messages naming the file and the fix. Empty means safe by these checks.
 */
export function fleetProblems(root: string): string[] {
  const problems: string[] = [];
  const view = inventory(root);

  // Every hosts/*/host.json is in the library's inventory, and every targetHost makes a deploy target.
  const hostDirs = readdirSync(join(root, 'hosts')).filter((d) => existsSync(join(root, 'hosts', d, 'host.json')));
  for (const name of hostDirs) {
    const json = JSON.parse(readFileSync(join(root, 'hosts', name, 'host.json'), 'utf-8'));
    const host = view.hosts[name];
    if (!host) problems.push(`hosts/${name}/host.json: not in the profile library's inventory (lib/read-hosts.nix).`);
    else if (json.deployment?.targetHost !== undefined && !host.deploy.enable) {
      problems.push(`hosts/${name}/host.json: has deployment.targetHost but lib/deploy-target.nix does not make it a deploy target.`);
    }
  }

  // host-module.nix must hand that verdict to the module that switches sshd on.
  const hostModule = assignments(parseNix(join(root, 'packages/profiles/lib/host-module.nix')));
  if (!hostModule.some((a) => endsWith(a.path, ['profiles', 'deployTarget']) && /deploy-target\.nix/.test(a.value))) {
    problems.push('packages/profiles/lib/host-module.nix: does not set profiles.deployTarget from lib/deploy-target.nix, so deploy targets may run without sshd.');
  }

  const libraryFiles = nixFilesUnder(root, 'packages/profiles');
  const parsed = new Map<string, Assignment[]>();
  const of = (file: string) => {
    if (!parsed.has(file)) parsed.set(file, assignments(parseNix(join(root, file))));
    return parsed.get(file) ?? [];
  };

  // sshd: nothing a deploy target imports may switch it (or the deploy-target module) off.
  const deployTargets = Object.entries(view.hosts).filter(([, h]) => h.deploy.enable);
  const sshdFiles = [
    ...libraryFiles,
    ...deployTargets.flatMap(([name]) => nixFilesUnder(root, `hosts/${name}`)),
  ];
  for (const file of sshdFiles) {
    for (const a of of(file)) {
      const where = `${file}: ${a.path.join('.')} = ${a.value}`;
      if (endsWith(a.path, ['services', 'openssh', 'enable']) && !isTrue(a.value)) {
        problems.push(`${where} turns sshd off on a deploy target; deploys could never reach it again.`);
      }
      if (endsWith(a.path, ['deployTarget', 'enable']) && a.path[0] !== 'options') {
        problems.push(`${where} overrides what host.json says; remove it.`);
      }
      if (a.path[a.path.length - 1] === 'disabledModules') problems.push(`${where} may remove the sshd module; remove it.`);
    }
  }

  // Firewall: which files servers import, and what they open.
  const servers = Object.entries(view.hosts).filter(([, h]) => h.type === 'server');
  const firewallFiles = [...libraryFiles, ...servers.flatMap(([name]) => nixFilesUnder(root, `hosts/${name}`))];
  const worldTCP = new Set<number>([22]);
  const subnets: string[] = [];
  for (const file of firewallFiles) {
    for (const a of of(file)) {
      if (a.path[0] === 'options') continue; // option declarations, not settings
      const where = `${file}: ${a.path.join('.')} = ${a.value}`;
      const key = a.path[a.path.length - 1];
      const inFirewall = a.path.includes('networking') && a.path.includes('firewall');
      if (inFirewall && (FIREWALL_LISTS.includes(key) || RULE_OPTIONS.includes(key)) && file !== FIREWALL_MODULE) {
        problems.push(`${where} opens ports around profiles.fleet.firewall; use profiles.fleet.firewall.fleetTCPPorts (fleet only).`);
      }
      if (key === 'openFirewall' && a.path[0] !== 'profiles' && !isFalse(a.value)) {
        if (!OPEN_FIREWALL_ALLOWED.some(([tail]) => endsWith(a.path, tail))) {
          problems.push(`${where} lets a service open its port to everyone; set it false and add the port to profiles.fleet.firewall.fleetTCPPorts.`);
        }
      }
      if (endsWith(a.path, ['firewall', 'publicTCPPorts']) && a.path.includes('profiles')) {
        const ports = [...bare(a.value).matchAll(/\b\d+\b/g)].map((m) => Number(m[0]));
        if (ports.length === 0 && !/^\[\s*\]$/.test(bare(a.value))) {
          problems.push(`${where}: publicTCPPorts must be a literal list of ports, so it can be checked.`);
        }
        for (const port of ports) worldTCP.add(port);
      }
      if (endsWith(a.path, ['profiles', 'fleet', 'subnets']) || endsWith(a.path, ['fleet', 'subnets'])) {
        subnets.push(...stringLiterals(a.value));
      }
    }
  }

  const plan = firewallPlan(root, [...worldTCP].sort((x, y) => x - y), subnets);
  for (const v of plan.violations) problems.push(`servers open ${v} to everyone; only 22, 80 and 443 may be.`);
  problems.push(...(plan.sources.errors ?? []));
  if (plan.sources.everywhere.length > 0) {
    problems.push(`profiles.fleet.subnets contains ${plan.sources.everywhere.join(', ')}: fleet-only ports would be open to everyone.`);
  }
  for (const [name, host] of servers) {
    const address = host.address?.replace(/^\[(.*)\]$/, '$1');
    const invalid = (plan.sources.errors ?? []).some((e) => e.startsWith(`hosts/${name}/host.json:`));
    if (address && !invalid && ![...plan.sources.ipv4, ...plan.sources.ipv6].includes(address) && !plan.sources.unmatched.includes(name)) {
      problems.push(`hosts/${name}: its address ${address} is not a fleet source, so other servers cannot reach its fleet ports.`);
    }
  }
  return problems;
}
