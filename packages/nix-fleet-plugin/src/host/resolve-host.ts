// The host an executor works on: its name (checked before it touches any path) and host.json.
import type { ExecutorContext } from '@nx/devkit';
import { HOSTNAME_PATTERN, HOSTS_DIR, HOST_FILE } from '../constants';
import { readHostJson, type HostJson } from './host-json';
import { checkHostModules, fsReader, knownModules } from './known-modules';

/** The host name from --host or the project; throws naming the flag and the fix. */
export function hostName(options: { host?: string }, context: Pick<ExecutorContext, 'projectName'>): string {
  const host = options.host ?? context.projectName;
  if (!host) throw new Error('No host: pass --host=<name> or run the target of a host project.');
  if (!HOSTNAME_PATTERN.test(host)) {
    throw new Error(`--host=${JSON.stringify(host)} is not a valid host name: use lowercase letters, digits and "-" (RFC 1123), e.g. --host=web-1.`);
  }
  return host;
}

export function hostFileOf(host: string): string {
  return `${HOSTS_DIR}/${host}/${HOST_FILE}`;
}

export interface ResolvedHost {
  host: string;
  hostFile: string;
  hostJson: HostJson;
}

/** Name check, then host.json read and validated (roles and profiles too); every executor starts here. */
export function resolveHost(options: { host?: string }, context: Pick<ExecutorContext, 'projectName' | 'root'>): ResolvedHost {
  const host = hostName(options, context);
  const hostFile = hostFileOf(host);
  const hostJson = readHostJson(context.root, hostFile);
  checkHostModules(hostJson, hostFile, knownModules(fsReader(context.root)));
  return { host, hostFile, hostJson };
}
