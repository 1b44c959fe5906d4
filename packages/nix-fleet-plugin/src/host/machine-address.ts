// Which machine an address names: one spelling per address (case-folded names, canonical
// IPv6, IPv4-mapped IPv6 as IPv4), what it resolves to, and whether it is this machine.
import { lookup } from 'node:dns/promises';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';

/** One spelling of a host name or IP address: lower case, no brackets, no zone, no trailing dot, canonical IPv6. */
export function normaliseAddress(address: string): string {
  let a = address.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const zone = a.indexOf('%');
  if (zone >= 0 && a.includes(':')) a = a.slice(0, zone);
  if (isIP(a) === 6) {
    // The WHATWG URL parser writes IPv6 in its one canonical form (RFC 5952).
    a = new URL(`http://[${a}]/`).hostname.slice(1, -1);
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
    if (mapped) {
      const [hi, lo] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
      a = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
    }
  }
  return a;
}

/** Loopback and "any" addresses: connecting to them reaches this machine. */
export function isLoopback(address: string): boolean {
  const a = normaliseAddress(address);
  return /^127\.\d+\.\d+\.\d+$/.test(a) || a === '::1' || a === '0.0.0.0' || a === '::';
}

/** Names that are this machine without asking DNS (RFC 6761 .localhost, and its own host name). */
export function isLocalName(name: string, own = hostname()): boolean {
  const n = normaliseAddress(name);
  const self = normaliseAddress(own);
  return n === 'localhost' || n.endsWith('.localhost') || n === 'localhost.localdomain' || n === self || n === self.split('.')[0];
}

/** Every address of this machine's interfaces, normalised. */
export function ownAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) out.add(normaliseAddress(i.address));
  return out;
}

/** The addresses a name resolves to (getaddrinfo: /etc/hosts, then DNS), normalised; an IP is itself. */
export async function resolveAddresses(name: string): Promise<string[]> {
  const n = normaliseAddress(name);
  if (isIP(n)) return [n];
  try {
    const found = await lookup(n, { all: true, verbatim: true });
    return [...new Set(found.map((f) => normaliseAddress(f.address)))].sort();
  } catch {
    // Unresolvable here: compared by its name alone.
    return [];
  }
}

/** Whether `name` (as written, and what it resolves to) is this machine. */
export async function isThisMachine(name: string): Promise<boolean> {
  if (isLocalName(name) || isLoopback(name)) return true;
  const own = ownAddresses();
  const resolved = await resolveAddresses(name);
  return resolved.some((a) => isLoopback(a) || own.has(a));
}
