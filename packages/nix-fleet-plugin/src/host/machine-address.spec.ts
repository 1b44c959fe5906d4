import { hostname, networkInterfaces } from 'node:os';
import { isLocalName, isLoopback, isThisMachine, normaliseAddress } from './machine-address';

describe('machine addresses', () => {
  it.each([
    ['::1', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['[::1]', '::1'],
    ['[0000:0000::0001]', '::1'],
    ['FE80::1%eth0', 'fe80::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:7f00:1', '127.0.0.1'],
    ['Web1.LAN.', 'web1.lan'],
    ['  10.0.0.1 ', '10.0.0.1'],
    ['ünïcode.example', 'ünïcode.example'],
  ])('spells %j as %j', (given, normal) => expect(normaliseAddress(given)).toBe(normal));

  it.each(['127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '[::1]', '::ffff:127.0.0.1', '0.0.0.0', '::'])('%j is loopback', (a) => expect(isLoopback(a)).toBe(true));
  it.each(['10.0.0.1', '128.0.0.1', '::2', 'localhost', '1.127.0.0'])('%j is no loopback address', (a) => expect(isLoopback(a)).toBe(false));

  it('knows localhost, .localhost names and its own name in any case, and nothing else by name', () => {
    for (const n of ['localhost', 'LocalHost', 'localhost.', 'a.localhost', 'localhost.localdomain', hostname(), hostname().toUpperCase()]) expect([n, isLocalName(n)]).toEqual([n, true]);
    for (const n of ['localhost.example.org', 'notlocalhost', `${hostname()}x`, '-localhost']) expect([n, isLocalName(n)]).toEqual([n, false]);
  });

  it('finds this machine by its interface addresses and by what a name resolves to, but not another address', async () => {
    const own = Object.values(networkInterfaces()).flat().find((i) => i && !i.internal)?.address;
    if (own) expect(await isThisMachine(own)).toBe(true);
    expect(await isThisMachine('localhost')).toBe(true);
    expect(await isThisMachine('0:0:0:0:0:0:0:1')).toBe(true);
    // 192.0.2.0/24 is TEST-NET-1: never this machine's.
    expect(await isThisMachine('192.0.2.7')).toBe(false);
    expect(await isThisMachine('no-such-host.invalid')).toBe(false);
  });
});
