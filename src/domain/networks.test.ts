import { describe, expect, it } from 'vitest';
import { compileNetworks, parseAddress, parseCidr } from './networks.ts';

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['192.168.1.0/24', '192.168.1.0/24'],
    ['203.0.113.7', '203.0.113.7/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['fd00::/8', 'fd00::/8'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['::1', '::1/128'],
    ['::ffff:10.0.0.0/104', '::ffff:10.0.0.0/104'],
  ])('accepts %s as %s', (text, canonical) => {
    const parsed = parseCidr(text);
    expect(parsed).toMatchObject({ ok: true, text: canonical });
  });

  it.each([
    ['10.0.0/8', 'is not an IPv4 or IPv6 address'],
    ['10.0.0.256/32', 'is not an IPv4 or IPv6 address'],
    ['010.0.0.0/8', 'is not an IPv4 or IPv6 address'],
    ['intranet', 'is not an IPv4 or IPv6 address'],
    ['10.0.0.0/33', 'invalid prefix length (0 to 32)'],
    ['10.0.0.0/', 'invalid prefix length'],
    ['10.0.0.0/-1', 'invalid prefix length'],
    ['fd00::/129', 'invalid prefix length (0 to 128)'],
    ['10.1.2.3/8', 'host bits set beyond /8'],
    ['fd00::1/8', 'host bits set beyond /8'],
    ['1::2::3/64', 'is not an IPv4 or IPv6 address'],
    ['gggg::/16', 'is not an IPv4 or IPv6 address'],
  ])('refuses %s (%s)', (text, message) => {
    const parsed = parseCidr(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });
});

describe('a network', () => {
  const networks = compileNetworks({ intranet: ['10.0.0.0/8', 'fd00::/8'], office: ['192.168.10.0/24'] });
  const inside = (name: string, address: string) => {
    const parsed = parseAddress(address);
    return parsed !== null && (networks.get(name)?.contains(parsed) ?? false);
  };

  it.each([
    ['intranet', '10.1.2.3', true],
    ['intranet', '::ffff:10.1.2.3', true],
    ['intranet', '11.0.0.1', false],
    ['intranet', 'fd12:3456::1', true],
    ['intranet', 'fe80::1', false],
    ['intranet', 'fd00::1%eth0', true],
    ['office', '192.168.10.254', true],
    ['office', '192.168.11.1', false],
  ])('%s holds %s: %s', (name, address, expected) => {
    expect(inside(name, address)).toBe(expected);
  });

  it('an unparsable client address is in no network', () => {
    expect(parseAddress('not-an-address')).toBeNull();
    expect(parseAddress('')).toBeNull();
  });
});
