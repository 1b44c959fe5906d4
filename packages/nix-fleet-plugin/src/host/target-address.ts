// The one validator of deploy target addresses, used by the host generator, host.json's schema
// and deploy. host.json keeps the parts apart (targetHost, targetUser, port); flags may give
// [user@]host[:port] and are split, with a note. Nothing that starts with "-" ever passes.

const USER = '[a-z_][a-z0-9_-]*';
/** An IPv4 address, each part 0-255. */
const IPV4 = '(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
/** A DNS name, an IPv4 address or an ssh config alias: no leading "-" or "."; digits and dots alone must be an IPv4 address. */
const NAME = `(?![0-9.]+(?![A-Za-z0-9_.-]))[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?|${IPV4}`;
/** IPv6 has two or more colons; a zone (fe80::1%eth0) may follow. */
const IPV6 = '[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f.]{0,15}){2,8}(?:%[A-Za-z0-9_.-]+)?';
const PORT = '[0-9]{1,5}';

/** host.json deployment.targetHost: the host alone. */
export const TARGET_HOST_PATTERN = new RegExp(`^(?:${NAME}|${IPV6})$`);
/** --target-host / --targetHost: [user@]host[:port], IPv6 with a port in brackets. */
export const TARGET_ADDRESS_PATTERN = new RegExp(`^(?:(${USER})@)?(?:(${NAME})(?::(${PORT}))?|(${IPV6})|\\[(${IPV6})\\](?::(${PORT}))?)$`);
export const TARGET_USER_PATTERN = new RegExp(`^${USER}$`);

export interface TargetAddress {
  host: string;
  user?: string;
  port?: number;
  /** Set when the value was split into parts: what went where. */
  note?: string;
}

const EXAMPLE = 'e.g. web1.lan, 10.0.0.11, root@10.0.0.11 or web1.lan:2222';

/**
 * Parses a target address given as `flag` (named in every error, with the fix). `explicit`
 * user and port (from their own flags or fields) must agree with any the address carries.
 */
export function parseTargetAddress(value: unknown, flag: string, explicit: { user?: string; port?: number } = {}): TargetAddress {
  const text = typeof value === 'string' ? value : '';
  if (text.startsWith('-')) {
    throw new Error(`${flag}=${JSON.stringify(value)} starts with "-": ssh would read it as an option. Give a hostname, an address or an ssh alias, ${EXAMPLE}.`);
  }
  const m = TARGET_ADDRESS_PATTERN.exec(text);
  if (!m) {
    throw new Error(`${flag}=${JSON.stringify(value)} is not a target address: give [user@]host[:port] where host is a hostname, an IP address or an ssh alias, ${EXAMPLE}.`);
  }
  const user = m[1];
  const host = m[2] ?? m[4] ?? m[5];
  const portText = m[3] ?? m[6];
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (port < 1 || port > 65535)) throw new Error(`${flag}=${JSON.stringify(value)}: port ${portText} is not a TCP port (1-65535).`);
  if (user !== undefined && explicit.user !== undefined && explicit.user !== user) {
    throw new Error(`${flag}=${JSON.stringify(value)} names user "${user}", but the target user is "${explicit.user}". Give the user once.`);
  }
  if (port !== undefined && explicit.port !== undefined && explicit.port !== port) {
    throw new Error(`${flag}=${JSON.stringify(value)} names port ${port}, but the port is ${explicit.port}. Give the port once.`);
  }
  const parts = [user !== undefined && `targetUser "${user}"`, port !== undefined && `port ${port}`].filter(Boolean);
  return {
    host,
    user: user ?? explicit.user,
    port: port ?? explicit.port,
    ...(parts.length > 0 ? { note: `${flag}=${text} was split: targetHost "${host}", ${parts.join(', ')}.` } : {}),
  };
}
