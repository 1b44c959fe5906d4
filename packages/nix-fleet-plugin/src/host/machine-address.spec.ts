import { hostname, networkInterfaces } from 'node:os';
import { isLocalName, isLoopback, isThisMachine, normaliseAddress, resolveAddresses } from './machine-address';

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
    ['::ffff:0a00:0102', '10.0.1.2'],
    ['1::ffff:7f00:1', '1::ffff:7f00:1'],
    ['::ffff:7f00:1:2', '::ffff:7f00:1:2'],
    ['a[::1]', 'a[::1]'],
    ['[::1]a', '[::1]a'],
    ['web%1', 'web%1'],
  ])('spells %j as %j', (given, normal) => expect(normaliseAddress(given)).toBe(normal));

  it.each(['127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '[::1]', '::ffff:127.0.0.1', '0.0.0.0', '::'])('%j is loopback', (a) => expect(isLoopback(a)).toBe(true));
  it.each(['127.10.0.1', '127.0.10.1', '127.0.0.10'])('%j is loopback too', (a) => expect(isLoopback(a)).toBe(true));
  it.each(['10.0.0.1', '128.0.0.1', '::2', 'localhost', '1.127.0.0', 'x127.0.0.1', '127.0.0.1x'])('%j is no loopback address', (a) => expect(isLoopback(a)).toBe(false));

  it('knows localhost, .localhost names and its own name in any case, and nothing else by name', () => {
    for (const n of ['localhost', 'LocalHost', 'localhost.', 'a.localhost', 'localhost.localdomain', hostname(), hostname().toUpperCase()]) expect([n, isLocalName(n)]).toEqual([n, true]);
    for (const n of ['localhost.example.org', 'notlocalhost', `${hostname()}x`, '-localhost']) expect([n, isLocalName(n)]).toEqual([n, false]);
  });

  it('knows its own name with and without its domain, and no other', () => {
    expect(isLocalName('web1', 'web1.example.org')).toBe(true);
    expect(isLocalName('WEB1.example.org.', 'web1.example.org')).toBe(true);
    expect(isLocalName('web1.lan', 'web1')).toBe(false);
    expect(isLocalName('web2', 'web1.example.org')).toBe(false);
  });

  it('resolves a name to its addresses, an IP to itself, and an unknown name to none', async () => {
    expect(await resolveAddresses('LOCALHOST')).toContain('127.0.0.1');
    expect(await resolveAddresses('[0:0::1]')).toEqual(['::1']);
    expect(await resolveAddresses('no-such-host.invalid')).toEqual([]);
  });

  it('takes a .localhost name for this machine by its name alone (it may resolve to nothing)', async () => {
    expect(await isThisMachine('nowhere.localhost')).toBe(true);
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
