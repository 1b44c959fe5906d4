// The homelab promises, checked with real `nix-instantiate --eval` of the profile library's
// builtins-only helpers on a fleet's own hosts/ (nixpkgs cannot be fetched here, so modules are not
// evaluated; each module hands its decision to one of these helpers, and the tests read both).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assignments, evalNix, parseNix } from './fleet-safety';
import { REPO_ROOT } from './workspace';

const PROFILES = join(REPO_ROOT, 'packages/profiles');

/** The text of a file of this repo's profile library. */
export const profileText = (file: string) => readFileSync(join(PROFILES, file), 'utf-8');

/** The value text of the last setting in a profile file whose attribute path ends with `tail`. */
export const profileSetting = (file: string, ...tail: string[]) =>
  assignments(parseNix(join(PROFILES, file)))
    .filter((a) => a.path[0] !== 'options' && a.path.slice(-tail.length).join('.') === tail.join('.'))
    .pop()?.value;

/** A Nix string literal for any JS string (JSON strings are valid Nix strings after escaping "${"). */
export const nixString = (s: string) => JSON.stringify(s).replace(/\$\{/g, '\\${');
const nixJson = (v: unknown) => `builtins.fromJSON ${nixString(JSON.stringify(v))}`;

const prelude = `
  lib = import (/. + root + "/packages/profiles/lib");
  hosts = lib.readHosts (/. + root + "/hosts");
  # Just enough of nixpkgs' lib for a host's configuration.nix to return its settings; module
  # merging is not done, so only what the file itself says is seen.
  stubLib = {
    mkIf = cond: value: if cond then value else { };
    mkDefault = value: { _type = "override"; priority = 1000; content = value; };
    mkForce = value: { _type = "override"; priority = 50; content = value; };
    mkMerge = list: list;
    setAttrByPath = path: value: builtins.foldl' (acc: key: { \${key} = acc; }) value (builtins.genList (i: builtins.elemAt path (builtins.length path - 1 - i)) (builtins.length path));
    splitString = sep: s: builtins.filter builtins.isString (builtins.split "[.]" s);
    genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
  };
  # hosts/<name>/configuration.nix called with a stub config: the fleet's hosts, no secrets yet.
  declared = name: import (/. + root + "/hosts/\${name}/configuration.nix") {
    lib = stubLib;
    pkgs = { };
    config = {
      networking.hostName = name;
      profiles.fleet.hosts = hosts;
      profiles.secrets.available = false;
    };
  };
  sources = lib.firewall.fleetSources { inherit hosts; };
`;

/** Evaluates `body` (a Nix expression) with lib, hosts, stubLib, declared and sources in scope. */
export function evalFleet<T>(root: string, body: string): T {
  return evalNix<T>(root, `{ root }: let ${prelude} in ${body}`);
}

export interface Sources {
  ipv4: string[];
  ipv6: string[];
  unmatched: string[];
  everywhere: string[];
  errors: string[];
}

/** lib/firewall.nix fleetSources on the fleet's host.json files and the given subnets. */
export const fleetSources = (root: string, subnets: string[] = []) =>
  evalFleet<Sources>(root, `lib.firewall.fleetSources { inherit hosts; subnets = ${nixJson(subnets)}; }`);

/** What nginx does with a request to `host` (the web server's own sites, through the role's helper). */
export const webAnswer = (root: string, server: string, host: string, source: string) =>
  evalFleet<{ server: string; status: number }>(
    root,
    `lib.web.answer {
      virtualHosts = lib.web.nginxVirtualHosts {
        virtualHosts = builtins.mapAttrs (_: v: { root = null; proxyPass = null; access = null; acme = true; } // v)
          ((declared ${nixString(server)}).profiles.server.roles.web.virtualHosts or { });
        inherit sources;
      };
      host = ${nixString(host)};
      source = ${nixString(source)};
    }`,
  );

/** A DOCKER-USER rule as argument list, and where a new forwarded connection ends in the chain. */
/** `out`: the interface the packet leaves by (a container bridge, or e.g. a VPN's wg0). */
export function dockerVerdict(rules: string[][], from: string, port: number, out = 'docker0'): 'RETURN' | 'DROP' | 'none' {
  for (const rule of rules) {
    if (rule[0] !== '-A') continue;
    const arg = (flag: string) => {
      const i = rule.indexOf(flag);
      return i < 0 ? undefined : rule[i + 1];
    };
    const state = arg('--ctstate');
    if (state && !state.split(',').includes('NEW')) continue;
    if (arg('-i')) continue; // from a container bridge, never from outside
    if (arg('-s') && arg('-s') !== from) continue;
    const o = arg('-o'); // iptables: a trailing "+" matches every name with that prefix
    if (o && !(o.endsWith('+') ? out.startsWith(o.slice(0, -1)) : out === o)) continue;
    if (arg('--ctorigdstport') && arg('--ctorigdstport') !== String(port)) continue;
    return arg('-j') as 'RETURN' | 'DROP';
  }
  return 'none';
}

/** The docker role's plan for a host: daemon settings and the DOCKER-USER rules for its sources. */
export const dockerPlan = (root: string, ports: { publicTCPPorts?: number[]; fleetTCPPorts?: number[] }) =>
  evalFleet<{ settings: Record<string, unknown>; rules: string[][] }>(
    root,
    `{
      settings = lib.docker.daemonSettings { liveRestore = true; };
      rules = lib.docker.userChainRules ({ sources = sources.ipv4; } // ${nixJson(ports)});
    }`,
  );
